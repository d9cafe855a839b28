//! One AFL++ binary for every target: `planscope-fuzz TARGET` (names: `targets::TARGETS`).
//! `fuzz!` runs in AFL's persistent mode (many inputs per process) and turns a panic into
//! an abort, which AFL records as a crash.

mod targets;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = targets::find(&name) else {
        let names: Vec<&str> = targets::TARGETS.iter().map(|t| t.name).collect();
        eprintln!("usage: planscope-fuzz TARGET, one of: {}", names.join(" "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| (target.run)(data));
}
