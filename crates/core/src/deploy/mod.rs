//! The builder of a deployed MoE model: one step of an EP×TP×PP×DP deployment (or of
//! experts folded onto the attention's TP·DP GPUs, `Layout`), node by node, shared by the generator (`r#gen`, which supplies synthetic operators) and the
//! rewriter (`rewrite`, which supplies the operators it kept from the source plan and the
//! EPLB placement of experts). Per layer it writes attention with its TP all-reduces, the
//! gate, EP dispatch, expert shards and their replicas, TP all-reduce, EP combine and the
//! per-GPU aggregation; PP send/recv at stage boundaries; DP replicas.
//!
//! Provenance: for every node it writes, the builder records the source node it was built
//! for (`Origins`), so which node of a rewrite stands for which node of its source is
//! data, not a reading of ids.

mod block;
mod builder;
mod comm;
mod layout;
mod origin;
mod step;

pub use layout::Layout;
pub use origin::Origins;
pub(crate) use origin::{Role, Sources};
pub(crate) use step::{CopyIds, DenseFfn, Design, Operator, Operators, Style, build};
