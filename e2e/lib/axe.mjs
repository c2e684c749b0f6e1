// Runs axe-core inside a page and formats what it finds.

import axe from 'axe-core';

/** The rule sets we hold every page to: WCAG 2.1 A and AA, plus axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Injects axe-core into the page (if not already there) and scans the whole document.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<Array<{id: string, impact: string, help: string, helpUrl: string,
 *   nodes: Array<{target: string[], html: string, failureSummary: string}>}>>}
 */
export async function axeViolations(page) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (!present) await page.addScriptTag({ content: axe.source });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String),
        html: n.html,
        failureSummary: n.failureSummary,
      })),
    }));
  }, AXE_TAGS);
}

/** A readable report of violations for an assertion message. */
export function formatViolations(label, violations) {
  const lines = [`${violations.length} axe violation(s) on ${label}:`];
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help}`);
    lines.push(`  ${v.helpUrl}`);
    for (const n of v.nodes) {
      lines.push(`    target: ${n.target.join(' ')}`);
      lines.push(`      html: ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (n.failureSummary) {
        lines.push(`      ${n.failureSummary.replace(/\n\s*/g, ' | ')}`);
      }
    }
  }
  return lines.join('\n');
}
