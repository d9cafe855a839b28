// Issue 12 part 6 and issue 14 item 1: the Conditions panel (model, hardware, strategy).
// Presets, config files (chosen or dropped on the panel) and typed values reach both sides
// at once; MISSING_CONSTANTS points to the panel; bad input names the field or the file and
// changes nothing; the permalink carries the conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { servedBrowser, openPage, screenshot, dropFile, dropFiles, root, corpus } from './harness.mjs';

const env = servedBrowser();
const real = resolve(root, '../shared/real');
const panel = (page) => page.getByTestId('conditions');
const input = (page, key) => panel(page).locator(`input[data-field="${key}"]`);

async function openPanel(page) {
  await panel(page).waitFor();
  if (!(await panel(page).evaluate((el) => el.open))) await panel(page).locator('summary').click();
}

// Typing then leaving the field commits it (one `change` event), as a user does.
async function typeField(page, key, value) {
  await input(page, key).fill(value);
  await input(page, key).press('Tab');
}

test('MISSING_CONSTANTS points to the Conditions panel, not the CLI alone', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.getByTestId('file-input').setInputFiles(join(corpus, 'paper_to_dag__main_deployment_dag.json'));
  const f = page.getByTestId('findings').locator('[data-code="MISSING_CONSTANTS"]');
  await f.waitFor();
  assert.match(await f.textContent(), /Conditions panel/);
  assert.deepEqual(errors, []);
});

test('a typed expert count reaches both sides at once: 48 experts do not split over EP64', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 1280, height: 800 });
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  await openPanel(page);
  assert.equal(await input(page, 'model.experts').inputValue(), '');
  await typeField(page, 'model.experts', '48');
  const findings = page.getByTestId('findings');
  await findings.locator('[data-code="STRATEGY_MISMATCH"]').waitFor();
  assert.match(await findings.textContent(), /48 experts do not divide evenly over EP64/);
  await page.getByTestId('after-error').waitFor();
  assert.match(await page.getByTestId('after-error').textContent(), /48 experts/);
  assert.match(await page.getByTestId('conditions-summary').textContent(), /1 constant declared/);
  await screenshot(page, 'conditions-1280.png');
  // The link carries the conditions.
  const again = await openPage(env.browser, page.url(), { width: 1280, height: 800 });
  await openPanel(again.page);
  assert.equal(await input(again.page, 'model.experts').inputValue(), '48');
  await again.page.getByTestId('after-error').waitFor();
  // Cleared, the plan is its own again.
  await again.page.getByTestId('conditions-clear').click();
  await again.page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  assert.equal(await again.page.getByTestId('after-error').count(), 0);
});

test('a bad entry names the field and changes nothing', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  await typeField(page, 'model.experts', 'sixty');
  const err = page.getByTestId('error');
  await err.waitFor();
  assert.match(await err.textContent(), /Conditions › Experts \(model\.experts\): `sixty` is not a whole number/);
  assert.equal(await input(page, 'model.experts').inputValue(), '');
  assert.match(await page.getByTestId('conditions-summary').textContent(), /none declared/);
});

test("a Hugging Face config.json chosen in the panel: DeepSeek-V3's constants, and a GPU preset", async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  await page.getByTestId('conditions-input').setInputFiles(join(real, 'deepseek-v3__config.json'));
  await page.getByTestId('conditions-loaded').getByText(/deepseek-v3__config\.json — Hugging Face config\.json/).waitFor();
  assert.equal(await input(page, 'model.experts').inputValue(), '256');
  assert.equal(await input(page, 'model.layers').inputValue(), '61');
  await page.getByTestId('hardware-preset').selectOption('h800');
  await page.waitForFunction(() => document.querySelector('input[data-field="cluster.memory_gb"]')?.value === '80');
  // The plan is held to the model: EP64 of 256 experts, and the findings say so.
  const text = await page.getByTestId('findings').textContent();
  assert.doesNotMatch(text, /do not divide evenly over EP64/);
  await screenshot(page, 'conditions-deepseek-1600.png');
});

test('a config dropped on the panel is read as conditions, not opened as a plan; a bad one says why', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  const drop = (name, text) =>
    panel(page).evaluate(
      (el, { name, text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: 'text/plain' }));
        el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name, text },
    );
  await drop('mixtral.json', await readFile(join(real, 'mixtral-8x7b-v0.1__config.json'), 'utf8'));
  await page.getByTestId('conditions-loaded').getByText(/mixtral\.json/).waitFor();
  assert.equal(await input(page, 'model.experts').inputValue(), '8');
  // Still the example open: the drop did not replace the plan.
  assert.match(await page.locator('[data-field="file"]').textContent(), /seed-ep64-tp2/);
  await drop('notes.json', '{"hello": 1}');
  const err = page.getByTestId('error');
  await err.waitFor();
  assert.match(await err.textContent(), /Conditions › notes\.json: /);
  assert.equal(await input(page, 'model.experts').inputValue(), '8');
});

test('a config dropped on the page, where plans go, is read into the conditions and the plan stays', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const file = async () => (await page.locator('[data-field="file"]').textContent()).trim();
  const before = await file();
  const nodes = await page.locator('[data-field="nodes"]').textContent();
  await dropFile(page, 'config.json', await readFile(join(real, 'deepseek-v3__config.json'), 'utf8'));
  const note = page.getByTestId('note');
  await note.getByText('config.json is not a plan, so it was read into the Conditions: Hugging Face config.json, 25 values.').waitFor();
  // Named by its family (the config keeps no checkpoint name): 14 constants and the name.
  await page.getByTestId('conditions-summary').getByText(/deepseek_v3 · 14 constants declared/).waitFor();
  // The example stays open, now held to DeepSeek-V3's constants: its 256 experts per
  // layer, where the example has 64.
  assert.equal(await file(), before);
  assert.equal(await page.locator('[data-field="nodes"]').textContent(), nodes);
  await openPanel(page);
  assert.equal(await input(page, 'model.experts').inputValue(), '256');
  assert.equal(await page.getByTestId('error').count(), 0);
  await screenshot(page, 'conditions-config-dropped-on-page.png');
  // A hardware YAML too: it starts as neither JSON nor a graph.
  await dropFile(page, 'h200.yaml', await readFile(join(real, 'aiconfigurator__h200_sxm.yaml'), 'utf8'));
  await note.getByText(/h200\.yaml is not a plan, so it was read into the Conditions: /).waitFor();
  assert.match(await page.getByTestId('conditions-loaded').textContent(), /config\.json — .*h200\.yaml — /s);
  // Neither a plan nor a config: both readers' reasons, and nothing changes.
  await dropFile(page, 'notes.txt', 'remember the milk\n');
  const err = page.getByTestId('error');
  await err.waitFor();
  const said = await err.textContent();
  assert.match(said, /notes\.txt:1:1: expected `digraph` or `graph` to start the file, found `remember`: the file is neither JSON nor a Graphviz graph/);
  assert.match(said, /Nor is it a config planscope reads: /);
  assert.equal(await file(), before);
  assert.equal(await input(page, 'model.experts').inputValue(), '256');
  assert.deepEqual(errors, []);
});

test('a plan dropped with its config, hardware and launch files opens under them; a second plan and a stray file are named', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const plan = 'paper_to_dag__expert_parallelism_dag.json';
  const other = 'paper_to_dag__combined_parallel_dag.json';
  const text = (dir, name) => readFile(join(dir, name), 'utf8');
  await dropFiles(page, [
    ['config.json', await text(real, 'deepseek-v3__config.json')],
    [plan, await text(corpus, plan)],
    ['h200.yaml', await text(real, 'aiconfigurator__h200_sxm.yaml')],
    [other, await text(corpus, other)],
    ['notes.txt', 'remember the milk\n'],
    ['serve.sh', 'vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 2 --enable-expert-parallel\n'],
  ]);
  await page.getByTestId('summary').getByText(plan).waitFor();
  const note = await page.getByTestId('note').textContent();
  assert.match(
    note,
    new RegExp(
      `^6 files dropped: opened ${plan.replace(/\./g, '\\.')}; read config\\.json \\(Hugging Face config\\.json, 25 values\\), ` +
        `h200\\.yaml \\([^)]*\\), serve\\.sh \\([^)]*\\) into the Conditions; ignored ${other.replace(/\./g, '\\.')} \\(`,
    ),
  );
  assert.match(await page.getByTestId('conditions-loaded').textContent(), /config\.json — .*h200\.yaml — .*serve\.sh — /s);
  // The stray file says why it was neither, and only it.
  const said = await page.getByTestId('error').locator('.banner-text').textContent();
  assert.match(said, /^notes\.txt:1:1: .*Nor is it a config planscope reads: /);
  // The plan is held to the launch line's strategy (vLLM's experts are not split by TP:
  // ETP1), with DeepSeek-V3's 256 experts.
  assert.equal((await page.locator('[data-field="target"]').textContent()).trim(), 'held to EP16_TP8_DP2_ETP1');
  // On the 16 GPUs vLLM starts for it (TP8 × DP2, the experts on the same GPUs), not EP·TP·DP = 256.
  assert.equal((await page.locator('[data-field="gpus-used"]').textContent()).trim(), '5 of 16');
  // A long name breaks in its card after an underscore, never inside a degree.
  const pieces = await page.locator('[data-field="target"]').evaluate((dd) =>
    [...dd.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE && !n.textContent.includes(' '))
      .map((n) => {
        const range = document.createRange();
        range.selectNodeContents(n);
        return [n.textContent, range.getClientRects().length];
      }),
  );
  assert.ok(pieces.length >= 3, JSON.stringify(pieces));
  assert.deepEqual(pieces.filter(([, lines]) => lines !== 1), [], JSON.stringify(pieces));
  await openPanel(page);
  assert.equal(await input(page, 'model.experts').inputValue(), '256');
  await screenshot(page, 'conditions-dropped-together.png');
  // New from config builds that launch: two TP8 attention groups and 16 EP ranks of whole
  // experts on the same 16 GPUs, verified clean, named after the config's model family.
  await page.getByTestId('new-from-config').click();
  await page.locator('[data-field="file"]').getByText(/EP16_TP8_DP2_ETP1/).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-field="file"]').textContent(), 'deepseek_v3-EP16_TP8_DP2_ETP1.json');
  assert.equal((await page.locator('[data-field="gpus-used"]').textContent()).trim(), '16 of 16');
  assert.equal(await page.getByTestId('before-verdict').textContent(), 'verifies clean');
  // The drop's note was about the plan opened before; it goes with it.
  assert.equal(await page.getByTestId('note').count(), 0);
  await screenshot(page, 'conditions-vllm-generated.png');
  assert.deepEqual(errors, []);
});

test('phone width: the panel fits', async () => {
  const { page } = await openPage(env.browser, env.server.url, { width: 390, height: 844 });
  await openPanel(page);
  await panel(page).scrollIntoViewIfNeeded();
  const box = await panel(page).boundingBox();
  assert.ok(box.width <= 390, `panel ${box.width}px wide`);
  await screenshot(page, 'conditions-390.png');
});

// The model preset `preset` (its `field` read as `value`) generated for `strategy` by New
// from config, verifying clean.
async function newCleanFromPreset(page, preset, [field, value], strategy) {
  await openPanel(page);
  await page.getByTestId('model-preset').selectOption(preset);
  await page.waitForFunction(([f, v]) => document.querySelector(`input[data-field="${f}"]`)?.value === v, [field, value]);
  await page.getByTestId('strategy').fill(strategy);
  await page.getByTestId('new-from-config').click();
  await page.locator('[data-field="file"]', { hasText: new RegExp(`${strategy}\\.json$`) }).waitFor({ timeout: 60000 });
  assert.equal(await page.getByTestId('before-verdict').textContent(), 'verifies clean');
  assert.equal(await page.getByTestId('findings').locator('.finding-group.error').count(), 0);
}

test('New from config opens a generated deployment of the preset model for the target', async () => {
  const { page } = await openPage(env.browser, env.server.url);
  await newCleanFromPreset(page, 'mixtral-8x7b', ['model.experts', '8'], 'EP8');
  // Without a target there is nothing to generate, and the message says so.
  await page.getByTestId('conditions-clear').click();
  await page.getByTestId('strategy').fill('');
  await page.getByTestId('new-from-config').click();
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /New from config: /);
});

// Qwen3-235B's 94 layers on PP4 are split as vLLM splits them (23, 24, 24, 23), not refused:
// PP dividing the layers is Megatron-LM's rule, not a plan's.
test('New from config splits layers PP does not divide, as vLLM does', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await newCleanFromPreset(page, 'qwen3-235b-a22b', ['model.layers', '94'], 'EP8_PP4');
  assert.deepEqual(errors, []);
});

// Without a batch the weights still fill the GPUs: Qwen3-235B (470 GB in BF16) on EP4 holds
// about 130 GB per H100. The generated plan fails on MEMORY_OVER for its weights alone, the
// memory card says what it counts, no step is timed from link latencies, and the rewrite to
// EP4 is refused with the least GPUs the weights take.
test('a model whose weights alone overflow its GPUs fails without a batch, and says so', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  await page.getByTestId('model-preset').selectOption('qwen3-235b-a22b');
  await page.getByTestId('hardware-preset').selectOption('h100');
  await page.waitForFunction(() => document.querySelector('input[data-field="model.experts"]')?.value === '128');
  assert.equal(await input(page, 'model.batch').inputValue(), '');
  await page.getByTestId('strategy').fill('EP4');
  await page.getByTestId('new-from-config').click();
  await page.locator('[data-field="file"]', { hasText: /EP4\.json$/ }).waitFor({ timeout: 60000 });
  const over = page.getByTestId('findings').locator('.finding', { hasText: 'MEMORY_OVER' });
  assert.match(await over.textContent(), /for their weights alone: GPU \d needs 1[23]\d\.\d GB \(weights 1[23]\d\.\d; activations and KV cache not counted/);
  const memory = page.locator('[data-stat="memory"]');
  assert.match(await memory.getByTestId('stat-note').textContent(), /^Weights only: no batch is given/);
  assert.match(await memory.getByTestId('stat-alert').textContent(), /Does not fit: over the 80 GB of one GPU/);
  assert.equal(await page.locator('[data-stat="step"] .stat-before').textContent(), '—');
  await screenshot(page, 'conditions-weights-only.png');
  await page.getByTestId('rewrite').click();
  await page.getByTestId('error').getByText(/takes at least 6 GPUs of 80 GB/).waitFor({ timeout: 30000 });
  // The advisor has no step to rank by: it says what it ranks by, and that its figures are weights.
  await page.getByTestId('suggest').click();
  const ranked = page.getByTestId('advisor-ranked-by');
  await ranked.waitFor({ timeout: 90000 });
  assert.match(await ranked.textContent(), /by memory left per GPU among those that fit, since no step is simulated/);
  assert.match(await page.getByTestId('suggestions').locator('li').first().textContent(), /step — · weights \d+\.\d%/);
  assert.deepEqual(errors, []);
});

// Mixtral-8x7B on H100s training sequences of 4,096 tokens under `strategy`, with `fields`
// typed too, generated by New from config.
async function newTrainingRun(page, strategy, fields) {
  await openPanel(page);
  await page.getByTestId('model-preset').selectOption('mixtral-8x7b');
  await page.getByTestId('hardware-preset').selectOption('h100');
  await page.waitForFunction(() => document.querySelector('input[data-field="model.experts"]')?.value === '8');
  await typeField(page, 'model.phase', 'train');
  await typeField(page, 'model.seq_len', '4096');
  for (const [key, value] of Object.entries(fields)) await typeField(page, key, value);
  await page.getByTestId('strategy').fill(strategy);
  await page.getByTestId('new-from-config').click();
  await page.locator('[data-field="file"]', { hasText: new RegExp(`${strategy}\\.json$`) }).waitFor({ timeout: 60000 });
}

// Training (`phase: train`): the memory card says what the fullest GPU holds, gradients and
// optimizer states with the weights; a ZeRO stage typed shards them, copies of the sharded
// states shard over fewer ranks each, and the Megatron-LM
// script dropped on the panel states the phase and its distributed optimizer.
test('a training micro-batch holds gradients and optimizer states; a ZeRO stage shards them', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await newTrainingRun(page, 'EP8_PP4_DP2', { 'model.batch': '2' });
  const note = page.locator('[data-stat="memory"]').getByTestId('stat-note');
  const states = async () => {
    const m = (await note.textContent()).match(/^Training: the fullest GPU holds [\d.]+ GB: weights ([\d.]+), gradients and optimizer states ([\d.]+), activations [\d.]+/);
    assert.ok(m, await note.textContent());
    return [Number(m[1]), Number(m[2])];
  };
  // BF16 unsharded: 16 bytes of states for each weight's 2 (shown to 0.1 GB, so within 3%).
  const near = (x, y) => Math.abs(x / y - 1) < 0.03;
  const [w, unsharded] = await states();
  assert.ok(near(unsharded / w, 8), `${unsharded} / ${w}`);
  await screenshot(page, 'conditions-training.png');
  // The distributed optimizer over DP2: 4 + 12/2 bytes of states per weight's 2.
  await typeField(page, 'model.zero_stage', '1');
  await page.waitForFunction((before) => !document.querySelector('[data-stat="memory"] [data-testid="stat-note"]')?.textContent.includes(`states ${before}`), String(unsharded));
  const [, sharded] = await states();
  assert.ok(near(sharded / w, 5), `${sharded} / ${w}`);
  // Two copies of the distributed optimizer (HSDP-like) over DP2: each over one rank, so
  // unsharded again; none is refused by name.
  await typeField(page, 'model.zero_copies', '2');
  await page.waitForFunction((before) => !document.querySelector('[data-stat="memory"] [data-testid="stat-note"]')?.textContent.includes(`states ${before}`), String(sharded));
  const [, copied] = await states();
  assert.ok(near(copied, unsharded), `${copied} vs ${unsharded}`);
  await typeField(page, 'model.zero_copies', '0');
  assert.match(await page.getByTestId('error').textContent(), /Sharded-state copies \(train\).*`0` is not a whole number of at least 1/);
  await typeField(page, 'model.zero_copies', '');
  // One micro-batch a step: the first stage holds one, not PP = 4, so the fullest GPU
  // holds far fewer activations.
  const activations = async () => Number((await note.textContent()).match(/activations ([\d.]+)/)[1]);
  const many = await activations();
  await typeField(page, 'model.micro_batches', '1');
  await page.waitForFunction((before) => !document.querySelector('[data-stat="memory"] [data-testid="stat-note"]')?.textContent.includes(`activations ${before}`), String(many));
  const one = await activations();
  assert.ok(one < many / 2, `${one} vs ${many}`);
  // The step card then gives the optimizer step those micro-batches make, a best case, and
  // the busy charts say they are the forward pass's shares.
  const stepNote = await page.locator('[data-stat="step"]').getByTestId('stat-note').textContent();
  assert.match(stepNote, /^Training, at best: 1 micro-batch through 4 stages: [\d.]+ m?s of pipeline \(\d+% fill and drain\), [\d.]+ [mµ]?s of gradient reduction; one micro-batch's forward pass/);
  assert.ok(await page.getByText("Busy computing, % of one micro-batch's forward pass").count() > 0);
  assert.match(await page.getByTestId('timeline-training').first().textContent(), /^One micro-batch's forward pass; the training step \(Step time\) runs 1 micro-batch, /);
  await typeField(page, 'model.micro_batches', '');
  // No stage 4.
  await typeField(page, 'model.zero_stage', '4');
  assert.match(await page.getByTestId('error').textContent(), /not a ZeRO stage/);
  // Megatron-LM's script trains with its distributed optimizer.
  await dropFile(page, 'train_mixtral_8x7b_distributed.sh', await readFile(join(real, 'megatron-lm__train_mixtral_8x7b_distributed.sh'), 'utf8'));
  await page.waitForFunction(() => document.querySelector('input[data-field="model.zero_stage"]')?.value === '1');
  assert.equal(await input(page, 'model.phase').inputValue(), 'train');
  // Its global batch of 256 in micro-batches of the deployment's batch (the zero stage may
  // have read 1 before the script arrived: its micro-batches say it has).
  await page.waitForFunction(() => document.querySelector('input[data-field="model.micro_batches"]')?.value !== '');
  const [batch, micro] = [await input(page, 'model.batch').inputValue(), await input(page, 'model.micro_batches').inputValue()];
  assert.equal(Number(batch) * Number(micro), 256, `${batch} × ${micro}`);
  assert.deepEqual(errors, []);
});

// Sequence parallelism typed in the panel splits what TP replicates: the norms', dropouts'
// and MLP input's 10·s·b·h of a layer's stored activations. Mixtral at TP 2 (ETP 2), per GPU
// in its attention's tokens × h: attention and norms 7 + 8/2, the MoE input 3, the expert's
// routed copies 2 × (2 + 6 × 3.5 / 2) = 25; on, the 7 + 3 are halved: 34/39 of them.
test('sequence parallelism typed for a TP training run shrinks its stored activations', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await newTrainingRun(page, 'EP8_TP2_PP4', { 'model.batch': '4', 'model.zero_stage': '1' });
  const note = page.locator('[data-stat="memory"]').getByTestId('stat-note');
  const activations = async () => {
    const m = (await note.textContent()).match(/activations ([\d.]+)/);
    assert.ok(m, await note.textContent());
    return Number(m[1]);
  };
  const off = await activations();
  await typeField(page, 'model.sequence_parallel', 'on');
  await page.waitForFunction((before) => !document.querySelector('[data-stat="memory"] [data-testid="stat-note"]')?.textContent.includes(`activations ${before}`), String(off));
  const on = await activations();
  assert.ok(Math.abs(on / off - 34 / 39) < 0.02, `${on} / ${off}`);
  await typeField(page, 'model.sequence_parallel', 'maybe');
  assert.match(await page.getByTestId('error').textContent(), /Sequence parallel \(train\).*`maybe` is not on or off/);
  assert.equal(await input(page, 'model.sequence_parallel').inputValue(), 'on');
  assert.equal(await activations(), on);
  assert.deepEqual(errors, []);
});

// Megatron-LM's Mixtral script as written runs on one node of 8 GPUs, which Megatron-LM
// refuses for EP8 × PP4. Dropped, its model and strategy are read as written and the rule
// it breaks is said, since the strategy is kept as degrees that no finding can trace back.
test('a dropped launch script that breaks its framework\'s rules says which', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await dropFile(page, 'train_mixtral_8x7b_distributed.sh', await readFile(join(real, 'megatron-lm__train_mixtral_8x7b_distributed.sh'), 'utf8'));
  const err = page.getByTestId('error');
  await err.getByText(/train_mixtral_8x7b_distributed\.sh: the launch breaks Megatron-LM: .*world_size % \(ETP × EP × PP\) == 0 \(here world_size = 8/).waitFor({ timeout: 30000 });
  assert.match(await err.textContent(), /its strategy is the target as written/);
  assert.equal(await page.getByTestId('strategy').inputValue(), 'EP8_PP4_DP2_ETP1');
  // Its --micro-batch-size 1 is per replica: 2 sequences over DP 2.
  assert.equal(await input(page, 'model.batch').inputValue(), '2');
  // The plan that was open stays open.
  assert.match(await page.locator('[data-field="file"]').textContent(), /seed-ep64-tp2/);
  assert.deepEqual(errors, []);
});

// A wasm page addresses 4 GB: a deployment of about two million nodes (DeepSeek-V3 over
// EP64·TP8·DP8, 4,096 GPUs) ran it out of memory, which killed the page. It is refused
// before anything is built, by New from config and by the rewrite alike, and the page stays.
// Experts folded onto TP·DP that do not tile it (EP·ETP above TP·DP) are refused as
// unbuilt, not built as plain EP·TP·DP.
test('a deployment too large for the page, or one planscope cannot build, is refused before building', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  await page.getByTestId('model-preset').selectOption('deepseek-v3');
  await page.waitForFunction(() => document.querySelector('input[data-field="model.experts"]')?.value === '256');
  const err = page.getByTestId('error');
  for (const [target, said] of [
    ['EP64_TP8_DP8', /New from config: the plan would hold about 2,449,408 nodes, past the 1,333,329 nodes a browser page holds beside the open plan \(the command goes further\)/],
    ['EP16_TP8_ETP1', /New from config: planscope cannot build expert TP ETP1 with EP·ETP = 16 expert GPUs on a stage of TP·DP = 8/],
  ]) {
    await page.getByTestId('strategy').fill(target);
    await page.getByTestId('new-from-config').click();
    await err.getByText(said).waitFor({ timeout: 20000 });
    assert.match(await page.locator('[data-field="file"]').textContent(), /seed-ep64-tp2/);
  }
  // The rewrite on a cluster of 4,096 GPUs.
  await typeField(page, 'cluster.gpus', '4096');
  await page.getByTestId('strategy').fill('EP64_TP8_DP8');
  await page.getByTestId('strategy').press('Enter');
  await err.getByText(/would make about 3,497,984 nodes, which exceeds the 1,333,329 nodes a browser page holds beside the open plan/).waitFor({ timeout: 20000 });
  assert.match(await page.locator('[data-field="file"]').textContent(), /seed-ep64-tp2/);
  assert.deepEqual(errors, []);
});

// A declared strategy written as a launch line is read by the readers' worker (the page
// links no launch reader, README "Page size"), and its framework's rules reach the findings
// as they do natively (tests/launch.rs), whether the plan declares it or the conditions do.
test('a launch line declared by the plan or dropped as conditions: its framework rules, read in the worker', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  const seed = await readFile(join(root, 'www/examples/seed-ep64-tp2.json'), 'utf8');
  const line = 'vllm serve Qwen/Qwen3-30B-A3B --enable-eplb --eplb-config.num_redundant_experts 2';
  const plan = seed.replace('"deployment_strategy": "EP64_TP2"', `"deployment_strategy": "${line}"`);
  assert.notEqual(plan, seed);
  await dropFile(page, 'launch-declared.json', plan);
  const rule = page.getByTestId('findings').locator('.finding-message', { hasText: /breaks a rule of vLLM/ });
  await rule.first().waitFor();
  assert.match(await rule.first().textContent(), /enable_expert_parallel must be True to use EPLB/);
  assert.ok(fetched.some((p) => p.endsWith('planscope-readers_bg.wasm')), 'read in the worker');
  assert.equal(await page.getByTestId('findings').getByText(/was not read as a launch line/).count(), 0);
  // The example again, then a one-line launch dropped on the panel: it is the conditions'
  // declared strategy, and its rules hold on both sides.
  await page.getByTestId('load-example').click();
  await page.locator('.side.after h2').getByText('After · EP64_TP2').waitFor();
  assert.equal(await rule.count(), 0, 'the example declares no launch');
  await openPanel(page);
  await panel(page).evaluate((el) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['vllm serve m -tp 2 -dp 4 --enable-eplb'], 'serve.sh', { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.getByTestId('conditions-loaded').getByText(/serve\.sh — vLLM launch/).waitFor();
  await rule.first().waitFor();
  assert.match(await rule.first().textContent(), /enable_expert_parallel must be True to use EPLB/);
  assert.equal(await page.getByTestId('findings').getByText(/was not read as a launch line/).count(), 0);
  assert.deepEqual(errors, []);
});

test('a declared launch line the worker cannot read is said to be unread, not passed over', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await page.context().route('**/planscope-readers_bg.wasm', (r) => r.abort());
  await page.locator('[data-testid="gpu-grid"][data-side="after"]').waitFor();
  const seed = await readFile(join(root, 'www/examples/seed-ep64-tp2.json'), 'utf8');
  const plan = seed.replace('"deployment_strategy": "EP64_TP2"', '"deployment_strategy": "vllm serve m -tp 2 -dp 64 -ep"');
  await dropFile(page, 'unread.json', plan);
  const unread = page.getByTestId('findings').getByText(/`vllm serve m -tp 2 -dp 64 -ep` was not read as a launch line/);
  await unread.first().waitFor();
  assert.equal(await page.locator('[data-field="file"]').textContent(), 'unread.json');
  assert.deepEqual(errors, []);
});

test('a second model or GPU replaces the first: nothing of DeepSeek-V3 stays with Mixtral, nor of the H100 with the A100', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  await openPanel(page);
  await typeField(page, 'model.batch', '64');
  await page.getByTestId('conditions-input').setInputFiles(join(real, 'deepseek-v3__config.json'));
  await page.getByTestId('conditions-loaded').getByText(/deepseek-v3__config\.json — Hugging Face config\.json/).waitFor();
  assert.equal(await input(page, 'model.moe_layers').inputValue(), '58');
  await page.getByTestId('model-preset').selectOption('mixtral-8x7b');
  await page.getByTestId('conditions-loaded').getByText(/Mixtral 8x7B — model preset/).waitFor();
  assert.equal(await input(page, 'model.layers').inputValue(), '32');
  assert.equal(await input(page, 'model.moe_layers').inputValue(), '', 'Mixtral states no dense layers');
  assert.equal(await input(page, 'model.batch').inputValue(), '64', 'the typed workload stays');
  // A GPU after another: the A100 has no FP8 peak, the H100's does not stay.
  await page.getByTestId('hardware-preset').selectOption('h100');
  await page.waitForFunction(() => document.querySelector('input[data-field="cluster.tflops_fp8"]')?.value !== '');
  await page.getByTestId('hardware-preset').selectOption('a100');
  await page.waitForFunction(() => document.querySelector('input[data-field="cluster.memory_gb"]')?.value === '80');
  assert.equal(await input(page, 'cluster.tflops_fp8').inputValue(), '');
  assert.deepEqual(errors, []);
});

test('a launch line typed as the target is read as its framework runs it, and built', async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  // The example's 128 GPUs (the launches below state their own) as Megatron-Core's EP
  // inside DP: two copies of the EP64 experts over TP2·DP64.
  await page.getByTestId('strategy').fill('EP64_TP2_DP64_ETP1');
  await page.getByTestId('rewrite').click();
  await page.locator('[data-field="target"]').getByText('held to EP64_TP2_DP64_ETP1').waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('after-verdict').textContent(), 'verifies clean');
  assert.match(await page.locator('.side.after figcaption').first().textContent(), /^128 of 128 GPUs busy/);
  await page.getByTestId('strategy').fill('vllm serve deepseek-ai/DeepSeek-V3 -tp 8 -dp 8 --enable-expert-parallel');
  await page.getByTestId('rewrite').click();
  // EP = TP·DP = 64 ranks of whole experts on the 64 GPUs vLLM starts, not EP1_TP8_DP8.
  await page.locator('[data-field="target"]').getByText('held to EP64_TP8_DP8_ETP1').waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('after-verdict').textContent(), 'verifies clean');
  assert.match(await page.locator('.side.after figcaption').first().textContent(), /^64 of 64 GPUs busy/);
  // SGLang's DP attention: each of the 8 GPUs its own DP rank of attention, beside EP8.
  await page.getByTestId('strategy').fill('python -m sglang.launch_server --model-path m --tp 8 --dp 8 --enable-dp-attention --ep 8');
  await page.getByTestId('rewrite').click();
  await page.locator('[data-field="target"]').getByText('held to EP8_TP8_DP8_ETP1_DPATTN').waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('after-verdict').textContent(), 'verifies clean');
  assert.match(await page.locator('.side.after figcaption').first().textContent(), /^8 of 8 GPUs busy/);
  await screenshot(page, 'conditions-sglang-dp-attention.png');
  // One its reader refuses says why and changes nothing.
  await page.getByTestId('strategy').fill('vllm serve m -tp 8 -dcp 2');
  await page.getByTestId('rewrite').click();
  await page.getByTestId('error').getByText(/Target `vllm serve m -tp 8 -dcp 2`: .*-dcp/).waitFor();
  assert.equal((await page.locator('[data-field="target"]').textContent()).trim(), 'held to EP8_TP8_DP8_ETP1_DPATTN');
  // New from config with a launch line typed as the target reads it first, as Rewrite
  // does: vLLM's one-node wide EP is 8 GPUs (ETP1 on TP1), not EP8·DP8 = 64.
  await openPanel(page);
  await page.getByTestId('model-preset').selectOption('deepseek-v3');
  await page.getByTestId('strategy').fill('vllm serve deepseek-ai/DeepSeek-V3 -tp 1 -dp 8 --enable-expert-parallel');
  await page.getByTestId('new-from-config').click();
  await page.locator('[data-field="file"]').getByText(/-EP8_DP8_ETP1\.json$/).waitFor({ timeout: 30000 });
  assert.equal((await page.locator('[data-field="gpus-used"]').textContent()).trim(), '8 of 8');
  assert.equal(await page.getByTestId('before-verdict').textContent(), 'verifies clean');
  assert.deepEqual(errors, []);
});

test("a plan dropped with another model's config: MODEL_MISMATCH says what the plan draws and the model has", async () => {
  const { page, errors } = await openPage(env.browser, env.server.url);
  const sketch = '2025-12-01-16-48-00__ep64_tp2_deployment.dot';
  await dropFiles(page, [
    [sketch, await readFile(join(corpus, sketch), 'utf8')],
    ['config.json', await readFile(join(real, 'deepseek-v3__config.json'), 'utf8')],
  ]);
  await page.getByTestId('conditions-summary').getByText(/deepseek_v3 · 14 constants declared/).waitFor();
  const f = page.getByTestId('findings').locator('[data-code="MODEL_MISMATCH"]');
  await f.waitFor({ timeout: 20000 });
  const said = await f.textContent();
  assert.match(said, /at most 64 distinct experts in a MoE layer where deepseek_v3 has 256/);
  assert.match(said, /experts in 16 layers where deepseek_v3 has 58 MoE layers/);
  // A warning: the plan as written still verifies, with it said.
  assert.equal(await page.getByTestId('error').count(), 0);
  await screenshot(page, 'conditions-model-mismatch.png');
  assert.deepEqual(errors, []);
});
