// The workspace: before/after cluster grids, findings, utilization and the timeline,
// at desktop and narrow widths; and nothing from a file can inject markup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, openPage, screenshot, dropFile } from './harness.mjs';

const env = servedBrowser();

const grid = (page, side) => page.locator(`[data-testid="gpu-grid"][data-side="${side}"]`);
const busyCells = (page, side) => grid(page, side).locator('rect.cell:not(.idle)');

test('the example: 3 busy GPUs of 128 before, all 128 after the EP64_TP2 rewrite', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await grid(page, 'after').waitFor();
  assert.equal(await grid(page, 'before').locator('rect.cell').count(), 128);
  assert.equal(await busyCells(page, 'before').count(), 3);
  assert.deepEqual(
    await busyCells(page, 'before').evaluateAll((els) => els.map((e) => e.dataset.gpu)),
    ['0', '1', '2'],
  );
  assert.equal(await grid(page, 'after').locator('rect.cell').count(), 128);
  assert.equal(await busyCells(page, 'after').count(), 128);
  assert.equal(await page.getByTestId('strategy').inputValue(), 'EP64_TP2');

  const findings = page.getByTestId('findings');
  assert.equal(await page.getByTestId('verdict').textContent(), 'FAIL');
  for (const code of ['GPU_UNDERUSE', 'EP_INCOMPLETE', 'COMM_BOTTLENECK', 'AGG_BOTTLENECK']) {
    assert.equal(await findings.locator(`[data-code="${code}"]`).count(), 1, code);
  }
  const util = page.getByTestId('utilization');
  await util.waitFor();
  assert.match(await util.locator('[data-stat="gpus"]').textContent(), /3\s*→ 128/);
  assert.ok((await page.getByTestId('util-busy').locator('rect.bar.after').count()) >= 128);
  // The after side's all-to-alls could hide behind compute: its throughput is said with the
  // two-batch-overlap best case beside it.
  const after = page.getByTestId('step-breakdown').locator('figure[data-side="after"] figcaption');
  assert.match(await after.textContent(), /[\d,]+ tokens\/s per GPU \(whole model\), [\d,]+ at best with two-batch overlap/);
  await page.getByTestId('timeline').waitFor();
  await screenshot(page, 'workspace-1600.png');
  assert.deepEqual(errors, []);
});

test('choosing a finding highlights its GPUs in both grids; a cell click selects that GPU', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const finding = page.getByTestId('findings').locator('[data-code="COMM_BOTTLENECK"]');
  await finding.click();
  assert.equal(await finding.locator('.finding-toggle').getAttribute('aria-pressed'), 'true');
  const lit = await grid(page, 'before').locator('rect.cell.lit').evaluateAll((els) => els.map((e) => e.dataset.gpu));
  assert.deepEqual(lit, ['0', '1']);
  assert.equal(await grid(page, 'after').locator('rect.cell.lit').count(), 2);
  await finding.locator('.finding-toggle').press('Enter');
  assert.equal(await grid(page, 'before').locator('rect.cell.lit').count(), 0);

  await grid(page, 'after').locator('rect.cell[data-gpu="5"]').click();
  assert.equal(await page.locator('rect.cell.selected[data-gpu="5"]').count(), 2);
  await grid(page, 'after').locator('rect.cell[data-gpu="5"]').hover();
  assert.match(await page.locator('.hover-card').textContent(), /GPU 5.*EP 2 · TP 1/s);
});

test('the colour metric can be changed and the legend follows', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const fill = () => grid(page, 'after').locator('rect.cell[data-gpu="4"]').getAttribute('fill');
  await page.getByTestId('metric').selectOption('tp');
  const tp = await fill();
  await page.getByTestId('metric').selectOption('ep');
  assert.notEqual(await fill(), tp);
  assert.match(await page.locator('.legend').first().textContent(), /EP group/);
});

test('an invalid target names the rule and keeps the workspace', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('strategy').fill('EP48_TP2');
  await page.getByTestId('rewrite').click();
  const banner = page.getByTestId('error');
  await banner.waitFor();
  assert.match(await banner.textContent(), /48/);
  assert.equal(await busyCells(page, 'after').count(), 128);
});

test('narrow screens stack the sides', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 800, height: 1000 });
  await grid(page, 'after').waitFor();
  const b = await grid(page, 'before').boundingBox();
  const a = await grid(page, 'after').boundingBox();
  assert.ok(a.y > b.y + b.height - 1, 'after is below before');
  await screenshot(page, 'workspace-800.png');
});

test('node ids are shown as text, never as markup', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    d.dismiss();
  });
  const evil = '<img src=x onerror=alert(1)>';
  const plan = JSON.stringify({
    nodes: [
      { id: 'in', type: 'input' },
      { id: evil, type: 'compute', gpu: 0 },
      { id: 'out', type: 'output' },
      { id: 'lonely<b>bold</b>', type: 'compute', gpu: 1 },
    ],
    edges: [['in', evil], [evil, 'out']],
  });
  await page.getByTestId('paste-toggle').click();
  await page.getByTestId('paste-text').fill(plan);
  await page.getByTestId('paste-load').click();
  await page.getByTestId('summary').getByText('pasted text').waitFor();
  await grid(page, 'before').locator('rect.cell[data-gpu="0"]').hover();
  assert.match(await page.locator('.hover-card').textContent(), /<img src=x onerror=alert\(1\)>/);
  assert.match(await page.getByTestId('findings').textContent(), /lonely<b>bold<\/b>/);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('b').count(), 0);
  assert.equal(dialogs, 0);
});

test('the advisor ranks five strategies without freezing the page, and "Use" rewrites to one', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await grid(page, 'after').waitFor();
  await page.getByTestId('suggest').click();
  // The page answers while the advisor works: the theme switch still responds.
  await page.getByTestId('advisor').waitFor();
  await page.getByTestId('theme').click({ timeout: 2000 });
  const rows = page.getByTestId('suggestions').locator('li');
  await rows.first().waitFor({ timeout: 60000 });
  assert.equal(await rows.count(), 5);
  const first = await rows.first().getAttribute('data-strategy');
  await rows.first().getByRole('button', { name: 'Use' }).click();
  await page.locator('.side.after h2').getByText(`After · ${first}`).waitFor();
  assert.equal(await page.getByTestId('strategy').inputValue(), first);
  assert.equal(await busyCells(page, 'after').count(), 128);
});

// A vLLM launch in the conditions: the advice is what vLLM can run on its 16 GPUs, the
// experts on the attention's GPUs (EP = TP·DP), and "Use" builds it there.
test('with a vLLM launch in the conditions, the advisor ranks vLLM-shaped strategies', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await grid(page, 'after').waitFor();
  await dropFile(page, 'serve.sh', 'vllm serve deepseek-ai/DeepSeek-V3 -tp 1 -dp 16 --enable-expert-parallel\n');
  await page.locator('[data-field="target"]').getByText('held to EP16_DP16_ETP1').waitFor({ timeout: 20000 });
  await page.getByTestId('suggest').click();
  const rows = page.getByTestId('suggestions').locator('li');
  await rows.first().waitFor({ timeout: 60000 });
  const names = await rows.evaluateAll((els) => els.map((e) => e.dataset.strategy));
  assert.ok(names.length >= 3 && names.every((n) => /_ETP\d+$/.test(n)), names.join(' '));
  const first = names[0];
  await rows.first().getByRole('button', { name: 'Use' }).click();
  await page.locator('.side.after h2').getByText(`After · ${first}`).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('after-verdict').textContent(), 'verifies clean');
  assert.match(await page.locator('.side.after figcaption').first().textContent(), /^16 of 16 GPUs busy/);
  assert.deepEqual(errors, []);
});
