//! Megatron-LM flags (`torchrun … pretrain_gpt.py --tensor-model-parallel-size …`) and
//! NeMo / Megatron-Bridge YAML of the same names (`tensor_model_parallel_size`,
//! `trainer.devices`, `trainer.num_nodes`, `num_layers_in_first_pipeline_stage`).
//! Spellings: megatron/training/arguments.py. Meaning: the world (torchrun's
//! `--nproc_per_node` × `--nnodes`) is TP × PP × CP × DP; experts are laid out on
//! ETP × EP × PP with the rest as expert DP (megatron/core/parallel_state.py,
//! initialize_model_parallel); ETP defaults to TP (validate_args).

use super::entry::{Entry, Failure, Field, Said};
use super::rule::{FrameworkRule, divides, too_few_gpus};
use super::{Framework, LaunchErrorKind, Read, TrainingRun, gpus_of};
use crate::model::{Extra, Strategy, ZeroStage};

const VALIDATE: &str = "megatron/training/arguments.py, validate_args";
const PARALLEL_STATE: &str = "megatron/core/parallel_state.py, initialize_model_parallel";

pub fn field(e: &Entry) -> Option<Field> {
    // NeMo nests the same names (model.tensor_model_parallel_size, trainer.devices).
    Some(match e.leaf() {
        "tensor-model-parallel-size" => Field::Tp,
        "pipeline-model-parallel-size" => Field::Pp,
        "context-parallel-size" => Field::Cp,
        "expert-model-parallel-size" => Field::Ep,
        "expert-tensor-parallel-size" => Field::Etp,
        "num-layers-per-virtual-pipeline-stage" => Field::VppLayers,
        "num-virtual-stages-per-pipeline-rank" | "virtual-pipeline-model-parallel-size" => Field::Vpp,
        "decoder-first-pipeline-num-layers" | "num-layers-in-first-pipeline-stage" => Field::FirstStage,
        "decoder-last-pipeline-num-layers" | "num-layers-in-last-pipeline-stage" => Field::LastStage,
        "num-layers" => Field::Layers,
        "num-experts" | "num-moe-experts" => Field::Experts,
        "nproc-per-node" | "devices" => Field::NprocPerNode,
        "nnodes" | "num-nodes" => Field::Nnodes,
        "overlap-p2p-communication" | "overlap-p2p-comm" => Field::OverlapP2p,
        "use-distributed-optimizer" => Field::DistributedOptimizer,
        "num-distributed-optimizer-instances" => Field::DistOptInstances,
        "use-megatron-fsdp" | "use-custom-fsdp" => Field::MegatronFsdp,
        "use-torch-fsdp2" => Field::TorchFsdp2,
        "data-parallel-sharding-strategy" => Field::ShardingStrategy,
        "num-attention-heads" => Field::Heads,
        "num-query-groups" => Field::QueryGroups,
        "group-query-attention" => Field::Gqa,
        "hidden-size" => Field::Hidden,
        "kv-channels" => Field::KvChannels,
        "seq-length" => Field::SeqLength,
        "sequence-parallel" => Field::SequenceParallel,
        "account-for-embedding-in-pipeline-split" => Field::AccountEmbedding,
        "account-for-loss-in-pipeline-split" => Field::AccountLoss,
        "use-tp-pp-dp-mapping" | "data-parallel-random-init" | "overlap-p2p-communication-warmup-flush" => Field::Known,
        _ => return None,
    })
}

fn lcm(a: u64, b: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    if a == 0 || b == 0 { 0 } else { (a / gcd(a, b)).saturating_mul(b) }
}

pub(crate) fn read(s: &Said, gpus: Option<u64>) -> Result<Read, Failure> {
    let f = Framework::Megatron;
    let tp = s.degree(Field::Tp)?.unwrap_or(1);
    let pp = s.degree(Field::Pp)?.unwrap_or(1);
    let cp = s.degree(Field::Cp)?.unwrap_or(1);
    let ep = s.degree(Field::Ep)?.unwrap_or(1);
    let etp = s.degree(Field::Etp)?;
    let layers = s.degree(Field::Layers)?;
    let first = s.degree(Field::FirstStage)?;
    let last = s.degree(Field::LastStage)?;
    let vpp_layers = s.degree(Field::VppLayers)?;
    let vpp_given = s.degree(Field::Vpp)?;
    let mut broken = Vec::new();
    if vpp_layers.is_some() && vpp_given.is_some() {
        let (l, c, flag) = s.at(Field::Vpp);
        return Err((
            l,
            c,
            LaunchErrorKind::Needs {
                flag,
                needs: "no --num-layers-per-virtual-pipeline-stage beside it (Megatron-LM accepts one of the two)",
            },
        ));
    }
    let vpp = match (vpp_layers, vpp_given) {
        (Some(per), _) => {
            if first.is_some() || last.is_some() {
                broken.push(FrameworkRule::new(f, "please use --num-virtual-stages-per-pipeline-rank to specify virtual pipeline parallel degree when enable uneven pipeline parallelism", VALIDATE));
                1
            } else {
                let Some(l) = layers else {
                    let (line, col, flag) = s.at(Field::VppLayers);
                    return Err((
                        line,
                        col,
                        LaunchErrorKind::Needs { flag, needs: "--num-layers to give the virtual pipeline degree" },
                    ));
                };
                let per_stage = l / pp;
                divides(&mut broken, l as u64, pp as u64, || {
                    FrameworkRule::new(
                        f,
                        "number of layers of the model must be divisible pipeline model parallel size",
                        VALIDATE,
                    )
                    .with("num_layers", l as u64)
                    .with("pipeline_model_parallel_size", pp as u64)
                });
                divides(&mut broken, per_stage as u64, per as u64, || {
                    FrameworkRule::new(f, "number of layers per pipeline stage must be divisible number of layers per virtual pipeline stage", VALIDATE)
                        .with("layers_per_pipeline_stage", per_stage as u64)
                        .with("num_layers_per_virtual_pipeline_stage", per as u64)
                });
                (per_stage / per).max(1)
            }
        }
        (None, Some(v)) => v,
        (None, None) => 1,
    };
    let nproc = s.degree(Field::NprocPerNode)?;
    let nnodes = s.degree(Field::Nnodes)?;
    let world = match (nproc, nnodes) {
        (None, None) => None,
        (p, n) => Some(gpus_of(&[p.unwrap_or(1) as u64, n.unwrap_or(1) as u64])),
    };
    let model = gpus_of(&[tp as u64, pp as u64, cp as u64]);
    let expert = gpus_of(&[etp.unwrap_or(tp) as u64, ep as u64, pp as u64]);
    let against = gpus.or(world);
    let needs = against.unwrap_or_else(|| lcm(model, expert));
    let dp =
        if model > 0 && needs.is_multiple_of(model) { u32::try_from(needs / model).unwrap_or(u32::MAX) } else { 1 };
    // Megatron-Core always lays the experts over the attention's GPUs (EP inside DP), so an
    // EP run states its ETP, defaulted to TP: the name alone then spans TP·PP·DP·CP GPUs.
    let etp = etp.or((ep > 1).then_some(tp));
    let extra = Extra { cp, etp, vpp, first_stage_layers: first, last_stage_layers: last, ..Extra::default() };
    let strategy = Strategy::with(ep, tp, pp, dp.max(1), extra).map_err(|e| {
        let (l, c, _) = s.at(Field::Tp);
        (l, c, LaunchErrorKind::Strategy(e))
    })?;
    if let Some(w) = against {
        divides(&mut broken, w, model, || {
            FrameworkRule::new(
                f,
                "world size is not divisible by total_model_size: world_size % (TP × PP × CP) == 0",
                VALIDATE,
            )
            .with("world_size", w)
            .with("tensor_model_parallel_size", tp as u64)
            .with("pipeline_model_parallel_size", pp as u64)
            .with("context_parallel_size", cp as u64)
        });
        divides(&mut broken, w, expert, || {
            FrameworkRule::new(f, "decoder world_size is not divisible by expert_tensor_model_pipeline_parallel size: world_size % (ETP × EP × PP) == 0", PARALLEL_STATE)
                .with("world_size", w)
                .with("expert_tensor_parallel_size", etp.unwrap_or(tp) as u64)
                .with("expert_model_parallel_size", ep as u64)
                .with("pipeline_model_parallel_size", pp as u64)
        });
        if let (Some(g), Some(w0)) = (gpus, world)
            && w0 > g
        {
            broken.push(too_few_gpus(f, "--nproc_per_node × --nnodes", w0, g, "torchrun (torch.distributed.run)"));
        }
    }
    if let Some(experts) = s.count(Field::Experts)?
        && ep > 1
    {
        divides(&mut broken, experts as u64, ep as u64, || {
            FrameworkRule::new(f, "Number of experts should be a multiple of expert model parallel_size", VALIDATE)
                .with("num_experts", experts as u64)
                .with("expert_model_parallel_size", ep as u64)
        });
    }
    model_rules(s, tp, cp, &mut broken);
    if vpp > 1 {
        let overlap = s.on(Field::OverlapP2p);
        if (overlap && pp <= 1) || (!overlap && pp <= 2) {
            let rule = if overlap {
                "When interleaved schedule is used, pipeline-model-parallel size should be greater than 1"
            } else {
                "When interleaved schedule is used and p2p communication overlap is disabled, pipeline-model-parallel size should be greater than 2"
            };
            broken.push(
                FrameworkRule::new(f, rule, VALIDATE)
                    .with("pipeline_model_parallel_size", pp as u64)
                    .with("virtual_pipeline_model_parallel_size", vpp as u64),
            );
        }
    }
    if first.is_some() || last.is_some() {
        if pp <= 1 {
            broken.push(FrameworkRule::new(f, "uneven pipeline stages (--decoder-first/last-pipeline-num-layers) need pipeline_model_parallel_size > 1", "megatron/core/transformer/transformer_config.py, TransformerConfig.__post_init__").with("pipeline_model_parallel_size", pp as u64));
        } else if let Some(l) = layers {
            let given = first.map_or(0, u64::from) + last.map_or(0, u64::from);
            let middle = (pp as u64).saturating_sub(u64::from(first.is_some()) + u64::from(last.is_some()));
            let rest = (l as u64).checked_sub(given);
            match rest {
                None => broken.push(
                    FrameworkRule::new(
                        f,
                        "the first and last pipeline stages hold more layers than the model has",
                        "megatron/core/transformer/transformer_config.py, TransformerConfig.__post_init__",
                    )
                    .with("num_layers", l as u64)
                    .with("first_and_last_stage_layers", given),
                ),
                Some(rest) if middle == 0 && rest != 0 => broken.push(
                    FrameworkRule::new(
                        f,
                        "with only a first and a last stage, their layers must add up to num_layers",
                        "megatron/core/transformer/transformer_config.py, TransformerConfig.__post_init__",
                    )
                    .with("num_layers", l as u64)
                    .with("first_and_last_stage_layers", given),
                ),
                Some(rest) => divides(&mut broken, rest, middle, || {
                    FrameworkRule::new(f, "number of layers at middle stage must be divisible by the middle pipeline model parallel size (an uneven first or last stage is allowed)", "megatron/core/transformer/transformer_config.py, TransformerConfig.__post_init__")
                        .with("middle_stage_layers", rest)
                        .with("middle_pipeline_stages", middle)
                }),
            }
        }
    } else if vpp_layers.is_none()
        && let Some(l) = layers
    {
        // The embedding and the loss count as a layer each when the script asks (planscope
        // splits what PP does not divide as vLLM does: this rule is Megatron-LM's alone).
        let counted = u64::from(l) + u64::from(s.on(Field::AccountEmbedding)) + u64::from(s.on(Field::AccountLoss));
        divides(&mut broken, counted, pp as u64, || {
            FrameworkRule::new(f, "Number of layers should be divisible by the pipeline-model-parallel size", VALIDATE)
                .with("num_layers", counted)
                .with("pipeline_model_parallel_size", pp as u64)
        });
    }
    // validate_args turns sequence parallelism off with TP 1 (it splits what TP replicates).
    let sequence_parallel = s.on(Field::SequenceParallel) && tp > 1;
    if ep > 1 && tp > 1 && !sequence_parallel {
        broken.push(
            FrameworkRule::new(
                f,
                "When using expert parallelism and tensor parallelism, sequence parallelism must be used",
                "megatron/core/model_parallel_config.py, ModelParallelConfig.__post_init__",
            )
            .with("expert_model_parallel_size", ep as u64)
            .with("tensor_model_parallel_size", tp as u64),
        );
    }
    // The distributed optimizer's copies across the data-parallel ranks, each sharded over
    // DP / copies (`--num-distributed-optimizer-instances`, 1 unless given).
    let zero_copies = s.degree(Field::DistOptInstances)?.filter(|&n| n > 1);
    let training = TrainingRun {
        zero: Some(zero(s)),
        zero_copies,
        sequence_parallel: Some(sequence_parallel),
        micro_batches: None,
    };
    Ok(Read { strategy, gpus: needs, world, layers, training: Some(training), broken })
}

/// The rules that tie the model's sizes, where the script states them, to its degrees:
/// TP splits the attention heads and the key-value groups, and CP the sequence in 2·CP
/// chunks (load balancing the causal mask).
fn model_rules(s: &Said, tp: u32, cp: u32, broken: &mut Vec<FrameworkRule>) {
    const CONFIG: &str = "megatron/core/transformer/transformer_config.py, TransformerConfig.__post_init__";
    let value = |f: Field| s.get(f).and_then(|v| u64::try_from(v).ok());
    let heads = value(Field::Heads);
    // Without --group-query-attention Megatron-LM ignores --num-query-groups (one group per head).
    let groups = value(Field::QueryGroups).filter(|_| s.on(Field::Gqa));
    for (name, count) in [("num_attention_heads", heads), ("num_query_groups", groups)] {
        let Some(n) = count else { continue };
        divides(broken, n, u64::from(tp), || {
            FrameworkRule::new(
                Framework::Megatron,
                format!("{name} must be a multiple of tensor_model_parallel_size"),
                CONFIG,
            )
            .with(name, n)
            .with("tensor_model_parallel_size", u64::from(tp))
        });
    }
    if let (Some(hidden), Some(h), None) = (value(Field::Hidden), heads, s.get(Field::KvChannels)) {
        divides(broken, hidden, h, || {
            FrameworkRule::new(Framework::Megatron, "hidden_size % num_attention_heads == 0 (without --kv-channels, each head is hidden_size / num_attention_heads wide)", VALIDATE)
                .with("hidden_size", hidden)
                .with("num_attention_heads", h)
        });
    }
    if let Some(seq) = value(Field::SeqLength).filter(|_| cp > 1) {
        divides(broken, seq, 2 * u64::from(cp), || {
            FrameworkRule::new(
                Framework::Megatron,
                "seq-length should be a multiple of 2 * context-parallel-size if context-parallel-size > 1",
                VALIDATE,
            )
            .with("seq_length", seq)
            .with("context_parallel_size", u64::from(cp))
        });
    }
}

/// Megatron-LM trains, its states sharded (megatron/training/arguments.py) by the
/// distributed optimizer (`--use-distributed-optimizer`: the optimizer states, ZeRO stage 1),
/// Megatron-FSDP (`--use-megatron-fsdp`, formerly `--use-custom-fsdp`, as its
/// `--data-parallel-sharding-strategy` says: no_shard, optim, optim_grads or
/// optim_grads_params, stages 0 to 3) or PyTorch FSDP2 (`--use-torch-fsdp2`: everything);
/// else nothing.
fn zero(s: &Said) -> ZeroStage {
    let fsdp = match (s.on(Field::TorchFsdp2), s.on(Field::MegatronFsdp)) {
        (true, _) => ZeroStage::WEIGHTS,
        (false, true) => s
            .get(Field::ShardingStrategy)
            .and_then(|z| u8::try_from(z).ok())
            .and_then(|z| ZeroStage::try_from(z).ok())
            .unwrap_or(ZeroStage::NONE),
        (false, false) => ZeroStage::NONE,
    };
    let optimizer = if s.on(Field::DistributedOptimizer) { ZeroStage::OPTIMIZER } else { ZeroStage::NONE };
    fsdp.max(optimizer)
}
