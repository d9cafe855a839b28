// Where the page's time goes when it opens a plan: drops FILE on a build (DIST), records a
// CPU profile over CDP until the plan is drawn, and prints the drop-to-drawn time, the
// longest tasks, and the functions with the most time, self and inclusive. The shipped
// build has no function names: build one that keeps them with
//   PLANSCOPE_WASM_NAMES=1 trunk build --release --dist /tmp/dist-prof
// then `node tests/browser/profile-open.mjs /tmp/dist-prof FILE [OUT.cpuprofile]`
// (OUT opens in Chromium's DevTools, Performance panel).
import { serveDist, launch, waitDrawn } from './harness.mjs';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [dir, file, out] = process.argv.slice(2);
if (!dir || !file) {
  console.error('usage: node tests/browser/profile-open.mjs DIST FILE [OUT.cpuprofile]');
  process.exit(2);
}
const name = basename(file);
const server = await serveDist({ dir });
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(server.url);
  await page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout: 60000 });
  await page.route('**/_profiled', (route) => route.fulfill({ path: file }));
  await page.evaluate(async (name) => {
    const blob = await (await fetch('_profiled')).blob();
    window.__file = new File([blob], name);
    window.__long = [];
    new PerformanceObserver((l) => {
      for (const t of l.getEntries()) window.__long.push(Math.round(t.duration));
    }).observe({ type: 'longtask' });
  }, name);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  const t0 = Date.now();
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(window.__file);
    document.querySelector('[data-testid="drop-zone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await waitDrawn(page, name, 180000);
  const ms = Date.now() - t0;
  const { profile } = await cdp.send('Profiler.stop');
  const long = await page.evaluate(() => window.__long.sort((a, b) => b - a));
  console.log(`${name}: drawn ${ms} ms after the drop; longest tasks (ms): ${long.slice(0, 10).join(', ')}`);
  if (out) writeFileSync(out, JSON.stringify(profile));
  report(profile);
} finally {
  await browser.close();
  await server.close();
}

/** Prints the top functions by self and by inclusive time (each counted once per sample). */
function report(p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fn = (id) => byId.get(id).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '') || '(anonymous)';
  const self = new Map();
  const incl = new Map();
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    self.set(fn(id), (self.get(fn(id)) ?? 0) + d);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const k = fn(x);
      if (!seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + d);
      }
    }
  });
  const top = (m, n, keep) =>
    [...m].filter(([k]) => keep(k)).sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms  ${k.slice(0, 140)}`).join('\n');
  console.log(`\nself time:\n${top(self, 30, () => true)}`);
  console.log(`\ninclusive time, planscope's functions:\n${top(incl, 30, (k) => k.startsWith('planscope'))}`);
}
