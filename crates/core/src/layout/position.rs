//! Pass "position": coordinates along each rank, Brandes–Köpf style: four alignments (up/down ×
//! left/right) line each node up with a median neighbour in the adjacent rank, never
//! across an inner segment of a long edge, so long edges come out straight; each is
//! compacted as tight as its blocks allow, the four are aligned to the narrowest and
//! balanced (mean of the two middle candidates per node). Because every node takes the
//! middle of four opposite biases, nothing creeps sideways rank after rank the way
//! one-sided median placement does. A last isotonic pass per rank (pool adjacent
//! violators, linear) restores the exact minimum gaps that balancing may shave.
//! Every phase is linear but for sorting each node's neighbours: O(V + E log E).

use super::index::{Idx, IdxVec, ItemId, LNode};
use super::layered::Layered;
use std::collections::HashSet;

pub(crate) struct Along {
    /// Size of each layered node along the rank (virtual nodes: 0).
    pub size: IdxVec<LNode, f32>,
    pub gap: f32,
}

impl Along {
    /// From the items' (along, across) sizes; the virtual nodes after them are lines.
    pub(crate) fn of(l: &Layered, item_size: &IdxVec<ItemId, (f32, f32)>, gap: f32) -> Along {
        let mut size: IdxVec<LNode, f32> = item_size.iter().map(|s| s.0).collect();
        size.resize(l.len(), 0.0);
        Along { size, gap }
    }
}

/// Returns the centre of every layered node along its rank, the leftmost edge at 0.
pub(crate) fn positions(l: &Layered, ranks: &[Vec<LNode>], along: &Along) -> IdxVec<LNode, f32> {
    let offsets: Vec<Vec<f64>> = ranks.iter().map(|rank| offsets_of(l, rank, along)).collect();
    let mut x = brandes_kopf(l, ranks, along);
    let mut want: Vec<(f64, f64)> = Vec::new();
    for (rank, off) in ranks.iter().zip(&offsets) {
        want.clear();
        want.extend(rank.iter().map(|&v| (x[v], 1.0)));
        let placed = isotonic(&want, off);
        for (i, &v) in rank.iter().enumerate() {
            x[v] = placed[i];
        }
    }
    // Block alignment can still chain fans of different sizes into a drift on dense
    // unfolded plans, where the median passes (which bend every edge a little instead)
    // stay compact: keep whichever drawing is narrower.
    let other = median_passes(l, ranks, &offsets);
    if width(&other, ranks, along) < width(&x, ranks, along) {
        x = other;
    }
    unshear(&mut x, l, ranks, along);
    // Ranks holding only isolated items (the grid below the graph) have no neighbours to
    // follow: centre them under the rest instead of leaving them where packing put them.
    let lonely = |rank: &Vec<LNode>| rank.iter().all(|&v| l.up.of(v).is_empty() && l.down.of(v).is_empty());
    let span = |x: &IdxVec<LNode, f64>, rank: &Vec<LNode>| {
        let first = rank.first().map_or(0.0, |&v| x[v] - along.size[v] as f64 / 2.0);
        let last = rank.last().map_or(0.0, |&v| x[v] + along.size[v] as f64 / 2.0);
        (first, last)
    };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for rank in ranks.iter().filter(|r| !r.is_empty() && !lonely(r)) {
        let (a, b) = span(&x, rank);
        (lo, hi) = (lo.min(a), hi.max(b));
    }
    if lo.is_finite() {
        for rank in ranks.iter().filter(|r| !r.is_empty() && lonely(r)) {
            let (a, b) = span(&x, rank);
            let shift = (lo + hi) / 2.0 - (a + b) / 2.0;
            for &v in rank {
                x[v] += shift;
            }
        }
    }
    let min = ranks
        .iter()
        .filter_map(|rank| rank.first().map(|&v| x[v] - along.size[v] as f64 / 2.0))
        .fold(f64::INFINITY, f64::min);
    let min = if min.is_finite() { min } else { 0.0 };
    x.iter().map(|&c| (c - min) as f32).collect()
}

/// What drift is left (rank centres creeping steadily to one side) is taken out by a
/// shear: each rank moves by `−b·r`, `b` the least-squares slope of the rank centres.
/// A shear keeps every straight line straight and every rank's order and gaps, so only
/// the overall lean goes; kept only when it makes the drawing narrower.
fn unshear(x: &mut IdxVec<LNode, f64>, l: &Layered, ranks: &[Vec<LNode>], along: &Along) {
    let (mut n, mut sr, mut sm, mut srr, mut srm) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (r, rank) in ranks.iter().enumerate() {
        let (Some(&a), Some(&b)) = (rank.first(), rank.last()) else { continue };
        if rank.iter().all(|&v| l.up.of(v).is_empty() && l.down.of(v).is_empty()) {
            continue;
        }
        let m = (x[a] - along.size[a] as f64 / 2.0 + x[b] + along.size[b] as f64 / 2.0) / 2.0;
        let r = r as f64;
        n += 1.0;
        sr += r;
        sm += m;
        srr += r * r;
        srm += r * m;
    }
    let den = n * srr - sr * sr;
    if n < 3.0 || den.abs() < 1e-9 {
        return;
    }
    let slope = (n * srm - sr * sm) / den;
    if !slope.is_finite() || slope == 0.0 {
        return;
    }
    let mut y = x.clone();
    for (c, &r) in y.iter_mut().zip(&l.rank) {
        *c -= slope * r as f64;
    }
    if width(&y, ranks, along) < width(x, ranks, along) - 1e-6 {
        *x = y;
    }
}

/// Extent of a placement: leftmost box edge to rightmost.
fn width(x: &IdxVec<LNode, f64>, ranks: &[Vec<LNode>], along: &Along) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for rank in ranks {
        if let (Some(&a), Some(&b)) = (rank.first(), rank.last()) {
            lo = lo.min(x[a] - along.size[a] as f64 / 2.0);
            hi = hi.max(x[b] + along.size[b] as f64 / 2.0);
        }
    }
    if lo.is_finite() { hi - lo } else { 0.0 }
}

const PASSES: usize = 4;
const VIRTUAL_WEIGHT: f64 = 8.0;
/// A node with no neighbour on the reference side barely resists being pushed.
const LONE_WEIGHT: f64 = 0.01;

/// Each node wants to sit at the median of its neighbours in the adjacent rank; keeping
/// the rank's order and minimum gaps, the best placement in least squares is an
/// isotonic regression. Alternating down/up passes, then one against both sides;
/// virtual nodes weigh more so long edges come out straight.
fn median_passes(l: &Layered, ranks: &[Vec<LNode>], offsets: &[Vec<f64>]) -> IdxVec<LNode, f64> {
    let mut x: IdxVec<LNode, f64> = IdxVec::filled(0.0, l.len());
    for (rank, off) in ranks.iter().zip(offsets) {
        let total = off.last().copied().unwrap_or(0.0);
        for (i, &v) in rank.iter().enumerate() {
            x[v] = off[i] - total / 2.0;
        }
    }
    let mut buf: Vec<f64> = Vec::new();
    let mut want: Vec<(f64, f64)> = Vec::new();
    for pass in 0..=PASSES {
        let both = pass == PASSES;
        let downward = pass % 2 == 0;
        let count = ranks.len();
        for step in 0..count {
            let r = if downward || both { step } else { count - 1 - step };
            want.clear();
            for &v in &ranks[r] {
                buf.clear();
                if both || downward {
                    buf.extend(l.up.of(v).iter().map(|&w| x[w]));
                }
                if both || !downward {
                    buf.extend(l.down.of(v).iter().map(|&w| x[w]));
                }
                let weight = if buf.is_empty() {
                    LONE_WEIGHT
                } else if l.is_virtual(v) {
                    VIRTUAL_WEIGHT
                } else {
                    1.0
                };
                want.push((median(&mut buf).unwrap_or(x[v]), weight));
            }
            let placed = isotonic(&want, &offsets[r]);
            for (i, &v) in ranks[r].iter().enumerate() {
                x[v] = placed[i];
            }
        }
    }
    x
}

fn median(buf: &mut [f64]) -> Option<f64> {
    if buf.is_empty() {
        return None;
    }
    crate::sort::unstable_by(buf, f64::total_cmp);
    let m = buf.len() / 2;
    Some(if buf.len() % 2 == 1 { buf[m] } else { (buf[m - 1] + buf[m]) / 2.0 })
}

/// Minimum distance between the centres of neighbours `u`, `v` of a rank.
fn sep(l: &Layered, along: &Along, u: LNode, v: LNode) -> f64 {
    // Virtual nodes pack closer: they are lines, not boxes.
    let gap = if l.is_virtual(u) || l.is_virtual(v) { along.gap / 2.0 } else { along.gap };
    (along.size[u] as f64 + along.size[v] as f64) / 2.0 + gap as f64
}

fn pair_key(a: LNode, b: LNode) -> u64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    ((a.0 as u64) << 32) | b.0 as u64
}

/// Type-1 conflicts: a segment with a real end crossing an inner segment (both ends
/// virtual) of a long edge. Alignments skip them, so long edges keep straight.
fn type1_conflicts(l: &Layered, ranks: &[Vec<LNode>], pos: &IdxVec<LNode, u32>) -> HashSet<u64> {
    let mut conflicts = HashSet::new();
    for w in ranks.windows(2) {
        let (prev, layer) = (&w[0], &w[1]);
        let (mut k0, mut scan) = (0u32, 0usize);
        for (i, &v) in layer.iter().enumerate() {
            let inner = if l.is_virtual(v) { l.up.of(v).iter().copied().find(|&u| l.is_virtual(u)) } else { None };
            if inner.is_none() && i + 1 != layer.len() {
                continue;
            }
            let k1 = inner.map_or(prev.len() as u32, |u| pos[u]);
            for &s in &layer[scan..=i] {
                for &u in l.up.of(s) {
                    let p = pos[u];
                    if (p < k0 || p > k1) && !(l.is_virtual(u) && l.is_virtual(s)) {
                        conflicts.insert(pair_key(u, s));
                    }
                }
            }
            scan = i + 1;
            k0 = k1;
        }
    }
    conflicts
}

fn brandes_kopf(l: &Layered, ranks: &[Vec<LNode>], along: &Along) -> IdxVec<LNode, f64> {
    let n = l.len();
    let mut pos: IdxVec<LNode, u32> = IdxVec::filled(0, n);
    for rank in ranks {
        for (i, &v) in rank.iter().enumerate() {
            pos[v] = i as u32;
        }
    }
    let conflicts = type1_conflicts(l, ranks, &pos);
    let mut layouts: Vec<(IdxVec<LNode, f64>, bool)> = Vec::with_capacity(4);
    let mut layers: Vec<Vec<LNode>> = Vec::with_capacity(ranks.len());
    let mut p: IdxVec<LNode, u32> = IdxVec::filled(0, n);
    for (down, right) in [(false, false), (false, true), (true, false), (true, true)] {
        layers.clear();
        layers.extend(ranks.iter().cloned());
        if down {
            layers.reverse();
        }
        for layer in layers.iter_mut() {
            if right {
                layer.reverse();
            }
            for (i, &v) in layer.iter().enumerate() {
                p[v] = i as u32;
            }
        }
        let root = vertical_alignment(l, &layers, &p, &conflicts, down);
        let mut xs = compaction(l, &layers, &root, along);
        if right {
            for x in xs.iter_mut() {
                *x = -*x;
            }
        }
        layouts.push((xs, right));
    }
    // Align the four to the narrowest (left ones by their left edge, right ones by their
    // right edge), then take the mean of the two middle candidates per node.
    let extent = |xs: &IdxVec<LNode, f64>| {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (v, &x) in xs.iter_enumerated() {
            let half = along.size[v] as f64 / 2.0;
            lo = lo.min(x - half);
            hi = hi.max(x + half);
        }
        if lo.is_finite() { (lo, hi) } else { (0.0, 0.0) }
    };
    let extents: Vec<(f64, f64)> = layouts.iter().map(|(xs, _)| extent(xs)).collect();
    let narrowest = (0..extents.len())
        .min_by(|&a, &b| (extents[a].1 - extents[a].0).total_cmp(&(extents[b].1 - extents[b].0)))
        .unwrap_or(0);
    let (lo, hi) = extents.get(narrowest).copied().unwrap_or((0.0, 0.0));
    for ((xs, right), &(a, b)) in layouts.iter_mut().zip(&extents) {
        let shift = if *right { hi - b } else { lo - a };
        for x in xs.iter_mut() {
            *x += shift;
        }
    }
    l.nodes()
        .map(|v| {
            let mut c = [layouts[0].0[v], layouts[1].0[v], layouts[2].0[v], layouts[3].0[v]];
            crate::sort::unstable_by(&mut c, f64::total_cmp);
            (c[1] + c[2]) / 2.0
        })
        .collect()
}

/// Blocks: each node joins the block of a median neighbour in the previous layer
/// (`root`), left to right without crossing an earlier alignment or a type-1 conflict.
fn vertical_alignment(
    l: &Layered,
    layers: &[Vec<LNode>],
    pos: &IdxVec<LNode, u32>,
    conflicts: &HashSet<u64>,
    down: bool,
) -> IdxVec<LNode, LNode> {
    let n = l.len();
    let mut root: IdxVec<LNode, LNode> = l.nodes().collect();
    let mut align: IdxVec<LNode, LNode> = root.clone();
    let mut ws: Vec<LNode> = Vec::new();
    // The median neighbours of every node on the side still to come: a node only joins
    // a neighbour's block when it is that neighbour's median too, so a fan hangs centred
    // under its root instead of the root lining up with its first child (which shifts the
    // fan by half its width, and the next fan again: the staircase).
    let none = LNode(u32::MAX);
    let mut ahead: IdxVec<LNode, (LNode, LNode)> = IdxVec::filled((none, none), n);
    for v in l.nodes() {
        if let Some(m) = medians(l, if down { l.up.of(v) } else { l.down.of(v) }, pos, &mut ws) {
            ahead[v] = m;
        }
    }
    for layer in layers {
        let mut r: i64 = -1;
        for &v in layer {
            let Some((m0, m1)) = medians(l, if down { l.down.of(v) } else { l.up.of(v) }, pos, &mut ws) else {
                continue;
            };
            for w in [m0, m1] {
                if align[v] != v {
                    break;
                }
                let mutual = ahead[w].0 == v || ahead[w].1 == v;
                if mutual && r < pos[w] as i64 && !conflicts.contains(&pair_key(w, v)) {
                    align[w] = v;
                    root[v] = root[w];
                    align[v] = root[v];
                    r = pos[w] as i64;
                }
            }
        }
    }
    root
}

/// The one or two median neighbours by position, among the real ones when there are
/// any: a long edge leaving or entering a node next to real neighbours bends away from
/// the node's column instead of taking it over and pushing the real nodes aside, which
/// repeated layer after layer (a residual edge round every layer) is the staircase.
fn medians(l: &Layered, ns: &[LNode], pos: &IdxVec<LNode, u32>, buf: &mut Vec<LNode>) -> Option<(LNode, LNode)> {
    buf.clear();
    buf.extend(ns.iter().copied().filter(|&w| !l.is_virtual(w)));
    if buf.is_empty() {
        buf.extend_from_slice(ns);
    }
    if buf.is_empty() {
        return None;
    }
    crate::sort::unstable_by_key(buf, |&w| pos[w]);
    Some((buf[(buf.len() - 1) / 2], buf[buf.len() / 2]))
}

/// Places blocks as far left as their left neighbours allow (longest path through the
/// block graph in topological order), then pulls each right up to its right neighbours
/// where that leaves it free, so blocks hanging off to one side close up.
fn compaction(l: &Layered, layers: &[Vec<LNode>], root: &IdxVec<LNode, LNode>, along: &Along) -> IdxVec<LNode, f64> {
    let n = l.len();
    let mut edges: Vec<(LNode, LNode, f64)> = Vec::new();
    for layer in layers {
        for w in layer.windows(2) {
            let (u, v) = (w[0], w[1]);
            edges.push((root[u], root[v], sep(l, along, u, v)));
        }
    }
    crate::sort::unstable_by(&mut edges, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut off = vec![0u32; n + 1];
    let mut indeg: IdxVec<LNode, u32> = IdxVec::filled(0, n);
    for &(a, b, _) in &edges {
        off[a.index() + 1] += 1;
        indeg[b] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let out = |v: LNode| &edges[off[v.index()] as usize..off[v.index() + 1] as usize];
    // Kahn's order over the roots; anything left over (never, for a consistent
    // alignment) follows in index order so nothing is lost.
    let mut order: Vec<LNode> = l.nodes().filter(|&v| root[v] == v && indeg[v] == 0).collect();
    let mut head = 0;
    while head < order.len() {
        let v = order[head];
        head += 1;
        for &(_, w, _) in out(v) {
            indeg[w] -= 1;
            if indeg[w] == 0 {
                order.push(w);
            }
        }
    }
    if order.len() < n {
        let mut seen: IdxVec<LNode, bool> = IdxVec::filled(false, n);
        for &v in &order {
            seen[v] = true;
        }
        order.extend(l.nodes().filter(|&v| root[v] == v && !seen[v]));
    }
    let mut xs: IdxVec<LNode, f64> = IdxVec::filled(0.0, n);
    for &v in &order {
        let xv = xs[v];
        for &(_, w, d) in out(v) {
            if xs[w] < xv + d {
                xs[w] = xv + d;
            }
        }
    }
    for &v in order.iter().rev() {
        let min = out(v).iter().map(|&(_, w, d)| xs[w] - d).fold(f64::INFINITY, f64::min);
        if min.is_finite() && min > xs[v] {
            xs[v] = min;
        }
    }
    l.nodes().map(|v| xs[root[v]]).collect()
}

/// Cumulative minimum distance from the rank's first node centre to each node centre.
fn offsets_of(l: &Layered, rank: &[LNode], along: &Along) -> Vec<f64> {
    let mut off = Vec::with_capacity(rank.len());
    let mut acc = 0.0f64;
    for (i, &v) in rank.iter().enumerate() {
        if i > 0 {
            acc += sep(l, along, rank[i - 1], v);
        }
        off.push(acc);
    }
    off
}

/// Minimises Σ wᵢ(xᵢ − dᵢ)² subject to xᵢ₊₁ − xᵢ ≥ offᵢ₊₁ − offᵢ: with yᵢ = xᵢ − offᵢ
/// the constraint is yᵢ non-decreasing, which pool-adjacent-violators solves.
fn isotonic(want: &[(f64, f64)], off: &[f64]) -> Vec<f64> {
    // Blocks: (weighted sum, weight, length).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(want.len());
    for (i, &(d, w)) in want.iter().enumerate() {
        blocks.push((w * (d - off[i]), w, 1));
        while blocks.len() >= 2 {
            let (s1, w1, n1) = blocks[blocks.len() - 1];
            let (s0, w0, n0) = blocks[blocks.len() - 2];
            if s0 / w0 > s1 / w1 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s0 + s1, w0 + w1, n0 + n1);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(want.len());
    for (s, w, n) in blocks {
        let y = s / w;
        for _ in 0..n {
            let i = out.len();
            out.push(y + off[i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_keeps_gaps_and_order() {
        let off = [0.0, 10.0, 20.0];
        let x = isotonic(&[(5.0, 1.0), (5.0, 1.0), (5.0, 1.0)], &off);
        assert_eq!(x, vec![-5.0, 5.0, 15.0]);
        let x = isotonic(&[(0.0, 1.0), (100.0, 1.0), (50.0, 1.0)], &off);
        assert!(x[1] - x[0] >= 10.0 - 1e-9 && x[2] - x[1] >= 10.0 - 1e-9);
    }
}
