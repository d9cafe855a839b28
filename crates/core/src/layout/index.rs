//! Typed indices: a plan node, a drawn item, a plan edge, a drawn link between items and a
//! node of the layered graph are all dense `u32`s, and mixing them up compiled silently
//! when they were bare. Each is its own type now, and vectors are indexed through them
//! (`IdxVec<ItemId, Item>` takes an `ItemId`, nothing else). They serialise as the bare
//! number, so a layout's JSON is unchanged.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A dense index type: built from and read as a position.
pub trait Idx: Copy + Eq + Ord + fmt::Debug {
    /// The index at position `i`. Layout sizes are bounded by the plan's node and edge
    /// counts, which fit `u32` (a plan with 4 billion nodes is not read).
    fn new(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl Idx for $name {
            #[inline]
            fn new(i: usize) -> $name {
                $name(i as u32)
            }
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $name {
            /// The position, for indexing a plain slice.
            #[inline]
            pub fn ix(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

index_type!(
    /// A plan node: its index in `plan.nodes`.
    NodeIdx
);
index_type!(
    /// A drawn item (a node or a collapsed group): its index in `Layout::items`.
    ItemId
);
index_type!(
    /// A plan edge: its index in `plan.edges`.
    EdgeIdx
);
index_type!(
    /// A drawn link between two items (plan edges joining the same pair merged): its
    /// index in `Layout::edges` and in the layout's item graph.
    LinkIdx
);
index_type!(
    /// A group of the current grouping mode: its index in `Layout::groups`.
    GroupIdx
);
index_type!(
    /// A node of the layered graph: the items first (`LNode(i)` is `ItemId(i)`), then the
    /// virtual nodes long links pass through.
    LNode
);

impl From<ItemId> for LNode {
    #[inline]
    fn from(i: ItemId) -> LNode {
        LNode(i.0)
    }
}

/// A `Vec` indexed by one index type.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdxVec<I, T> {
    raw: Vec<T>,
    #[serde(skip)]
    _index: PhantomData<fn(I) -> I>,
}

impl<I: Idx, T: fmt::Debug> fmt::Debug for IdxVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

impl<I, T> Default for IdxVec<I, T> {
    fn default() -> IdxVec<I, T> {
        IdxVec { raw: Vec::new(), _index: PhantomData }
    }
}

impl<I: Idx, T> IdxVec<I, T> {
    pub fn new() -> IdxVec<I, T> {
        IdxVec::default()
    }

    pub fn with_capacity(n: usize) -> IdxVec<I, T> {
        IdxVec { raw: Vec::with_capacity(n), _index: PhantomData }
    }

    /// `n` copies of `value`.
    pub fn filled(value: T, n: usize) -> IdxVec<I, T>
    where
        T: Clone,
    {
        IdxVec { raw: vec![value; n], _index: PhantomData }
    }

    /// Appends `value` and returns its index.
    pub fn push(&mut self, value: T) -> I {
        let i = I::new(self.raw.len());
        self.raw.push(value);
        i
    }

    pub fn get(&self, i: I) -> Option<&T> {
        self.raw.get(i.index())
    }

    pub fn get_mut(&mut self, i: I) -> Option<&mut T> {
        self.raw.get_mut(i.index())
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Every index, ascending.
    pub fn indices(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.raw.len()).map(I::new)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.raw.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.raw.iter_mut()
    }

    /// `(index, value)` pairs, ascending.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.raw.iter().enumerate().map(|(i, v)| (I::new(i), v))
    }

    /// The values as a plain slice, for code that does not index (sums, zips, serialising).
    pub fn as_slice(&self) -> &[T] {
        &self.raw
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.raw
    }

    pub fn resize(&mut self, n: usize, value: T)
    where
        T: Clone,
    {
        self.raw.resize(n, value);
    }

    pub fn into_vec(self) -> Vec<T> {
        self.raw
    }
}

impl<I: Idx, T> From<Vec<T>> for IdxVec<I, T> {
    fn from(raw: Vec<T>) -> IdxVec<I, T> {
        IdxVec { raw, _index: PhantomData }
    }
}

impl<I: Idx, T> FromIterator<T> for IdxVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(it: It) -> IdxVec<I, T> {
        IdxVec::from(it.into_iter().collect::<Vec<T>>())
    }
}

impl<I: Idx, T> Index<I> for IdxVec<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, i: I) -> &T {
        &self.raw[i.index()]
    }
}

impl<I: Idx, T> IndexMut<I> for IdxVec<I, T> {
    #[inline]
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.raw[i.index()]
    }
}

impl<'a, I: Idx, T> IntoIterator for &'a IdxVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter()
    }
}

impl<I: Idx, T> IntoIterator for IdxVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.raw.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_round_trip_and_serialise_bare() {
        let mut v: IdxVec<ItemId, &str> = IdxVec::new();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((a, b), (ItemId(0), ItemId(1)));
        assert_eq!(v[b], "b");
        assert_eq!(v.get(ItemId(2)), None);
        assert_eq!(serde_json::to_string(&NodeIdx(7)).unwrap_or_default(), "7");
        assert_eq!(serde_json::to_string(&v).unwrap_or_default(), r#"["a","b"]"#);
        assert_eq!(LNode::from(ItemId(3)), LNode(3));
    }
}
