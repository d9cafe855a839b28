//! What a computation needed and the model did not state: named by the `ModelSpec` field a
//! file would give it in, never filled with a guess.

use std::fmt;

/// A model constant the architecture arithmetic needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Constant {
    Layers,
    Hidden,
    Vocab,
    Heads,
    KvHeads,
    HeadDim,
    Experts,
    TopK,
    ExpertHidden,
    DenseHidden,
    Gated,
    SharedExpertHidden,
    QkRopeHeadDim,
    QkNopeHeadDim,
    VHeadDim,
    Dtype,
}

impl Constant {
    /// The `ModelSpec` (and meta JSON) field that states it.
    pub fn field(self) -> &'static str {
        match self {
            Constant::Layers => "layers",
            Constant::Hidden => "hidden",
            Constant::Vocab => "vocab",
            Constant::Heads => "heads",
            Constant::KvHeads => "kv_heads",
            Constant::HeadDim => "head_dim",
            Constant::Experts => "experts",
            Constant::TopK => "top_k",
            Constant::ExpertHidden => "expert_hidden",
            Constant::DenseHidden => "dense_hidden",
            Constant::Gated => "gated",
            Constant::SharedExpertHidden => "shared_expert_hidden",
            Constant::QkRopeHeadDim => "qk_rope_head_dim",
            Constant::QkNopeHeadDim => "qk_nope_head_dim",
            Constant::VHeadDim => "v_head_dim",
            Constant::Dtype => "dtype",
        }
    }
}

/// Every constant a computation needed and did not find, sorted, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub Vec<Constant>);

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|c| c.field()).collect();
        write!(f, "the model does not state {}", names.join(", "))
    }
}

impl std::error::Error for Missing {}

/// Collects what is absent while the fields are read, so one error names all of them.
#[derive(Default)]
pub(super) struct Needs(Vec<Constant>);

impl Needs {
    /// The value, or (recording `c`) a zero that stands in until `done` reports it.
    pub(super) fn need<T: Copy + Default>(&mut self, v: Option<T>, c: Constant) -> T {
        v.unwrap_or_else(|| {
            self.0.push(c);
            T::default()
        })
    }

    pub(super) fn done(mut self) -> Result<(), Missing> {
        if self.0.is_empty() {
            return Ok(());
        }
        crate::sort::unstable(&mut self.0);
        self.0.dedup();
        Err(Missing(self.0))
    }
}
