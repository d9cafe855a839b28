//! SGLang (`python -m sglang.launch_server …`, or a `--config` YAML of the same names).
//! Spellings: python/sglang/srt/server_args.py and docs/advanced_features/server_arguments
//! (`--tp`/`--tp-size`/`--tensor-parallel-size`, `--dp`/`--dp-size`/`--data-parallel-size`,
//! `--ep`/`--ep-size`/`--expert-parallel-size`, `--pp-size`/`--pipeline-parallel-size`,
//! `--enable-dp-attention`, `--enable-dp-lm-head`, `--moe-dense-tp-size`,
//! `--ep-num-redundant-experts`, `--nnodes`, the older `--enable-ep-moe` and
//! `--enable-deepep-moe`, and `--moe-a2a-backend deepep|mooncake|flashinfer`, each of which
//! sets EP = TP whatever `--ep-size` says).
//! Meaning: the GPUs are TP × PP; without DP-attention each of the DP replicas takes
//! its own TP × PP GPUs. With DP-attention, DP splits the TP GPUs for attention
//! ("DP for attention, TP for FFN"), and a DP of 1 turns it off
//! (`_handle_data_parallelism`). Experts are split over EP, each over TP / EP GPUs
//! (`moe_tp_size = tp_size // ep_size`).

use super::entry::{Entry, Failure, Field, Said};
use super::rule::{FrameworkRule, divides, too_few_gpus};
use super::{Framework, LaunchErrorKind, Read, gpus_of};
use crate::model::{Extra, Strategy};

const ARGS: &str = "python/sglang/srt/server_args.py";

pub fn field(e: &Entry) -> Option<Field> {
    let long = e.dashes != 1;
    Some(match e.key.as_str() {
        "tp" | "dp" | "ep" | "pp" if !long => return None,
        "tp" | "tp-size" | "tensor-parallel-size" => Field::Tp,
        "dp" | "dp-size" | "data-parallel-size" => Field::Dp,
        "ep" | "ep-size" | "expert-parallel-size" => Field::Ep,
        "pp" | "pp-size" | "pipeline-parallel-size" => Field::Pp,
        "enable-dp-attention" => Field::DpAttention,
        "enable-dp-lm-head" => Field::DpLmHead,
        "moe-dense-tp-size" => Field::MoeDenseTp,
        "ep-num-redundant-experts" => Field::Redundant,
        "nnodes" => Field::Nnodes,
        "enable-ep-moe" | "enable-deepep-moe" => Field::EpMoe,
        "moe-a2a-backend" => Field::A2aBackend,
        "node-rank" | "dist-init-addr" | "enable-eplb" => Field::Known,
        _ => return None,
    })
}

pub(crate) fn read(s: &Said, gpus: Option<u64>) -> Result<Read, Failure> {
    let f = Framework::Sglang;
    let tp = s.degree(Field::Tp)?.unwrap_or(1);
    let dp = s.degree(Field::Dp)?.unwrap_or(1);
    let pp = s.degree(Field::Pp)?.unwrap_or(1);
    // server_args.py: `if self.moe_a2a_backend == "deepep": self.ep_size = self.tp_size` (and
    // mooncake, flashinfer; `enable_deepep_moe` before it).
    let ep = if s.on(Field::EpMoe) || s.on(Field::A2aBackend) { tp } else { s.degree(Field::Ep)?.unwrap_or(1) };
    // server_args.py _handle_data_parallelism: "if self.dp_size == 1: self.enable_dp_attention = False".
    let dpa = s.on(Field::DpAttention) && dp > 1;
    let nnodes = s.degree(Field::Nnodes)?.unwrap_or(1);
    let redundant = s.count(Field::Redundant)?.unwrap_or(0);
    let etp = (ep > 1 && tp % ep == 0).then_some(tp / ep);
    let extra = Extra { etp, dp_attention: dpa, redundant_experts: redundant, ..Extra::default() };
    let strategy = Strategy::with(ep, tp, pp, dp, extra).map_err(|e| {
        let (l, c, _) = s.at(Field::Tp);
        (l, c, LaunchErrorKind::Strategy(e))
    })?;
    let needs = if dpa { gpus_of(&[tp as u64, pp as u64]) } else { gpus_of(&[tp as u64, pp as u64, dp as u64]) };
    let mut broken = Vec::new();
    if dpa {
        divides(&mut broken, tp as u64, dp as u64, || {
            FrameworkRule::new(
                f,
                "with --enable-dp-attention, DP attention runs on the TP GPUs: tp_size % dp_size == 0",
                "python/sglang/srt/server_args.py, ServerArgs._handle_data_parallelism",
            )
            .with("tp_size", tp as u64)
            .with("dp_size", dp as u64)
        });
    }
    divides(&mut broken, tp as u64, ep as u64, || {
        FrameworkRule::new(f, "tp_size must be divisible by ep_size (each expert runs on tp_size / ep_size GPUs)", ARGS)
            .with("tp_size", tp as u64)
            .with("ep_size", ep as u64)
    });
    divides(&mut broken, (tp as u64) * (pp as u64), nnodes as u64, || {
        FrameworkRule::new(
            f,
            "tp_size must be divisible by number of nodes ((tp_size × pp_size) % nnodes == 0)",
            "python/sglang/srt/server_args.py, ServerArgs.check_server_args",
        )
        .with("tp_size", tp as u64)
        .with("pp_size", pp as u64)
        .with("nnodes", nnodes as u64)
    });
    if let Some(d) = s.count(Field::MoeDenseTp)?
        && d != 1
    {
        broken.push(
            FrameworkRule::new(
                f,
                "moe_dense_tp_size only support 1 and None currently",
                "python/sglang/srt/server_args.py, ServerArgs.check_server_args",
            )
            .with("moe_dense_tp_size", d as u64),
        );
    }
    if dp > 1 && nnodes != 1 && !dpa {
        broken.push(
            FrameworkRule::new(
                f,
                "multi-node data parallel is not supported unless dp attention",
                "python/sglang/srt/server_args.py, ServerArgs.check_server_args",
            )
            .with("dp_size", dp as u64)
            .with("nnodes", nnodes as u64),
        );
    }
    if s.on(Field::DpLmHead) && !dpa {
        broken.push(FrameworkRule::new(
            f,
            "Please enable dp attention when setting enable_dp_lm_head",
            "python/sglang/srt/server_args.py, ServerArgs._handle_data_parallelism",
        ));
    }
    if let Some(has) = gpus
        && needs > has
    {
        let count = if dpa { "TP × PP (DP-attention shares the TP GPUs)" } else { "TP × PP × DP" };
        broken.push(too_few_gpus(f, count, needs, has, ARGS));
    }
    Ok(Read { strategy, gpus: needs, world: None, layers: None, training: None, broken })
}
