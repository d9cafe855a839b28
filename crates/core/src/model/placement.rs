//! Where a node runs: one GPU, a set of GPUs, the host, every GPU, nowhere yet,
//! or (for a transfer) from one set to another.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A non-overlapping, ascending list of inclusive GPU id ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GpuSet {
    ranges: Vec<(u32, u32)>,
}

/// The largest GPU id a plan may name; far above any real cluster, low enough that a
/// typo such as `GPU 4294967295` cannot make planscope allocate per-GPU tables for it.
pub const MAX_GPU_ID: u32 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementError(pub String);

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl GpuSet {
    pub fn empty() -> GpuSet {
        GpuSet { ranges: Vec::new() }
    }

    pub fn single(gpu: u32) -> GpuSet {
        GpuSet { ranges: vec![(gpu, gpu)] }
    }

    /// `first..=last`; the bounds may come in either order.
    pub fn range(a: u32, b: u32) -> GpuSet {
        GpuSet { ranges: vec![(a.min(b), a.max(b))] }
    }

    pub fn from_ids(ids: impl IntoIterator<Item = u32>) -> GpuSet {
        let mut set = GpuSet::empty();
        for id in ids {
            set.insert_range(id, id);
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|&(a, b)| (b - a) as u64 + 1).sum()
    }

    pub fn first(&self) -> Option<u32> {
        self.ranges.first().map(|r| r.0)
    }

    pub fn last(&self) -> Option<u32> {
        self.ranges.last().map(|r| r.1)
    }

    pub fn contains(&self, gpu: u32) -> bool {
        self.ranges.iter().any(|&(a, b)| a <= gpu && gpu <= b)
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(a, b)| a..=b)
    }

    pub fn insert_range(&mut self, a: u32, b: u32) {
        let (a, b) = (a.min(b), a.max(b));
        // Fast path: ids usually arrive ascending.
        if let Some(last) = self.ranges.last_mut() {
            if a > last.1.saturating_add(1) {
                self.ranges.push((a, b));
                return;
            }
            if a >= last.0 {
                last.1 = last.1.max(b);
                return;
            }
        } else {
            self.ranges.push((a, b));
            return;
        }
        self.ranges.push((a, b));
        self.ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len());
        for &(x, y) in &self.ranges {
            match merged.last_mut() {
                Some(m) if x <= m.1.saturating_add(1) => m.1 = m.1.max(y),
                _ => merged.push((x, y)),
            }
        }
        self.ranges = merged;
    }

    pub fn union_with(&mut self, other: &GpuSet) {
        for &(a, b) in &other.ranges {
            self.insert_range(a, b);
        }
    }

    pub fn extend_from(&mut self, placement: &Placement) {
        match placement {
            Placement::Gpus(s) => self.union_with(s),
            Placement::Transfer { from, to } => {
                self.union_with(from);
                self.union_with(to);
            }
            Placement::Unassigned | Placement::Host | Placement::All => {}
        }
    }

    /// Parses `3`, `0-127`, `0,1`, `0-3, 8, 10-11`, `0~7`.
    pub fn parse(text: &str) -> Result<GpuSet, PlacementError> {
        let mut set = GpuSet::empty();
        for part in text.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = match part.split_once(['-', '~', ':']) {
                Some((a, b)) => (parse_id(a, text)?, parse_id(b, text)?),
                None => {
                    let id = parse_id(part, text)?;
                    (id, id)
                }
            };
            set.insert_range(a, b);
        }
        if set.is_empty() {
            return Err(PlacementError(format!("expected GPU ids such as `3` or `0-7`, got `{text}`")));
        }
        Ok(set)
    }
}

fn parse_id(s: &str, whole: &str) -> Result<u32, PlacementError> {
    let s = s.trim();
    let digits = s.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '_');
    let id: u32 = digits
        .parse()
        .map_err(|_| PlacementError(format!("expected a GPU id (a whole number), got `{s}` in `{whole}`")))?;
    if id > MAX_GPU_ID {
        return Err(PlacementError(format!("GPU id {id} is larger than the {MAX_GPU_ID} planscope supports")));
    }
    Ok(id)
}

impl fmt::Display for GpuSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(a, b)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// A node's placement. `Gpus` always holds at least one GPU.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Placement {
    /// No GPU given (`null`, missing).
    #[default]
    Unassigned,
    /// Runs on the host CPU (`"Host"`): plan inputs and outputs.
    Host,
    /// Every GPU of the cluster (`"all"`), without saying which.
    All,
    Gpus(GpuSet),
    /// A transfer between two GPU sets (`"0-1→2-3"`).
    Transfer {
        from: GpuSet,
        to: GpuSet,
    },
}

impl Placement {
    pub fn gpu(id: u32) -> Placement {
        Placement::Gpus(GpuSet::single(id))
    }

    /// Parses the text forms found in plans: `3`, `0-127`, `GPU 3`, `GPUs 0-1023`,
    /// `Host`, `CPU`, `all`, `0-1→2-3` (or `->`), `none`/`null`/empty (unassigned).
    pub fn parse(text: &str) -> Result<Placement, PlacementError> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let bare =
            lower.trim_start_matches("gpus").trim_start_matches("gpu").trim_start_matches([':', ' ', '-', '_']).trim();
        match bare {
            "" | "none" | "null" | "unassigned" | "n/a" | "tbd" => return Ok(Placement::Unassigned),
            "host" | "cpu" => return Ok(Placement::Host),
            "all" | "all gpus" | "*" => return Ok(Placement::All),
            _ => {}
        }
        for arrow in ["→", "->", "=>"] {
            if let Some((a, b)) = bare.split_once(arrow) {
                let from = GpuSet::parse(strip_gpu_word(a))?;
                let to = GpuSet::parse(strip_gpu_word(b))?;
                return Ok(Placement::Transfer { from, to });
            }
        }
        Ok(Placement::Gpus(GpuSet::parse(bare)?))
    }

    pub fn is_assigned(&self) -> bool {
        !matches!(self, Placement::Unassigned)
    }

    /// The GPUs this placement names explicitly (empty for host, all and unassigned).
    pub fn gpu_set(&self) -> GpuSet {
        let mut s = GpuSet::empty();
        s.extend_from(self);
        s
    }

    /// The single GPU, when the node runs on exactly one.
    pub fn single(&self) -> Option<u32> {
        match self {
            Placement::Gpus(s) if s.len() == 1 => s.first(),
            _ => None,
        }
    }
}

fn strip_gpu_word(s: &str) -> &str {
    s.trim().trim_start_matches("gpus").trim_start_matches("gpu").trim_start_matches([':', ' ']).trim()
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Placement::Unassigned => f.write_str("unassigned"),
            Placement::Host => f.write_str("host"),
            Placement::All => f.write_str("all"),
            Placement::Gpus(s) => write!(f, "{s}"),
            Placement::Transfer { from, to } => write!(f, "{from}→{to}"),
        }
    }
}

/// Canonical JSON: `null`, a number for one GPU, otherwise the text form.
impl Serialize for Placement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Placement::Unassigned => s.serialize_none(),
            p => match p.single() {
                Some(id) => s.serialize_u32(id),
                None => s.serialize_str(&p.to_string()),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Placement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Placement::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl Placement {
    /// Reads the JSON forms: `null`, an integer, a string, or an array of integers.
    pub fn from_json(v: &serde_json::Value) -> Result<Placement, PlacementError> {
        use serde_json::Value;
        match v {
            Value::Null => Ok(Placement::Unassigned),
            Value::Number(n) => match n.as_u64() {
                Some(id) if id <= MAX_GPU_ID as u64 => Ok(Placement::gpu(id as u32)),
                _ => Err(PlacementError(format!("expected a GPU id (a whole number from 0 to {MAX_GPU_ID}), got {n}"))),
            },
            Value::String(s) => Placement::parse(s),
            Value::Array(items) => {
                let mut set = GpuSet::empty();
                for item in items {
                    match Placement::from_json(item)? {
                        Placement::Gpus(s) => set.union_with(&s),
                        other => {
                            return Err(PlacementError(format!("expected GPU ids in a GPU list, got `{other}`")));
                        }
                    }
                }
                if set.is_empty() { Ok(Placement::Unassigned) } else { Ok(Placement::Gpus(set)) }
            }
            other => Err(PlacementError(format!("expected a GPU id, range, \"host\" or \"all\", got {other}"))),
        }
    }
}

/// The union of many placements' GPUs. Ranges are sorted before merging: inserting
/// strided ranges one by one into a `GpuSet` re-sorts each time (quadratic on wide fans).
pub fn union_gpus<'p>(placements: impl Iterator<Item = &'p Placement>) -> GpuSet {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for p in placements {
        match p {
            Placement::Gpus(s) => ranges.extend_from_slice(s.ranges()),
            Placement::Transfer { from, to } => {
                ranges.extend_from_slice(from.ranges());
                ranges.extend_from_slice(to.ranges());
            }
            _ => {}
        }
    }
    ranges.sort_unstable();
    let mut set = GpuSet::empty();
    for (a, b) in ranges {
        set.insert_range(a, b);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_corpus_forms() {
        assert_eq!(Placement::parse("Host").unwrap(), Placement::Host);
        assert_eq!(Placement::parse("GPU: All").unwrap(), Placement::All);
        assert_eq!(Placement::parse("0-1").unwrap(), Placement::Gpus(GpuSet::range(0, 1)));
        assert_eq!(Placement::parse("GPUs 0-1023").unwrap().gpu_set().len(), 1024);
        let t = Placement::parse("0-1→2-3").unwrap();
        assert_eq!(t, Placement::Transfer { from: GpuSet::range(0, 1), to: GpuSet::range(2, 3) });
        assert_eq!(t.to_string(), "0-1→2-3");
        assert_eq!(Placement::parse("0,1").unwrap().to_string(), "0-1");
        assert_eq!(Placement::parse("GPU-0,1").unwrap().to_string(), "0-1");
    }

    #[test]
    fn rejects_garbage_with_message() {
        let e = Placement::parse("GPU banana").unwrap_err();
        assert!(e.0.contains("banana"), "{e}");
        assert!(Placement::parse("99999999999").is_err());
    }

    #[test]
    fn set_merges_ranges() {
        let mut s = GpuSet::empty();
        s.insert_range(5, 7);
        s.insert_range(0, 1);
        s.insert_range(2, 4);
        s.insert_range(10, 10);
        assert_eq!(s.to_string(), "0-7,10");
        assert_eq!(s.len(), 9);
        assert!(s.contains(6) && !s.contains(8));
    }

    #[test]
    fn json_forms() {
        use serde_json::json;
        assert_eq!(Placement::from_json(&json!(null)).unwrap(), Placement::Unassigned);
        assert_eq!(Placement::from_json(&json!(7)).unwrap(), Placement::gpu(7));
        assert_eq!(Placement::from_json(&json!([0, 1, 2])).unwrap().to_string(), "0-2");
        assert!(Placement::from_json(&json!(-1)).is_err());
        assert_eq!(serde_json::to_value(Placement::gpu(3)).unwrap(), json!(3));
        assert_eq!(serde_json::to_value(Placement::Unassigned).unwrap(), json!(null));
    }
}
