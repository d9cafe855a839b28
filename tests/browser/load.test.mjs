// Loading plans the ways a person does: the built-in example, the file picker, a drop,
// and a paste; and a bad file that must show an error while keeping the open plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, field, corpus } from './harness.mjs';

const env = servedBrowser();

test('opens on the built-in example: the seed situation, 3 of 128 GPUs', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
  assert.equal(await field(page, 'format'), 'json');
  assert.equal(await field(page, 'nodes'), '7');
  assert.equal(await field(page, 'edges'), '6');
  assert.equal(await field(page, 'gpus-used'), '3 of 128');
  assert.match(await field(page, 'strategy'), /EP64_TP2/);
  await screenshot(page, 'example.png');
  assert.deepEqual(errors, []);
});

test('the file picker opens a corpus JSON file', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('file-input').setInputFiles(join(corpus, 'paper_to_dag__expert_parallelism_dag.json'));
  await page.getByTestId('summary').getByText('paper_to_dag__expert_parallelism_dag.json').waitFor();
  assert.equal(await field(page, 'nodes'), '8');
  assert.equal(await field(page, 'edges'), '10');
  assert.equal(await field(page, 'gpus-used'), '5 of 5');
});

test('dropping a DOT file opens it', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const name = '2025-12-30-17-26-35__parallel_strategy_dag.dot';
  await dropFile(page, name, await readFile(join(corpus, name), 'utf8'));
  await page.getByTestId('summary').getByText(name).waitFor();
  assert.equal(await field(page, 'format'), 'dot');
  assert.equal(await field(page, 'nodes'), '61');
  assert.equal(await field(page, 'edges'), '120');
  await screenshot(page, 'dropped-dot.png');
});

test('the largest corpus file (3.9 MB, 8,420 nodes) opens', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const name = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';
  await page.getByTestId('file-input').setInputFiles(join(corpus, name));
  await page.getByTestId('summary').getByText(name).waitFor({ timeout: 20000 });
  assert.equal(await field(page, 'nodes'), '8,420');
  assert.equal(await field(page, 'edges'), '10,547');
});

test('pasted DOT text opens', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.getByTestId('paste-toggle').click();
  await page.getByTestId('paste-text').fill('digraph g { a [label="GPU: 0"]; a -> b -> c; }');
  await page.getByTestId('paste-load').click();
  await page.getByTestId('summary').getByText('pasted text').waitFor();
  assert.equal(await field(page, 'nodes'), '3');
  assert.equal(await field(page, 'edges'), '2');
});

test('a malformed file shows where it is wrong and keeps the open plan', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const name = '2026-01-04-10-46-16__Qwen3-235B_parallel_strategy_deployment.dot';
  await page.getByTestId('file-input').setInputFiles(join(corpus, name));
  const banner = page.getByTestId('error');
  await banner.waitFor();
  const text = await banner.textContent();
  assert.match(text, new RegExp(`${name.replace(/[.]/g, '\\.')}:\\d+:\\d+: `), text);
  // The example is still open, untouched.
  assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
  assert.equal(await field(page, 'nodes'), '7');
  await screenshot(page, 'error.png');

  // Bad JSON dropped: line and column too.
  await dropFile(page, 'broken.json', '{"nodes": [\n  {"id": "a",}\n]}');
  await page.getByTestId('error').getByText('broken.json:2:').waitFor();
  assert.equal(await field(page, 'file'), 'seed-ep64-tp2.json');
});

test('every corpus file opens in the page, or says exactly why not', async () => {
  const index = JSON.parse(await readFile(join(corpus, 'INDEX.json'), 'utf8'));
  const { page, errors } = await openPage(env.browser, env.server.url);
  for (const entry of index) {
    const name = entry.file;
    const started = Date.now();
    await page.getByTestId('file-input').setInputFiles(join(corpus, name));
    if (String(entry.format).includes('MALFORMED')) {
      await page.getByTestId('error').getByText(new RegExp(`${name.replace(/[.]/g, '\\.')}:\\d+:\\d+: `)).waitFor();
      continue;
    }
    await page.getByTestId('summary').getByText(name).waitFor({ timeout: 60000 });
    if (process.env.PLANSCOPE_TIMING) console.log(`${Date.now() - started} ms  ${name}`);
    if (entry.nodes != null) {
      assert.equal(await field(page, 'nodes'), entry.nodes.toLocaleString('en-US'), name);
      assert.equal(await field(page, 'edges'), entry.edges.toLocaleString('en-US'), name);
    }
  }
  // A panic in wasm would have killed the page: it still answers.
  await page.getByTestId('load-example').click();
  await page.getByTestId('summary').getByText('seed-ep64-tp2.json').waitFor();
  assert.deepEqual(errors, []);
});
