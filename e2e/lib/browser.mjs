// Launches Debian's Chromium through playwright-core (no browser download).
//
//   CHROMIUM_PATH   the browser (default /usr/bin/chromium)
//
// Each launch gets a fresh, empty profile: playwright-core refuses a `--user-data-dir`
// argument to launch() and instead creates its own temporary profile directory
// (playwright_chromiumdev_profile-*) under the OS temp dir, which it deletes on close.

import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Starts a headless Chromium with its own fresh profile directory.
 * @returns {Promise<{browser: import('playwright-core').Browser, close: () => Promise<void>}>}
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these Chromium keeps calling home, which floods a closed network.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A fresh context: Swedish locale, a desktop viewport, reduced motion. */
export async function newContext(browser, options = {}) {
  return browser.newContext({
    locale: 'sv-SE',
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
    ...options,
  });
}
