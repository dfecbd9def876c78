// The employer's side in real headless Chromium: a salesperson sends a quote (API), the e-mail
// arrives at a real SMTP server; the link in it is opened, the quote read, accepted with a name;
// the staff API then shows `accepted` with that name. Run through scripts/browser-test.
//   node tests/browser/accept.mjs http://127.0.0.1:PORT SCREENSHOT_DIR MAIL_DIR SALES_KEY
import assert from 'node:assert/strict';
import { launch, sickDay, staffApi } from './lib.mjs';
import fs from 'node:fs';

const [base, shots, mails, key] = process.argv.slice(2);
const api = staffApi(base, key);
const created = await api('POST', '/api/v1/quotes', {
  employer: { company_name: 'Bakkerij De Korenschoof B.V.', contact_person: 'J. de Vries', email: 'hr@korenschoof.example' },
  employee: { reference: 'PV-0412', hours_per_week: 32 },
  circumstances: { first_sick_day: sickDay(), readiness: 'ready_with_support' },
});
assert.equal(created.status, 201, JSON.stringify(created.json));
const id = created.json.id;
const sent = await api('POST', `/api/v1/quotes/${id}/send`, { message: 'Zoals besproken ontvangt u hierbij onze offerte.' });
assert.equal(sent.status, 202, JSON.stringify(sent.json));

// The e-mail as the relay received it; the link is in its text part.
let mail = '';
for (let i = 0; i < 100 && !mail; i += 1) {
  if (fs.existsSync(`${mails}/1.eml`)) mail = fs.readFileSync(`${mails}/1.eml`, 'utf8');
  else await new Promise((r) => setTimeout(r, 100));
}
assert.ok(mail, 'the e-mail arrived');
const link = mail.replace(/=\r?\n/g, '').match(/https?:\/\/[^\s"<>]+\/q\/[A-Za-z0-9_-]{22,}/);
assert.ok(link, 'a link in the e-mail');
const path = new URL(link[0]).pathname;

const browser = await launch();
let failures = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}${path}`);
  assert.match(await page.title(), /Offerte/);
  assert.ok(await page.getByText('Bakkerij De Korenschoof B.V.').first().isVisible(), 'the quote is shown');
  await page.screenshot({ path: `${shots}/online-quote.png`, fullPage: false });
  // Accepting needs the name and the box.
  await page.getByLabel('Uw naam').fill('J. de Vries');
  await page.getByLabel(/Ik ga akkoord/).check();
  await page.getByRole('button', { name: 'Accepteren' }).click();
  await page.getByText('U hebt deze offerte geaccepteerd').waitFor({ timeout: 10000 });
  assert.equal(await page.getByRole('button', { name: 'Accepteren' }).count(), 0, 'no forms once accepted');
  await page.screenshot({ path: `${shots}/online-accepted.png`, fullPage: false });
  // The English switch.
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByText('You have accepted this quote').waitFor({ timeout: 10000 });
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  console.log('ok - the employer opens the link from the e-mail and accepts with a name');

  const quote = await api('GET', `/api/v1/quotes/${id}`);
  assert.equal(quote.json.status, 'accepted');
  const events = await api('GET', `/api/v1/quotes/${id}/events`);
  const accepted = events.json.find((e) => e.to === 'accepted');
  assert.equal(accepted.name, 'J. de Vries');
  assert.match(accepted.document_sha256, /^[0-9a-f]{64}$/);
  console.log('ok - the staff API shows the quote accepted, by that name, with the document hash');
} catch (e) {
  failures += 1;
  console.log(`not ok - the employer accepts online\n${e.stack}`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
