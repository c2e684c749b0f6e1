// The staff workspace (/personal): sign-in with a password and a one-time code (TOTP),
// enrolment of a second factor, the inbox, and what a role may not see.
//
// One-time codes are computed here as an authenticator app would (lib/totp.mjs). The server
// accepts a code once per 30-second step per account (replay protection), so the tests sign
// in different demo accounts; where one account signs in twice, `codes` (a totpTracker)
// hands out the NEXT step's code, which the server still accepts (it allows ±1 step).
//
// With E2E_DATABASE_URL every test file shares one database: tests/staff-axe.test.mjs
// therefore uses no demo account's code, tests/cases.test.mjs waits at its end until the
// steps of the demo codes it used are over (`codes.settle()`), the account made here gets a
// unique address, and counts of requests allow for those other files sent.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import {
  describeFocus,
  pressAndWaitForLoad,
  pressAndWaitForURL,
  tabTo,
} from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';
import {
  ADMIN,
  CODE,
  DEMO_PASSWORD,
  DEMO_REQUESTS,
  DEMO_STAFF,
  DEMO_TOTP_SECRET,
  ENROL,
  INBOX,
  INBOX_PAGE_SIZE,
  RECOVERY_CODE,
  SIGN_IN,
  accountEmail,
  addAccount,
  at,
  fact,
  menu,
  requestCount,
  signIn,
  submitPassword,
} from '../lib/staff.mjs';
import { base32Decode, totpTracker } from '../lib/totp.mjs';

const SESSION_COOKIE = 'anh_session';
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const ITEM_URL = /\/personal\/inkorg\/\d+$/;

/** An account without a second factor, made with the CLI before the browser starts. */
const NEW_ACCOUNT = {
  email: 'ny@demo.example', // made unique on a shared database, in before()
  name: 'Ny Handläggare',
  role: 'case-officer',
  password: 'Tr4ktor-Lingon-Moln-77',
};

describe('staff workspace', () => {
  let server;
  let chrome;
  let context;
  /** @type {import('playwright-core').Page} */
  let page;
  const codes = totpTracker();
  /** The new account's TOTP key and recovery codes, from the enrolment test. */
  const enrolled = { secret: '', recoveryCodes: [] };

  before(async () => {
    server = await startServer();
    NEW_ACCOUNT.email = accountEmail(server, 'ny');
    await addAccount(server, NEW_ACCOUNT);
    chrome = await launchBrowser();
  });

  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await newContext(chrome.browser);
    page = await context.newPage();
  });

  afterEach(async () => {
    await context?.close();
  });

  const h1 = async () => (await page.locator('h1').innerText()).trim();
  const sessionCookie = async () =>
    (await context.cookies()).find((c) => c.name === SESSION_COOKIE);

  /** Waits for the autofocused error summary to have focus (Chromium applies it on load). */
  async function assertSummaryFocused() {
    await page
      .waitForFunction(() => document.activeElement?.id === 'error-summary', null, {
        timeout: 5000,
      })
      .catch(() => {});
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'error-summary',
      `focus is on the error summary, not ${await describeFocus(page)}`,
    );
  }

  /**
   * Checks the inbox lists every request (up to a page). On its own database the demo has
   * exactly DEMO_REQUESTS; a shared one also holds those other test files sent.
   */
  async function assertInboxListsAll() {
    const total = await requestCount(server);
    if (!server.sharedDatabase) assert.equal(total, DEMO_REQUESTS, 'the demo requests');
    assert.equal(
      await page.locator('#forfragningar tbody tr').count(),
      Math.min(total, INBOX_PAGE_SIZE),
      'a row for every request',
    );
  }

  /** Whether the server still accepts a session id, asked without the browser. */
  async function sessionWorks(raw) {
    const res = await fetch(server.url(INBOX), {
      headers: { cookie: `${SESSION_COOKIE}=${raw}` },
      redirect: 'manual',
    });
    if (res.status === 303) {
      assert.equal(res.headers.get('location'), SIGN_IN);
      return false;
    }
    assert.equal(res.status, 200, `GET ${INBOX} with a session`);
    return true;
  }

  it('signs in with a one-time code, takes a request and signs out, keyboard only', async () => {
    const { email, name } = DEMO_STAFF.carerSupportOfficer;
    await page.goto(server.url(SIGN_IN));
    assert.equal(await h1(), 'Logga in');

    await tabTo(page, { selector: '#f-email' }, { max: 10 });
    await page.keyboard.type(email);
    await tabTo(page, { selector: '#f-password' }, { max: 1 });
    await page.keyboard.type(DEMO_PASSWORD);
    await pressAndWaitForURL(page, 'Enter', at(CODE));

    assert.equal(await h1(), 'Ange kod');
    const halfway = await sessionCookie();
    // The cookie is Secure; Chromium keeps it on http://127.0.0.1 (a secure context).
    assert.ok(halfway, `the password step sets ${SESSION_COOKIE}`);
    await tabTo(page, { selector: '#f-code' }, { max: 10 });
    await page.keyboard.type(await codes.code(email, DEMO_TOTP_SECRET));
    await pressAndWaitForURL(page, 'Enter', at(INBOX));

    assert.equal(await h1(), 'Inkorg');
    assert.match(
      await page.locator('header .who').innerText(),
      new RegExp(`${name}\\s+\\(anhörigkonsulent\\)`),
    );
    await assertInboxListsAll();

    // The code step gives the session a new id; the half-open one stops working.
    const session = await sessionCookie();
    assert.ok(session, `signed in, ${SESSION_COOKIE} is set`);
    assert.notEqual(session.value, halfway.value, 'the session id changes at sign-in');
    assert.equal(session.httpOnly, true, `${SESSION_COOKIE} is HttpOnly`);
    assert.equal(session.secure, true, `${SESSION_COOKIE} is Secure`);
    assert.equal(session.sameSite, 'Lax', `${SESSION_COOKIE} is SameSite=Lax`);
    assert.equal(await sessionWorks(halfway.value), false, 'the pre-code session id is dead');

    // Open the first request (on a shared database, from an earlier run, the first one this
    // user does not already have).
    const row = await page
      .locator('#forfragningar tbody tr')
      .evaluateAll(
        (trs, me) => trs.findIndex((tr) => tr.lastElementChild.textContent.trim() !== me),
        name,
      );
    if (!server.sharedDatabase) assert.equal(row, 0, 'nobody has taken the first request yet');
    assert.ok(row >= 0, 'a request this user has not taken');
    const firstLink = `#forfragningar tbody tr:nth-child(${row + 1}) td:first-child a`;
    const reference = (await page.locator(firstLink).innerText()).trim();
    await tabTo(page, { selector: firstLink });
    await pressAndWaitForURL(page, 'Enter', ITEM_URL);
    const itemUrl = page.url();
    const heading = await h1();
    assert.ok(heading.startsWith('Förfrågan'), `h1 "${heading}" starts with "Förfrågan"`);
    assert.ok(heading.includes(reference), `h1 "${heading}" names ${reference}`);
    assert.notEqual(await fact(page, 'Hanteras av'), name, 'not taken by this user yet');

    // Take it: the form posts and redirects back to the same page.
    await tabTo(page, { selector: 'main button[type="submit"]', text: 'Ta förfrågan' });
    await pressAndWaitForLoad(page, 'Enter');
    assert.equal(page.url(), itemUrl, 'back on the request');
    assert.equal(await fact(page, 'Hanteras av'), name);
    assert.equal(
      await page.locator('main button', { hasText: 'Ta förfrågan' }).count(),
      0,
      'no "Ta förfrågan" on a request one already has',
    );

    // Sign out with the header's button.
    await tabTo(page, { selector: 'header button[type="submit"]', text: 'Logga ut' });
    await pressAndWaitForURL(page, 'Enter', at(SIGN_IN));
    assert.equal(new URL(page.url()).search, '?utloggad=1');
    assert.equal(await h1(), 'Logga in');
    assert.equal(
      (await page.locator('main [role="status"]').innerText()).trim(),
      'Du är utloggad.',
    );
    assert.equal(await sessionCookie(), undefined, 'the session cookie is cleared');
    assert.equal(await sessionWorks(session.value), false, 'the session is ended on the server');

    const response = await page.goto(server.url(INBOX));
    assert.match(page.url(), at(SIGN_IN), 'the inbox sends a signed-out user to sign in');
    assert.equal(response?.status(), 200);
    assert.equal(await h1(), 'Logga in');
  });

  it('a wrong password is refused (401) with a focused error summary', async () => {
    const { email } = DEMO_STAFF.unitManager;
    await page.goto(server.url(SIGN_IN));
    const status = await submitPassword(page, server, email, 'inte-det-ratta-losenordet');
    assert.equal(status, 401);
    assert.match(page.url(), at(SIGN_IN));
    assert.match(await page.title(), /^Fel i formuläret: Logga in/);

    const summary = page.locator('#error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    await assertSummaryFocused();
    assert.equal(
      (await summary.locator('li').innerText()).trim(),
      'Fel e-postadress eller lösenord.',
    );
    assert.equal(await summary.locator('a').getAttribute('href'), '#f-email');

    const emailField = page.locator('#f-email');
    assert.equal(await emailField.inputValue(), email, 'the e-mail address is kept');
    assert.equal(await emailField.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#f-password').inputValue(), '', 'the password is not');
    assert.equal(await sessionCookie(), undefined, 'no session');
  });

  it('empty fields are refused (422) with an error for each', async () => {
    await page.goto(server.url(SIGN_IN));
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(SUBMIT);
    assert.equal((await posted).status(), 422);
    await page.waitForSelector('#error-summary');
    await assertSummaryFocused();
    const links = await page
      .locator('#error-summary a')
      .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    assert.deepEqual(links, [
      ['#f-email', 'Fyll i din e-postadress.'],
      ['#f-password', 'Fyll i ditt lösenord.'],
    ]);
  });

  it('a password alone does not open the inbox', async () => {
    await page.goto(server.url(SIGN_IN));
    await Promise.all([
      page.waitForURL(at(CODE)),
      submitPassword(page, server, DEMO_STAFF.caseOfficer.email),
    ]);
    const response = await page.goto(server.url(INBOX));
    assert.match(page.url(), at(SIGN_IN), 'the inbox sends a half-signed-in user to sign in');
    assert.equal(response?.status(), 200);
  });

  it('a new account turns on two-step sign-in and gets recovery codes', async () => {
    await page.goto(server.url(SIGN_IN));
    await Promise.all([
      page.waitForURL(at(ENROL)),
      submitPassword(page, server, NEW_ACCOUNT.email, NEW_ACCOUNT.password),
    ]);
    assert.equal(await h1(), 'Aktivera inloggning i två steg');
    const qr = page.locator('main figure.qr [role="img"]');
    assert.equal(await qr.getAttribute('aria-label'), 'QR-kod för appen för engångskoder');
    assert.equal(await qr.locator('svg').count(), 1, 'the QR code is an inline SVG');

    const shown = (await page.locator('#secret').innerText()).trim();
    assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{4})+$/, 'base32, in groups of four');
    assert.equal(base32Decode(shown).length, 20, 'a 160-bit key');
    assert.notEqual(shown.replace(/ /g, ''), DEMO_TOTP_SECRET, 'not the demo key');
    enrolled.secret = shown.replace(/ /g, '');

    // The key stays the same while the enrolment is pending.
    await page.reload();
    assert.equal((await page.locator('#secret').innerText()).trim(), shown);

    await page.fill('#f-code', await codes.code(NEW_ACCOUNT.email, enrolled.secret));
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(SUBMIT);
    assert.equal((await posted).status(), 200);
    await page.waitForSelector('#recovery-codes');
    assert.equal(await h1(), 'Dina reservkoder');
    const recoveryCodes = await page
      .locator('#recovery-codes li')
      .evaluateAll((lis) => lis.map((li) => li.textContent.trim()));
    assert.equal(recoveryCodes.length, 10, `ten recovery codes: ${recoveryCodes}`);
    for (const c of recoveryCodes) assert.match(c, RECOVERY_CODE);
    assert.equal(new Set(recoveryCodes).size, 10, 'all different');
    enrolled.recoveryCodes = recoveryCodes;

    await Promise.all([
      page.waitForURL(at(INBOX)),
      page.click('main a:text-is("Fortsätt till inkorgen")'),
    ]);
    assert.equal(await h1(), 'Inkorg');
    assert.match(
      await page.locator('header .who').innerText(),
      /Ny Handläggare\s+\(biståndshandläggare\)/,
    );
    await assertInboxListsAll();
  });

  /** Sends the new account's password; lands on the code page. */
  async function newAccountToCode() {
    await page.goto(server.url(SIGN_IN));
    await Promise.all([
      page.waitForURL(at(CODE)),
      submitPassword(page, server, NEW_ACCOUNT.email, NEW_ACCOUNT.password),
    ]);
  }

  /** Sends `code` on the code page; resolves with the POST's status once the next page loaded. */
  async function sendCode(code) {
    await page.fill('#f-code', code);
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(SUBMIT);
    const status = (await posted).status();
    await page.waitForLoadState('load');
    return status;
  }

  it('the enrolled account can use a recovery code once', async () => {
    assert.equal(enrolled.recoveryCodes.length, 10, 'needs the enrolment test to have run');
    await newAccountToCode();
    // People type it however they like: case, spaces and the dash do not matter.
    const typed = enrolled.recoveryCodes[0].toLowerCase().replace('-', ' ');
    assert.equal(await sendCode(typed), 303);
    assert.match(page.url(), at(INBOX));
    assert.equal(await h1(), 'Inkorg');
    await Promise.all([
      page.waitForURL(at(SIGN_IN)),
      page.click('header button:text-is("Logga ut")'),
    ]);

    await newAccountToCode();
    assert.equal(await sendCode(enrolled.recoveryCodes[0]), 401, 'a used recovery code');
    assert.match(page.url(), at(CODE));
    await assertSummaryFocused();
    assert.equal(
      (await page.locator('#error-summary li').innerText()).trim(),
      'Koden stämmer inte. Kontrollera den och försök igen.',
    );
    assert.equal(await page.locator('#error-summary a').getAttribute('href'), '#f-code');
  });

  it('the enrolled account signs in with a code from its new key', async () => {
    assert.ok(enrolled.secret, 'needs the enrolment test to have run');
    await newAccountToCode();
    // Enrolment used this account's code for the current step a moment ago, so the tracker
    // hands out the NEXT step's code (accepted as +1), or waits if that one is used too.
    assert.equal(await sendCode(await codes.code(NEW_ACCOUNT.email, enrolled.secret)), 303);
    assert.match(page.url(), at(INBOX));
    assert.equal(await h1(), 'Inkorg');
  });

  it('a code that was already used is refused', async () => {
    // The unit manager signs in once in this file; its first code is used here twice.
    const { email } = DEMO_STAFF.unitManager;
    const code = await codes.code(email, DEMO_TOTP_SECRET);
    const other = await newContext(chrome.browser);
    try {
      for (const [p, expected] of [
        [page, 303],
        [await other.newPage(), 401],
      ]) {
        await p.goto(server.url(SIGN_IN));
        await Promise.all([p.waitForURL(at(CODE)), submitPassword(p, server, email)]);
        await p.fill('#f-code', code);
        const posted = p.waitForResponse((r) => r.request().method() === 'POST');
        await p.click(SUBMIT);
        assert.equal((await posted).status(), expected, `the code ${code}, sent again`);
      }
    } finally {
      await other.close();
    }
  });

  it('the municipal admin starts among the accounts and is refused the inbox (403)', async () => {
    const { email, name } = DEMO_STAFF.municipalAdmin;
    await signIn(page, server, codes, email, { landing: ADMIN });
    assert.equal(await h1(), 'Konton', 'an administrator starts among the accounts');
    assert.deepEqual(await menu(page), ['Konton', 'Öppet stöd', 'Brevtexter', 'Gallring'], 'the menu shows only what the role uses');

    const inbox = await page.goto(server.url(INBOX));
    assert.equal(inbox?.status(), 403, `GET ${INBOX}`);
    assert.equal(await h1(), 'Du saknar behörighet');
    assert.match(
      await page.locator('main').innerText(),
      /Din roll ger inte tillgång till den här delen/,
    );
    assert.match(await page.locator('header .who').innerText(), new RegExp(name));
    assert.equal(await page.locator('table').count(), 0, 'no requests shown');

    const again = await page.goto(server.url(`${INBOX}?visa=otilldelade&unga=1`));
    assert.equal(again?.status(), 403);

    // A request's page: not allowed looks the same as not there.
    const { stdout } = await server.cli([
      'requests',
      'list',
      '--municipality',
      DEMO_KOMMUNKOD,
      '--limit',
      '1',
      '--reason',
      'e2e test',
    ]);
    const [{ id }] = JSON.parse(stdout);
    assert.ok(Number.isInteger(id), `a request id from the CLI: ${stdout.slice(0, 200)}`);
    for (const path of [`${INBOX}/${id}`, `${INBOX}/999999`]) {
      const res = await page.goto(server.url(path));
      assert.equal(res?.status(), 404, `GET ${path}`);
    }
  });

  it('the system admin (no municipality) starts among the accounts; no inbox (403)', async () => {
    await signIn(page, server, codes, DEMO_STAFF.systemAdmin.email, { landing: ADMIN });
    assert.equal(await h1(), 'Konton');
    assert.deepEqual(await menu(page), ['Konton']);
    const inbox = await page.goto(server.url(INBOX));
    assert.equal(inbox?.status(), 403, `GET ${INBOX}`);
    assert.equal(await h1(), 'Du saknar behörighet');
  });
});
