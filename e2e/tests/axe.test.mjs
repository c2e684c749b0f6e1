// Every portal page, scanned with axe-core against WCAG 2.1 A/AA and axe's best practices.
// The bar is zero violations with no rule disabled: a failure prints each rule id, the
// elements it hit and the rule's help text.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, formatViolations } from '../lib/axe.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';

const K = DEMO_KOMMUNKOD;
const FORM = `/kommun/${K}/be-om-samtal`;

describe('axe-core: no accessibility violations on any portal page', () => {
  let server;
  let chrome;
  let context;
  let catalogue;

  before(async () => {
    server = await startServer();
    chrome = await launchBrowser();
    // The portal's CSP (default-src 'none') forbids inline scripts; axe is injected as one.
    context = await newContext(chrome.browser, { bypassCSP: true });
    const res = await fetch(server.url(`/api/v1/municipalities/${K}/catalogue`));
    assert.equal(res.status, 200, 'the demo catalogue is served');
    catalogue = await res.json();
  });

  after(async () => {
    await context?.close();
    await chrome?.close();
    await server?.stop();
  });

  /** Runs axe on a page that `open` has brought to the state to scan; fails on any violation. */
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

  /** Loads `path`, checks the HTTP status, optionally adjusts the page, and scans it. */
  function scan(path, { status = 200, prepare } = {}) {
    return scanWith(path, async (page) => {
      const response = await page.goto(server.url(path));
      assert.ok(response, `no response for ${path}`);
      assert.equal(response.status(), status, `HTTP status of ${path}`);
      if (prepare) await prepare(page);
    });
  }

  const openAllDetails = (selector) => async (page) => {
    const opened = await page.$$eval(selector, (ds) => {
      for (const d of ds) d.open = true;
      return ds.length;
    });
    assert.ok(opened > 0, `no ${selector} to open`);
  };

  const fixedPages = [
    '/',
    '/nationellt',
    '/nationellt/stod/narstaendepenning',
    '/nationellt/stod/omvardnadsbidrag',
    '/nationellt/stod/anhorigas-riksforbund',
    '/om/personuppgifter',
    '/om/tillganglighet',
    '/om/vem-kan-fa-stod',
    '/om/unga-anhoriga',
    '/om/fragor-och-svar',
    '/sok',
    `/sok?q=avlastning&kommun=${K}`,
    `/sok?q=zzzz&kommun=${K}`,
    `/kommun/${K}`,
    `/kommun/${K}/stod`,
    `/kommun/${K}/stod/vaxelvard?del=om&del=kostnad`,
    `/kommun/${K}/ekonomiskt-stod`,
    `/kommun/${K}/kontakt`,
    FORM,
    // A municipality without demo data: only the shipped default texts.
    '/kommun/0180',
    '/kommun/0180/stod',
    '/kommun/0180/kontakt',
  ];

  for (const path of fixedPages) {
    it(path, () => scan(path));
  }

  it('/ with every region list opened', () =>
    scan('/', { prepare: openAllDetails('details.region') }));

  it(`/kommun/${K}/stod/vaxelvard with the print choice opened`, () =>
    scan(`/kommun/${K}/stod/vaxelvard`, { prepare: openAllDetails('details.print-choice') }));

  it('/finns-inte (the not-found page)', () => scan('/finns-inte', { status: 404 }));

  it(`every entry page of the ${K} catalogue`, async (t) => {
    const slugs = catalogue.entries.map((e) => e.slug);
    assert.ok(slugs.length > 0, 'the demo catalogue has entries');
    assert.ok(slugs.includes('vaxelvard'), 'the demo catalogue has vaxelvard');
    for (const slug of slugs) {
      await t.test(slug, () => scan(`/kommun/${K}/stod/${slug}`));
    }
  });

  it(`every content page of the ${K} catalogue`, async (t) => {
    const slugs = catalogue.pages.map((p) => p.slug);
    assert.ok(slugs.length > 0, 'the demo catalogue has pages');
    for (const slug of slugs) {
      await t.test(slug, () => scan(`/kommun/${K}/sida/${slug}`));
    }
  });

  it(`${FORM} after an empty submit (error summary)`, () =>
    scanWith(`${FORM} (errors)`, async (page) => {
      await page.goto(server.url(FORM));
      const posted = page.waitForResponse((r) => r.request().method() === 'POST');
      await page.click('main form[method="post"] button[type="submit"]');
      assert.equal((await posted).status(), 422, 'an invalid form answers 422');
      await page.waitForSelector('#error-summary');
    }));

  it(`${FORM} confirmation after a valid submit`, () =>
    scanWith(`${FORM}/skickad/…`, async (page) => {
      await page.goto(server.url(FORM));
      await page.fill('#f-phone', '070-123 45 67');
      await page.check('#f-consent');
      await page.click('main form[method="post"] button[type="submit"]');
      await page.waitForURL(/\/be-om-samtal\/skickad\/[^/?]+/);
      await page.waitForSelector('#reference');
    }));

  it(`${FORM} confirmation for a young carer`, () =>
    scanWith(`${FORM}/skickad/…?ung=1`, async (page) => {
      await page.goto(server.url(FORM));
      await page.fill('#f-phone', '070-123 45 67');
      await page.check('#f-carer_age_group');
      await page.check('#f-consent');
      await page.click('main form[method="post"] button[type="submit"]');
      await page.waitForURL(/\/be-om-samtal\/skickad\/[^/?]+\?ung=1$/);
      await page.waitForSelector('#unga');
    }));
});
