// The embeddable form in real headless Chromium: loads /embed/demo from a running server,
// fills the form, submits and sees the indicative total; then sends a bad KvK number and sees
// the server's error next to that field. Run through scripts/browser-test.
//   node tests/browser/form.mjs http://127.0.0.1:PORT SCREENSHOT_DIR
import assert from 'node:assert/strict';
import { launch } from './lib.mjs';

const base = process.argv[2];
const shots = process.argv[3] || '.';
const browser = await launch();
let failures = 0;
async function test(name, body) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Refused requests (the 422 under test, a missing favicon) are logged as resource errors: not
  // script errors.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  try {
    await page.goto(`${base}/embed/demo`);
    await body(page);
    assert.deepEqual(errors, [], 'no script errors or CSP violations');
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n${e.stack}`);
    await page.screenshot({ path: `${shots}/failed-${name.replace(/\W+/g, '-')}.png`, fullPage: true });
  } finally {
    await page.close();
  }
}

const sickDay = new Date(Date.now() - 200 * 86400000).toISOString().slice(0, 10);

async function fill(page, { kvk }) {
  const form = page.locator('offerte-form');
  // Labels are the way in: every field must have one.
  await form.getByLabel('Bedrijfsnaam').fill('Bakkerij De Korenschoof B.V.');
  await form.getByLabel('KvK-nummer').fill(kvk);
  await form.getByLabel('Contactpersoon').fill('J. de Vries');
  await form.getByLabel('E-mailadres').fill('hr@korenschoof.example');
  await form.getByLabel('Telefoonnummer').fill('030 123 45 67');
  await form.getByLabel('Uw referentie of initialen (geen BSN)').fill('PV-0412');
  await form.getByLabel('Uren per week').fill('32');
  await form.getByLabel('Eerste ziektedag').fill(sickDay);
  await form.getByLabel('Hoe ver is de werknemer?').selectOption('ready_with_support');
  assert.equal(await form.getByLabel('Begeleiding').inputValue(), 'standard', 'the default intensity');
  assert.equal(await form.getByLabel('Scholing').inputValue(), 'none', 'the default schooling');
  // Keyboard: the consent box is reached and ticked with the keyboard.
  await form.getByLabel(/privacyverklaring/).focus();
  await page.keyboard.press('Space');
  assert.equal(await form.getByLabel(/privacyverklaring/).isChecked(), true);
}

await test('a filled form shows the indicative total and the alternatives', async (page) => {
  await fill(page, { kvk: '12345678' });
  await page.locator('offerte-form').getByRole('button', { name: 'Indicatie aanvragen' }).press('Enter');
  const result = page.locator('offerte-form .result');
  await result.locator('.total').waitFor({ timeout: 10000 });
  const total = await result.locator('.total').textContent();
  assert.match(total, /€\s?[\d.]+,\d\d excl\. btw · €\s?[\d.]+,\d\d incl\. btw/);
  assert.equal(await result.getAttribute('aria-live'), 'polite');
  const items = await result.locator('li').allTextContents();
  assert.ok(items.length >= 2, `alternatives: ${items}`);
  assert.ok(items.some((i) => i.includes('(aanbevolen)')), `${items}`);
  const text = await result.textContent();
  assert.match(text, /AV-[0-9A-Z]{8}/);
  assert.match(text, /indicatie, geen offerte/);
  // The same price the API gives for these circumstances (standard intensity, no schooling).
  const api = await page.evaluate(async (day) => {
    const r = await fetch('/api/v1/quote-requests', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        employer: { company_name: 'X', contact_person: 'Y', email: 'x@y.example' },
        employee: { reference: 'R' },
        circumstances: { first_sick_day: day, readiness: 'ready_with_support' },
        consent: true, website: 'bot',
      }),
    });
    return (await r.json()).result;
  }, sickDay);
  const euros = (amount) => Number(amount).toLocaleString('nl-NL', { minimumFractionDigits: 2 });
  assert.ok(total.includes(euros(api.incl_vat)), `${total} shows ${api.incl_vat}`);
  await page.screenshot({ path: `${shots}/form-result.png`, fullPage: true });
});

await test('a bad KvK number shows the server error next to the field', async (page) => {
  await fill(page, { kvk: '1234' });
  await page.locator('offerte-form').getByRole('button', { name: 'Indicatie aanvragen' }).click();
  const kvk = page.locator('offerte-form').getByLabel('KvK-nummer');
  await page.waitForFunction(() => {
    const root = document.querySelector('offerte-form').shadowRoot;
    return root.querySelector('input[name="employer.kvk_number"]').getAttribute('aria-invalid') === 'true';
  }, null, { timeout: 10000 });
  const describedBy = await kvk.getAttribute('aria-describedby');
  const message = await page.locator(`offerte-form #${describedBy}`).textContent();
  assert.equal(message, 'Een KvK-nummer bestaat uit precies 8 cijfers.');
  // The field with the error has the focus; no result is shown.
  assert.equal(await kvk.evaluate((n) => n.getRootNode().activeElement === n), true);
  assert.equal(await page.locator('offerte-form .result').textContent(), '');
  await page.screenshot({ path: `${shots}/form-error.png`, fullPage: true });
});

await browser.close();
process.exit(failures ? 1 : 0);
