// The page's weight (issue 15): the wasm, gzipped (-9) as a static host serves it, stays
// within its budget, and the optimised page still opens the example and its rewrite.
// Before this test: 2,368,009 bytes, 753,387 gzipped. With the size profile, Leptos's
// erase_components and wasm-opt -Oz: about 512 KB gzipped. The features merged after that
// (config and launch readers with their YAML and TOML crates, the calibrated cost model,
// the timeline, trace and SVG writers, comparing plans, the Conditions panel) brought it to
// about 762 KB (node's gzip). Opening gzip-compressed plans in the page (issue 16: flate2
// with its CRC tables, the streamed reader) brought it to about 805 KB. The target,
// 450 KB, is NOT met: the budget below only guards against growth past what is shipped now;
// README "Page size" says where the bytes are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dist, servedBrowser } from './harness.mjs';

const LIMIT = 815 * 1000;
const env = servedBrowser();

test('the wasm is within its gzipped budget (815 KB)', async () => {
  const wasm = (await readdir(dist)).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one wasm in dist/: ${wasm}`);
  const bytes = await readFile(join(dist, wasm[0]));
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`# ${wasm[0]}: ${bytes.length} bytes, ${gz} gzipped`);
  assert.ok(gz < LIMIT, `${gz} bytes gzipped, over ${LIMIT}`);
});

test('the optimised page opens the example and its rewrite within 10 s', async () => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(env.server.url);
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor({ timeout: 10000 });
  console.log(`# example and rewrite on screen in ${Date.now() - t0} ms`);
  assert.deepEqual(errors, []);
});
