//! Hostile and huge input against the `planscope` binary (issue 16): each is refused
//! before the work or allocation it asks for, with exit 2 (or 1 for an unreachable
//! target), never a panic (101), and the message names the limit.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn planscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planscope")).args(args).output().expect("the binary runs")
}

fn seed() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/examples/seed-ep64-tp2.json").display().to_string()
}

/// A scratch file of this test's own, removed by the OS's temp cleaning.
fn scratch(name: &str, content: &str) -> String {
    let dir = std::env::temp_dir().join(format!("planscope-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

/// The seed plan with one top-level block changed.
fn seed_with(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(seed()).unwrap()).unwrap();
    edit(&mut v);
    scratch(name, &v.to_string())
}

/// Runs `args`, expects `code` within `secs`, and a message on stderr naming `limit`.
fn refused(args: &[&str], code: i32, limit: &str, secs: u64) -> String {
    let start = Instant::now();
    let out = planscope(args);
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains("exceeds planscope's limit") && err.contains(limit), "{args:?}: {err}");
    assert!(took < Duration::from_secs(secs), "{args:?} took {took:?}");
    err
}

#[test]
fn strategies_past_the_limits_are_refused_before_any_work() {
    let seed = seed();
    for (strategy, limit) in [
        // 2^32 GPUs: zero in 32 bits, the cluster view's division by zero.
        ("EP65536_TP65536", "(GPUs)"),
        ("EP1000000_TP1000000", "(EP degree)"),
        ("EP4294967295", "(EP degree)"),
        // Products past u32 and past u64.
        ("EP4096_TP4096_PP4096", "(GPUs)"),
        ("EP65536_TP65536_PP65536_DP65536", "(GPUs)"),
        ("EP4294967295_TP4294967295_PP4294967295_DP4294967295", "(EP degree)"),
    ] {
        for cmd in ["report", "rewrite", "verify"] {
            refused(&[cmd, &seed, "--strategy", strategy], 2, limit, 10);
        }
    }
}

#[test]
fn a_hostile_strategy_declared_in_the_file_is_left_out_not_a_panic() {
    let file = seed_with("declared.json", |v| v["deployment_strategy"] = "EP65536_TP65536".into());
    let out = planscope(&["report", &file, "-o", &scratch("declared.html", "")]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn gpu_counts_past_the_limit_are_refused() {
    let seed = seed();
    for cmd in ["verify", "rewrite", "report", "suggest"] {
        let mut args = vec![cmd, seed.as_str(), "--gpus", "4000000000"];
        if cmd == "rewrite" {
            args.extend(["--strategy", "EP64_TP2"]);
        }
        refused(&args, 2, "(GPUs)", 5);
    }
}

#[test]
fn suggest_on_the_largest_gpu_count_answers_quickly() {
    let out = planscope(&["suggest", &seed(), "--gpus", "1048576"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_plan_declaring_u32_max_gpus_is_refused() {
    let file = seed_with("total_gpus.json", |v| v["hardware_configuration"]["total_gpus"] = u32::MAX.into());
    for cmd in ["inspect", "verify", "report", "suggest"] {
        let err = refused(&[cmd, &file], 2, "(GPUs)", 5);
        assert!(err.starts_with(&format!("{file}: ")), "{err}");
    }
    let layers = seed_with("layers.json", |v| v["model_configuration"]["layers"] = 4_000_000_000u32.into());
    refused(&["verify", &layers], 2, "(layers)", 5);
}

#[test]
fn conditions_past_the_limits_are_refused() {
    let conditions = scratch("conditions.json", r#"{"cluster": {"gpus": 4294967295}}"#);
    let err = refused(&["verify", &seed(), "--conditions", &conditions], 2, "(GPUs)", 5);
    assert!(err.starts_with(&format!("{conditions}: ")), "{err}");
}

#[cfg(unix)]
#[test]
fn endless_input_is_refused_at_the_cap() {
    // /dev/zero has no length: the read stops one byte past 64 MB.
    let err = refused(&["inspect", "/dev/zero"], 2, "(input file size)", 10);
    assert!(err.starts_with("/dev/zero: "), "{err}");
    refused(&["verify", &seed(), "--conditions", "/dev/zero"], 2, "(input file size)", 10);
    refused(&["rewrite", &seed(), "--strategy", "EP64_TP2", "--expert-load", "/dev/zero"], 2, "(input file size)", 10);
}

#[test]
fn a_huge_file_is_refused_from_its_length() {
    // A sparse 5 GB file: refused from its metadata before a byte is read.
    let path = scratch("huge.json", "");
    std::fs::File::options().write(true).open(&path).unwrap().set_len(5 << 30).unwrap();
    let err = refused(&["inspect", &path], 2, "(input file size)", 5);
    assert!(err.contains("5120.0 MB"), "{err}");
    std::fs::remove_file(&path).unwrap();
}
