// WCAG 2.1 AA in real headless Chromium: axe (the WCAG 2.0/2.1 A and AA rules) must find no
// violation on every page an employer, an employee or a website visitor meets, in Dutch and
// English, on a 375-pixel phone and on a desktop; and at 320 pixels nothing may be wider than the
// screen (WCAG 1.4.10, reflow):
//   - the online quote in each state: open, accepted, declined, withdrawn (closed), revised (the
//     old link after a new revision), and with the employee-consent section;
//   - the employee's consent page: open and answered;
//   - the website form: empty, with field errors, with a result;
//   - the HTML quote document, and the e-mail's HTML opened as a page.
// Phone screenshots of every state land in SCREENSHOT_DIR/a11y/. Run through scripts/browser-test.
//   node tests/browser/a11y.mjs http://127.0.0.1:PORT SCREENSHOT_DIR MAIL_DIR SALES_KEY
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  AXE_EXCEPTIONS, DESKTOP, PHONE, axeViolations, htmlPart, launch, mailLink, mailWith, runner,
  sentQuote, sickDay, staffApi,
} from './lib.mjs';

const [base, shotsRoot, mails, key] = process.argv.slice(2);
const shots = `${shotsRoot}/a11y`;
fs.mkdirSync(shots, { recursive: true });
const api = staffApi(base, key);
const form = (path, fields) => fetch(`${base}${path}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
  redirect: 'manual',
});

// One sent quote per state, each with its own employer address to find its e-mail by.
const quotes = {};
for (const state of ['open', 'accepted', 'declined', 'withdrawn', 'revised', 'consent']) {
  const email = `${state}@a11y.example`;
  const quote = await sentQuote(api, `Toegankelijk ${state} B.V.`, email);
  quotes[state] = { ...quote, email, path: await mailLink(mails, email, 'q') };
}
for (const state of ['accepted', 'consent']) {
  const r = await form(`${quotes[state].path}/accept`, { name: 'J. de Vries', agree: 'yes', lang: 'nl' });
  assert.ok(r.status < 400, `accept ${state}: ${r.status}`);
}
assert.ok((await form(`${quotes.declined.path}/decline`, { reason: 'Te duur', lang: 'nl' })).status < 400);
assert.equal((await api('POST', `/api/v1/quotes/${quotes.withdrawn.id}/transitions`, { to: 'withdrawn' })).status, 200);
const revision = await api('POST', `/api/v1/quotes/${quotes.revised.id}/revisions`, {});
assert.equal(revision.status, 201, JSON.stringify(revision.json));
// The employee's link: asked by staff for the accepted quote (the employer's page then shows the
// consent section with the link).
const asked = await api('POST', `/api/v1/quotes/${quotes.consent.id}/employee-consent`, {});
assert.equal(asked.status, 201, JSON.stringify(asked.json));
const employeeOpen = new URL(asked.json.url).pathname;
const answered = await sentQuote(api, 'Toegankelijk toestemming B.V.', 'given@a11y.example');
const answeredPath = await mailLink(mails, 'given@a11y.example', 'q');
await form(`${answeredPath}/accept`, { name: 'J. de Vries', agree: 'yes', lang: 'nl' });
const employeeAnswered = new URL((await api('POST', `/api/v1/quotes/${answered.id}/employee-consent`, {})).json.url).pathname;
assert.ok((await form(`${employeeAnswered}/consent`, { name: 'P. Jansen', agree: 'yes', lang: 'nl' })).status < 400);

const browser = await launch();
const run = runner(shotsRoot);
let checked = 0;

// Opens `path` (or sets `html`) on each width, checks axe, and saves the phone screenshot.
async function check(name, open, { widths = [PHONE, DESKTOP], context = {} } = {}) {
  for (const viewport of widths) {
    const phone = viewport === PHONE;
    const ctx = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone, ...context });
    const page = await ctx.newPage();
    const label = `${name}, ${phone ? 'phone' : 'desktop'}`;
    await run.test(`axe: ${label}`, page, async () => {
      await open(page);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `WCAG 2.1 AA violations on ${label}:\n    ${violations.join('\n    ')}`);
      checked += 1;
      if (!phone) return;
      await page.screenshot({ path: `${shots}/${name.replace(/\W+/g, '-')}.png`, fullPage: true });
      // WCAG 1.4.10 (reflow), which axe does not check: at 320 CSS pixels nothing is wider than
      // the screen (a data table may scroll inside its own box, which axe then checks).
      await page.setViewportSize({ width: 320, height: viewport.height });
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 320, `${label} scrolls sideways: ${wide} px wide on a 320 px screen`);
      const narrow = await axeViolations(page);
      assert.deepEqual(narrow, [], `WCAG 2.1 AA violations at 320 px on ${label}:\n    ${narrow.join('\n    ')}`);
    });
    await ctx.close();
  }
}

const goto = (path) => async (page) => {
  const r = await page.goto(`${base}${path}`);
  assert.ok(r.status() < 500, `${path}: ${r.status()}`);
};
for (const lang of ['nl', 'en']) {
  for (const state of ['open', 'accepted', 'declined', 'withdrawn', 'revised', 'consent']) {
    await check(`quote ${state} ${lang}`, goto(`${quotes[state].path}?lang=${lang}`));
  }
  await check(`employee consent open ${lang}`, goto(`${employeeOpen}?lang=${lang}`));
  await check(`employee consent given ${lang}`, goto(`${employeeAnswered}?lang=${lang}`));
}

// A server-side error on the quote page (a name of spaces): the page again with the message.
await check('quote open with an error nl', async (page) => {
  await goto(quotes.open.path)(page);
  await page.getByLabel('Uw naam').fill('   ');
  await page.getByLabel(/Ik ga akkoord/).check();
  await page.getByRole('button', { name: 'Accepteren' }).click();
  await page.locator('#form-error').waitFor();
});

// The website form, as a visitor meets it.
const embed = async (page) => {
  await page.goto(`${base}/embed/demo`);
  await page.locator('offerte-form').getByRole('button').waitFor();
};
await check('form empty', embed);
await check('form with errors', async (page) => {
  await embed(page);
  await page.locator('offerte-form').getByRole('button', { name: 'Indicatie aanvragen' }).click();
  await page.locator('offerte-form [aria-invalid="true"]').first().waitFor({ timeout: 10000 });
});
await check('form with a result', async (page) => {
  await embed(page);
  const f = page.locator('offerte-form');
  await f.getByLabel('Bedrijfsnaam').fill('Bakkerij De Korenschoof B.V.');
  await f.getByLabel('Contactpersoon').fill('J. de Vries');
  await f.getByLabel('E-mailadres').fill('hr@korenschoof.example');
  await f.getByLabel('Uw referentie of initialen (geen BSN)').fill('PV-0412');
  await f.getByLabel('Eerste ziektedag').fill(sickDay());
  await f.getByLabel('Hoe ver is de werknemer?').selectOption('ready_with_support');
  await f.getByLabel(/privacyverklaring/).check();
  await f.getByRole('button', { name: 'Indicatie aanvragen' }).click();
  await f.locator('.result .total').waitFor({ timeout: 10000 });
});

// The HTML quote document as staff download it, and the e-mail's HTML as the employer opens it.
for (const lang of ['nl', 'en']) {
  await check(`document html ${lang}`, goto(`/api/v1/quotes/${quotes.open.id}/document?format=html&lang=${lang}`), {
    context: { extraHTTPHeaders: { Authorization: `Bearer ${key}` } },
  });
}
const letter = htmlPart(await mailWith(mails, quotes.open.email));
fs.writeFileSync(`${shots}/e-mail.html`, letter);
await check('e-mail html', async (page) => {
  await page.setContent(letter);
});

await browser.close();
console.log(`# ${checked} pages checked with axe (WCAG 2.0/2.1 A and AA), exceptions: ${JSON.stringify(AXE_EXCEPTIONS)}`);
process.exit(run.failures ? 1 : 0);
