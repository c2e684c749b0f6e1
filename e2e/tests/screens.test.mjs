// Full-page screenshots of the main pages, for people to look at. They are written to
// e2e/test-results/ (ignored by git); the test checks each file is a non-empty PNG.

import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { DEMO_KOMMUNKOD, startServer } from '../lib/server.mjs';

const K = DEMO_KOMMUNKOD;
const FORM = `/kommun/${K}/be-om-samtal`;
const SUBMIT = 'main form[method="post"] button[type="submit"]';
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('screenshots', () => {
  let server;
  let chrome;
  let context;

  before(async () => {
    await mkdir(OUT, { recursive: true });
    server = await startServer();
    chrome = await launchBrowser();
    context = await newContext(chrome.browser);
  });

  after(async () => {
    await context?.close();
    await chrome?.close();
    await server?.stop();
  });

  /** Brings a fresh page to a state with `open`, then saves and checks a full-page PNG. */
  async function shoot(name, open) {
    const file = path.join(OUT, name);
    await rm(file, { force: true });
    const page = await context.newPage();
    try {
      await open(page);
      await page.waitForLoadState('load');
      await page.screenshot({ path: file, fullPage: true });
    } finally {
      await page.close();
    }
    const png = await readFile(file);
    assert.ok(png.length > 1000, `${file} is ${png.length} bytes`);
    assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`);
  }

  const visit = (p) => async (page) => {
    const response = await page.goto(server.url(p));
    assert.equal(response?.status(), 200, `HTTP status of ${p}`);
  };

  it('start page', () => shoot('start.png', visit('/')));

  it('municipality overview', () => shoot(`kommun-${K}.png`, visit(`/kommun/${K}`)));

  it('contact form with errors', () =>
    shoot('be-om-samtal-fel.png', async (page) => {
      await visit(FORM)(page);
      await page.click(SUBMIT);
      await page.waitForSelector('#error-summary');
    }));

  it('confirmation', () =>
    shoot('be-om-samtal-skickad.png', async (page) => {
      await visit(FORM)(page);
      await page.fill('#f-phone', '070-123 45 67');
      await page.check('#f-consent');
      await Promise.all([page.waitForURL(/\/be-om-samtal\/skickad\//), page.click(SUBMIT)]);
      await page.waitForSelector('#reference');
    }));
});
