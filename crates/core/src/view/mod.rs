//! The view model: what the page and the HTML report both show, computed once from the
//! analyses, as display-ready data (text, classes, numbers on one scale). The page
//! (`src/web`) and the report (`crate::report`) only turn it into markup, so the two
//! cannot drift apart. Caps on long lists are stated here, once.

pub mod cards;
pub mod chart;
pub mod findings;
pub mod modifications;
pub mod refusal;
pub mod step_breakdown;

pub use cards::{Card, Delta, cards};
pub use chart::{Bar, Chart, charts, nice_top};
pub use findings::{FindingView, FindingsPanel, GpuList, SeverityGroup, findings_panel};
pub use modifications::{ActionGroup, ModificationsView, modifications, of_diff};
pub use refusal::Refusal;
pub use step_breakdown::{SideBar, StepBreakdown, step_breakdown};

/// Node ids shown per finding before "… and N more" (findings keep them all).
pub const NODES_SHOWN: usize = 24;
/// Groups listed per action of the required modifications before "… and N more".
pub const GROUPS_SHOWN: usize = 200;

/// The first `cap` items of a list and how many more there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped<T> {
    pub shown: Vec<T>,
    pub more: usize,
}

impl<T: Clone> Capped<T> {
    pub fn of(items: &[T], cap: usize) -> Capped<T> {
        let shown = items.iter().take(cap).cloned().collect::<Vec<_>>();
        Capped { more: items.len() - shown.len(), shown }
    }
}

impl<T> Capped<T> {
    /// `… and 40 more`, or nothing when the list is whole.
    pub fn tail(&self) -> Option<String> {
        (self.more > 0).then(|| format!("… and {} more", self.more))
    }
}

#[cfg(test)]
mod tests {
    use super::Capped;

    #[test]
    fn a_capped_list_says_how_many_more() {
        let ids: Vec<u32> = (0..30).collect();
        let c = Capped::of(&ids, 24);
        assert_eq!((c.shown.len(), c.more), (24, 6));
        assert_eq!(c.tail().as_deref(), Some("… and 6 more"));
        let whole = Capped::of(&ids[..3], 24);
        assert_eq!((whole.tail(), whole.shown, whole.more), (None, vec![0, 1, 2], 0));
    }
}
