// Swagger UI as a salesperson meets it, in real headless Chromium: the page loads from the
// binary alone (no request leaves the server), Authorize takes the API key, and "Try it out" on
// "Create a draft quote" with the example body gets a 201 with a quote number; without the key
// the same call is a 401 problem. Run through scripts/browser-test.
//   node tests/browser/swagger.mjs http://127.0.0.1:PORT SCREENSHOT_DIR SALES_KEY
import assert from 'node:assert/strict';
import { launch } from './lib.mjs';

const [base, shots, key] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
const errors = [];
const elsewhere = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => {
  if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
});
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) elsewhere.push(r.url());
});

// Expands the operation, presses "Try it out" and "Execute"; returns the live response's status
// and body as Swagger UI shows them.
async function tryIt(operation) {
  const block = page.locator(`#${operation}`);
  if (!(await block.locator('.execute').isVisible())) {
    if (!(await block.locator('.try-out__btn').isVisible())) {
      await block.locator('.opblock-summary').click();
    }
    await block.locator('.try-out__btn').click();
  }
  await block.locator('.execute').click();
  const status = block.locator('.live-responses-table .response .response-col_status');
  await status.first().waitFor({ timeout: 15000 });
  const code = (await status.first().innerText()).trim();
  const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
  return { code, body };
}

let failures = 0;
try {
  await page.goto(`${base}/swagger-ui/`);
  await page.locator('.information-container .title').waitFor({ timeout: 15000 });
  const title = await page.locator('.information-container .title').innerText();
  assert.match(title, /offerte/i, 'the API title');

  const create = 'operations-quotes-create_quote';
  await page.locator(`#${create}`).waitFor();

  // Without a key: the server's problem body, shown as Swagger UI received it.
  const refused = await tryIt(create);
  assert.equal(refused.code, '401', refused.body);
  assert.match(refused.body, /"status": 401/);

  // Authorize with the key, as the README says.
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.dialog-ux');
  await dialog.locator('input').first().fill(key);
  await dialog.locator('.auth-btn-wrapper .authorize').click();
  await dialog.locator('.auth-btn-wrapper .btn-done').click();
  await dialog.waitFor({ state: 'detached' });

  const made = await tryIt(create);
  assert.equal(made.code, '201', made.body);
  const quote = JSON.parse(made.body);
  assert.match(quote.number, /^[A-Z]+-\d{4}-\d+$/, made.body);
  assert.equal(quote.status, 'draft');
  await page.locator(`#${create}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/swagger-created.png` });

  assert.deepEqual(elsewhere, [], 'every request stays on the server (vendored Swagger UI)');
  assert.deepEqual(errors, [], 'no script errors');
  console.log(`ok - swagger ui: authorize and create a quote (${quote.number})`);
} catch (e) {
  failures += 1;
  console.log(`not ok - swagger ui\n${e.stack}`);
  await page.screenshot({ path: `${shots}/failed-swagger.png`, fullPage: true });
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
