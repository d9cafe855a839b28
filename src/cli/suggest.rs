//! `planscope suggest FILE [--gpus N] [--conditions C.json] [--json]`: the five best valid
//! (EP, TP, PP, DP) choices, ranked by simulated step time among those that fit in memory.

use super::out::say;
use super::{EXIT_OK, EXIT_UNREADABLE, conditions, input};
use planscope_core::advise::{RankedBy, suggest};
use planscope_core::cost::Counted;
use planscope_core::model::Meta;
use std::path::PathBuf;

pub struct Args {
    pub file: PathBuf,
    pub gpus: Option<u32>,
    pub conditions: Vec<String>,
    pub json: bool,
}

pub fn run(args: &Args) -> u8 {
    let plan = match input::load(&args.file) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let overrides = match conditions::load(&args.conditions).map(Some) {
        Ok(m) => m.unwrap_or_else(Meta::default),
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let list = match suggest(&plan, args.gpus, &overrides) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return super::verify::EXIT_FINDINGS;
        }
    };
    if args.json {
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|s| {
                serde_json::json!({
                    "strategy": s.strategy.short(),
                    "step_time_s": s.step_time_s,
                    "peak_memory_percent": s.peak_memory_percent,
                    "memory_counted": s.memory_counted,
                    "fits": s.fits,
                    "training": s.training,
                    "reason": s.reason,
                })
            })
            .collect();
        say!("{}", serde_json::Value::Array(rows));
        return EXIT_OK;
    }
    if list.is_empty() {
        say!("no valid strategy for this plan and cluster");
    } else {
        say!("ranked {}:", RankedBy::of(&list).words());
    }
    for (i, s) in list.iter().enumerate() {
        let step = s.step_time_s.map_or_else(|| "?".into(), |t| format!("{:.2} ms", t * 1e3));
        let step = format!("{} {step}", s.step_words());
        let mem = match (s.peak_memory_percent, s.memory_counted) {
            (Some(m), Some(Counted::WeightsOnly { .. })) => format!("weights {m:.0}% of memory"),
            (Some(m), _) => format!("peak memory {m:.0}%"),
            (None, _) => "memory ?".into(),
        };
        let fits = if s.fits { "fits" } else { "DOES NOT FIT" };
        say!("{}. {:<16} {step}, {mem}, {fits}\n   {}", i + 1, s.strategy.short(), s.reason);
    }
    EXIT_OK
}
