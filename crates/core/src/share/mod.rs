//! Share and demo: a permalink holds the plan text exactly as the user loaded it, its
//! file name, the target strategy, the conditions, a compared plan and the view state, compressed into a URL fragment
//! (`#v1.<payload>`). Decoding never panics: a damaged, tampered, foreign or oversized
//! link is refused with a message saying which. See `permalink` for the format.

pub mod permalink;
pub mod view;

pub use permalink::{
    COMFORTABLE_LINK_BYTES, MAX_INFLATED_BYTES, PermalinkError, Shared, SharedPlan, decode, decode_with_plan, encode,
    fits,
};
pub use view::{DagView, ShownSide, ViewState};
