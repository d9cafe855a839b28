// Print (issue 15): the printout holds the graph and the required modifications, and no
// control or a control's orphaned label ("Colour by", "Target", "Group").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, shots } from './harness.mjs';

const env = servedBrowser();

test('printed: graph and modifications in, controls and their labels out', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  await page.getByTestId('dag-view').and(page.locator('[data-ready="true"]')).waitFor();
  await page.emulateMedia({ media: 'print' });
  const shown = (sel) => page.locator(sel).first().evaluate((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');

  assert.ok(await shown('[data-testid="dag-view"]'), 'the graph prints');
  assert.ok(await shown('[data-testid="dag-canvas"]'), 'its canvas prints');
  // Closed on screen, open on paper: every modification line is printed.
  assert.equal(await page.getByTestId('modifications').evaluate((d) => d.open), false);
  const lines = page.getByTestId('modifications').locator('li');
  assert.ok((await lines.count()) > 0);
  assert.ok(await lines.first().evaluate((li) => li.getBoundingClientRect().height > 0), 'modification lines print');
  for (const sel of ['.metric-picker', '.strategy-box', '.toolbar', '.grid-zoom', '.dag-bar select', '.zoom-controls']) {
    assert.equal(await shown(sel), false, `${sel} does not print`);
  }
  // No label left without its control.
  const orphans = await page.evaluate(() =>
    [...document.querySelectorAll('label, .dag-control')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => el.textContent.trim()),
  );
  assert.deepEqual(orphans, []);
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /Colour by/);

  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'print-media.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  await writeFile(join(shots, 'print.pdf'), pdf);
  assert.ok(pdf.length > 50_000, `the PDF has the pictures (${pdf.length} bytes)`);
});
