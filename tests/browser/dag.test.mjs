// The DAG view: the largest corpus file draws, search finds and selects a node, the
// example's selection carries over to its rewrite, node ids stay text; screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, corpus } from './harness.mjs';

const env = servedBrowser();

const LARGEST = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';
const view = (page) => page.getByTestId('dag-view');
const pane = (page, side) => page.locator(`[data-testid="dag-view"] .dag-pane[data-side="${side}"]`);
const ready = (page, timeout = 60000) => page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout });

/** Clicks the centre of node `id`'s box on `side` by searching for it first. */
async function find(page, text) {
  await view(page).hover();
  await page.keyboard.press('Control+f');
  const box = page.getByTestId('dag-search');
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
  await box.press('Enter');
}

/** Fraction of canvas pixels that differ from the top-left (background) pixel. */
async function inked(page, side) {
  return pane(page, side)
    .locator('canvas.dag-canvas')
    .evaluate((c) => {
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 16) {
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) n++;
      }
      return n / (data.length / 16);
    });
}

test('the example draws both sides; a node selected before selects its copies after', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await ready(page);
  await view(page).scrollIntoViewIfNeeded();
  assert.equal(await pane(page, 'before').getAttribute('data-ready'), 'true');
  assert.equal(await pane(page, 'after').getAttribute('data-ready'), 'true');
  assert.ok((await inked(page, 'before')) > 0.001, 'before canvas is not empty');
  assert.ok((await inked(page, 'after')) > 0.001, 'after canvas is not empty');
  // The backing store follows the device pixel ratio.
  const dpr = await page.evaluate(() => devicePixelRatio);
  const c = pane(page, 'before').locator('canvas.dag-canvas');
  const [w, cw] = await c.evaluate((el) => [el.width, el.clientWidth]);
  assert.equal(w, Math.round(cw * dpr));
  await screenshot(page, 'dag-example.png');

  await find(page, 'embed_1');
  const props = page.getByTestId('dag-props');
  await props.waitFor({ state: 'visible' });
  assert.equal(await props.locator('[data-field="id"]').textContent(), 'embed_1');
  assert.match(await page.getByTestId('dag-counterparts').textContent(), /^128 counterparts on the after side/);
  assert.equal(await page.locator('rect.cell.selected[data-gpu="0"]').count(), 2, 'its GPU is selected in the grids');
  await view(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'dag-example-selected.png');
  assert.deepEqual(errors, []);
});

test('clicking a node on the canvas opens its properties', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await ready(page);
  await find(page, 'expert_2');
  await page.getByTestId('dag-search').press('Escape');
  // The found node is centred in the before pane: click the centre.
  const canvas = pane(page, 'before').locator('canvas.dag-canvas');
  await page.getByTestId('dag-props').locator('.dag-props-close').click();
  const b = await canvas.boundingBox();
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  assert.equal(await page.getByTestId('dag-props').locator('[data-field="id"]').textContent(), 'expert_2');
});

test(`the largest corpus file (${LARGEST}) is drawn and searchable`, async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const text = await readFile(join(corpus, LARGEST), 'utf8');
  await dropFile(page, LARGEST, text);
  await page.waitForFunction((n) => document.querySelector('[data-field="file"]')?.textContent === n, LARGEST, {
    timeout: 60000,
  });
  await ready(page, 120000);
  await view(page).scrollIntoViewIfNeeded();
  assert.ok((await inked(page, 'before')) > 0.001, 'canvas is not empty');
  await screenshot(page, 'dag-largest-fit.png');
  await find(page, 'expert');
  const props = page.getByTestId('dag-props');
  await props.waitFor({ state: 'visible' });
  const id = await props.locator('[data-field="id"]').textContent();
  assert.match(id, /expert/i);
  assert.match(await page.getByTestId('dag-search-count').textContent(), /^1 \/ \d+/);
  await page.getByTestId('dag-search').press('Escape');
  await view(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'dag-largest-found.png');
  // Zoom out with the wheel and pan with a drag: still drawn, no errors.
  const canvas = pane(page, 'before').locator('canvas.dag-canvas');
  const b = await canvas.boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.wheel(0, 600);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 80, b.y + b.height / 2 + 40, { steps: 4 });
  await page.mouse.up();
  await page.waitForTimeout(100);
  await screenshot(page, 'dag-largest-zoomed-out.png');
  assert.deepEqual(errors, []);
});

test('grouping by layer redraws; node ids holding markup stay text', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await ready(page);
  await page.getByTestId('dag-grouping').selectOption('layer');
  await ready(page);
  const evil = '<img src=x onerror=alert(1)>';
  const plan = {
    nodes: [
      { id: evil, type: 'compute', gpu: 0, attrs_note: '<b>bold</b>' },
      { id: 'b', type: 'communication', gpu: 1 },
    ],
    edges: [{ from: evil, to: 'b' }],
  };
  await dropFile(page, 'evil.json', JSON.stringify(plan));
  await page.waitForFunction(() => document.querySelector('[data-field="file"]')?.textContent === 'evil.json');
  await ready(page);
  await find(page, 'img');
  const props = page.getByTestId('dag-props');
  await props.waitFor({ state: 'visible' });
  assert.equal(await props.locator('[data-field="id"]').textContent(), evil);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.deepEqual(errors, []);
});
