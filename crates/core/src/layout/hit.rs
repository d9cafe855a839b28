//! A uniform-grid spatial index over boxes (items, edge bounding boxes): the boxes a
//! viewport shows, for culling, and the box under a point, for clicks. Built in linear
//! time; boxes spanning too many cells (long edges) are kept in a side list instead.

use super::index::{Idx, IdxVec, ItemId, LinkIdx};
use super::{Layout, Rect};

/// Boxes covering more cells than this go to the always-checked list.
const MAX_CELLS_PER_BOX: usize = 64;

/// Boxes indexed by `I` (`ItemId` for items, `LinkIdx` for edges).
pub struct SpatialIndex<I> {
    rects: IdxVec<I, Rect>,
    x0: f32,
    y0: f32,
    cell: f32,
    cols: usize,
    rows: usize,
    /// Compressed rows: box ids of cell `c` are `ids[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    ids: Vec<I>,
    wide: Vec<I>,
}

impl<I: Idx> SpatialIndex<I> {
    pub fn new(rects: IdxVec<I, Rect>) -> SpatialIndex<I> {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for r in &rects {
            x0 = x0.min(r.x);
            y0 = y0.min(r.y);
            x1 = x1.max(r.x + r.width);
            y1 = y1.max(r.y + r.height);
        }
        if rects.is_empty() || !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
            return SpatialIndex {
                rects,
                x0: 0.0,
                y0: 0.0,
                cell: 1.0,
                cols: 1,
                rows: 1,
                start: vec![0, 0],
                ids: Vec::new(),
                wide: Vec::new(),
            };
        }
        let (w, h) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
        // About one box per cell, at most 512×512 cells.
        let n = rects.len().max(1) as f32;
        let cell = ((w * h / n).sqrt()).max(w / 512.0).max(h / 512.0).max(1.0);
        let cols = ((w / cell).ceil() as usize).clamp(1, 512);
        let rows = ((h / cell).ceil() as usize).clamp(1, 512);
        let mut idx = SpatialIndex {
            rects: IdxVec::new(),
            x0,
            y0,
            cell,
            cols,
            rows,
            start: Vec::new(),
            ids: Vec::new(),
            wide: Vec::new(),
        };
        let mut count = vec![0u32; cols * rows + 1];
        let spans: Vec<Option<(usize, usize, usize, usize)>> = rects
            .iter_enumerated()
            .map(|(i, r)| {
                let s = idx.span(*r);
                let (c0, c1, r0, r1) = s;
                if (c1 - c0 + 1) * (r1 - r0 + 1) > MAX_CELLS_PER_BOX {
                    idx.wide.push(i);
                    return None;
                }
                for row in r0..=r1 {
                    for col in c0..=c1 {
                        count[row * cols + col + 1] += 1;
                    }
                }
                Some(s)
            })
            .collect();
        for c in 1..count.len() {
            count[c] += count[c - 1];
        }
        let mut fill = count.clone();
        let mut ids = vec![I::new(0); count[cols * rows] as usize];
        for (i, s) in spans.iter().enumerate() {
            if let Some((c0, c1, r0, r1)) = *s {
                for row in r0..=r1 {
                    for col in c0..=c1 {
                        let slot = &mut fill[row * cols + col];
                        ids[*slot as usize] = I::new(i);
                        *slot += 1;
                    }
                }
            }
        }
        idx.start = count;
        idx.ids = ids;
        idx.rects = rects;
        idx
    }

    pub fn len(&self) -> usize {
        self.rects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    pub fn rect(&self, i: I) -> Option<Rect> {
        self.rects.get(i).copied()
    }

    /// Cell columns and rows `r` touches, clamped to the grid.
    fn span(&self, r: Rect) -> (usize, usize, usize, usize) {
        let cell = |v: f32, o: f32, max: usize| -> usize {
            let c = ((v - o) / self.cell).floor();
            if c.is_nan() || c < 0.0 { 0 } else { (c as usize).min(max - 1) }
        };
        (
            cell(r.x, self.x0, self.cols),
            cell(r.x + r.width, self.x0, self.cols),
            cell(r.y, self.y0, self.rows),
            cell(r.y + r.height, self.y0, self.rows),
        )
    }

    /// Boxes overlapping `view`, ascending and without repeats, into `out` (cleared first).
    pub fn query(&self, view: Rect, out: &mut Vec<I>) {
        out.clear();
        if self.rects.is_empty() {
            return;
        }
        let (c0, c1, r0, r1) = self.span(view);
        for row in r0..=r1 {
            for col in c0..=c1 {
                let c = row * self.cols + col;
                for &i in &self.ids[self.start[c] as usize..self.start[c + 1] as usize] {
                    if super::viewport::intersects(self.rects[i], view) {
                        out.push(i);
                    }
                }
            }
        }
        out.extend(self.wide.iter().copied().filter(|&i| super::viewport::intersects(self.rects[i], view)));
        crate::sort::unstable(out);
        out.dedup();
    }

    /// The smallest box containing (x, y), if any.
    pub fn hit(&self, x: f32, y: f32) -> Option<I> {
        let mut found = Vec::new();
        self.query(Rect { x, y, width: 0.0, height: 0.0 }, &mut found);
        found.into_iter().min_by(|&a, &b| {
            let area = |i: I| self.rects[i].width * self.rects[i].height;
            area(a).total_cmp(&area(b))
        })
    }
}

/// Item boxes of a layout (centre-based items to top-left rectangles).
pub fn item_rects(layout: &Layout) -> IdxVec<ItemId, Rect> {
    layout
        .items
        .iter()
        .map(|it| Rect { x: it.x - it.width / 2.0, y: it.y - it.height / 2.0, width: it.width, height: it.height })
        .collect()
}

/// Bounding boxes of the drawn edges.
pub fn edge_rects(layout: &Layout) -> IdxVec<LinkIdx, Rect> {
    layout
        .edges
        .iter()
        .map(|e| {
            let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
            for &(x, y) in &e.points {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
            if e.points.is_empty() { Rect::default() } else { Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, width: w, height: h }
    }

    #[test]
    fn query_matches_brute_force() {
        let rects: IdxVec<ItemId, Rect> =
            (0..500).map(|i| r((i % 25) as f32 * 40.0, (i / 25) as f32 * 30.0, 30.0, 20.0 + (i % 3) as f32)).collect();
        let idx = SpatialIndex::new(rects.clone());
        let view = r(95.0, 55.0, 210.0, 130.0);
        let mut got = Vec::new();
        idx.query(view, &mut got);
        let want: Vec<ItemId> =
            rects.indices().filter(|&i| super::super::viewport::intersects(rects[i], view)).collect();
        assert_eq!(got, want);
        assert!(!got.is_empty());
    }

    #[test]
    fn wide_boxes_are_still_found_and_hit_prefers_the_smallest() {
        let mut rects: IdxVec<LinkIdx, Rect> = (0..100).map(|i| r(i as f32 * 10.0, 0.0, 8.0, 8.0)).collect();
        rects.push(r(0.0, 0.0, 1000.0, 1000.0));
        let idx = SpatialIndex::new(rects);
        let mut got = Vec::new();
        idx.query(r(500.0, 500.0, 1.0, 1.0), &mut got);
        assert_eq!(got, vec![LinkIdx(100)]);
        assert_eq!(idx.hit(31.0, 4.0), Some(LinkIdx(3)));
        assert_eq!(idx.hit(39.0, 4.0), Some(LinkIdx(100)));
        assert_eq!(idx.hit(-5.0, 4.0), None);
    }

    #[test]
    fn empty_and_nan_inputs_are_harmless() {
        let idx: SpatialIndex<ItemId> = SpatialIndex::new(IdxVec::new());
        assert_eq!(idx.hit(0.0, 0.0), None);
        let idx: SpatialIndex<ItemId> = SpatialIndex::new(IdxVec::from(vec![r(f32::NAN, 0.0, 1.0, 1.0)]));
        let mut out = Vec::new();
        idx.query(r(0.0, 0.0, 10.0, 10.0), &mut out);
        assert!(out.len() <= 1);
    }
}
