//! GPU ids cut into cells: runs of ids that each placement of a plan covers whole or not
//! at all. A per-GPU table kept per cell holds the same numbers (every GPU of a cell sees
//! the same updates, in the same order) at a cost in ranges rather than GPUs: a node on
//! GPUs 0–1048575 updates one cell, not a million entries.

use super::{GpuSet, Placement};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuCells {
    /// First GPU of each cell, ascending; a cell ends where the next starts, the last at `end`.
    starts: Vec<u32>,
    end: u32,
}

impl GpuCells {
    /// The cells of GPUs `0..end`, cut wherever one of these placements' ranges starts or
    /// ends. O(k + end) in the placements' ranges k; `end` is a GPU count (at most
    /// limits::GPUS: GPU ids are held below it).
    pub fn new<'p>(placements: impl Iterator<Item = &'p Placement>, end: u32) -> GpuCells {
        // Marked, not sorted: a million-node plan gives two million cuts, all below `end`
        // (a GPU count, under limits::GPUS), so a mark per GPU is O(cuts + GPUs) and small.
        // No range reaches past the largest GPU id, so no cut lies past the one after it.
        let marked = end.min(super::MAX_GPU_ID.saturating_add(2));
        let mut is_start = vec![false; marked as usize];
        let mut mark = |g: u32| {
            if let Some(m) = is_start.get_mut(g as usize) {
                *m = true;
            }
        };
        mark(0);
        let mut cut = |s: &GpuSet| {
            for &(a, b) in s.ranges() {
                mark(a);
                mark(b.saturating_add(1));
            }
        };
        for p in placements {
            match p {
                Placement::Gpus(s) => cut(s),
                Placement::Transfer { from, to } => {
                    cut(from);
                    cut(to);
                }
                Placement::Unassigned | Placement::Host | Placement::All => {}
            }
        }
        let starts = (0..marked).filter(|&g| is_start[g as usize]).collect();
        GpuCells { starts, end }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// How many cells these placements cover in all (every GPU for `All`, as the simulator
    /// and the step view draw it): the steps a per-GPU table kept per cell costs them, and
    /// the most pieces the step view holds. Saturating. O(r log c) in their ranges r.
    pub fn crossings<'p>(&self, placements: impl Iterator<Item = &'p Placement>) -> u64 {
        let mut total = 0u64;
        for p in placements {
            let covered = match p {
                Placement::All => self.len() as u64,
                Placement::Unassigned | Placement::Host => 0,
                p => self.runs_of(&p.gpu_set()).map(|r| r.len() as u64).sum(),
            };
            total = total.saturating_add(covered);
        }
        total
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The cell holding `gpu`, if it is below the end. O(log c).
    pub fn cell(&self, gpu: u32) -> Option<usize> {
        if gpu >= self.end {
            return None;
        }
        self.starts.partition_point(|&s| s <= gpu).checked_sub(1)
    }

    /// The cells of `set` below the end, ascending: O(r log c + cells) in its ranges r.
    /// Exact for sets made of the placements the cells were cut by (and their unions).
    pub fn of<'s>(&'s self, set: &'s GpuSet) -> impl Iterator<Item = usize> + 's {
        self.runs_of(set).flatten()
    }

    /// The cells of `set` as runs of consecutive cells, one per range of the set: for a
    /// loop over them that is run more than once (the simulator's, per node).
    pub fn runs_of<'s>(&'s self, set: &'s GpuSet) -> impl Iterator<Item = std::ops::Range<usize>> + 's {
        set.ranges().iter().filter(|r| r.0 < self.end).map(move |&(a, b)| {
            match (self.cell(a), self.cell(b.min(self.end.saturating_sub(1)))) {
                (Some(x), Some(y)) => x..y + 1,
                _ => 0..0,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_follow_the_ranges() {
        let ps =
            [Placement::Gpus(GpuSet::range(0, 1_000_000)), Placement::Gpus(GpuSet::range(4, 7)), Placement::gpu(9)];
        let cells = GpuCells::new(ps.iter(), 12);
        // 0-3, 4-7, 8, 9, 10-11
        assert_eq!(cells.len(), 5);
        assert_eq!(cells.of(&GpuSet::range(0, 1_000_000)).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(cells.of(&GpuSet::range(4, 7)).collect::<Vec<_>>(), [1]);
        assert_eq!(cells.cell(9), Some(3));
        assert_eq!(cells.cell(12), None);
        assert!(GpuCells::new(ps.iter(), 0).is_empty());
        // 0-3, 4-7, 8, 9, 10-11: the wide range crosses all five, the others one each.
        assert_eq!(cells.crossings(ps.iter().chain([&Placement::All, &Placement::Host])), 5 + 1 + 1 + 5);
    }
}
