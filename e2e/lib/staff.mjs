// The staff workspace (/personal): the demo accounts seeded by `serve --demo`, and sign-in
// helpers for tests that are not about the sign-in itself (they use fill/click, not the
// keyboard).

import assert from 'node:assert/strict';
import { DEMO_KOMMUNKOD } from './server.mjs';

/** Every demo account's password. */
export const DEMO_PASSWORD = 'demo-anhorigstod-2026';

/** Every demo account's pre-enrolled TOTP key (base32; SHA1, 6 digits, 30 s). */
export const DEMO_TOTP_SECRET = 'DEMOANHORIGSTODDEMOANHORIGSTOD22';

/**
 * The demo staff, by role. All have a second factor already; the system admin has no
 * municipality.
 */
export const DEMO_STAFF = {
  carerSupportOfficer: { email: 'konsulent@demo.example', name: 'Demo Konsulentsson' },
  caseOfficer: { email: 'handlaggare@demo.example', name: 'Demo Handläggarsdotter' },
  unitManager: { email: 'enhetschef@demo.example', name: 'Demo Chefsson' },
  municipalAdmin: { email: 'kommunadmin@demo.example', name: 'Demo Adminsson' },
  systemAdmin: { email: 'sysadmin@demo.example', name: 'Demo Driftsdotter' },
};

/** How many contact requests the demo municipality's inbox starts with. */
export const DEMO_REQUESTS = 24;

/** How many requests one page of the inbox lists. */
export const INBOX_PAGE_SIZE = 50;

export const SIGN_IN = '/personal/logga-in';
export const CODE = '/personal/tvastegs';
export const ENROL = '/personal/tvastegs/aktivera';
export const INBOX = '/personal/inkorg';

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

/** How many contact requests the demo municipality has, asked through the CLI. */
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
  return JSON.parse(stdout).length;
}

/**
 * Creates an account without a second factor, with the CLI against the server's database.
 * The password goes to stdin (12+ characters, not a common one).
 */
export async function addAccount(server, { email, name, role = 'case-officer', password }) {
  const { stdout } = await server.cli(
    [
      'user',
      'add',
      '--municipality',
      DEMO_KOMMUNKOD,
      '--role',
      role,
      '--email',
      email,
      '--name',
      name,
      '--password-stdin',
    ],
    { input: `${password}\n` },
  );
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
 * Signs a demo account in all the way: password, then a code from `codes` (a totpTracker).
 * Leaves the page where the server sends a signed-in user (the inbox, or its 403 page).
 * @param {import('playwright-core').Page} page
 */
export async function signIn(page, server, codes, email, secret = DEMO_TOTP_SECRET) {
  await page.goto(server.url(SIGN_IN));
  await Promise.all([page.waitForURL(at(CODE)), submitPassword(page, server, email)]);
  await page.fill('#f-code', await codes.code(email, secret));
  await Promise.all([
    page.waitForURL(at(INBOX)),
    page.click('main form[method="post"] button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');
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
