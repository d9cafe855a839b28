// Huge plans in the page (issue 16, item 7): a generated plan, gzip-compressed as
// `gen_plan --gzip` (and `planscope plan -o X.json.gz`) writes it, is dropped on the page,
// and must open with the series grouped in the DAG within 10 s, in under 2 GB (JS heap +
// wasm memory), while the page keeps answering input. A 100k-node plan is opened in the
// same run, and the time ratio is printed against the node ratio, to show how the cost
// grows.
//
// The default suite opens a ~250k-node plan (fits CI's budget); `PLANSCOPE_SCALE=1m`
// (`make bench-web`) opens the ~1,000,000-node plan instead (61 layers × 1,664 experts,
// EP128·TP8 on 1,024 GPUs). The plans are generated at test time by the release build of
// examples/gen_plan.rs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { servedBrowser, screenshot, root, waitDrawn } from './harness.mjs';

const env = servedBrowser();
const full = process.env.PLANSCOPE_SCALE === '1m';
const OPEN_MS = 10_000;
const MEMORY_BYTES = 2 * 1024 ** 3;
// The longest a key press may wait for the page while it loads, as for hostile input
// (hostile.test.mjs): the page reads in slices and verifies, rewrites and lays out in
// steps (core::pace), yielding to the browser between them; its longest step at 1M nodes
// is about 1 s on this 2-core machine (see README).
const INPUT_MS = 2_000;

const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const outDir = join(targetDir, 'scale-plans');

/** Generates a plan as .json.gz with the release gen_plan example; returns its path. */
function generate(name, args) {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, name);
  execFileSync('cargo', ['build', '--release', '--quiet', '--example', 'gen_plan'], { cwd: root, stdio: 'inherit' });
  const fd = openSync(path, 'w');
  try {
    execFileSync(join(targetDir, 'release/examples/gen_plan'), [...args, '--gzip'], {
      cwd: root,
      stdio: ['ignore', fd, 'inherit'],
    });
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Drops the file at `path` on the page, as a user's drag does; the page fetches the bytes
 * from a route the test serves (they never pass through the test's protocol as text).
 */
async function dropPath(page, name, path) {
  await page.route(`**/_scale/${name}`, (route) => route.fulfill({ path, contentType: 'application/gzip' }));
  await page.evaluate(async (name) => {
    const blob = await (await fetch(`_scale/${name}`)).blob();
    window.__scaleFile = new File([blob], name, { type: 'application/gzip' });
  }, name);
  await page.evaluate(() => {
    // Input latency and long tasks, from before the drop until the plan is drawn.
    window.__delays = [];
    window.__longest = 0;
    window.__longtasks = [];
    document.addEventListener('keydown', (e) => window.__delays.push(performance.now() - e.timeStamp), true);
    new PerformanceObserver((list) => {
      for (const t of list.getEntries()) window.__longtasks.push(t.duration);
    }).observe({ type: 'longtask' });
    // When each phase began (the status's text changed), the summary showed the plan and
    // the DAG was drawn: where the time goes.
    window.__log = [];
    const note = (what) => window.__log.push([performance.now() - window.__t0, what]);
    new MutationObserver(() => {
      const status = document.querySelector('.banner.info[role="status"]')?.textContent ?? '';
      const file = document.querySelector('[data-testid="summary"] [data-field="file"]')?.textContent ?? '';
      const ready = document.querySelector('[data-testid="dag-view"]')?.dataset.ready ?? '';
      const key = `${status.replace(/[\d,]+ (nodes|edges) so far/g, 'reading')} | ${file} | ${ready}`;
      if (window.__log.at(-1)?.[1] !== key) note(key);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    window.__t0 = performance.now();
    const dt = new DataTransfer();
    dt.items.add(window.__scaleFile);
    const el = document.querySelector('[data-testid="drop-zone"]');
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
}

/** Memory in use: the JS heap (CDP) plus the wasm linear memory. */
async function memoryBytes(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const wasm = await page.evaluate(() => window.__planscopeWasmBytes?.() ?? -1);
  await cdp.detach();
  return { heap, wasm };
}

/** The page, with the wasm memory reachable (Trunk's loader hands it over in an event). */
async function openPage() {
  const page = await env.browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => {
      window.__planscopeWasmBytes = () => e.detail.wasm.memory.buffer.byteLength;
    });
  });
  await page.goto(env.server.url);
  await page.getByTestId('summary').waitFor({ timeout: 20000 });
  return { page, errors };
}

/**
 * Presses a key every `gap` ms until `stop()`, which resolves to how long each press waited
 * for the page (its round trip: each resolves once the page has handled it).
 */
function pressing(page, gap) {
  let on = true;
  const waits = [];
  const done = (async () => {
    while (on) {
      const started = performance.now();
      await page.keyboard.press('Shift');
      waits.push(performance.now() - started);
      await new Promise((ok) => setTimeout(ok, gap));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await done;
      return waits;
    },
  };
}

/** Opens a generated plan; returns what it measured. */
async function openHuge(name, path) {
  const { page, errors } = await openPage();
  await page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout: 60000 });
  await dropPath(page, name, path);
  const t0 = await page.evaluate(() => window.__t0);
  // Key presses while it loads: each is handled once the main thread is free.
  const presses = pressing(page, 200);
  await waitDrawn(page, name, 120000);
  const t1 = await page.evaluate(() => performance.now());
  const waits = await presses.stop();
  const nodes = Number((await page.locator('[data-testid="summary"] [data-field="nodes"]').textContent()).replace(/\D/g, ''));
  const items = Number(
    await page.locator('[data-testid="dag-view"] .dag-pane[data-side="before"] canvas.dag-canvas').getAttribute('data-items'),
  );
  const { delays, longtasks, log } = await page.evaluate(() => ({
    delays: window.__delays,
    longtasks: window.__longtasks,
    log: window.__log,
  }));
  const seen = new Set();
  for (const [t, what] of log) {
    if (seen.has(what)) continue;
    seen.add(what);
    console.log(`scale-web:   ${name} ${t.toFixed(0).padStart(6)} ms  ${what}`);
  }
  const memory = await memoryBytes(page);
    // The status names each phase and, once read, the node count.
  const phases = [...new Set(log.map(([, what]) => what.split(' | ')[0]).filter(Boolean))];
  return { page, errors, ms: t1 - t0, nodes, items, delays, waits, longtasks, memory, phases };
}

const large = full
  ? { name: 'scale-1m.json.gz', args: ['1m'], nodes: 1_000_000 }
  : { name: 'scale-250k.json.gz', args: ['EP128_TP8_PP1_DP1', '37', '416'], nodes: 250_000 };
const small = { name: 'scale-100k.json.gz', args: ['100k'], nodes: 100_000 };

test(`a ${full ? '1M' : '250k'}-node gzip plan dropped on the page opens grouped, within budget, answering input`, async () => {
  const results = [];
  for (const plan of [small, large]) {
    const path = generate(plan.name, plan.args);
    const r = await openHuge(plan.name, path);
    const mb = (b) => `${(b / 1024 ** 2).toFixed(0)} MB`;
    console.log(
      `scale-web: ${plan.name}: ${statSync(path).size} bytes, ${r.nodes} nodes opened and drawn in ${r.ms.toFixed(0)} ms ` +
        `(${r.items} boxes: series grouped); JS heap ${mb(r.memory.heap)} + wasm ${mb(r.memory.wasm)}; ` +
        `longest task ${Math.max(0, ...r.longtasks).toFixed(0)} ms, longest key wait ${Math.max(0, ...r.waits).toFixed(0)} ms ` +
        `(${r.waits.length} presses; in-page event delay up to ${Math.max(0, ...r.delays).toFixed(0)} ms); phases: ${r.phases.length}`,
    );
    if (plan === large) await screenshot(r.page, `scale-${full ? '1m' : '250k'}.png`);
    assert.deepEqual(r.errors, []);
    assert.ok(r.nodes >= plan.nodes * 0.95, `${r.nodes} nodes`);
    assert.ok(r.ms < OPEN_MS, `opened in ${r.ms.toFixed(0)} ms, over ${OPEN_MS} ms`);
    // Series grouped: a few hundred boxes stand for the whole plan.
    assert.ok(r.items > 0 && r.items < r.nodes / 100, `${r.items} boxes for ${r.nodes} nodes`);
    assert.ok(r.memory.wasm > 0, 'the wasm memory is measured');
    assert.ok(r.memory.heap + r.memory.wasm < MEMORY_BYTES, `memory ${mb(r.memory.heap + r.memory.wasm)}`);
    // The page answered every press while it loaded, and none waited past the bound.
    assert.ok(r.waits.length >= 3 && r.delays.length >= 3, `${r.delays.length} key presses handled during the load`);
    assert.ok(Math.max(...r.waits) < INPUT_MS, `a key press waited ${Math.max(...r.waits).toFixed(0)} ms`);
    // The status named the phases and the node count.
    assert.ok(r.phases.some((p) => /^Verifying [\d,]+ nodes/.test(p)), r.phases.join(' | '));
    await r.page.close();
    results.push({ plan, r });
  }
  const [s, l] = results;
  console.log(
    `scale-web: ${l.r.nodes} nodes against ${s.r.nodes} (${(l.r.nodes / s.r.nodes).toFixed(1)}x the nodes): ` +
      `${s.r.ms.toFixed(0)} ms -> ${l.r.ms.toFixed(0)} ms (${(l.r.ms / s.r.ms).toFixed(1)}x the time)`,
  );
});

test('a small .json.gz opens as its text would, and a damaged one keeps the open plan with why', async () => {
  const { gzipSync } = await import('node:zlib');
  const { readFile } = await import('node:fs/promises');
  const { corpus } = await import('./harness.mjs');
  const name = 'paper_to_dag__expert_parallelism_dag.json';
  const gz = gzipSync(await readFile(join(corpus, name)));
  const { page, errors } = await openPage();
  const drop = (file, bytes) =>
    page.evaluate(
      ({ file, bytes }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], file, { type: 'application/gzip' }));
        const el = document.querySelector('[data-testid="drop-zone"]');
        el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { file, bytes: [...bytes] },
    );
  await drop(`${name}.gz`, gz);
  await page.getByTestId('summary').getByText(`${name}.gz`).waitFor({ timeout: 20000 });
  const field = async (f) => (await page.getByTestId('summary').locator(`[data-field="${f}"]`).textContent()).trim();
  // The same counts as the plain file (load.test.mjs).
  assert.equal(await field('nodes'), '8');
  assert.equal(await field('edges'), '10');
  // Cut in half: the message names the file and the damage; the plan stays.
  await drop('broken.json.gz', gz.subarray(0, gz.length >> 1));
  const banner = page.getByTestId('error');
  await banner.waitFor({ timeout: 20000 });
  const message = (await banner.textContent()).trim();
  assert.match(message, /broken\.json\.gz: the compressed data is damaged or truncated/, message);
  assert.equal(await field('file'), `${name}.gz`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('new conditions or a target on a large open plan are verified in steps, the page answering meanwhile', async () => {
  const path = generate(small.name, small.args);
  const r = await openHuge(small.name, path);
  const { page, errors } = r;
  const panel = page.getByTestId('conditions');
  if (!(await panel.evaluate((el) => el.open))) await panel.locator('summary').click();
  // Status changes and key presses from the change on.
  await page.evaluate(() => {
    window.__statuses = [];
    new MutationObserver(() => {
      const s = document.querySelector('.banner.info[role="status"]')?.textContent ?? '';
      if (window.__statuses.at(-1) !== s) window.__statuses.push(s);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const started = Date.now();
  await page.getByTestId('hardware-preset').selectOption('h800');
  const presses = pressing(page, 100);
  await page.waitForFunction(
    () => (window.__statuses ?? []).some((s) => /again/.test(s)) && !document.querySelector('.banner.info[role="status"]'),
    null,
    { timeout: 60000 },
  );
  const waits = await presses.stop();
  const ms = Date.now() - started;
  const statuses = await page.evaluate(() => window.__statuses);
  console.log(`scale-web: ${small.name}: new conditions verified again in ${ms} ms; longest key wait ${Math.max(0, ...waits).toFixed(0)} ms (${waits.length} presses); status: ${statuses.filter(Boolean).join(' | ')}`);
  assert.ok(statuses.some((s) => /^Verifying 101,538 nodes again/.test(s)), statuses.join(' | '));
  assert.equal(await panel.locator('input[data-field="cluster.memory_gb"]').inputValue(), '80');
  assert.ok(Math.max(0, ...waits) < INPUT_MS, `a key press waited ${Math.max(...waits).toFixed(0)} ms`);

  // The plan's own strategy typed in the Target box: verified again in steps too.
  await page.evaluate(() => (window.__statuses = []));
  await page.getByTestId('strategy').fill('EP64_TP4_PP4');
  await page.getByTestId('rewrite').click();
  await page.waitForFunction(
    () => window.__statuses.some((s) => /against EP64_TP4_PP4/.test(s)) && !document.querySelector('.banner.info[role="status"]'),
    null,
    { timeout: 60000 },
  );
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

// A wasm page addresses 4 GB: past 4,000,000 nodes and edges (limits::PAGE_ELEMENTS) a
// plan is not analysed there. A compressed plan past it is stopped as soon as the count
// passes while it is read, before the rest is held, with the command to use; the open plan
// stays. (61 layers × 3,072 experts over EP128·TP8: about 1.7 million nodes, 5 million
// nodes and edges.)
test('a plan past what the page analyses is stopped while it is read, naming the command; the plan stays', async () => {
  const name = 'scale-over-page.json.gz';
  const path = generate(name, ['EP128_TP8_PP1_DP1', '61', '3072']);
  const { page, errors } = await openPage();
  await dropPath(page, name, path);
  const banner = page.getByTestId('error');
  await banner.waitFor({ timeout: 60000 });
  const message = (await banner.textContent()).trim();
  assert.match(
    message,
    /^!scale-over-page\.json\.gz is too large to analyse in the page: its [\d,]+ nodes and [\d,]+ edges are past the 4,000,000 nodes and edges a browser page holds \(the command goes further\); verify it with `planscope verify`, or draw it with `planscope report` \(counted as it was read: the file holds more\)/,
    message,
  );
  assert.match(await page.getByTestId('summary').locator('[data-field="file"]').textContent(), /seed-ep64-tp2/);
  assert.deepEqual(errors, []);
  await page.close();
});
