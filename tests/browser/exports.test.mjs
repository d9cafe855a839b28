// Exports (issue 15, "Exports"): the DAG as a real SVG of the whole graph (drawn by the
// core from its layout), PNGs with a title and a legend, and the self-contained HTML
// report with the DAG before and after and the step view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { servedBrowser, openPage, screenshot } from './harness.mjs';

const env = servedBrowser();

async function exported(page, key, nth = 0) {
  await page.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-menu').locator(`[data-export="${key}"]`).nth(nth).click(),
  ]);
  return { name: download.suggestedFilename(), body: await readFile(await download.path()) };
}

/** Parses SVG text in the browser: the root's name, node titles, group sizes, text. */
async function parseSvg(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.getElementsByTagName('parsererror').length > 0,
      root: root.localName,
      ns: root.namespaceURI,
      nodes: [...doc.querySelectorAll('g.node > title')].map((t) => t.textContent),
      groupMembers: [...doc.querySelectorAll('g.group')].reduce((n, g) => n + Number(g.dataset.members), 0),
      edges: doc.querySelectorAll('g.edges path').length,
      text: [...doc.querySelectorAll('text')].map((t) => t.textContent),
    };
  }, text);
}

/** A PNG's width and height from its IHDR chunk. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('"DAG · SVG" is a real SVG of the whole graph, before and after', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  const plans = {
    before: JSON.parse((await exported(page, 'plan-before-json')).body),
    after: JSON.parse((await exported(page, 'plan-after-json')).body),
  };
  for (const [key, side] of [['dag', 'before'], ['dag-after', 'after']]) {
    const svg = await exported(page, key);
    assert.equal(svg.name, `seed-ep64-tp2.${key}.svg`);
    const text = String(svg.body);
    assert.doesNotMatch(text.slice(0, 200), /^\x89PNG/);
    const s = await parseSvg(page, text);
    assert.equal(s.error, false, `${key} parses as XML`);
    assert.equal(s.root, 'svg');
    assert.equal(s.ns, 'http://www.w3.org/2000/svg');
    const ids = plans[side].nodes.map((n) => n.id);
    // Every node is drawn as its own box (its id in the box's title) or inside a group.
    assert.equal(s.nodes.length + s.groupMembers, ids.length, side);
    if (s.groupMembers === 0) assert.deepEqual(new Set(s.nodes), new Set(ids));
    assert.ok(s.edges > 0);
    assert.ok(s.text.some((t) => t.includes('seed-ep64-tp2')), 'a title');
    assert.ok(s.text.includes('communication') && s.text.includes('compute'), 'a legend');
  }
  // Shown in a browser tab, the drawing renders (screenshot for a look).
  const svg = await exported(page, 'dag-after');
  const view = await env.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await view.setContent(String(svg.body));
  await screenshot(view, 'export-dag-after.png');
  assert.deepEqual(errors, []);
});

test('PNGs carry a title and a legend over the view', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  // A page-drawn view: the SVG has a title band and legend swatches; the PNG is that
  // drawing at twice the size, taller than the bare view by the band.
  const grid = page.locator('[data-testid="gpu-grid"][data-side="after"]');
  const bare = await grid.boundingBox();
  const svg = await parseSvg(page, String((await exported(page, 'grid-after')).body));
  assert.equal(svg.error, false);
  assert.ok(svg.text.includes('seed-ep64-tp2 · Cluster, after'), svg.text.slice(0, 3).join('|'));
  assert.ok(svg.text.includes('idle'), 'the legend names idle cells');
  const png = await exported(page, 'grid-after', 1);
  assert.equal(png.name, 'seed-ep64-tp2.grid-after.png');
  const size = pngSize(png.body);
  assert.ok(size.height >= Math.floor(2 * (bare.height + 50)), `band over the grid: ${size.height} vs ${bare.height}`);
  for (const key of ['dag', 'timeline', 'util-comm']) {
    const p = await exported(page, key, 1);
    assert.equal(p.name, `seed-ep64-tp2.${key}.png`);
    const { width, height } = pngSize(p.body);
    assert.ok(width > 100 && height > 100, `${key}: ${width}×${height}`);
  }
  // The step drawing holds both sides and its legend.
  const step = await parseSvg(page, String((await exported(page, 'timeline')).body));
  assert.equal(step.error, false);
  assert.ok(step.text.includes('compute') && step.text.some((t) => t.startsWith('communication')));
  assert.ok(step.text.some((t) => t.startsWith('before · step')) && step.text.some((t) => t.startsWith('after · step')));
  assert.deepEqual(errors, []);
});

test('the HTML report holds the DAG before and after and the step view, offline', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  const report = await exported(page, 'report');
  const html = String(report.body);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  const p = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const blocked = [];
  await p.route('**/*', (r) => {
    blocked.push(r.request().url());
    return r.abort();
  });
  await p.setContent(html);
  const dag = p.locator('[data-section="dag"]');
  assert.equal(await dag.locator('figure[data-side="before"] svg g.node').count(), 7);
  assert.ok((await dag.locator('figure[data-side="after"] svg g.node, figure[data-side="after"] svg g.group').count()) > 128);
  const step = p.locator('[data-section="step"]');
  assert.equal(await step.locator('g.step-side[data-side="before"] g.step-row').count(), 3);
  assert.equal(await step.locator('g.step-side[data-side="after"] g.step-row').count(), 128);
  await step.scrollIntoViewIfNeeded();
  await screenshot(p, 'report-step.png');
  await dag.scrollIntoViewIfNeeded();
  await screenshot(p, 'report-dag.png');
  assert.deepEqual(blocked, []);
  assert.deepEqual(errors, []);
});
