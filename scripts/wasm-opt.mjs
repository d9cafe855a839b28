// Shrinks the page's wasm (release builds; post-build.mjs, Trunk's hook, calls it) with
// wasm-opt -Oz from binaryen's npm package (node_modules, installed by scripts/setup.sh), then
// writes the new file's hash into the preload link's `integrity`, computed by Trunk for the old.
//
// Why not Trunk's own data-wasm-opt: it runs whatever `wasm-opt` is on PATH, and Debian's
// (binaryen 108) rewrites wasm-bindgen's externref table so that the page fails to start
// ("WebAssembly.Table.set(): ... function-typed object"); binaryen 132 keeps it.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tool = join(root, 'node_modules/binaryen/bin/wasm-opt');
// Workers' wasm files, named by Trunk after their binary (no hash).
const workers = ['planscope-readers_bg.wasm'];
// The features rustc enables for wasm32-unknown-unknown (the module's target_features section).
// PLANSCOPE_WASM_NAMES=1 keeps the function names (wasm-opt -g), for profiling the page in
// Chromium's DevTools or over CDP; the shipped build drops them.
const names = process.env.PLANSCOPE_WASM_NAMES === '1' ? ['-g'] : [];
// What holds of every wasm rustc writes, which lets binaryen fold constant offsets into
// loads and stores (about 3 KB of the page gzipped, README "Page size"): no address
// computation wraps past 4 GB into the first 1 KB (`--low-memory-unused`; Rust's pointers
// never wrap), and the memory starts zeroed (`--zero-filled-memory`; the module defines its
// memory rather than importing one).
const assumptions = ['--low-memory-unused', '--zero-filled-memory'];
// Custom sections no browser reads: the toolchain's names and versions, and the features
// list (given to wasm-opt below) that linkers use. About 260 bytes.
const strip = ['--strip-producers', '--strip-target-features'];
const features = ['bulk-memory', 'sign-ext', 'nontrapping-float-to-int', 'mutable-globals', 'reference-types', 'multivalue'];

/** Optimises every .wasm in `dir` in place and updates index.html's integrity for it. */
export function optimise(dir) {
  if (!existsSync(tool)) {
    console.error('wasm-opt.mjs: node_modules/binaryen is missing (run scripts/setup.sh): the wasm is left unoptimised');
    return;
  }
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.wasm'))) {
    optimiseOne(dir, name);
  }
}

function optimiseOne(dir, name) {
  const file = join(dir, name);
  const before = readFileSync(file).length;
  execFileSync(process.execPath, [tool, '-Oz', ...assumptions, ...strip, ...names, ...features.map((f) => `--enable-${f}`), file, '-o', file], {
    stdio: 'inherit',
  });
  const bytes = readFileSync(file);
  console.log(`wasm-opt.mjs: ${name} ${before} → ${bytes.length} bytes`);
  // The config readers' worker (index.html, data-type="worker") is fetched by its loader,
  // not preloaded by index.html: it has no link, and no integrity to update.
  if (workers.includes(name)) return;
  const integrity = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  const index = join(dir, 'index.html');
  const html = readFileSync(index, 'utf8');
  const link = new RegExp(`(href="\\./${name.replace(/\./g, '\\.')}"[^>]*integrity=")[^"]*(")`);
  if (!link.test(html)) throw new Error(`wasm-opt.mjs: no integrity attribute for ${name} in index.html`);
  writeFileSync(index, html.replace(link, `$1${integrity}$2`));
}
