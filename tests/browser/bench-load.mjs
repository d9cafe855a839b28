// Times opening the page, to hold a size change to "loads no slower" (issue 15):
//   node tests/browser/bench-load.mjs [OTHER_DIST] [--runs N]
// Load time = navigation start → the example's rewrite on screen (the after side's GPU
// grid: the page's first interactive state), in a fresh browser context each run (no
// cache), served locally and gzipped as a static host serves it. Twice: unthrottled, and
// over a 20 Mbit/s, 20 ms link (Chromium's network emulation), where the download counts.
// With OTHER_DIST (another `trunk build --release` output, e.g. of the previous commit)
// both builds are timed run by run, alternating, so the machine's load hits them alike;
// it prints the medians and the ratio dist/ ÷ OTHER_DIST.
import { serveDist, launch, dist } from './harness.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
const other = args.find((a, i) => !a.startsWith('--') && i !== runsAt + 1);
const links = {
  local: null,
  '20 Mbit/s': { offline: false, latency: 20, downloadThroughput: 20e6 / 8, uploadThroughput: 20e6 / 8 },
};

async function timeOnce(browser, url, link) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (link) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', link);
  }
  await page.goto(url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor({ timeout: 60000 });
  const [ms, wasm] = await page.evaluate(() => [
    performance.now(),
    performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'))?.responseEnd ?? NaN,
  ]);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { ms, wasm };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const builds = [['dist', dist], ...(other ? [['other', other]] : [])];
const servers = await Promise.all(builds.map(([, dir]) => serveDist({ dir, gzip: true })));
const browser = await launch();
try {
  for (const [name, link] of Object.entries(links)) {
    const times = builds.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (let b = 0; b < builds.length; b++) times[b].push(await timeOnce(browser, servers[b].url, link));
    }
    const medians = times.map((ts) => median(ts.map((t) => t.ms)));
    builds.forEach(([label, dir], b) =>
      console.log(
        `${name}: ${label} (${dir}) median ${medians[b].toFixed(0)} ms (wasm downloaded at ${median(times[b].map((t) => t.wasm)).toFixed(0)} ms) of ${times[b].map((t) => t.ms.toFixed(0)).join(', ')}`,
      ),
    );
    if (other) {
      // Paired: run r of each build ran back to back, under the same load.
      const ratios = times[0].map((t, r) => t.ms / times[1][r].ms);
      // A 90% interval for the median paired ratio, by resampling the runs (bootstrap).
      const boot = Array.from({ length: 2000 }, () =>
        median(ratios.map(() => ratios[Math.floor(Math.random() * ratios.length)])),
      ).sort((a, b) => a - b);
      console.log(
        `${name}: ratio dist/other ${(medians[0] / medians[1]).toFixed(3)} (median of paired ratios ${median(ratios).toFixed(3)}, 90% interval ${boot[100].toFixed(3)}–${boot[1899].toFixed(3)})`,
      );
    }
  }
} finally {
  await browser.close();
  await Promise.all(servers.map((s) => s.close()));
}
