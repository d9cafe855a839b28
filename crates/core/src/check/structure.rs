//! Structure: cycles, dangling edges, duplicate ids, nodes without inputs or outputs,
//! and disconnected pieces.

use super::report::span_names;
use super::{Code, Ctx, Finding};
use crate::graph::{components, find_cycle, topo_order};
use crate::units::{self, agree, count, thousands};

/// Runs the structural checks; returns a topological order of the acyclic part for the simulation.
pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) -> Vec<u32> {
    let g = &ctx.g;
    let plan = ctx.plan;
    if plan.nodes.is_empty() {
        out.push(
            Finding::error(Code::EmptyPlan, "the plan holds no nodes: there is nothing to verify".to_string()).fix(
                "open a plan whose nodes are the deployment's operators (a JSON `nodes` array or DOT node statements)",
            ),
        );
        return Vec::new();
    }
    if !g.duplicates.is_empty() {
        let ids: Vec<&str> = g.duplicates.iter().map(|&(_, d)| ctx.id(d)).collect();
        out.push(
            Finding::error(
                Code::DuplicateId,
                format!(
                    "{} {} declared more than once; edges to {} are ambiguous (the first declaration is used)",
                    count(ids.len() as u64, "node id", "node ids"),
                    agree(ids.len(), "is", "are"),
                    agree(ids.len(), "it", "them")
                ),
            )
            .nodes(ids.iter().copied())
            .fix(format!("rename the repeated declarations (e.g. `{}` → `{}_2`) or merge them", ids[0], ids[0])),
        );
    }
    if !g.dangling.is_empty() {
        let missing: Vec<String> = g
            .dangling
            .iter()
            .filter_map(|d| Some((plan.edges.get(d.edge)?, d.missing_from)))
            .map(|(e, from)| if from { e.from.clone() } else { e.to.clone() })
            .collect();
        let first = &plan.edges[g.dangling[0].edge];
        out.push(
            Finding::error(
                Code::DanglingEdge,
                format!(
                    "{} {} a node that is not declared, e.g. `{} -> {}`",
                    count(g.dangling.len() as u64, "edge", "edges"),
                    agree(g.dangling.len(), "names", "name"),
                    first.from,
                    first.to
                ),
            )
            .nodes(missing.iter())
            .fix({
                let missing = dedup(missing.clone());
                let (node, edge) = (agree(missing.len(), "node", "nodes"), agree(g.dangling.len(), "edge", "edges"));
                format!("declare the missing {node} {} or remove the {edge}", span_names(&missing))
            }),
        );
    }
    if let Some(cycle) = find_cycle(&g.succ) {
        let ids: Vec<String> = cycle.iter().map(|&v| ctx.id(v).to_string()).collect();
        let path = ids.iter().chain(ids.first()).cloned().collect::<Vec<_>>().join(" -> ");
        let (last, first) = (ids[ids.len() - 1].clone(), ids[0].clone());
        out.push(
            Finding::error(Code::Cycle, format!("the graph has a cycle, so no step order exists: {path}"))
                .all_nodes(ids)
                .fix(format!("remove or reverse the edge `{last} -> {first}` that closes the cycle")),
        );
    }
    endpoints(ctx, out);
    connectivity(ctx, out);
    topo_order(&g.succ, &g.pred)
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    crate::sort::unstable(&mut v);
    v.dedup();
    v
}

fn endpoints(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let g = &ctx.g;
    let n = g.len();
    let repeated: std::collections::BTreeSet<u32> = g.duplicates.iter().map(|&(_, d)| d).collect();
    let is_dup = |i: usize| repeated.contains(&(i as u32));
    let bad_src: Vec<usize> = (0..n).filter(|&i| g.pred[i].is_empty() && !ctx.input[i] && !is_dup(i)).collect();
    let bad_sink: Vec<usize> = (0..n).filter(|&i| g.succ[i].is_empty() && !ctx.output[i] && !is_dup(i)).collect();
    // Suggested rewiring: a dangling sink and a source with the same index in their ids
    // (`ep_routing_3`, `aggregation_3_1`), else on the same GPU and layer, are most often
    // two halves of one broken chain.
    let first_num = |i: usize| {
        let id = ctx.id(i as u32);
        let digits: String = id.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().ok()
    };
    let by_num = |i: usize| (first_num(i), None);
    let by_gpu = |i: usize| (ctx.node(i as u32).placement.gpu_set().first(), ctx.roles[i].layer);
    let mut taken = vec![false; n];
    let mut pairs = Vec::new();
    for key in [&by_num as &dyn Fn(usize) -> (Option<u32>, Option<u32>), &by_gpu] {
        let mut sinks: std::collections::HashMap<_, Vec<usize>> = std::collections::HashMap::new();
        for &s in bad_sink.iter().rev() {
            if !g.pred[s].is_empty() && !taken[s] && key(s).0.is_some() {
                sinks.entry(key(s)).or_default().push(s);
            }
        }
        for &v in &bad_src {
            if g.succ[v].is_empty() || taken[v] {
                continue;
            }
            if let Some(s) = sinks.get_mut(&key(v)).and_then(Vec::pop) {
                taken[s] = true;
                taken[v] = true;
                pairs.push(format!("{} -> {}", ctx.id(s as u32), ctx.id(v as u32)));
            }
        }
    }
    let isolated = (0..n).filter(|&i| g.pred[i].is_empty() && g.succ[i].is_empty()).count();
    // Of `n` nodes named, how many have no edge at all.
    let iso_note = |n: usize| match isolated {
        0 => String::new(),
        i if i >= n && n == 1 => " (it has no edge at all)".to_string(),
        i if i >= n => " (none of them has any edge)".to_string(),
        1 => " (one of them has no edge at all)".to_string(),
        i => format!(" ({} of them have no edge at all)", thousands(i)),
    };
    let pair_hint = |pairs: &[String]| {
        if pairs.is_empty() {
            String::new()
        } else {
            format!(
                "; likely missing edges (dangling node on the same GPU/layer): {}",
                pairs.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                    + &if pairs.len() > 8 { format!(" … ({} in all)", pairs.len()) } else { String::new() }
            )
        }
    };
    if !bad_src.is_empty() {
        let ids: Vec<String> = bad_src.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
        out.push(
            Finding::error(
                Code::NoInput,
                format!(
                    "{} other than the plan input {} no predecessor, so {} never {} data{}",
                    count(ids.len() as u64, "node", "nodes"),
                    agree(ids.len(), "has", "have"),
                    agree(ids.len(), "it", "they"),
                    agree(ids.len(), "receives", "receive"),
                    iso_note(ids.len())
                ),
            )
            .nodes(ids.iter())
            .gpus(gpus_of(ctx, &bad_src))
            .fix(format!(
                "add an edge into {} from the node producing its input, or delete it if unused{}",
                span_names(&ids),
                pair_hint(&pairs)
            )),
        );
    }
    if !bad_sink.is_empty() {
        let ids: Vec<String> = bad_sink.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
        out.push(
            Finding::error(
                Code::NoOutput,
                format!(
                    "{} other than the plan output {} no successor, so {} never used{}",
                    count(ids.len() as u64, "node", "nodes"),
                    agree(ids.len(), "has", "have"),
                    agree(ids.len(), "its result is", "their results are"),
                    iso_note(ids.len())
                ),
            )
            .nodes(ids.iter())
            .gpus(gpus_of(ctx, &bad_sink))
            .fix(format!(
                "add an edge from {} to the node consuming its result, or delete it if unused{}",
                span_names(&ids),
                pair_hint(&pairs)
            )),
        );
    }
}

pub(crate) fn gpus_of(ctx: &Ctx<'_>, nodes: &[usize]) -> Vec<u32> {
    crate::model::union_gpus(nodes.iter().map(|&i| &ctx.node(i as u32).placement)).iter().collect()
}

fn connectivity(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let n = ctx.g.len();
    if n < 2 {
        return;
    }
    // A repeated declaration belongs with the first: it is reported as DUPLICATE_ID, not as a stray piece.
    let (comp, count) = components(n, &ctx.g.succ, &ctx.g.duplicates);
    if count < 2 {
        return;
    }
    let mut size = vec![0usize; count as usize];
    for &c in &comp {
        size[c as usize] += 1;
    }
    let main = (0..count as usize).max_by_key(|&c| size[c]).unwrap_or(0) as u32;
    let stray: Vec<usize> = (0..n).filter(|&i| comp[i] != main).collect();
    let ids: Vec<String> = stray.iter().map(|&i| ctx.id(i as u32).to_string()).collect();
    out.push(
        Finding::error(
            Code::Disconnected,
            format!(
                "the graph falls into {count} separate pieces; the largest has {} and {} outside it",
                units::count(size[main as usize] as u64, "node", "nodes"),
                units::count(stray.len() as u64, "node lies", "nodes lie")
            ),
        )
        .nodes(ids.iter())
        .gpus(gpus_of(ctx, &stray))
        .fix(format!(
            "connect {} to the main graph (or delete them if they are not part of the step)",
            span_names(&ids)
        )),
    );
}
