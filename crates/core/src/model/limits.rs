//! What planscope accepts, in one place (also `planscope_core::limits`). It lives in the
//! model, the bottom layer, so that the model's own constructors (`Strategy::new`, `Meta`)
//! can hold to it. A plan can come from anyone (a dropped file, pasted text, a permalink
//! that opens by itself), and the page is wasm, where a panic or a failed multi-gigabyte
//! allocation kills the tab. So every size an input controls is
//! checked against one of these limits *before* the work or the allocation it would cause,
//! and past a limit the error names it ([`LimitError`]). Each value sits far above any real
//! plan (the largest in the corpus: 3.9 MB, ~100k nodes, 128 GPUs) and low enough that the
//! worst accepted input still fits in the page's memory.

use super::Degree;
use serde::Serialize;
use std::fmt;

/// Bytes of one input file or pasted text: 16× the largest real plan, and what the page
/// can hold twice (text plus plan) in a 32-bit wasm memory.
pub const INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Bytes a gzip-compressed plan may inflate to when it is planscope's canonical JSON,
/// which is read straight from the decompressor into the plan, the text never held
/// (`read::read_gzip`). A 1,000,000-node plan as `planscope` writes it is about 540 MB; the
/// plan it becomes takes about 1.8 times that natively. Compressed plans of any other
/// notation are held as text and so stay within [`INPUT_BYTES`] inflated.
pub const INFLATED_BYTES: u64 = 1024 * 1024 * 1024;

/// Nodes of a plan read or built: a 1,000,000-node plan (61 layers over 1,024 GPUs) must
/// open; four times that still fits the page's memory.
pub const NODES: usize = 4_000_000;

/// Edges of a plan read or built: a MoE step has about one edge per node and a few more
/// at dispatch and combine.
pub const EDGES: usize = 5_000_000;

/// GPUs of a cluster (`total_gpus`, `--gpus`) and the product EP·TP·PP·DP: 2²⁰, several
/// times the largest cluster built so far; GPU ids in placements stop at the same order
/// (`model::MAX_GPU_ID`). Above it, per-GPU tables would cost gigabytes.
pub const GPUS: u32 = 1 << 20;

/// Each parallel degree (EP, TP, PP, DP) on its own. No framework runs a degree beyond a
/// few thousand; 65,536 leaves room. (The product of all four is held to [`GPUS`], so any
/// product of degrees fits in 32 bits.)
pub const DEGREE: u32 = 1 << 16;

/// Transformer layers of a model: real models have at most a few hundred.
pub const LAYERS: u32 = 16_384;

/// Experts per MoE layer (and top-k): real models route over at most a few hundred.
pub const EXPERTS: u32 = 65_536;

/// Token counts of one expert load (rows × experts): 2²², 180 times DeepSeek-V3's
/// 58 × 256, and 32 MB as f64 (64 MB while the parse grows its rows) in the page.
pub const EXPERT_LOAD_VALUES: usize = 1 << 22;

/// Nodes the rewriter or generator would build, estimated before building: the same
/// bound as a plan read ([`NODES`]), so every output can be read back.
pub const REWRITE_NODES: u64 = NODES as u64;

/// Attribute bytes of one DOT statement after expansion (default attributes copied into
/// each node, `\N`/`\G` escapes): a small file must not amplify into gigabytes.
pub const ATTRIBUTE_BYTES: usize = 16 * 1024 * 1024;

/// Words one launch command expands to (arrays and variables of a launch script
/// included): real launch lines have a few hundred; a script that doubles an array on
/// every line must not grow past this.
pub const LAUNCH_WORDS: usize = 100_000;

/// Bytes of one shell variable's value in a launch script: Linux caps a command line near
/// 2 MiB (`ARG_MAX`), so no working script holds more in one variable.
pub const LAUNCH_VALUE_BYTES: usize = 1024 * 1024;

/// Events of one Chrome trace export (`sim::trace`): one complete event per node and GPU
/// stream, so a step of 100k nodes on 128 GPUs fits (~1.5M) and the file stays under a few
/// hundred MB, which Perfetto's browser UI still opens. Past it the trace says how many
/// events it left out (`otherData.dropped_events`).
pub const TRACE_EVENTS: usize = 2_000_000;

/// Boxes of one DAG drawing in the SVG writer and the HTML report: past it the graph is
/// drawn grouped (series, then layers, stages, servers), and the drawing says so, so that
/// a 100k-node plan gives a file a browser opens rather than 100 MB of SVG.
pub const DRAWN_ITEMS: usize = 3_000;

/// GPU rows of the step view in the HTML report (the page scrolls through every GPU; a
/// static file cannot): the rest are counted in a note.
pub const REPORT_TIMELINE_ROWS: usize = 256;

/// GPU cells a plan's placements cross in all (`GpuCells::crossings`): memory per GPU, the
/// simulated step and the step view cost a step per cell of GPUs placed alike that a node
/// covers, and the step view holds a piece for each. A real plan crosses about one cell per
/// node (the generated 1,018,066-node plan: 1.25 million); 20,000 nodes on every GPU beside
/// 20,000 on one GPU each cross 400 million, which took minutes and would hold gigabytes of
/// step view. Past it those three are not computed, and a finding says so.
pub const PLACEMENT_CELLS: u64 = 1 << 24;

/// Nodes and edges of the plans a browser page holds at once (the open plan with its
/// rewrite, or with a compared plan). A wasm32 page addresses 4 GB in all, and the page
/// holds each side's analysis and the DAG's layout too: the generated 1,018,066-node plan
/// (3.1 million nodes and edges) opens in under 2 GB (tests/browser/scale.test.mjs), and
/// the 2,045,186-node DeepSeek-V3 EP64·TP8·DP8 deployment (6.4 million) ran the page out
/// of memory, which kills it. The command holds to [`NODES`] and [`EDGES`] alone.
pub const PAGE_ELEMENTS: u64 = 4_000_000;

/// Where a plan is analysed, which bounds what may be built in memory for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Capacity {
    /// The command: the limits above.
    #[default]
    Native,
    /// A browser page: [`PAGE_ELEMENTS`] in all, of which `held` nodes and edges are taken
    /// by plans it holds beside the one in question (the open plan beside its rewrite, a
    /// compared plan or the candidates the advisor builds).
    Page { held: u64 },
}

impl Capacity {
    /// A page holding nothing else.
    pub const PAGE: Capacity = Capacity::Page { held: 0 };

    /// The same place, with a plan of `elements` nodes and edges held too.
    pub fn beside(self, elements: u64) -> Capacity {
        match self {
            Capacity::Native => Capacity::Native,
            Capacity::Page { held } => Capacity::Page { held: held.saturating_add(elements) },
        }
    }

    /// Nodes a rewrite or a generated plan may hold: in a page, a third of what is left of
    /// [`PAGE_ELEMENTS`], as their plans hold about two edges per node.
    pub fn built_nodes(self) -> u64 {
        match self {
            Capacity::Native => REWRITE_NODES,
            Capacity::Page { held } => PAGE_ELEMENTS.saturating_sub(held) / 3,
        }
    }

    /// Nodes and edges of a plan it analyses.
    pub fn plan_elements(self) -> u64 {
        match self {
            Capacity::Native => (NODES + EDGES) as u64,
            Capacity::Page { held } => PAGE_ELEMENTS.saturating_sub(held),
        }
    }

    /// The limit in words, for messages, with its amount as the caller formats it:
    /// "planscope's limit of 4,000,000", or the page's, saying the command goes further.
    pub fn limit_words(self, amount: &str) -> String {
        match self {
            Capacity::Native => format!("planscope's limit of {amount}"),
            Capacity::Page { held: 0 } => format!("the {amount} a browser page holds (the command goes further)"),
            Capacity::Page { .. } => {
                format!("the {amount} a browser page holds beside the open plan (the command goes further)")
            }
        }
    }
}

/// The limit a value broke; each names what it bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Limit {
    /// [`INPUT_BYTES`].
    InputBytes,
    /// [`INFLATED_BYTES`].
    InflatedBytes,
    /// [`NODES`].
    Nodes,
    /// [`EDGES`].
    Edges,
    /// [`GPUS`]: a cluster's GPU count or a strategy's EP·TP·PP·DP.
    Gpus,
    /// [`DEGREE`], for one parallel degree.
    Degree(Degree),
    /// [`LAYERS`].
    Layers,
    /// [`EXPERTS`].
    Experts,
    /// [`EXPERT_LOAD_VALUES`].
    ExpertLoadValues,
    /// [`REWRITE_NODES`].
    RewriteNodes,
    /// [`ATTRIBUTE_BYTES`].
    AttributeBytes,
    /// [`LAUNCH_WORDS`].
    LaunchWords,
    /// [`LAUNCH_VALUE_BYTES`].
    LaunchValueBytes,
    /// [`PLACEMENT_CELLS`].
    PlacementCells,
}

impl Limit {
    /// The largest value accepted.
    pub fn max(self) -> u64 {
        match self {
            Limit::InputBytes => INPUT_BYTES as u64,
            Limit::InflatedBytes => INFLATED_BYTES,
            Limit::Nodes => NODES as u64,
            Limit::Edges => EDGES as u64,
            Limit::Gpus => GPUS as u64,
            Limit::Degree(_) => DEGREE as u64,
            Limit::Layers => LAYERS as u64,
            Limit::Experts => EXPERTS as u64,
            Limit::ExpertLoadValues => EXPERT_LOAD_VALUES as u64,
            Limit::RewriteNodes => REWRITE_NODES,
            Limit::AttributeBytes => ATTRIBUTE_BYTES as u64,
            Limit::LaunchWords => LAUNCH_WORDS as u64,
            Limit::LaunchValueBytes => LAUNCH_VALUE_BYTES as u64,
            Limit::PlacementCells => PLACEMENT_CELLS,
        }
    }

    /// The limit's name, as messages and docs/formats.md give it.
    pub fn name(self) -> String {
        match self {
            Limit::InputBytes => "input file size".into(),
            Limit::InflatedBytes => "inflated canonical plan size".into(),
            Limit::Nodes => "nodes".into(),
            Limit::Edges => "edges".into(),
            Limit::Gpus => "GPUs".into(),
            Limit::Degree(d) => format!("{d} degree"),
            Limit::Layers => "layers".into(),
            Limit::Experts => "experts".into(),
            Limit::ExpertLoadValues => "expert load values".into(),
            Limit::RewriteNodes => "rewrite output nodes".into(),
            Limit::AttributeBytes => "attribute bytes".into(),
            Limit::LaunchWords => "words of a launch command".into(),
            Limit::LaunchValueBytes => "shell variable bytes".into(),
            Limit::PlacementCells => "GPU cells crossed by placements".into(),
        }
    }

    fn in_bytes(self) -> bool {
        matches!(self, Limit::InputBytes | Limit::InflatedBytes | Limit::AttributeBytes | Limit::LaunchValueBytes)
    }

    /// `Ok` when `value` is within the limit, else the error naming it. O(1).
    pub fn check(self, value: u64) -> Result<(), LimitError> {
        if value > self.max() { Err(LimitError { limit: self, value, max: self.max() }) } else { Ok(()) }
    }
}

/// A value past a limit. `value` saturates at `u64::MAX` when the true value overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LimitError {
    pub limit: Limit,
    pub value: u64,
    pub max: u64,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.limit.name();
        if self.limit.in_bytes() {
            let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
            let value =
                if self.value == u64::MAX { "the input".to_string() } else { format!("{:.1} MB", mb(self.value)) };
            write!(f, "{value} exceeds planscope's limit of {:.0} MB ({name})", mb(self.max))
        } else if self.value == u64::MAX {
            write!(f, "a value too large to count exceeds planscope's limit of {} ({name})", self.max)
        } else {
            write!(f, "{} exceeds planscope's limit of {} ({name})", self.value, self.max)
        }
    }
}

impl std::error::Error for LimitError {}

/// The product of `factors`, saturating at `u64::MAX` (then past every limit). O(n).
pub fn product(factors: impl IntoIterator<Item = u64>) -> u64 {
    factors.into_iter().fold(1u64, |acc, f| acc.saturating_mul(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit() {
        let e = Limit::Gpus.check(4_000_000_000).unwrap_err();
        assert_eq!(e.to_string(), "4000000000 exceeds planscope's limit of 1048576 (GPUs)");
        let e = Limit::Degree(Degree::Ep).check(u32::MAX as u64).unwrap_err();
        assert!(e.to_string().ends_with("(EP degree)"), "{e}");
        let e = Limit::InputBytes.check(u64::MAX).unwrap_err();
        assert_eq!(e.to_string(), "the input exceeds planscope's limit of 64 MB (input file size)");
        assert!(Limit::Layers.check(LAYERS as u64).is_ok());
    }

    #[test]
    fn products_saturate() {
        assert_eq!(product([u32::MAX as u64; 4]), u64::MAX);
        assert_eq!(product([2, 3, 4]), 24);
    }
}
