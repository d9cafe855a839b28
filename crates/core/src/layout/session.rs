//! A plan prepared once, with the last few layouts cached by their options, so
//! expanding and collapsing groups (and coming back) is cheap.

use super::prepare::Prepared;
use super::{Direction, Grouping, Layout, LayoutOptions};
use crate::graph::EdgeIndex;
use crate::model::Plan;
use std::collections::BTreeSet;

/// Everything in the options that changes the drawing, compared exactly: spacings by
/// their bits (so equal keys mean equal layouts, and `Eq`/`Hash` hold even for NaN),
/// expanded groups as a sorted set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    direction: Direction,
    grouping: Grouping,
    node_gap: u32,
    rank_gap: u32,
    expanded: BTreeSet<String>,
    sweeps: u32,
    min_series: u32,
}

impl CacheKey {
    fn of(opts: &LayoutOptions) -> CacheKey {
        // Destructured so that a new option cannot be forgotten here.
        let LayoutOptions { direction, spacing, grouping, expanded, sweeps, min_series } = opts;
        CacheKey {
            direction: *direction,
            grouping: *grouping,
            node_gap: spacing.node.to_bits(),
            rank_gap: spacing.rank.to_bits(),
            expanded: expanded.clone(),
            sweeps: *sweeps,
            min_series: *min_series,
        }
    }
}

/// Clone: a pane showing the same plan (the after side of a plan that verifies clean) starts
/// from the other's session, its layouts cached, instead of laying out a million nodes again.
#[derive(Clone)]
pub struct LayoutSession {
    prepared: Prepared,
    /// Least recently used first.
    cache: Vec<(CacheKey, Layout)>,
}

const CACHE_SIZE: usize = 8;

impl LayoutSession {
    pub fn new(plan: &Plan) -> LayoutSession {
        LayoutSession::indexed(plan, &EdgeIndex::of(plan))
    }

    /// With the plan's edges already resolved (`EdgeIndex::of(plan)`, as the analysis
    /// keeps them).
    pub fn indexed(plan: &Plan, edges: &EdgeIndex) -> LayoutSession {
        LayoutSession { prepared: Prepared::new(plan, edges), cache: Vec::new() }
    }

    pub fn layout(&mut self, opts: &LayoutOptions) -> &Layout {
        let key = CacheKey::of(opts);
        let hit = self.cache.iter().position(|(k, _)| *k == key);
        let entry = match hit {
            Some(i) => self.cache.remove(i),
            None => (key, super::run(&self.prepared, opts)),
        };
        if self.cache.len() >= CACHE_SIZE {
            self.cache.remove(0);
        }
        self.cache.push(entry);
        &self.cache[self.cache.len() - 1].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Spacing;

    #[test]
    fn keys_tell_options_apart_and_agree_on_equal_ones() {
        let base = LayoutOptions::default();
        let mut a = base.clone();
        a.toggle("series:1:x");
        a.toggle("layer:2");
        let mut b = base.clone();
        b.toggle("layer:2");
        b.toggle("series:1:x");
        assert_eq!(CacheKey::of(&a), CacheKey::of(&b));
        assert_ne!(CacheKey::of(&a), CacheKey::of(&base));
        let wider = LayoutOptions { spacing: Spacing { node: 24.5, rank: 48.0 }, ..base.clone() };
        assert_ne!(CacheKey::of(&wider), CacheKey::of(&base));
        let nan = LayoutOptions { spacing: Spacing { node: f32::NAN, rank: 48.0 }, ..base.clone() };
        assert_eq!(CacheKey::of(&nan), CacheKey::of(&nan.clone()));
        for d in [Direction::LeftToRight, Direction::BottomToTop] {
            assert_ne!(CacheKey::of(&LayoutOptions { direction: d, ..base.clone() }), CacheKey::of(&base));
        }
    }

    #[test]
    fn item_of_node_points_into_the_layout() {
        use crate::r#gen::{GenSpec, generate};
        use crate::model::Strategy;
        let Ok(s) = Strategy::parse("EP4_TP2") else { panic!("strategy") };
        let plan = generate(&GenSpec::new(s, 2, 8));
        let mut session = LayoutSession::new(&plan);
        let opts = LayoutOptions { grouping: Grouping::Series, ..LayoutOptions::default() };
        let layout = session.layout(&opts);
        let items = layout.items.len();
        let map = &layout.item_of_node;
        assert_eq!(map.len(), plan.nodes.len());
        assert!(map.iter().all(|&i| i.ix() < items));
        assert!(items < plan.nodes.len());
    }
}
