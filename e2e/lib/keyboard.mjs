// Keyboard-only helpers: move focus with Tab / Shift+Tab and say where it is.

/**
 * Describes the focused element, e.g. `a "Former av stöd"` or `input#f-phone`.
 * @param {import('playwright-core').Page} page
 */
export function describeFocus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '(body)';
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
    if (text && el.tagName !== 'SELECT') s += ` "${text.slice(0, 60)}"`;
    return s;
  });
}

/**
 * Whether the focused element matches `target`: `selector` (CSS) and/or `text` (its
 * whitespace-normalised text content, exactly).
 */
export function focusMatches(page, target) {
  return page.evaluate(({ selector, text }) => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    if (selector && !el.matches(selector)) return false;
    if (text !== undefined && (el.textContent || '').replace(/\s+/g, ' ').trim() !== text) {
      return false;
    }
    return true;
  }, target);
}

/**
 * Presses Tab (or Shift+Tab with `backwards`) until the focused element matches `target`,
 * failing after `max` presses with the list of elements focus passed through.
 * @returns {Promise<number>} how many presses it took
 */
export async function tabTo(page, target, { backwards = false, max = 80 } = {}) {
  const key = backwards ? 'Shift+Tab' : 'Tab';
  const path = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(key);
    if (await focusMatches(page, target)) return i;
    path.push(await describeFocus(page));
  }
  throw new Error(
    `${key} x${max} never reached ${JSON.stringify(target)}; focus went through:\n  ${path.join('\n  ')}`,
  );
}

/**
 * Presses `key` (e.g. Enter on a focused link or submit button) and waits until the page
 * has navigated to a URL matching `url` and finished loading.
 */
export async function pressAndWaitForURL(page, key, url) {
  await Promise.all([page.waitForURL(url), page.keyboard.press(key)]);
}

/**
 * Presses `key` and waits for the next document to load, for a form that answers on the same
 * URL (or redirects back to it), where waiting for the URL would return at once.
 */
export async function pressAndWaitForLoad(page, key) {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
}
