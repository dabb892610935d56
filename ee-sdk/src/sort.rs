//! A heap sort for EEs: O(n log n), in place, no allocation, and a few hundred bytes of
//! wasm per instantiation — `core`'s `sort_unstable` (pattern-defeating quicksort with its
//! small-sort and heap-sort fallbacks) brings ~3 kB and `sort` (driftsort) more, per
//! element type. Unstable: use it where equal elements are interchangeable.

/// Sorts `v` so that no element is `less` than the one before it.
pub fn heapsort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::heapsort_by;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_like_the_standard_library(mut v in proptest::collection::vec(any::<(u8, u16)>(), 0..300)) {
            let mut expected = v.clone();
            expected.sort();
            heapsort_by(&mut v, |a, b| a < b);
            prop_assert_eq!(v, expected);
        }
    }
}
