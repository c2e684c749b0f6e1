// Booking a conversation with the carer support officer, the support contact and the
// open-support statistics: the free times (/kommun/0380/samtal), the booking form, the carer's
// own page (/kommun/0380/bokning/{token}) to rebook or cancel, the public statistics, and the
// staff pages (/personal/samtal, /personal/stodkontakt, /personal/oppet-stod/statistik and the
// municipal admin's /personal/admin/oppet-stod).
//
// - axe-core scans (WCAG 2.1 A/AA and best practices, no rule disabled) of every page and state;
// - a keyboard-only journey (after the first page.goto only page.keyboard): a free phone time,
//   the form, the booking, a move to another time with its button, the cancellation, and back
//   on the list both times are free again;
// - the booking with JavaScript switched off;
// - staff publish a time and it is on the public list (then cancel it again); staff offer a
//   support contact to a carer, who leaves the waiting list, and the carer's page names them.
//
// The demo (`seed_conversations` in crates/server/src/demo.rs) publishes five times over the
// next days by konsulent@demo.example, the first (in person) booked, and registers two calls;
// its recording mode is "named", so the form asks for a name. On a shared database
// (E2E_DATABASE_URL) the demo is seeded once and kept: every booking made here is cancelled
// again, the time published here is cancelled again, names are run-unique, and no test assumes
// which times are free beyond what the list shows.
//
// Staff: the demo carer support officer and the demo municipal admin each sign in once (one
// context each, CSP bypassed for axe). On a shared database later files sign the demo accounts
// in with the current step's code, so at the end this file waits until the steps it used are
// over (`codes.settle`).

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
import { ADMIN, DEMO_STAFF, at, fact, fetchAs, signIn } from '../lib/staff.mjs';
import { totpTracker } from '../lib/totp.mjs';

const K = DEMO_KOMMUNKOD;
const LIST = `/kommun/${K}/samtal`;
const STATS = `/kommun/${K}/statistik`;
const STAFF_CONVERSATIONS = '/personal/samtal';
const SUPPORT_CONTACT = '/personal/stodkontakt';
const STAFF_STATS = '/personal/oppet-stod/statistik';
const SETTINGS = '/personal/admin/oppet-stod';

const BOOK_SUBMIT = `main form[action^="${LIST}/"] button[type="submit"]`;
const CANCEL_BUTTON = 'main form[action$="/avboka"] button[type="submit"]';
const REBOOK_BUTTONS = 'main form[action$="/byt"] button[type="submit"]';
/** The "Byt till den här tiden" button for the time with id `slot`. */
const rebookButton = (slot) =>
  `main form[action$="/byt"]:has(input[name="slot"][value="${slot}"]) button[type="submit"]`;
/** The carer's page; group 1 is the token. */
const BOOKING_URL = new RegExp(`/kommun/${K}/bokning/([0-9a-f]{32})$`);
const MOVED_URL = new RegExp(`/kommun/${K}/bokning/[0-9a-f]{32}\\?klart=flyttad$`);
const CANCELLED_URL = new RegExp(`/kommun/${K}/bokning/[0-9a-f]{32}\\?klart=avbokad$`);
const formUrl = (slot) => new RegExp(`${LIST}/${slot}$`);

const TEXT = {
  listTitle: 'Boka ett samtal',
  formTitle: 'Boka tiden',
  booked: 'Din tid är bokad',
  cancelled: 'Bokningen är avbokad',
  movedNow: 'Klart. Du har fått den nya tiden.',
  cancelledNow: 'Klart. Tiden är avbokad.',
  rebookButton: 'Byt till den här tiden',
  cancelButton: 'Avboka tiden',
  phone: 'I telefon',
  video: 'Video',
  optional: '(frivilligt)',
  suppressed: 'färre än 5',
  published: 'Tiden är publicerad.',
  slotCancelled: 'Tiden är inställd. Den som hade bokat får ett mejl.',
  free: 'Ledig',
  offered: 'Erbjudandet är sparat.',
  answered: 'Svaret är sparat.',
  noAnswer: 'Inget svar än',
  accepted: 'Tackade ja',
  waitingCaption: 'Anhöriga som inte har erbjudits en stödkontakt',
  offersCaption: 'Erbjudanden',
};

const MONTHS_SHORT = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
/** The chart's drawing height for the largest month (CHART_HEIGHT in crates/web/src/stats.rs). */
const CHART_HEIGHT = 160;
/** How many carers the support contact page lists at most (`waiting(.., 200, ..)`). */
const WAITING_LIMIT = 200;

const officer = DEMO_STAFF.carerSupportOfficer;
const admin = DEMO_STAFF.municipalAdmin;

/**
 * The free times on the list page: {id, href, day, time, mode, officer} in order, where `time`
 * is "14.00–14.45", `mode` the card's line ("I telefon", "På plats, Anhörigcenter ...") and
 * `officer` the name after "Med ".
 * @param {import('playwright-core').Page} page
 */
function freeTimes(page) {
  return page.evaluate(() => {
    const out = [];
    for (const ul of document.querySelectorAll('main ul.cards')) {
      const heading = document.getElementById(ul.getAttribute('aria-labelledby'));
      for (const li of ul.querySelectorAll(':scope > li')) {
        const a = li.querySelector('h3 a');
        const [how, withWhom] = li.querySelectorAll(':scope > p');
        const href = a.getAttribute('href');
        out.push({
          id: Number(href.split('/').pop()),
          href,
          day: heading ? heading.textContent.trim() : null,
          time: a.textContent.trim().replace(/^Kl\. /, ''),
          mode: how.textContent.replace(/\s+/g, ' ').trim(),
          officer: withWhom.textContent.trim().replace(/^Med /, ''),
        });
      }
    }
    return out;
  });
}

/** "14.00–14.45" -> "14.00", as the carer's page shows the time. */
const startOf = (time) => time.split('–')[0];

describe('booking a conversation, the support contact and the statistics', () => {
  let server;
  let chrome;
  const codes = totpTracker();
  /** Signed-in staff contexts (CSP bypassed), made on first use. */
  const staffContexts = new Map();
  /** Run-unique words, so what this run made is found again on a shared database. */
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  let people = 0;
  /** A run-unique name. */
  const person = (first) => `Demo-${first} Samtalsson ${tag}-${++people}`;
  /** Bookings this file made and has not seen cancelled: token -> booking page URL. */
  const open = new Map();

  before(async () => {
    server = await startServer();
    chrome = await launchBrowser();
  });

  after(async () => {
    // Whatever a failing test left booked, so the times are free for the next run.
    for (const [, url] of open) {
      await fetch(`${url}/avboka`, { method: 'POST', redirect: 'manual' }).catch(() => {});
    }
    for (const context of staffContexts.values()) await context.close();
    await chrome?.close();
    await server?.stop();
    if (server?.sharedDatabase) await codes.settle([officer.email, admin.email]);
  });

  /** A staff context signed in as `account` (landing where the role starts) on first use. */
  async function staffAs(account, landing) {
    if (!staffContexts.has(account.email)) {
      const context = await newContext(chrome.browser, { bypassCSP: true });
      try {
        const page = await context.newPage();
        await signIn(page, server, codes, account.email, landing ? { landing } : {});
        await page.close();
      } catch (e) {
        await context.close();
        throw e;
      }
      staffContexts.set(account.email, context);
    }
    return staffContexts.get(account.email);
  }
  const staff = () => staffAs(officer);
  const municipalAdmin = () => staffAs(admin, ADMIN);

  /** Loads `path`, checks the status and that it was not redirected. */
  async function load(page, path, status = 200) {
    const response = await page.goto(server.url(path));
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `HTTP status of ${path}`);
    assert.equal(new URL(page.url()).pathname, path.split('?')[0], `${path} was not redirected`);
    return response;
  }

  /** Runs axe on a page of `context` that `open` has brought to the state to scan. */
  async function scanWith(context, label, prepare) {
    const page = await context.newPage();
    try {
      await prepare(page);
      await page.waitForLoadState('load');
      const violations = await axeViolations(page);
      if (violations.length > 0) assert.fail(formatViolations(label, violations));
    } finally {
      await page.close();
    }
  }

  /** Submits the form `button` belongs to and checks the POST's status. */
  async function submitExpecting(page, button, status) {
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click(button);
    assert.equal((await posted).status(), status, 'HTTP status of the POST');
    await page.waitForLoadState('load');
  }

  /** The free times as the public list shows them now (in a throwaway page). */
  async function listed() {
    const context = await newContext(chrome.browser);
    try {
      const page = await context.newPage();
      await load(page, LIST);
      return await freeTimes(page);
    } finally {
      await context.close();
    }
  }

  /** A free time: the first whose card says `mode` ("I telefon", "Video"), else any. */
  async function freeTime(mode, { except = [] } = {}) {
    const times = (await listed()).filter((t) => !except.includes(t.id));
    const time = times.find((t) => t.mode.startsWith(mode)) ?? times[0];
    assert.ok(time, `a free time to book: ${JSON.stringify(times)}`);
    return time;
  }

  /** The hrefs of the error summary's links. */
  function summaryLinks(page) {
    return page
      .locator('#error-summary a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  }

  /** Every field the summary links to exists, is invalid and names its error message. */
  async function assertFieldErrors(page, links) {
    for (const href of links) {
      const field = page.locator(href);
      assert.equal(await field.count(), 1, `${href} is on the page`);
      assert.equal(await field.getAttribute('aria-invalid'), 'true', `${href} is invalid`);
      const describedBy = ((await field.getAttribute('aria-describedby')) || '').split(/\s+/);
      assert.ok(describedBy.includes(`${href.slice(1)}-error`), `${href} names its error: ${describedBy}`);
      const error = page.locator(`${href}-error`);
      assert.equal(await error.count(), 1, `${href}-error exists`);
      assert.ok((await error.innerText()).trim().length > 0, `${href}-error has text`);
    }
  }

  /**
   * On a booking form: fills in and sends it, waits for the carer's page and resolves with
   * the token.
   */
  async function book(page, { name = person('Bokar'), phone = '070-174 08 12', email, topic } = {}) {
    await page.fill('#f-name', name);
    if (phone) await page.fill('#f-phone', phone);
    if (email) await page.fill('#f-email', email);
    if (topic) await page.fill('#f-topic', topic);
    await page.check('#f-consent');
    await Promise.all([page.waitForURL(BOOKING_URL), page.click(BOOK_SUBMIT)]);
    await page.waitForLoadState('load');
    const token = BOOKING_URL.exec(page.url())[1];
    open.set(token, page.url());
    return token;
  }

  /** Presses the cancel button on the carer's page and checks the page that follows. */
  async function cancelOnPage(page) {
    await Promise.all([page.waitForURL(CANCELLED_URL), page.click(CANCEL_BUTTON)]);
    await page.waitForLoadState('load');
    await assertCancelled(page);
  }

  async function assertCancelled(page) {
    assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.cancelledNow);
    assert.equal((await page.locator('h1').innerText()).trim(), TEXT.cancelled);
    assert.equal(await page.locator(CANCEL_BUTTON).count(), 0, 'no cancel button any more');
    assert.equal(await page.locator(REBOOK_BUTTONS).count(), 0, 'no times to move to');
    const url = page.url().replace(/\?.*$/, '');
    for (const [token, u] of open) if (u === url) open.delete(token);
  }

  /** The booking's facts on the carer's page match the time `t` from the list. */
  async function assertBookedAt(page, t) {
    assert.equal((await page.locator('h1').innerText()).trim(), TEXT.booked);
    assert.equal(await fact(page, 'När'), `${t.day}, kl. ${startOf(t.time)}`);
    assert.equal(await fact(page, 'Hur'), t.mode);
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

    it(`${LIST} (the free times by day)`, () =>
      scanWith(context, LIST, async (page) => {
        await load(page, LIST);
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.listTitle);
        const times = await freeTimes(page);
        assert.ok(times.length > 0, 'there are free times');
        assert.ok(times.some((t) => t.mode === TEXT.phone), 'a phone time among them');
        // Grouped by day: one heading per day, in order, each naming its list.
        const days = await page.locator('main h2').allInnerTexts();
        assert.deepEqual(days, [...new Set(times.map((t) => t.day))], 'one heading per day');
        for (const t of times) assert.ok(t.day, `time ${t.id} sits under a day heading`);
        if (!server.sharedDatabase) {
          assert.equal(times.length, 4, 'the demo publishes five times and one is booked');
          assert.ok(times.every((t) => t.officer === officer.name), 'all by the demo officer');
        }
      }));

    it(`${LIST}/{slot} (the booking form)`, async () => {
      const t = await freeTime(TEXT.phone);
      await scanWith(context, `${LIST}/${t.id}`, async (page) => {
        await load(page, `${LIST}/${t.id}`);
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.formTitle);
        assert.match(await page.locator('main .lead').innerText(), new RegExp(`kl\\. ${t.time}`));
        // The demo records names, so the name is asked for; a phone time needs the phone.
        for (const id of ['#f-name', '#f-phone', '#f-email', '#f-topic', '#f-age_group', '#f-gender', '#f-consent']) {
          assert.equal(await page.locator(id).count(), 1, `${id} is on the form`);
        }
        assert.ok(!(await page.locator('label[for="f-phone"]').innerText()).includes(TEXT.optional));
        assert.ok((await page.locator('label[for="f-email"]').innerText()).includes(TEXT.optional));
        assert.match(await page.locator('#reach-hint').innerText(), /Vi ringer dig/);
      });
    });

    it(`${LIST}/{slot} after an empty submit (error summary)`, async () => {
      const t = await freeTime(TEXT.phone);
      await scanWith(context, `${LIST}/${t.id} (errors)`, async (page) => {
        await load(page, `${LIST}/${t.id}`);
        // Too long for the topic too (past maxlength, as a script could send it).
        await page.evaluate(() => {
          const el = document.getElementById('f-topic');
          el.removeAttribute('maxlength');
          el.value = 'x'.repeat(301);
        });
        await submitExpecting(page, BOOK_SUBMIT, 422);
        await page.waitForSelector('#error-summary');
        assert.match(await page.title(), /^Fel i formuläret/);
        await page
          .waitForFunction(() => document.activeElement?.id === 'error-summary', null, { timeout: 5000 })
          .catch(() => {});
        assert.equal(
          await page.evaluate(() => document.activeElement?.id),
          'error-summary',
          `focus is on the error summary, not ${await describeFocus(page)}`,
        );
        const links = await summaryLinks(page);
        // Nothing would be stored (a topic too long is not kept), so no consent is asked for.
        assert.deepEqual(links, ['#f-name', '#f-phone', '#f-topic']);
        await assertFieldErrors(page, links);
        assert.match(await page.locator('#f-phone-error').innerText(), /Fyll i ett telefonnummer/);
      });
    });

    it(`/kommun/${K}/bokning/{token} after booking, after rebooking and after cancelling`, async () => {
      const first = await freeTime(TEXT.phone);
      const page = await context.newPage();
      let token;
      try {
        await load(page, `${LIST}/${first.id}`);
        token = await book(page, { name: person('Axe') });
      } finally {
        await page.close();
      }
      const path = `/kommun/${K}/bokning/${token}`;
      let moveTo;
      await scanWith(context, path, async (p) => {
        const response = await load(p, path);
        // The page holds the token: never cached, and never sent on in a Referer.
        assert.equal(response.headers()['cache-control'], 'no-store');
        assert.equal(response.headers()['referrer-policy'], 'no-referrer');
        await assertBookedAt(p, first);
        assert.equal(await p.locator(rebookButton(first.id)).count(), 0, 'not the booked time itself');
        const others = await p.locator(REBOOK_BUTTONS).count();
        assert.ok(others > 0, 'other times to move to');
        // The visible text is part of each button's name, and the name says which time.
        const names = await p.locator(REBOOK_BUTTONS).evaluateAll((bs) =>
          bs.map((b) => b.textContent.replace(/\s+/g, ' ').trim()));
        for (const n of names) assert.ok(n.startsWith(`${TEXT.rebookButton}, `), n);
        assert.equal(new Set(names).size, names.length, 'each button names its own time');
        moveTo = Number(await p.locator(REBOOK_BUTTONS).first().evaluate((b) => b.form.elements.slot.value));
      });
      await scanWith(context, `${path}?klart=flyttad`, async (p) => {
        await load(p, path);
        await Promise.all([p.waitForURL(MOVED_URL), p.click(rebookButton(moveTo))]);
        assert.equal((await p.locator('main [role="status"]').innerText()).trim(), TEXT.movedNow);
        assert.equal((await p.locator('h1').innerText()).trim(), TEXT.booked);
        assert.equal(await p.locator(rebookButton(first.id)).count(), 1, 'the old time is free again');
      });
      await scanWith(context, `${path}?klart=avbokad`, async (p) => {
        await load(p, path);
        await cancelOnPage(p);
      });
    });

    it(STATS, () =>
      scanWith(context, STATS, async (page) => {
        await load(page, STATS);
        const year = stockholmToday().slice(0, 4);
        assert.equal((await page.locator('h1').innerText()).trim(), `Anhöriga som kommunen har nått ${year}`);
        // Counts under five are never shown, anywhere on the page.
        const cells = await page.locator('main table td, main dl.facts dd').allInnerTexts();
        assert.ok(cells.length > 0);
        for (const c of cells) {
          assert.ok(/^(0|[5-9]|[1-9]\d+)$/.test(c.trim()) || c.trim() === TEXT.suppressed, `shown: ${c}`);
        }
        assert.ok(cells.some((c) => c.trim() === TEXT.suppressed), 'some count is hidden');
        assert.doesNotMatch(await page.locator('main .lead').innerText(), /nått [1-4] /);

        // The chart carries the same numbers as the table by month.
        const months = await page.locator('#per-manad tbody tr td').allInnerTexts();
        assert.equal(months.length, 12);
        const bars = await page.locator('main svg.chart rect').evaluateAll((rs) =>
          rs.map((r) => ({
            title: r.querySelector('title')?.textContent ?? '',
            height: Number(r.getAttribute('height')),
            y: Number(r.getAttribute('y')),
          })));
        assert.equal(bars.length, 12, 'one bar per month');
        const numbers = months.map((m) => (m === TEXT.suppressed ? null : Number(m)));
        const max = Math.max(1, ...numbers.filter((n) => n !== null));
        bars.forEach((b, i) => {
          assert.equal(b.title, `${MONTHS_SHORT[i]}: ${months[i]}`, `bar ${i + 1}'s title`);
          if (numbers[i] === null) {
            assert.equal(b.height, 0, `a hidden count draws no bar (${MONTHS_SHORT[i]})`);
          } else if (max >= 5) {
            // The largest month is then a shown one, so the scale is known.
            assert.equal(b.height, Math.floor((numbers[i] * CHART_HEIGHT) / max), `${MONTHS_SHORT[i]}'s height`);
          }
          assert.equal(b.y + b.height, 10 + CHART_HEIGHT, 'bars stand on one baseline');
        });
        const chart = page.locator('main svg.chart');
        assert.equal(await chart.getAttribute('role'), 'img');
        assert.equal(await chart.getAttribute('aria-labelledby'), 'chart-title chart-desc');
      }));

    describe('staff pages', () => {
      it(STAFF_CONVERSATIONS, async () =>
        scanWith(await staff(), STAFF_CONVERSATIONS, async (page) => {
          await load(page, STAFF_CONVERSATIONS);
          assert.equal((await page.locator('h1').innerText()).trim(), 'Samtal');
          const schedule = page.locator('main table').first();
          assert.ok((await schedule.locator('tbody tr').count()) >= 1, 'the schedule lists times');
          for (const form of ['/personal/samtal/tid', '/personal/samtal/registrera']) {
            assert.equal(await page.locator(`main form[action="${form}"]`).count(), 1, `the form ${form}`);
          }
          if (!server.sharedDatabase) {
            assert.match(await schedule.innerText(), /Demo-Karin Anhörigsson/, 'the demo booking');
            const recent = await page.locator('main table').nth(1).innerText();
            assert.match(recent, /Demo-Samtal 3/, 'the calls the demo registered');
            assert.match(recent, /Demo-Samtal 9/);
          }
        }));

      it(`${STAFF_CONVERSATIONS} after a failed publish (422)`, async () =>
        scanWith(await staff(), `${STAFF_CONVERSATIONS} (errors)`, async (page) => {
          await load(page, STAFF_CONVERSATIONS);
          // In person needs a place; no date or times given.
          await page.selectOption('#f-mode', 'in_person');
          await submitExpecting(page, 'main form[action="/personal/samtal/tid"] button[type="submit"]', 422);
          await page.waitForSelector('#error-summary');
          assert.match(await page.title(), /^Fel i formuläret/);
          const links = await summaryLinks(page);
          for (const f of ['date', 'start', 'end', 'place']) {
            assert.ok(links.includes(`#f-${f}`), `the summary links to #f-${f}: ${links}`);
          }
          await assertFieldErrors(page, links);
          assert.equal(await page.inputValue('#f-mode'), 'in_person', 'what was chosen is kept');
        }));

      it(`${STAFF_CONVERSATIONS} after a failed registration of a call (422)`, async () =>
        scanWith(await staff(), `${STAFF_CONVERSATIONS} (call errors)`, async (page) => {
          await load(page, STAFF_CONVERSATIONS);
          // A time that is no time (as a browser without a time picker could send).
          await page.evaluate(() => {
            document.getElementById('f-held_time').type = 'text';
          });
          await page.fill('#f-held_time', 'lunch');
          await page.fill('#f-held_phone', 'ring mig');
          await submitExpecting(page, 'main form[action="/personal/samtal/registrera"] button[type="submit"]', 422);
          await page.waitForSelector('#error-summary');
          const links = await summaryLinks(page);
          for (const f of ['held_time', 'held_phone']) {
            assert.ok(links.includes(`#f-${f}`), `the summary links to #f-${f}: ${links}`);
          }
          await assertFieldErrors(page, links);
        }));

      it(SUPPORT_CONTACT, async () =>
        scanWith(await staff(), SUPPORT_CONTACT, async (page) => {
          await load(page, SUPPORT_CONTACT);
          assert.equal((await page.locator('h1').innerText()).trim(), 'Stödkontakt');
          assert.match(await page.locator('#ej-erbjudna').innerText(), /har inte fått erbjudandet/);
          const waiting = page.locator('main table', { has: page.locator('caption', { hasText: TEXT.waitingCaption }) });
          assert.ok((await waiting.locator('tbody tr').count()) > 0, 'the demo carers wait for an offer');
          assert.ok((await waiting.locator('form[action="/personal/stodkontakt/erbjud"]').count()) > 0);
        }));

      it(STAFF_STATS, async () => {
        const context = await staff();
        await scanWith(context, STAFF_STATS, async (page) => {
          await load(page, STAFF_STATS);
          assert.match((await page.locator('h1').innerText()).trim(), /^Öppet stöd \d{4}: anhöriga vi har nått$/);
          assert.equal(await page.locator('main svg.chart rect').count(), 12);
          const hrefs = await page
            .locator('main a[href*="statistik.csv"]')
            .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
          assert.equal(hrefs.length, 2, `two CSV links: ${hrefs}`);
          // Staff see every count; the board's CSV hides those under five.
          assert.equal(await page.locator('main td', { hasText: TEXT.suppressed }).count(), 0);
          for (const href of hrefs) {
            const res = await fetchAs(context, server, href);
            assert.equal(res.status, 200, `GET ${href}`);
            assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
            const rows = (await res.text()).trim().split('\n');
            assert.equal(rows[0], 'del;grupp;antal');
            if (href.includes('namnd=1')) {
              for (const row of rows.slice(1)) {
                assert.doesNotMatch(row, /;"[1-4]"$/, `the board's CSV hides small counts: ${row}`);
              }
            }
          }
        });
      });

      it(`${SETTINGS} (as the municipal admin)`, async () =>
        scanWith(await municipalAdmin(), SETTINGS, async (page) => {
          await load(page, SETTINGS);
          const radios = await page
            .locator('main input[name="recording_mode"]')
            .evaluateAll((rs) => rs.map((r) => [r.value, r.checked]));
          assert.deepEqual(radios.map(([v]) => v).sort(), ['anonymous', 'named', 'pseudonymous']);
          assert.deepEqual(radios.filter(([, c]) => c).map(([v]) => v), ['named'], 'the demo records names');
        }));
    });
  });

  describe('by keyboard', () => {
    it('books a phone time, moves it and cancels, using only the keyboard', async () => {
      const context = await newContext(chrome.browser);
      try {
        const page = await context.newPage();
        await page.goto(server.url(LIST));
        // Reading the list is fine; from here on only the keyboard moves and acts.
        const times = await freeTimes(page);
        const phone = times.find((t) => t.mode === TEXT.phone);
        assert.ok(phone, `a free phone time: ${JSON.stringify(times)}`);
        const others = times.filter((t) => t.id !== phone.id);
        const target = others.find((t) => t.mode === TEXT.phone) ?? others[0];
        assert.ok(target, 'another free time to move to');

        await tabTo(page, { selector: `main .cards a[href="${phone.href}"]` });
        await pressAndWaitForURL(page, 'Enter', formUrl(phone.id));
        assert.equal((await page.locator('h1').innerText()).trim(), TEXT.formTitle);

        const name = person('Tangent');
        await tabTo(page, { selector: '#f-name' });
        await page.keyboard.type(name);
        await tabTo(page, { selector: '#f-phone' }, { max: 3 });
        await page.keyboard.type('070-174 08 13');
        await tabTo(page, { selector: '#f-topic' }, { max: 3 });
        await page.keyboard.type('Demo: hur orkar jag?');

        // Tab enters a radio group with nothing chosen at its first radio; Space chooses it,
        // an arrow moves the choice on.
        await tabTo(page, { selector: 'input[name="age_group"]' }, { max: 3 });
        assert.ok(
          await focusMatches(page, { selector: '#f-age_group' }),
          `the first age group is focused, not ${await describeFocus(page)}`,
        );
        await page.keyboard.press('Space');
        assert.equal(await page.locator('#f-age_group').isChecked(), true, 'Space chooses a radio');
        await page.keyboard.press('ArrowDown');
        const age = await page.evaluate(() => document.querySelector('input[name="age_group"]:checked')?.id);
        assert.notEqual(age, 'f-age_group', 'the arrow moved the choice to the next age group');
        await tabTo(page, { selector: 'input[name="gender"]' }, { max: 3 });
        await page.keyboard.press('Space');
        assert.equal(await page.locator('input[name="gender"]:checked').count(), 1);

        await tabTo(page, { selector: '#f-consent' }, { max: 3 });
        await page.keyboard.press('Space');
        assert.equal(await page.locator('#f-consent').isChecked(), true, 'Space ticks consent');

        await tabTo(page, { selector: BOOK_SUBMIT }, { max: 3 });
        await pressAndWaitForURL(page, 'Enter', BOOKING_URL);
        const token = BOOKING_URL.exec(page.url())[1];
        open.set(token, page.url());
        await assertBookedAt(page, phone);
        assert.equal(await fact(page, 'Din stödkontakt'), phone.officer);
        assert.equal(await fact(page, 'Ditt namn'), name);

        // Move to the other time with its own button.
        await tabTo(page, { selector: rebookButton(target.id) });
        await pressAndWaitForURL(page, 'Enter', MOVED_URL);
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.movedNow);
        await assertBookedAt(page, target);
        assert.equal(await page.locator(rebookButton(phone.id)).count(), 1, 'the first time is free again');
        assert.equal(await page.locator(rebookButton(target.id)).count(), 0);

        await tabTo(page, { selector: CANCEL_BUTTON, text: TEXT.cancelButton });
        await pressAndWaitForURL(page, 'Enter', CANCELLED_URL);
        await assertCancelled(page);

        // Back to the list through the menu: both times are free again.
        await tabTo(page, { selector: `header nav.site-nav a[href="${LIST}"]` });
        await pressAndWaitForURL(page, 'Enter', at(LIST));
        const ids = (await freeTimes(page)).map((t) => t.id);
        assert.ok(ids.includes(phone.id), 'the first time is on the list again');
        assert.ok(ids.includes(target.id), 'the time moved to is on the list again');
      } finally {
        await context.close();
      }
    });
  });

  describe('without JavaScript', () => {
    it('books a video time, moves it and cancels with JavaScript disabled', async () => {
      const noJs = await newContext(chrome.browser, { javaScriptEnabled: false });
      try {
        const t = await freeTime(TEXT.video);
        const page = await noJs.newPage();
        await load(page, LIST);
        await Promise.all([page.waitForURL(formUrl(t.id)), page.click(`main .cards a[href="${t.href}"]`)]);

        // An error first: the page comes back from the server with the summary.
        const name = person('Skriptlös');
        await page.fill('#f-name', name);
        await page.check('#f-consent');
        await submitExpecting(page, BOOK_SUBMIT, 422);
        await page.waitForSelector('#error-summary');
        assert.equal(await page.inputValue('#f-name'), name, 'what was typed is kept');
        assert.equal(await page.locator('#f-consent').isChecked(), true);
        // A video time needs the e-mail (a phone time the phone; in person one of them).
        const missing = t.mode === TEXT.phone ? '#f-phone' : '#f-email';
        assert.deepEqual(await summaryLinks(page), [missing]);
        assert.equal(await page.locator(missing).getAttribute('aria-invalid'), 'true');

        const mail = `utanjs-${tag}@demo.example`;
        await page.fill('#f-email', mail);
        await page.fill('#f-phone', '070-174 08 14');
        await Promise.all([page.waitForURL(BOOKING_URL), page.click(BOOK_SUBMIT)]);
        const token = BOOKING_URL.exec(page.url())[1];
        open.set(token, page.url());
        await assertBookedAt(page, t);
        assert.equal(await fact(page, 'Ditt namn'), name);

        const other = page.locator(REBOOK_BUTTONS).first();
        if ((await other.count()) > 0) {
          await Promise.all([page.waitForURL(MOVED_URL), other.click()]);
          assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.movedNow);
          assert.equal(await page.locator(rebookButton(t.id)).count(), 1, 'the first time is free again');
        }
        await cancelOnPage(page);
      } finally {
        await noJs.close();
      }
    });
  });

  describe('staff', () => {
    it('publish a time, it is on the public list, and cancel it again', async () => {
      const date = stockholmToday(Date.now() + 20 * 86_400_000);
      const page = await (await staff()).newPage();
      const slotIds = () =>
        page
          .locator('main form[action="/personal/samtal/stall-in"] input[name="slot"]')
          .evaluateAll((is) => is.map((i) => Number(i.value)));
      let id;
      let row;
      try {
        await load(page, STAFF_CONVERSATIONS);
        const before = await slotIds();
        await page.fill('#f-date', date);
        await page.fill('#f-start', '16:15');
        await page.fill('#f-end', '17:00');
        await page.selectOption('#f-mode', 'video');
        await Promise.all([
          page.waitForURL(new RegExp(`${STAFF_CONVERSATIONS}\\?klart=published$`)),
          page.click('main form[action="/personal/samtal/tid"] button[type="submit"]'),
        ]);
        await page.waitForLoadState('load');
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.published);
        const added = (await slotIds()).filter((x) => !before.includes(x));
        assert.equal(added.length, 1, `one new time in the schedule: ${added}`);
        [id] = added;
        row = page.locator(`main table tbody tr:has(input[name="slot"][value="${id}"])`);
        const cells = (await row.locator('td').allInnerTexts()).map((c) => c.trim());
        assert.match(cells[0], /, 16\.15–17\.00$/);
        assert.deepEqual(cells.slice(1, 4), [TEXT.video, officer.name, TEXT.free]);
      } catch (e) {
        await page.close();
        throw e;
      }

      try {
        const context = await newContext(chrome.browser);
        try {
          const p = await context.newPage();
          await load(p, LIST);
          const t = (await freeTimes(p)).find((x) => x.id === id);
          assert.ok(t, 'the public list shows the new time');
          assert.equal(t.time, '16.15–17.00');
          assert.equal(t.mode, TEXT.video);
          assert.equal(t.officer, officer.name);
          const staffDay = (await row.locator('td').first().innerText()).trim().split(', 16.15')[0];
          assert.equal(t.day, staffDay, 'under its day');
          await Promise.all([p.waitForURL(formUrl(id)), p.click(`main .cards a[href="${t.href}"]`)]);
          assert.equal((await p.locator('h1').innerText()).trim(), TEXT.formTitle);
          // A video time needs the e-mail, not the phone.
          assert.match(await p.locator('#reach-hint').innerText(), /Vi mejlar länken/);
          assert.ok(!(await p.locator('label[for="f-email"]').innerText()).includes(TEXT.optional));
          assert.ok((await p.locator('label[for="f-phone"]').innerText()).includes(TEXT.optional));
        } finally {
          await context.close();
        }
      } finally {
        // Cancel it again, so a shared database is not left with it.
        await Promise.all([
          page.waitForURL(new RegExp(`${STAFF_CONVERSATIONS}\\?klart=slot-cancelled$`)),
          row.locator('form[action="/personal/samtal/stall-in"] button[type="submit"]').click(),
        ]);
        await page.waitForLoadState('load');
        await page.close();
      }
      const ids = (await listed()).map((t) => t.id);
      assert.ok(!ids.includes(id), 'a cancelled time is not on the public list');
    });

    it('offer a support contact to a carer, who leaves the waiting list', async () => {
      // A carer of our own: a booking with a run-unique name.
      const name = person('Stöd');
      const t = await freeTime(TEXT.phone);
      const carer = await newContext(chrome.browser);
      let bookingUrl;
      try {
        const p = await carer.newPage();
        await load(p, `${LIST}/${t.id}`);
        await book(p, { name, email: `stod-${tag}@demo.example` });
        bookingUrl = new URL(p.url()).pathname;
        assert.equal(await fact(p, 'Din stödkontakt'), officer.name, 'before an offer: the officer');
      } finally {
        await carer.close();
      }

      const page = await (await staff()).newPage();
      const contact = DEMO_STAFF.unitManager.name;
      let offeredOurs = false;
      try {
        await load(page, SUPPORT_CONTACT);
        const waitingTable = page.locator('main table', {
          has: page.locator('caption', { hasText: TEXT.waitingCaption }),
        });
        const offersTable = page.locator('main table', {
          has: page.locator('caption', { hasText: TEXT.offersCaption }),
        });
        const countOf = async () => Number(/^(\d+)/.exec((await page.locator('#ej-erbjudna').innerText()).trim())?.[1]);
        const before = await countOf();
        const rows = waitingTable.locator('tbody tr');
        let ours = rows.filter({ hasText: name });
        if ((await ours.count()) === 0 && (await rows.count()) === WAITING_LIMIT) {
          // A long-lived shared database: the page lists the oldest 200; offer the first.
          ours = rows.first();
        }
        assert.equal(await ours.count(), 1, `${name} waits for an offer`);
        const who = (await ours.locator('td').first().innerText()).trim();
        assert.equal(
          await ours.locator('label').first().innerText(),
          `Stödkontakt för ${who}`,
          'the contact field is labelled with the carer',
        );
        await ours.locator('select[name="contact"]').selectOption({ label: contact });
        assert.equal(await ours.locator('input[name="offered_on"]').inputValue(), stockholmToday());
        await Promise.all([
          page.waitForURL(new RegExp(`${SUPPORT_CONTACT}\\?klart=erbjuden$`)),
          ours.locator('button[type="submit"]').click(),
        ]);
        await page.waitForLoadState('load');
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.offered);
        assert.equal(await waitingTable.locator('tbody tr', { hasText: who }).count(), 0, `${who} left the waiting list`);
        if (before < WAITING_LIMIT) assert.equal(await countOf(), before - 1, 'one fewer waits');

        const offer = offersTable.locator('tbody tr', { hasText: who }).first();
        let cells = (await offer.locator('td').allInnerTexts()).map((c) => c.trim());
        assert.equal(cells[2], contact);
        assert.equal(cells[3], stockholmToday());
        assert.match(cells[4], new RegExp(`^${TEXT.noAnswer}`));
        const yes = offer.locator(`button[aria-label="${who} tackade ja"]`);
        assert.equal(await yes.count(), 1, 'an answer button names the carer');
        await Promise.all([page.waitForURL(new RegExp(`${SUPPORT_CONTACT}\\?klart=svar$`)), yes.click()]);
        await page.waitForLoadState('load');
        assert.equal((await page.locator('main [role="status"]').innerText()).trim(), TEXT.answered);
        cells = (await offersTable.locator('tbody tr', { hasText: who }).first().locator('td').allInnerTexts())
          .map((c) => c.trim());
        assert.equal(cells[4], TEXT.accepted);
        assert.equal(await offersTable.locator('tbody tr', { hasText: who }).first().locator('button').count(), 0);
        offeredOurs = who === name;
      } finally {
        await page.close();
      }

      // The carer's page names the support contact offered; then cancel, to free the time.
      const again = await newContext(chrome.browser);
      try {
        const p = await again.newPage();
        await load(p, bookingUrl);
        if (offeredOurs) assert.equal(await fact(p, 'Din stödkontakt'), contact);
        await cancelOnPage(p);
      } finally {
        await again.close();
      }
    });
  });
});
