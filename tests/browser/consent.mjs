// The employee's consent in real headless Chromium: a quote sent by e-mail and accepted by the
// employer online; on the accepted quote's page the employer makes a link for the employee (and
// has it e-mailed); the employee opens it on a phone, reads the cost specification and consents
// with a name; the staff API then shows `given` with the time and the specification's hash, and
// the certificate lists it. Run through scripts/browser-test.
//   node tests/browser/consent.mjs http://127.0.0.1:PORT SCREENSHOT_DIR MAIL_DIR SALES_KEY
import assert from 'node:assert/strict';
import { launch, mailLink, sickDay, staffApi } from './lib.mjs';

const [base, shots, mails, key] = process.argv.slice(2);
const company = 'Toestemming Bakkerij B.V.';
const api = staffApi(base, key);

const created = await api('POST', '/api/v1/quotes', {
  employer: { company_name: company, contact_person: 'J. de Vries', email: 'hr@toestemming.example' },
  employee: { reference: 'PV-0777', hours_per_week: 24 },
  circumstances: { first_sick_day: sickDay(), readiness: 'ready_with_support' },
});
assert.equal(created.status, 201, JSON.stringify(created.json));
const id = created.json.id;
const number = created.json.number;
assert.equal((await api('POST', `/api/v1/quotes/${id}/send`, {})).status, 202);
const employerPath = await mailLink(mails, 'hr@toestemming.example', 'q');

const browser = await launch();
let failures = 0;
try {
  const errors = [];
  const watch = (page) => {
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  };
  const employer = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
  watch(employer);
  await employer.goto(`${base}${employerPath}`);
  await employer.getByLabel('Uw naam').fill('J. de Vries');
  await employer.getByLabel(/Ik ga akkoord/).check();
  await employer.getByRole('button', { name: 'Accepteren' }).click();
  await employer.getByText('Toestemming van de werknemer').waitFor({ timeout: 10000 });
  // The employer makes the employee's link and has it e-mailed.
  await employer.getByLabel(/E-mailadres van de werknemer/).fill('p.jansen@example.org');
  await employer.getByRole('button', { name: 'Link voor de werknemer maken' }).click();
  const shown = employer.locator('input[readonly]');
  await shown.waitFor({ timeout: 10000 });
  const consentUrl = await shown.inputValue();
  assert.match(consentUrl, /\/c\/[A-Za-z0-9_-]{22,}$/);
  assert.ok(await employer.getByText('ook per e-mail').isVisible(), 'says it was e-mailed');
  await employer.screenshot({ path: `${shots}/consent-employer-link.png`, fullPage: false });
  const consentPath = new URL(consentUrl).pathname;
  assert.equal(await mailLink(mails, number, 'c'), consentPath, 'the e-mail carries the same link');
  console.log('ok - the employer accepts and makes a consent link for the employee');

  // The employee, on a phone.
  const phone = await browser.newPage({ viewport: { width: 375, height: 812 } });
  watch(phone);
  await phone.goto(consentUrl);
  assert.ok(await phone.getByText('Kostenspecificatie').first().isVisible(), 'the specification');
  assert.equal(await phone.getByText('Betalingsschema').count(), 0, 'no payment schedule');
  await phone.screenshot({ path: `${shots}/consent-page-phone.png`, fullPage: false });
  await phone.getByRole('button', { name: 'Toestemming geven' }).click();
  // The browser keeps an unfilled form from being sent.
  assert.equal(await phone.getByText(/U hebt toestemming gegeven/).count(), 0);
  await phone.getByLabel('Uw naam').fill('P. Jansen');
  await phone.getByLabel(/Ik stem ermee in/).check();
  await phone.getByRole('button', { name: 'Toestemming geven' }).click();
  await phone.getByText(/U hebt toestemming gegeven op/).waitFor({ timeout: 10000 });
  assert.equal(await phone.getByRole('button', { name: 'Toestemming geven' }).count(), 0, 'no forms once answered');
  await phone.screenshot({ path: `${shots}/consent-given-phone.png`, fullPage: false });
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  console.log('ok - the employee reads the specification on a phone and consents by name');

  const quote = await api('GET', `/api/v1/quotes/${id}`);
  const consent = quote.json.employee_consent;
  assert.equal(consent.status, 'given', JSON.stringify(quote.json));
  assert.match(consent.at, /^\d{4}-\d{2}-\d{2}T/);
  assert.match(consent.specification_sha256, /^[0-9a-f]{64}$/);
  const certificate = await api('GET', `/api/v1/quotes/${id}/certificate`);
  assert.equal(certificate.json.employee_consent.status, 'given');
  assert.equal(certificate.json.employee_consent.name, 'P. Jansen');
  assert.equal(certificate.json.employee_consent.specification.sha256, consent.specification_sha256);
  console.log('ok - the staff API shows the consent given, with its time and the specification hash; the certificate lists it');
} catch (e) {
  failures += 1;
  console.log(`not ok - the employee consents online\n${e.stack}`);
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
