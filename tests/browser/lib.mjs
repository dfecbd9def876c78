// What the browser tests share: Chromium, the staff API, the e-mails the SMTP sink wrote, axe
// (WCAG 2.0/2.1 A and AA) and a visible-focus check. Run through scripts/browser-test.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 900 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
}

// The staff API with a sales key: `{ status, json }` (json null for an empty body).
export function staffApi(base, key) {
  return async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
}

export const sickDay = (daysAgo = 200) =>
  new Date(Date.now() - daysAgo * 86400000).toISOString().slice(0, 10);

// A new quote for `company` (e-mail `email`), sent; returns `{ id, number }`.
export async function sentQuote(api, company, email) {
  const created = await api('POST', '/api/v1/quotes', {
    employer: { company_name: company, contact_person: 'J. de Vries', email },
    employee: { reference: 'PV-0412', hours_per_week: 32 },
    circumstances: { first_sick_day: sickDay(), readiness: 'ready_with_support' },
  });
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.json)}`);
  const sent = await api('POST', `/api/v1/quotes/${created.json.id}/send`, {});
  if (sent.status !== 202) throw new Error(`send: ${JSON.stringify(sent.json)}`);
  return { id: created.json.id, number: created.json.number };
}

const unfold = (text) => text.replace(/=\r?\n/g, '');

// The first e-mail in `mails` whose text holds `marker` and matches `pattern` (waits up to 15 s
// for the relay); returns its text and the match.
async function findMail(mails, marker, pattern = /$/) {
  for (let i = 0; i < 150; i += 1) {
    for (const file of fs.readdirSync(mails).filter((f) => f.endsWith('.eml')).sort()) {
      const text = fs.readFileSync(`${mails}/${file}`, 'utf8');
      const match = unfold(text).match(pattern);
      if (unfold(text).includes(marker) && match) return { text, match };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no e-mail holding ${marker} and ${pattern}`);
}

// The first e-mail in `mails` whose text holds `marker`.
export async function mailWith(mails, marker) {
  return (await findMail(mails, marker)).text;
}

// The path of the `/kind/TOKEN` link (`q` employer, `c` employee) in the first e-mail holding
// `marker` and such a link.
export async function mailLink(mails, marker, kind) {
  const { match } = await findMail(mails, marker, new RegExp(`https?://[^\\s"<>]+/${kind}/[A-Za-z0-9_-]{22,}`));
  return new URL(match[0]).pathname;
}

// The text/html part of a MIME message, decoded (quoted-printable or base64).
export function htmlPart(message) {
  const at = message.search(/^Content-Type: text\/html/im);
  if (at < 0) throw new Error('no text/html part');
  const rest = message.slice(at);
  const split = rest.search(/\r?\n\r?\n/);
  const headers = rest.slice(0, split);
  const boundary = message.slice(0, at).match(/^--\S+/gm).pop();
  let body = rest.slice(split).replace(/^\s+/, '');
  body = body.slice(0, body.indexOf(boundary));
  if (/quoted-printable/i.test(headers)) {
    const bytes = Buffer.from(unfold(body).replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return bytes.toString('utf8');
  }
  if (/base64/i.test(headers)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

// Rules axe may not apply, each with the reason. Empty: every WCAG 2.0/2.1 A and AA rule holds
// on every page the tests open.
export const AXE_EXCEPTIONS = {};

// Runs axe with the WCAG 2.0/2.1 A and AA rules on `page`; returns one line per violation
// (rule, impact, the first nodes) or [] when there is none.
export async function axeViolations(page) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .disableRules(Object.keys(AXE_EXCEPTIONS))
    .analyze();
  return result.violations.map((v) => {
    const nodes = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
    return `${v.id} (${v.impact}, ${v.nodes.length} nodes): ${v.help}\n      ${nodes.join('\n      ')}`;
  });
}

// Where the focus is (through shadow roots) and whether it is drawn: an outline that is not
// `none` and not zero wide, or a box shadow.
export async function focused(page) {
  return page.evaluate(() => {
    let node = document.activeElement;
    while (node && node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
    if (!node || node === document.body) return null;
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const label = node.labels && node.labels[0] ? node.labels[0].textContent.trim() : '';
    return {
      tag: node.tagName.toLowerCase(),
      type: node.getAttribute('type') || '',
      name: node.getAttribute('name') || '',
      label,
      text: (node.textContent || '').trim().slice(0, 60),
      visible: outline || style.boxShadow !== 'none',
      invalid: node.getAttribute('aria-invalid') === 'true',
      describedBy: node.getAttribute('aria-describedby') || '',
    };
  });
}

// Presses Tab until `match(focused)` holds (at most `limit` times); every element passed on the
// way must show its focus. Returns the element reached.
export async function tabTo(page, match, what, limit = 40) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now && !now.visible) throw new Error(`focus is not visible on ${JSON.stringify(now)}`);
    if (now && match(now)) return now;
  }
  throw new Error(`Tab never reached ${what}`);
}

// Runs each named test; counts failures; a failed test leaves a full-page screenshot.
export function runner(shots) {
  let failures = 0;
  return {
    async test(name, page, body) {
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
      });
      try {
        await body(page);
        if (errors.length) throw new Error(`script errors or CSP violations: ${errors.join('; ')}`);
        console.log(`ok - ${name}`);
      } catch (e) {
        failures += 1;
        console.log(`not ok - ${name}\n${e.stack}`);
        await page.screenshot({ path: `${shots}/failed-${name.replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => {});
      }
    },
    get failures() { return failures; },
  };
}
