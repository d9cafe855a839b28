//! The architecture, checked: the core crate depends on no shell crate (browser or command
//! line), and its modules import one another without cycles, so every module can be read
//! and tested on top of the ones below it (ARCHITECTURE.md draws the layers).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SHELL_CRATES: &[&str] = &["leptos", "web-sys", "wasm-bindgen", "wasm-bindgen-futures", "js-sys", "clap"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The packages `planscope-core` builds with, per `cargo tree`, on `target` (else the host).
fn core_tree(target: Option<&str>) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root())
        .args(["tree", "-p", "planscope-core", "-e", "normal", "--prefix", "none", "--offline"])
        .args(target.map(|t| ["--target", t]).into_iter().flatten())
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.split(' ').next()).map(str::to_string).collect()
}

#[test]
fn the_core_depends_on_no_shell_crate() {
    for target in [Some("wasm32-unknown-unknown"), None] {
        let tree = core_tree(target);
        assert!(tree.contains("serde"), "cargo tree lists the core's dependencies: {tree:?}");
        for shell in SHELL_CRATES {
            assert!(!tree.contains(*shell), "planscope-core pulls in {shell} on {target:?}");
        }
    }
}

/// The code of a core module (a file `m.rs` or a folder `m/`), without comments and
/// without the `#[cfg(test)]` tails: a test may use any module to build its fixture.
fn module_sources(path: &Path) -> String {
    let mut out = String::new();
    let mut files = vec![path.to_path_buf()];
    while let Some(f) = files.pop() {
        if f.is_dir() {
            for e in fs::read_dir(&f).unwrap() {
                files.push(e.unwrap().path());
            }
        } else if f.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&f).unwrap();
            // Code only: a comment may name any module.
            for line in text.split("#[cfg(test)]").next().unwrap_or("").lines() {
                if !line.trim_start().starts_with("//") {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn core_module_imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("crates/core/src");
    let mut modules = BTreeMap::new();
    for e in fs::read_dir(&src).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        modules.insert(name, path);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut imports = BTreeMap::new();
    for (name, path) in &modules {
        let text = module_sources(path);
        let mut uses = BTreeSet::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = text[at + 7..].trim_start_matches("r#");
            let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if names.contains(&word) && word != *name {
                uses.insert(word);
            }
        }
        imports.insert(name.clone(), uses);
    }
    imports
}

/// A cycle in the import graph, as the modules along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(m, 1);
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| p == next).unwrap_or(0);
                    let mut cycle: Vec<String> = path[from..].iter().map(|s| s.to_string()).collect();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(m, 2);
        None
    }
    for m in graph.keys() {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(m, graph, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_core_modules_import_without_cycles() {
    let graph = core_module_imports();
    assert!(graph.get("check").is_some_and(|u| u.contains("model")), "the scan sees imports: {graph:?}");
    assert!(graph.get("model").is_some_and(|u| u.is_empty()), "the model depends on nothing: {:?}", graph.get("model"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between core modules: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["c".to_string()].into());
    g.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    g.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&g), None);
}
