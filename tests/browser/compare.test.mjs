// Issue 14 item 7: compare two plans of the user's own. A second file opens as the after
// side instead of the rewrite; the findings of both show side by side as resolved, left
// and introduced; the permalink carries both plans, or says they are too large.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, corpus } from './harness.mjs';

const env = servedBrowser();
// An acyclic fix of a plan with a cycle (INDEX.md #24/#25), 23 KB: small enough for a link.
const PLAN = '2025-12-01-14-11-15__gpu_mapping_dag.dot';
const FIXED = '2025-12-01-14-11-15__gpu_mapping_dag_final_fixed.dot';
// The EP64_TP2 "after" of an incomplete plan (INDEX.md #20/#21).
const EP_PLAN = '2025-12-02-17-40-26__ep64_tp2_moe_model_complete.dot';
const EP_FIXED = '2025-12-02-17-40-26__ep64_tp2_moe_model_complete_fixed.dot';
const LARGEST = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';

const count = async (page, kind) => Number(await page.getByTestId(`compare-${kind}-count`).textContent());

async function openPair(page, plan = PLAN, fixed = FIXED) {
  await page.getByTestId('file-input').setInputFiles(join(corpus, plan));
  await page.locator('[data-field="file"]', { hasText: plan }).waitFor({ timeout: 60000 });
  await page.getByTestId('compare-input').setInputFiles(join(corpus, fixed));
  await page.getByTestId('compare-findings').waitFor({ timeout: 60000 });
}

const codes = (page, kind) =>
  page.getByTestId('compare-findings').locator(`[data-kind="${kind}"] .compare-item`).evaluateAll((els) => els.map((e) => e.dataset.code));

test('a plan and its fix: resolved, left and introduced side by side', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, { width: 1280, height: 800 });
  await openPair(page);
  assert.equal(await page.getByTestId('after-title').textContent(), `After · ${FIXED}`);
  const before = await page.getByTestId('findings').locator('.finding').count();
  const [resolved, left, introduced] = [await count(page, 'resolved'), await count(page, 'left'), await count(page, 'introduced')];
  assert.equal(resolved + left, before, 'every finding of the plan is resolved or left');
  // The fix broke the cycle and left the missing collectives.
  assert.deepEqual(await codes(page, 'resolved'), ['CYCLE']);
  assert.ok((await codes(page, 'left')).includes('MISSING_COMM'));
  assert.equal(introduced, 0);
  assert.match(await page.getByTestId('compare-findings').textContent(), new RegExp(`Compared with ${FIXED}`));
  await page.getByTestId('compare-findings').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-1280.png');
  // The link carries both plans.
  const again = await openPage(env.browser, page.url(), { width: 1280, height: 800 });
  await again.page.getByTestId('compare-findings').waitFor();
  assert.equal(await again.page.getByTestId('after-title').textContent(), `After · ${FIXED}`);
  assert.equal(await count(again.page, 'left'), left);
  // Back to the rewrite: the comparison gives way.
  await page.getByTestId('compare-stop').click();
  await page.getByTestId('compare-findings').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('what a fix introduced shows apart from what it resolved', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 1280, height: 800 });
  await openPair(page, EP_PLAN, EP_FIXED);
  assert.deepEqual(await codes(page, 'resolved'), ['NO_OUTPUT']);
  assert.deepEqual(await codes(page, 'introduced'), ['AGG_BOTTLENECK']);
  assert.ok((await codes(page, 'left')).includes('GPU_UNASSIGNED'));
  await page.getByTestId('compare-findings').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-introduced-1280.png');
});

test('a target typed while comparing holds both plans to it', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await openPair(page);
  // Rewrite replaces the comparison with the rewrite to the target.
  await page.getByTestId('strategy').fill('EP4_TP2');
  await page.getByTestId('rewrite').click();
  await page.locator('.side.after h2').getByText('After · EP4_TP2').waitFor();
  assert.equal(await page.getByTestId('compare-findings').count(), 0);
  // Compared again, the fix is verified against EP4_TP2 too: its 64 GPUs do not fit in 8.
  await page.getByTestId('compare-input').setInputFiles(join(corpus, FIXED));
  await page.getByTestId('compare-findings').waitFor();
  assert.match(await page.locator('[data-field="target"]').textContent(), /held to EP4_TP2/);
  assert.match(await page.getByTestId('compare-findings').textContent(), /GPUs 0–7/);
});

test('a file that does not read says so and keeps the after side', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  await page.getByTestId('compare-input').setInputFiles({ name: 'broken.dot', mimeType: 'text/plain', buffer: Buffer.from('digraph { a -> ') });
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /Compare: broken\.dot/);
  assert.equal(await page.getByTestId('compare-findings').count(), 0);
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
});

test('two large plans: the link says they are too large together', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await dropFile(page, 'small.json', JSON.stringify({ nodes: [{ id: 'a', gpu: 0 }], edges: [] }));
  await page.locator('[data-field="file"]', { hasText: 'small.json' }).waitFor();
  const text = await readFile(join(corpus, LARGEST), 'utf8');
  await page.getByTestId('compare-input').setInputFiles({ name: LARGEST, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByTestId('compare-findings').waitFor({ timeout: 60000 });
  const note = page.getByTestId('link-note');
  await note.waitFor();
  assert.match(await note.textContent(), new RegExp(`small\\.json and ${LARGEST} together are too large for a link`));
});

test('phone width: the comparison stacks', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 390, height: 844 });
  await openPair(page);
  await page.getByTestId('compare-findings').scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-390.png');
});

test('a gzip-compressed fix compares as its text does', async () => {
  const { gzipSync } = await import('node:zlib');
  const { page, errors } = await openPage(env.browser, env.server.url, { width: 1280, height: 800 });
  await page.getByTestId('file-input').setInputFiles(join(corpus, PLAN));
  await page.locator('[data-field="file"]', { hasText: PLAN }).waitFor({ timeout: 60000 });
  const gz = gzipSync(await readFile(join(corpus, FIXED)));
  await page.getByTestId('compare-input').setInputFiles({ name: `${FIXED}.gz`, mimeType: 'application/gzip', buffer: gz });
  await page.getByTestId('compare-findings').waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('after-title').textContent(), `After · ${FIXED}.gz`);
  assert.deepEqual(await codes(page, 'resolved'), ['CYCLE']);
  // Damaged: the comparison says why and the rewrite stays the after side.
  await page.getByTestId('compare-stop').click();
  await page.getByTestId('compare-findings').waitFor({ state: 'detached' });
  await page.getByTestId('compare-input').setInputFiles({ name: 'cut.dot.gz', mimeType: 'application/gzip', buffer: gz.subarray(0, gz.length >> 1) });
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /Compare: cut\.dot\.gz: the compressed data is damaged or truncated/);
  assert.equal(await page.getByTestId('compare-findings').count(), 0);
  assert.deepEqual(errors, []);
});
