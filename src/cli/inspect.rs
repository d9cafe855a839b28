//! `planscope inspect FILE [--json]`.

use super::{EXIT_OK, EXIT_UNREADABLE, input};
use planscope::summary::Summary;
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
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("planscope: cannot write JSON: {e}");
                return EXIT_UNREADABLE;
            }
        }
    } else {
        println!("file       {}", path.display());
        println!("format     {}", s.format);
        println!("nodes      {}", s.nodes);
        println!("edges      {}", s.edges);
        println!("gpus used  {}", s.gpus_used);
        if let Some(st) = plan.meta.strategy {
            println!("strategy   {st}");
        }
    }
    EXIT_OK
}
