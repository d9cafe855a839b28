// Issue 14 item 1: the target strategy and the conditions are the page's single source of
// truth. Both sides are verified against the target; findings, Review, the report and the
// permalink follow a change at once; an empty plan is an error; the Target box's
// placeholder reads as one, and Rewrite with an empty box says what to type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, field, corpus } from './harness.mjs';

const env = servedBrowser();
const SEED_DAG = 'paper_to_dag__main_deployment_dag.json';
const LARGEST = '2025-12-04-11-03-13__llm_deployment_comprehensive.dot';

const findingsText = (page) => page.getByTestId('findings').textContent();
const afterTitle = (page) => page.locator('.side.after h2');

test("the seed's DAG with no declared strategy fails against EP64_TP2 before any rewrite", async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.getByTestId('file-input').setInputFiles(join(corpus, SEED_DAG));
  await page.locator('[data-field="file"]', { hasText: SEED_DAG }).waitFor();
  // No target yet: the box is empty and shows its placeholder as a hint.
  const box = page.getByTestId('strategy');
  assert.equal(await box.inputValue(), '');
  assert.equal(await box.getAttribute('placeholder'), 'e.g. EP64_TP2');
  const style = await box.evaluate((el) => getComputedStyle(el, '::placeholder').fontStyle);
  assert.equal(style, 'italic');
  // Rewrite with an empty box says what to type, not "no parallel degree in ``".
  await page.getByTestId('rewrite').click();
  const err = page.getByTestId('error');
  await err.waitFor();
  assert.match(await err.textContent(), /Type a target strategy in the Target box first, e\.g\. EP64_TP2/);
  assert.doesNotMatch(await err.textContent(), /no parallel degree/);
  await screenshot(page, 'review-loop-placeholder-1280.png');

  await box.fill('EP64_TP2');
  await page.getByTestId('rewrite').click();
  await afterTitle(page).getByText('After · EP64_TP2').waitFor();
  assert.equal(await page.getByTestId('verdict').textContent(), 'FAIL');
  assert.equal(await page.getByTestId('findings').locator('[data-code="EP_INCOMPLETE"]').count(), 1);
  assert.equal(await field(page, 'gpus-used'), '3 of 128');
  assert.equal(await field(page, 'target'), 'held to EP64_TP2');
  assert.equal(await page.getByTestId('before-verdict').textContent(), 'has errors');
  assert.deepEqual(errors, []);
});

test('the Example rewritten to EP32_TP4: every finding speaks of EP32, none of EP64', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await afterTitle(page).getByText('After · EP64_TP2').waitFor();
  assert.match(await findingsText(page), /EP64/);
  await page.getByTestId('strategy').fill('EP32_TP4');
  await page.getByTestId('rewrite').click();
  await afterTitle(page).getByText('After · EP32_TP4').waitFor();
  const text = await findingsText(page);
  assert.match(text, /EP32/);
  assert.doesNotMatch(text, /EP64/);
});

test('Suggest → Use: findings, Review, the report and the link follow the chosen strategy', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 1280, height: 800 });
  await afterTitle(page).getByText('After · EP64_TP2').waitFor();
  await page.getByTestId('suggest').click();
  const rows = page.getByTestId('suggestions').locator('li');
  await rows.first().waitFor({ timeout: 60000 });
  const chosen = await rows.first().getAttribute('data-strategy');
  assert.notEqual(chosen, 'EP64_TP2');
  await rows.first().getByRole('button', { name: 'Use' }).click();
  await afterTitle(page).getByText(`After · ${chosen}`).waitFor();
  const text = await findingsText(page);
  assert.doesNotMatch(text, /EP64/, 'findings still speak of EP64');
  // Review: its steps are the before side's findings against the chosen target.
  await page.getByTestId('review-open').click();
  const review = page.getByTestId('review');
  await review.waitFor();
  assert.doesNotMatch(await review.textContent(), /EP64/);
  assert.match(await review.textContent(), new RegExp(`After · ${chosen}`));
  await screenshot(page, 'review-loop-review-1280.png');
  await page.keyboard.press('Escape');
  // The report is rendered from the same analyses.
  await page.getByTestId('export-menu').locator('summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10000 }),
    page.getByTestId('export-menu').locator('[data-export="report"]').first().click(),
  ]);
  const html = await readFile(await download.path(), 'utf8');
  assert.match(html, new RegExp(chosen));
  // The link carries the target: reopened, the page holds both sides to it.
  const url = page.url();
  assert.match(url, /#v1\./);
  const again = await openPage(env.browser, url, { width: 1280, height: 800 });
  await afterTitle(again.page).getByText(`After · ${chosen}`).waitFor();
  assert.equal(await again.page.getByTestId('strategy').inputValue(), chosen);
  assert.doesNotMatch(await findingsText(again.page), /EP64/);
});

test('an empty plan is an error, not a pass', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await dropFile(page, 'empty.json', JSON.stringify({ nodes: [], edges: [] }));
  await page.locator('[data-field="file"]', { hasText: 'empty.json' }).waitFor();
  assert.equal(await page.getByTestId('verdict').textContent(), 'FAIL');
  assert.equal(await page.getByTestId('findings').locator('[data-code="EMPTY_PLAN"]').count(), 1);
});

test('item 6: the 8,420-node corpus file rewrites to EP64_TP2 (64 experts read from ids and the gate label)', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  const text = await readFile(join(corpus, LARGEST), 'utf8');
  await dropFile(page, LARGEST, text);
  await page.locator('[data-field="nodes"]', { hasText: '8,420' }).waitFor({ timeout: 60000 });
  await page.getByTestId('strategy').fill('EP64_TP2');
  await page.getByTestId('rewrite').click();
  await afterTitle(page).getByText('After · EP64_TP2').waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('after-error').count(), 0);
  assert.doesNotMatch(await page.locator('.side.after').textContent(), /16 experts/);
});

test('phone width: the target and the verdict stay readable', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 390, height: 844 });
  await afterTitle(page).getByText('After · EP64_TP2').waitFor();
  await page.getByTestId('strategy').fill('EP32_TP4');
  await page.getByTestId('rewrite').click();
  await afterTitle(page).getByText('After · EP32_TP4').waitFor();
  await screenshot(page, 'review-loop-390.png');
});
