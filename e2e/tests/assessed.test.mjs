// Assessed support (bistånd) in a browser, from the application to a dismissed appeal, living
// through the deadlines with the demo clock (`serve --demo --today DATE`): the server is
// restarted on the same database with a later date between stages.
//
//   2026-10-15  a carer applies for respite (Avlösning i hemmet) at the portal; the case
//               officer takes the application from the inbox, documents the investigation
//               (keyboard only), records the care recipient's consent to respite,
//               communicates material (answer by 2026-10-29), and may not yet decide against
//               the party: the kommunicering is pending (422).
//   2026-11-02  the officer decides: partly granted, 16 hours a month; the letter is a PDF.
//   2026-12-01  the notice: posted 2026-11-06, received Saturday 2026-11-07, so the three
//               weeks end on Saturday 2026-11-28 and the last day to appeal is Monday
//               2026-11-30. An appeal received that Monday is in time; one received the next
//               day is late and is dismissed. The unit manager's reports and deadline watch.
//
// Plus axe-core scans (WCAG 2.1 A/AA and best practices, no rule disabled) of the inbox with
// the application, the assessed page empty, with an error, after the decision and with
// appeals, the watch and the reports.
//
// Accounts: only this file's own, made with the CLI in a unit of their own ("Bistånd e2e"),
// which enrol their own second factor. One-time codes are computed at the server's shifted
// time (`totpTracker({ now })`) and the server remembers each account's last used step, so
// the dates only move forward and no demo account is ever signed in here. With
// E2E_DATABASE_URL the database is shared with the other files: the accounts' addresses are
// unique to the run and everything is found by its reference or case number.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { describeFocus, focusMatches, pressAndWaitForLoad, tabTo } from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';
import {
  INBOX,
  REPORTS,
  WATCH,
  accountEmail,
  addAccount,
  signIn,
  signInEnrolling,
} from '../lib/staff.mjs';
import { totpTracker } from '../lib/totp.mjs';

const FORM = `/kommun/${DEMO_KOMMUNKOD}/ansok`;
const DONE_URL = new RegExp(`/kommun/${DEMO_KOMMUNKOD}/ansok/skickad/ANS-[^/?#]+(\\?.*)?$`);
const REFERENCE = /^ANS-[A-Z2-9]{4}-[A-Z2-9]{4}$/;
const ASSESSED_URL = /\/personal\/arenden\/(\d+)\/bistand(#[^/]*)?$/;
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const PASSWORD = 'Lingon-Tr4ktor-Moln-78';
const UNIT = 'Bistånd e2e';
// A valid but fake personnummer (Skatteverket's test number).
const PNR = '19121212-1212';
const APPLICANT = 'Demo Anhörigsson';
const INSATS = 'Avlösning i hemmet';
const RECIPIENT = 'Demo Närståendesdotter';

/** The demo clock's days, in order (never backwards: replay protection of the codes). */
const DAY = {
  applied: '2026-10-15',
  answerBy: '2026-10-29',
  decided: '2026-11-02',
  noticeSent: '2026-11-06',
  // A Saturday: three weeks later is Saturday 2026-11-28, so the last day is Monday.
  noticeReceived: '2026-11-07',
  lastDay: '2026-11-30',
  appealed: '2026-12-01',
};

describe('assessed support: application, decision, notice and appeals', () => {
  /** @type {Awaited<ReturnType<typeof startServer>>} */
  let server;
  let chrome;
  // Codes at the server's time, which moves forward with each restart.
  const codes = totpTracker({ now: () => server.now() });
  const accounts = {
    officer: { local: 'bistand-handlaggare', name: 'Bistånd Handläggarsson', role: 'case-officer' },
    manager: { local: 'bistand-chef', name: 'Bistånd Chefsdotter', role: 'unit-manager' },
  };
  /** Signed-in contexts by account key, for the current server; closed on restart. */
  const contexts = new Map();
  /** What the flow made, for the steps after. */
  const flow = { reference: '', caseId: 0, caseNumber: '', path: '', decisionId: 0 };
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;

  before(async () => {
    server = await startServer({ today: DAY.applied });
    for (const a of Object.values(accounts)) {
      a.email = accountEmail(server, a.local);
      a.password = PASSWORD;
      await addAccount(server, { ...a, unit: UNIT });
    }
    chrome = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts.values()) await c.close();
    await chrome?.close();
    await server?.stop();
  });

  /** Stops the server and starts it on the same database with the clock at `today`. */
  async function moveTo(today) {
    for (const c of contexts.values()) await c.close();
    contexts.clear();
    server = await server.restart({ today });
    assert.equal(server.today, today);
  }

  /**
   * A page of `key`'s signed-in context (CSP bypassed, for axe). The first time on a server,
   * the context is made and signed in: enrolling the second factor the first time ever, with
   * the key it got after that. The caller closes the page.
   * @returns {Promise<import('playwright-core').Page>}
   */
  async function pageOf(key) {
    if (contexts.has(key)) return contexts.get(key).newPage();
    const account = accounts[key];
    const context = await newContext(chrome.browser, { bypassCSP: true });
    try {
      const page = await context.newPage();
      if (account.secret) {
        await signIn(page, server, codes, account.email, {
          secret: account.secret,
          password: account.password,
        });
      } else {
        account.secret = await signInEnrolling(page, server, codes, account);
      }
      contexts.set(key, context);
      return page;
    } catch (e) {
      await context.close();
      throw new Error(`${e.message}\n--- server output ---\n${server.log()}`);
    }
  }

  async function withPage(key, fn) {
    const page = await pageOf(key);
    try {
      return await fn(page);
    } finally {
      await page.close();
    }
  }

  const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
  const h1 = (page) => text(page.locator('h1'));

  /** Goes to `path` and checks the HTTP status and that nothing redirected. */
  async function visit(page, path, status = 200) {
    const response = await page.goto(server.url(path));
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `HTTP status of GET ${path}`);
    assert.equal(new URL(page.url()).pathname, path.split(/[?#]/)[0], `${path} was not redirected`);
  }

  /**
   * Clicks `selector` (a submit button), checks the POST's status, and waits for the page it
   * leads to (the answer itself, or where a 303 sends the browser) to load.
   */
  async function submit(page, selector, status) {
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    const loaded = page.waitForEvent('load');
    await page.click(selector);
    const answer = await posted;
    if (answer.status() !== status) {
      await loaded.catch(() => {});
      const summary = await page.locator('#error-summary').innerText().catch(() => '(none)');
      assert.fail(
        `HTTP status of the POST from ${selector}: ${answer.status()}, want ${status}; ` +
          `error summary: ${summary}`,
      );
    }
    await loaded;
  }

  /** The value (`dd`) next to the term (`dt`) `term`, in the `dl.facts` inside `scope`. */
  function factIn(scope, term) {
    return scope.evaluate((el, term) => {
      for (const dt of el.querySelectorAll('dl.facts > dt')) {
        if (dt.textContent.trim() === term) {
          const dd = dt.nextElementSibling;
          return dd && dd.tagName === 'DD' ? dd.textContent.replace(/\s+/g, ' ').trim() : null;
        }
      }
      return null;
    }, term);
  }

  /** Waits for the autofocused error summary; returns its links as [href, text]. */
  async function errorSummary(page) {
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
    assert.equal(await page.locator('#error-summary').getAttribute('role'), 'alert');
    const links = await page
      .locator('#error-summary a')
      .evaluateAll((as) =>
        as.map((a) => [a.getAttribute('href'), a.textContent.replace(/\s+/g, ' ').trim()]),
      );
    const missing = await page.evaluate(
      (hrefs) => hrefs.filter((h) => !h.startsWith('#') || !document.getElementById(h.slice(1))),
      links.map(([href]) => href),
    );
    assert.deepEqual(missing, [], `every error links to its field on ${page.url()}`);
    return links;
  }

  async function assertNoViolations(page, label) {
    await page.waitForLoadState('load');
    const violations = await axeViolations(page);
    if (violations.length > 0) assert.fail(formatViolations(label, violations));
  }

  /** The case the flow opened, or a failure saying an earlier step must run first. */
  function opened() {
    assert.ok(flow.path, 'needs the officer to have taken the application');
    return flow;
  }

  /** The decision of the flow's case on the page. */
  function decisionOf(page) {
    assert.ok(flow.decisionId, 'needs the decision to have been made');
    return page.locator(`article.entry[aria-labelledby="beslut-${flow.decisionId}"]`);
  }

  /** An appeal of the flow's decision, by the date it was received. */
  const appealOf = (page, receivedOn) =>
    decisionOf(page).locator(
      `[role="group"][aria-label="Överklagande som kom in ${receivedOn}"]`,
    );

  /** Fills in the decision form: partly granted, 16 hours a month, on `decidedOn`. */
  async function fillDecision(page, decidedOn) {
    const applied = await page
      .locator('#f-decision-applied_id option', { hasText: INSATS })
      .getAttribute('value');
    assert.ok(applied, `${INSATS} is among the services to decide on`);
    await page.selectOption('#f-decision-applied_id', applied);
    await page.check('#f-decision-outcome-partly_granted');
    await page.fill('#f-decision-hours_per_month', '16');
    await page.fill(
      '#f-decision-reasons',
      'Behovet av vila tillgodoses med avlösning 16 timmar i månaden, inte 30 som söktes ' +
        `(e2e ${tag}).`,
    );
    await page.fill('#f-decision-decided_on', decidedOn);
  }

  const DECIDE = `${SUBMIT}:text-is("Fatta beslut")`;

  // ---- 2026-10-15 ----

  it(`the carer applies for respite at the portal (${DAY.applied})`, async () => {
    const context = await newContext(chrome.browser);
    try {
      const page = await context.newPage();
      const response = await page.goto(server.url(FORM));
      assert.equal(response?.status(), 200);
      await page.check('#f-requested-avlosning-i-hemmet');
      await page.fill('#f-name', APPLICANT);
      await page.fill('#f-personnummer', PNR);
      await page.fill('#f-recipient_name', RECIPIENT);
      await page.fill('#f-message', `Jag vårdar min mamma och behöver vila (e2e ${tag}).`);
      await page.check('#f-consent');
      await Promise.all([page.waitForURL(DONE_URL), page.click(SUBMIT)]);
      flow.reference = (await page.locator('#reference').innerText()).trim();
      assert.match(flow.reference, REFERENCE);
    } finally {
      await context.close();
    }
  });

  it('the officer finds it in the inbox, which has no axe violations', () =>
    withPage('officer', async (page) => {
      assert.ok(flow.reference, 'needs the application');
      await visit(page, INBOX);
      const section = page.locator('section[aria-labelledby="ansokningar"]');
      assert.equal(await text(section.locator('h2')), 'Ansökningar som ingen tagit');
      const row = section.locator('tbody tr', { hasText: flow.reference });
      assert.equal(await row.count(), 1, `${flow.reference} is listed once`);
      const cells = await row.locator('td').evaluateAll((tds) =>
        tds.map((td) => td.textContent.replace(/\s+/g, ' ').trim()),
      );
      assert.equal(cells[1], DAY.applied, 'received on the demo clock’s day');
      assert.equal(cells[2], APPLICANT);
      assert.equal(cells[3], INSATS);
      await assertNoViolations(page, `${INBOX} (with the application)`);
    }));

  it('“Ta ärendet” makes it the officer’s case; the empty page has no axe violations', () =>
    withPage('officer', async (page) => {
      assert.ok(flow.reference, 'needs the application');
      await visit(page, INBOX);
      const take = page.locator(`button[aria-label="Ta ärendet ${flow.reference}"]`);
      assert.equal(await text(take), 'Ta ärendet');
      await Promise.all([page.waitForURL(ASSESSED_URL), take.click()]);
      await page.waitForLoadState('load');
      flow.path = new URL(page.url()).pathname;
      flow.caseId = Number(ASSESSED_URL.exec(flow.path)[1]);
      const heading = await h1(page);
      const prefix = 'Utredning och beslut, ärende ';
      assert.ok(heading.startsWith(prefix), heading);
      flow.caseNumber = heading.slice(prefix.length);

      const application = page.locator('section[aria-labelledby="ansokan"]');
      assert.equal(await factIn(application, 'Referens'), flow.reference);
      assert.equal(await factIn(application, 'Närstående'), RECIPIENT);
      assert.match((await factIn(application, 'Ansökan kom in')) ?? '', /^2026-10-15 \(0 /);
      assert.match(await text(application.locator('ul')), new RegExp(`^${INSATS} `));
      await assertNoViolations(page, `${flow.path} (nothing yet)`);
      // The page is in parts, one at a time; each part is scanned once.
      const parts = await page.locator('nav.parts a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.equal(parts.length, 8, parts.join(' '));
      assert.equal(await page.locator('nav.parts a[aria-current="page"]').innerText(), 'Ansökan');
      for (const href of parts.slice(1)) {
        await visit(page, href);
        await assertNoViolations(page, `${href} (nothing yet)`);
      }
      await visit(page, `${flow.path}?del=utredning`);
      assert.equal(
        await text(page.locator('section[aria-labelledby="utredning"] > p')),
        'Inget är dokumenterat i utredningen ännu.',
      );
      assert.equal(await page.locator('section[aria-labelledby="ansokan"]').count(), 0, 'one part');
      await visit(page, `${flow.path}?del=beslut`);
      assert.equal(await page.locator('section[aria-labelledby="beslut"] article').count(), 0);

      // No longer waiting in the inbox.
      await visit(page, INBOX);
      assert.equal(await page.locator('tbody tr', { hasText: flow.reference }).count(), 0);
    }));

  it('keyboard only: an investigation entry', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=utredning`);
      const area = '#f-investigation-area';
      await tabTo(page, { selector: area });
      // Arrow keys move a closed select's choice (Windows and Linux).
      for (let i = 0; i < 40; i++) {
        if ((await page.locator(area).inputValue()) === 'carer_rest') break;
        await page.keyboard.press('ArrowDown');
      }
      assert.equal(await page.locator(area).inputValue(), 'carer_rest', 'chosen by keyboard');
      await tabTo(page, { selector: '#f-investigation-text' }, { max: 1 });
      const entry = `Vaken flera nätter i veckan, ingen egen tid (e2e ${tag}).`;
      await page.keyboard.type(entry);
      const save = { selector: 'form[action$="/bistand/utredning"] button[type="submit"]' };
      await tabTo(page, save, { max: 1 });
      assert.ok(await focusMatches(page, { ...save, text: 'Spara' }));
      await pressAndWaitForLoad(page, 'Enter');
      assert.equal(new URL(page.url()).pathname, path, 'back on the page');
      assert.equal(new URL(page.url()).hash, '#utredning');
      const section = page.locator('section[aria-labelledby="utredning"]');
      assert.equal(await text(section.locator('h3')), 'Den anhöriges vila och återhämtning');
      assert.ok((await text(section.locator('ul'))).includes(entry), 'the entry is listed');
    }));

  it('the material is communicated, answer by 2026-10-29', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=kommunicering`);
      const section = page.locator('section[aria-labelledby="kommunicering"]');
      await section.locator('summary', { hasText: 'Kommunicera underlag' }).click();
      const material = `Läkarintyg om mammans behov av tillsyn (e2e ${tag}).`;
      await page.fill('#f-communication-material', material);
      await page.selectOption('#f-communication-method', 'letter');
      await page.fill('#f-communication-sent_on', DAY.applied);
      await page.fill('#f-communication-answer_by', DAY.answerBy);
      await submit(page, `${SUBMIT}:text-is("Registrera kommunicering")`, 303);
      const sent = section.locator('article.entry', { hasText: material });
      assert.equal(await sent.count(), 1);
      assert.equal(
        await text(sent.locator('h3')),
        `Brev ${DAY.applied} · svar senast ${DAY.answerBy}`,
      );
    }));

  it('the care recipient’s consent to respite is recorded', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=utredning`);
      const section = page.locator('section[aria-labelledby="samtycken"]');
      assert.equal(await text(section.locator('p').first()), 'Inga samtycken är registrerade.');
      await section.locator('summary', { hasText: 'Registrera samtycke' }).click();
      await page.selectOption('#f-consent-scope', 'respite');
      await page.fill('#f-consent-given_by', RECIPIENT);
      await page.fill('#f-consent-given_on', DAY.applied);
      await submit(page, 'form[action$="/bistand/samtycke"] button[type="submit"]', 303);
      assert.equal(new URL(page.url()).hash, '#samtycken');
      const consents = await text(section.locator('ul').first());
      assert.ok(
        consents.startsWith(
          `Avlösning, växelvård eller dagverksamhet: ${RECIPIENT}, ${DAY.applied}`,
        ),
        consents,
      );
    }));

  it('a partly granted decision must wait for the kommunicering (422, no axe violations)', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=beslut`);
      await fillDecision(page, DAY.applied);
      await submit(page, DECIDE, 422);
      const links = await errorSummary(page);
      assert.deepEqual(links, [
        [
          '#f-decision-communication_waiver',
          // The summary names the field, as its label does.
          'Om kommunicering inte behövdes: varför: Kommuniceringen pågår: vänta tills svaret kommit eller svarstiden gått ut.',
        ],
      ]);
      const waiver = page.locator('#f-decision-communication_waiver');
      assert.equal(await waiver.getAttribute('aria-invalid'), 'true');
      assert.equal(
        await waiver.getAttribute('aria-describedby'),
        'f-decision-communication_waiver-error',
      );
      // What was filled in is kept.
      assert.equal(await page.locator('#f-decision-outcome-partly_granted').isChecked(), true);
      assert.equal(await page.locator('#f-decision-hours_per_month').inputValue(), '16');
      assert.equal(await page.locator('section[aria-labelledby="beslut"] article').count(), 0);
      await assertNoViolations(page, `${path} (decision refused, 422)`);
    }));

  // ---- 2026-11-02 ----

  it(`after the time to answer, it is decided (${DAY.decided}); no axe violations`, async () => {
    const { path } = opened();
    await moveTo(DAY.decided);
    await withPage('officer', async (page) => {
      await visit(page, `${path}?del=kommunicering`);
      const sent = page.locator('section[aria-labelledby="kommunicering"] article.entry');
      assert.equal(await text(sent.locator('p.flag')), 'Svarstiden har gått ut.');
      await visit(page, `${path}?del=beslut`);
      await fillDecision(page, DAY.decided);
      await submit(page, DECIDE, 303);
      assert.equal(new URL(page.url()).hash, '#beslut');
      const articles = page.locator('section[aria-labelledby="beslut"] article.entry');
      assert.equal(await articles.count(), 1, 'one decision');
      const id = (await articles.getAttribute('aria-labelledby')) ?? '';
      assert.match(id, /^beslut-\d+$/);
      flow.decisionId = Number(id.slice('beslut-'.length));
      const decision = decisionOf(page);
      assert.equal(await text(decision.locator('h3')), `${INSATS}: Delvis bifall`);
      const decided = (await factIn(decision, 'Beslutsdatum')) ?? '';
      assert.ok(decided.startsWith(`${DAY.decided} (`), decided);
      assert.equal(await factIn(decision, 'Omfattning'), '16 timmar per månad');
      assert.equal(await factIn(decision, 'Delgivning'), 'Inte registrerad');
      await assertNoViolations(page, `${path} (after the decision)`);
    });
  });

  it('the decision letter is a PDF', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=beslut`);
      const link = decisionOf(page).locator('a', { hasText: 'Beslutsbrev (PDF)' });
      const href = await link.getAttribute('href');
      assert.equal(href, `/personal/beslut/${flow.decisionId}/beslut.pdf`);
      const response = await page.request.get(server.url(href));
      assert.equal(response.status(), 200);
      assert.equal(response.headers()['content-type'], 'application/pdf');
      const body = await response.body();
      assert.equal(body.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
    }));

  // ---- 2026-12-01 ----

  it(`the notice: received Saturday ${DAY.noticeReceived}, last day ${DAY.lastDay}`, async () => {
    const { path } = opened();
    await moveTo(DAY.appealed);
    await withPage('officer', async (page) => {
      await visit(page, `${path}?del=delgivning`);
      const n = flow.decisionId;
      const form = decisionOf(page).locator(`form[action="/personal/beslut/${n}/delgivning"]`);
      assert.equal(await form.getAttribute('aria-label'), 'Registrera delgivning');
      await page.selectOption(`#f-notice-${n}-method`, 'post');
      await page.fill(`#f-notice-${n}-sent_on`, DAY.noticeSent);
      await page.fill(`#f-notice-${n}-received_on`, DAY.noticeReceived);
      await submit(page, `form[action="/personal/beslut/${n}/delgivning"] button`, 303);
      const decision = decisionOf(page);
      assert.equal(
        await factIn(decision, 'Delgivning'),
        `Parten fick beslutet ${DAY.noticeReceived} (Post)`,
      );
      assert.equal(await factIn(decision, 'Sista dag att överklaga'), DAY.lastDay);
      assert.equal(await decision.locator(`form[action$="/delgivning"]`).count(), 0);
    });
  });

  /** Registers an appeal received on `receivedOn` through the decision's form. */
  async function registerAppeal(page, receivedOn) {
    const n = flow.decisionId;
    await decisionOf(page).locator('summary', { hasText: 'Registrera överklagande' }).click();
    await page.fill(`#f-appeal-${n}-received_on`, receivedOn);
    await page.fill(`#f-appeal-${n}-note`, `Brev från parten (e2e ${tag})`);
    await submit(page, `form[action="/personal/beslut/${n}/overklagande"] button`, 303);
  }

  it('an appeal on the last day, a Monday, is in time', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=overklaganden`);
      await registerAppeal(page, DAY.lastDay);
      const appeal = appealOf(page, DAY.lastDay);
      assert.equal(await appeal.count(), 1);
      assert.equal(
        await text(appeal.locator('h4')),
        `Överklagande som kom in ${DAY.lastDay}: i rätt tid · väntar`,
      );
      assert.ok(
        (await text(appeal)).includes(`Prövat mot sista dagen ${DAY.lastDay}.`),
        await text(appeal),
      );
      // A timely appeal is examined, not dismissed.
      assert.equal(await appeal.locator('form[action$="/avvisa"]').count(), 0);
    }));

  it('an appeal the day after is late; the page with both has no axe violations', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=overklaganden`);
      await registerAppeal(page, DAY.appealed);
      const appeal = appealOf(page, DAY.appealed);
      assert.equal(await appeal.count(), 1);
      assert.equal(
        await text(appeal.locator('h4')),
        `Överklagande som kom in ${DAY.appealed}: för sent · väntar`,
      );
      assert.equal(await text(appeal.locator('h4 strong.flag')), 'för sent');
      assert.equal(await appeal.locator('form[action$="/avvisa"]').count(), 1);
      assert.equal(await appealOf(page, DAY.lastDay).count(), 1, 'the first is still there');
      await assertNoViolations(page, `${path} (two appeals, one late)`);
    }));

  it('the late appeal is dismissed', () =>
    withPage('officer', async (page) => {
      const { path } = opened();
      await visit(page, `${path}?del=overklaganden`);
      const appeal = appealOf(page, DAY.appealed);
      const action = (await appeal.locator('form[action$="/avvisa"]').getAttribute('action')) ?? '';
      const m = /^\/personal\/overklaganden\/(\d+)\/avvisa$/.exec(action);
      assert.ok(m, action);
      const a = m[1];
      assert.equal(await page.locator(`#f-dismiss-${a}-on_date`).inputValue(), DAY.appealed);
      const reasons = `Överklagandet kom in efter sista dagen ${DAY.lastDay} (e2e ${tag}).`;
      await page.fill(`#f-dismiss-${a}-reasons`, reasons);
      // A final step: asked first on a page of its own, which names the reasons.
      await submit(page, `form[action="${action}"] button[type="submit"]`, 200);
      assert.equal(await text(page.locator('h1')), 'Avvisa överklagandet?');
      assert.ok((await text(page.locator('main'))).includes(reasons));
      await assertNoViolations(page, `${action} (the confirmation)`);
      await submit(page, 'main form button:text-is("Ja, avvisa")', 303);
      const dismissed = appealOf(page, DAY.appealed);
      assert.equal(
        await text(dismissed.locator('h4')),
        `Överklagande som kom in ${DAY.appealed}: för sent · avvisat`,
      );
      assert.ok(
        (await text(dismissed)).includes(`Avvisat ${DAY.appealed}: ${reasons}`),
        await text(dismissed),
      );
      assert.equal(await dismissed.locator('form').count(), 0, 'nothing more to do with it');
      const timely = appealOf(page, DAY.lastDay);
      assert.match(await text(timely.locator('h4')), /: i rätt tid · väntar$/);
    }));

  it('the unit manager’s deadline watch lists the case; no axe violations', () =>
    withPage('manager', async (page) => {
      const { caseId, caseNumber } = opened();
      const path = `${WATCH}?visa=alla`;
      await visit(page, path);
      assert.equal(await h1(page), 'Bevakning');
      const links = page.locator(`main table.list a[href="/personal/arenden/${caseId}/bistand"]`);
      assert.ok((await links.count()) > 0, `case ${caseNumber} is watched`);
      assert.equal(await text(links.first()), caseNumber);
      const rows = page.locator('main table.list tbody tr', {
        has: page.locator(`a[href="/personal/arenden/${caseId}/bistand"]`),
      });
      const lines = await rows.evaluateAll((trs) =>
        trs.map((tr) => tr.textContent.replace(/\s+/g, ' ').trim()),
      );
      // The timely appeal waits to be sent to the court, since the day it came in.
      assert.ok(
        lines.some(
          (l) =>
            l.includes('Överklagande väntar på att skickas till förvaltningsrätten') &&
            l.includes(DAY.lastDay),
        ),
        lines.join('\n'),
      );
      await assertNoViolations(page, path);
    }));

  it('the unit manager’s reports for 2026Q4; no axe violations', () =>
    withPage('manager', async (page) => {
      const path = `${REPORTS}?kvartal=2026Q4`;
      await visit(page, path);
      assert.equal(await h1(page), 'Rapporter');
      assert.equal(await page.locator('#f-kvartal').inputValue(), '2026Q4');
      assert.equal(await page.locator('#f-kvartal-error').count(), 0, 'the quarter is accepted');
      await assertNoViolations(page, path);
    }));
});
