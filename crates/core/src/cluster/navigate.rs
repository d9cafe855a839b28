//! Moving the selected GPU in the grid with the arrow keys: one GPU across, one row of
//! blocks down or up, clamped to the cluster.

/// A move of the grid's selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Left,
    Right,
    Up,
    Down,
}

impl Move {
    /// The move an arrow key makes (`KeyboardEvent.key`), if it is one.
    pub fn from_key(key: &str) -> Option<Move> {
        match key {
            "ArrowLeft" => Some(Move::Left),
            "ArrowRight" => Some(Move::Right),
            "ArrowUp" => Some(Move::Up),
            "ArrowDown" => Some(Move::Down),
            _ => None,
        }
    }
}

/// The GPU selected after `mv` from `now`, in a grid of `total` GPUs showing `per_row`
/// GPUs per row of blocks. With nothing selected, a move forward starts at the first GPU
/// (GPU 0 plus the step) and a move back at GPU 0.
pub fn next_gpu(now: Option<u32>, mv: Move, per_row: u32, total: u32) -> u32 {
    let step: i64 = match mv {
        Move::Right => 1,
        Move::Left => -1,
        Move::Down => per_row as i64,
        Move::Up => -(per_row as i64),
    };
    let from = now.map_or(-step.signum().min(0), i64::from);
    (from + step).clamp(0, total.saturating_sub(1) as i64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_move_across_and_by_rows() {
        assert_eq!(next_gpu(Some(5), Move::Right, 16, 128), 6);
        assert_eq!(next_gpu(Some(5), Move::Left, 16, 128), 4);
        assert_eq!(next_gpu(Some(5), Move::Down, 16, 128), 21);
        assert_eq!(next_gpu(Some(20), Move::Up, 16, 128), 4);
    }

    #[test]
    fn moves_stop_at_the_edges() {
        assert_eq!(next_gpu(Some(0), Move::Left, 16, 128), 0);
        assert_eq!(next_gpu(Some(3), Move::Up, 16, 128), 0);
        assert_eq!(next_gpu(Some(127), Move::Right, 16, 128), 127);
        assert_eq!(next_gpu(Some(120), Move::Down, 16, 128), 127);
        assert_eq!(next_gpu(None, Move::Right, 16, 0), 0, "an empty grid selects nothing further");
    }

    #[test]
    fn from_nothing_selected() {
        assert_eq!(next_gpu(None, Move::Right, 16, 128), 1);
        assert_eq!(next_gpu(None, Move::Down, 16, 128), 16);
        assert_eq!(next_gpu(None, Move::Left, 16, 128), 0);
        assert_eq!(next_gpu(None, Move::Up, 16, 128), 0);
    }

    #[test]
    fn keys_name_moves() {
        assert_eq!(Move::from_key("ArrowDown"), Some(Move::Down));
        assert_eq!(Move::from_key("Escape"), None);
    }
}
