// Times the DAG view in headless Chromium against `dot -Tsvg` on the same file:
//   node tests/browser/bench-dag.mjs [--no-dot] [--dot-file NAME]
// Page time = file dropped → the DAG view reports data-ready="true" (both panes laid out
// and drawn); the parse + analysis part (until the summary shows the file) is reported
// too. Expects dist/ built (`trunk build --release`) and target/gen-100k.json from
// `cargo run --release --example gen_plan > target/gen-100k.json`.
import { readFile, stat } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { serveDist, launch, openPage, dropFile, corpus, root } from './harness.mjs';

const args = process.argv.slice(2);
const noDot = args.includes('--no-dot');
const LARGEST = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';
const DOT_TIMEOUT_MS = 15 * 60 * 1000;

function timeDot(path) {
  return new Promise((ok) => {
    const t0 = performance.now();
    const p = spawn('dot', ['-Tsvg', '-o', '/dev/null', path], { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), DOT_TIMEOUT_MS);
    p.on('exit', (code) => {
      clearTimeout(timer);
      ok(code === 0 ? performance.now() - t0 : null);
    });
    p.on('error', () => ok(null));
  });
}

async function timePage(browser, url, name, text) {
  const { page, errors } = await openPage(browser, url);
  await page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout: 120000 });
  const t0 = await page.evaluate(() => performance.now());
  await dropFile(page, name, text);
  await page.waitForFunction((n) => document.querySelector('[data-field="file"]')?.textContent === n, name, {
    timeout: 300000,
    polling: 'raf',
  });
  const parsed = await page.evaluate(() => performance.now());
  await page.locator('[data-testid="dag-view"][data-ready="true"]').waitFor({ timeout: 300000 });
  const t1 = await page.evaluate(() => performance.now());
  // Responsiveness after load: time a wheel zoom's redraw.
  const canvas = page.locator('[data-testid="dag-view"] .dag-pane[data-side="before"] canvas.dag-canvas');
  const b = await canvas.boundingBox();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  const z0 = await page.evaluate(() => performance.now());
  for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -200);
  const frame = await page.evaluate(
    () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(performance.now())))),
  );
  await page.close();
  if (errors.length) console.error(`  page errors: ${errors.join('; ')}`);
  return { total: t1 - t0, parse: parsed - t0, dag: t1 - parsed, zoom: (frame - z0) / 5 };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const server = await serveDist();
const browser = await launch();
try {
  const cases = [{ name: LARGEST, path: join(corpus, LARGEST), dot: true }];
  const gen = join(root, 'target/gen-100k.json');
  if (await stat(gen).catch(() => null)) cases.push({ name: 'gen-100k.json', path: gen, dot: false });
  else console.log('(no target/gen-100k.json: run `cargo run --release --example gen_plan > target/gen-100k.json`)');
  for (const c of cases) {
    const text = await readFile(c.path, 'utf8');
    const t = await timePage(browser, server.url, c.name, text);
    console.log(`${c.name}:`);
    console.log(
      `  page: ${fmt(t.total)} (read + analyse + rewrite: ${fmt(t.parse)}, DAG layout + draw: ${fmt(t.dag)}); ` +
        `zoom redraw ≈ ${fmt(t.zoom)} per wheel step`,
    );
    if (c.dot && !noDot) {
      const d = await timeDot(c.path);
      if (d === null) console.log('  dot -Tsvg: failed or timed out');
      else
        console.log(
          `  page: ${fmt(t.total)}, dot -Tsvg: ${fmt(d)}, ratio ${(d / t.total).toFixed(1)}× ` +
            `(DAG part alone: ratio ${(d / t.dag).toFixed(1)}×)`,
        );
    }
  }
} finally {
  await browser.close();
  await server.close();
}
