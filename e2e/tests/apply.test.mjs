// The application form for assessed support (ansökan om bistånd): axe-core scans of the form,
// the form with errors and the confirmation; a keyboard-only journey from a support page to
// the confirmation (after the first page.goto only page.keyboard: Tab, Space, Enter, typing);
// the error summary by keyboard; and the form with JavaScript switched off.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { describeFocus, focusMatches, pressAndWaitForURL, tabTo } from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';

const K = DEMO_KOMMUNKOD;
const FORM = `/kommun/${K}/ansok`;
const REFERENCE = /^ANS-[A-Z2-9]{4}-[A-Z2-9]{4}$/;
const DONE_URL = new RegExp(`/kommun/${K}/ansok/skickad/ANS-[^/?#]+(\\?.*)?$`);
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const DONE_HEADING = 'Tack, vi har tagit emot din ansökan';
// A valid but fake personnummer (Skatteverket's test number).
const PNR = '19121212-1212';
const NAME = 'Demo Anhörigsson';

describe('the application form', () => {
  let server;
  let chrome;

  before(async () => {
    server = await startServer();
    chrome = await launchBrowser();
  });

  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  describe('axe-core: no accessibility violations', () => {
    let context;

    before(async () => {
      // The portal's CSP (default-src 'none') forbids inline scripts; axe is injected as one.
      context = await newContext(chrome.browser, { bypassCSP: true });
    });

    after(async () => {
      await context?.close();
    });

    async function scanWith(label, open) {
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

    it(FORM, () =>
      scanWith(FORM, async (page) => {
        const response = await page.goto(server.url(FORM));
        assert.equal(response?.status(), 200);
        assert.ok((await page.locator('input[name="requested"]').count()) > 5);
      }));

    it(`${FORM}?stod=vaxelvard (an entry chosen)`, () =>
      scanWith(`${FORM}?stod=vaxelvard`, async (page) => {
        const response = await page.goto(server.url(`${FORM}?stod=vaxelvard`));
        assert.equal(response?.status(), 200);
        assert.equal(await page.locator('input[name="requested"][value="vaxelvard"]').isChecked(), true);
      }));

    it(`${FORM} after an empty submit (error summary)`, () =>
      scanWith(`${FORM} (errors)`, async (page) => {
        await page.goto(server.url(FORM));
        const posted = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.click(SUBMIT);
        assert.equal((await posted).status(), 422, 'an invalid form answers 422');
        await page.waitForSelector('#error-summary');
        // Every kind of error at once: the group, a text field, the consent box.
        for (const id of ['f-name-error', 'f-personnummer-error', 'f-requested-error', 'f-consent-error']) {
          assert.equal(await page.locator(`#${id}`).count(), 1, `#${id}`);
        }
      }));

    it(`${FORM} after a submit with a bad personnummer and e-mail`, () =>
      scanWith(`${FORM} (field errors)`, async (page) => {
        await page.goto(server.url(FORM));
        await page.fill('#f-name', NAME);
        await page.fill('#f-personnummer', '19121212-1213');
        await page.fill('#f-email', 'inte en adress');
        await page.check('#f-requested');
        await page.check('#f-consent');
        const posted = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.click(SUBMIT);
        assert.equal((await posted).status(), 422);
        await page.waitForSelector('#f-personnummer-error');
        await page.waitForSelector('#f-email-error');
      }));

    it(`${FORM} confirmation`, () =>
      scanWith(`${FORM}/skickad/…`, async (page) => {
        await page.goto(server.url(`${FORM}?stod=vaxelvard`));
        await page.fill('#f-name', NAME);
        await page.fill('#f-personnummer', PNR);
        await page.fill('#f-phone', '070-123 45 67');
        await page.check('#f-consent');
        await page.click(SUBMIT);
        await page.waitForURL(DONE_URL);
        await page.waitForSelector('#reference');
        assert.equal(await page.locator('#samtycke').count(), 1, 'the consent section is shown');
      }));
  });

  describe('by keyboard', () => {
    let context;
    /** @type {import('playwright-core').Page} */
    let page;

    beforeEach(async () => {
      context = await newContext(chrome.browser);
      page = await context.newPage();
    });

    afterEach(async () => {
      await context?.close();
    });

    it('applies for respite from its support page using only the keyboard', async () => {
      await page.goto(server.url(`/kommun/${K}/stod/vaxelvard`));

      await tabTo(page, { selector: 'main a', text: 'Ansök om det här stödet' });
      await pressAndWaitForURL(page, 'Enter', new RegExp(`${FORM}\\?stod=vaxelvard$`));
      assert.equal(await page.locator('h1').innerText(), 'Ansök om stöd');
      assert.equal(
        await page.locator('input[name="requested"][value="vaxelvard"]').isChecked(),
        true,
        'the support page chose its entry',
      );

      await tabTo(page, { selector: '#f-name' });
      await page.keyboard.type(NAME);
      await tabTo(page, { selector: '#f-personnummer' }, { max: 3 });
      await page.keyboard.type(PNR);
      await tabTo(page, { selector: '#f-phone' }, { max: 3 });
      await page.keyboard.type('070-123 45 67');

      // Tab enters the radio group at the chosen radio: the carer, chosen from the start.
      await tabTo(page, { selector: 'input[name="role"]' }, { max: 3 });
      assert.ok(
        await focusMatches(page, { selector: '#f-role:checked' }),
        `the carer's radio is focused and chosen, not ${await describeFocus(page)}`,
      );

      await tabTo(page, { selector: '#f-recipient_name' }, { max: 3 });
      await page.keyboard.type('Demo Närståendesson');

      await tabTo(page, { selector: '#f-requested-avlosning-i-hemmet' });
      await page.keyboard.press('Space');
      assert.equal(
        await page.locator('#f-requested-avlosning-i-hemmet').isChecked(),
        true,
        'Space ticks a checkbox',
      );

      await tabTo(page, { selector: '#f-free_text' });
      await page.keyboard.type('Hjälp med trädgården');
      await tabTo(page, { selector: '#f-message' }, { max: 3 });
      await page.keyboard.type('Jag vårdar min pappa och behöver vila.');

      await tabTo(page, { selector: '#f-consent' }, { max: 3 });
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#f-consent').isChecked(), true, 'Space ticks the consent box');

      await tabTo(page, { selector: SUBMIT });
      await pressAndWaitForURL(page, 'Enter', DONE_URL);

      assert.equal((await page.locator('h1').innerText()).trim(), DONE_HEADING);
      const reference = (await page.locator('#reference').innerText()).trim();
      assert.match(reference, REFERENCE);
      assert.ok(page.url().includes(`/skickad/${reference}`), 'the URL carries the reference');
      const text = await page.locator('main').innerText();
      assert.match(text, /biståndshandläggare/);
      assert.match(text, /skriftligt beslut/);
      assert.match(text, /inom tre veckor/);
      assert.equal(await page.locator('#samtycke').count(), 1, 'respite needs the consent of the one helped');
    });

    it('announces errors and the summary leads the keyboard to each field', async () => {
      await page.goto(server.url(FORM));

      await tabTo(page, { selector: SUBMIT });
      const posted = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.keyboard.press('Enter');
      assert.equal((await posted).status(), 422);
      await page.waitForSelector('#error-summary');
      await page.waitForLoadState('load');

      const summary = page.locator('#error-summary');
      assert.equal(await summary.getAttribute('role'), 'alert');
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
      assert.deepEqual(links, ['#f-name', '#f-personnummer', '#f-requested', '#f-consent']);

      // Every link points at a field on the page.
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
      // The group's link lands on its first checkbox.
      await tabTo(page, { selector: '#error-summary a[href="#f-requested"]' }, { backwards: true });
      await pressAndWaitForURL(page, 'Enter', /#f-requested$/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-requested');

      for (const field of ['name', 'personnummer', 'consent', 'requested']) {
        const input = page.locator(`#f-${field}`);
        assert.equal(await input.getAttribute('aria-invalid'), 'true', `#f-${field} is invalid`);
        const error = page.locator(`#f-${field}-error`);
        assert.equal(await error.count(), 1, `#f-${field}-error exists`);
        assert.ok((await error.innerText()).trim().length > 0, `#f-${field}-error has text`);
      }
      for (const field of ['name', 'personnummer', 'consent']) {
        const describedBy = ((await page.locator(`#f-${field}`).getAttribute('aria-describedby')) || '').split(/\s+/);
        assert.ok(describedBy.includes(`f-${field}-error`), `#f-${field} names its error: ${describedBy}`);
      }
      assert.match(await page.locator('#f-name-error').innerText(), /Skriv både förnamn och efternamn/);
      assert.match(
        await page.locator('#f-requested-error').innerText(),
        /Välj minst ett stöd, eller skriv vad du söker/,
      );
    });

    it('works with JavaScript disabled', async () => {
      const noJs = await newContext(chrome.browser, { javaScriptEnabled: false });
      try {
        const p = await noJs.newPage();
        const response = await p.goto(server.url(FORM));
        assert.equal(response?.status(), 200);

        // An error first: the page comes back from the server with the summary.
        await p.fill('#f-name', NAME);
        await p.fill('#f-personnummer', PNR);
        await p.check('#f-consent');
        const posted = p.waitForResponse((r) => r.request().method() === 'POST');
        await p.click(SUBMIT);
        assert.equal((await posted).status(), 422);
        await p.waitForSelector('#error-summary');
        assert.equal(await p.inputValue('#f-name'), NAME, 'what was typed is kept');
        assert.equal(await p.locator('#f-consent').isChecked(), true);

        await p.fill('#f-free_text', 'Ledsagning till läkaren');
        await p.check('#f-role-guardian');
        await Promise.all([p.waitForURL(DONE_URL), p.click(SUBMIT)]);
        assert.equal((await p.locator('h1').innerText()).trim(), DONE_HEADING);
        assert.match((await p.locator('#reference').innerText()).trim(), REFERENCE);
        assert.equal(await p.locator('#samtycke').count(), 0, 'free text needs no consent section');
      } finally {
        await noJs.close();
      }
    });
  });
});
