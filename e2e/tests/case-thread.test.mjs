// One thread of case work, walked by an officer with the keyboard alone and scanned with
// axe-core on every page it reaches (issue 12): a carer's contact request becomes a case, her
// application by phone finds her record again, a decision is made, its letter is ready, the
// notice goes by post today (the day of receipt left empty, presumed), she appeals, the board
// reconsiders, and the appeal is forwarded to the court after a confirmation of its own.
//
// The carer's request arrives through the public JSON API (the portal's form has its own
// keyboard walk in tests/keyboard.test.mjs); signing in has its own in tests/staff.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { pressAndWaitForLoad, pressAndWaitForURL, tabTo } from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer, stockholmToday } from '../lib/server.mjs';
import { INBOX, accountEmail, addAccount, fetchAs, signInEnrolling } from '../lib/staff.mjs';
import { totpTracker } from '../lib/totp.mjs';

/** The walk happens on one day, the server's own (the demo municipality's service starts
 * when its database is made, and nothing may be dated before that). */
let TODAY = '';
const PASSWORD = 'Tråd-Lingon-Moln-79';
const UNIT = 'Tråd e2e';

/** A valid personnummer of 1950 unique to this run (other files share the database). */
function personnummer(seed) {
  const serial = String(100 + (seed % 900)).padStart(3, '0');
  const digits = `500101${serial}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `19500101-${serial}${(10 - (sum % 10)) % 10}`;
}

describe('one thread from request to the court, keyboard only and axe-clean', () => {
  let server;
  let chrome;
  let context;
  let page;
  const codes = totpTracker({ now: () => server.now() });
  const officer = { local: 'trad-handlaggare', name: 'Tråd Handläggarsson', role: 'case-officer' };
  const seed = Date.now() + process.pid;
  const tag = seed.toString(36);
  const carer = { name: `Tråd Anhörigsdotter ${tag}`, pnr: personnummer(seed) };
  const thread = { reference: '', caseId: 0, assessed: '', decisionId: 0, appealId: 0 };

  before(async () => {
    server = await startServer();
    TODAY = stockholmToday(server.now());
    officer.email = accountEmail(server, officer.local);
    officer.password = PASSWORD;
    await addAccount(server, { ...officer, unit: UNIT });
    chrome = await launchBrowser();
    context = await newContext(chrome.browser, { bypassCSP: true });
    page = await context.newPage();
    await signInEnrolling(page, server, codes, officer);
  });

  after(async () => {
    await context?.close();
    await chrome?.close();
    await server?.stop();
  });

  async function scan(label) {
    const violations = await axeViolations(page);
    if (violations.length > 0) assert.fail(formatViolations(label, violations));
  }

  /** Tab to a field and type into it. */
  async function typeInto(selector, text) {
    await tabTo(page, { selector });
    await page.keyboard.type(text);
  }

  /** Tab to a field, select what is in it and type over it. */
  async function replaceInto(selector, text) {
    await tabTo(page, { selector });
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
    assert.equal(await page.locator(selector).inputValue(), text, selector);
  }

  /** Tab to a select and move its choice with the arrow keys until it is `value`. */
  async function choose(selector, value) {
    await tabTo(page, { selector });
    for (let i = 0; i < 60 && (await page.locator(selector).inputValue()) !== value; i++) {
      await page.keyboard.press('ArrowDown');
    }
    assert.equal(await page.locator(selector).inputValue(), value, `${selector} by keyboard`);
  }

  /** Tab to the submit button with this text and press Enter; waits for the next page. */
  async function send(text, status = 303) {
    await tabTo(page, { selector: 'main button[type="submit"]', text });
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await pressAndWaitForLoad(page, 'Enter');
    const got = (await posted).status();
    if (got !== status) {
      const summary = await page.locator('.error-summary').innerText().catch(() => '(none)');
      assert.fail(`"${text}" answered ${got}, want ${status}; error summary: ${summary}`);
    }
  }

  const go = async (path) => {
    const r = await page.goto(server.url(path));
    assert.equal(r?.status(), 200, path);
  };

  it('the carer asks for a conversation; the officer opens a case from the request', async () => {
    const r = await fetch(server.url(`/api/v1/municipalities/${DEMO_KOMMUNKOD}/contact-requests`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        consent: true,
        name: carer.name,
        personnummer: carer.pnr,
        phone: '070-123 45 67',
        wants: ['talk', 'respite'],
        message: `Jag orkar inte längre med nätterna (e2e ${tag}).`,
      }),
    });
    assert.equal(r.status, 201, await r.clone().text());
    thread.reference = (await r.json()).reference;

    await go(`${INBOX}?ordning=nyast`);
    await scan(INBOX);
    await tabTo(page, { selector: `main a`, text: thread.reference });
    await pressAndWaitForURL(page, 'Enter', /\/personal\/inkorg\/\d+$/);
    await scan('the request');
    await tabTo(page, { selector: 'main a', text: 'Öppna ärende' });
    await pressAndWaitForURL(page, 'Enter', /\/personal\/arenden\/nytt\?fran=/);
    await scan('a new case from the request');
    // The first kind, open support, is chosen already.
    assert.equal(await page.locator('#f-kind:checked').getAttribute('value'), 'open-support');
    await send('Öppna ärendet');
    const m = /\/personal\/arenden\/(\d+)$/.exec(new URL(page.url()).pathname);
    assert.ok(m, page.url());
    thread.caseId = Number(m[1]);
    // The request's words and how to reach her are in the case's first entry.
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(`Jag orkar inte längre med nätterna (e2e ${tag}).`), main);
    assert.ok(main.includes('070-123 45 67'), main);
    await scan('the case opened from the request');
  });

  it('her application by phone finds her record again and is taken at once', async () => {
    await go('/personal/ansokningar/ny');
    await scan('registering an application');
    await typeInto('#f-name', carer.name);
    await typeInto('#f-personnummer', carer.pnr);
    await tabTo(page, { selector: '#f-requested-avlosning-i-hemmet' });
    await page.keyboard.press('Space');
    await replaceInto('#f-received_on', TODAY);
    await choose('#f-channel', 'phone');
    await tabTo(page, { selector: '#f-consent' });
    await page.keyboard.press('Space');
    await tabTo(page, { selector: '#f-assign' });
    if (!(await page.locator('#f-assign').isChecked())) await page.keyboard.press('Space');
    await send('Registrera ansökan');
    const m = /\/personal\/arenden\/(\d+)\/bistand/.exec(page.url());
    assert.ok(m, page.url());
    thread.assessed = `/personal/arenden/${m[1]}/bistand`;
    await scan('the application taken');
    // One person: both cases are on her record.
    const r = await fetchAs(context, server, `/api/v1/cases?q=${encodeURIComponent(carer.pnr)}`);
    const found = (await r.json()).cases.map((c) => c.id);
    assert.ok(found.includes(thread.caseId) && found.includes(Number(m[1])), JSON.stringify(found));
  });

  it('consent and a decision, made with the keyboard; its letter is ready', async () => {
    await go(`${thread.assessed}?del=utredning`);
    await scan('the investigation part');
    // The consent form opens from its summary, with Enter.
    await tabTo(page, { selector: 'main summary', text: 'Registrera samtycke' });
    await page.keyboard.press('Enter');
    await choose('#f-consent-scope', 'respite');
    await typeInto('#f-consent-given_by', 'Den närstående själv');
    await replaceInto('#f-consent-given_on', TODAY);
    await send('Spara');
    assert.ok((await page.locator('main').innerText()).includes('Den närstående själv'));

    await go(`${thread.assessed}?del=beslut`);
    await scan('the decisions part');
    await tabTo(page, { selector: '#f-decision-outcome-granted' });
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#f-decision-outcome-granted').isChecked(), true);
    await typeInto('#f-decision-hours_per_month', '16');
    const inHalfAYear = stockholmToday(server.now() + 180 * 24 * 3600 * 1000);
    await replaceInto('#f-decision-period_from', TODAY);
    await replaceInto('#f-decision-period_to', inHalfAYear);
    await typeInto('#f-decision-reasons', `Behovet av avlösning är styrkt i utredningen (e2e ${tag}).`);
    await send('Fatta beslut');
    assert.equal(new URL(page.url()).searchParams.get('del'), 'beslut');
    await scan('the decision made');
    const letter = page.locator('main a', { hasText: 'Beslutsbrev (PDF)' });
    const href = (await letter.getAttribute('href')) ?? '';
    thread.decisionId = Number(/\/personal\/beslut\/(\d+)\/beslut\.pdf$/.exec(href)?.[1]);
    assert.ok(thread.decisionId > 0, href);
    await tabTo(page, { selector: 'main a', text: 'Beslutsbrev (PDF)' });
    const pdf = await fetchAs(context, server, href);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  });

  it('the notice goes by post today, the day of receipt left empty', async () => {
    await go(`${thread.assessed}?del=delgivning`);
    await scan('the notice part');
    const n = thread.decisionId;
    await choose(`#f-notice-${n}-method`, 'post');
    assert.equal(await page.locator(`#f-notice-${n}-sent_on`).inputValue(), TODAY);
    assert.equal(await page.locator(`#f-notice-${n}-received_on`).inputValue(), '');
    await send('Spara');
    const main = await page.locator('main').innerText();
    assert.ok(main.includes('antagen dag'), main);
    await scan('the notice recorded, receipt presumed');
  });

  it('she appeals; the board reconsiders; the appeal is forwarded after a confirmation', async () => {
    const n = thread.decisionId;
    await go(`${thread.assessed}?del=overklaganden`);
    await scan('the appeals part');
    await tabTo(page, { selector: 'main summary', text: 'Registrera överklagande' });
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`#f-appeal-${n}-received_on`).inputValue(), TODAY);
    await send('Registrera överklagande');
    await scan('the appeal registered');
    // Forwarding is not offered before a reconsideration is recorded.
    assert.equal(await page.locator('form[action$="/overlamna"]').count(), 0);
    const reconsider = page.locator('form[action$="/omprova"]');
    const action = (await reconsider.getAttribute('action')) ?? '';
    thread.appealId = Number(/\/personal\/overklaganden\/(\d+)\/omprova$/.exec(action)?.[1]);
    const a = thread.appealId;
    await choose(`#f-reconsider-${a}-reconsideration`, 'unchanged');
    await typeInto(`#f-reconsider-${a}-note`, 'Inga nya omständigheter har kommit fram.');
    await send('Spara');
    await scan('the reconsideration recorded');

    await tabTo(page, { selector: `form[action="/personal/overklaganden/${a}/overlamna"] button` });
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await pressAndWaitForLoad(page, 'Enter');
    assert.equal((await posted).status(), 200, 'asked first');
    assert.equal(
      (await page.locator('h1').innerText()).trim(),
      'Överlämna överklagandet till förvaltningsrätten?',
    );
    await scan('the forwarding confirmation');
    await send('Ja, överlämna');
    assert.equal(new URL(page.url()).searchParams.get('del'), 'overklaganden');
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(`Skickat till förvaltningsrätten ${TODAY}.`), main);
    await scan('the appeal forwarded');
    // The package says what happened: the board reconsidered and did not change it.
    const pkg = await fetchAs(context, server, `/personal/overklaganden/${a}/akt.pdf`);
    assert.equal(pkg.status, 200);
  });
});
