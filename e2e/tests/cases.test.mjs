// Cases, the journal, persons, the log review and account administration in the staff
// workspace (/personal): a keyboard-only journey from a contact request to a corrected
// journal entry and the party's extract, emergency access to another unit's case, a unit
// manager's review of what a colleague read, an administrator adding an account, and axe-core
// scans (WCAG 2.1 A/AA and best practices, no rule disabled) of every page and error state.
//
// Accounts: the journey is the demo case officer's (unit Myndighetsutövning äldreomsorg);
// the review is the demo unit manager's, the administration the demo municipal and system
// administrators'. Accounts that must have no access to the journey's case are made here
// with the CLI in a unit of their own ("Annan"), and enrol their own second factor.
//
// One-time codes: each account signs in at most twice here, and `codes` (a totpTracker)
// hands out the next step's code for a second sign-in within a step. With E2E_DATABASE_URL
// every test file shares one database, and tests/staff.test.mjs (later) signs the demo
// accounts in with a fresh tracker, i.e. with the current step's code; so at its end this
// file waits until the steps it used for demo accounts are over (`codes.settle`).
//
// Every signed-in context except the journey's bypasses the CSP (default-src 'none'), which
// forbids inline scripts such as the injected axe-core; the staff pages have no scripts.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
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
  CASES,
  CODE,
  DEMO_PASSWORD,
  DEMO_STAFF,
  DEMO_TOTP_SECRET,
  DEMO_UNITS,
  ENROL,
  INBOX,
  LOG,
  NEW_CASE,
  PERSONS,
  SIGN_IN,
  accountEmail,
  addAccount,
  at,
  fact,
  fetchAs,
  menu,
  signIn,
  signInEnrolling,
  submitPassword,
} from '../lib/staff.mjs';
import { totpTracker } from '../lib/totp.mjs';

const SUBMIT = 'main form[method="post"] button[type="submit"]';
const CASE_URL = /\/personal\/arenden\/\d+(#[^/]*)?$/;
const ITEM_URL = /\/personal\/inkorg\/\d+$/;
const PASSWORD = 'Tr4ktor-Lingon-Moln-77';
/** A password made by the accounts page: four words, dashes, two digits. */

/** Accounts made with the CLI, outside the journey case's unit; addresses set in before(). */
const OUTSIDERS = {
  /** Opens the journey's case with emergency access. */
  emergency: { local: 'utomstaende', name: 'Utom Enhetsson', role: 'case-officer' },
  /** Stays on the emergency page while it is scanned (access, once given, lasts an hour). */
  scanned: { local: 'utomstaende2', name: 'Utom Enhetsdotter', role: 'carer-support-officer' },
};
const OTHER_UNIT = 'Annan';

describe('cases, the journal, persons, the log review and accounts', () => {
  let server;
  let chrome;
  const codes = totpTracker();
  /** Signed-in contexts (CSP bypassed) by account key, made on first use. */
  const contexts = new Map();
  /** What the keyboard journey made. */
  const journey = {
    /** @type {string} */ casePath: '',
    caseId: 0,
    caseNumber: '',
    entryId: '',
    text: '',
    reason: '',
  };
  /** Run-unique words, so texts are found again on a shared database. */
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}`;

  before(async () => {
    server = await startServer();
    for (const a of Object.values(OUTSIDERS)) {
      a.email = accountEmail(server, a.local);
      a.password = PASSWORD;
      await addAccount(server, { ...a, unit: OTHER_UNIT });
    }
    chrome = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts.values()) await c.close();
    await chrome?.close();
    await server?.stop();
    // Other files sign the demo accounts in with the current step's code; do not leave them
    // a step this file used.
    if (server?.sharedDatabase) {
      await codes.settle(Object.values(DEMO_STAFF).map((s) => s.email));
    }
  });

  /** How each account (key) signs in; the page is left where the role starts. */
  const SIGN_INS = {
    reader: (page) => signIn(page, server, codes, DEMO_STAFF.caseOfficer.email),
    manager: (page) => signIn(page, server, codes, DEMO_STAFF.unitManager.email),
    admin: (page) =>
      signIn(page, server, codes, DEMO_STAFF.municipalAdmin.email, { landing: ADMIN }),
    sysadmin: (page) =>
      signIn(page, server, codes, DEMO_STAFF.systemAdmin.email, { landing: ADMIN }),
    emergency: (page) => signInEnrolling(page, server, codes, OUTSIDERS.emergency),
    scanned: (page) => signInEnrolling(page, server, codes, OUTSIDERS.scanned),
  };

  /**
   * A page of `key`'s signed-in context. The first time, the context is made and signed in,
   * and the page is the one that did it (left where the sign-in ends); later a blank one.
   * The caller closes it.
   * @returns {Promise<import('playwright-core').Page>}
   */
  async function pageOf(key) {
    if (contexts.has(key)) return contexts.get(key).newPage();
    const context = await newContext(chrome.browser, { bypassCSP: true });
    try {
      const page = await context.newPage();
      await SIGN_INS[key](page);
      contexts.set(key, context);
      return page;
    } catch (e) {
      await context.close();
      throw e;
    }
  }

  /** Runs `fn` with a page of `key`'s context, and closes the page. */
  async function withPage(key, fn) {
    const page = await pageOf(key);
    try {
      return await fn(page);
    } finally {
      await page.close();
    }
  }

  const h1 = async (page) => (await page.locator('h1').innerText()).trim();
  const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

  /** Goes to `path` and checks the HTTP status and that nothing redirected. */
  async function visit(page, path, status = 200) {
    const response = await page.goto(server.url(path));
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `HTTP status of GET ${path}`);
    assert.equal(new URL(page.url()).pathname, path.split('?')[0], `${path} was not redirected`);
  }

  /**
   * Clicks `selector` (a submit button), checks the POST's status, and waits for the page it
   * leads to (the answer itself, or where a 303 sends the browser) to load.
   */
  async function submit(page, selector, status) {
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    const loaded = page.waitForEvent('load');
    await page.click(selector);
    assert.equal((await posted).status(), status, `HTTP status of the POST from ${selector}`);
    await loaded;
  }

  /**
   * Waits for the autofocused error summary to have focus; returns its links as [href, text].
   * Unless `targets` is false, also checks that each link leads to an element on the page.
   */
  async function errorSummary(page, { targets = true } = {}) {
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
    if (targets) {
      const missing = await page.evaluate(
        (hrefs) => hrefs.filter((h) => !h.startsWith('#') || !document.getElementById(h.slice(1))),
        links.map(([href]) => href),
      );
      assert.deepEqual(missing, [], `every error links to its field on ${page.url()}`);
    }
    return links;
  }

  /** Runs axe on the page as it is; fails with a readable list of violations. */
  async function assertNoViolations(page, label) {
    await page.waitForLoadState('load');
    const violations = await axeViolations(page);
    if (violations.length > 0) assert.fail(formatViolations(label, violations));
  }

  /** The journey's case, or a failure saying the journey must run first. */
  function journeyCase() {
    assert.ok(journey.casePath, 'needs the keyboard journey to have opened a case');
    return journey;
  }

  // ---- Functional tests ----

  it('keyboard only: a case from a request, an entry marked wrong, the extract', async () => {
    const { email, name } = DEMO_STAFF.caseOfficer;
    const context = await newContext(chrome.browser);
    const page = await context.newPage();
    try {
      await page.goto(server.url(SIGN_IN));

      // Sign in: password, then a code from the authenticator.
      await tabTo(page, { selector: '#f-email' }, { max: 10 });
      await page.keyboard.type(email);
      await tabTo(page, { selector: '#f-password' }, { max: 1 });
      await page.keyboard.type(DEMO_PASSWORD);
      await pressAndWaitForURL(page, 'Enter', at(CODE));
      await tabTo(page, { selector: '#f-code' }, { max: 10 });
      await page.keyboard.type(await codes.code(email, DEMO_TOTP_SECRET));
      await pressAndWaitForURL(page, 'Enter', at(INBOX));
      assert.equal(await h1(page), 'Inkorg', 'a case reader starts in the inbox');
      assert.deepEqual(await menu(page), ['Inkorg', 'Ärenden', 'Personer', 'Stödkontakt', 'Bevakning']);

      // The first request of the inbox.
      const firstLink = '#forfragningar tbody tr:first-child td:first-child a';
      const reference = (await page.locator(firstLink).innerText()).trim();
      await tabTo(page, { selector: firstLink });
      await pressAndWaitForURL(page, 'Enter', ITEM_URL);
      assert.ok((await h1(page)).includes(reference), `the request ${reference} is open`);
      const carer = await fact(page, 'Namn');

      // "Öppna ärende" opens the form for a new case, with the request's reference filled in.
      await tabTo(page, { selector: 'main a', text: 'Öppna ärende' });
      await pressAndWaitForURL(page, 'Enter', at(NEW_CASE));
      assert.equal(new URL(page.url()).searchParams.get('fran'), reference);
      assert.equal(await h1(page), 'Öppna ett ärende');
      assert.equal(await page.locator('#f-contact_request').inputValue(), reference);
      assert.equal(
        await page.locator('input[name="kind"]:checked').count(),
        1,
        'a kind is chosen from the start',
      );
      await tabTo(page, { selector: SUBMIT, text: 'Öppna ärendet' });
      await pressAndWaitForURL(page, 'Enter', CASE_URL);

      const heading = await h1(page);
      assert.ok(heading.startsWith('Ärende '), `h1 "${heading}" starts with "Ärende "`);
      journey.casePath = new URL(page.url()).pathname;
      journey.caseId = Number(journey.casePath.split('/').pop());
      journey.caseNumber = heading.slice('Ärende '.length);
      assert.equal(await fact(page, 'Enhet'), DEMO_STAFF.caseOfficer.units[0], 'their unit');
      assert.equal(await fact(page, 'Hanteras av'), name, 'held by the one who opened it');
      const timeline = await text(page.locator('ol.timeline'));
      assert.ok(timeline.includes(`Ärendet öppnades (${name})`), timeline);
      // A named carer in the request becomes a person of the case.
      const persons = await text(page.locator('section[aria-labelledby="personer"]'));
      if (carer && carer !== 'Anonym' && carer !== '–') {
        assert.ok(persons.includes(`${carer} – anhörig`), `the carer is in the case: ${persons}`);
      }

      // A journal entry: Tab to the text, type, Tab to the button, Enter.
      journey.text = `Telefonsamtal med den anhörige om avlösning, e2e ${tag}.`;
      await tabTo(page, { selector: '#f-text' });
      await page.keyboard.type(journey.text);
      const save = { selector: 'main button[type="submit"]', text: 'Spara anteckningen' };
      await tabTo(page, save, { max: 1 });
      await pressAndWaitForLoad(page, 'Enter');
      assert.equal(new URL(page.url()).pathname, journey.casePath, 'back on the case');
      const entry = page.locator('article.entry').filter({
        has: page.locator('p.message', { hasText: journey.text }),
      });
      assert.equal(await entry.count(), 1, 'the entry is shown once, as an article');
      journey.entryId = (await entry.getAttribute('id')) ?? '';
      assert.match(journey.entryId, /^post-\d+$/);
      const n = journey.entryId.slice('post-'.length);
      assert.match(await text(entry.locator('h3')), new RegExp(`· Anteckning · ${name}$`));
      assert.equal(await entry.evaluate((a) => a.classList.contains('marked-wrong')), false);

      // Mark it wrong: open the details with the keyboard, give a reason, send.
      const details = page.locator(`#${journey.entryId} details`);
      const summary = { selector: `#${journey.entryId} summary`, text: 'Felmarkera anteckningen' };
      await tabTo(page, summary);
      assert.equal(await details.evaluate((d) => d.open), false, 'closed to begin with');
      await page.keyboard.press('Enter');
      assert.equal(await details.evaluate((d) => d.open), true, 'Enter opens the details');
      await tabTo(page, { selector: `#f-reason-${n}` }, { max: 2 });
      journey.reason = `Fel ärende, antecknat av misstag (e2e ${tag})`;
      await page.keyboard.type(journey.reason);
      const mark = { selector: `#${journey.entryId} button[type="submit"]`, text: 'Felmarkera' };
      await tabTo(page, mark, { max: 1 });
      await pressAndWaitForLoad(page, 'Enter');
      assert.equal(new URL(page.url()).pathname, journey.casePath);
      assert.equal(new URL(page.url()).hash, `#${journey.entryId}`, 'back at the entry');

      const marked = page.locator(`#${journey.entryId}`);
      assert.equal(await marked.evaluate((a) => a.classList.contains('marked-wrong')), true);
      assert.equal(await text(marked.locator('p.flag')), 'Felmarkerad');
      assert.equal(await text(marked.locator('p.message')), journey.text, 'the text is kept');
      const line = await text(marked.locator('p.mark'));
      assert.ok(line.startsWith('Felmarkerad '), line);
      assert.ok(line.endsWith(`, ${name}: ${journey.reason}`), line);

      // The party's extract: every entry, the correction included.
      // Back up the page to the link (it is above the journal).
      const extract = { selector: 'main a', text: 'Utdrag för den enskilde (partsinsyn)' };
      await tabTo(page, extract, { backwards: true });
      await pressAndWaitForURL(page, 'Enter', at(`${journey.casePath}/utdrag`));
      assert.equal(await h1(page), `Utdrag ur ärende ${journey.caseNumber}`);
      const section = page.locator('article.entry').filter({ hasText: journey.text });
      assert.equal(await section.count(), 1, 'the entry is in the extract');
      assert.equal(await text(section.locator('p.message')), journey.text);
      const copy = await text(section.locator('p.mark'));
      assert.ok(copy.startsWith('Felmarkerad '), copy);
      assert.ok(copy.endsWith(`, ${name}: ${journey.reason}`), copy);
    } finally {
      await context.close();
    }
  });

  it('another unit’s case asks for a reason and opens with emergency access', async () => {
    const { casePath, caseNumber, entryId, text: entryText } = journeyCase();
    await withPage('emergency', async (page) => {
      await visit(page, casePath, 403);
      assert.equal(await h1(page), 'Nödåtkomst');
      assert.equal(await page.locator('article.entry').count(), 0, 'no journal shown');
      assert.equal(await page.locator('main').getByText(caseNumber).count(), 0, 'no number');

      // Too short a reason.
      await page.fill('#f-reason', 'Behövs');
      await submit(page, SUBMIT, 422);
      assert.match(await page.title(), /^Fel i formuläret: Nödåtkomst/);
      assert.deepEqual(await errorSummary(page), [['#f-reason', 'Skriv skälet med några ord.']]);
      assert.equal(await page.locator('article.entry').count(), 0, 'still no journal');

      // A reason.
      const reason = `Den anhörige ringer i kris och handläggaren är sjuk (e2e ${tag})`;
      await page.fill('#f-reason', reason);
      await submit(page, SUBMIT, 303);
      assert.equal(new URL(page.url()).pathname, casePath, 'back on the case');
      assert.equal(await h1(page), `Ärende ${caseNumber}`);
      const note = await text(page.locator('main [role="note"]'));
      assert.ok(note.startsWith('Du har nödåtkomst till det här.'), `the note: "${note}"`);
      assert.ok(note.includes(reason), `the note gives the reason: "${note}"`);
      assert.equal(await text(page.locator(`#${entryId} p.message`)), entryText);
      assert.equal(
        await page.locator(`#${entryId} details`).count(),
        0,
        'only the author or a unit manager may mark the entry wrong',
      );

      // The access lasts: the case opens again without asking.
      await visit(page, casePath, 200);
      assert.equal(await h1(page), `Ärende ${caseNumber}`);
    });
  });

  it('a unit manager sees what a colleague read, and gets it as CSV', async () => {
    const { caseId } = journeyCase();
    const colleague = DEMO_STAFF.caseOfficer.name;
    await withPage('manager', async (page) => {
      assert.match(page.url(), at(INBOX), 'a unit manager starts in the inbox');
      assert.deepEqual(await menu(page), [
        'Inkorg', 'Ärenden', 'Personer', 'Aktiviteter och grupper', 'Samtal', 'Statistik',
        'Stödkontakt', 'Bevakning', 'Rapporter', 'Logg', 'Gallring',
      ]);
      await visit(page, LOG);
      assert.equal(await h1(page), 'Logg');
      assert.equal(await page.locator('#rv-result').count(), 0, 'no result before a search');

      const form = page.locator('form[aria-labelledby="rv-user"]');
      assert.equal(await text(form.locator('h2')), 'Vad har en medarbetare läst?');
      await page.selectOption('#f-anvandare', { label: colleague });
      await Promise.all([
        page.waitForURL((u) => u.pathname === LOG && u.searchParams.get('vy') === 'anvandare'),
        form.locator('button[type="submit"]').click(),
      ]);
      await page.waitForLoadState('load');
      const count = Number(/^Träffar: (\d+)$/.exec(await text(page.locator('#rv-result')))?.[1]);
      assert.ok(count > 0, `some rows for ${colleague}`);
      const rows = page.locator('main table.list tbody tr');
      assert.equal(await rows.count(), count, 'a row for each hit');
      const cells = await rows.evaluateAll((trs) =>
        trs.map((tr) => [...tr.cells].map((td) => td.textContent.replace(/\s+/g, ' ').trim())),
      );
      for (const [, who] of cells) assert.ok(who.startsWith(colleague), `a row of ${who}`);
      assert.ok(
        cells.some(([, , action, object]) => action === 'case.read' && object === `case ${caseId}`),
        `the journey's case ${caseId} was read: ${JSON.stringify(cells.slice(0, 5))}`,
      );
      assert.ok(cells.some(([, , action]) => action === 'case.open'), 'and opened');

      const csvLink = page.locator('main a', { hasText: 'Ladda ner som CSV' });
      const href = await csvLink.getAttribute('href');
      assert.ok(href?.startsWith(`${LOG}?`), `the CSV link: ${href}`);
      assert.equal(new URL(href, server.baseUrl).searchParams.get('format'), 'csv');
      const res = await fetchAs(page.context(), server, href);
      assert.equal(res.status, 200, `GET ${href}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv\b/);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment\b/);
      const lines = (await res.text()).trim().split(/\r?\n/);
      assert.equal(lines.length, count + 1, 'a header line and a line for each row');
      assert.ok(lines.slice(1).some((l) => l.includes('case.read') && l.includes(colleague)));

      // Without a session the log is not there to read.
      const anonymous = await fetch(server.url(href), { redirect: 'manual' });
      assert.equal(anonymous.status, 303);
      assert.equal(anonymous.headers.get('location'), SIGN_IN);
    });
  });

  it('a municipal admin starts among the accounts and adds one', async () => {
    const added = {
      name: `Ny Kollega ${tag}`,
      email: accountEmail(server, 'kollega'),
    };
    await withPage('admin', async (page) => {
      assert.match(page.url(), at(ADMIN), 'an administrator starts among the accounts');
      assert.equal(await h1(page), 'Konton');
      assert.deepEqual(await menu(page), ['Konton', 'Öppet stöd', 'Brevtexter', 'Gallring'], 'the menu shows only what the role uses');
      const table = page.locator('main table.list');
      assert.ok(
        (await text(table)).includes(DEMO_STAFF.caseOfficer.email),
        'the municipality’s accounts are listed',
      );
      assert.equal(await page.locator('#new-password').count(), 0);

      await page.fill('#f-name', added.name);
      await page.fill('#f-email', added.email);
      await page.selectOption('#f-role', 'case-officer');
      await page.fill('#f-unit', DEMO_UNITS.carerSupport);
      await submit(page, `${SUBMIT}:text-is("Lägg till")`, 200);
      assert.equal(new URL(page.url()).pathname, ADMIN);
      assert.equal(await page.locator('#error-summary').count(), 0, 'no errors');
      const notice = await text(page.locator('main .callout[role="status"]'));
      assert.ok(
        notice.startsWith(`Kontot ${added.email} är skapat. En länk för att välja lösenord har skickats till adressen.`),
        notice,
      );
      assert.equal(await page.locator('#new-password').count(), 0, 'nobody is shown a password');
      assert.doesNotMatch(await page.content(), /nytt-losenord\/[A-Za-z0-9_-]{20,}/, 'nor the link');
      const row = table.locator('tbody tr').filter({ hasText: added.email });
      assert.equal(await row.count(), 1, 'the new account is listed');
      assert.match(await text(row), /biståndshandläggare/);
      assert.match(await text(row), /Aktivt/);
    });

    // The holder chooses the password through the mailed link (crates/server/tests/staff.rs
    // follows it); here an operator sets one, and the new case officer must turn on two-step
    // sign-in first.
    added.password = 'ett eget lösenord för den nya';
    await server.cli(['user', 'reset-password', '--email', added.email, '--password-stdin'], {
      input: `${added.password}\n`,
    });
    const context = await newContext(chrome.browser);
    try {
      const page = await context.newPage();
      await page.goto(server.url(SIGN_IN));
      const [, status] = await Promise.all([
        page.waitForURL(at(ENROL)),
        submitPassword(page, server, added.email, added.password),
      ]);
      assert.equal(status, 303);
    } finally {
      await context.close();
    }
  });

  // ---- Accessibility: every page and error state, as its role sees it ----

  describe('axe-core: no accessibility violations', () => {
    /** The person with a protected address the scans use, made through the JSON API. */
    let protectedPerson = null;

    /**
     * A person with a protected address (skyddad folkbokföring), in a case of the reader's,
     * made with the JSON API on the reader's session; the person's page gives its P-ref.
     */
    async function personWithProtectedAddress() {
      if (protectedPerson) return protectedPerson;
      return withPage('reader', async (page) => {
        const context = page.context();
        const post = (path, body) =>
          fetchAs(context, server, path, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const familyName = 'Skyddsdotter';
        const created = await post('/api/v1/persons', {
          given_name: 'Hemlig',
          family_name: familyName,
          protection: 'skyddad_folkbokforing',
          address_line: 'Gömda gatan 1',
          postal_code: '999 99',
          city: 'Demostad',
        });
        assert.equal(created.status, 201, `POST /api/v1/persons: ${await created.clone().text()}`);
        const { id } = await created.json();
        const opened = await post('/api/v1/cases', {
          kind: 'open-support',
          persons: [{ id, role: 'care_recipient' }],
        });
        assert.equal(opened.status, 201, `POST /api/v1/cases: ${await opened.clone().text()}`);
        await visit(page, `${PERSONS}/${id}`);
        const ref = await fact(page, 'Personnummer eller id');
        assert.match(ref ?? '', /^P-/, 'a person without a number has an internal id');
        protectedPerson = { id, familyName, ref };
        return protectedPerson;
      });
    }

    /** Loads `path` as `key`, checks its status, scans it. */
    const scan = (key, path, status = 200) =>
      withPage(key, async (page) => {
        await visit(page, path, status);
        await assertNoViolations(page, `${path} (${key})`);
      });

    it(`${CASES} (a list of cases)`, async () => {
      journeyCase();
      await withPage('reader', async (page) => {
        await visit(page, CASES);
        assert.ok((await page.locator('main table.list tbody tr').count()) > 0, 'some cases');
        await assertNoViolations(page, CASES);
      });
    });

    it(`${CASES}?q=… (a search by name) and an unknown status (422)`, async () => {
      const { familyName } = await personWithProtectedAddress();
      await withPage('reader', async (page) => {
        // The reader holds the case, so the protected person is named to them.
        const path = `${CASES}?q=${encodeURIComponent(familyName)}`;
        await visit(page, path);
        assert.ok((await page.locator('main table.list tbody tr').count()) > 0, 'a case found');
        await assertNoViolations(page, path);
        await visit(page, `${CASES}?status=lost`, 422);
        assert.deepEqual(await errorSummary(page), [
          ['#f-status', 'Status: Välj ett av alternativen.'],
        ]);
        await assertNoViolations(page, `${CASES}?status=lost`);
      });
    });

    it(`${PERSONS}/{id} with a possible duplicate, and the merge's confirmation page`, () =>
      withPage('reader', async (page) => {
        const post = (body) =>
          fetchAs(page.context(), server, '/api/v1/persons', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
        const ids = [];
        for (const birth of ['1948-02-29', '']) {
          const r = await post({ given_name: 'Dubbel', family_name: 'Dubbelsson', birth_date: birth });
          assert.equal(r.status, 201, await r.clone().text());
          ids.push((await r.json()).id);
        }
        await visit(page, `${PERSONS}/${ids[0]}`);
        const merge = page.locator(`a[href="${PERSONS}/${ids[0]}/sammanfoga/${ids[1]}"]`);
        assert.equal(await merge.count(), 1, 'the duplicate is offered');
        await assertNoViolations(page, `${PERSONS}/${ids[0]} (a duplicate)`);
        await Promise.all([page.waitForEvent('load'), merge.click()]);
        assert.ok(await page.locator('main button:text-is("Ja, sammanfoga")').isVisible());
        await assertNoViolations(page, `${PERSONS}/${ids[0]}/sammanfoga/${ids[1]}`);
      }));

    it(NEW_CASE, () => scan('reader', NEW_CASE));

    it(`${NEW_CASE} after an unknown request reference (422)`, () =>
      withPage('reader', async (page) => {
        await visit(page, `${NEW_CASE}?fran=ZZZ-ZZZZ`);
        await submit(page, SUBMIT, 422);
        assert.deepEqual(await errorSummary(page), [
          ['#f-contact_request', 'Det finns ingen förfrågan med den referensen i kommunen.'],
        ]);
        await assertNoViolations(page, `${NEW_CASE} (422)`);
      }));

    it('a case page with entries, one marked wrong', () =>
      withPage('reader', async (page) => {
        const { casePath, entryId } = journeyCase();
        await visit(page, casePath);
        // A second entry, a phone call, beside the one marked wrong.
        await page.selectOption('#f-kind', 'phone_call');
        await page.fill('#f-text', `Ringde upp och bokade ett samtal (e2e ${tag}).`);
        await submit(page, `${SUBMIT}:text-is("Spara anteckningen")`, 303);
        assert.ok((await page.locator('article.entry').count()) >= 2, 'two entries');
        assert.equal(await page.locator('article.entry.marked-wrong').count(), 1);
        assert.equal(await page.locator(`#${entryId}.marked-wrong`).count(), 1);
        await assertNoViolations(page, `${casePath} (entries, one marked wrong)`);
      }));

    it('a case page after an empty journal entry (422)', () =>
      withPage('reader', async (page) => {
        const { casePath } = journeyCase();
        await visit(page, casePath);
        await page.fill('#f-text', '');
        await submit(page, `${SUBMIT}:text-is("Spara anteckningen")`, 422);
        const links = await errorSummary(page);
        assert.equal(links.length, 1, JSON.stringify(links));
        assert.equal(links[0][0], '#f-text');
        await assertNoViolations(page, `${casePath} (journal error)`);
      }));

    it('a case page after a correction without a reason (422)', () =>
      withPage('reader', async (page) => {
        const { casePath, entryId } = journeyCase();
        await visit(page, casePath);
        const own = page.locator('article.entry:not(.marked-wrong)').filter({
          has: page.locator('details'),
        });
        assert.ok((await own.count()) > 0, 'an entry the reader may mark wrong');
        const id = await own.first().getAttribute('id');
        assert.notEqual(id, entryId);
        await own.first().locator('summary').click();
        await submit(page, `#${id} button[type="submit"]`, 422);
        // Its link's target is a known bug (see above); the page itself is scanned here.
        await errorSummary(page, { targets: false });
        await assertNoViolations(page, `${casePath} (correction error)`);
      }));

    it('the emergency access page (403) and its error (422)', () =>
      withPage('scanned', async (page) => {
        const { casePath } = journeyCase();
        await visit(page, casePath, 403);
        assert.equal(await h1(page), 'Nödåtkomst');
        await assertNoViolations(page, `${casePath} (emergency access, 403)`);
        await page.fill('#f-reason', 'kort');
        await submit(page, SUBMIT, 422);
        await errorSummary(page);
        await assertNoViolations(page, `${casePath}/nodatkomst (422)`);
      }));

    it('the extract for the party', () => {
      const { casePath } = journeyCase();
      return scan('reader', `${casePath}/utdrag`);
    });

    it(`${PERSONS} (no search yet)`, () =>
      withPage('reader', async (page) => {
        await visit(page, PERSONS);
        assert.equal(await page.locator('main table').count(), 0);
        await assertNoViolations(page, PERSONS);
      }));

    it(`${PERSONS}?q=… (results)`, async () => {
      const { familyName } = await personWithProtectedAddress();
      await withPage('reader', async (page) => {
        await visit(page, `${PERSONS}?q=${encodeURIComponent(familyName)}`);
        const rows = page.locator('main table.list tbody tr');
        assert.ok((await rows.count()) > 0, `hits for ${familyName}`);
        assert.match(await text(rows.first()), /Skyddad folkbokföring/);
        assert.ok(!(await text(page.locator('main'))).includes('Gömda gatan'), 'no address');
        await assertNoViolations(page, `${PERSONS}?q=${familyName}`);
      });
    });

    it(`${PERSONS}/ny (register a person, empty and with errors)`, () =>
      withPage('reader', async (page) => {
        await visit(page, `${PERSONS}/ny`);
        await assertNoViolations(page, `${PERSONS}/ny`);
        await page.fill('#f-family_name', 'Utan Förnamn');
        await page.fill('#f-id_number', '811218-9877');
        await submit(page, `${SUBMIT}:text-is("Registrera")`, 422);
        const links = (await errorSummary(page, { targets: false })).map(([href]) => href);
        assert.ok(links.includes('#f-given_name') && links.includes('#f-id_number'), links.join(' '));
        await assertNoViolations(page, `${PERSONS}/ny (422)`);
      }));

    it(`${PERSONS}?q=a (too short, 422)`, () =>
      withPage('reader', async (page) => {
        await visit(page, `${PERSONS}?q=a`, 422);
        assert.deepEqual(await errorSummary(page), [['#f-q', 'Skriv minst två tecken.']]);
        await assertNoViolations(page, `${PERSONS}?q=a`);
      }));

    it(`${PERSONS}/{id} (a protected address)`, async () => {
      const { id } = await personWithProtectedAddress();
      await withPage('reader', async (page) => {
        await visit(page, `${PERSONS}/${id}`);
        assert.equal(await fact(page, 'Adress'), 'Skyddad adress. Visas inte.');
        assert.ok(!(await text(page.locator('main'))).includes('Gömda gatan'), 'no address');
        await assertNoViolations(page, `${PERSONS}/${id}`);
      });
    });

    it(`${LOG} (no search yet)`, () => scan('manager', LOG));

    it(`${LOG}?vy=person (who read a person)`, async () => {
      const { ref } = await personWithProtectedAddress();
      const path = `${LOG}?vy=person&person=${encodeURIComponent(ref)}`;
      await withPage('manager', async (page) => {
        await visit(page, path);
        assert.ok((await page.locator('main table.list tbody tr').count()) > 0, 'reads of it');
        await assertNoViolations(page, path);
      });
    });

    it(`${LOG}?vy=person with an unknown person (422)`, () =>
      withPage('manager', async (page) => {
        await visit(page, `${LOG}?vy=person&person=P-0000000`, 422);
        assert.deepEqual(await errorSummary(page), [
          ['#f-person', 'Ingen person med det numret finns i kommunen.'],
        ]);
        await assertNoViolations(page, `${LOG}?vy=person (422)`);
      }));

    it(`${LOG}?vy=anvandare (what a colleague read)`, () =>
      withPage('manager', async (page) => {
        await visit(page, LOG);
        const id = await page
          .locator('#f-anvandare option', { hasText: DEMO_STAFF.caseOfficer.name })
          .first()
          .getAttribute('value');
        const path = `${LOG}?vy=anvandare&anvandare=${id}`;
        await visit(page, path);
        assert.ok((await page.locator('main table.list tbody tr').count()) > 0, 'reads');
        await assertNoViolations(page, path);
      }));

    it(`${LOG}?vy=monster (unusual patterns)`, () =>
      withPage('manager', async (page) => {
        await visit(page, `${LOG}?vy=monster`);
        // The emergency access test gave one.
        const rows = page.locator('main table.list tbody tr');
        assert.ok((await rows.count()) > 0, 'emergency accesses are listed');
        assert.match(await text(rows.first()), /case\.emergency_access/);
        await assertNoViolations(page, `${LOG}?vy=monster`);
      }));

    it(`${ADMIN} (municipal admin)`, () => scan('admin', ADMIN));

    it(`${ADMIN} after adding an account`, () =>
      withPage('admin', async (page) => {
        await visit(page, ADMIN);
        await page.fill('#f-name', `Granskad Kollega ${tag}`);
        await page.fill('#f-email', accountEmail(server, 'granskad'));
        await page.selectOption('#f-role', 'carer-support-officer');
        await submit(page, `${SUBMIT}:text-is("Lägg till")`, 200);
        assert.match(await text(page.locator('main .callout[role="status"]')), /är skapat/);
        await assertNoViolations(page, `${ADMIN} (account added)`);
      }));

    it(`${ADMIN} with errors (422)`, () =>
      withPage('admin', async (page) => {
        await visit(page, ADMIN);
        await page.fill('#f-email', 'inte-en-adress');
        await submit(page, `${SUBMIT}:text-is("Lägg till")`, 422);
        const links = await errorSummary(page);
        assert.deepEqual(
          links.map(([href]) => href).sort(),
          ['#f-email', '#f-name'],
          JSON.stringify(links),
        );
        assert.equal(await page.locator('#new-password').count(), 0, 'no account made');
        await assertNoViolations(page, `${ADMIN} (422)`);
      }));

    it(`${ADMIN}?kommun=${DEMO_KOMMUNKOD} (system admin)`, () =>
      withPage('sysadmin', async (page) => {
        await visit(page, `${ADMIN}?kommun=${DEMO_KOMMUNKOD}`);
        assert.equal(await page.locator('#f-kommun-pick').inputValue(), DEMO_KOMMUNKOD);
        assert.ok(
          (await text(page.locator('main table.list'))).includes(DEMO_STAFF.caseOfficer.email),
          'the municipality’s accounts',
        );
        await assertNoViolations(page, `${ADMIN}?kommun=${DEMO_KOMMUNKOD}`);
      }));
  });

  // ---- Regressions: bugs these tests found once, now fixed ----

  describe('fixed bugs stay fixed', () => {
    it(
      'a correction without a reason links the error to that entry’s reason field',
      () =>
        withPage('reader', async (page) => {
          const { casePath, entryId } = journeyCase();
          await visit(page, casePath);
          // A fresh entry of the reader's own, then its correction without a reason.
          await page.fill('#f-text', `Ska felmarkeras utan skäl (e2e ${tag}).`);
          await submit(page, `${SUBMIT}:text-is("Spara anteckningen")`, 303);
          const last = page.locator('article.entry').last();
          const id = await last.getAttribute('id');
          assert.notEqual(id, entryId);
          await last.locator('summary').click();
          await submit(page, `#${id} button[type="submit"]`, 422);
          const links = await errorSummary(page, { targets: false });
          assert.deepEqual(links, [
            [
              `#f-reason-${id.slice('post-'.length)}`,
              'Skriv med några ord varför anteckningen är fel.',
            ],
          ]);
          assert.ok(await page.locator(`#${id} details`).evaluate((d) => d.open), 'shown open');
        }),
    );

    it(
      'a wrong date in the log review links the error to its field',
      () =>
        withPage('manager', async (page) => {
          await visit(page, `${LOG}?vy=monster&fran=2026-13-01`, 422);
          await errorSummary(page);
        }),
    );

    it(
      'a system admin’s missing municipality links the error to its field',
      () =>
        withPage('sysadmin', async (page) => {
          await visit(page, ADMIN);
          await page.fill('#f-name', `Utan Kommun ${tag}`);
          await page.fill('#f-email', accountEmail(server, 'utan-kommun'));
          await page.selectOption('#f-role', 'case-officer');
          await submit(page, `${SUBMIT}:text-is("Lägg till")`, 422);
          await errorSummary(page);
        }),
    );

    it(
      'the emergency access note gives the reason as it was written',
      () =>
        withPage('emergency', async (page) => {
          const { casePath } = journeyCase();
          await visit(page, casePath);
          const note = await text(page.locator('main [role="note"]'));
          assert.match(note, /^Du har nödåtkomst till det här\. Skäl: Den anhörige ringer/);
        }),
    );

    it(
      'a signed-in administrator who opens the sign-in page is sent among the accounts',
      () =>
        withPage('admin', async (page) => {
          await page.goto(server.url(SIGN_IN));
          assert.match(page.url(), at(ADMIN));
        }),
    );

    it(
      'the extract’s entries are landmarks with names of their own',
      () =>
        withPage('reader', async (page) => {
          const { casePath } = journeyCase();
          await visit(page, casePath);
          // Meetings until two entries have the same heading (a minute may turn in between).
          for (let i = 0; i < 3; i++) {
            await page.selectOption('#f-kind', 'meeting');
            await page.fill('#f-text', `Möte ${i + 1} (e2e ${tag}).`);
            await submit(page, `${SUBMIT}:text-is("Spara anteckningen")`, 303);
            const names = await page
              .locator('article.entry h3')
              .evaluateAll((hs) => hs.map((h) => h.textContent.trim()));
            if (new Set(names).size < names.length) break;
          }
          await visit(page, `${casePath}/utdrag`);
          await assertNoViolations(page, `${casePath}/utdrag (two entries alike)`);
        }),
    );
  });
});
