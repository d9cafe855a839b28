//! torchtitan: a job TOML's `[parallelism]` table, or its `--parallelism.KEY=VALUE`
//! overrides (torchtitan/config/job_config.py, class Parallelism), on `torchrun
//! --nproc_per_node N --nnodes M`. Meaning (torchtitan/distributed/parallel_dims.py,
//! ParallelDims._validate): the world is dp_replicate × dp_shard × cp × tp × pp, a
//! dp_shard of -1 takes the GPUs left; EP borrows GPUs of dp_shard × cp (× tp when
//! etp = 1) rather than adding any, and expert TP defaults to 1.

use super::entry::{Entry, Failure, Field, Said};
use super::rule::{FrameworkRule, divides, too_few_gpus};
use super::{Framework, LaunchErrorKind, Read, TrainingRun, gpus_of};
use crate::model::{Extra, Strategy, ZeroStage};

const DIMS: &str = "torchtitan/distributed/parallel_dims.py, ParallelDims._validate";

pub fn field(e: &Entry) -> Option<Field> {
    let Some(k) = e.key.strip_prefix("parallelism.") else {
        return match e.leaf() {
            "nproc-per-node" => Some(Field::NprocPerNode),
            "nnodes" => Some(Field::Nnodes),
            _ => None,
        };
    };
    Some(match k {
        "data-parallel-replicate-degree" => Field::DpReplicate,
        "data-parallel-shard-degree" => Field::DpShard,
        "tensor-parallel-degree" => Field::Tp,
        "pipeline-parallel-degree" => Field::Pp,
        "context-parallel-degree" => Field::Cp,
        "expert-parallel-degree" => Field::Ep,
        "expert-tensor-parallel-degree" => Field::Etp,
        "enable-async-tensor-parallel"
        | "disable-loss-parallel"
        | "fsdp-reshard-after-forward"
        | "enable-compiled-autograd"
        | "context-parallel-rotate-method"
        | "pipeline-parallel-schedule"
        | "pipeline-parallel-schedule-csv"
        | "pipeline-parallel-microbatch-size" => Field::Known,
        _ => return None,
    })
}

pub(crate) fn read(s: &Said, gpus: Option<u64>) -> Result<Read, Failure> {
    let f = Framework::Torchtitan;
    let rep = s.degree(Field::DpReplicate)?.unwrap_or(1);
    let tp = s.degree(Field::Tp)?.unwrap_or(1);
    let pp = s.degree(Field::Pp)?.unwrap_or(1);
    let cp = s.degree(Field::Cp)?.unwrap_or(1);
    let ep = s.degree(Field::Ep)?.unwrap_or(1);
    // job_config.py: expert_tensor_parallel_degree defaults to 1; no effect when ep = 1.
    let etp = s.degree(Field::Etp)?.unwrap_or(1);
    let world = match (s.degree(Field::NprocPerNode)?, s.degree(Field::Nnodes)?) {
        (None, None) => None,
        (p, n) => Some(gpus_of(&[p.unwrap_or(1) as u64, n.unwrap_or(1) as u64])),
    };
    let against = gpus.or(world);
    let rest = gpus_of(&[rep as u64, cp as u64, tp as u64, pp as u64]);
    let shard = match s.get(Field::DpShard) {
        None => 1,
        Some(-1) => {
            let Some(w) = against else {
                let (l, c, flag) = s.at(Field::DpShard);
                return Err((
                    l,
                    c,
                    LaunchErrorKind::Needs {
                        flag,
                        needs: "the GPU count (--gpus, or torchrun's --nproc_per_node/--nnodes): -1 takes the GPUs the other degrees leave",
                    },
                ));
            };
            u32::try_from(w / rest.max(1)).unwrap_or(u32::MAX).max(1)
        }
        Some(_) => s.degree(Field::DpShard)?.unwrap_or(1),
    };
    let dp = rep.saturating_mul(shard);
    let extra = Extra { cp, etp: (ep > 1).then_some(etp), ..Extra::default() };
    let strategy = Strategy::with(ep, tp, pp, dp, extra).map_err(|e| {
        let (l, c, _) = s.at(Field::Tp);
        (l, c, LaunchErrorKind::Strategy(e))
    })?;
    let needs = gpus_of(&[rep as u64, shard as u64, cp as u64, tp as u64, pp as u64]);
    let mut broken = Vec::new();
    if let Some(w) = against
        && needs != w
    {
        broken.push(
            FrameworkRule::new(f, "Invalid parallel dims: dp_replicate * dp_shard * cp * tp * pp != WORLD_SIZE", DIMS)
                .with("dp_replicate", rep as u64)
                .with("dp_shard", shard as u64)
                .with("cp", cp as u64)
                .with("tp", tp as u64)
                .with("pp", pp as u64)
                .with("world_size", w),
        );
        if needs > w {
            broken.push(too_few_gpus(f, "dp_replicate × dp_shard × cp × tp × pp", needs, w, DIMS));
        }
    }
    if ep > 1 {
        let (tp64, cp64, ep64, sh) = (tp as u64, cp as u64, ep as u64, shard as u64);
        if etp == tp {
            divides(&mut broken, ep64, cp64, || {
                FrameworkRule::new(f, "with etp = tp, EP borrows all of cp and part of dp_shard: ep % cp == 0", DIMS)
                    .with("ep", ep64)
                    .with("cp", cp64)
            });
            divides(&mut broken, sh * cp64, ep64, || {
                FrameworkRule::new(f, "with etp = tp: (dp_shard * cp) % ep == 0", DIMS)
                    .with("dp_shard", sh)
                    .with("cp", cp64)
                    .with("ep", ep64)
            });
        } else if etp == 1 {
            divides(&mut broken, ep64, cp64 * tp64, || {
                FrameworkRule::new(
                    f,
                    "with etp = 1, EP borrows all of cp and tp and part of dp_shard: ep % (cp * tp) == 0",
                    DIMS,
                )
                .with("ep", ep64)
                .with("cp", cp64)
                .with("tp", tp64)
            });
            divides(&mut broken, sh * cp64 * tp64, ep64, || {
                FrameworkRule::new(f, "with etp = 1: (dp_shard * cp * tp) % ep == 0", DIMS)
                    .with("dp_shard", sh)
                    .with("cp", cp64)
                    .with("tp", tp64)
                    .with("ep", ep64)
            });
        } else {
            broken.push(
                FrameworkRule::new(f, "expert_tensor_parallel_degree must be either tp (partial dp -> ep) or 1 (partial dp + all tp -> ep)", "torchtitan/config/job_config.py, Parallelism.expert_tensor_parallel_degree")
                    .with("etp", etp as u64)
                    .with("tp", tp64),
            );
        }
    }
    // torchtitan trains with FSDP over dp_shard × cp when dp_shard > 1, which shards the
    // weights, gradients and optimizer states (ZeRO stage 3); DDP alone (dp_replicate) shards
    // nothing; HSDP (both) keeps dp_replicate copies, each sharded over dp_shard × cp.
    let (zero, zero_copies) = match (rep, shard) {
        (_, 1) => (ZeroStage::NONE, None),
        (1, _) => (ZeroStage::WEIGHTS, None),
        (rep, _) => (ZeroStage::WEIGHTS, Some(rep)),
    };
    // Its tensor parallelism is always sequence parallel: the norms run on sequence shards
    // (torchtitan/models/llama3/infra/parallelize.py, apply_tp: "Apply tensor + sequence
    // parallelism to every transformer block").
    let sequence_parallel = Some(tp > 1);
    Ok(Read {
        strategy,
        gpus: needs,
        world,
        layers: None,
        training: Some(TrainingRun { zero: Some(zero), zero_copies, sequence_parallel, micro_batches: None }),
        broken,
    })
}
