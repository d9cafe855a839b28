//! Every DAG file of the shared lr-agent corpus loads with the node and edge counts
//! its INDEX.json lists (for DOT, Graphviz's own `gc` counts), and the malformed ones
//! fail with an error that points at the offending line.

mod common;
use common::{corpus_dir, index};

use planscope_core::read::read_plan;

fn read(file: &str) -> Result<planscope_core::model::Plan, planscope_core::read::ReadError> {
    let text = std::fs::read_to_string(corpus_dir().join(file)).unwrap();
    read_plan(&text)
}

#[test]
fn every_dag_file_has_the_indexed_counts() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in index() {
        let file = entry["file"].as_str().unwrap();
        let (Some(nodes), Some(edges)) = (entry["nodes"].as_u64(), entry["edges"].as_u64()) else {
            continue;
        };
        match read(file) {
            Ok(plan) => {
                if plan.nodes.len() as u64 != nodes || plan.edges.len() as u64 != edges {
                    failures.push(format!(
                        "{file}: read {} nodes / {} edges, index says {nodes} / {edges}",
                        plan.nodes.len(),
                        plan.edges.len()
                    ));
                }
            }
            Err(e) => failures.push(e.with_file(file)),
        }
        checked += 1;
    }
    assert!(checked >= 34, "expected 34 DAG files, found {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
