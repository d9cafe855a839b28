//! vLLM (`vllm serve MODEL …`, or a `--config` YAML of the same long names).
//! Spellings: vllm/engine/arg_utils.py (`-tp`/`--tensor-parallel-size`,
//! `-dp`/`--data-parallel-size`, `-dpl`/`--data-parallel-size-local`,
//! `-pp`/`--pipeline-parallel-size`, `-ep`/`--enable-expert-parallel`, `--enable-eplb`,
//! `--eplb-config` JSON or `--eplb-config.KEY`, the older `--num-redundant-experts`).
//! Meaning: docs/serving/expert_parallel_deployment.md, "The EP size is automatically
//! calculated as: EP_SIZE = TP_SIZE × DP_SIZE": with EP on, the experts are spread whole
//! over all TP×DP GPUs (expert TP 1); the GPUs are TP × PP × DP
//! (docs/serving/data_parallel_deployment.md).

use super::entry::{Entry, Failure, Field, Said};
use super::rule::{FrameworkRule, too_few_gpus};
use super::{Framework, LaunchErrorKind, Read, gpus_of};
use crate::model::{Extra, Strategy};

const PARALLEL: &str = "vllm/config/parallel.py, ParallelConfig._validate_parallel_config";

pub fn field(e: &Entry) -> Option<Field> {
    let short = e.dashes == 1;
    Some(match e.key.as_str() {
        "tensor-parallel-size" => Field::Tp,
        "tp" if short => Field::Tp,
        "data-parallel-size" => Field::Dp,
        "dp" if short => Field::Dp,
        "data-parallel-size-local" => Field::DpLocal,
        "dpl" if short => Field::DpLocal,
        "pipeline-parallel-size" => Field::Pp,
        "pp" if short => Field::Pp,
        "enable-expert-parallel" => Field::EnableEp,
        "ep" if short => Field::EnableEp,
        "enable-eplb" => Field::EnableEplb,
        "num-redundant-experts" | "eplb-config.num-redundant-experts" => Field::Redundant,
        "eplb-config" => Field::EplbConfig,
        // Understood, no degree: where the DP ranks meet, how they balance, EPLB's pacing.
        "data-parallel-address"
        | "data-parallel-rpc-port"
        | "data-parallel-start-rank"
        | "data-parallel-rank"
        | "data-parallel-backend"
        | "data-parallel-hybrid-lb"
        | "data-parallel-external-lb"
        | "distributed-executor-backend"
        | "eplb-config.window-size"
        | "eplb-config.step-interval"
        | "eplb-config.log-balancedness"
        | "eplb-config.log-balancedness-interval"
        | "eplb-config.use-async"
        | "eplb-config.policy"
        | "eplb-window-size"
        | "eplb-step-interval"
        | "eplb-log-balancedness" => Field::Known,
        _ => return None,
    })
}

pub(crate) fn read(s: &Said, gpus: Option<u64>) -> Result<Read, Failure> {
    let tp = s.degree(Field::Tp)?.unwrap_or(1);
    let dp = s.degree(Field::Dp)?.unwrap_or(1);
    let pp = s.degree(Field::Pp)?.unwrap_or(1);
    let ep_on = s.on(Field::EnableEp);
    let eplb = s.on(Field::EnableEplb);
    let redundant = s.count(Field::Redundant)?.unwrap_or(0);
    let ep = if ep_on { tp.saturating_mul(dp) } else { 1 };
    let extra = Extra { etp: ep_on.then_some(1), redundant_experts: redundant, ..Extra::default() };
    let strategy = Strategy::with(ep, tp, pp, dp, extra).map_err(|e| {
        let (l, c, _) = s.at(Field::Tp);
        (l, c, LaunchErrorKind::Strategy(e))
    })?;
    let needs = gpus_of(&[tp as u64, pp as u64, dp as u64]);
    let mut broken = Vec::new();
    let f = Framework::Vllm;
    if eplb && !ep_on {
        broken.push(FrameworkRule::new(
            f,
            "enable_expert_parallel must be True to use EPLB (--enable-eplb without --enable-expert-parallel)",
            PARALLEL,
        ));
    }
    if eplb && (tp as u64) * (dp as u64) <= 1 {
        broken.push(
            FrameworkRule::new(
                f,
                "EPLB requires tensor_parallel_size or data_parallel_size to be greater than 1",
                PARALLEL,
            )
            .with("tensor_parallel_size", tp as u64)
            .with("data_parallel_size", dp as u64),
        );
    }
    if !eplb && redundant > 0 {
        broken.push(
            FrameworkRule::new(f, "num_redundant_experts is set but EPLB is not enabled (--enable-eplb)", PARALLEL)
                .with("num_redundant_experts", redundant as u64),
        );
    }
    if let Some(local) = s.count(Field::DpLocal)?
        && local > dp
    {
        broken.push(
            FrameworkRule::new(f, "data_parallel_size_local must be <= data_parallel_size", PARALLEL)
                .with("data_parallel_size_local", local as u64)
                .with("data_parallel_size", dp as u64),
        );
    }
    if let Some(has) = gpus
        && needs > has
    {
        broken.push(too_few_gpus(f, "TP × PP × DP", needs, has, "docs/serving/data_parallel_deployment.md"));
    }
    Ok(Read { strategy, gpus: needs, world: None, layers: None, training: None, broken })
}
