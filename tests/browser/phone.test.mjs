// A phone (390×844, touch): nothing wider than the screen, menus open on it, one finger
// scrolls the page over the graph while two move the graph, and a 3,715-GPU grid zooms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedBrowser, screenshot } from './harness.mjs';

const env = servedBrowser();
const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

async function openPhone(query = '', colorScheme = 'light') {
  const page = await env.browser.newPage({ ...phone, colorScheme });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.server.url + query);
  await page.getByTestId('summary').waitFor({ timeout: 30000 });
  return { page, errors };
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
/** Elements reaching past the screen's right or left edge (none when the page fits). */
const outside = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((el) => {
        if (el.closest('.gpu-grid-scroll, .dag-pane, .visually-hidden')) return false;
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)
      .slice(0, 5),
  );

for (const scheme of ['light', 'dark']) {
  test(`no horizontal overflow at 390 px (${scheme}); Suggest and every header button on screen`, async () => {
    const { page, errors } = await openPhone('', scheme);
    await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
    await page.getByTestId('timeline').waitFor();
    assert.equal(await overflow(page), 0);
    assert.deepEqual(await outside(page), []);
    for (const id of ['suggest', 'rewrite', 'theme', 'help-open', 'review-open']) {
      const box = await page.getByTestId(id).boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 390, `${id} at ${box.x}..${box.x + box.width}`);
    }
    await screenshot(page, `phone-${scheme}.png`);
    await page.getByTestId('suggest').click();
    await page.getByTestId('suggestions').waitFor({ timeout: 30000 });
    assert.equal(await overflow(page), 0);
    assert.deepEqual(errors, []);
  });
}

// A touch screen has no keys or wheel: the graph's and the step's hints say what fingers do,
// and a mouse's hints say what keys do.
test('the graph and step hints speak of fingers on a phone, of keys with a mouse', async () => {
  const { page, errors } = await openPhone();
  await page.getByTestId('timeline').waitFor();
  const shown = (sel) =>
    page.locator(sel).evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.textContent));
  const dag = await shown('.dag-hint > span');
  assert.equal(dag.length, 1, JSON.stringify(dag));
  assert.match(dag[0], /two fingers pan and pinch to zoom/);
  const step = await shown('.timeline-info > span');
  assert.ok(step.length >= 1 && step.every((t) => !/W\/S/.test(t)), JSON.stringify(step));
  assert.match(step[0], /tap a slice for details/);
  const desk = await env.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await desk.goto(env.server.url);
  await desk.getByTestId('timeline').waitFor({ timeout: 30000 });
  const deskShown = (sel) =>
    desk.locator(sel).evaluateAll((els) => els.filter((e) => e.getClientRects().length > 0).map((e) => e.textContent));
  assert.match((await deskShown('.dag-hint > span')).join('|'), /^drag to pan · wheel to zoom/);
  assert.match((await deskShown('.timeline-info > span')).join('|'), /W\/S zoom · A\/D pan/);
  assert.deepEqual(errors, []);
});

test('the export menu and the help open on the screen', async () => {
  const { page } = await openPhone();
  await page.getByTestId('export-menu').locator('summary').tap();
  const panel = page.locator('.menu-panel');
  await panel.waitFor();
  const box = await panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `menu at ${box.x}..${box.x + box.width}`);
  assert.ok(box.y >= 0 && box.y < 844, `menu top at ${box.y}`);
  await screenshot(page, 'phone-export-menu.png');
  await page.keyboard.press('Escape');
  await page.getByTestId('help-open').tap();
  const help = await page.getByTestId('help').boundingBox();
  assert.ok(help.x >= 0 && help.x + help.width <= 390);
});

/** Touch points through the DevTools protocol: the browser's own gesture handling sees them. */
async function swipe(page, fingers, from, dy) {
  const cdp = await page.context().newCDPSession(page);
  const points = (y) => fingers.map((dx, id) => ({ x: from.x + dx, y, id }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points(from.y) });
  for (let k = 1; k <= 12; k++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points(from.y + (dy * k) / 12) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForTimeout(300);
}

test("a fitted graph starts below its pane's title, on a phone as on a desktop", async () => {
  const { page, errors } = await openPhone();
  for (const pane of await page.locator('.dag-pane').all()) {
    const canvas = pane.locator('canvas.dag-canvas');
    await page.waitForFunction((c) => c.dataset.top !== undefined, await canvas.elementHandle());
    const top = Number(await canvas.getAttribute('data-top'));
    const canvasTop = (await canvas.boundingBox()).y;
    const title = await pane.locator('.dag-pane-title').boundingBox();
    assert.ok(canvasTop + top >= title.y + title.height, `drawing at ${canvasTop + top}, title ends at ${title.y + title.height}`);
  }
  assert.deepEqual(errors, []);
});

test('over the graph one finger scrolls the page and two fingers pan the graph', async () => {
  const { page } = await openPhone();
  const canvas = page.getByTestId('dag-canvas').first();
  await page.getByTestId('dag-view').and(page.locator('[data-ready="true"]')).waitFor();
  assert.equal(await canvas.evaluate((c) => getComputedStyle(c).touchAction), 'pan-x pan-y');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };

  const picture = () => canvas.evaluate((c) => c.toDataURL());
  let scroll = await page.evaluate(() => window.scrollY);
  const drawn = await picture();
  await swipe(page, [0], centre, -200);
  assert.ok((await page.evaluate(() => window.scrollY)) > scroll + 50, 'one finger scrolled the page');
  assert.equal(await picture(), drawn, 'one finger left the graph where it was');

  const box2 = await canvas.boundingBox();
  const centre2 = { x: box2.x + box2.width / 2, y: box2.y + box2.height / 2 };
  scroll = await page.evaluate(() => window.scrollY);
  await swipe(page, [-40, 40], centre2, 120);
  assert.equal(await page.evaluate(() => window.scrollY), scroll, 'two fingers did not scroll the page');
  assert.notEqual(await picture(), drawn, 'two fingers moved the graph');
});

test('the 3,715-GPU grid zooms from 2 px cells to 17 px ones, inside its own scroll box', async () => {
  const { page } = await openPhone('?url=' + encodeURIComponent('/_corpus/2025-11-26-11-58-22__moe_large_scale_deployment.dot'));
  const grid = page.locator('[data-testid="gpu-grid"][data-side="before"]');
  await grid.waitFor({ timeout: 60000 });
  const cell = grid.locator('rect.cell').first();
  const small = (await cell.boundingBox()).width;
  assert.ok(small < 5, `cells start at ${small} px`);
  const wrap = page.locator('.gpu-grid-wrap').filter({ has: grid });
  for (let k = 0; k < 3; k++) await wrap.getByTestId('grid-zoom-in').tap();
  assert.equal((await wrap.getByTestId('grid-zoom').textContent()).trim(), '8×');
  const big = (await cell.boundingBox()).width;
  assert.ok(big >= 16 && big >= small * 7.9, `zoomed cells are ${big} px`);
  const scroller = wrap.getByTestId('gpu-grid-scroll');
  assert.ok(await scroller.evaluate((s) => s.scrollWidth > s.clientWidth + 100));
  assert.equal(await overflow(page), 0);
  await grid.scrollIntoViewIfNeeded();
  await screenshot(page, 'phone-grid-zoomed.png');
  await wrap.getByTestId('grid-zoom-out').tap();
  assert.equal((await wrap.getByTestId('grid-zoom').textContent()).trim(), '4×');
});
