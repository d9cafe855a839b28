//! Operators: what a node is, what it does, where it runs and which ranks it serves.

use super::{Attrs, Placement, Shape};
use serde::{Deserialize, Serialize};

/// The role of a node in the dataflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    #[default]
    Compute,
    Communication,
    /// Aggregation, routing and splitting: nodes that gather or scatter data without
    /// computing on it.
    Aggregation,
    Input,
    Output,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Compute => "compute",
            NodeKind::Communication => "communication",
            NodeKind::Aggregation => "aggregation",
            NodeKind::Input => "input",
            NodeKind::Output => "output",
        }
    }
}

/// The operation, when the file makes it known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Embedding,
    LayerNorm,
    Attention,
    /// Q/K/V or output projections of attention.
    Projection,
    Mlp,
    Gate,
    Expert,
    Residual,
    LmHead,
    AllToAll,
    AllReduce,
    AllGather,
    ReduceScatter,
    Broadcast,
    SendRecv,
    Route,
    Split,
    Aggregate,
    /// An operation planscope has no name for, as written.
    Other(String),
}

impl Op {
    pub fn is_collective(&self) -> bool {
        matches!(self, Op::AllToAll | Op::AllReduce | Op::AllGather | Op::ReduceScatter | Op::Broadcast | Op::SendRecv)
    }

    pub fn name(&self) -> &str {
        match self {
            Op::Embedding => "embedding",
            Op::LayerNorm => "layer_norm",
            Op::Attention => "attention",
            Op::Projection => "projection",
            Op::Mlp => "mlp",
            Op::Gate => "gate",
            Op::Expert => "expert",
            Op::Residual => "residual",
            Op::LmHead => "lm_head",
            Op::AllToAll => "all_to_all",
            Op::AllReduce => "all_reduce",
            Op::AllGather => "all_gather",
            Op::ReduceScatter => "reduce_scatter",
            Op::Broadcast => "broadcast",
            Op::SendRecv => "send_recv",
            Op::Route => "route",
            Op::Split => "split",
            Op::Aggregate => "aggregate",
            Op::Other(s) => s,
        }
    }

    /// Recognises an operation from a type name, id or label fragment, most specific
    /// rule first. Returns None when nothing matches; callers decide whether to keep
    /// the text as `Other`.
    pub fn recognise(text: &str) -> Option<Op> {
        let t = text.to_ascii_lowercase();
        let has = |w: &str| t.contains(w);
        let op = if has("all_to_all")
            || has("alltoall")
            || has("all-to-all")
            || has("a2a")
            || has("dispatch")
            || has("combine")
        {
            Op::AllToAll
        } else if has("allreduce") || has("all_reduce") || has("all-reduce") {
            Op::AllReduce
        } else if has("allgather") || has("all_gather") || has("all-gather") {
            Op::AllGather
        } else if has("reduce_scatter") || has("reducescatter") || has("reduce-scatter") {
            Op::ReduceScatter
        } else if has("broadcast") {
            Op::Broadcast
        } else if has("send") || has("recv") || has("p2p") || has("pipeline_comm") {
            Op::SendRecv
        } else if has("embed") {
            Op::Embedding
        } else if has("layernorm")
            || has("layer_norm")
            || has("rmsnorm")
            || has("rms_norm")
            || t.starts_with("ln")
            || has("_ln")
            || has("norm")
        {
            Op::LayerNorm
        } else if has("gate") || has("router") || has("gating") {
            Op::Gate
        } else if has("route") || has("routing") {
            Op::Route
        } else if has("expert") {
            Op::Expert
        } else if has("qkv")
            || has("q_proj")
            || has("k_proj")
            || has("v_proj")
            || has("o_proj")
            || has("out_proj")
            || has("projection")
            || has("linear")
        {
            Op::Projection
        } else if has("attn") || has("attention") || has("mha") || has("gqa") {
            Op::Attention
        } else if has("residual") || has("add") {
            Op::Residual
        } else if has("lm_head") || has("lmhead") || has("logits") {
            Op::LmHead
        } else if has("mlp") || has("ffn") || has("feed_forward") || has("feedforward") {
            Op::Mlp
        } else if has("split") || has("scatter") {
            Op::Split
        } else if has("agg") || has("gather") || has("merge") || has("concat") || has("sum") {
            Op::Aggregate
        } else {
            return None;
        };
        Some(op)
    }
}

/// Parallel ranks a node serves, when the file says or its id/label reveals them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Ranks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tp: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pp: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<u32>,
}

impl Ranks {
    pub fn is_empty(&self) -> bool {
        *self == Ranks::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "gpu", default)]
    pub placement: Placement,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Shape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Shape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert: Option<u32>,
    #[serde(default, skip_serializing_if = "Ranks::is_empty")]
    pub ranks: Ranks,
    /// The DOT cluster (or group) the node sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Every field of the source not held above, as it came.
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

impl Node {
    pub fn new(id: impl Into<String>, kind: NodeKind) -> Node {
        Node {
            id: id.into(),
            kind,
            op: None,
            label: None,
            placement: Placement::Unassigned,
            inputs: Vec::new(),
            output: None,
            layer: None,
            expert: None,
            ranks: Ranks::default(),
            group: None,
            attrs: Attrs::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_names() {
        assert_eq!(Op::recognise("ep_alltoall_0"), Some(Op::AllToAll));
        assert_eq!(Op::recognise("tp_allreduce_3"), Some(Op::AllReduce));
        assert_eq!(Op::recognise("expert_3_1_layer_0"), Some(Op::Expert));
        assert_eq!(Op::recognise("gpu0_mha_qkv"), Some(Op::Projection));
        assert_eq!(Op::recognise("gpu0_mha_attention"), Some(Op::Attention));
        assert_eq!(Op::recognise("layer1_ln1"), Some(Op::LayerNorm));
        assert_eq!(Op::recognise("ffn_gate"), Some(Op::Gate));
        assert_eq!(Op::recognise("embed_1"), Some(Op::Embedding));
        assert_eq!(Op::recognise("xyz"), None);
    }
}
