// DAG navigation (issue 14 items 2–5): search covers both graphs; a search result, a
// finding or a node id in a finding brings its nodes and their counterparts into view and
// selects them; panes follow by correspondence, not by viewport; the rewrite's changes are
// marked with a legend; Fit shows the whole graph with labels where there is room; a
// stack expands in view and collapses with a button or `c`; review shows the nodes.
// Screenshots at 1280×800 and 390×844 in target/screenshots/dag-nav-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, corpus } from './harness.mjs';

const env = servedBrowser();

const LARGE = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';
const FIXED = '2025-12-30-17-26-35__parallel_strategy_dag_fixed.dot';
const TALL = '2026-01-04-10-46-16__qwen3_235b_parallel_strategy.dot';
const FIXED_LARGE = '2025-12-02-17-40-26__ep64_tp2_moe_model_complete_fixed.dot';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const view = (page) => page.getByTestId('dag-view');
const canvas = (page, side) =>
  page.locator(`[data-testid="dag-view"] .dag-pane[data-side="${side}"] canvas.dag-canvas`);
const ready = (page, timeout = 60000) =>
  page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout });
/** The canvas's report of its last frame (see `canvas::report`). */
async function frame(page, side) {
  await page.waitForTimeout(120); // one animation frame at least
  return canvas(page, side).evaluate((c) => ({
    scale: Number(c.dataset.scale),
    whole: c.dataset.whole === 'true',
    top: Number(c.dataset.top),
    selected: Number(c.dataset.selected),
    inView: Number(c.dataset.selectedInView),
    labels: Number(c.dataset.labels),
    chips: Number(c.dataset.chips),
    items: Number(c.dataset.items),
  }));
}

async function search(page, text) {
  await view(page).hover();
  await page.keyboard.press('Control+f');
  const box = page.getByTestId('dag-search');
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
}

async function open(page, name) {
  const text = await readFile(join(corpus, name), 'utf8');
  await dropFile(page, name, text);
  await page.waitForFunction((n) => document.querySelector('[data-field="file"]')?.textContent === n, name, {
    timeout: 60000,
  });
  await ready(page, 120000);
}

test('search covers both graphs: layer0_attn is found in the after pane, shown and selected with its counterpart', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await ready(page);
  await search(page, 'layer0_attn');
  const count = page.getByTestId('dag-search-count');
  const text = await count.textContent();
  const m = text.match(/^(\d+) match(?:es)? · (\d+) before · (\d+) after$/);
  assert.ok(m, `count says how many on each side: ${text}`);
  assert.equal(Number(m[2]), 0, 'the 7-node example has no layer0_attn');
  assert.ok(Number(m[3]) > 0, 'the after pane has layer0_attn');
  await page.getByTestId('dag-search').press('Enter');
  assert.match(await count.textContent(), /^1 \/ \d+ · 0 before · \d+ after$/);
  const props = page.getByTestId('dag-props');
  await props.waitFor({ state: 'visible' });
  assert.match(await props.locator('[data-field="id"]').textContent(), /layer0_attn/);
  const after = await frame(page, 'after');
  assert.ok(after.selected >= 1 && after.inView === after.selected, `found node in view after: ${JSON.stringify(after)}`);
  assert.ok(after.scale >= 0.5, 'zoomed in to read it');
  // The rewrite built it for no node of the 7-node plan (which has no attention): the
  // properties say so, and nothing is selected before.
  assert.match(await page.getByTestId('dag-counterparts').textContent(), /^0 counterparts on the before side$/);
  const before = await frame(page, 'before');
  assert.equal(before.inView, before.selected);
  await view(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'dag-nav-search-after.png');
  // A before-side match: embed_1, shown with its 128 copies on the after side.
  await page.getByTestId('dag-search').fill('embed_1');
  await page.getByTestId('dag-search').press('Enter');
  assert.equal(await props.locator('[data-field="id"]').textContent(), 'embed_1');
  const copies = await frame(page, 'after');
  assert.ok(copies.selected >= 1 && copies.inView === copies.selected, `copies in view: ${JSON.stringify(copies)}`);
  // On a phone the panes stack; Fit still shows each whole graph.
  await page.setViewportSize(PHONE);
  await page.getByTestId('dag-fit').click();
  assert.ok((await frame(page, 'before')).whole && (await frame(page, 'after')).whole);
  await view(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'dag-nav-search-phone.png');
  assert.deepEqual(errors, []);
});

test('a finding and a node id in a finding bring their nodes and counterparts into view', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await ready(page);
  const link = page.getByTestId('findings').locator('button.node-link').first();
  await link.waitFor();
  const id = await link.getAttribute('data-node');
  const finding = link.locator('xpath=ancestor::article[1]');
  await link.click();
  assert.equal(await finding.locator('.finding-toggle').getAttribute('aria-pressed'), 'false', 'the id does not toggle the finding');
  const props = page.getByTestId('dag-props');
  await props.waitFor({ state: 'visible' });
  assert.equal(await props.locator('[data-field="id"]').textContent(), id);
  let before = await frame(page, 'before');
  assert.ok(before.selected === 1 && before.inView === 1, JSON.stringify(before));
  let after = await frame(page, 'after');
  assert.ok(after.selected >= 1 && after.inView === after.selected, `counterparts in view: ${JSON.stringify(after)}`);
  // The finding itself: all its nodes selected and in view on both sides.
  await finding.click();
  assert.equal(await finding.locator('.finding-toggle').getAttribute('aria-pressed'), 'true');
  before = await frame(page, 'before');
  after = await frame(page, 'after');
  assert.ok(before.selected >= 1 && before.inView === before.selected, JSON.stringify(before));
  assert.ok(after.selected >= 1 && after.inView === after.selected, JSON.stringify(after));
  await view(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'dag-nav-finding.png');
  assert.deepEqual(errors, []);
});

test('panes follow by correspondence, not by viewport; the rewrite marks what it changed', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await ready(page);
  await view(page).scrollIntoViewIfNeeded();
  const start = await frame(page, 'after');
  // A 100 px drag and a wheel in the 7-node pane leave the 11,586-node pane alone.
  const b = await canvas(page, 'before').boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 100, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.mouse.wheel(0, 400);
  const moved = await frame(page, 'after');
  assert.equal(moved.scale, start.scale, 'the after pane kept its zoom');
  assert.deepEqual([moved.whole, moved.top], [start.whole, start.top], 'and its view');
  // Selecting a node centres its counterparts on the other side.
  await search(page, 'expert_2');
  await page.getByTestId('dag-search').press('Enter');
  await page.getByTestId('dag-search').press('Escape');
  await page.getByTestId('dag-fit').click();
  const fitted = await frame(page, 'after');
  assert.ok(fitted.whole);
  const c = await canvas(page, 'before').boundingBox();
  // Fit puts the 7-node graph in the middle; click the found node by finding it again.
  await search(page, 'comm_1');
  await page.getByTestId('dag-search').press('Enter');
  await page.getByTestId('dag-search').press('Escape');
  await page.getByTestId('dag-fit').click();
  await page.mouse.click(c.x + 2, c.y + 2); // empty corner: clears
  assert.equal((await frame(page, 'after')).selected, 0);
  await search(page, 'expert_2');
  await page.getByTestId('dag-search').press('Enter');
  await page.getByTestId('dag-search').press('Escape');
  await page.mouse.click(c.x + c.width / 2, c.y + c.height / 2); // the found node is centred
  assert.equal(await page.getByTestId('dag-props').locator('[data-field="id"]').textContent(), 'expert_2');
  const follow = await frame(page, 'after');
  assert.ok(follow.selected > 1 && follow.inView === follow.selected, `its shards in view: ${JSON.stringify(follow)}`);
  assert.ok(follow.scale > fitted.scale, 'zoomed in on them');
  // The legend says how the after side's nodes are marked, with counts from the diff.
  const legend = page.getByTestId('dag-legend');
  await legend.waitFor();
  assert.match(await legend.locator('[data-action="add"]').textContent(), /^\+[\d,]+ added$/);
  await screenshot(page, 'dag-nav-follow.png');
  assert.deepEqual(errors, []);
});

test(`Fit shows the whole of ${LARGE} with labels; a stack expands in view and collapses`, async (t) => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await open(page, LARGE);
  await view(page).scrollIntoViewIfNeeded();
  await page.getByTestId('dag-fit').click();
  const fit = await frame(page, 'before');
  t.diagnostic(`fit: ${JSON.stringify(fit)}`);
  assert.ok(fit.whole, `Fit shows the whole graph: ${JSON.stringify(fit)}`);
  assert.ok(fit.labels >= 5, `labels where there is room: ${fit.labels}`);
  await screenshot(page, 'dag-nav-large-fit.png');
  // An expert is folded into a stack: find it, click the stack (centred), it expands.
  await search(page, 'expert_0_5');
  await page.getByTestId('dag-search').press('Enter');
  await page.getByTestId('dag-search').press('Escape');
  const folded = await frame(page, 'before');
  const c = await canvas(page, 'before').boundingBox();
  await page.mouse.click(c.x + c.width / 2, c.y + c.height / 2);
  await ready(page);
  const open1 = await frame(page, 'before');
  t.diagnostic(`expanded: ${JSON.stringify(open1)}`);
  assert.ok(open1.items > folded.items, `expanded: ${folded.items} → ${open1.items} items`);
  assert.ok(open1.chips >= 1, 'a Collapse button shows on the expanded stack');
  assert.ok(open1.selected >= 1 && open1.inView === open1.selected, `the stack stays in view: ${JSON.stringify(open1)}`);
  await screenshot(page, 'dag-nav-large-expanded.png');
  // `c` collapses it again.
  await view(page).focus();
  await page.keyboard.press('c');
  await ready(page);
  const shut = await frame(page, 'before');
  assert.equal(shut.items, folded.items, 'collapsed with c');
  assert.equal(shut.chips, 0);
  assert.deepEqual(errors, []);
});

// A deployment's layers in one long column (corpus #32: 94 layers, 1,791 nodes) fitted
// whole is a 1-px line at 1% scale: it opens at its top, at reading size, and Fit fits it.
test(`${TALL} opens at its top, readable; Fit shows it whole`, async (t) => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await open(page, TALL);
  await view(page).scrollIntoViewIfNeeded();
  const opened = await frame(page, 'before');
  t.diagnostic(`opened: ${JSON.stringify(opened)}`);
  assert.ok(!opened.whole && opened.scale >= 0.33, `readable, not whole: ${JSON.stringify(opened)}`);
  assert.ok(opened.top >= 24 && opened.top <= 40, `its top below the pane's title: ${opened.top}`);
  assert.ok(opened.labels >= 3, `labels: ${opened.labels}`);
  await screenshot(page, 'dag-nav-tall-open.png');
  await page.getByTestId('dag-fit').click();
  const fit = await frame(page, 'before');
  assert.ok(fit.whole && fit.scale < 0.05, JSON.stringify(fit));
  // A graph that fits readably opens fitted, as before (the example's seven nodes).
  const { page: small } = await openPage(env.browser, env.server.url, DESKTOP);
  await ready(small);
  assert.ok((await frame(small, 'before')).whole);
  assert.deepEqual(errors, []);
});

test(`a *_fixed.dot file (${FIXED}) fits whole and labelled; phone layout`, async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, PHONE);
  await open(page, FIXED);
  await view(page).scrollIntoViewIfNeeded();
  await page.getByTestId('dag-fit').click();
  const fit = await frame(page, 'before');
  assert.ok(fit.whole, JSON.stringify(fit));
  assert.ok(fit.labels >= 1, `labels: ${fit.labels}`);
  await screenshot(page, 'dag-nav-phone-fixed.png');
  assert.deepEqual(errors, []);
});

test(`${FIXED_LARGE} (1,669 nodes) fits whole, folded into series, and labelled`, async (t) => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await open(page, FIXED_LARGE);
  await view(page).scrollIntoViewIfNeeded();
  await page.getByTestId('dag-fit').click();
  const fit = await frame(page, 'before');
  assert.ok(fit.whole, JSON.stringify(fit));
  t.diagnostic(`fit: ${JSON.stringify(fit)}`);
  assert.ok(fit.items < 1669, `series folded: ${fit.items} items`);
  assert.ok(fit.labels >= 5, `labels: ${fit.labels}`);
  await screenshot(page, 'dag-nav-fixed-large-fit.png');
  assert.deepEqual(errors, []);
});

test('review walks the findings with the graph: nodes before and their counterparts after', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, DESKTOP);
  await ready(page);
  // Start the review on the first finding that names nodes.
  const codes = await page.getByTestId('findings').locator('article.finding').evaluateAll((els) =>
    els.map((e) => e.querySelector('.node-link') !== null),
  );
  const first = codes.indexOf(true);
  assert.ok(first >= 0, 'the example has a finding with nodes');
  await page.keyboard.press('r');
  const review = page.getByTestId('review');
  await review.waitFor();
  for (let i = 0; i < first; i++) await page.keyboard.press('ArrowRight');
  const before = review.getByTestId('review-graph-before');
  const after = review.getByTestId('review-graph-after');
  await before.waitFor();
  await page.locator('[data-testid="review-graph-before"][data-ready="true"]').waitFor();
  await page.locator('[data-testid="review-graph-after"][data-ready="true"]').waitFor();
  assert.ok(Number(await before.getAttribute('data-seeds')) >= 1);
  assert.ok(Number(await after.getAttribute('data-seeds')) >= 1, 'the counterparts after');
  // The GPU grids are still there.
  assert.ok((await review.locator('[data-testid="gpu-grid"]').count()) >= 1);
  await screenshot(page, 'dag-nav-review.png');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await screenshot(page, 'dag-nav-review-phone.png');
  assert.deepEqual(errors, []);
});
