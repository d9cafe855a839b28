// Share and demo: permalinks, ?url=, exports, review mode, shortcuts, print, static
// hosting under a sub-path, and no request ever leaving the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { servedBrowser, openPage, field, screenshot } from './harness.mjs';

const env = servedBrowser({ prefix: '/team/plans/' });

const hash = (page) => page.evaluate(() => location.hash);
async function waitForLink(page) {
  await page.waitForFunction(() => location.hash.startsWith('#v1.'));
  return hash(page);
}

test('served under a sub-path, the page opens on the example', async () => {
  assert.ok(env.server.url.endsWith('/team/plans/'));
  const { page, errors } = await openPage(env.browser, env.server.url);
  assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
  assert.deepEqual(errors, []);
});

test('the address bar holds a permalink that restores the plan and the view', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('metric').selectOption('memory');
  await page.getByTestId('findings').locator('[data-code="AGG_BOTTLENECK"]').click();
  await page.locator('[data-testid="gpu-grid"][data-side="after"] rect.cell[data-gpu="9"]').click();
  await page.getByTestId('dag-grouping').selectOption('layer');
  // The address bar follows the view after each change settles.
  await page.waitForTimeout(300);
  await page.waitForFunction(() => location.hash.length > 10);
  const link = await waitForLink(page);
  assert.ok(link.length < 64 * 1024);

  for (const visit of ['new tab', 'reload']) {
    const p = visit === 'reload' ? page : (await openPage(env.browser, env.server.url + link)).page;
    if (visit === 'reload') {
      await p.reload();
      await p.getByTestId('summary').waitFor();
    }
    await p.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
    assert.equal(await field(p, 'file'), 'seed-ep64-tp2.json', visit);
    assert.equal(await p.getByTestId('metric').inputValue(), 'memory', visit);
    const active = p.getByTestId('findings').locator('[data-code="AGG_BOTTLENECK"]');
    assert.equal(await active.locator('.finding-toggle').getAttribute('aria-pressed'), 'true', visit);
    assert.equal(await p.locator('rect.cell.selected[data-gpu="9"]').count(), 2, visit);
    assert.equal(await p.getByTestId('dag-grouping').inputValue(), 'layer', visit);
  }
});

test('a damaged link says so and leaves the page usable', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const link = await waitForLink(page);
  const i = Math.floor(link.length / 2);
  const tampered = link.slice(0, i) + (link[i] === 'A' ? 'B' : 'A') + link.slice(i + 1);
  const { page: p } = await openPage(env.browser, env.server.url + tampered);
  const banner = p.getByTestId('error');
  await banner.waitFor();
  assert.match(await banner.textContent(), /This link cannot be opened: the link is damaged/);
  assert.equal(await field(p, 'file'), 'seed-ep64-tp2.json');
  const { page: q } = await openPage(env.browser, env.server.url + '#v9.abc');
  assert.match(await q.getByTestId('error').textContent(), /unknown permalink version v9/);
});

test('a plan too large for a link says so and offers the file instead', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('file-input').setInputFiles(
    '../shared/corpus/lr-agent/2025-12-04-11-03-13__llm_deployment_comprehensive.dot',
  );
  const note = page.getByTestId('link-note');
  await note.waitFor({ timeout: 30000 });
  assert.match(await note.textContent(), /too large for a link.*share the file or export the HTML report/);
  assert.equal(await hash(page), '');
});

test('?url= opens a hosted plan, and a missing one explains why', async () => {
  const { page } = await openPage(env.browser, `${env.server.url}?url=/_corpus/paper_to_dag__expert_parallelism_dag.json`);
  await page.getByTestId('summary').getByText('paper_to_dag__expert_parallelism_dag.json').waitFor();
  assert.equal(await field(page, 'nodes'), '8');
  const { page: p } = await openPage(env.browser, `${env.server.url}?url=/_corpus/missing.json`);
  await p.getByTestId('error').waitFor();
  assert.match(await p.getByTestId('error').textContent(), /Could not load .*missing\.json: the server answered 404/);
  assert.equal(await field(p, 'file'), 'seed-ep64-tp2.json');
});

async function exported(page, key) {
  await page.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-menu').locator(`[data-export="${key}"]`).first().click(),
  ]);
  return { name: download.suggestedFilename(), body: await readFile(await download.path()) };
}

test('exports: plans, the HTML report, and each view as SVG and PNG', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  const before = await exported(page, 'plan-before-json');
  assert.equal(before.name, 'seed-ep64-tp2.planscope.json');
  assert.equal(JSON.parse(before.body).planscope, 1);
  const afterDot = await exported(page, 'plan-after-dot');
  assert.equal(afterDot.name, 'seed-ep64-tp2.EP64_TP2.dot');
  assert.match(String(afterDot.body), /^(strict )?digraph/);
  const report = await exported(page, 'report');
  assert.equal(report.name, 'seed-ep64-tp2.report.html');
  const html = String(report.body);
  assert.match(html, /GPU_UNDERUSE/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  // The report opens offline and shows its two grids.
  const p = await env.browser.newPage();
  await p.setContent(html);
  assert.ok((await p.locator('svg').count()) >= 2);

  const svg = await exported(page, 'grid-after');
  assert.equal(svg.name, 'seed-ep64-tp2.grid-after.svg');
  assert.match(String(svg.body), /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((String(svg.body).match(/<rect[^>]*class="cell/g) ?? []).length, 128);
  await page.getByTestId('export-menu').locator('summary').click();
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-menu').locator('[data-export="util-busy"]').nth(1).click(),
  ]);
  assert.equal(png.suggestedFilename(), 'seed-ep64-tp2.util-busy.png');
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
});

test('review mode walks the findings with the arrow keys and lights their GPUs', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  await page.keyboard.press('r');
  const review = page.getByTestId('review');
  await review.waitFor();
  const total = await page.getByTestId('findings').locator('[data-code]').count();
  assert.equal(await page.getByTestId('review-count').textContent(), `1 of ${total}`);
  assert.equal(await page.getByTestId('review-code').textContent(), 'GPU_UNDERUSE');
  assert.equal(await review.locator('[data-side="before"] rect.cell.lit').count(), 125);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('review-count').textContent(), `3 of ${total}`);
  await screenshot(page, 'review.png');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getByTestId('review-count').textContent(), `2 of ${total}`);
  await page.keyboard.press('Escape');
  assert.equal(await review.count(), 0);
});

test('? lists the shortcuts; b switches the sides; print hides the controls', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  await page.keyboard.press('?');
  const help = page.getByTestId('help');
  await help.waitFor();
  assert.match(await help.textContent(), /Review the findings/);
  await page.keyboard.press('Escape');
  assert.equal(await help.count(), 0);
  await page.keyboard.press('b');
  assert.equal(await page.locator('.side.after').isVisible(), false);
  await page.keyboard.press('b');
  assert.equal(await page.locator('.side.before').isVisible(), false);
  await page.keyboard.press('b');
  assert.equal(await page.locator('.side.before').isVisible(), true);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.toolbar').isVisible(), false);
  assert.equal(await page.getByTestId('summary').isVisible(), true);
});

test('no request leaves the page origin, whatever the user does', async () => {
  const page = await env.browser.newPage();
  const outside = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(env.server.origin) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
  });
  await page.goto(env.server.url);
  await page.getByTestId('summary').waitFor();
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  await page.getByTestId('file-input').setInputFiles('../shared/corpus/lr-agent/2025-12-22-14-17-26__llm_final_dag.dot');
  await page.getByTestId('summary').getByText('llm_final_dag.dot').waitFor({ timeout: 20000 });
  await page.getByTestId('strategy').fill('EP64_TP8_PP2_DP2');
  await page.getByTestId('rewrite').click();
  await page.keyboard.press('r');
  await page.keyboard.press('Escape');
  await exported(page, 'report');
  assert.deepEqual(outside, []);
});
