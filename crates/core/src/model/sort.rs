//! Sorting with one copy of std's sort in the page's wasm. std's `sort_by` and
//! `sort_unstable` are generic over the element and the comparison, so each call site
//! compiled its own driftsort or ipnsort: 26 copies, about 5 % of the page's wasm (twiggy,
//! README "Page size"). On wasm32 these functions sort the items' indices instead, through
//! one comparison behind `dyn`, and then move the items into that order: one sort for
//! every type, a few hundred bytes per call site. Natively they are std's, as fast as ever
//! (the page's sorts are of a few hundred boxes and a plan's small lists; a million-node
//! plan's sorts run natively in the CLI, and in the page a little slower).
//!
//! Every function is stable on wasm32. The `unstable` ones are std's unstable sorts
//! natively, so they are for items whose equal ones are alike (numbers, strings, tuples of
//! them, or a comparison that breaks every tie), or whose order among equals nothing reads:
//! then the page and the CLI come to the same result.

use std::cmp::Ordering;

// Natively each function is the std sort it stands for, inlined, so the native code is what
// it was before this module.

/// Sorts `v` by `cmp`, stably, as `slice::sort_by`. O(n log n).
#[inline]
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if cfg!(target_arch = "wasm32") {
        by_index(v, &mut cmp);
    } else {
        v.sort_by(cmp);
    }
}

/// Sorts `v` by `key`, stably, as `slice::sort_by_key`. O(n log n).
#[inline]
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    if cfg!(target_arch = "wasm32") {
        by_index(v, &mut |a, b| key(a).cmp(&key(b)));
    } else {
        v.sort_by_key(key);
    }
}

/// Sorts `v` of items whose equal ones are alike, as `slice::sort_unstable` natively.
#[inline]
pub fn unstable<T: Ord>(v: &mut [T]) {
    if cfg!(target_arch = "wasm32") {
        by_index(v, &mut T::cmp);
    } else {
        v.sort_unstable();
    }
}

/// Sorts `v` by `cmp`, under which equal items are alike, as `slice::sort_unstable_by`
/// natively. O(n log n).
#[inline]
pub fn unstable_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if cfg!(target_arch = "wasm32") {
        by_index(v, &mut cmp);
    } else {
        v.sort_unstable_by(cmp);
    }
}

/// Sorts `v` by `key`, under which equal items are alike, as `slice::sort_unstable_by_key`
/// natively. O(n log n).
#[inline]
pub fn unstable_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    if cfg!(target_arch = "wasm32") {
        by_index(v, &mut |a, b| key(a).cmp(&key(b)));
    } else {
        v.sort_unstable_by_key(key);
    }
}

/// Up to this many items, the indices live on the stack (small sorts are frequent: four
/// coordinates per node in layout's balancing).
const ON_STACK: usize = 32;

/// The wasm32 sort: the indices sorted by `cmp` of their items, then the items moved.
/// O(n log n) comparisons, O(n) moves; n indices of memory past `ON_STACK`.
fn by_index<T>(v: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    // In order already (a placement's ranges, a plan's layers in node order, spans pushed in
    // time order: most of a million-node plan's sorts): nothing to allocate or move.
    if in_order(v.len(), &mut |a, b| cmp(&v[a], &v[b])) {
        return;
    }
    let mut stack = [0usize; ON_STACK];
    let mut heap = Vec::new();
    let order = if v.len() <= ON_STACK {
        &mut stack[..v.len()]
    } else {
        heap.resize(v.len(), 0);
        &mut heap[..]
    };
    let items: &[T] = v;
    sort_indices(order, &mut |a, b| cmp(&items[a], &items[b]));
    permute(v, order);
}

/// Whether items `0..n` are in order under `cmp` (no item greater than the next). O(n).
fn in_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> bool {
    (1..n).all(|i| cmp(i - 1, i) != Ordering::Greater)
}

/// `order` set to 0..n and sorted, stably, by `cmp` of the indices: the one instance of
/// std's sort (not generic).
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Moves item `order[i]` to place `i`, for every `i`, by swaps along the permutation's
/// cycles; `order` is used up (each place set to itself once done). O(n).
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for i in 0..v.len() {
        // Place `at` holds the item that started at `i`; the item it wants is at order[at].
        let mut at = i;
        while order[at] != i {
            let next = order[at];
            v.swap(at, next);
            order[at] = at;
            at = next;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random items with many ties: (key, original place).
    fn items(n: usize) -> Vec<(u32, usize)> {
        (0..n).map(|i| (((i as u32).wrapping_mul(2_654_435_761) >> 7) % 13, i)).collect()
    }

    #[test]
    fn the_index_sort_is_std_stable_sort() {
        for n in [0, 1, 2, 3, 31, 32, 33, 100, 1000] {
            let mut want = items(n);
            want.sort_by_key(|x| x.0);
            let mut got = items(n);
            by_index(&mut got, &mut |a: &(u32, usize), b: &(u32, usize)| a.0.cmp(&b.0));
            assert_eq!(got, want, "{n} items");
            let mut strings: Vec<String> = items(n).iter().map(|x| format!("{}-{}", x.0, x.1 % 3)).collect();
            let mut want = strings.clone();
            want.sort();
            by_index(&mut strings, &mut String::cmp);
            assert_eq!(strings, want, "{n} strings");
        }
    }

    #[test]
    fn every_function_agrees_with_std() {
        let mut a = items(500);
        let mut b = a.clone();
        sort_by(&mut a, |x, y| y.0.cmp(&x.0));
        b.sort_by_key(|x| std::cmp::Reverse(x.0));
        assert_eq!(a, b);
        sort_by_key(&mut a, |x| x.1 % 7);
        b.sort_by_key(|x| x.1 % 7);
        assert_eq!(a, b);
        unstable(&mut a);
        b.sort_unstable();
        assert_eq!(a, b);
        let mut f = vec![3.5, -0.0, 0.0, f64::NAN, -1.0, 2.0];
        unstable_by(&mut f, f64::total_cmp);
        assert_eq!(f[..5], [-1.0, -0.0, 0.0, 2.0, 3.5]);
        assert!(f[5].is_nan());
        unstable_by_key(&mut a, |x| std::cmp::Reverse(*x));
        assert!(a.windows(2).all(|w| w[0] >= w[1]));
    }
}
