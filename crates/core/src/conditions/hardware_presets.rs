//! GPU presets: published dense peaks (not the 2× "with sparsity" figures), HBM size and
//! bandwidth, per-GPU NVLink/xGMI bandwidth (one direction), the NIC per GPU of the
//! vendor's reference server, and GPUs per server. Sources per preset; docs/conditions.md.

use crate::model::ClusterSpec;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HardwarePreset {
    pub id: &'static str,
    pub name: &'static str,
    pub source: &'static str,
    /// Dense BF16/FP16 tensor peak, TFLOPS.
    pub tflops_bf16: f64,
    /// Dense FP8 peak, TFLOPS (None: no FP8 tensor cores).
    pub tflops_fp8: Option<f64>,
    /// Dense FP4 peak, TFLOPS (None: no FP4 tensor cores).
    pub tflops_fp4: Option<f64>,
    /// HBM, GB (10^9 bytes).
    pub memory_gb: f64,
    /// HBM bandwidth, GB/s.
    pub memory_bandwidth_gbs: f64,
    /// NVLink / Infinity Fabric per GPU, one direction, GB/s.
    pub intra_server_gbs: f64,
    /// Network per GPU, one direction, GB/s (a 400 Gb/s NIC is 50 GB/s).
    pub inter_server_gbs: f64,
    pub gpus_per_server: u32,
}

const PRESETS: &[HardwarePreset] = &[
    HardwarePreset {
        id: "a100",
        name: "A100 80GB SXM",
        source: "NVIDIA A100 Tensor Core GPU datasheet (BF16 312 TFLOPS dense, 80 GB HBM2e at 2,039 GB/s, \
                 NVLink 600 GB/s bidirectional); DGX A100: 8 GPUs, 8× 200 Gb/s ConnectX-6 for compute",
        tflops_bf16: 312.0,
        tflops_fp8: None,
        tflops_fp4: None,
        memory_gb: 80.0,
        memory_bandwidth_gbs: 2039.0,
        intra_server_gbs: 300.0,
        inter_server_gbs: 25.0,
        gpus_per_server: 8,
    },
    HardwarePreset {
        id: "h100",
        name: "H100 SXM",
        source: "NVIDIA H100 Tensor Core GPU datasheet, SXM (BF16 989 / FP8 1,979 TFLOPS dense, i.e. half the \
                 'with sparsity' figures; 80 GB HBM3 at 3.35 TB/s; NVLink 900 GB/s bidirectional); DGX H100: 8 GPUs, \
                 8× 400 Gb/s ConnectX-7",
        tflops_bf16: 989.0,
        tflops_fp8: Some(1979.0),
        tflops_fp4: None,
        memory_gb: 80.0,
        memory_bandwidth_gbs: 3350.0,
        intra_server_gbs: 450.0,
        inter_server_gbs: 50.0,
        gpus_per_server: 8,
    },
    HardwarePreset {
        id: "h800",
        name: "H800 SXM",
        source: "NVIDIA H800 SXM: H100 SXM compute and memory with NVLink cut to 400 GB/s bidirectional; \
                 DeepSeek-V3 technical report §3.1 (8 GPUs per node, 50 GB/s InfiniBand per GPU)",
        tflops_bf16: 989.0,
        tflops_fp8: Some(1979.0),
        tflops_fp4: None,
        memory_gb: 80.0,
        memory_bandwidth_gbs: 3350.0,
        intra_server_gbs: 200.0,
        inter_server_gbs: 50.0,
        gpus_per_server: 8,
    },
    HardwarePreset {
        id: "h200",
        name: "H200 SXM",
        source: "NVIDIA H200 Tensor Core GPU datasheet, SXM (BF16 989 / FP8 1,979 TFLOPS dense; 141 GB HBM3e at \
                 4.8 TB/s; NVLink 900 GB/s bidirectional); aiconfigurator systems/h200_sxm.yaml (450 GB/s NVLink and \
                 50 GB/s network per GPU, one direction; 8 GPUs per node)",
        tflops_bf16: 989.0,
        tflops_fp8: Some(1979.0),
        tflops_fp4: None,
        memory_gb: 141.0,
        memory_bandwidth_gbs: 4800.0,
        intra_server_gbs: 450.0,
        inter_server_gbs: 50.0,
        gpus_per_server: 8,
    },
    HardwarePreset {
        id: "b200",
        name: "B200 (HGX)",
        source: "NVIDIA HGX B200 datasheet, per GPU (FP4 9 / FP8 4.5 / BF16 2.25 PFLOPS dense, half the sparse \
                 figures; 180 GB HBM3e at 8 TB/s; NVLink 5 1.8 TB/s bidirectional); DGX B200: 8 GPUs, 8× 400 Gb/s \
                 ConnectX-7",
        tflops_bf16: 2250.0,
        tflops_fp8: Some(4500.0),
        tflops_fp4: Some(9000.0),
        memory_gb: 180.0,
        memory_bandwidth_gbs: 8000.0,
        intra_server_gbs: 900.0,
        inter_server_gbs: 50.0,
        gpus_per_server: 8,
    },
    HardwarePreset {
        id: "mi300x",
        name: "MI300X",
        source: "AMD Instinct MI300X datasheet (BF16 1,307.4 / FP8 2,614.9 TFLOPS dense; 192 GB HBM3 at 5.3 TB/s; \
                 7 Infinity Fabric links, 896 GB/s aggregate bidirectional); 8-GPU OAM platform with a 400 Gb/s NIC per GPU",
        tflops_bf16: 1307.4,
        tflops_fp8: Some(2614.9),
        tflops_fp4: None,
        memory_gb: 192.0,
        memory_bandwidth_gbs: 5300.0,
        intra_server_gbs: 448.0,
        inter_server_gbs: 50.0,
        gpus_per_server: 8,
    },
];

pub fn hardware_presets() -> &'static [HardwarePreset] {
    PRESETS
}

/// The preset whose id or name is `name`, ignoring case and punctuation (`H100`, `h100-sxm`
/// does not match: ids are `a100`, `h100`, `h800`, `h200`, `b200`, `mi300x`).
pub fn hardware_preset(name: &str) -> Option<&'static HardwarePreset> {
    let key = super::presets::squash(name);
    PRESETS.iter().find(|p| super::presets::squash(p.id) == key || super::presets::squash(p.name) == key)
}

impl HardwarePreset {
    pub fn spec(&self) -> ClusterSpec {
        ClusterSpec {
            gpu_name: Some(self.name.to_string()),
            gpus_per_server: Some(self.gpus_per_server),
            memory_gb: Some(self.memory_gb),
            tflops: Some(self.tflops_bf16),
            tflops_fp8: self.tflops_fp8,
            tflops_fp4: self.tflops_fp4,
            memory_bandwidth_gbs: Some(self.memory_bandwidth_gbs),
            intra_server_gbs: Some(self.intra_server_gbs),
            inter_server_gbs: Some(self.inter_server_gbs),
            ..ClusterSpec::default()
        }
    }
}
