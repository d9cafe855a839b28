// Shared test harness: serves the release build (dist/) from a local static server and
// drives Debian's Chromium with playwright-core. No browser is ever downloaded.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const dist = join(root, 'dist');
export const corpus = resolve(root, '../shared/corpus/lr-agent');
export const shots = join(root, 'target/screenshots');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.dot': 'text/plain',
};

/**
 * Starts a static server for dist/ on a free loopback port, under `prefix` (a sub-path,
 * as static hosts serve project pages). `/_corpus/NAME` serves a corpus file, for `?url=`.
 * `dir` is the build to serve (dist/ unless a benchmark compares two builds); `gzip`
 * compresses responses as a static host does.
 */
export async function serveDist({ prefix = '/', dir = dist, gzip = false } = {}) {
  await stat(join(dir, 'index.html')).catch(() => {
    throw new Error('dist/index.html is missing: run `trunk build --release` first (make test does)');
  });
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let base = dir;
    if (path.startsWith('/_corpus/')) {
      base = corpus;
      path = path.slice('/_corpus'.length);
    } else if (path.startsWith(prefix)) {
      path = '/' + path.slice(prefix.length);
    } else {
      res.writeHead(404).end('not under the prefix');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? path + 'index.html' : path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = { 'content-type': types[extname(file)] ?? 'application/octet-stream' };
      if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        res.writeHead(200, { ...type, 'content-encoding': 'gzip' });
        res.end(gzipSync(body, { level: 9 }));
      } else {
        res.writeHead(200, type);
        res.end(body);
      }
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return { origin, url: `${origin}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium with the flags this machine's closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens the page and waits until the app has mounted and shows its first plan. */
export async function openPage(browser, url, viewport = { width: 1600, height: 1000 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.getByTestId('summary').waitFor({ timeout: 20000 });
  return { page, errors };
}

export async function screenshot(page, name) {
  await mkdir(shots, { recursive: true });
  const path = join(shots, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Fires a real `drop` event carrying a File, as a user's drag from the desktop does. */
export async function dropFile(page, name, text) {
  await dropFiles(page, [[name, text]]);
}

/** Drops several files at once on the page, as a user drags a selection: `[[name, text], …]`. */
export async function dropFiles(page, files) {
  await page.getByTestId('drop-zone').evaluate((el, files) => {
    const dt = new DataTransfer();
    for (const [name, text] of files) dt.items.add(new File([text], name, { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

export async function field(page, name) {
  return (await page.getByTestId('summary').locator(`[data-field="${name}"]`).textContent()).trim();
}

/** Waits until the summary shows file `name` and its DAG is laid out and drawn. */
export async function waitDrawn(page, name, timeout) {
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid="summary"] [data-field="file"]')?.textContent.trim() === n &&
      document.querySelector('[data-testid="dag-view"]')?.dataset.ready === 'true',
    name,
    { timeout, polling: 100 },
  );
}

/**
 * One static server and one browser for a test file: started before its tests, closed
 * after them. Read `env.server` and `env.browser` inside the tests.
 */
export function servedBrowser(serveOptions) {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await serveDist(serveOptions);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
