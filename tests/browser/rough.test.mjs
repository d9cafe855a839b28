// Rough edges (issue 15): counts in the right number, a drop of several files says what
// it did, fixes wrap inside their cards, memory over a GPU's capacity is flagged, and the
// advisor shows the current target and closes on Use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, field, corpus, root, dropFile, dropFiles } from './harness.mjs';

const env = servedBrowser();

test('one server: counts in the singular', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('file-input').setInputFiles(join(corpus, 'paper_to_dag__expert_parallelism_dag.json'));
  await page.getByTestId('summary').getByText('paper_to_dag__expert_parallelism_dag.json').waitFor();
  const caption = await page.locator('.gpu-grid-wrap figcaption > .muted').first().textContent();
  assert.equal(caption, '5 of 5 GPUs busy · 1 server × 8 GPUs');
  assert.doesNotMatch(await page.locator('body').innerText(), /\b1 (servers|GPUs|changes|strategies)\b/);
});

// Drops corpus file `plan` together with Qwen3-235B's real config.json, as one selection.
async function dropWithQwenConfig(page, plan) {
  const config = await readFile(join(root, '../shared/real/qwen3-235b-a22b__config.json'), 'utf8');
  await dropFiles(page, [
    [plan, await readFile(join(corpus, plan), 'utf8')],
    ['config.json', config],
  ]);
}

test('GPUs placed past the declared cluster are counted apart and outlined', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  // Corpus #32 places nodes on GPUs 0–34; the target EP32 makes its cluster 32 GPUs. The
  // before grid said "35 of 35 GPUs busy".
  const plan = '2026-01-04-10-46-16__qwen3_235b_parallel_strategy.dot';
  await dropWithQwenConfig(page, plan);
  await page.getByTestId('summary').getByText(plan).waitFor();
  await page.getByTestId('strategy').fill('EP32');
  await page.getByTestId('strategy').press('Enter');
  const before = page.locator('.gpu-grid-wrap').first();
  await page.waitForFunction(() => document.querySelectorAll('.gpu-grid').length === 2, null, { timeout: 30000 });
  assert.equal(
    await before.locator('figcaption > .muted').textContent(),
    '32 of 32 GPUs busy · 3 more GPUs placed beyond the cluster · 5 servers × 8 GPUs',
  );
  const beyond = await before.locator('rect.cell.beyond').evaluateAll((cells) => cells.map((c) => c.dataset.gpu));
  assert.deepEqual(beyond, ['32', '33', '34']);
  await before.locator('rect.cell[data-gpu="33"]').hover();
  assert.match(await page.locator('.hover-card').textContent(), /beyond the declared cluster/);
  assert.deepEqual(errors, []);
});

test('dropping two files opens the first and names the one left out', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const names = ['paper_to_dag__expert_parallelism_dag.json', 'paper_to_dag__combined_parallel_dag.json'];
  const texts = await Promise.all(names.map((n) => readFile(join(corpus, n), 'utf8')));
  await dropFiles(page, names.map((n, k) => [n, texts[k]]));
  await page.getByTestId('summary').getByText(names[0]).waitFor();
  const note = await page.getByTestId('note').textContent();
  assert.match(note, /2 files dropped: opened paper_to_dag__expert_parallelism_dag\.json; ignored paper_to_dag__combined_parallel_dag\.json/);
  assert.match(note, /one plan at a time/);
});

test('a malformed plan dropped with its config is not said to be opened: the error says where, the open plan stays', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  // Corpus #35: its DOT header is corrupted agent output (INDEX.md: MALFORMED).
  await dropWithQwenConfig(page, '2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment.dot');
  await page.getByTestId('note').waitFor();
  const note = await page.getByTestId('note').locator('.banner-text').textContent();
  assert.match(note, /^2 files dropped: could not open 2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment\.dot \(the error above says where\); read config\.json \(Hugging Face config\.json, \d+ values\) into the Conditions\.$/);
  assert.doesNotMatch(note, /opened/);
  const said = await page.getByTestId('error').locator('.banner-text').textContent();
  assert.match(said, /^2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment\.dot:1:\d+: /);
  // The example stays open, now under Qwen3's config.
  assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
  await page.getByTestId('conditions-summary').getByText(/qwen3_moe/).waitFor();
  assert.deepEqual(errors, []);
});

for (const width of [1600, 390]) {
  test(`fix texts wrap inside their finding cards at ${width} px`, async () => {
    const { page } = await openPage(env.browser, env.server.url, { width, height: 900 });
    const name = '2025-12-01-16-48-00__corrected_deployment_dag.json';
    await page.getByTestId('file-input').setInputFiles(join(corpus, name));
    await page.getByTestId('summary').getByText(name).waitFor({ timeout: 30000 });
    const fixes = page.getByTestId('findings').locator('.finding-fix');
    assert.ok((await fixes.count()) > 0);
    const spilled = await fixes.evaluateAll((els) =>
      els
        .filter((el) => {
          const card = el.closest('.finding').getBoundingClientRect();
          return el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > card.right + 0.5;
        })
        .map((el) => el.textContent.slice(0, 60)),
    );
    assert.deepEqual(spilled, []);
    await page.getByTestId('findings').screenshot({ path: join(root, 'target/screenshots', `findings-${width}.png`) });
  });
}

test('a peak memory over one GPU\'s capacity is flagged on its card; one without a capacity says so', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  // The example with GPUs of 0.1 GB instead of 64 GB: its peak memory (0.55 GB before,
  // 0.22 GB after) no longer fits.
  const seed = await readFile(join(root, 'www/examples/seed-ep64-tp2.json'), 'utf8');
  assert.match(seed, /"gpu_memory": "64GB"/);
  await dropFile(page, 'seed-1gb.json', seed.replace('"gpu_memory": "64GB"', '"gpu_memory": "0.1GB"'));
  await page.getByTestId('summary').getByText('seed-1gb.json').waitFor();
  const card = page.getByTestId('utilization').locator('[data-stat="memory"]');
  const alert = card.getByTestId('stat-alert');
  assert.match(await alert.textContent(), /^Does not fit: over the 0\.10 GB of one GPU \((before|before and after)\)$/);
  const peak = Number((await card.locator('.stat-before').textContent()).replace(/[^\d.]/g, ''));
  assert.ok(peak > 0.1, `${peak} GB is over 0.1 GB`);
  await card.screenshot({ path: join(root, 'target/screenshots', 'memory-alert.png') });

  // The example as it is fits in 64 GB: nothing flagged.
  const { page: fits } = await openPage(env.browser, env.server.url);
  await fits.getByTestId('utilization').waitFor();
  assert.equal(await fits.getByTestId('stat-alert').count(), 0);
  assert.equal(await fits.getByTestId('stat-note').count(), 0);

  // 5,411 GB per GPU with no capacity in the file: said to be unchecked, next to the number.
  const name = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';
  await page.getByTestId('file-input').setInputFiles(join(corpus, name));
  await page.getByTestId('summary').getByText(name).waitFor({ timeout: 60000 });
  assert.match(await card.locator('.stat-before').textContent(), /5411 GB/);
  assert.equal(await card.getByTestId('stat-note').textContent(), 'Not checked: the plan gives no GPU memory capacity');
});

test('the advisor shows the current target\'s figures, and Use rewrites and closes it', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  assert.equal(await page.getByTestId('strategy').inputValue(), 'EP64_TP2');
  await page.getByTestId('suggest').click();
  const panel = page.getByTestId('advisor');
  await panel.getByTestId('suggestions').waitFor({ timeout: 30000 });
  const current = panel.locator('.suggestion.current');
  await current.first().waitFor();
  assert.equal(await current.first().getAttribute('data-strategy'), 'EP64_TP2');
  assert.match(await current.first().textContent(), /step [\d.]+ (ms|s|µs) · peak memory/);
  assert.match(await current.first().textContent(), /current target/);
  await screenshot(page, 'advisor-current.png');
  const other = panel.locator('[data-testid="suggestions"] .suggestion:not(.current)').first();
  const pick = await other.getAttribute('data-strategy');
  await other.getByRole('button', { name: 'Use' }).click();
  await panel.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('strategy').inputValue(), pick);
  await page.locator('section.after h2', { hasText: pick.split('_')[0] }).waitFor();
  assert.match(await field(page, 'file'), /seed-ep64-tp2/);
});
