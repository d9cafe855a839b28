// Issue 13: the expert load in the Conditions panel. A skewed load file chosen there is
// shown (layers × experts, hottest/mean), the rewrite places experts by it (the EPLB
// balancedness moves with the load) and both sides are simulated under it; the permalink
// carries it; a malformed or misfitting file says what and where and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { servedBrowser, openPage, root, corpus, shots } from './harness.mjs';

const env = servedBrowser();
const PLAN = 'paper_to_dag__main_deployment_dag.json';
const LOAD = join(root, 'tests/data/expert-load-16x64-zipf.json');
const panel = (page) => page.getByTestId('conditions');
const box = (page) => page.getByTestId('expert-load');
const summary = (page) => page.getByTestId('expert-load-summary');
const balance = (page) => page.getByTestId('expert-load-balance');

async function openPanel(page) {
  await panel(page).waitFor();
  if (!(await panel(page).evaluate((el) => el.open))) await panel(page).locator('summary').click();
}

/** A load file made here, as a user's file chooser hands it over. */
const file = (name, text) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

test('a skewed load: shown, placed by the rewrite, simulated on both sides, kept by the link', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url, { width: 1400, height: 1000 });
  await page.getByTestId('file-input').setInputFiles(join(corpus, PLAN));
  await page.locator('[data-field="file"]', { hasText: PLAN }).waitFor();
  // The DAG states no model: the paper's (16 layers of 64 experts, EP64_TP2) comes from a
  // conditions file, as a user gives it.
  await openPanel(page);
  await page.getByTestId('conditions-input').setInputFiles(join(root, 'www/examples/seed-conditions.json'));
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  assert.match(await summary(page).textContent(), /Expert load: none/);
  const stepBefore = await page.getByTestId('utilization').textContent();

  await page.getByTestId('expert-load-input').setInputFiles(LOAD);
  await summary(page).getByText(/16 layers × 64 experts, hottest\/mean 3\.3×/).waitFor();
  assert.match(await summary(page).textContent(), /expert-load-16x64-zipf\.json/);
  await balance(page).getByText(/0\.3\d with contiguous placement → 0\.9\d with the rewrite's load-aware placement/).waitFor();
  assert.match(await balance(page).textContent(), /Simulated balancedness under the load: before \d\.\d\d → after \d\.\d\d/);
  // The after side is simulated under the load: its figures moved.
  assert.notEqual(await page.getByTestId('utilization').textContent(), stepBefore);
  await box(page).scrollIntoViewIfNeeded();
  await box(page).screenshot({ path: join(shots, 'expert-load-panel.png') });
  await panel(page).screenshot({ path: join(shots, 'expert-load-conditions.png') });
  const skewed = await balance(page).textContent();

  // A uniform load: every figure of balance goes to 1.
  const uniform = JSON.stringify(Array.from({ length: 16 }, () => Array(64).fill(128)));
  await page.getByTestId('expert-load-input').setInputFiles(file('uniform.json', uniform));
  await summary(page).getByText(/hottest\/mean 1\.0×/).waitFor();
  await balance(page).getByText(/1\.00 with contiguous placement → 1\.00/).waitFor();
  assert.notEqual(await balance(page).textContent(), skewed);

  // The link carries the load.
  const again = await openPage(env.browser, page.url(), { width: 1400, height: 1000 });
  await openPanel(again.page);
  await summary(again.page).getByText(/16 layers × 64 experts, hottest\/mean 1\.0×/).waitFor();
  // Cleared, the rewrite is the plain one again.
  await again.page.getByTestId('expert-load-clear').click();
  await summary(again.page).getByText(/Expert load: none/).waitFor();
  assert.equal(await balance(again.page).locator('li').count(), 0);
  assert.deepEqual(errors, []);
});

test('a malformed or misfitting load file says what and where and loses nothing', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  await openPanel(page);
  await page.getByTestId('expert-load-input').setInputFiles(LOAD);
  await summary(page).getByText(/16 layers × 64 experts/).waitFor();
  const shown = await balance(page).textContent();
  const err = page.getByTestId('error');

  await page.getByTestId('expert-load-input').setInputFiles(file('bad.json', '[[1, 2],\n [3, oops]]'));
  await err.waitFor();
  assert.match(await err.textContent(), /Expert load › bad\.json:2:6: expected per-layer token counts per expert/);
  assert.match(await summary(page).textContent(), /expert-load-16x64-zipf\.json\): 16 layers × 64 experts/);
  assert.equal(await balance(page).textContent(), shown);

  // Well-formed, but 3 rows for a model of 16 MoE layers: the rewrite's rule, by name.
  const three = JSON.stringify([Array(64).fill(1), Array(64).fill(1), Array(64).fill(1)]);
  await page.getByTestId('expert-load-input').setInputFiles(file('three.json', three));
  await page.getByTestId('error').getByText(/three\.json: .*3 rows.*16 MoE layers/).waitFor();
  assert.match(await summary(page).textContent(), /16 layers × 64 experts/);
  assert.equal(await balance(page).textContent(), shown);
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();

  // Dropped on the panel, a load is a load (not a config file, not a plan).
  await box(page).evaluate((el, text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, JSON.stringify(Array.from({ length: 16 }, (_, l) => Array.from({ length: 64 }, (_, e) => (e === l ? 50 : 1)))));
  await summary(page).getByText(/\(dropped\.json\): 16 layers × 64 experts/).waitFor();
});
