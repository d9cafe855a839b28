//! All-reduce as NCCL runs it: ring or (double binary) tree, whichever is faster for the
//! size, as NCCL's tuner picks. Ring (Thakur et al. 2005; Patarasuk & Yuan 2009):
//! 2(n−1)·α + 2(n−1)/n · S/B. Tree (Sanders, Speck & Träff 2009, the double binary tree
//! NCCL 2.4 uses across servers): 2⌈log₂ n⌉·α + 2·S/B, pipelined. A group spanning servers
//! runs at the inter-server link's α and bandwidth (its slowest hop).

use super::Link;
use crate::cost::Constants;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AllReduceAlgo {
    Ring,
    Tree,
}

/// Seconds for an all-reduce of `bytes` per GPU among `n` GPUs over `servers` servers,
/// and the algorithm that gives them.
pub fn all_reduce_time(n: u64, servers: u64, bytes: f64, c: &Constants) -> (f64, AllReduceAlgo) {
    if n <= 1 {
        return (0.0, AllReduceAlgo::Ring);
    }
    let link = if servers > 1 { Link::inter(c) } else { Link::intra(c) };
    let nf = n as f64;
    let ring = 2.0 * (nf - 1.0) * link.alpha_s + link.transfer(2.0 * (nf - 1.0) / nf * bytes);
    let tree = 2.0 * nf.log2().ceil() * link.alpha_s + link.transfer(2.0 * bytes);
    if tree < ring { (tree, AllReduceAlgo::Tree) } else { (ring, AllReduceAlgo::Ring) }
}
