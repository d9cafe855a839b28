// Hostile input: crafted permalinks (valid checksums) and dropped files that once killed
// the tab (a panic in wasm, a multi-gigabyte allocation, minutes of work). Each must end
// in a message naming the limit it broke, or a harmless plan, and the page must still
// answer within 2 s.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import { servedBrowser, dropFile, field, root, screenshot } from './harness.mjs';

const env = servedBrowser();
const example = await readFile(join(root, 'www/examples/seed-ep64-tp2.json'), 'utf8');
const ANSWER_MS = 2000;

/** A `#v1.` link as crates/core/src/share/permalink.rs writes it: base64url of
 * CRC32(payload) big-endian, then the raw deflate of `header JSON \n plan text`. */
function link(file, plan, strategy = null) {
  const payload = Buffer.concat([Buffer.from(JSON.stringify({ file, strategy, view: null }) + '\n'), Buffer.from(plan)]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(payload) >>> 0);
  return '#v1.' + Buffer.concat([sum, deflateRawSync(payload, { level: 9 })]).toString('base64url');
}

/** The example with some of its JSON replaced. */
const seed = (from, to) => {
  assert.ok(example.includes(from), from);
  return example.replace(from, to);
};

/** Opens a page and collects its errors, without waiting for a plan: a hostile link may
 * leave none open. */
async function open(url) {
  const page = await env.browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  return { page, errors };
}

/** The page still answers within `ANSWER_MS`: Example opens the 7-node example, and `?`
 * opens the help (the example may already be open: the wasm must handle a key too). */
async function answers(page) {
  const started = Date.now();
  await page.getByTestId('load-example').click({ timeout: ANSWER_MS });
  await page.getByTestId('summary').getByText('seed-ep64-tp2.json').waitFor({ timeout: ANSWER_MS });
  assert.equal(await field(page, 'nodes'), '7');
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor({ timeout: ANSWER_MS });
  const ms = Date.now() - started;
  assert.ok(ms < ANSWER_MS, `the example opened in ${ms} ms`);
  return ms;
}

const timings = [];
const report = (name, ms, text) => timings.push(`${String(ms).padStart(5)} ms  ${name}: ${text}`);

// A DOT plan whose default label repeats `\N` (the node's id) over long ids: expanded in
// every node, 2,000 nodes would need ~20 GB.
const longIds = Array.from({ length: 2000 }, (_, i) => `n${i}_${'x'.repeat(1000)}`);
const amplifyingDot = `digraph g { node [label="${'\\N'.repeat(10000)}"]; ${longIds.join('; ')}; }`;

const links = [
  {
    name: 'strategy degrees whose product is 0 in 32 bits',
    make: () => link('seed.json', example, 'EP65536_TP65536'),
    error: /GPUs/,
  },
  { name: 'EP = 2³²−1', make: () => link('seed.json', example, 'EP4294967295'), error: /EP degree/ },
  // A declared strategy name that does not parse is prose (`EP64_TP2_PP1_CORRECTED`):
  // shown as written, never used for sizes, so this plan opens.
  {
    name: 'EP = 2³²−1 declared in the plan',
    make: () => link('seed.json', seed('"EP64_TP2"', '"EP4294967295_TP2"')),
    opens: { file: 'seed.json', strategy: /EP4294967295_TP2/ },
  },
  {
    name: 'a DOT plan that amplifies',
    make: () => link('amplify.dot', amplifyingDot),
    error: /attribute bytes|ATTRIBUTE_BYTES/,
  },
  {
    name: 'a deflate bomb past 64 MiB',
    make: () => link('bomb.json', Buffer.alloc(80 * 1024 * 1024, 0x20)),
    error: /too large.*input file size/,
  },
  {
    name: 'total_gpus = 2³²−1',
    make: () => link('seed.json', seed('"total_gpus": 128', '"total_gpus": 4294967295')),
    error: /GPUs/,
  },
];

for (const [i, { name, make, error, opens }] of links.entries()) {
  test(`hostile link: ${name}`, async () => {
    const fragment = make();
    assert.ok(fragment.length < 2 * 1024 * 1024, `the link fits a browser URL (${fragment.length} bytes)`);
    const started = Date.now();
    const { page, errors } = await open(env.server.url + fragment);
    let text;
    if (opens) {
      await page.getByTestId('summary').getByText(opens.file).waitFor({ timeout: 20000 });
      text = `opens, strategy ${await field(page, 'strategy')}`;
      assert.match(text, opens.strategy);
      assert.equal(await page.getByTestId('error').count(), 0);
    } else {
      const banner = page.getByTestId('error');
      await banner.waitFor({ timeout: 20000 });
      text = (await banner.textContent()).trim();
      assert.match(text, error);
      await screenshot(page, `hostile-link-${i}.png`);
    }
    const shown = Date.now() - started;
    const ms = await answers(page);
    report(`link, ${name}`, shown, `${text} (answered in ${ms} ms)`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// An edge statement between two 3,000-node subgraphs: 9,000,000 edges from 40 KB.
const side = (p) => `{ ${Array.from({ length: 3000 }, (_, i) => `${p}${i}`).join(' ')} }`;
const files = [
  { name: 'cross.dot', text: `digraph g { ${side('a')} -> ${side('b')} }`, error: /edges/ },
  { name: 'gpus.json', text: seed('"total_gpus": 128', '"total_gpus": 4294967295'), error: /GPUs/ },
  { name: 'range.json', text: seed('"gpu": 1,', '"gpu": "0-4000000000",'), error: /GPU/ },
];

for (const { name, text, error } of files) {
  test(`hostile file dropped on an open plan: ${name}`, async () => {
    const { page, errors } = await open(env.server.url);
    await page.getByTestId('summary').getByText('seed-ep64-tp2.json').waitFor({ timeout: 20000 });
    const started = Date.now();
    await dropFile(page, name, text);
    const banner = page.getByTestId('error');
    await banner.waitFor({ timeout: ANSWER_MS });
    const ms = Date.now() - started;
    const message = (await banner.textContent()).trim();
    assert.match(message, error);
    assert.ok(message.includes(name), message);
    // The open plan is kept.
    assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
    assert.equal(await field(page, 'nodes'), '7');
    assert.ok(ms < ANSWER_MS, `${ms} ms`);
    const again = await answers(page);
    report(`file, ${name}`, ms, `${message} (answered in ${again} ms)`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// 20,000 nodes each on a GPU of its own and 20,000 on every GPU: 800 million GPU-cell steps
// for memory, the simulation and the step view (38 s natively, gigabytes of step view). Past
// limits::PLACEMENT_CELLS the plan opens without them, saying so.
test('a plan whose placements cross too many GPU cells opens without the per-GPU figures', async () => {
  const n = 20000;
  const node = (id, gpu) => ({ id, kind: 'compute', op: 'mlp', gpu, output: [4096, 1024] });
  const nodes = [
    ...Array.from({ length: n }, (_, i) => node(`s${i}`, i * 2)),
    ...Array.from({ length: n }, (_, i) => node(`w${i}`, '0-1048575')),
  ];
  const edges = nodes.slice(1).map((b, i) => ({ from: nodes[i].id, to: b.id }));
  const meta = {
    cluster: { gpus: 1048576, memory_gb: 80, tflops: 400, memory_bandwidth_gbs: 1800 },
    model: { layers: 1, hidden: 1024, dtype: 'fp16', batch: 4, seq_len: 1024 },
  };
  const text = JSON.stringify({ planscope: 1, format: 'json', meta, nodes, edges });
  const { page, errors } = await open(env.server.url);
  await page.getByTestId('summary').getByText('seed-ep64-tp2.json').waitFor({ timeout: 20000 });
  const started = Date.now();
  await dropFile(page, 'cells.json', text);
  const skipped = page.getByTestId('findings').locator('[data-code="COST_SKIPPED"]');
  await skipped.first().waitFor({ timeout: 20000 });
  const ms = Date.now() - started;
  assert.match(await skipped.first().textContent(), /GPU cells crossed by placements/);
  assert.equal(await field(page, 'file'), 'cells.json');
  const again = await answers(page);
  report('file, cells.json', ms, `opened with COST_SKIPPED (answered in ${again} ms)`);
  assert.deepEqual(errors, []);
  await page.close();
});

after(() => {
  if (process.env.PLANSCOPE_TIMING) console.log(timings.join('\n'));
});
