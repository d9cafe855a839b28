//! Node roles from explicit fields first, then from id and label patterns such as
//! `expert_3_1_layer_0`, `ep_2`, `Expert_Route_Comm_0`, `layer1_ln1`,
//! `GPU0: Q Linear (TP0)` or `expert_0_0` (expert 0, TP shard 0), and the corpus's
//! layer-first expert ids `expert_<layer>_<e>_*_gpu<g>` (`expert_0_10_gelu_gpu20`,
//! `Expert_0_10_GPU0`, `expert_0_10_0`: layer 0, expert 10).

use crate::model::{Node, NodeKind, Op, Plan, Ranks};

/// What a node is and which layer, expert and ranks it serves, as far as can be told.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeRoles {
    pub op: Option<Op>,
    pub layer: Option<u32>,
    pub expert: Option<u32>,
    pub ranks: Ranks,
}

/// Fills `op`, `layer`, `expert` and `ranks` of every node where the reader left them None.
pub fn fill_roles(plan: &mut Plan) {
    for node in &mut plan.nodes {
        let r = node_roles(node);
        node.op = r.op;
        node.layer = r.layer;
        node.expert = r.expert;
        node.ranks = r.ranks;
    }
}

/// The roles of one node: explicit fields win, then `attrs`, then the id, then the label's first line.
pub fn node_roles(node: &Node) -> NodeRoles {
    let mut r = NodeRoles { op: node.op.clone(), layer: node.layer, expert: node.expert, ranks: node.ranks };
    from_attrs(node, &mut r);
    if r.op.is_some() && r.layer.is_some() && (r.expert.is_some() || r.op != Some(Op::Expert)) && !r.ranks.is_empty() {
        return r;
    }
    let label_head = node.label.as_deref().and_then(|l| l.lines().next()).unwrap_or("");
    let label_expert = lone_expert_number(label_head);
    for text in [node.id.as_str(), label_head] {
        from_text(text, node.kind, label_expert, &mut r);
    }
    if r.op.is_none() {
        r.op = Op::recognise(&node.id).or_else(|| Op::recognise(label_head));
    }
    r
}

fn attr_u32(node: &Node, keys: &[&str]) -> Option<u32> {
    keys.iter().find_map(|k| {
        let v = node.attrs.get(*k)?;
        v.as_u64().map(|n| n as u32).or_else(|| v.as_str().and_then(last_number))
    })
}

fn last_number(s: &str) -> Option<u32> {
    let digits: String = s.chars().rev().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

fn from_attrs(node: &Node, r: &mut NodeRoles) {
    r.layer = r.layer.or_else(|| attr_u32(node, &["layer", "layer_id", "layer_idx"]));
    r.expert = r.expert.or_else(|| attr_u32(node, &["expert_id", "expert", "expert_idx"]));
    r.ranks.ep = r.ranks.ep.or_else(|| attr_u32(node, &["ep_rank", "ep_group"]));
    r.ranks.tp = r.ranks.tp.or_else(|| attr_u32(node, &["tp_rank", "tp_group"]));
    r.ranks.pp = r.ranks.pp.or_else(|| attr_u32(node, &["pp_rank", "pp_stage", "stage"]));
    r.ranks.dp = r.ranks.dp.or_else(|| attr_u32(node, &["dp_rank", "replica", "dp_group"]));
}

/// A word or a number, in the order they appear: `expert_3_1_layer_0` gives
/// expert, 3, 1, layer, 0; `layer1_ln1` gives layer, 1, ln, 1.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Num(u32),
}

fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() {
            let s = i;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok::Word(&text[s..i]));
        } else if b[i].is_ascii_digit() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            // Numbers too large for a rank are not ranks; drop them.
            if let Ok(n) = text[s..i].parse() {
                out.push(Tok::Num(n));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// `Expert 10 TP-0` or `Expert 2 (GPU-2)`: the expert a label names with one number.
fn lone_expert_number(text: &str) -> Option<u32> {
    let toks = tokens(text);
    toks.windows(2)
        .find_map(|w| match (&w[0], &w[1]) {
            (Tok::Word(word), Tok::Num(n)) if word.eq_ignore_ascii_case("expert") => Some(*n),
            _ => None,
        })
        .filter(|_| {
            // `Expert_0_10_GELU`: two numbers after the word name no lone expert.
            let at = toks.iter().position(|t| matches!(t, Tok::Word(w) if w.eq_ignore_ascii_case("expert")));
            !matches!(at.and_then(|i| toks.get(i + 2)), Some(Tok::Num(_)))
        })
}

/// Whether `expert_<a>_<b>` at token `i` is the corpus's layer-first form
/// (`expert_<layer>_<e>_…`) rather than `expert_<e>_<tp shard>`: the id names no layer
/// elsewhere, and either more follows the pair (`_gelu_gpu20`, `_GPU0`, `_0`) or the
/// label names expert `<b>` (`expert_0_2` labelled "Expert 2").
fn layer_first(toks: &[Tok<'_>], i: usize, b: u32, label_expert: Option<u32>) -> bool {
    let names_layer = toks
        .iter()
        .any(|t| matches!(t, Tok::Word(w) if matches!(w.to_ascii_lowercase().as_str(), "layer" | "l" | "layers")));
    !names_layer && (toks.len() > i + 3 || label_expert == Some(b))
}

fn from_text(text: &str, kind: NodeKind, label_expert: Option<u32>, r: &mut NodeRoles) {
    let toks = tokens(text);
    let mut trailing_num: Option<u32> = None;
    let mut saw_role_word = false;
    let mut i = 0;
    while i < toks.len() {
        let Tok::Word(w) = toks[i] else {
            i += 1;
            continue;
        };
        let next = match toks.get(i + 1) {
            Some(Tok::Num(n)) => Some(*n),
            _ => None,
        };
        let after = match (next, toks.get(i + 2)) {
            (Some(_), Some(Tok::Num(n))) => Some(*n),
            _ => None,
        };
        let lw = w.to_ascii_lowercase();
        match (lw.as_str(), next) {
            ("layer" | "l" | "layers", Some(n)) => {
                saw_role_word = true;
                r.layer.get_or_insert(n);
            }
            ("expert" | "exp", Some(n)) if after.is_some_and(|b| layer_first(&toks, i, b, label_expert)) => {
                saw_role_word = true;
                r.layer.get_or_insert(n);
                r.expert.get_or_insert(after.unwrap_or(0));
                i += 1;
                // `expert_0_10_0`: a third number is the TP shard.
                if let Some(Tok::Num(t)) = toks.get(i + 2) {
                    r.ranks.tp.get_or_insert(*t);
                    i += 1;
                }
            }
            ("expert" | "e" | "exp", Some(n)) => {
                saw_role_word = true;
                r.expert.get_or_insert(n);
                // `expert_0_1`: the second number is the TP shard.
                if let Some(t) = after {
                    r.ranks.tp.get_or_insert(t);
                    i += 1;
                }
            }
            ("ep", Some(n)) => {
                saw_role_word = true;
                r.ranks.ep.get_or_insert(n);
            }
            ("tp", Some(n)) => {
                saw_role_word = true;
                r.ranks.tp.get_or_insert(n);
            }
            ("pp" | "stage", Some(n)) => {
                saw_role_word = true;
                r.ranks.pp.get_or_insert(n);
            }
            ("dp" | "replica", Some(n)) => {
                saw_role_word = true;
                r.ranks.dp.get_or_insert(n);
            }
            ("gpu" | "gpus" | "node" | "ln" | "res" | "mlp", Some(_)) => saw_role_word = true,
            // `ep_routing_5`, `tp_allreduce_5`, `ep_alltoall_1`: a node named for a parallel
            // dimension numbers its group or its turn in that dimension, not its layer.
            ("ep" | "tp" | "pp" | "dp", None) => saw_role_word = true,
            (_, Some(n)) if i + 2 >= toks.len() => trailing_num = Some(n),
            _ => {}
        }
        i += if next.is_some() { 2 } else { 1 };
    }
    // `Expert_Route_Comm_0`: a lone trailing index on a communication or routing node
    // numbers its layer, the only per-layer thing such nodes repeat over, unless the id
    // names a parallel dimension (above).
    if !saw_role_word && r.layer.is_none() && matches!(kind, NodeKind::Communication | NodeKind::Aggregation) {
        r.layer = trailing_num;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(id: &str, kind: NodeKind) -> NodeRoles {
        node_roles(&Node::new(id, kind))
    }

    #[test]
    fn id_patterns() {
        let r = roles("expert_3_1_layer_0", NodeKind::Compute);
        assert_eq!((r.expert, r.ranks.tp, r.layer, r.op), (Some(3), Some(1), Some(0), Some(Op::Expert)));
        assert_eq!(roles("ep_2", NodeKind::Compute).ranks.ep, Some(2));
        let r = roles("Expert_Route_Comm_0", NodeKind::Communication);
        assert_eq!(r.layer, Some(0));
        // 2025-12-01-16-48-00__final_deployment_dag.json: EP group 63's routing and TP
        // all-reduce, in a 16-layer plan; 2025-12-22-14-07-06__main_deployment_dag.json:
        // the dispatch and the combine of one layer.
        for id in ["ep_routing_63", "tp_allreduce_63", "ep_alltoall_1"] {
            assert_eq!(roles(id, NodeKind::Communication).layer, None, "{id}");
        }
        let r = roles("layer1_ln1", NodeKind::Compute);
        assert_eq!((r.layer, r.op), (Some(1), Some(Op::LayerNorm)));
        let r = roles("expert_0_0", NodeKind::Compute);
        assert_eq!((r.expert, r.ranks.tp), (Some(0), Some(0)));
        let r = roles("Expert_L0_E5_GPU1", NodeKind::Compute);
        assert_eq!((r.layer, r.expert), (Some(0), Some(5)));
    }

    #[test]
    fn the_corpus_layer_first_expert_ids() {
        // 2025-12-04-11-03-13__llm_deployment_comprehensive.dot: layer 3, expert 63.
        for id in ["expert_3_63_gelu_gpu127", "expert_3_63_linear1_gpu126", "expert_3_63_gpu126", "Expert_3_63_GPU0"] {
            let r = roles(id, NodeKind::Compute);
            assert_eq!((r.layer, r.expert, r.op), (Some(3), Some(63), Some(Op::Expert)), "{id}");
        }
        // 2025-12-26-18-39-29__moe_parallel_dag.dot: layer 0, expert 10, TP shard 1.
        let r = roles("expert_0_10_1", NodeKind::Compute);
        assert_eq!((r.layer, r.expert, r.ranks.tp), (Some(0), Some(10), Some(1)));
        // Qwen3-235B: `expert_0_2` labelled "Expert 2 (GPU-2)" is layer 0's expert 2 ...
        let mut n = Node::new("expert_0_2", NodeKind::Compute);
        n.label = Some("Expert 2 (GPU-2)\nInput: [batch_size=128]".into());
        let r = node_roles(&n);
        assert_eq!((r.layer, r.expert, r.ranks.tp), (Some(0), Some(2), None));
        // ... while the rewrite's own `expert_<e>_<t>_layer_<l>` keeps its meaning.
        let r = roles("expert_5_1_layer_2", NodeKind::Compute);
        assert_eq!((r.expert, r.ranks.tp, r.layer), (Some(5), Some(1), Some(2)));
    }

    #[test]
    fn label_patterns() {
        let mut n = Node::new("n17", NodeKind::Compute);
        n.label = Some("GPU0: Q Linear (TP0)\nInput: [batch=4, hidden=1024]".into());
        let r = node_roles(&n);
        assert_eq!((r.ranks.tp, r.op), (Some(0), Some(Op::Projection)));
    }

    #[test]
    fn explicit_fields_win() {
        let mut n = Node::new("expert_3_1_layer_0", NodeKind::Compute);
        n.layer = Some(7);
        n.attrs.insert("expert_id".into(), 9.into());
        let r = node_roles(&n);
        assert_eq!((r.layer, r.expert, r.ranks.tp), (Some(7), Some(9), Some(1)));
    }
}
