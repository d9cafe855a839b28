//! DeepSpeed: an inference or training config JSON (`"tensor_parallel": {"tp_size": N}`
//! or `{"autotp_size": N}`, the older `"mp_size"`, `"moe": {"ep_size": N}`;
//! deepspeed/inference/config.py, DeepSpeedInferenceConfig; deepspeed/runtime/config.py)
//! or the `deepspeed` launcher's `--num_gpus` / `--num_nodes`. Meaning: the GPUs are
//! tensor-parallel groups, the rest data parallel; expert-parallel groups are carved out
//! of the data-parallel ranks (deepspeed/utils/groups.py), so the experts share the
//! attention's GPUs: an ETP is stated. Inference slices each expert over its EP rank's TP
//! group (ETP = TP); training keeps a whole expert on each TP rank (deepspeed/moe/layer.py,
//! MoE's `enable_expert_tensor_parallelism`, False by default, is a model argument no config
//! states), so ETP = 1 and the TP ranks hold copies of the expert group.

use super::entry::{AUTO, Entry, Failure, Field, Said};
use super::rule::{FrameworkRule, divides, too_few_gpus};
use super::{Framework, LaunchErrorKind, Read, TrainingRun, gpus_of};
use crate::model::{Extra, Strategy, ZeroStage};

const GROUPS: &str = "deepspeed/utils/groups.py, _create_model_parallel / _create_expert_and_data_parallel";

pub fn field(e: &Entry) -> Option<Field> {
    Some(match e.key.as_str() {
        "tensor-parallel.tp-size" | "tensor-parallel.autotp-size" | "mp-size" | "tp-size" => Field::Tp,
        "moe.ep-size" | "ep-size" => Field::Ep,
        "num-gpus" => Field::NprocPerNode,
        "num-nodes" => Field::Nnodes,
        "zero-optimization.stage" => Field::ZeroStage,
        "train-batch-size" | "train-micro-batch-size-per-gpu" => Field::TrainBatch,
        "gradient-accumulation-steps" => Field::GradAccum,
        _ => return None,
    })
}

pub(crate) fn read(s: &Said, gpus: Option<u64>) -> Result<Read, Failure> {
    let f = Framework::Deepspeed;
    let tp = s.degree(Field::Tp)?.unwrap_or(1);
    let ep = s.degree(Field::Ep)?.unwrap_or(1);
    let world = match (s.degree(Field::NprocPerNode)?, s.degree(Field::Nnodes)?) {
        (None, None) => None,
        (p, n) => Some(gpus_of(&[p.unwrap_or(1) as u64, n.unwrap_or(1) as u64])),
    };
    let against = gpus.or(world);
    let needs = against.unwrap_or_else(|| gpus_of(&[tp as u64, ep as u64]));
    let dp = u32::try_from(needs / tp as u64).unwrap_or(u32::MAX).max(1);
    // A training config (a ZeRO stage or a training batch; deepspeed/runtime/config.py) trains,
    // its stage 0 unless given; an inference config serves.
    let zero = match s.count(Field::ZeroStage)? {
        Some(z) => Some(u8::try_from(z).ok().and_then(|z| ZeroStage::try_from(z).ok()).ok_or_else(|| {
            let (l, c, flag) = s.at(Field::ZeroStage);
            (l, c, LaunchErrorKind::BadValue { flag, value: z.to_string(), expected: "a ZeRO stage: 0, 1, 2 or 3" })
        })?),
        None => None,
    };
    let trains = zero.is_some() || s.get(Field::TrainBatch).is_some() || s.get(Field::GradAccum).is_some();
    // Its micro-batches a step, when a number ("auto" is the Trainer's to fill).
    let micro_batches = match s.get(Field::GradAccum) {
        Some(AUTO) | None => None,
        Some(_) => s.degree(Field::GradAccum)?,
    };
    let etp = if trains { 1 } else { tp };
    let extra = Extra { etp: (ep > 1).then_some(etp), ..Extra::default() };
    let strategy = Strategy::with(ep, tp, 1, dp, extra).map_err(|e| {
        let (l, c, _) = s.at(Field::Tp);
        (l, c, LaunchErrorKind::Strategy(e))
    })?;
    let mut broken = Vec::new();
    if let Some(w) = against {
        divides(&mut broken, w, tp as u64, || {
            FrameworkRule::new(f, "world_size is not divisible by the model (tensor) parallel size", GROUPS)
                .with("world_size", w)
                .with("tp_size", tp as u64)
        });
        let dp_world = w / tp as u64;
        divides(&mut broken, dp_world, ep as u64, || {
            FrameworkRule::new(f, "the data-parallel world (world_size / tp_size) is not divisible by ep_size", GROUPS)
                .with("data_parallel_world", dp_world)
                .with("ep_size", ep as u64)
        });
        if let (Some(g), Some(w0)) = (gpus, world)
            && w0 > g
        {
            broken.push(too_few_gpus(
                f,
                "--num_gpus × --num_nodes",
                w0,
                g,
                "deepspeed launcher (deepspeed/launcher/runner.py)",
            ));
        }
    }
    let training = trains.then_some(TrainingRun {
        zero: Some(zero.unwrap_or(ZeroStage::NONE)),
        zero_copies: None,
        sequence_parallel: None,
        micro_batches,
    });
    Ok(Read { strategy, gpus: needs, world, layers: None, training, broken })
}
