//! Order within ranks. Plans are regular, so the seed is the domain key: GPU column
//! (GPU id or the middle of a GPU range), then EP rank, TP rank, expert id, layer. Nodes
//! with no GPU take the mean column of their neighbours. A fixed, small number of
//! barycenter sweeps then refines it; a sweep is kept only if it lowers the crossing
//! count (counted exactly, O(E log V) per rank pair), so a plan already drawn without
//! crossings by its key stays in key order.

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

fn cmp_key(a: &SeedKey, ia: u32, b: &SeedKey, ib: u32) -> Ordering {
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

/// Nodes of each rank, in rank order, ascending index.
pub(crate) fn buckets(l: &Layered) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); l.ranks];
    for (v, &r) in l.rank.iter().enumerate() {
        out[r as usize].push(v as u32);
    }
    out
}

/// Keys for every layered node: items' own, virtual nodes' from the edge's upper end;
/// missing columns filled from neighbours, top-down then bottom-up.
pub(crate) fn seed_keys(l: &Layered, item_keys: &[SeedKey], edges: &[(u32, u32)], ranks: &[Vec<u32>]) -> Vec<SeedKey> {
    let mut keys: Vec<SeedKey> = item_keys.to_vec();
    for &e in &l.owner {
        let upper = edges.get(e as usize).map_or(0, |p| p.0) as usize;
        let mut k = item_keys.get(upper).copied().unwrap_or_default();
        k.col = None;
        keys.push(k);
    }
    let fill = |keys: &mut Vec<SeedKey>, v: u32, ns: &[u32]| {
        if keys[v as usize].col.is_some() {
            return;
        }
        let (mut sum, mut cnt) = (0.0f64, 0u32);
        for &w in ns {
            if let Some(c) = keys[w as usize].col {
                sum += c as f64;
                cnt += 1;
            }
        }
        if cnt > 0 {
            keys[v as usize].col = Some((sum / cnt as f64) as f32);
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
pub(crate) fn order(l: &Layered, keys: &[SeedKey], ranks: &mut [Vec<u32>], sweeps: u32) -> u64 {
    for rank in ranks.iter_mut() {
        rank.sort_by(|&a, &b| cmp_key(&keys[a as usize], a, &keys[b as usize], b));
    }
    let mut pos = vec![0u32; l.len()];
    set_pos(ranks, &mut pos);
    let mut best = crossings(l, ranks, &pos);
    let mut best_ranks: Vec<Vec<u32>> = ranks.to_vec();
    let mut bc: Vec<f64> = vec![0.0; l.len()];
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
                bc[v as usize] = if ns.is_empty() {
                    (pos[v as usize] as f64 + 0.5) / own_len
                } else {
                    ns.iter().map(|&w| pos[w as usize] as f64 + 0.5).sum::<f64>() / ns.len() as f64 / fixed_len
                };
            }
            let rank = &mut ranks[r];
            rank.sort_by(|&a, &b| {
                bc[a as usize].total_cmp(&bc[b as usize]).then(pos[a as usize].cmp(&pos[b as usize]))
            });
            for (i, &v) in rank.iter().enumerate() {
                pos[v as usize] = i as u32;
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

fn set_pos(ranks: &[Vec<u32>], pos: &mut [u32]) {
    for rank in ranks {
        for (i, &v) in rank.iter().enumerate() {
            pos[v as usize] = i as u32;
        }
    }
}

/// Exact crossing count between adjacent ranks (Barth–Jünger–Mutzel accumulator tree).
pub(crate) fn crossings(l: &Layered, ranks: &[Vec<u32>], pos: &[u32]) -> u64 {
    let mut total = 0u64;
    let mut seq: Vec<u32> = Vec::new();
    let mut tree: Vec<u64> = Vec::new();
    for r in 0..ranks.len().saturating_sub(1) {
        seq.clear();
        for &u in &ranks[r] {
            let start = seq.len();
            seq.extend(l.down.of(u).iter().map(|&w| pos[w as usize]));
            seq[start..].sort_unstable();
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
