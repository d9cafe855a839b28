// The simulated step (issue 15, "Timeline"): before and after stacked with every GPU
// (virtualised rows), a legend with compute and communication apart, WASD and
// drag-to-zoom, a details panel and flow arrows for the selected slice, and the Chrome
// trace export that Perfetto opens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { servedBrowser, openPage, screenshot, dropFile } from './harness.mjs';

const env = servedBrowser();
const timeline = (page, side) => page.locator(`[data-testid="timeline-step"][data-side="${side}"]`);
const axis = async (t) => (await t.locator('.gantt-axis text').allTextContents()).map((s) => s.trim());
/** Seconds from the page's time labels ("1.23 ms", "450 µs", "0"). */
function seconds(label) {
  const m = label.replace(/,/g, '').match(/^([\d.]+)\s*(s|ms|µs|us|ns)?$/);
  assert.ok(m, `a time label: ${label}`);
  const scale = { s: 1, ms: 1e-3, 'µs': 1e-6, us: 1e-6, ns: 1e-9 }[m[2] ?? 's'];
  return Number(m[1]) * scale;
}

test('before and after are stacked, each with a row for every GPU and a legend', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const before = timeline(page, 'before');
  const after = timeline(page, 'after');
  await after.waitFor();
  assert.equal(await before.locator('svg.gantt').getAttribute('data-rows'), '3');
  assert.equal(await after.locator('svg.gantt').getAttribute('data-rows'), '128');
  // Virtualised: only the rows in view are drawn; scrolling brings GPU 127 in.
  const drawn = await after.locator('g.gantt-row').count();
  assert.ok(drawn > 10 && drawn < 128, `rows drawn: ${drawn}`);
  assert.equal(await after.locator('g.gantt-row[data-gpu="127"]').count(), 0);
  await after.locator('.gantt-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await after.locator('g.gantt-row[data-gpu="127"]').waitFor();
  assert.equal(await after.locator('g.gantt-row[data-gpu="0"]').count(), 0);
  // The legend counts compute and communication apart, each a share of the step.
  const legend = after.getByTestId('timeline-legend');
  const compute = await legend.locator('[data-field="compute"]').textContent();
  const comm = await legend.locator('[data-field="comm"]').textContent();
  assert.match(compute, /%$/);
  assert.match(comm, /%$/);
  assert.ok(parseFloat(comm) > parseFloat(compute), `the rewritten seed mostly communicates: ${compute} vs ${comm}`);
  // The utilization view has a communication chart next to compute.
  assert.ok((await page.getByTestId('util-comm').locator('rect.bar.after').count()) >= 128);
  await after.scrollIntoViewIfNeeded();
  await screenshot(page, 'timeline-stacked.png');
  assert.deepEqual(errors, []);
});

for (const width of [1600, 390]) {
  test(`the time axis's labels never run into each other at ${width} px`, async () => {
    const { page, errors } = await openPage(env.browser, env.server.url, { width, height: 900 });
    const axes = page.getByTestId('timeline').locator('svg.gantt-axis');
    await axes.first().locator('text').first().waitFor();
    assert.equal(await axes.count(), 2);
    for (const axis of await axes.all()) {
      const boxes = await axis.locator('text').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => [r.left, r.right]));
      assert.ok(boxes.length >= 2, JSON.stringify(boxes));
      for (let i = 1; i < boxes.length; i++) {
        assert.ok(boxes[i][0] >= boxes[i - 1][1] + 4, `labels ${i - 1} and ${i} overlap: ${JSON.stringify(boxes)}`);
      }
    }
    assert.deepEqual(errors, []);
  });
}

test('W/S zoom at the pointer, A/D pan, drag zooms to the dragged range', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const t = timeline(page, 'after');
  await t.waitFor();
  const whole = await axis(t);
  assert.equal(seconds(whole[0]), 0);
  const step = seconds(whole[4]);
  const area = t.locator('svg.gantt');
  await t.locator('.gantt-scroll').scrollIntoViewIfNeeded();
  let box = await area.boundingBox();
  // Pointer at the middle of the time area, then W: the span shrinks around it.
  await page.mouse.move(box.x + 64 + (box.width - 64) / 2, box.y + 20);
  await t.locator('.gantt-scroll').focus();
  await page.keyboard.press('w');
  await page.keyboard.press('w');
  let a = (await axis(t)).map(seconds);
  assert.ok(a[0] > 0 && a[4] < step, `zoomed in: ${a}`);
  const span = a[4] - a[0];
  await page.keyboard.press('d');
  const b = (await axis(t)).map(seconds);
  assert.ok(b[0] > a[0], `D pans later: ${a[0]} → ${b[0]}`);
  assert.ok(Math.abs(b[4] - b[0] - span) / span < 0.05, 'panning keeps the span');
  await page.keyboard.press('a');
  await page.keyboard.press('a');
  assert.ok((await axis(t)).map(seconds)[0] < b[0], 'A pans earlier');
  await page.keyboard.press('s');
  await page.keyboard.press('s');
  await page.keyboard.press('s');
  assert.ok((await axis(t)).map(seconds)[4] - (await axis(t)).map(seconds)[0] > span, 'S zooms out');
  await t.getByTestId('timeline-fit').click();
  assert.deepEqual(await axis(t), whole);
  // Drag from 25% to 50% of the time area: the view becomes that range.
  await t.locator('.gantt-scroll').scrollIntoViewIfNeeded();
  box = await area.boundingBox();
  const x = (f) => box.x + 64 + (box.width - 64) * f;
  await page.mouse.move(x(0.25), box.y + 30);
  await page.mouse.down();
  await page.mouse.move(x(0.4), box.y + 30, { steps: 4 });
  assert.equal(await t.locator('rect.zoom-band').count(), 1, 'the dragged range is shown');
  await page.mouse.move(x(0.5), box.y + 30, { steps: 4 });
  await page.mouse.up();
  const z = (await axis(t)).map(seconds);
  assert.ok(Math.abs(z[0] - step * 0.25) / step < 0.02 && Math.abs(z[4] - step * 0.5) / step < 0.02, `zoomed to ${z}`);
});

test('a click selects a slice: its details, and arrows for its dispatch and combine flows', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const t = timeline(page, 'after');
  await t.waitFor();
  const area = t.locator('svg.gantt');
  await t.locator('.gantt-scroll').scrollIntoViewIfNeeded();
  const box = await area.boundingBox();
  // Walk along GPU 5's row until an expert slice is hit.
  const y = box.y + 5 * 14 + 7;
  let found = false;
  for (let px = 66; px < box.width && !found; px += 3) {
    await page.mouse.click(box.x + px, y);
    const d = t.getByTestId('timeline-details');
    if ((await d.count()) && /expert/.test(await d.locator('[data-field="node"]').textContent())) found = true;
  }
  assert.ok(found, 'an expert slice on GPU 5');
  const d = t.getByTestId('timeline-details');
  assert.equal(await d.locator('[data-field="gpu"]').textContent(), '5');
  assert.equal(await d.locator('[data-field="stream"]').textContent(), 'compute');
  for (const f of ['op', 'start', 'duration', 'work']) assert.ok((await d.locator(`[data-field="${f}"]`).textContent()).length > 0, f);
  assert.match(await d.locator('[data-field="work"]').textContent(), /FLOP/);
  assert.match(await d.locator('[data-field="flows"]').textContent(), /^[1-9]\d* in · [1-9]\d* out/);
  assert.equal(await t.locator('rect.slice-selected').count(), 1);
  assert.ok((await t.locator('path.flow.dispatch').count()) >= 1, 'a dispatch arrow into the expert');
  assert.ok((await t.locator('path.flow.combine').count()) >= 1, 'a combine arrow out of it');
  await t.scrollIntoViewIfNeeded();
  await screenshot(page, 'timeline-selected.png');
  await t.locator('.gantt-scroll').press('Escape');
  assert.equal(await t.getByTestId('timeline-details').count(), 0);
  assert.deepEqual(errors, []);
});

test('1,024 GPUs: every GPU has a row, a few are drawn, and scrolling stays smooth', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const seed = JSON.parse(await readFile(new URL('../../www/examples/seed-ep64-tp2.json', import.meta.url), 'utf8'));
  const n = 1024;
  const nodes = [
    { id: 'input_0', type: 'input', gpu: null, shape: [128, 1024] },
    { id: 'embed_1', type: 'compute', gpu: 0, shape: [128, 1024, 1024] },
    { id: 'dispatch_1', type: 'comm', gpu: 0, shape: [128, 1024, 1024] },
    ...Array.from({ length: n }, (_, i) => ({ id: `expert_${i}`, type: 'compute', gpu: i, shape: [128, 1024, 1024] })),
    { id: 'combine_1', type: 'comm', gpu: 0, shape: [128, 1024, 1024] },
    { id: 'output_2', type: 'output', gpu: null, shape: [128, 1024] },
  ];
  const edges = [['input_0', 'embed_1'], ['embed_1', 'dispatch_1'], ['combine_1', 'output_2']];
  for (let i = 0; i < n; i++) edges.push(['dispatch_1', `expert_${i}`], [`expert_${i}`, 'combine_1']);
  const plan = {
    hardware_configuration: { ...seed.hardware_configuration, total_gpus: n },
    model_configuration: seed.model_configuration,
    nodes,
    edges,
  };
  await dropFile(page, 'wide-1024.json', JSON.stringify(plan));
  const t = timeline(page, 'before');
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline-step"] svg.gantt')?.dataset.rows === '1024', null, { timeout: 20000 });
  assert.ok((await t.locator('g.gantt-row').count()) <= 40, 'only the rows in view are drawn');
  // Scroll through all rows, one frame per step; time each frame.
  const frames = await t.locator('.gantt-scroll').evaluate(async (el) => {
    const times = [];
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    let last = await frame();
    for (let i = 1; i <= 40; i++) {
      el.scrollTop = (el.scrollHeight * i) / 40;
      const now = await frame();
      times.push(now - last);
      last = now;
    }
    return times;
  });
  frames.sort((a, b) => a - b);
  const median = frames[frames.length >> 1];
  console.log(`1,024-GPU timeline: median frame while scrolling ${median.toFixed(1)} ms, worst ${frames.at(-1).toFixed(1)} ms`);
  assert.ok(median < 50, `median frame ${median} ms`);
  await t.locator('g.gantt-row[data-gpu="1023"]').waitFor();
  assert.ok((await t.locator('g.gantt-row').count()) <= 40);
  await t.scrollIntoViewIfNeeded();
  await screenshot(page, 'timeline-1024.png');
  assert.deepEqual(errors, []);
});

test('the step exports as a Chrome trace: a process per GPU and side, compute and comm threads, flows', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await timeline(page, 'after').waitFor();
  await page.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-menu').locator('[data-export="trace"]').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'seed-ep64-tp2.trace.json');
  const trace = JSON.parse(await readFile(await download.path(), 'utf8'));
  const ev = trace.traceEvents;
  const procs = ev.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args.name);
  assert.equal(procs.filter((p) => p.startsWith('before · GPU')).length, 3);
  assert.equal(procs.filter((p) => p.startsWith('after · GPU')).length, 128);
  const threads = ev.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  assert.equal(threads.length, 2 * (3 + 128));
  const x = ev.filter((e) => e.ph === 'X');
  assert.ok(x.length > 128);
  assert.ok(x.every((e) => typeof e.ts === 'number' && e.dur >= 0 && e.pid > 0 && (e.tid === 1 || e.tid === 2)));
  assert.ok(x.some((e) => e.args.node === 'expert_2'));
  const starts = ev.filter((e) => e.ph === 's');
  const ends = ev.filter((e) => e.ph === 'f');
  assert.ok(starts.length > 0 && starts.length === ends.length);
  assert.deepEqual(new Set(starts.map((e) => e.name)), new Set(['dispatch', 'combine']));
  assert.equal(trace.otherData.dropped_events, 0);
});
