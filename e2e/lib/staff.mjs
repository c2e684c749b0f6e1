// The staff workspace (/personal): the demo accounts seeded by `serve --demo`, and sign-in
// helpers for tests that are not about the sign-in itself (they use fill/click, not the
// keyboard).
//
// Where a role starts after sign-in: case readers (anhörigkonsulent, biståndshandläggare,
// enhetschef) in the inbox, administrators among the accounts (ADMIN).

import assert from 'node:assert/strict';
import { DEMO_KOMMUNKOD } from './server.mjs';

/** Every demo account's password. */
export const DEMO_PASSWORD = 'demo-anhorigstod-2026';

/** Every demo account's pre-enrolled TOTP key (base32; SHA1, 6 digits, 30 s). */
export const DEMO_TOTP_SECRET = 'DEMOANHORIGSTODDEMOANHORIGSTOD22';

/** The demo municipality's units. */
export const DEMO_UNITS = {
  carerSupport: 'Anhörigstödet',
  elderlyCare: 'Myndighetsutövning äldreomsorg',
};

/**
 * The demo staff, by role, with the units they work in. All have a second factor already;
 * the system admin has no municipality.
 */
export const DEMO_STAFF = {
  carerSupportOfficer: {
    email: 'konsulent@demo.example',
    name: 'Demo Konsulentsson',
    units: [DEMO_UNITS.carerSupport],
  },
  caseOfficer: {
    email: 'handlaggare@demo.example',
    name: 'Demo Handläggarsdotter',
    units: [DEMO_UNITS.elderlyCare],
  },
  unitManager: {
    email: 'enhetschef@demo.example',
    name: 'Demo Chefsson',
    units: [DEMO_UNITS.carerSupport, DEMO_UNITS.elderlyCare],
  },
  municipalAdmin: { email: 'kommunadmin@demo.example', name: 'Demo Adminsson', units: [] },
  systemAdmin: { email: 'sysadmin@demo.example', name: 'Demo Driftsdotter', units: [] },
};

/** How many contact requests the demo municipality's inbox starts with. */
export const DEMO_REQUESTS = 24;

/** How many requests one page of the inbox lists. */
export const INBOX_PAGE_SIZE = 50;

export const SIGN_IN = '/personal/logga-in';
export const CODE = '/personal/tvastegs';
export const ENROL = '/personal/tvastegs/aktivera';
export const INBOX = '/personal/inkorg';
/** Where administrators start: the accounts. */
export const ADMIN = '/personal/admin/anvandare';
export const CASES = '/personal/arenden';
export const NEW_CASE = '/personal/arenden/nytt';
export const PERSONS = '/personal/personer';
/** The log review (unit managers only). */
export const LOG = '/personal/logg';

/** Matches a URL whose path is exactly `path` (any query). */
export const at = (path) =>
  new RegExp(`^[^?#]*://[^/]+${path.replace(/[.?]/g, '\\$&')}(\\?[^#]*)?$`);

/** A recovery code as shown once after enrolment: 10 characters of an unambiguous alphabet. */
export const RECOVERY_CODE = /^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/;

/**
 * An e-mail address for an account a test creates: `LOCAL@demo.example`, or, on a database
 * shared with other test files and earlier runs, one made unique to this run.
 */
export function accountEmail(server, local) {
  if (!server.sharedDatabase) return `${local}@demo.example`;
  return `${local}-${Date.now().toString(36)}${process.pid.toString(36)}@demo.example`;
}

/** How many contact requests of the demo municipality the inbox shows (not yet handled), asked through the CLI. */
export async function requestCount(server) {
  const { stdout } = await server.cli([
    'requests',
    'list',
    '--municipality',
    DEMO_KOMMUNKOD,
    '--limit',
    '100000',
    '--reason',
    'e2e test',
  ]);
  // The inbox shows only requests not yet handled (no case opened, not closed).
  return JSON.parse(stdout).filter((r) => r.status !== 'case_opened' && r.status !== 'closed')
    .length;
}

/**
 * Creates an account without a second factor, with the CLI against the server's database.
 * The password goes to stdin (12+ characters, not a common one). `unit`: a unit of the
 * municipality to put it in (created if missing); a system admin gets no municipality.
 */
export async function addAccount(
  server,
  { email, name, role = 'case-officer', password, unit },
) {
  const args = ['user', 'add'];
  if (role !== 'system-admin') args.push('--municipality', DEMO_KOMMUNKOD);
  args.push('--role', role, '--email', email, '--name', name, '--password-stdin');
  if (unit) args.push('--unit', unit);
  const { stdout } = await server.cli(args, { input: `${password}\n` });
  assert.match(stdout, new RegExp(`created ${email.replace(/\./g, '\\.')}`), stdout);
}

/**
 * Fills in and sends the sign-in form; resolves with the POST's HTTP status once the page
 * that follows has loaded.
 * @param {import('playwright-core').Page} page
 */
export async function submitPassword(page, server, email, password = DEMO_PASSWORD) {
  if (!at(SIGN_IN).test(page.url())) await page.goto(server.url(SIGN_IN));
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === SIGN_IN,
  );
  await page.click('main form[method="post"] button[type="submit"]');
  const status = (await posted).status();
  await page.waitForLoadState('load');
  return status;
}

/**
 * Signs an account with a second factor in all the way: password, then a code from `codes`
 * (a totpTracker) for `secret` (default: the demo accounts' key). Waits for, and leaves the
 * page on, `landing`: where the server sends the role (INBOX for case readers, ADMIN for
 * administrators).
 * @param {import('playwright-core').Page} page
 * @param {{secret?: string, password?: string, landing?: string}} [options]
 */
export async function signIn(
  page,
  server,
  codes,
  email,
  { secret = DEMO_TOTP_SECRET, password = DEMO_PASSWORD, landing = INBOX } = {},
) {
  await page.goto(server.url(SIGN_IN));
  await Promise.all([page.waitForURL(at(CODE)), submitPassword(page, server, email, password)]);
  await page.fill('#f-code', await codes.code(email, secret));
  await Promise.all([
    page.waitForURL(at(landing)),
    page.click('main form[method="post"] button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');
}

/**
 * Signs in an account made with `addAccount` that must turn on two-step sign-in: password,
 * the enrolment page, a code for the key it shows (from `codes`, so the tracker knows the
 * step is used). Leaves the page on the recovery codes, signed in; resolves with the key.
 * @param {import('playwright-core').Page} page
 * @param {{email: string, password: string}} account
 * @returns {Promise<string>} the account's new TOTP key (base32)
 */
export async function signInEnrolling(page, server, codes, account) {
  await page.goto(server.url(SIGN_IN));
  await Promise.all([
    page.waitForURL(at(ENROL)),
    submitPassword(page, server, account.email, account.password),
  ]);
  const secret = (await page.locator('#secret').innerText()).replace(/\s/g, '');
  await page.fill('#f-code', await codes.code(account.email, secret));
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.click('main form[method="post"] button[type="submit"]');
  assert.equal((await posted).status(), 200, 'the enrolment code is accepted');
  await page.waitForSelector('#recovery-codes');
  return secret;
}

/**
 * `fetch` from Node with the cookies of a browser context (its session), for answers the
 * browser would download rather than show (CSV) or for the JSON API. No redirects followed.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function fetchAs(context, server, path, init = {}) {
  const cookies = await context.cookies(server.baseUrl);
  return fetch(server.url(path), {
    redirect: 'manual',
    ...init,
    headers: {
      cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      ...init.headers,
    },
  });
}

/** The link texts of the workspace menu (header nav), in order. */
export function menu(page) {
  return page
    .locator('header nav.site-nav a')
    .evaluateAll((as) => as.map((a) => a.textContent.replace(/\s+/g, ' ').trim()));
}

/** The value (`dd`) next to the term (`dt`) with exactly `term` as text, in `dl.facts`. */
export function fact(page, term) {
  return page.evaluate((term) => {
    for (const dt of document.querySelectorAll('dl.facts > dt')) {
      if (dt.textContent.trim() === term) {
        const dd = dt.nextElementSibling;
        return dd && dd.tagName === 'DD' ? dd.textContent.replace(/\s+/g, ' ').trim() : null;
      }
    }
    return null;
  }, term);
}

/** The deadline watch of assessed support (case readers; `?visa=alla` for managers). */
export const WATCH = '/personal/bevakning';
/** The reports: not executed decisions (IVO) and statistics (unit managers). */
export const REPORTS = '/personal/rapporter';
