//! Training memory (`phase: train`): each weight's gradients and optimizer states as
//! Megatron-LM's table counts them (bytes per parameter: BF16 18, FP16 20, FP32 16; with the
//! distributed optimizer 6 + 12/d, 4 + 16/d, 8 + 8/d), ZeRO stages 2 and 3, and the stored
//! activations of the micro-batches the first pipeline stage holds. Mixtral-8x7B's real
//! config on a generated EP8_PP4_DP2 deployment; the Megatron-LM script states the phase.

use planscope_core::check::{VerifyOptions, verify};
use planscope_core::conditions;
use planscope_core::cost::{MemoryMetrics, Workload};
use planscope_core::limits::Capacity;
use planscope_core::model::{Dtype, Meta, Phase, Plan, Strategy, ZeroStage};
use std::path::PathBuf;

fn shared(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (../shared must be there)", path.display()))
}

fn read(name: &str) -> Meta {
    conditions::read(name, &shared(&format!("real/{name}"))).unwrap_or_else(|e| panic!("{e}")).meta
}

/// Mixtral on EP8_PP4_DP2 (64 GPUs, each replica its own experts), 2 sequences of 4,096
/// tokens: one per replica.
fn mixtral() -> (Plan, Meta) {
    mixtral_on("EP8_PP4_DP2", 2)
}

/// Mixtral's real config deployed under `strategy` on 80 GB GPUs, `batch` sequences of
/// 4,096 tokens.
fn mixtral_on(strategy: &str, batch: u64) -> (Plan, Meta) {
    let mut meta = read("mixtral-8x7b-v0.1__config.json");
    meta.strategy = Some(Strategy::parse(strategy).unwrap());
    meta.cluster.memory_gb = Some(80.0);
    meta.model.batch = Some(batch);
    meta.model.seq_len = Some(4096);
    let plan = planscope_core::r#gen::plan_from(&meta, Capacity::Native).unwrap_or_else(|e| panic!("{e}"));
    (plan, meta)
}

fn memory(plan: &Plan, meta: &Meta, edit: impl Fn(&mut Meta)) -> MemoryMetrics {
    let mut over = meta.clone();
    edit(&mut over);
    verify(plan, &VerifyOptions { overrides: over, ..VerifyOptions::default() }).metrics.memory.expect("memory")
}

fn train(zero: Option<u8>, dtype: Dtype) -> impl Fn(&mut Meta) {
    move |m: &mut Meta| {
        m.model.phase = Some(Phase::Train);
        m.model.zero_stage = zero.map(|z| ZeroStage::try_from(z).unwrap());
        m.model.dtype = Some(dtype);
    }
}

/// Every GPU's training states over its weights, as one ratio (the per-parameter bytes
/// over the weight's bytes).
fn states_per_weight(m: &MemoryMetrics) -> f64 {
    let ratios: Vec<f64> =
        m.per_gpu.iter().filter(|g| g.weights_gb > 0.0).map(|g| g.states_gb / g.weights_gb).collect();
    let (lo, hi) = ratios.iter().fold((f64::MAX, f64::MIN), |(a, b), &r| (a.min(r), b.max(r)));
    assert!(hi - lo < 1e-9, "every GPU holds its states in one proportion: {lo}..{hi}");
    lo
}

#[test]
fn inference_holds_no_training_states() {
    let (plan, meta) = mixtral();
    let m = memory(&plan, &meta, |_| {});
    assert_eq!(m.workload, Workload::Inference);
    assert!(m.per_gpu.iter().all(|g| g.states_gb == 0.0));
    assert!(m.kv_cache_gb.max > 0.0);
}

#[test]
fn unsharded_states_follow_megatrons_bytes_per_parameter() {
    let (plan, meta) = mixtral();
    let inference = memory(&plan, &meta, |_| {});
    // (bytes per parameter − the weight's own) / the weight's bytes: BF16 (18 − 2) / 2,
    // FP16 (20 − 2) / 2, FP32 (16 − 4) / 4.
    for (dtype, ratio) in [(Dtype::Bf16, 8.0), (Dtype::Fp16, 9.0), (Dtype::Fp32, 3.0)] {
        let m = memory(&plan, &meta, train(Some(0), dtype));
        assert_eq!(m.workload, Workload::Training);
        assert!((states_per_weight(&m) - ratio).abs() < 1e-9, "{dtype:?}: {}", states_per_weight(&m));
        // No KV cache in training.
        assert_eq!(m.kv_cache_gb.max, 0.0);
    }
    // The weights themselves are what inference holds.
    let bf16 = memory(&plan, &meta, train(Some(0), Dtype::Bf16));
    assert!((bf16.weights_gb.max - inference.weights_gb.max).abs() < 1e-9);
}

#[test]
fn zero_stages_shard_over_the_data_parallel_replicas() {
    let (plan, meta) = mixtral();
    let bf16 = |z| memory(&plan, &meta, train(Some(z), Dtype::Bf16));
    let unsharded = bf16(0);
    // d = 2: the distributed optimizer's 6 + 12/d = 12 bytes per parameter, 10 of them
    // states; stage 2 (2 + 16/d) 8 of states; stage 3 shards the weights too: 16/d = 8 states
    // per parameter over a half of its 2 bytes held.
    assert!((states_per_weight(&bf16(1)) - 5.0).abs() < 1e-9, "{}", states_per_weight(&bf16(1)));
    assert!((states_per_weight(&bf16(2)) - 4.0).abs() < 1e-9, "{}", states_per_weight(&bf16(2)));
    let z3 = bf16(3);
    assert!((z3.weights_gb.max * 2.0 - unsharded.weights_gb.max).abs() < 1e-9);
    assert!((states_per_weight(&z3) - 8.0).abs() < 1e-9, "{}", states_per_weight(&z3));
    // Without a stage, nothing is sharded, and the assumption is said.
    let report =
        verify(&plan, &VerifyOptions { overrides: with(&meta, train(None, Dtype::Bf16)), ..VerifyOptions::default() });
    let m = report.metrics.memory.as_ref().unwrap();
    assert!((states_per_weight(m) - 8.0).abs() < 1e-9);
    assert!(report.findings.iter().any(|f| f.message.contains("zero_stage = 0")), "{:?}", report.findings);
}

/// Copies of the sharded states (HSDP, Megatron-LM's distributed-optimizer instances) each
/// shard over DP / copies: on Mixtral's DP 2, two copies shard over one rank, which is no
/// sharding at all; a Megatron-LM script states its instances.
#[test]
fn copies_of_the_sharded_states_shard_over_fewer_ranks() {
    let (plan, meta) = mixtral();
    let bf16 = |z, copies| {
        memory(&plan, &meta, |m| {
            train(Some(z), Dtype::Bf16)(m);
            m.model.zero_copies = copies;
        })
    };
    let (unsharded, fsdp, hsdp) = (bf16(0, None), bf16(3, None), bf16(3, Some(2)));
    assert!((states_per_weight(&fsdp) - 8.0).abs() < 1e-9 && fsdp.weights_gb.max < unsharded.weights_gb.max);
    assert!((states_per_weight(&hsdp) - 8.0).abs() < 1e-9, "{}", states_per_weight(&hsdp));
    assert!((hsdp.weights_gb.max - unsharded.weights_gb.max).abs() < 1e-9);
    // More copies than ranks shard over one rank, never none.
    assert_eq!(bf16(3, Some(64)).weights_gb.max, hsdp.weights_gb.max);
    let script = shared("real/megatron-lm__train_mixtral_8x7b_distributed.sh")
        .replace("--use-distributed-optimizer", "--use-distributed-optimizer --num-distributed-optimizer-instances 2");
    let c = conditions::read("train.sh", &script).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.meta.model.zero_stage, c.meta.model.zero_copies), (Some(ZeroStage::OPTIMIZER), Some(2)));
}

fn with(meta: &Meta, edit: impl Fn(&mut Meta)) -> Meta {
    let mut m = meta.clone();
    edit(&mut m);
    m
}

#[test]
fn the_first_stage_holds_the_activations_of_pp_micro_batches() {
    let (plan, meta) = mixtral();
    let m = memory(&plan, &meta, train(Some(1), Dtype::Bf16));
    // Korthikanti et al. 2022's bytes (attention scores recomputed), the MLP's as Mixtral's
    // experts hold them. A replica's 4,096 tokens are split over its 8 EP ranks' attention
    // (planscope's convention): 512 tokens × hidden 4,096 × (attention 11 + norms 4 + the
    // MoE layer's input and dropout mask 3). Each GPU's expert is routed 4,096 × 2 / 8 =
    // 1,024 token copies, each keeping its input (2h) and SwiGLU's gate, up and product
    // (6f, f = 14,336). 8 layers a stage, 4 micro-batches in flight (1F1B).
    let (h, f) = (4096.0, 14336.0);
    let per_layer = 512.0 * h * 18.0 + 1024.0 * (2.0 * h + 6.0 * f);
    let expected = per_layer * 8.0 * 4.0 / 1e9;
    assert!((m.activations_gb.max - expected).abs() < 1e-6, "{} vs {expected}", m.activations_gb.max);
    // The fullest GPU is said part by part.
    let worst = m.worst().unwrap().to_string();
    assert!(worst.contains("gradients and optimizer states") && worst.contains("activations 4.3"), "{worst}");
    assert!(!worst.contains("KV cache"), "{worst}");
}

#[test]
fn a_megatron_script_trains_with_its_distributed_optimizer() {
    let meta = read("megatron-lm__train_mixtral_8x7b_distributed.sh");
    assert_eq!(meta.model.phase, Some(Phase::Train));
    assert_eq!(meta.model.zero_stage, Some(ZeroStage::OPTIMIZER));
    // Without the flag, Megatron shards nothing.
    let text = shared("real/megatron-lm__train_mixtral_8x7b_distributed.sh").replace("--use-distributed-optimizer", "");
    let plain = conditions::read("train.sh", &text).unwrap_or_else(|e| panic!("{e}")).meta;
    assert_eq!(plain.model.zero_stage, Some(ZeroStage::NONE));
    // Megatron-FSDP as its sharding strategy says, PyTorch FSDP2 everything; the distributed
    // optimizer keeps its stage 1 under an FSDP that shards nothing.
    let script = shared("real/megatron-lm__train_mixtral_8x7b_distributed.sh");
    let with_flags = |flags: &str| {
        let text = script.replace("--use-distributed-optimizer", flags);
        conditions::read("train.sh", &text).map(|c| c.meta.model.zero_stage)
    };
    let fsdp = "--use-megatron-fsdp --data-parallel-sharding-strategy";
    assert_eq!(with_flags(&format!("{fsdp} optim_grads_params")).unwrap(), Some(ZeroStage::WEIGHTS));
    assert_eq!(with_flags(&format!("{fsdp} optim_grads")).unwrap(), Some(ZeroStage::GRADIENTS));
    assert_eq!(with_flags("--use-torch-fsdp2").unwrap(), Some(ZeroStage::WEIGHTS));
    let kept = "--use-distributed-optimizer --use-custom-fsdp --data-parallel-sharding-strategy no_shard";
    assert_eq!(with_flags(kept).unwrap(), Some(ZeroStage::OPTIMIZER));
    // Without Megatron-FSDP the sharding strategy is not in force.
    assert_eq!(with_flags("--data-parallel-sharding-strategy optim_grads_params").unwrap(), Some(ZeroStage::NONE));
    let bad = with_flags(&format!("{fsdp} zero3")).unwrap_err().to_string();
    assert!(bad.contains("no_shard, optim, optim_grads or optim_grads_params"), "{bad}");
    // A serving launch stays inference; a training framework's launch trains.
    let serve = conditions::read("serve.sh", "vllm serve m -tp 8 -dp 2 --enable-expert-parallel").unwrap();
    assert_eq!(serve.meta.model.phase, None);
    let titan = "[parallelism]\ndata_parallel_shard_degree = 8\nexpert_parallel_degree = 8\n";
    let titan = conditions::read("train.toml", titan).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(titan.meta.model.phase, Some(Phase::Train));
    assert!(titan.fields.contains(&"model.phase"), "{:?}", titan.fields);
    // torchtitan's TP is sequence parallel (apply_tp); without TP there is nothing to split.
    assert_eq!(titan.meta.model.sequence_parallel, Some(false));
    let titan_tp =
        "[parallelism]\ndata_parallel_shard_degree = 4\ntensor_parallel_degree = 2\nexpert_parallel_degree = 4\n";
    let titan_tp = conditions::read("train.toml", titan_tp).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(titan_tp.meta.model.sequence_parallel, Some(true));
}

/// What shards a launch's training states: torchtitan's FSDP (stage 3), DDP (none) and
/// HSDP (stage 3 within each of its replicate copies); DeepSpeed's stage,
/// 0 unless given, in a training config only.
#[test]
fn launches_say_how_their_states_are_sharded() {
    let zero = |name: &str, text: &str| {
        let c = conditions::read(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
        (c.meta.model.phase, c.meta.model.zero_stage)
    };
    let titan = |p: &str| zero("train.toml", &format!("[parallelism]\n{p}\nexpert_parallel_degree = 4\n"));
    let train = Some(Phase::Train);
    assert_eq!(titan("data_parallel_shard_degree = 8"), (train, Some(ZeroStage::WEIGHTS)));
    assert_eq!(titan("data_parallel_replicate_degree = 8"), (train, Some(ZeroStage::NONE)));
    // HSDP: FSDP within each of the dp_replicate copies.
    assert_eq!(
        titan("data_parallel_replicate_degree = 2\ndata_parallel_shard_degree = 4"),
        (train, Some(ZeroStage::WEIGHTS))
    );
    let hsdp = "[parallelism]\ndata_parallel_replicate_degree = 2\ndata_parallel_shard_degree = 4\nexpert_parallel_degree = 4\n";
    let hsdp = conditions::read("train.toml", hsdp).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hsdp.meta.model.zero_copies, Some(2));
    assert!(hsdp.fields.contains(&"model.zero_copies"), "{:?}", hsdp.fields);
    let ds = |json: &str| zero("ds_config.json", json);
    assert_eq!(
        ds(r#"{"train_batch_size": 256, "zero_optimization": {"stage": 2}, "moe": {"ep_size": 8}}"#),
        (train, Some(ZeroStage::GRADIENTS))
    );
    assert_eq!(ds(r#"{"train_micro_batch_size_per_gpu": 1, "moe": {"ep_size": 8}}"#), (train, Some(ZeroStage::NONE)));
    // Hugging Face's Trainer configs leave the batch sizes "auto" (the Trainer fills them):
    // still a training config, its micro-batches unsaid.
    let auto = r#"{"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto",
        "gradient_accumulation_steps": "auto", "zero_optimization": {"stage": 2}, "moe": {"ep_size": 8}}"#;
    let auto = conditions::read("ds_config.json", auto).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((auto.meta.model.phase, auto.meta.model.micro_batches), (train, None));
    // Its gradient accumulation is the micro-batches of a step.
    let steps = r#"{"gradient_accumulation_steps": 8, "moe": {"ep_size": 8}}"#;
    let steps = conditions::read("ds_config.json", steps).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((steps.meta.model.phase, steps.meta.model.micro_batches), (train, Some(8)));
    assert!(steps.fields.contains(&"model.micro_batches"), "{:?}", steps.fields);
    let zero_steps = conditions::read("ds_config.json", r#"{"gradient_accumulation_steps": 0, "moe": {"ep_size": 8}}"#);
    assert!(zero_steps.unwrap_err().to_string().contains("a whole number of at least 1"));
    // An inference config serves.
    assert_eq!(ds(r#"{"tensor_parallel": {"tp_size": 8}, "moe": {"ep_size": 8}}"#), (None, None));
    let bad = conditions::read("ds_config.json", r#"{"zero_optimization": {"stage": 4}, "moe": {"ep_size": 8}}"#)
        .unwrap_err();
    assert!(bad.to_string().contains("a ZeRO stage: 0, 1, 2 or 3"), "{bad}");
}

/// Without its micro-batches a training step is its forward pass alone: simulated, but no
/// throughput is claimed from it; with them, the optimizer step gives one.
#[test]
fn a_training_step_claims_no_throughput() {
    let (plan, mut meta) = mixtral();
    meta.cluster = conditions::preset("h100").unwrap().meta.cluster;
    let sim = |edit: &dyn Fn(&mut Meta)| {
        let over = with(&meta, edit);
        verify(&plan, &VerifyOptions { overrides: over, ..VerifyOptions::default() })
            .metrics
            .simulation
            .expect("simulated")
    };
    let serve = sim(&|_| {});
    assert!(!serve.coverage.training && serve.coverage.tokens_per_s_per_gpu.is_some());
    let forward = sim(&train(Some(1), Dtype::Bf16));
    assert!(forward.coverage.training && forward.coverage.tokens_per_s_per_gpu.is_none());
    assert!(forward.step_time_s > 0.0 && forward.training.is_none());
    let stepped = sim(&|m: &mut Meta| {
        train(Some(1), Dtype::Bf16)(m);
        m.model.micro_batches = Some(16);
    });
    let t = stepped.training.expect("micro-batches given");
    // 16 micro-batches of the 2 × 4,096 tokens, over the optimizer step, over 64 GPUs.
    let tps = t.tokens_per_s_per_gpu.unwrap();
    assert!((tps - 16.0 * 8192.0 / t.step_s / 64.0).abs() < 1e-6, "{tps} {t:?}");
    // Forward and backward: three times the forward's compute at least, per micro-batch.
    assert!(t.pipeline_s > 16.0 * 3.0 * stepped.step_time_s / 4.0, "{t:?}");
}

/// Sequence parallelism splits over the TP GPUs the 10·s·b·h bytes a layer's norms,
/// dropouts and MLP input store, which plain TP replicates: a dense layer's s·b·h·34/t rather
/// than s·b·h·(10 + 24/t) (Korthikanti et al. 2022, Table 2). Megatron-LM's script says
/// whether it is on; with TP 1 Megatron-LM turns it off, and with EP and TP it requires it.
#[test]
fn sequence_parallelism_splits_the_activations_tp_replicates() {
    let (plan, meta) = mixtral_on("EP8_TP2_PP4", 1);
    let sp = |on: Option<bool>| {
        let over = with(&meta, |m| {
            train(Some(1), Dtype::Bf16)(m);
            m.model.sequence_parallel = on;
        });
        verify(&plan, &VerifyOptions { overrides: over, ..VerifyOptions::default() })
    };
    let act = |r: &planscope_core::check::Report| r.metrics.memory.as_ref().expect("memory").activations_gb.max;
    let (off, on, unsaid) = (sp(Some(false)), sp(Some(true)), sp(None));
    // Per GPU and layer, in 512 tokens × h: the attention and norms' 7 + 8/2 and the MoE
    // input's 3, and the expert's 1,024 copies at ETP 2: 2 × (2 + 6 × 3.5 / 2) = 25. Sequence
    // parallelism halves the 7 + 3: 34 against 39.
    let ratio = act(&on) / act(&off);
    assert!((ratio - 34.0 / 39.0).abs() < 1e-9, "{ratio}");
    // Unsaid, it is taken as off (an upper bound), and the note says so.
    assert_eq!(act(&unsaid), act(&off));
    let said =
        |r: &planscope_core::check::Report| r.findings.iter().any(|f| f.message.contains("sequence_parallel = off"));
    assert!(said(&unsaid) && !said(&off) && !said(&on));

    // The real script: --sequence-parallel with TP 1, which Megatron-LM turns off.
    let script = shared("real/megatron-lm__train_mixtral_8x7b_distributed.sh");
    assert_eq!(read("megatron-lm__train_mixtral_8x7b_distributed.sh").model.sequence_parallel, Some(false));
    let tp2 = script.replace("--tensor-model-parallel-size 1", "--tensor-model-parallel-size 2");
    let c = conditions::read("train.sh", &tp2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.meta.model.sequence_parallel, Some(true));
    // (The script's one node of 8 GPUs is too few for EP8 × PP4 either way: that rule stands.)
    let requires = |broken: &[String]| broken.iter().any(|b| b.contains("sequence parallelism must be used"));
    assert!(c.fields.contains(&"model.sequence_parallel") && !requires(&c.launch_broken), "{:?}", c.launch_broken);
    // EP 8 and TP 2 without it: Megatron-Core refuses to start.
    let c = conditions::read("train.sh", &tp2.replace("--sequence-parallel", "")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.meta.model.sequence_parallel, Some(false));
    assert!(requires(&c.launch_broken), "{:?}", c.launch_broken);
}

/// One dense layer, drawn as an attention node and an MLP node on TP shard 0 of `tp`: the
/// bytes both keep for the backward pass, in tokens × hidden.
fn dense_layer_kept(tp: u32, gated: bool, sequence_parallel: bool) -> f64 {
    use planscope_core::cost::{TpSplit, node_work, resolve};
    use planscope_core::infer::node_roles;
    use planscope_core::model::{Format, Node, NodeKind, Op, Placement, Ranks, Shape};
    let (tokens, h) = (2048u64, 4096u64);
    let mut meta = Meta::default();
    meta.model.hidden = Some(h);
    meta.model.dense_hidden = Some(4 * h);
    meta.model.heads = Some(32);
    meta.model.gated = Some(gated);
    meta.model.phase = Some(Phase::Train);
    meta.model.sequence_parallel = Some(sequence_parallel);
    let mut plan = Plan::new(Format::Json);
    for (id, op) in [("attn", Op::Attention), ("mlp", Op::Mlp)] {
        let mut n = Node::new(id, NodeKind::Compute);
        n.op = Some(op);
        n.placement = Placement::gpu(0);
        n.layer = Some(0);
        n.ranks = Ranks { tp: Some(0), ..Ranks::default() };
        n.output = Some(Shape::from_sizes(&[tokens, h]));
        plan.nodes.push(n);
    }
    plan.meta = meta.clone();
    let c = resolve(&meta, &plan, None);
    let roles: Vec<_> = plan.nodes.iter().map(node_roles).collect();
    let work = node_work(&plan, &roles, &c, TpSplit { tp, expert_tp: tp });
    work.iter().map(|w| w.stored_act_bytes).sum::<f64>() / (tokens * h) as f64
}

/// A dense layer keeps Korthikanti et al. 2022's s·b·h·(10 + 24/t) bytes (attention scores
/// recomputed), s·b·h·34/t with sequence parallelism (its Table 2; Megatron-LM's
/// `theoretical_memory_usage.py`: 18 + 4f/h at f = 4h). SwiGLU keeps its gate's and up's
/// outputs and their product, 6f per token where GeLU keeps 4f: 8h more at f = 4h.
#[test]
fn a_dense_layer_keeps_what_korthikanti_et_al_count() {
    for tp in [1u32, 2, 8] {
        let t = f64::from(tp);
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let plain = dense_layer_kept(tp, false, false);
        assert!(near(plain, 10.0 + 24.0 / t), "TP{tp}: {plain}");
        let sp = dense_layer_kept(tp, false, true);
        assert!(near(sp, 34.0 / t), "TP{tp}: {sp}");
        let swiglu = dense_layer_kept(tp, true, false);
        assert!(near(swiglu - plain, 8.0 / t), "TP{tp}: {swiglu}");
    }
}
/// Under 1F1B stage i holds the activations of PP − i micro-batches (Narayanan et al.
/// 2021, §2.2.1): Mixtral's four stages hold 4, 3, 2 and 1 of them. The last also keeps
/// the output layer's input and the loss's FP32 softmax over the 32,000-word vocabulary.
#[test]
fn later_pipeline_stages_hold_fewer_micro_batches() {
    let (plan, meta) = mixtral();
    let m = memory(&plan, &meta, train(Some(1), Dtype::Bf16));
    let (h, f) = (4096.0, 14336.0);
    let stage = 8.0 * (512.0 * h * 18.0 + 1024.0 * (2.0 * h + 6.0 * f));
    let lm_head = 512.0 * (2.0 * h + 4.0 * 32000.0);
    // EP8_PP4_DP2: stage s of replica d on GPUs 32·d + 8·s .. + 8.
    for g in &m.per_gpu {
        let s = (g.gpu % 32) / 8;
        let expected = (stage * f64::from(4 - s) + if s == 3 { lm_head } else { 0.0 }) / 1e9;
        assert!((g.activations_gb - expected).abs() < 1e-9, "GPU {}: {} vs {expected}", g.gpu, g.activations_gb);
    }
}

/// Fewer micro-batches than stages: a stage holds no more than the step runs (Megatron-LM's
/// `min(num_microbatches, pp)` in `theoretical_memory_usage.py`).
#[test]
fn fewer_micro_batches_than_stages_cap_what_each_stage_holds() {
    let (plan, meta) = mixtral();
    let held = |m: Option<u32>| {
        let mm = memory(&plan, &meta, |x: &mut Meta| {
            train(Some(1), Dtype::Bf16)(x);
            x.model.micro_batches = m;
        });
        // One GPU per stage of the first replica (stage s on GPUs 8·s .. 8·s + 8).
        (0..4)
            .map(|s| mm.per_gpu.iter().find(|g| g.gpu == 8 * s).map(|g| g.activations_gb).unwrap())
            .collect::<Vec<_>>()
    };
    let many = held(None);
    let two = held(Some(2));
    // Stage s holds min(m, 4 − s): 4, 3, 2, 1 and, with two micro-batches, 2, 2, 2, 1.
    for (s, want) in [2.0 / 4.0, 2.0 / 3.0, 1.0, 1.0].iter().enumerate() {
        assert!((two[s] / many[s] - want).abs() < 1e-9, "stage {s}: {} vs {}", two[s], many[s]);
    }
    // At least PP changes nothing.
    assert_eq!(held(Some(4)), many);
    assert_eq!(held(Some(64)), many);
}

/// Megatron-LM's interleaved schedule holds more: stage i's warm-up of 2(p − i − 1) +
/// (v − 1)·p chunk forwards plus one, over v chunks (`schedules.py`); on the first stage
/// p·(1 + (p − 1)/(p·v)), `theoretical_memory_usage.py`'s penalty.
#[test]
fn the_interleaved_schedule_holds_more_micro_batches() {
    let (plan, meta) = mixtral();
    let stages = |vpp: &str, m: Option<u32>| {
        let mm = memory(&plan, &meta, |x: &mut Meta| {
            train(Some(1), Dtype::Bf16)(x);
            x.strategy = Some(Strategy::parse(&format!("EP8_PP4_DP2{vpp}")).unwrap());
            x.model.micro_batches = m;
        });
        (0..4)
            .map(|s| mm.per_gpu.iter().find(|g| g.gpu == 8 * s).map(|g| g.activations_gb).unwrap())
            .collect::<Vec<_>>()
    };
    let plain = stages("", None);
    let vpp2 = stages("_VPP2", None);
    // Stage 0 holds (6 + 4 + 1)/2 = 5.5 micro-batches, not 4: 4·(1 + 3/8).
    assert!((vpp2[0] / plain[0] - 5.5 / 4.0).abs() < 1e-9, "{} vs {}", vpp2[0], plain[0]);
    // Stage 1: (4 + 4 + 1)/2 = 4.5, not 3.
    assert!((vpp2[1] / plain[1] - 4.5 / 3.0).abs() < 1e-9, "{} vs {}", vpp2[1], plain[1]);
    // Eight micro-batches are more than stage 0's warm-up; four (m = p) all warm up: m·v / v.
    assert_eq!(stages("_VPP2", Some(8)), vpp2);
    let four = stages("_VPP2", Some(4));
    assert!((four[0] / plain[0] - 1.0).abs() < 1e-9, "{} vs {}", four[0], plain[0]);
}

#[test]
fn a_megatron_script_says_its_micro_batches() {
    let script = shared("real/megatron-lm__train_mixtral_8x7b_distributed.sh");
    let read = conditions::read("train.sh", &script).unwrap_or_else(|e| panic!("{e}"));
    let m = &read.meta.model;
    // 256 sequences a step in micro-batches of the deployment's batch (1 per DP replica).
    let batch = m.batch.expect("the script starts its GPUs, so DP and the batch are known");
    assert_eq!(m.micro_batches, Some(u32::try_from(256 / batch).unwrap()), "batch {batch}");
    assert!(read.fields.contains(&"model.micro_batches"), "{:?}", read.fields);
    // A global batch the micro-batches do not divide is not Megatron's: left unsaid.
    let odd = script.replace("--micro-batch-size 1", "--micro-batch-size 3");
    let odd = conditions::read("train.sh", &odd).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(odd.meta.model.batch, Some(batch * 3));
    assert_eq!(odd.meta.model.micro_batches, None);
}
