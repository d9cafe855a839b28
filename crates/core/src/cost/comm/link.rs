//! One kind of link: its per-message latency α and the bandwidth a collective achieves on
//! it (the link's rate × `link_efficiency`; nccl-tests report bus bandwidths of about 80%
//! of NVLink and InfiniBand line rate, and DeepEP ~153 of ~160 GB/s NVLink and 43–58 GB/s
//! "RDMA" against a 50 GB/s NIC, see docs/calibration.md).

use crate::cost::Constants;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub alpha_s: f64,
    /// Achieved bytes per second, per direction, per GPU.
    pub bytes_per_s: f64,
}

impl Link {
    /// NVLink (or whatever joins the GPUs of one server).
    pub fn intra(c: &Constants) -> Link {
        Link { alpha_s: c.alpha_intra_s, bytes_per_s: c.intra_gbs * 1e9 * c.link_efficiency }
    }

    /// RDMA between servers: one NIC per GPU (DGX/HGX H100/H800 carry 8 CX7 NICs).
    pub fn inter(c: &Constants) -> Link {
        Link { alpha_s: c.alpha_inter_s, bytes_per_s: c.inter_gbs * 1e9 * c.link_efficiency }
    }

    /// Seconds to move `bytes` over this link, without α (0 for a link that moves nothing).
    pub fn transfer(&self, bytes: f64) -> f64 {
        if self.bytes_per_s > 0.0 { bytes / self.bytes_per_s } else { 0.0 }
    }
}
