//! `planscope strategy "ARGS" | FILE [--gpus N] [--json]`: what a launch line, launch
//! script or config file says about the deployment: the framework, the degrees, the GPUs
//! it needs and the framework's rules it breaks. Exit 1 when a rule is broken, 2 when the
//! input cannot be read.

use super::out::say;
use super::verify::EXIT_FINDINGS;
use super::{EXIT_OK, EXIT_UNREADABLE, capped};
use planscope_core::launch::{self, LaunchStrategy};
use serde_json::{Map, Value, json};
use std::path::Path;

pub struct Args {
    /// A launch line (quoted), a planscope name, or a file.
    pub input: String,
    pub gpus: Option<u32>,
    pub json: bool,
}

pub fn run(args: &Args) -> u8 {
    let path = Path::new(&args.input);
    let (name, text) = if path.is_file() {
        match capped::read_text(path) {
            Ok(t) => (path.display().to_string(), t),
            Err(msg) => {
                eprintln!("{msg}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        ("strategy".to_string(), args.input.clone())
    };
    let all = match launch::read_all(&name, &text, args.gpus.map(u64::from)) {
        Ok(all) => all,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_UNREADABLE;
        }
    };
    if args.json {
        let items: Vec<Value> = all.iter().map(to_json).collect();
        let v = if items.len() == 1 { items.into_iter().next().unwrap_or(Value::Null) } else { Value::Array(items) };
        say!("{v}");
    } else {
        for (i, s) in all.iter().enumerate() {
            if i > 0 {
                say!();
            }
            say!("{}", text_of(s));
        }
    }
    if all.iter().any(|s| !s.broken.is_empty()) { EXIT_FINDINGS } else { EXIT_OK }
}

fn to_json(s: &LaunchStrategy) -> Value {
    let st = &s.strategy;
    let broken: Vec<Value> = s
        .broken
        .iter()
        .map(|r| {
            let numbers: Map<String, Value> = r.numbers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            json!({"framework": r.framework, "rule": r.rule, "source": r.source, "numbers": numbers, "text": r.to_string()})
        })
        .collect();
    json!({
        "framework": s.framework,
        "notation": s.notation,
        "line": s.line,
        "strategy": st.to_string(),
        "ep": st.ep,
        "tp": st.tp,
        "pp": st.pp,
        "dp": st.dp,
        "cp": st.cp,
        "etp": st.expert_tp(),
        "vpp": st.vpp,
        "first_stage_layers": st.stages.first,
        "last_stage_layers": st.stages.last,
        "dp_attention": st.dp_attention,
        "redundant_experts": st.redundant_experts,
        "gpus": s.gpus,
        "world": s.world,
        "layers": s.layers,
        "trains": s.training.is_some(),
        "zero_stage": s.training.and_then(|t| t.zero).map(|z| z.get()),
        "zero_copies": s.training.and_then(|t| t.zero_copies),
        "sequence_parallel": s.training.and_then(|t| t.sequence_parallel),
        "micro_batches": s.training.and_then(|t| t.micro_batches),
        "broken": broken,
    })
}

fn text_of(s: &LaunchStrategy) -> String {
    let st = &s.strategy;
    let mut out = format!("framework  {} ({}, line {})\n", s.framework, notation(s), s.line);
    out.push_str(&format!("strategy   {st}\n"));
    out.push_str(&format!(
        "degrees    EP {}  TP {}  PP {}  DP {}  CP {}  ETP {}  VPP {}\n",
        st.ep,
        st.tp,
        st.pp,
        st.dp,
        st.cp,
        st.expert_tp(),
        st.vpp
    ));
    let stage = |v: Option<std::num::NonZeroU32>| v.map_or_else(|| "even".to_string(), |v| format!("{v} layers"));
    if !st.stages.is_even() {
        out.push_str(&format!("stages     first {}, last {}\n", stage(st.stages.first), stage(st.stages.last)));
    }
    out.push_str(&format!(
        "attention  {}\nexperts    {} redundant\n",
        if st.dp_attention { "data parallel across the TP GPUs (DP-attention)" } else { "tensor parallel" },
        st.redundant_experts
    ));
    if let Some(run) = s.training {
        out.push_str(&match run.zero {
            Some(z) => match run.zero_copies {
                Some(n) => format!("training   ZeRO stage {}, {n} copies of the sharded states\n", z.get()),
                None => format!("training   ZeRO stage {}\n", z.get()),
            },
            None => "training   how its states are sharded is not read: stage 0 is assumed, an upper bound\n".into(),
        });
        if let Some(sp) = run.sequence_parallel.filter(|_| st.tp.get() > 1) {
            out.push_str(if sp {
                "           sequence parallel: activations between the TP blocks split over TP\n"
            } else {
                "           no sequence parallelism: activations between the TP blocks replicated on each TP GPU\n"
            });
        }
        if let Some(m) = run.micro_batches {
            out.push_str(&format!("           {m} micro-batches an optimizer step\n"));
        }
    }
    out.push_str(&format!("gpus       {} needed", s.gpus));
    if let Some(w) = s.world {
        out.push_str(&format!(" ({w} stated by the launch)"));
    }
    out.push('\n');
    if s.broken.is_empty() {
        out.push_str(&format!("rules      {}'s rules hold", s.framework));
    } else {
        out.push_str(&format!("rules      {} broken:", s.broken.len()));
        for r in &s.broken {
            out.push_str(&format!("\n  - {r}"));
        }
    }
    out
}

fn notation(s: &LaunchStrategy) -> &'static str {
    match s.notation {
        launch::Notation::Flags => "flags",
        launch::Notation::Yaml => "YAML",
        launch::Notation::Toml => "TOML",
        launch::Notation::Json => "JSON",
        launch::Notation::Name => "name",
    }
}
