//! Which labels to draw when boxes are too small to hold their own: labels are placed
//! beside their boxes in screen space, most important first, each only where it overlaps
//! no label already placed. A uniform grid of buckets keeps the overlap test local:
//! O(n log n) for the sort, then about O(1) per candidate.

/// A label that could be drawn, centred at (x, y), in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Higher first (a stack of many before a single node).
    pub priority: u32,
}

/// Bucket edge, in CSS pixels.
const CELL: f64 = 64.0;
/// Gap kept around each label.
const GAP: f64 = 2.0;

/// Indices of the candidates to draw: inside the `w`×`h` screen, overlapping no other
/// chosen one, at most `max`; by priority, then in the given order.
pub fn place(cands: &[Candidate], w: f64, h: f64, max: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &b| cands[b].priority.cmp(&cands[a].priority).then(a.cmp(&b)));
    let cols = ((w / CELL).ceil().max(1.0) as usize).min(4096);
    let rows = ((h / CELL).ceil().max(1.0) as usize).min(4096);
    let mut grid: Vec<Vec<usize>> = vec![Vec::new(); cols * rows];
    let rect = |c: &Candidate| {
        (c.x - c.width / 2.0 - GAP, c.y - c.height / 2.0 - GAP, c.x + c.width / 2.0 + GAP, c.y + c.height / 2.0 + GAP)
    };
    let cell_range = |lo: f64, hi: f64, n: usize| {
        let a = (lo / CELL).floor().clamp(0.0, (n - 1) as f64) as usize;
        let b = (hi / CELL).floor().clamp(0.0, (n - 1) as f64) as usize;
        a..=b
    };
    let mut chosen = Vec::new();
    for i in order {
        if chosen.len() >= max {
            break;
        }
        let c = &cands[i];
        let (x0, y0, x1, y1) = rect(c);
        let finite = [x0, y0, x1, y1].iter().all(|v| v.is_finite());
        if !finite || x0 < 0.0 || y0 < 0.0 || x1 > w || y1 > h {
            continue;
        }
        let (xs, ys) = (cell_range(x0, x1, cols), cell_range(y0, y1, rows));
        let hits = ys.clone().any(|r| {
            xs.clone().any(|q| {
                grid[r * cols + q].iter().any(|&j| {
                    let (a0, b0, a1, b1) = rect(&cands[j]);
                    a0 < x1 && x0 < a1 && b0 < y1 && y0 < b1
                })
            })
        });
        if hits {
            continue;
        }
        for r in ys {
            for q in xs.clone() {
                grid[r * cols + q].push(i);
            }
        }
        chosen.push(i);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64, priority: u32) -> Candidate {
        Candidate { x, y, width: 60.0, height: 14.0, priority }
    }

    #[test]
    fn overlapping_labels_keep_the_important_one() {
        let cands = [c(100.0, 100.0, 1), c(110.0, 104.0, 5), c(300.0, 100.0, 0)];
        assert_eq!(place(&cands, 800.0, 600.0, 10), vec![1, 2]);
    }

    #[test]
    fn labels_off_screen_or_past_the_budget_are_left_out() {
        let cands = [c(-10.0, 100.0, 9), c(100.0, 100.0, 0), c(100.0, 200.0, 0), c(100.0, 300.0, 0)];
        assert_eq!(place(&cands, 800.0, 600.0, 2), vec![1, 2]);
        assert!(place(&[c(f64::NAN, 1.0, 0)], 800.0, 600.0, 5).is_empty());
    }

    #[test]
    fn chosen_labels_never_overlap() {
        let cands: Vec<Candidate> =
            (0..500).map(|i| c(30.0 + (i * 37 % 700) as f64, 10.0 + (i * 53 % 580) as f64, (i % 7) as u32)).collect();
        let chosen = place(&cands, 800.0, 600.0, 1000);
        assert!(!chosen.is_empty());
        for (k, &a) in chosen.iter().enumerate() {
            for &b in &chosen[k + 1..] {
                let (p, q) = (cands[a], cands[b]);
                let apart =
                    (p.x - q.x).abs() >= (p.width + q.width) / 2.0 || (p.y - q.y).abs() >= (p.height + q.height) / 2.0;
                assert!(apart, "{a} and {b} overlap");
            }
        }
    }
}
