//! Where a node runs: one GPU, a set of GPUs, the host, every GPU, nowhere yet,
//! or (for a transfer) from one set to another.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A non-overlapping, ascending list of inclusive GPU id ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GpuSet {
    ranges: Vec<(u32, u32)>,
}

/// The largest GPU id a plan may name: ids run from 0 to one less than
/// [`limits::GPUS`](super::limits::GPUS), so a typo such as `GPU 4294967295` cannot make
/// planscope allocate per-GPU tables for it.
pub const MAX_GPU_ID: u32 = super::limits::GPUS - 1;

/// From this many ranges on, `GpuSet::from_ranges` counts cover per GPU instead of sorting:
/// past it, a table of every GPU id (4 MB at most) costs less than the sort.
const COUNT_ABOVE: usize = 1 << 16;

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

    /// The set of these ids, in any order. O(n log n) in the ids: they are sorted once
    /// rather than inserted one by one (a descending list would shift the ranges each time).
    pub fn from_ids(ids: impl IntoIterator<Item = u32>) -> GpuSet {
        GpuSet::from_ranges(ids.into_iter().map(|id| (id, id)).collect())
    }

    /// The union of these inclusive ranges (bounds in either order, overlapping or not).
    /// O(k log k) in the ranges; O(k + G) for many ranges of GPU ids (below G =
    /// `MAX_GPU_ID` + 1).
    pub fn from_ranges(mut ranges: Vec<(u32, u32)>) -> GpuSet {
        for r in &mut ranges {
            *r = (r.0.min(r.1), r.0.max(r.1));
        }
        let top = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        // Counted when there are many ranges, or few GPUs for them to span (a layer's
        // thousands of expert shards over a thousand GPUs): then O(k + top) beats sorting.
        let few_gpus = u64::from(top) <= 4 * ranges.len() as u64 + 64;
        if (ranges.len() >= COUNT_ABOVE || (few_gpus && ranges.len() > 16)) && top <= MAX_GPU_ID {
            return GpuSet::covered(&ranges, top);
        }
        super::sort::unstable(&mut ranges);
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (x, y) in ranges {
            match merged.last_mut() {
                Some(m) if x <= m.1.saturating_add(1) => m.1 = m.1.max(y),
                _ => merged.push((x, y)),
            }
        }
        merged.shrink_to_fit();
        GpuSet { ranges: merged }
    }

    /// The union of `ranges` (ascending bounds, none past `top`), by counting how many cover
    /// each GPU rather than sorting them: a plan's million placements at once. O(k + top).
    fn covered(ranges: &[(u32, u32)], top: u32) -> GpuSet {
        let mut delta = vec![0i32; top as usize + 2];
        for &(a, b) in ranges {
            delta[a as usize] += 1;
            delta[b as usize + 1] -= 1;
        }
        let mut merged = Vec::new();
        let (mut depth, mut start) = (0i32, 0u32);
        for (g, d) in delta.iter().enumerate() {
            let was = depth > 0;
            depth += d;
            match (was, depth > 0) {
                (false, true) => start = g as u32,
                (true, false) => merged.push((start, g as u32 - 1)),
                _ => {}
            }
        }
        GpuSet { ranges: merged }
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

    /// O(log k) in the ranges.
    pub fn contains(&self, gpu: u32) -> bool {
        let i = self.ranges.partition_point(|&(_, b)| b < gpu);
        self.ranges.get(i).is_some_and(|&(a, _)| a <= gpu)
    }

    /// Whether no GPU is in both sets. O(k + m) in the two sets' ranges.
    pub fn is_disjoint(&self, other: &GpuSet) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a, b)), Some(&(c, d))) = (self.ranges.get(i), other.ranges.get(j)) {
            if b < c {
                i += 1;
            } else if d < a {
                j += 1;
            } else {
                return false;
            }
        }
        true
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// Every GPU id, ascending: as long as [`GpuSet::len`], which a single range makes
    /// up to [`MAX_GPU_ID`]; callers on input-controlled sets walk [`GpuSet::ranges`]
    /// or take a bounded prefix instead.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(a, b)| a..=b)
    }

    /// Adds `a..=b` (bounds in either order). O(log k) to find its place, plus a shift of
    /// the ranges after it when it lands in the middle; appending in ascending order is O(1).
    /// To build a set from many ranges in any order, use [`GpuSet::from_ranges`].
    pub fn insert_range(&mut self, a: u32, b: u32) {
        let (a, b) = (a.min(b), a.max(b));
        // The ranges that touch or overlap `a..=b` are `lo..hi`.
        let lo = self.ranges.partition_point(|&(_, y)| y.saturating_add(1) < a);
        let hi = self.ranges.partition_point(|&(x, _)| x <= b.saturating_add(1));
        let (mut start, mut end) = (a, b);
        if let Some(&(x, _)) = self.ranges.get(lo)
            && lo < hi
        {
            start = start.min(x);
        }
        if hi > lo
            && let Some(&(_, y)) = self.ranges.get(hi - 1)
        {
            end = end.max(y);
        }
        self.ranges.splice(lo..hi.max(lo), std::iter::once((start, end)));
    }

    /// Adds every GPU of `other`. O(k + m) in the two sets' ranges (one merge), or
    /// O(log k) when `other` is a single range.
    pub fn union_with(&mut self, other: &GpuSet) {
        match other.ranges.as_slice() {
            [] => {}
            &[(a, b)] => self.insert_range(a, b),
            more => {
                let mut all = std::mem::take(&mut self.ranges);
                all.extend_from_slice(more);
                *self = GpuSet::from_ranges(all);
            }
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

    /// Parses `3`, `0-127`, `0,1`, `0-3, 8, 10-11`, `0~7`. O(n log n) in the text.
    pub fn parse(text: &str) -> Result<GpuSet, PlacementError> {
        let mut ranges = Vec::new();
        for part in text.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = match part.split_once(['-', '~', ':']) {
                Some((a, b)) => (parse_id(a, text)?, parse_id(b, text)?),
                None => {
                    let id = parse_id(part, text)?;
                    (id, id)
                }
            };
            ranges.push((a, b));
        }
        let set = GpuSet::from_ranges(ranges);
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
        return Err(PlacementError(gpu_id_limit(u64::from(id))));
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
    /// Borrowed when the placement is one set: the verifier asks this of every node, and
    /// copying each node's ranges was a tenth of verifying a million-node plan.
    pub fn gpu_set(&self) -> Cow<'_, GpuSet> {
        match self {
            Placement::Gpus(s) => Cow::Borrowed(s),
            p => {
                let mut s = GpuSet::empty();
                s.extend_from(p);
                Cow::Owned(s)
            }
        }
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
    /// O(n log n) in an array's items, in any order.
    pub fn from_json(v: &serde_json::Value) -> Result<Placement, PlacementError> {
        use serde_json::Value;
        match v {
            Value::Null => Ok(Placement::Unassigned),
            Value::Number(n) => match n.as_u64() {
                Some(id) if id <= MAX_GPU_ID as u64 => Ok(Placement::gpu(id as u32)),
                Some(id) => Err(PlacementError(gpu_id_limit(id))),
                None => {
                    Err(PlacementError(format!("expected a GPU id (a whole number from 0 to {MAX_GPU_ID}), got {n}")))
                }
            },
            Value::String(s) => Placement::parse(s),
            Value::Array(items) => {
                let mut ranges = Vec::new();
                for item in items {
                    match Placement::from_json(item)? {
                        Placement::Gpus(s) => ranges.extend_from_slice(s.ranges()),
                        other => {
                            return Err(PlacementError(format!("expected GPU ids in a GPU list, got `{other}`")));
                        }
                    }
                }
                let set = GpuSet::from_ranges(ranges);
                if set.is_empty() { Ok(Placement::Unassigned) } else { Ok(Placement::Gpus(set)) }
            }
            other => Err(PlacementError(format!("expected a GPU id, range, \"host\" or \"all\", got {other}"))),
        }
    }
}

/// Why GPU `id` is refused, naming the limit as `LimitError` does.
fn gpu_id_limit(id: u64) -> String {
    format!("GPU id {id} exceeds planscope's limit of {} GPUs, ids 0 to {MAX_GPU_ID} (GPUs)", super::limits::GPUS)
}

/// The union of many placements' GPUs. O(k log k) in their ranges: they are gathered
/// and sorted once (inserting them one by one would be quadratic on many disjoint sets).
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
    GpuSet::from_ranges(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many ranges are counted, not sorted: the same union as merging them one by one.
    #[test]
    fn many_ranges_count_to_the_same_union() {
        let mut next = crate::seeded::below(7);
        let ranges: Vec<(u32, u32)> = (0..COUNT_ABOVE + 5)
            .map(|_| {
                let a = next(MAX_GPU_ID / 2) * 2;
                (a + next(3), a)
            })
            .chain([(MAX_GPU_ID, MAX_GPU_ID), (0, 0)])
            .collect();
        let counted = GpuSet::from_ranges(ranges.clone());
        let mut one_by_one = GpuSet::empty();
        for &(a, b) in &ranges {
            one_by_one.insert_range(a.min(b), a.max(b));
        }
        assert_eq!(counted, one_by_one);
        assert_eq!(counted.first(), Some(0));
        assert_eq!(counted.last(), Some(MAX_GPU_ID));
    }

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
        s.insert_range(9, 8);
        assert_eq!(s.to_string(), "0-10");
        s.insert_range(20, 30);
        s.insert_range(14, 15);
        s.insert_range(12, 12);
        assert_eq!(s.to_string(), "0-10,12,14-15,20-30");
        s.insert_range(13, 19);
        assert_eq!(s.to_string(), "0-10,12-30");
        assert!(!s.contains(11) && s.contains(12) && s.contains(30) && !s.contains(31));
        s.insert_range(u32::MAX, 40);
        assert_eq!(s.to_string(), format!("0-10,12-30,40-{}", u32::MAX));
    }

    #[test]
    fn any_order_gives_the_same_set() {
        let down = GpuSet::from_ids((0..1000).rev().filter(|g| g % 3 != 0));
        let mut one_by_one = GpuSet::empty();
        for g in (0..1000).filter(|g| g % 3 != 0) {
            one_by_one.insert_range(g, g);
        }
        assert_eq!(down, one_by_one);
        let mut merged = GpuSet::range(5, 6);
        merged.union_with(&down);
        assert_eq!(merged.ranges().first(), Some(&(1, 2)));
        assert!(merged.contains(5) && merged.contains(6) && !merged.contains(3));
        assert!(GpuSet::range(0, 3).is_disjoint(&GpuSet::range(4, 9)));
        assert!(!down.is_disjoint(&GpuSet::single(998)));
        assert!(down.is_disjoint(&GpuSet::from_ids([0, 3, 999])));
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
