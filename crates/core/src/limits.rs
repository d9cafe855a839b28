//! What planscope accepts, in one place. Each size an input controls is checked against
//! one of these before the work or the allocation it would cause; past a limit, the
//! error names it.

/// Nodes of a plan read or built: a 1,000,000-node plan must open; four times that
/// still fits the page's memory.
pub const NODES: usize = 4_000_000;

/// Edges of a plan read or built (say from `{...} -> {...}` cross products in DOT).
pub const EDGES: usize = 5_000_000;

/// Attribute bytes a DOT file may expand into beyond its own size (default attributes
/// copied into each node and edge, `\N`/`\G` escapes, ids repeated by cross products):
/// a small file must not amplify into gigabytes.
pub const ATTRIBUTE_BYTES: usize = 16 * 1024 * 1024;
