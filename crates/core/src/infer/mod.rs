//! Inference of what a plan leaves implicit: node roles (operation, layer, expert, ranks)
//! from ids and labels, and parallel degrees from the shape of the DAG.

pub mod degrees;
pub mod roles;

pub use degrees::{Degrees, infer_degrees};
pub use roles::{NodeRoles, fill_roles, node_roles};
