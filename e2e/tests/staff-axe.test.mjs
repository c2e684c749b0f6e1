// Every page of the staff workspace (/personal), scanned with axe-core against WCAG 2.1 A/AA
// and axe's best practices, as tests/axe.test.mjs does for the portal: zero violations, no
// rule disabled.
//
// Signed-in pages are scanned as accounts this file makes with the CLI, not as the demo
// staff: when E2E_DATABASE_URL is set, every test file shares one database, and a demo
// account's one-time code used here could not be used again by tests/staff.test.mjs within
// the same 30-second step (replay protection). The case reader enrols its own TOTP key; the
// municipal admin's role reads no cases, so it needs no second factor. Only the code page
// is reached with a demo account's password, and no right code is sent there.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { startServer, stockholmToday } from '../lib/server.mjs';
import {
  ADMIN,
  CODE,
  DEMO_STAFF,
  DEMO_TOTP_SECRET,
  ENROL,
  INBOX,
  SIGN_IN,
  accountEmail,
  addAccount,
  at,
  submitPassword,
} from '../lib/staff.mjs';
import { currentStep, totp, totpTracker } from '../lib/totp.mjs';

const SUBMIT = 'main form[method="post"] button[type="submit"]';

const PASSWORD = 'Tr4ktor-Lingon-Moln-77';

/** Accounts made with the CLI; e-mail addresses are set in before(). */
const ACCOUNTS = {
  /** Enrols while its pages are scanned. */
  enrolling: { local: 'ny', name: 'Ny Handläggare', role: 'case-officer' },
  /** Enrols unscanned, then reads the inbox. */
  reader: { local: 'lasare', name: 'Läsa Konsulentsson', role: 'carer-support-officer' },
  /** May not read the inbox. */
  admin: { local: 'admin', name: 'Admin Adminsdotter', role: 'municipal-admin' },
};

/** A six-digit code that is not right for `secret` in any step the server would accept. */
function wrongCode(secret) {
  const now = currentStep();
  const accepted = new Set([-1, 0, 1, 2].map((d) => totp(secret, { step: now + d })));
  return ['000000', '111111', '222222'].find((c) => !accepted.has(c));
}

describe('axe-core: no accessibility violations in the staff workspace', () => {
  let server;
  let chrome;
  /** Signed-out pages. */
  let anonymous;
  /** Signed-in contexts by account, made on first use. */
  const signedIn = new Map();
  const codes = totpTracker();

  /** A fresh context; the CSP (default-src 'none') forbids inline scripts, and axe is one. */
  const freshContext = () => newContext(chrome.browser, { bypassCSP: true });

  before(async () => {
    server = await startServer();
    for (const a of Object.values(ACCOUNTS)) {
      a.email = accountEmail(server, a.local);
      a.password = PASSWORD;
      await addAccount(server, a);
    }
    chrome = await launchBrowser();
    anonymous = await freshContext();
  });

  after(async () => {
    for (const c of signedIn.values()) await c.close();
    await anonymous?.close();
    await chrome?.close();
    await server?.stop();
  });

  /** Sends `account`'s password from a fresh page of `context`; the page is left where it lands. */
  async function passwordStep(context, account, landing) {
    const page = await context.newPage();
    await page.goto(server.url(SIGN_IN));
    await Promise.all([
      page.waitForURL(at(landing)),
      submitPassword(page, server, account.email, account.password),
    ]);
    return page;
  }

  /** A context signed in by `signIn(context)`, made on first use and kept; key: who. */
  async function signedInAs(key, signIn) {
    if (!signedIn.has(key)) {
      const context = await freshContext();
      try {
        await signIn(context);
      } catch (e) {
        await context.close();
        throw e;
      }
      signedIn.set(key, context);
    }
    return signedIn.get(key);
  }

  /** Signs `account` in after enrolling its own key (not scanned here). */
  const enrolled = (key, account) =>
    signedInAs(key, async (context) => {
      const page = await passwordStep(context, account, ENROL);
      try {
        const secret = (await page.locator('#secret').innerText()).replace(/\s/g, '');
        await page.fill('#f-code', await codes.code(account.email, secret));
        await submit(page, 200);
        await page.waitForSelector('#recovery-codes');
      } finally {
        await page.close();
      }
    });

  /** The case reader. */
  const reader = () => enrolled('reader', ACCOUNTS.reader);

  /** The municipal admin: a second factor too, though its role reads no cases. */
  const admin = () => enrolled('admin', ACCOUNTS.admin);

  /** Runs axe on a page of `context` that `open` has brought to the state to scan. */
  async function scanWith(context, label, open) {
    const page = await context.newPage();
    try {
      await open(page);
      await page.waitForLoadState('load');
      const violations = await axeViolations(page);
      if (violations.length > 0) assert.fail(formatViolations(label, violations));
    } finally {
      await page.close();
    }
  }

  /** Loads `path` in `context`, checks the HTTP status, and scans it. */
  function scan(context, path, { status = 200 } = {}) {
    return scanWith(context, path, async (page) => {
      const response = await page.goto(server.url(path));
      assert.ok(response, `no response for ${path}`);
      assert.equal(response.status(), status, `HTTP status of ${path}`);
      assert.equal(new URL(page.url()).pathname, path.split('?')[0], `${path} was not redirected`);
    });
  }

  /** Submits the page's form and checks the answer's status. */
  async function submit(page, status) {
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(SUBMIT);
    assert.equal((await posted).status(), status, 'HTTP status of the POST');
    await page.waitForLoadState('load');
  }

  it(SIGN_IN, () => scan(anonymous, SIGN_IN));

  it(`${SIGN_IN}?utloggad=1 (signed out)`, () =>
    scanWith(anonymous, `${SIGN_IN}?utloggad=1`, async (page) => {
      await page.goto(server.url(`${SIGN_IN}?utloggad=1`));
      assert.equal(await page.locator('main [role="status"]').innerText(), 'Du är utloggad.');
    }));

  it(`${SIGN_IN} after a wrong password (error summary)`, () =>
    scanWith(anonymous, `${SIGN_IN} (401)`, async (page) => {
      const { email } = DEMO_STAFF.carerSupportOfficer;
      const status = await submitPassword(page, server, email, 'inte-ratt-losenord');
      assert.equal(status, 401);
      await page.waitForSelector('#error-summary');
    }));

  it(`${SIGN_IN} after an empty submit (error summary)`, () =>
    scanWith(anonymous, `${SIGN_IN} (422)`, async (page) => {
      await page.goto(server.url(SIGN_IN));
      await submit(page, 422);
      await page.waitForSelector('#error-summary');
    }));

  it(CODE, async () => {
    const context = await freshContext();
    try {
      await scanWith(context, CODE, async (page) => {
        await page.goto(server.url(SIGN_IN));
        await Promise.all([
          page.waitForURL(at(CODE)),
          submitPassword(page, server, DEMO_STAFF.unitManager.email),
        ]);
      });
      await scanWith(context, `${CODE} (wrong code)`, async (page) => {
        const response = await page.goto(server.url(CODE));
        assert.equal(response?.status(), 200);
        await page.fill('#f-code', wrongCode(DEMO_TOTP_SECRET));
        await submit(page, 401);
        await page.waitForSelector('#error-summary');
      });
    } finally {
      await context.close();
    }
  });

  it(`${ENROL} and the recovery codes`, async () => {
    const account = ACCOUNTS.enrolling;
    const context = await freshContext();
    try {
      const page = await passwordStep(context, account, ENROL);
      const secret = (await page.locator('#secret').innerText()).replace(/\s/g, '');
      await page.close();

      await scanWith(context, ENROL, async (p) => {
        const response = await p.goto(server.url(ENROL));
        assert.equal(response?.status(), 200);
      });
      await scanWith(context, `${ENROL} (wrong code)`, async (p) => {
        await p.goto(server.url(ENROL));
        await p.fill('#f-code', wrongCode(secret));
        await submit(p, 401);
        await p.waitForSelector('#error-summary');
      });
      await scanWith(context, `${ENROL} → recovery codes`, async (p) => {
        await p.goto(server.url(ENROL));
        await p.fill('#f-code', await codes.code(account.email, secret));
        await submit(p, 200);
        await p.waitForSelector('#recovery-codes');
      });
    } finally {
      await context.close();
    }
  });

  it(INBOX, async () => scan(await reader(), INBOX));

  it(`${INBOX}?visa=otilldelade&unga=1`, async () =>
    scanWith(await reader(), `${INBOX}?visa=otilldelade&unga=1`, async (page) => {
      const response = await page.goto(server.url(`${INBOX}?visa=otilldelade&unga=1`));
      assert.equal(response?.status(), 200);
      if (!server.sharedDatabase) {
        assert.ok((await page.locator('#forfragningar tbody tr').count()) > 0, 'the demo has some');
      }
    }));

  it(`${INBOX}?visa=mina (empty)`, async () =>
    scanWith(await reader(), `${INBOX}?visa=mina`, async (page) => {
      const response = await page.goto(server.url(`${INBOX}?visa=mina`));
      assert.equal(response?.status(), 200);
      assert.equal(await page.locator('table').count(), 0, 'nothing taken yet: no table');
    }));

  it(`${INBOX}/{id} (a request, before and after taking it)`, async () => {
    const context = await reader();
    const page = await context.newPage();
    let href;
    try {
      await page.goto(server.url(INBOX));
      // A request that involves a child, for its callout, if there is one; else the first.
      const rows = page.locator('#forfragningar tbody tr');
      const flagged = rows.filter({ hasText: 'Barn berörs' });
      const row = (await flagged.count()) > 0 ? flagged.first() : rows.first();
      href = await row.locator('td a').first().getAttribute('href');
    } finally {
      await page.close();
    }
    assert.match(href, /^\/personal\/inkorg\/\d+$/);
    await scan(context, href);
    await scanWith(context, `${href} (taken)`, async (p) => {
      await p.goto(server.url(href));
      await Promise.all([p.waitForEvent('load'), p.click('main button:text-is("Ta förfrågan")')]);
      assert.equal(new URL(p.url()).pathname, href);
    });
  });

  it(`${INBOX}/999999 (not found, signed in)`, async () =>
    scan(await reader(), `${INBOX}/999999`, { status: 404 }));

  it('/personal/ansokningar/ny (registering an application) and its errors (422)', async () =>
    scanWith(await reader(), '/personal/ansokningar/ny', async (page) => {
      const response = await page.goto(server.url('/personal/ansokningar/ny'));
      assert.equal(response?.status(), 200);
      const before = await axeViolations(page);
      if (before.length > 0) assert.fail(formatViolations('/personal/ansokningar/ny', before));
      await submit(page, 422);
      assert.ok(await page.locator('#error-summary').isVisible(), 'the error summary');
    }));

  it('/personal/konto (changing one’s own password) and its errors (422)', async () =>
    scanWith(await reader(), '/personal/konto', async (page) => {
      const response = await page.goto(server.url('/personal/konto'));
      assert.equal(response?.status(), 200);
      const before = await axeViolations(page);
      if (before.length > 0) assert.fail(formatViolations('/personal/konto', before));
      await submit(page, 422);
      assert.ok(await page.locator('#error-summary').isVisible(), 'the error summary');
      assert.equal(await page.locator('#f-current').getAttribute('aria-invalid'), 'true');
    }));

  it('/personal/nytt-losenord/{token} (a link that no longer works, 410)', () =>
    scan(anonymous, '/personal/nytt-losenord/en-gammal-lank', { status: 410 }));

  it('/personal/admin/brevtexter (letter texts) and an error (422)', async () =>
    scanWith(await admin(), '/personal/admin/brevtexter', async (page) => {
      const response = await page.goto(server.url('/personal/admin/brevtexter'));
      assert.equal(response?.status(), 200);
      const before = await axeViolations(page);
      if (before.length > 0) assert.fail(formatViolations('/personal/admin/brevtexter', before));
      await page.fill('#f-body-contact', 'x');
      const posted = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.click('section[aria-labelledby="block-contact"] button[type="submit"]');
      assert.equal((await posted).status(), 422);
      await page.waitForLoadState('load');
      assert.equal(await page.locator('#f-body-contact').getAttribute('aria-invalid'), 'true');
    }));

  it('/personal/gallring (what retention removes, three years ahead) and an error (422)', async () => {
    const context = await admin();
    const ahead = stockholmToday(Date.now() + 3 * 365 * 24 * 3600 * 1000);
    await scanWith(context, `/personal/gallring?till=${ahead}`, async (page) => {
      const response = await page.goto(server.url(`/personal/gallring?till=${ahead}`));
      assert.equal(response?.status(), 200);
      // The demo's sign-ups and conversations are due by then: the table is there to scan.
      assert.ok((await page.locator('main table tbody tr').count()) > 0, 'no rows in the plan');
    });
    await scanWith(context, '/personal/gallring?till=fel (422)', async (page) => {
      const response = await page.goto(server.url('/personal/gallring?till=fel'));
      assert.equal(response?.status(), 422);
      assert.equal(await page.locator('#f-till').getAttribute('aria-invalid'), 'true');
    });
  });

  it(`${INBOX} as the municipal admin (403)`, async () =>
    scanWith(await admin(), `${INBOX} (403)`, async (page) => {
      const response = await page.goto(server.url(INBOX));
      assert.equal(response?.status(), 403);
      assert.equal((await page.locator('h1').innerText()).trim(), 'Du saknar behörighet');
    }));
});
