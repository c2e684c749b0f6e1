// The open support's activities: the public list with its filters, an activity's page with the
// sign-up form (no account), the participant's own page with the cancel button, and the staff
// pages (/personal/aktiviteter) where a carer support officer creates activities, adds
// occasions and cancels participants.
//
// - axe-core scans (WCAG 2.1 A/AA and best practices, no rule disabled) of every page and state;
// - a keyboard-only journey (after the first page.goto only page.keyboard) from the list to a
//   sign-up and its cancellation;
// - cancelling by the link alone, in a fresh browser context, as from the e-mail;
// - the waitlist of the full young-carers group, promoted when staff cancel a participant;
// - the error summary by keyboard; creating an activity as staff; and the sign-up with
//   JavaScript switched off.
//
// Activity ids come from GET /api/v1/municipalities/0380/activities, found by the demo's titles
// (`seed_activities` in crates/server/src/demo.rs). On a shared database (E2E_DATABASE_URL) the
// demo is seeded once and kept, so every sign-up here uses a run-unique e-mail address, every
// sign-up that keeps a seat is cancelled again, and the waitlist test does not assume how many
// stand in the queue before it.
//
// Staff: the demo carer support officer signs in once (one context, CSP bypassed for axe). On a
// shared database later files sign the demo accounts in with the current step's code, so at
// the end this file waits until the step it used is over (`codes.settle`).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import {
  describeFocus,
  focusMatches,
  pressAndWaitForURL,
  tabTo,
} from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer, stockholmToday } from '../lib/server.mjs';
import { DEMO_STAFF, at, fact, signIn } from '../lib/staff.mjs';
import { totpTracker } from '../lib/totp.mjs';

const K = DEMO_KOMMUNKOD;
const LIST = `/kommun/${K}/aktiviteter`;
const STAFF_LIST = '/personal/aktiviteter';
const STAFF_NEW = '/personal/aktiviteter/ny';
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const SIGNUP_SUBMIT = '#signup-form button[type="submit"]';
const CANCEL_BUTTON = `main form[action$="/avboka"] button[type="submit"]`;
/** The participant's page; group 1 is the token. */
const SIGNUP_URL = new RegExp(`/kommun/${K}/anmalan/([0-9a-fA-F]{32})$`);
const CANCELLED_URL = new RegExp(`/kommun/${K}/anmalan/[0-9a-fA-F]{32}\\?avbokad=1$`);
const STAFF_ACTIVITY_URL = /\/personal\/aktiviteter\/(\d+)(\?[^#]*)?(#.*)?$/;

const TEXT = {
  confirmed: 'Du är anmäld',
  waitlisted: 'Du står i kö',
  cancelled: 'Anmälan är avbokad',
  cancelledNow: 'Klart. Din anmälan är avbokad.',
  cancelButton: 'Avboka min anmälan',
  submit: 'Anmäl mig',
  submitWaitlist: 'Ställ mig i kö',
  fullWaitlist: 'Fullt. Anmäl dig ändå, så står du i kö och får besked om en plats blir ledig.',
  hasSeat: 'Har plats',
  inQueue: 'I kö',
  staffSignupCancelled: 'Anmälan är avbokad. Den som stod först i kö har fått platsen.',
  occasionAdded: 'Tillfället är tillagt.',
};

const carer = DEMO_STAFF.carerSupportOfficer;

describe('activities of the open support', () => {
  let server;
  let chrome;
  const codes = totpTracker();
  /** The staff context (signed in once, CSP bypassed), made on first use. */
  let staffContext = null;
  /** Run-unique words, so what this run made is found again on a shared database. */
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  let emails = 0;
  /** A fresh, run-unique e-mail address (a sign-up is refused twice with the same one). */
  const email = (what) => `${what}-${tag}-${++emails}@demo.example`;
  /** The demo's activities by role: {id, title, capacity, seats_left}. */
  const demo = {};

  before(async () => {
    server = await startServer();
    chrome = await launchBrowser();
    const list = await activities();
    const find = (label, pred) => {
      const a = list.find((x) => x.title.endsWith('(demo)') && pred(x));
      assert.ok(a, `the demo has ${label}: ${JSON.stringify(list.map((x) => x.title))}`);
      return a;
    };
    demo.dementia = find('the dementia group', (a) => a.theme === 'dementia');
    demo.lecture = find('the lecture', (a) => a.kind === 'lecture');
    demo.young = find('the young-carers group', (a) => a.theme === 'young_carers');
    demo.digital = find('the digital meeting', (a) => a.kind === 'digital_meeting');
  });

  after(async () => {
    await staffContext?.close();
    await chrome?.close();
    await server?.stop();
    if (server?.sharedDatabase) await codes.settle([carer.email]);
  });

  /** GET a JSON API path; asserts 200. */
  async function api(path) {
    const res = await fetch(server.url(path));
    assert.equal(res.status, 200, `GET ${path}`);
    return res.json();
  }

  const activities = () => api(`/api/v1/municipalities/${K}/activities`);
  const activity = async (id) => (await activities()).find((a) => a.id === id);
  const signupStatus = async (token) => (await api(`/api/v1/signups/${token}`)).status;
  const activityPath = (a) => `${LIST}/${a.id}`;

  /** The staff context, signed in as the demo carer support officer on first use. */
  async function staff() {
    if (!staffContext) {
      const context = await newContext(chrome.browser, { bypassCSP: true });
      try {
        const page = await context.newPage();
        await signIn(page, server, codes, carer.email);
        await page.close();
      } catch (e) {
        await context.close();
        throw e;
      }
      staffContext = context;
    }
    return staffContext;
  }

  /**
   * Fills in the sign-up form on `page` (already on an activity's page) and sends it; waits
   * for the participant's page and resolves with the token.
   */
  async function signUp(page, { name = 'Demo Anmälsson', mail, consent = true } = {}) {
    await page.fill('#f-name', name);
    await page.fill('#f-email', mail ?? email('anmalan'));
    if (consent) await page.check('#f-consent');
    await Promise.all([page.waitForURL(SIGNUP_URL), page.click(SIGNUP_SUBMIT)]);
    await page.waitForLoadState('load');
    return SIGNUP_URL.exec(page.url())[1];
  }

  /** Presses the cancel button on a participant's page and waits for the page that follows. */
  async function cancelOnPage(page) {
    await Promise.all([page.waitForURL(CANCELLED_URL), page.click(CANCEL_BUTTON)]);
    await page.waitForLoadState('load');
    assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.cancelledNow);
    assert.equal((await page.locator('h1').innerText()).trim(), TEXT.cancelled);
    assert.equal(await page.locator(CANCEL_BUTTON).count(), 0, 'no cancel button any more');
  }

  /** Submits the form `button` belongs to and checks the POST's status. */
  async function submitExpecting(page, button, status) {
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(button);
    assert.equal((await posted).status(), status, 'HTTP status of the POST');
    await page.waitForLoadState('load');
  }

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

  /** Loads `path` in `context`, checks the status and that it was not redirected. */
  async function load(page, path, status = 200) {
    const response = await page.goto(server.url(path));
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `HTTP status of ${path}`);
    assert.equal(new URL(page.url()).pathname, path.split('?')[0], `${path} was not redirected`);
    return response;
  }

  describe('axe-core: no accessibility violations', () => {
    let context;

    before(async () => {
      // The portal's CSP (default-src 'none') forbids inline scripts; axe is injected as one.
      context = await newContext(chrome.browser, { bypassCSP: true });
    });

    after(async () => {
      await context?.close();
    });

    it(LIST, () =>
      scanWith(context, LIST, async (page) => {
        await load(page, LIST);
        const titles = await page.locator('main .cards h3').allInnerTexts();
        for (const a of Object.values(demo)) assert.ok(titles.includes(a.title), `lists ${a.title}`);
      }));

    it(`${LIST} with filters`, () => {
      const path = `${LIST}?tema=young_carers&typ=support_group&fran=${stockholmToday()}&unga=1`;
      return scanWith(context, path, async (page) => {
        await load(page, path);
        assert.equal(await page.inputValue('#f-tema'), 'young_carers');
        assert.equal(await page.inputValue('#f-typ'), 'support_group');
        assert.equal(await page.inputValue('#f-fran'), stockholmToday());
        assert.equal(await page.locator('#f-unga').isChecked(), true);
        const titles = await page.locator('main .cards h3').allInnerTexts();
        assert.ok(titles.includes(demo.young.title), 'the young-carers group is shown');
        assert.ok(!titles.includes(demo.dementia.title), 'the dementia group is not');
        const clear = page.locator('main form.filters a', { hasText: 'Visa alla aktiviteter' });
        assert.equal(await clear.count(), 1, 'a link clears the filters');
      });
    });

    it(`${LIST} with filters that match nothing`, () => {
      const path = `${LIST}?typ=lecture&unga=1`;
      return scanWith(context, path, async (page) => {
        await load(page, path);
        assert.equal(await page.locator('main .cards').count(), 0, 'no list');
        assert.match(await page.locator('main').innerText(), /Just nu finns inga aktiviteter/);
      });
    });

    it(`${LIST}/{id} (an activity)`, () =>
      scanWith(context, 'an activity', async (page) => {
        await load(page, activityPath(demo.dementia));
        assert.equal((await page.locator('h1').innerText()).trim(), demo.dementia.title);
        assert.equal((await page.locator(SIGNUP_SUBMIT).innerText()).trim(), TEXT.submit);
      }));

    it(`${LIST}/{id} after an empty submit (error summary)`, () =>
      scanWith(context, 'an activity (errors)', async (page) => {
        await load(page, activityPath(demo.dementia));
        // Too long for the optional texts too (past maxlength, as a script could send them).
        await page.evaluate(() => {
          for (const [id, n] of [['f-interpreter_language', 101], ['f-needs_note', 301]]) {
            const el = document.getElementById(id);
            el.removeAttribute('maxlength');
            el.value = 'x'.repeat(n);
          }
        });
        await submitExpecting(page, SIGNUP_SUBMIT, 422);
        await page.waitForSelector('#error-summary');
        const links = await page
          .locator('#error-summary a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.deepEqual(links, [
          '#f-name',
          '#f-email',
          '#f-interpreter_language',
          '#f-needs_note',
          '#f-consent',
        ]);
        for (const href of links) {
          const field = page.locator(href);
          assert.equal(await field.getAttribute('aria-invalid'), 'true', `${href} is invalid`);
          const describedBy = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/);
          assert.ok(describedBy.includes(`${href.slice(1)}-error`), `${href} names its error`);
        }
      }));

    it(`${LIST}/{id} of a full activity (waitlist)`, () =>
      scanWith(context, 'a full activity', async (page) => {
        await load(page, activityPath(demo.young));
        assert.equal(await fact(page, 'Platser'), TEXT.fullWaitlist);
        assert.equal((await page.locator(SIGNUP_SUBMIT).innerText()).trim(), TEXT.submitWaitlist);
      }));

    it(`/kommun/${K}/anmalan/{token} after signing up, and after cancelling`, async () => {
      const page = await context.newPage();
      let token;
      try {
        await load(page, activityPath(demo.dementia));
        token = await signUp(page);
      } finally {
        await page.close();
      }
      const path = `/kommun/${K}/anmalan/${token}`;
      await scanWith(context, path, async (p) => {
        await load(p, path);
        assert.equal((await p.locator('h1').innerText()).trim(), TEXT.confirmed);
      });
      await scanWith(context, `${path}?avbokad=1`, async (p) => {
        await load(p, path);
        await cancelOnPage(p);
      });
      assert.equal(await signupStatus(token), 'cancelled');
    });

    describe('staff pages', () => {
      it(STAFF_LIST, async () =>
        scanWith(await staff(), STAFF_LIST, async (page) => {
          await load(page, STAFF_LIST);
          const titles = await page.locator('main table tbody td:first-child a').allInnerTexts();
          assert.ok(titles.includes(demo.dementia.title), 'lists the demo activities');
        }));

      it(STAFF_NEW, async () =>
        scanWith(await staff(), STAFF_NEW, async (page) => {
          await load(page, STAFF_NEW);
        }));

      it(`${STAFF_NEW} after an empty submit (error summary)`, async () =>
        scanWith(await staff(), `${STAFF_NEW} (errors)`, async (page) => {
          await load(page, STAFF_NEW);
          // A deadline that is no date (as a browser without a date picker could send).
          await page.evaluate(() => {
            document.getElementById('f-signup_deadline').type = 'text';
          });
          await page.fill('#f-signup_deadline', 'snart');
          await submitExpecting(page, SUBMIT, 422);
          await page.waitForSelector('#error-summary');
          const links = await page
            .locator('#error-summary a')
            .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          const fields = ['kind', 'title', 'description', 'place_name', 'capacity', 'signup_deadline'];
          for (const field of fields) {
            assert.ok(links.includes(`#f-${field}`), `the summary links to #f-${field}: ${links}`);
          }
          for (const href of links) {
            const field = page.locator(href);
            assert.equal(await field.count(), 1, `${href} is on the page`);
            assert.equal(await field.getAttribute('aria-invalid'), 'true', `${href} is invalid`);
            const describedBy = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/);
            assert.ok(describedBy.includes(`${href.slice(1)}-error`), `${href} names its error`);
          }
        }));

      it('/personal/aktiviteter/{id} (with participants)', async () =>
        scanWith(await staff(), 'an activity (staff)', async (page) => {
          await load(page, `${STAFF_LIST}/${demo.dementia.id}`);
          assert.equal((await page.locator('h1').innerText()).trim(), demo.dementia.title);
          assert.ok(
            (await page.locator('#deltagare + table tbody tr').count()) >= 3,
            'the demo sign-ups are listed',
          );
        }));

      it('/personal/aktiviteter/{id} after an empty occasion form (error summary)', async () =>
        scanWith(await staff(), 'an activity (staff, errors)', async (page) => {
          await load(page, `${STAFF_LIST}/${demo.dementia.id}`);
          await submitExpecting(page, 'form[action$="/tillfalle"] button[type="submit"]', 422);
          await page.waitForSelector('#error-summary');
          assert.equal(await page.locator('#f-date').getAttribute('aria-invalid'), 'true');
        }));

      it('/personal/aktiviteter/{id}/andra (the edit form)', async () =>
        scanWith(await staff(), 'the edit form', async (page) => {
          await load(page, `${STAFF_LIST}/${demo.dementia.id}/andra`);
          assert.equal(await page.inputValue('#f-title'), demo.dementia.title);
          assert.equal(await page.inputValue('#f-capacity'), String(demo.dementia.capacity));
        }));
    });
  });

  describe('by keyboard', () => {
    it('signs up from the list and cancels, using only the keyboard', async () => {
      const context = await newContext(chrome.browser);
      try {
        const page = await context.newPage();
        await page.goto(server.url(LIST));

        await tabTo(page, { selector: 'main .cards h3 a', text: demo.dementia.title });
        await pressAndWaitForURL(page, 'Enter', new RegExp(`${activityPath(demo.dementia)}$`));
        assert.equal((await page.locator('h1').innerText()).trim(), demo.dementia.title);

        const mail = email('tangentbord');
        await tabTo(page, { selector: '#f-name' });
        await page.keyboard.type('Demo Tangentsson');
        await tabTo(page, { selector: '#f-email' }, { max: 3 });
        await page.keyboard.type(mail);
        await tabTo(page, { selector: '#f-phone' }, { max: 3 });
        await page.keyboard.type('070-174 08 11');

        // The first need (an interpreter), then the language.
        await tabTo(page, { selector: '#f-needs' }, { max: 3 });
        await page.keyboard.press('Space');
        assert.equal(await page.locator('#f-needs').isChecked(), true, 'Space ticks a need');
        await tabTo(page, { selector: '#f-interpreter_language' }, { max: 5 });
        await page.keyboard.type('arabiska');

        // Tab enters a radio group with nothing chosen at its first radio; Space chooses it.
        await tabTo(page, { selector: 'input[name="age_group"]' }, { max: 3 });
        assert.ok(
          await focusMatches(page, { selector: '#f-age_group' }),
          `the first age group is focused, not ${await describeFocus(page)}`,
        );
        await page.keyboard.press('Space');
        assert.equal(await page.locator('#f-age_group').isChecked(), true, 'Space chooses a radio');

        await tabTo(page, { selector: '#f-consent' }, { max: 5 });
        await page.keyboard.press('Space');
        assert.equal(await page.locator('#f-consent').isChecked(), true, 'Space ticks consent');

        await tabTo(page, { selector: SIGNUP_SUBMIT });
        await pressAndWaitForURL(page, 'Enter', SIGNUP_URL);
        const token = SIGNUP_URL.exec(page.url())[1];
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.confirmed);
        const main = await page.locator('main').innerText();
        assert.match(main, /Du har fått en plats/);
        assert.ok(main.includes(mail), 'the page shows the e-mail given');
        assert.ok(main.includes('Demo Tangentsson'), 'and the name');
        assert.equal(await signupStatus(token), 'confirmed');

        await tabTo(page, { selector: CANCEL_BUTTON, text: TEXT.cancelButton });
        await pressAndWaitForURL(page, 'Enter', CANCELLED_URL);
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.cancelledNow);
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.cancelled);
        assert.equal(await signupStatus(token), 'cancelled');
      } finally {
        await context.close();
      }
    });

    it('announces errors and the summary leads the keyboard to each field', async () => {
      const context = await newContext(chrome.browser);
      try {
        const page = await context.newPage();
        await page.goto(server.url(activityPath(demo.lecture)));

        await tabTo(page, { selector: SIGNUP_SUBMIT });
        const posted = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.keyboard.press('Enter');
        assert.equal((await posted).status(), 422);
        await page.waitForSelector('#error-summary');
        await page.waitForLoadState('load');

        const summary = page.locator('#error-summary');
        assert.equal(await summary.getAttribute('role'), 'alert');
        assert.equal(await summary.getAttribute('tabindex'), '-1', 'the summary is focusable');
        assert.match(await page.title(), /^Fel i formuläret/);
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

        const links = await summary
          .locator('a')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.deepEqual(links, ['#f-name', '#f-email', '#f-consent']);
        for (const href of links) {
          assert.equal(await page.locator(href).count(), 1, `${href} exists`);
        }

        await page.keyboard.press('Tab');
        assert.ok(
          await focusMatches(page, { selector: '#error-summary a[href="#f-name"]' }),
          `Tab from the summary reaches its first link, not ${await describeFocus(page)}`,
        );
        await pressAndWaitForURL(page, 'Enter', /#f-name$/);
        assert.equal(
          await page.evaluate(() => document.activeElement?.id),
          'f-name',
          `the link moves focus to the name field, not ${await describeFocus(page)}`,
        );
        await tabTo(page, { selector: '#error-summary a[href="#f-email"]' }, { backwards: true });
        await pressAndWaitForURL(page, 'Enter', /#f-email$/);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-email');
        await tabTo(page, { selector: '#error-summary a[href="#f-consent"]' }, { backwards: true });
        await pressAndWaitForURL(page, 'Enter', /#f-consent$/);
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-consent');

        for (const field of ['name', 'email', 'consent']) {
          const input = page.locator(`#f-${field}`);
          assert.equal(await input.getAttribute('aria-invalid'), 'true', `#f-${field} is invalid`);
          const error = page.locator(`#f-${field}-error`);
          assert.equal(await error.count(), 1, `#f-${field}-error exists`);
          assert.ok((await error.innerText()).trim().length > 0, `#f-${field}-error has text`);
          const describedBy = ((await input.getAttribute('aria-describedby')) || '').split(/\s+/);
          assert.ok(describedBy.includes(`f-${field}-error`), `#f-${field} names its error: ${describedBy}`);
        }
        assert.match(await page.locator('#f-name-error').innerText(), /Fyll i ditt namn/);
        assert.match(await page.locator('#f-email-error').innerText(), /Fyll i e-post eller telefon/);
        assert.match(await page.locator('#f-consent-error').innerText(), /Du behöver samtycka/);
      } finally {
        await context.close();
      }
    });
  });

  describe('the link to the participant\'s page', () => {
    it('cancels from a fresh browser, by the link alone', async () => {
      const signing = await newContext(chrome.browser);
      let link;
      let token;
      try {
        const page = await signing.newPage();
        await load(page, activityPath(demo.lecture));
        token = await signUp(page, { name: 'Demo Länksson' });
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.confirmed);
        link = page.url();
      } finally {
        await signing.close();
      }
      assert.equal(await signupStatus(token), 'confirmed');

      const fresh = await newContext(chrome.browser);
      try {
        const page = await fresh.newPage();
        const response = await page.goto(link);
        assert.equal(response?.status(), 200);
        // The page holds the token: never cached, and never sent on in a Referer.
        assert.equal(response.headers()['cache-control'], 'no-store');
        assert.equal(response.headers()['referrer-policy'], 'no-referrer');
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.confirmed);
        assert.match(await page.locator('main').innerText(), /Demo Länksson/);
        await cancelOnPage(page);
      } finally {
        await fresh.close();
      }
      assert.equal(await signupStatus(token), 'cancelled');
    });

    it('queues on the full young-carers group until staff cancel a participant', async () => {
      const before = await activity(demo.young.id);
      assert.equal(before.capacity, 2);
      assert.equal(before.seats_left, 0, 'the demo young-carers group is full');

      const mail = email('ko');
      const context = await newContext(chrome.browser);
      let token;
      try {
        const page = await context.newPage();
        await load(page, activityPath(demo.young));
        token = await signUp(page, { name: 'Demo Kösson', mail });
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.waitlisted);
        assert.match(await page.locator('main').innerText(), /Du står i kö och får besked/);
      } finally {
        await context.close();
      }
      assert.equal(await signupStatus(token), 'waitlisted');
      const queued = (await activity(demo.young.id)).waitlisted;
      assert.ok(queued >= 1, 'the new sign-up is in the queue');
      if (!server.sharedDatabase) assert.equal(queued, 2, 'behind the demo one');

      // Staff cancel the first confirmed participant until the new one has the seat; each
      // time the first in the queue gets it (on a fresh database: the demo's, then ours).
      const page = await (await staff()).newPage();
      try {
        const path = `${STAFF_LIST}/${demo.young.id}`;
        let cancellations = 0;
        for (let waiting = queued; waiting > 0; waiting--) {
          await load(page, path);
          const rows = page.locator('#deltagare + table tbody tr');
          const status = (row) => row.locator('td').nth(2).innerText();
          const ours = rows.filter({ hasText: mail });
          assert.equal(await ours.count(), 1, 'our sign-up is listed');
          assert.equal((await status(ours)).trim(), TEXT.inQueue);
          const confirmed = rows.filter({ has: page.locator('td:nth-child(3)', { hasText: TEXT.hasSeat }) });
          assert.equal(await confirmed.count(), 2, 'two have a seat');
          // The first in the queue (the table lists them in order after those with a seat).
          const firstWaiting = rows.nth(2);
          assert.equal((await status(firstWaiting)).trim(), TEXT.inQueue);
          const firstWaitingName = (await firstWaiting.locator('td').first().innerText()).trim();
          const firstWaitingReach = (await firstWaiting.locator('td').nth(1).innerText()).trim();

          const victim = confirmed.first();
          const button = victim.locator('button[type="submit"]');
          const name = (await victim.locator('td').first().innerText()).trim();
          assert.equal(await button.getAttribute('aria-label'), `Avboka ${name}`);
          // Asked first, on a page of its own that names her.
          await Promise.all([page.waitForEvent('load'), button.click()]);
          assert.equal((await page.locator('h1').innerText()).trim(), 'Avboka deltagaren?');
          assert.ok((await page.locator('main dl').innerText()).includes(name));
          await Promise.all([
            page.waitForURL(new RegExp(`${path}\\?klart=signup-cancelled$`)),
            page.click('main form button:text-is("Ja, avboka")'),
          ]);
          await page.waitForLoadState('load');
          cancellations++;
          assert.equal(
            (await page.locator('main [role="status"]').innerText()).trim(),
            TEXT.staffSignupCancelled,
          );
          assert.equal(await fact(page, 'Platser'), `2 av 2 platser tagna; ${waiting - 1} i kö`);
          const promoted = page
            .locator('#deltagare + table tbody tr')
            .filter({ hasText: firstWaitingName })
            .filter({ hasText: firstWaitingReach });
          assert.equal(
            (await promoted.first().locator('td').nth(2).innerText()).trim(),
            TEXT.hasSeat,
            `${firstWaitingName}, first in the queue, has the seat`,
          );
          if (firstWaitingReach === mail) break;
          assert.equal(await signupStatus(token), 'waitlisted', 'still queued behind another');
        }
        if (!server.sharedDatabase) assert.equal(cancellations, 2);
      } finally {
        await page.close();
      }
      assert.equal(await signupStatus(token), 'confirmed', 'the queued sign-up has the seat');
      const after = await activity(demo.young.id);
      assert.equal(after.seats_left, 0, 'still full');
    });
  });

  describe('staff', () => {
    it('create an activity, add an occasion, and it is on the public list', async () => {
      const title = `Kurs om att orka, e2e ${tag}`;
      const date = stockholmToday(Date.now() + 30 * 86_400_000);
      const page = await (await staff()).newPage();
      let id;
      try {
        await load(page, STAFF_LIST);
        await Promise.all([
          page.waitForURL(at(STAFF_NEW)),
          page.click('main a:text-is("Ny aktivitet")'),
        ]);
        await page.selectOption('#f-kind', 'course');
        await page.selectOption('#f-theme', 'stroke');
        await page.fill('#f-title', title);
        await page.fill('#f-description', 'Tre kvällar om att ta hand om sig själv. Fika ingår.');
        await page.fill('#f-audience', 'Vuxna anhöriga');
        await page.fill('#f-place_name', 'Anhörigcenter (e2e)');
        await page.fill('#f-place_address', 'Demogatan 12, Uppsala');
        await page.check('#f-step_free');
        await page.fill('#f-capacity', '10');
        await Promise.all([page.waitForURL(STAFF_ACTIVITY_URL), page.click(SUBMIT)]);
        await page.waitForLoadState('load');
        id = Number(STAFF_ACTIVITY_URL.exec(page.url())[1]);
        assert.equal((await page.locator('h1').innerText()).trim(), title);
        assert.match(await page.locator('main').innerText(), /Lägg till minst ett tillfälle/);
        assert.equal(
          (await activities()).some((a) => a.id === id),
          false,
          'without an occasion it is not public',
        );

        await page.fill('#f-date', date);
        await page.fill('#f-start', '18:00');
        await page.fill('#f-end', '19:30');
        await Promise.all([
          page.waitForURL(new RegExp(`/personal/aktiviteter/${id}\\?klart=occasion-added$`)),
          page.click('form[action$="/tillfalle"] button[type="submit"]'),
        ]);
        await page.waitForLoadState('load');
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.occasionAdded);
        const when = await page.locator('#tillfallen + table tbody tr').first().innerText();
        assert.match(when, /kl\. 18\.00–19\.30/);
      } finally {
        await page.close();
      }

      const listed = await activity(id);
      assert.ok(listed, 'the API lists it');
      assert.equal(listed.title, title);
      assert.equal(listed.capacity, 10);
      assert.equal(listed.seats_left, 10);
      assert.equal(listed.occasions.length, 1);
      assert.equal(listed.occasions[0].starts_at, `${date}T18:00:00`);

      const context = await newContext(chrome.browser);
      try {
        const p = await context.newPage();
        await load(p, `${LIST}?tema=stroke&typ=course`);
        const card = p.locator('main .cards li', { hasText: title });
        assert.equal(await card.count(), 1, 'the public list shows it');
        assert.match(await card.innerText(), /10 platser kvar/);
        assert.match(await card.innerText(), /kl\. 18\.00–19\.30/);
        await Promise.all([p.waitForURL(new RegExp(`${LIST}/${id}$`)), card.locator('a').click()]);
        assert.equal((await p.locator('h1').innerText()).trim(), title);
      } finally {
        await context.close();
      }
    });
  });

  describe('without JavaScript', () => {
    it('signs up and cancels with JavaScript disabled', async () => {
      const noJs = await newContext(chrome.browser, { javaScriptEnabled: false });
      try {
        const page = await noJs.newPage();
        await load(page, activityPath(demo.digital));
        const mail = email('utanjs');

        // An error first: the page comes back from the server with the summary.
        await page.fill('#f-name', 'Demo Skriptlösson');
        await page.fill('#f-email', mail);
        await page.check('#f-needs-accessibility');
        await submitExpecting(page, SIGNUP_SUBMIT, 422);
        await page.waitForSelector('#error-summary');
        assert.equal(await page.inputValue('#f-name'), 'Demo Skriptlösson', 'what was typed is kept');
        assert.equal(await page.inputValue('#f-email'), mail);
        assert.equal(await page.locator('#f-needs-accessibility').isChecked(), true);
        assert.equal(await page.locator('#f-consent').getAttribute('aria-invalid'), 'true');

        await page.check('#f-consent');
        await Promise.all([page.waitForURL(SIGNUP_URL), page.click(SIGNUP_SUBMIT)]);
        const token = SIGNUP_URL.exec(page.url())[1];
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.confirmed);
        assert.match(await page.locator('main').innerText(), /Länken kommer i ett mejl/);
        assert.equal(await signupStatus(token), 'confirmed');

        await cancelOnPage(page);
        assert.equal(await signupStatus(token), 'cancelled');
      } finally {
        await noJs.close();
      }
    });
  });
});
