// The embeddable form in real headless Chromium: loads /embed/demo from a running server,
// fills the form, submits and sees the indicative total; then sends a bad KvK number and sees
// the server's error next to that field; with an operator key, a second bureau's form (its public
// key in the `key` attribute) sends its request to that bureau. Run through scripts/browser-test.
//   node tests/browser/form.mjs http://127.0.0.1:PORT SCREENSHOT_DIR [SALES_KEY OPERATOR_KEY]
import assert from 'node:assert/strict';
import { launch, runner, sickDay, staffApi } from './lib.mjs';

const [base, shots = '.', defaultKey, operatorKey] = process.argv.slice(2);
const browser = await launch();
const run = runner(shots);
// Each test on its own page of the demo.
async function test(name, body) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
  await run.test(name, page, async () => {
    await page.goto(`${base}/embed/demo`);
    await body(page);
  });
  await page.close();
}


async function fill(page, { kvk, form = page.locator('offerte-form').first() }) {
  // Labels are the way in: every field must have one.
  await form.getByLabel('Bedrijfsnaam').fill('Bakkerij De Korenschoof B.V.');
  await form.getByLabel('KvK-nummer').fill(kvk);
  await form.getByLabel('Contactpersoon').fill('J. de Vries');
  await form.getByLabel('E-mailadres').fill('hr@korenschoof.example');
  await form.getByLabel('Telefoonnummer').fill('030 123 45 67');
  await form.getByLabel('Uw referentie of initialen (geen BSN)').fill('PV-0412');
  await form.getByLabel('Uren per week').fill('32');
  await form.getByLabel('Eerste ziektedag').fill(sickDay());
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
  }, sickDay());
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

// Another bureau's form: a page embeds `<offerte-form key="pk_…">` with that bureau's public
// key; the request lands with that bureau (its admin lists it), not with the default bureau.
if (operatorKey) {
  await test('a form with a bureau\'s public key sends the request to that bureau', async (page) => {
    const as = (key) => staffApi(base, key);
    const operator = as(operatorKey);
    const made = await operator('POST', '/api/v1/bureaus', { slug: 'tweede-bureau', name: 'Tweede Bureau B.V.', number_prefix: 'TWB' });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const newKey = async (role) => {
      const r = await operator('POST', '/api/v1/bureaus/tweede-bureau/api-keys', { role });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json.key;
    };
    const publicKey = await newKey('public');
    const adminKey = await newKey('admin');
    assert.match(publicKey, /^pk_/);
    // The demo page's own form is the default bureau's; add the second bureau's beside it.
    await page.evaluate((key) => {
      const form = document.createElement('offerte-form');
      form.id = 'tweede';
      form.setAttribute('key', key);
      document.body.append(form);
    }, publicKey);
    await fill(page, { kvk: '87654321', form: page.locator('#tweede') });
    await page.locator('#tweede').getByRole('button', { name: 'Indicatie aanvragen' }).press('Enter');
    await page.locator('#tweede .result .total').waitFor({ timeout: 10000 });
    const theirs = await as(adminKey)('GET', '/api/v1/quote-requests');
    assert.equal(theirs.status, 200, JSON.stringify(theirs.json));
    const found = (list) => list.json.items.filter((r) => r.employer.kvk_number === '87654321');
    assert.equal(found(theirs).length, 1, `the second bureau has the request: ${JSON.stringify(theirs.json)}`);
    assert.equal(found(await as(defaultKey)('GET', '/api/v1/quote-requests')).length, 0,
      'the default bureau does not');
  });
}

await browser.close();
process.exit(run.failures ? 1 : 0);
