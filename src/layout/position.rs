//! Coordinates along each rank. Each node wants to sit at the median of its neighbours
//! in the adjacent rank; keeping the rank's order and minimum gaps, the best placement in
//! least squares is an isotonic regression, solved exactly in linear time by pool
//! adjacent violators. Alternating down/up passes, then one pass against both sides;
//! virtual nodes weigh more so long edges come out straight.

use super::layered::Layered;

pub(crate) struct Along {
    /// Size of each layered node along the rank (virtual nodes: 0).
    pub size: Vec<f32>,
    pub gap: f32,
}

const PASSES: usize = 4;
const VIRTUAL_WEIGHT: f64 = 8.0;
/// A node with no neighbour on the reference side barely resists being pushed.
const LONE_WEIGHT: f64 = 0.01;

/// Returns the centre of every layered node along its rank, the leftmost edge at 0.
pub(crate) fn positions(l: &Layered, ranks: &[Vec<u32>], along: &Along) -> Vec<f32> {
    let mut x = vec![0.0f64; l.len()];
    let mut offsets: Vec<Vec<f64>> = Vec::with_capacity(ranks.len());
    for rank in ranks {
        let off = offsets_of(l, rank, along);
        let total = off.last().copied().unwrap_or(0.0);
        for (i, &v) in rank.iter().enumerate() {
            x[v as usize] = off[i] - total / 2.0;
        }
        offsets.push(off);
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
                    buf.extend(l.up.of(v).iter().map(|&w| x[w as usize]));
                }
                if both || !downward {
                    buf.extend(l.down.of(v).iter().map(|&w| x[w as usize]));
                }
                let weight = if buf.is_empty() {
                    LONE_WEIGHT
                } else if l.is_virtual(v) {
                    VIRTUAL_WEIGHT
                } else {
                    1.0
                };
                want.push((median(&mut buf).unwrap_or(x[v as usize]), weight));
            }
            let placed = isotonic(&want, &offsets[r]);
            for (i, &v) in ranks[r].iter().enumerate() {
                x[v as usize] = placed[i];
            }
        }
    }
    // Ranks holding only isolated items (the grid below the graph) have no neighbours to
    // follow: centre them under the rest instead of leaving them where packing put them.
    let lonely = |rank: &Vec<u32>| rank.iter().all(|&v| l.up.of(v).is_empty() && l.down.of(v).is_empty());
    let span = |x: &[f64], rank: &Vec<u32>| {
        let first = rank.first().map_or(0.0, |&v| x[v as usize] - along.size[v as usize] as f64 / 2.0);
        let last = rank.last().map_or(0.0, |&v| x[v as usize] + along.size[v as usize] as f64 / 2.0);
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
                x[v as usize] += shift;
            }
        }
    }
    let min = ranks
        .iter()
        .filter_map(|rank| rank.first().map(|&v| x[v as usize] - along.size[v as usize] as f64 / 2.0))
        .fold(f64::INFINITY, f64::min);
    let min = if min.is_finite() { min } else { 0.0 };
    x.iter().map(|&c| (c - min) as f32).collect()
}

/// Cumulative minimum distance from the rank's first node centre to each node centre.
fn offsets_of(l: &Layered, rank: &[u32], along: &Along) -> Vec<f64> {
    let mut off = Vec::with_capacity(rank.len());
    let mut acc = 0.0f64;
    for (i, &v) in rank.iter().enumerate() {
        if i > 0 {
            let u = rank[i - 1];
            // Virtual nodes pack closer: they are lines, not boxes.
            let gap = if l.is_virtual(u) || l.is_virtual(v) { along.gap / 2.0 } else { along.gap };
            acc += (along.size[u as usize] as f64 + along.size[v as usize] as f64) / 2.0 + gap as f64;
        }
        off.push(acc);
    }
    off
}

fn median(buf: &mut [f64]) -> Option<f64> {
    if buf.is_empty() {
        return None;
    }
    buf.sort_unstable_by(f64::total_cmp);
    let m = buf.len() / 2;
    Some(if buf.len() % 2 == 1 { buf[m] } else { (buf[m - 1] + buf[m]) / 2.0 })
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
