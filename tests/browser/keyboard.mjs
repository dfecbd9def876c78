// The keyboard alone (Tab, Shift+Tab, Space, Enter, arrows and typing), in real headless Chromium:
//   - the employer accepts a quote from the e-mail's link: a name of only spaces is refused, the
//     refusal is announced (role=alert), tied to the field (aria-describedby) and the focus is on
//     it; then the quote is accepted;
//   - a visitor sends the website form: a bad KvK number comes back from the server, the summary
//     is announced, the field is marked and described and has the focus; corrected, the form
//     shows the indicative price in its live region.
// Every element the focus passes shows it (an outline or a shadow). Run through
// scripts/browser-test.
//   node tests/browser/keyboard.mjs http://127.0.0.1:PORT SCREENSHOT_DIR MAIL_DIR SALES_KEY
import assert from 'node:assert/strict';
import { focused, launch, mailLink, runner, sentQuote, sickDay, staffApi, tabTo } from './lib.mjs';

const [base, shots, mails, key] = process.argv.slice(2);
const api = staffApi(base, key);
const browser = await launch();
const run = runner(shots);
const newPage = async () => (await browser.newContext({ viewport: { width: 1000, height: 1200 }, locale: 'en-US' })).newPage();

// The element the focus is on describes itself with the text of the element named by its
// aria-describedby (inside the same root), and that text is `expected` (a RegExp).
async function describedAs(page, expected) {
  const text = await page.evaluate(() => {
    let node = document.activeElement;
    while (node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
    const ids = (node.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    return ids.map((id) => node.getRootNode().getElementById(id)?.textContent || '').join(' ');
  });
  assert.match(text, expected, `the focused field is described by the error: "${text}"`);
}

const quote = await sentQuote(api, 'Toetsenbord Bakkerij B.V.', 'hr@toetsenbord.example');
const path = await mailLink(mails, 'hr@toetsenbord.example', 'q');

await run.test('the employer accepts a quote with the keyboard alone', await newPage(), async (page) => {
  await page.goto(`${base}${path}`);
  await tabTo(page, (f) => f.name === 'name', 'the name field');
  await page.keyboard.type('   ');
  await tabTo(page, (f) => f.name === 'agree', 'the agreement box');
  await page.keyboard.press('Space');
  await tabTo(page, (f) => f.tag === 'button', 'the accept button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  // Refused: announced, tied to the field, and the focus is there.
  assert.equal(await page.locator('#form-error').getAttribute('role'), 'alert');
  const there = await focused(page);
  assert.equal(there?.name, 'name', `the focus is on the name field: ${JSON.stringify(there)}`);
  assert.ok(there.invalid && there.visible, `marked invalid, focus drawn: ${JSON.stringify(there)}`);
  await describedAs(page, /naam/i);
  await page.screenshot({ path: `${shots}/keyboard-quote-error.png` });

  await page.keyboard.type('J. de Vries');
  await tabTo(page, (f) => f.name === 'agree', 'the agreement box');
  await page.keyboard.press('Space');
  await tabTo(page, (f) => f.tag === 'button', 'the accept button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.getByText('U hebt deze offerte geaccepteerd').waitFor({ timeout: 10000 });
  const stored = await api('GET', `/api/v1/quotes/${quote.id}/events`);
  assert.equal(stored.json.find((e) => e.to === 'accepted')?.name, 'J. de Vries');
});

await run.test('a visitor sends the website form with the keyboard alone', await newPage(), async (page) => {
  await page.goto(`${base}/embed/demo`);
  const to = (name) => tabTo(page, (f) => f.name === name, name);
  await to('employer.company_name');
  await page.keyboard.type('Bakkerij De Korenschoof B.V.');
  await to('employer.kvk_number');
  await page.keyboard.type('1234');
  await to('employer.contact_person');
  await page.keyboard.type('J. de Vries');
  await to('employer.email');
  await page.keyboard.type('hr@korenschoof.example');
  await to('employee.reference');
  await page.keyboard.type('PV-0412');
  await to('circumstances.first_sick_day');
  const [year, month, day] = sickDay().split('-');
  await page.keyboard.type(`${month}${day}${year}`); // en-US: month, day, year
  await to('circumstances.readiness');
  const readiness = () => page.evaluate(() => document.querySelector('offerte-form').shadowRoot
    .querySelector('select[name="circumstances.readiness"]').value);
  for (let i = 0; i < 8 && (await readiness()) !== 'ready_with_support'; i += 1) await page.keyboard.press('ArrowDown');
  assert.equal(await readiness(), 'ready_with_support');
  await to('consent');
  await page.keyboard.press('Space');
  await tabTo(page, (f) => f.tag === 'button', 'the submit button');
  await page.keyboard.press('Enter');

  // The server's refusal: the summary announced, the first wrong field focused and described.
  await page.waitForFunction(() => document.querySelector('offerte-form').shadowRoot
    .querySelector('[aria-invalid="true"]'), null, { timeout: 10000 });
  const status = page.locator('offerte-form p.status');
  assert.equal(await status.getAttribute('role'), 'alert');
  assert.ok((await status.textContent()).length > 0, 'the summary is announced');
  const there = await focused(page);
  assert.equal(there?.name, 'employer.kvk_number', `the focus is on the KvK number: ${JSON.stringify(there)}`);
  assert.ok(there.invalid && there.visible, `marked invalid, focus drawn: ${JSON.stringify(there)}`);
  await describedAs(page, /8 cijfers/);
  await page.screenshot({ path: `${shots}/keyboard-form-error.png`, fullPage: true });

  await page.keyboard.press('Control+A');
  await page.keyboard.type('12345678');
  await tabTo(page, (f) => f.tag === 'button', 'the submit button');
  await page.keyboard.press('Enter');
  const result = page.locator('offerte-form .result');
  await result.locator('.total').waitFor({ timeout: 10000 });
  assert.equal(await result.getAttribute('aria-live'), 'polite');
  assert.match(await result.textContent(), /AV-[0-9A-Z]{8}/);
});

await browser.close();
process.exit(run.failures ? 1 : 0);
