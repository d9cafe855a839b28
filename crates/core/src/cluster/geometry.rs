//! Where each server block and GPU cell of the cluster view goes: servers wrap into a
//! near-square grid of blocks, GPUs fill their block 8 to a row. Shared by the page's grid
//! and the HTML report's, so both draw the same picture.

use super::ClusterModel;

pub const CELL: f64 = 16.0;
pub const GAP: f64 = 2.0;
pub const PAD: f64 = 6.0;
pub const LABEL: f64 = 13.0;
/// Servers with more GPUs than this wrap inside their block.
const BLOCK_COLS: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    block_cols: u32,
    per_server: u32,
    pub block_w: f64,
    pub block_h: f64,
    /// Server blocks per row.
    pub per_row: u32,
    pub width: f64,
    pub height: f64,
}

impl Geometry {
    pub fn of(c: &ClusterModel) -> Geometry {
        let per_server = c.per_server.max(1);
        let block_cols = per_server.clamp(1, BLOCK_COLS);
        let block_rows = per_server.div_ceil(block_cols);
        let block_w = PAD * 2.0 + block_cols as f64 * (CELL + GAP) - GAP;
        let block_h = LABEL + PAD * 2.0 + block_rows as f64 * (CELL + GAP) - GAP;
        let servers = c.servers().max(1);
        let per_row = ((servers as f64).sqrt().ceil() as u32).clamp(1, 16);
        let rows = servers.div_ceil(per_row);
        Geometry {
            block_cols,
            per_server,
            block_w,
            block_h,
            per_row,
            width: per_row as f64 * (block_w + GAP * 3.0),
            height: rows as f64 * (block_h + GAP * 3.0),
        }
    }

    /// Top-left corner of a server's block.
    pub fn block_origin(&self, server: u32) -> (f64, f64) {
        let (col, row) = (server % self.per_row, server / self.per_row);
        (col as f64 * (self.block_w + GAP * 3.0), row as f64 * (self.block_h + GAP * 3.0))
    }

    /// Top-left corner of a GPU's cell.
    pub fn cell_origin(&self, gpu: u32) -> (f64, f64) {
        let (bx, by) = self.block_origin(gpu / self.per_server);
        let slot = gpu % self.per_server;
        let (col, row) = (slot % self.block_cols, slot / self.block_cols);
        (bx + PAD + col as f64 * (CELL + GAP), by + LABEL + PAD + row as f64 * (CELL + GAP))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_servers_of_eight_make_four_rows_of_four() {
        let c = ClusterModel { gpus: 128, per_server: 8, ..ClusterModel::default() };
        let g = Geometry::of(&c);
        assert_eq!(g.per_row, 4);
        // GPU 9 is the second cell of server 1, the second block of the first row.
        let (x, y) = g.cell_origin(9);
        assert_eq!((x, y), (g.block_w + GAP * 3.0 + PAD + CELL + GAP, LABEL + PAD));
        assert!(g.height > 3.0 * g.block_h && g.width > 3.0 * g.block_w);
    }
}
