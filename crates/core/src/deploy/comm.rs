//! Collectives for a GPU group. A group inside one server gets one node on its GPUs; a
//! group that spans servers gets the hierarchical form NCCL and DeepEP use: one
//! intra-server step per server (over NVLink, on that server's GPUs of the group), then
//! one inter-server step over the whole group carrying only the traffic that leaves a
//! server, (S-1)/S of it for S servers; a server with one GPU of the group takes no
//! intra-server step, and a group with one GPU per server is one node. The generator writes every group as one node
//! (`gpus_per_server` None), as it always has.

use super::builder::Builder;
use crate::model::{GpuSet, NodeKind, Op, Placement, Ranks, Shape};

pub(crate) struct Collective<'a> {
    pub id: String,
    pub op: Op,
    /// The group's GPUs, ascending.
    pub gpus: &'a [u32],
    /// Rows and columns of the message; None when sizes are unknown.
    pub rows: Option<u64>,
    pub cols: Option<u64>,
    pub layer: Option<u32>,
    pub ranks: Ranks,
    /// The source node every step of it is built for.
    pub origin: Option<u32>,
}

fn shape(rows: Option<u64>, cols: Option<u64>) -> Option<Shape> {
    Some(Shape::from_sizes(&[rows?, cols?]))
}

/// Builds the collective fed by `preds` (node id, GPU it runs on); returns the id its
/// consumers hang from.
pub(crate) fn build(b: &mut Builder, c: Collective<'_>, gpus_per_server: Option<u32>, preds: &[(&str, u32)]) -> String {
    let per = gpus_per_server.unwrap_or(u32::MAX).max(1);
    let servers: Vec<u32> = {
        let mut s: Vec<u32> = c.gpus.iter().map(|g| g / per).collect();
        s.dedup();
        s
    };
    let node = |b: &mut Builder, id: String, gpus: GpuSet, sh: Option<Shape>| -> String {
        let n = b.push(id, NodeKind::Communication, Some(c.op.clone()), Placement::Gpus(gpus), sh, c.origin);
        n.layer = c.layer;
        n.ranks = c.ranks;
        n.id.clone()
    };
    // One server, or one GPU of the group per server (TP rank t of each EP rank when each
    // EP rank fills a server): no step stays inside a server, so the exchange is one node.
    if servers.len() <= 1 || servers.len() == c.gpus.len() {
        let id = node(b, c.id.clone(), GpuSet::from_ids(c.gpus.iter().copied()), shape(c.rows, c.cols));
        for (p, _) in preds {
            b.edge(p, &id);
        }
        return id;
    }
    let k = servers.len() as u64;
    let cross = c.rows.map(|r| (r.saturating_mul(k.saturating_sub(1)) / k.max(1)).max(1));
    let inter_id = format!("{}_inter", c.id);
    let mut into_inter: Vec<String> = Vec::with_capacity(servers.len());
    for &s in &servers {
        let members: Vec<u32> = c.gpus.iter().copied().filter(|g| g / per == s).collect();
        let on_server = preds.iter().filter(|(_, g)| g / per == s).map(|(p, _)| p.to_string());
        // A server with one GPU of the group exchanges nothing over NVLink: its inputs go
        // straight to the inter-server step.
        if members.len() <= 1 {
            into_inter.extend(on_server);
            continue;
        }
        let id = node(b, format!("{}_intra_s{s}", c.id), GpuSet::from_ids(members), shape(c.rows, c.cols));
        for p in on_server {
            b.edge(&p, &id);
        }
        into_inter.push(id);
    }
    let inter = node(b, inter_id, GpuSet::from_ids(c.gpus.iter().copied()), shape(cross, c.cols));
    for i in &into_inter {
        b.edge(i, &inter);
    }
    inter
}
