// Accessibility (issue 15): axe-core finds no serious or critical violation in the page's
// main states; keyboard users reach everything (Esc, overlays' focus, the graph's nodes);
// colours keep their contrast in both themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, corpus } from './harness.mjs';

const env = servedBrowser();
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.x A and AA, and best practices) on the page as it is now. */
async function serious(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(' | ')}`);
}

const afterGrid = (page) => page.locator('[data-testid="gpu-grid"][data-side="after"]');

test('axe: the empty page, while the first plan is still on its way', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // A plan that never arrives keeps the page in its first, empty state.
  await page.route('**/never.json', () => {});
  await page.goto(`${env.server.url}?url=${encodeURIComponent(`${env.server.origin}/never.json`)}`);
  await page.locator('.empty').waitFor();
  assert.deepEqual(await serious(page), []);
  await page.close();
});

test('axe: the example open, rewritten, in review, with the help open, and in the dark theme', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await afterGrid(page).waitFor();
  await page.getByTestId('dag-view').and(page.locator('[data-ready="true"]')).waitFor();
  assert.deepEqual(await serious(page), [], 'example open');

  await page.getByTestId('strategy').fill('EP32_TP4');
  await page.getByTestId('rewrite').click();
  await page.locator('section.after h2', { hasText: 'EP32' }).waitFor();
  await page.getByTestId('modifications').locator('summary').click();
  assert.deepEqual(await serious(page), [], 'rewritten, modifications open');

  await page.keyboard.press('r');
  await page.getByTestId('review').waitFor();
  assert.deepEqual(await serious(page), [], 'review');
  await page.keyboard.press('Escape');

  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor();
  assert.deepEqual(await serious(page), [], 'help open');
  await page.keyboard.press('Escape');

  await page.getByTestId('theme').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.deepEqual(await serious(page), [], 'dark theme');
  await page.getByTestId('findings').locator('[data-code="COMM_BOTTLENECK"]').click();
  assert.deepEqual(await serious(page), [], 'dark theme, a finding chosen');
  await screenshot(page, 'a11y-dark-1600.png');
  assert.deepEqual(errors, []);
});

function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const rgbHex = (rgb) => '#' + rgb.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('');

test('in both themes the lowest value stands apart from idle cells (3:1, WCAG 1.4.11)', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await afterGrid(page).waitFor();
  for (const theme of ['light', 'dark']) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme ?? 'light')) !== theme) {
      await page.getByTestId('theme').click();
    }
    const idle = rgbHex(
      await page.locator('[data-side="before"] rect.cell.idle').first().evaluate((el) => getComputedStyle(el).fill),
    );
    const lowest = (await page.locator('.legend-gradient').getAttribute('style')).match(/#[0-9a-f]{6}/)[0];
    const ratio = contrast(idle, lowest);
    assert.ok(ratio >= 3, `${theme}: idle ${idle} vs lowest ${lowest} is ${ratio.toFixed(2)}:1`);
  }
});

test('a used GPU whose value is unknown is hatched, never a flat grey that reads as half busy', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  // No hardware in the file: no memory capacity, so memory % is unknown on every GPU.
  const sketch = '2025-12-01-16-48-00__ep64_tp2_deployment.dot';
  await page.getByTestId('file-input').setInputFiles(join(corpus, sketch));
  await page.getByTestId('summary').getByText(sketch).waitFor();
  await page.getByTestId('metric').selectOption('memory');
  const cell = page.locator('[data-side="before"] rect.cell[data-gpu="0"]');
  assert.equal(await cell.getAttribute('fill'), 'url(#cell-unknown-before)');
  // The pattern it names is in the page, and is drawn in the theme's idle and unknown colours.
  const pattern = page.locator('pattern#cell-unknown-before rect');
  assert.deepEqual(await pattern.evaluateAll((rs) => rs.map((r) => r.getAttribute('fill'))), ['var(--idle)', 'var(--unknown)']);
  // The legend's swatch is hatched too.
  const swatch = await page.locator('.unknown-swatch').first().evaluate((el) => getComputedStyle(el).backgroundImage);
  assert.match(swatch, /repeating-linear-gradient/);
  await screenshot(page, 'grid-unknown-hatched.png');
  assert.deepEqual(errors, []);
});

test('Esc closes the export menu, and clears the selected GPU, the chosen finding and the graph selection', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await afterGrid(page).waitFor();
  const menu = page.getByTestId('export-menu');
  await page.keyboard.press('e');
  assert.equal(await menu.evaluate((d) => d.open), true);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('menu-item')), true);
  await page.keyboard.press('Escape');
  assert.equal(await menu.evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SUMMARY');

  await page.getByTestId('findings').locator('[data-code="COMM_BOTTLENECK"]').click();
  await afterGrid(page).locator('rect.cell[data-gpu="5"]').click();
  assert.ok((await page.locator('rect.cell.lit').count()) > 0);
  assert.equal(await page.locator('rect.cell.selected').count(), 2);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('rect.cell.lit').count(), 0);
  assert.equal(await page.locator('rect.cell.selected').count(), 0);
  assert.equal(await page.getByTestId('findings').locator('[aria-pressed="true"]').count(), 0);
});

test('help and review take the focus and give it back when they close', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await afterGrid(page).waitFor();
  const helpButton = page.getByTestId('help-open');
  await helpButton.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('help').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'help');
  await page.keyboard.press('Escape');
  await page.getByTestId('help').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'help-open');

  const reviewButton = page.getByTestId('review-open');
  await reviewButton.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('review').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'review');
  await page.keyboard.press('Escape');
  await page.getByTestId('review').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'review-open');
});

test('the graph: n and Shift+n step through its nodes, read out by the properties panel', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const dag = page.getByTestId('dag-view');
  await dag.and(page.locator('[data-ready="true"]')).waitFor();
  const label = await page.getByTestId('dag-canvas').first().getAttribute('aria-label');
  assert.match(label, /Before · \d+ nodes: press n/);
  const props = page.getByTestId('dag-props');
  assert.equal(await props.getAttribute('aria-live'), 'polite');
  await dag.focus();
  await page.keyboard.press('n');
  const first = (await props.locator('[data-field="id"]').textContent()).trim();
  await page.keyboard.press('n');
  const second = (await props.locator('[data-field="id"]').textContent()).trim();
  assert.notEqual(first, second);
  await page.keyboard.press('Shift+N');
  assert.equal((await props.locator('[data-field="id"]').textContent()).trim(), first);
  await page.keyboard.press('Escape');
  assert.equal(await props.locator('[data-field="id"]').count(), 0);
});
