// Keyboard-only journeys through the portal. After the first page.goto, everything is done
// with page.keyboard (Tab, Shift+Tab, Enter, Space, typing): no mouse, no click/fill.
// The last test checks the form also works with JavaScript switched off.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { describeFocus, focusMatches, pressAndWaitForURL, tabTo } from '../lib/keyboard.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';

const K = DEMO_KOMMUNKOD;
const FORM = `/kommun/${K}/be-om-samtal`;
const REFERENCE = /^[2-9A-Z]{3}-[2-9A-Z]{4}$/;
const DONE_URL = new RegExp(`/kommun/${K}/be-om-samtal/skickad/[^/?#]+(\\?.*)?$`);
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const PHONE = '070-123 45 67';

describe('keyboard-only journeys', () => {
  let server;
  let chrome;
  let context;
  /** @type {import('playwright-core').Page} */
  let page;

  before(async () => {
    server = await startServer();
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

  const h1 = () => page.locator('h1').innerText();

  it('a carer finds their municipality from the start page', async () => {
    await page.goto(server.url('/'));

    await page.keyboard.press('Tab');
    assert.ok(
      await focusMatches(page, { selector: 'a[href="#main"]', text: 'Till sidans innehåll' }),
      `the first Tab focuses the skip link, not ${await describeFocus(page)}`,
    );

    // The skip link moves focus to the main content; the next Tab is the municipality choice.
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await tabTo(page, { selector: '#kommun-select' }, { max: 5 });

    // Type-ahead on the focused (closed) select. Chromium forgets typed letters after a
    // second; if a slow machine split the word, step to the option with the arrow keys.
    const select = page.locator('#kommun-select');
    await page.keyboard.type('Uppsala');
    if ((await select.inputValue()) !== K) {
      const [from, to] = await select.evaluate(
        (s, code) => [s.selectedIndex, [...s.options].findIndex((o) => o.value === code)],
        K,
      );
      assert.ok(to >= 0, `Uppsala (${K}) is among the choices`);
      for (let i = 0; i < Math.abs(to - from); i++) {
        await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
      }
    }
    assert.equal(await select.inputValue(), K);
    assert.equal((await select.evaluate((s) => s.selectedOptions[0].text)).trim(), 'Uppsala');

    await tabTo(page, { selector: 'button[type="submit"]', text: 'Visa stödet i kommunen' }, { max: 3 });
    await pressAndWaitForURL(page, 'Enter', new RegExp(`/kommun/${K}$`));
    assert.equal(new URL(page.url()).pathname, `/kommun/${K}`);
    assert.match(await h1(), /Uppsala/);
  });

  it('reads a support page', async () => {
    await page.goto(server.url(`/kommun/${K}`));

    await tabTo(page, { selector: 'nav.site-nav a', text: 'Former av stöd' });
    await pressAndWaitForURL(page, 'Enter', new RegExp(`/kommun/${K}/stod$`));

    await tabTo(page, { selector: 'main a', text: 'Växelvård' });
    await pressAndWaitForURL(page, 'Enter', new RegExp(`/kommun/${K}/stod/vaxelvard$`));
    assert.equal(await h1(), 'Växelvård');
  });

  it('sends a contact request using only the keyboard', async () => {
    await page.goto(server.url(`/kommun/${K}`));

    await tabTo(page, { selector: 'nav.site-nav a', text: 'Be om ett samtal' });
    await pressAndWaitForURL(page, 'Enter', new RegExp(`${FORM}$`));

    await tabTo(page, { selector: '#f-phone' });
    await page.keyboard.type(PHONE);
    await tabTo(page, { selector: '#f-consent' });
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#f-consent').isChecked(), true, 'Space ticks the consent box');

    await tabTo(page, { selector: SUBMIT });
    await pressAndWaitForURL(page, 'Enter', DONE_URL);

    assert.equal(await h1(), 'Tack, vi har tagit emot din förfrågan');
    const reference = (await page.locator('#reference').innerText()).trim();
    assert.match(reference, REFERENCE);
    assert.ok(page.url().includes(`/skickad/${reference}`), 'the URL carries the reference');
    assert.equal(await page.locator('#unga').count(), 0, 'no young-carer section for an adult');
  });

  it('announces form errors and lets the keyboard reach each field', async () => {
    await page.goto(server.url(FORM));

    await tabTo(page, { selector: SUBMIT });
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    assert.equal((await posted).status(), 422);
    await page.waitForSelector('#error-summary');
    await page.waitForLoadState('load');

    const summary = page.locator('#error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.match(await page.title(), /^Fel/);

    // The summary has autofocus; Chromium applies it once the document has loaded.
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
    assert.ok(links.includes('#f-phone'), `a link to the phone field in ${links}`);
    assert.ok(links.includes('#f-consent'), `a link to the consent box in ${links}`);
    assert.equal(links[0], '#f-phone', 'the phone error comes first');

    await page.keyboard.press('Tab');
    assert.ok(
      await focusMatches(page, { selector: '#error-summary a[href="#f-phone"]' }),
      `Tab from the summary reaches its first link, not ${await describeFocus(page)}`,
    );
    await pressAndWaitForURL(page, 'Enter', /#f-phone$/);
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'f-phone',
      `the link moves focus to the phone field, not ${await describeFocus(page)}`,
    );

    for (const field of ['phone', 'consent']) {
      const input = page.locator(`#f-${field}`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `#f-${field} is invalid`);
      const describedBy = ((await input.getAttribute('aria-describedby')) || '').split(/\s+/);
      assert.ok(
        describedBy.includes(`f-${field}-error`),
        `#f-${field} aria-describedby (${describedBy}) names its error`,
      );
      const error = page.locator(`#f-${field}-error`);
      assert.equal(await error.count(), 1, `#f-${field}-error exists`);
      assert.ok((await error.innerText()).trim().length > 0, `#f-${field}-error has text`);
    }
  });

  it('a young carer gets the young-carer section on the confirmation', async () => {
    await page.goto(server.url(FORM));

    await tabTo(page, { selector: '#f-phone' });
    await page.keyboard.type(PHONE);

    // The first radio of the carer's age group: "Under 18 år".
    await tabTo(page, { selector: '#f-carer_age_group' });
    await page.keyboard.press('Space');
    const radio = page.locator('#f-carer_age_group');
    assert.equal(await radio.getAttribute('value'), 'under-18');
    assert.equal(await radio.isChecked(), true, 'Space chooses "Under 18 år"');
    assert.equal(
      (await page.locator('label[for="f-carer_age_group"]').innerText()).trim(),
      'Under 18 år',
    );

    await tabTo(page, { selector: '#f-consent' });
    await page.keyboard.press('Space');
    await tabTo(page, { selector: SUBMIT });
    await pressAndWaitForURL(page, 'Enter', DONE_URL);

    assert.match((await page.locator('#reference').innerText()).trim(), REFERENCE);
    assert.equal(
      (await page.locator('#unga').innerText()).trim(),
      'Till dig som är under 18',
    );
  });

  it('the form works with JavaScript disabled', async () => {
    const noJs = await newContext(chrome.browser, { javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      const response = await p.goto(server.url(FORM));
      assert.equal(response?.status(), 200);
      await p.fill('#f-phone', PHONE);
      await p.check('#f-consent');
      await Promise.all([p.waitForURL(DONE_URL), p.click(SUBMIT)]);
      assert.equal(
        (await p.locator('h1').innerText()).trim(),
        'Tack, vi har tagit emot din förfrågan',
      );
      assert.match((await p.locator('#reference').innerText()).trim(), REFERENCE);
    } finally {
      await noJs.close();
    }
  });
});
