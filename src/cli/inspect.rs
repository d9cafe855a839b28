//! `planscope inspect FILE [--json]`.

use super::out::say;
use super::{EXIT_OK, EXIT_UNREADABLE, input};
use planscope_core::summary::Summary;
use std::path::Path;

pub fn run(path: &Path, json: bool) -> u8 {
    let plan = match input::load(path) {
        Ok(p) => p,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_UNREADABLE;
        }
    };
    let s = Summary::of(&plan);
    if json {
        match serde_json::to_string(&s) {
            Ok(text) => say!("{text}"),
            Err(e) => {
                eprintln!("planscope: cannot write JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        say!("file       {}", path.display());
        say!("format     {}", s.format);
        say!("nodes      {}", s.nodes);
        say!("edges      {}", s.edges);
        say!("gpus used  {}", s.gpus_used);
        if let Some(st) = plan.meta.strategy {
            say!("strategy   {st}");
        }
    }
    EXIT_OK
}
