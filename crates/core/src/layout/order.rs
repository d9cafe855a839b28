//! Pass "order" (within ranks). Plans are regular, so the seed is the domain key: GPU column
//! (GPU id or the middle of a GPU range), then EP rank, TP rank, expert id, layer. Nodes
//! with no GPU take the mean column of their neighbours. A fixed, small number of
//! barycenter sweeps then refines it; a sweep is kept only if it lowers the crossing
//! count (counted exactly, O(E log V) per rank pair), so a plan already drawn without
//! crossings by its key stays in key order. O(S · E log V) for S sweeps.

use super::index::{IdxVec, ItemId, LNode, LinkIdx};
use super::layered::Layered;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SeedKey {
    pub col: Option<f32>,
    pub ep: Option<u32>,
    pub tp: Option<u32>,
    pub expert: Option<u32>,
    pub layer: Option<u32>,
}

/// The pass: each rank's nodes in drawing order, and the crossings left between
/// adjacent ranks. `oriented` are the item links turned down the ranks.
pub(crate) fn ranks(
    l: &Layered,
    item_keys: &IdxVec<ItemId, SeedKey>,
    oriented: &IdxVec<LinkIdx, (ItemId, ItemId)>,
    sweeps: u32,
) -> (Vec<Vec<LNode>>, u64) {
    let mut ranks = buckets(l);
    let seed = seed_keys(l, item_keys, oriented, &ranks);
    let crossings = order(l, &seed, &mut ranks, sweeps);
    (ranks, crossings)
}

fn cmp_key(a: &SeedKey, ia: LNode, b: &SeedKey, ib: LNode) -> Ordering {
    let m = u32::MAX;
    a.col
        .unwrap_or(0.0)
        .total_cmp(&b.col.unwrap_or(0.0))
        .then(a.ep.unwrap_or(m).cmp(&b.ep.unwrap_or(m)))
        .then(a.tp.unwrap_or(m).cmp(&b.tp.unwrap_or(m)))
        .then(a.expert.unwrap_or(m).cmp(&b.expert.unwrap_or(m)))
        .then(a.layer.unwrap_or(m).cmp(&b.layer.unwrap_or(m)))
        .then(ia.cmp(&ib))
}

/// Nodes of each rank, in rank order, ascending index. O(V).
fn buckets(l: &Layered) -> Vec<Vec<LNode>> {
    let mut out = vec![Vec::new(); l.ranks];
    for (v, &r) in l.rank.iter_enumerated() {
        out[r as usize].push(v);
    }
    out
}

/// Keys for every layered node: items' own, virtual nodes' from the edge's upper end;
/// missing columns filled from neighbours, top-down then bottom-up.
/// O(V + E).
fn seed_keys(
    l: &Layered,
    item_keys: &IdxVec<ItemId, SeedKey>,
    edges: &IdxVec<LinkIdx, (ItemId, ItemId)>,
    ranks: &[Vec<LNode>],
) -> IdxVec<LNode, SeedKey> {
    let mut keys: IdxVec<LNode, SeedKey> = item_keys.iter().copied().collect();
    for &e in &l.owner {
        let upper = edges.get(e).map_or(ItemId(0), |p| p.0);
        let mut k = item_keys.get(upper).copied().unwrap_or_default();
        k.col = None;
        keys.push(k);
    }
    let fill = |keys: &mut IdxVec<LNode, SeedKey>, v: LNode, ns: &[LNode]| {
        if keys[v].col.is_some() {
            return;
        }
        let (mut sum, mut cnt) = (0.0f64, 0u32);
        for &w in ns {
            if let Some(c) = keys[w].col {
                sum += c as f64;
                cnt += 1;
            }
        }
        if cnt > 0 {
            keys[v].col = Some((sum / cnt as f64) as f32);
        }
    };
    for rank in ranks {
        for &v in rank {
            fill(&mut keys, v, l.up.of(v));
        }
    }
    for rank in ranks.iter().rev() {
        for &v in rank {
            fill(&mut keys, v, l.down.of(v));
        }
    }
    let known: Vec<f32> = keys.iter().filter_map(|k| k.col).collect();
    let mean = if known.is_empty() { 0.0 } else { known.iter().map(|&c| c as f64).sum::<f64>() / known.len() as f64 };
    for k in keys.iter_mut() {
        k.col = Some(k.col.unwrap_or(mean as f32));
    }
    keys
}

/// Orders `ranks` in place. Returns the final crossing count.
fn order(l: &Layered, keys: &IdxVec<LNode, SeedKey>, ranks: &mut [Vec<LNode>], sweeps: u32) -> u64 {
    for rank in ranks.iter_mut() {
        crate::sort::sort_by(rank, |&a, &b| cmp_key(&keys[a], a, &keys[b], b));
    }
    let mut pos: IdxVec<LNode, u32> = IdxVec::filled(0, l.len());
    set_pos(ranks, &mut pos);
    let mut best = crossings(l, ranks, &pos);
    let mut best_ranks: Vec<Vec<LNode>> = ranks.to_vec();
    let mut bc: IdxVec<LNode, f64> = IdxVec::filled(0.0, l.len());
    let mut stale = 0;
    for s in 0..sweeps {
        if best == 0 {
            break;
        }
        let downward = s % 2 == 0;
        let count = ranks.len();
        for step in 1..count {
            let r = if downward { step } else { count - 1 - step };
            let fixed_len = ranks[if downward { r - 1 } else { r + 1 }].len().max(1) as f64;
            let own_len = ranks[r].len().max(1) as f64;
            for &v in &ranks[r] {
                let ns = if downward { l.up.of(v) } else { l.down.of(v) };
                // Normalised to 0..1 so ranks of different widths compare.
                bc[v] = if ns.is_empty() {
                    (pos[v] as f64 + 0.5) / own_len
                } else {
                    ns.iter().map(|&w| pos[w] as f64 + 0.5).sum::<f64>() / ns.len() as f64 / fixed_len
                };
            }
            let rank = &mut ranks[r];
            crate::sort::sort_by(rank, |&a, &b| bc[a].total_cmp(&bc[b]).then(pos[a].cmp(&pos[b])));
            for (i, &v) in rank.iter().enumerate() {
                pos[v] = i as u32;
            }
        }
        let c = crossings(l, ranks, &pos);
        if c < best {
            best = c;
            best_ranks.clone_from_slice(ranks);
            stale = 0;
        } else {
            // Sweep from the best order again, in the other direction.
            ranks.clone_from_slice(&best_ranks);
            set_pos(ranks, &mut pos);
            stale += 1;
            if stale >= 2 {
                break;
            }
        }
    }
    ranks.clone_from_slice(&best_ranks);
    best
}

/// Each node's position within its rank.
pub(crate) fn set_pos(ranks: &[Vec<LNode>], pos: &mut IdxVec<LNode, u32>) {
    for rank in ranks {
        for (i, &v) in rank.iter().enumerate() {
            pos[v] = i as u32;
        }
    }
}

/// Exact crossing count between adjacent ranks (Barth–Jünger–Mutzel accumulator tree),
/// O(E log V).
pub(crate) fn crossings(l: &Layered, ranks: &[Vec<LNode>], pos: &IdxVec<LNode, u32>) -> u64 {
    let mut total = 0u64;
    let mut seq: Vec<u32> = Vec::new();
    let mut tree: Vec<u64> = Vec::new();
    for r in 0..ranks.len().saturating_sub(1) {
        seq.clear();
        for &u in &ranks[r] {
            let start = seq.len();
            seq.extend(l.down.of(u).iter().map(|&w| pos[w]));
            crate::sort::unstable(&mut seq[start..]);
        }
        let width = ranks[r + 1].len().max(1);
        let mut first = 1usize;
        while first < width {
            first *= 2;
        }
        tree.clear();
        tree.resize(2 * first, 0);
        for &p in &seq {
            let mut i = p as usize + first;
            tree[i] += 1;
            while i > 1 {
                if i.is_multiple_of(2) {
                    total += tree[i + 1];
                }
                i /= 2;
                tree[i] += 1;
            }
        }
    }
    total
}
