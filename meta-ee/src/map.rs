//! A map on a sorted vector, for the netting's small per-block maps (per EE, per cell of
//! the shard's row): lookups by binary search, iteration in key order like `BTreeMap`'s
//! (the netting's results depend on that order), and a fraction of `BTreeMap`'s code in
//! the wasm (whose node-handling monomorphs were 39 % of the meta-EE). Inserting is
//! linear in the map's size: fine for maps bounded by the EEs × shards a block touches.
use alloc::vec::Vec;

/// Distinct keys up to which [`VecMap::summed`] inserts rather than sorts.
const FEW: usize = 256;

/// Entries sorted by key, keys distinct.
pub(crate) struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K: Ord, V> VecMap<K, V> {
    /// An empty map.
    pub(crate) fn new() -> Self {
        VecMap { entries: Vec::new() }
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The map of `entries` (keys in any order, repeated ones summed), for maps that may
    /// hold an entry per output. While there are few distinct keys (the usual case: the
    /// cells of one row) each entry is summed in by binary search, O(n log k); past
    /// [`FEW`] distinct keys the rest are collected and sorted once (a heap sort: O(n log n)
    /// whatever outputs an EE prints, where inserting would be quadratic).
    pub(crate) fn summed(entries: Vec<(K, V)>) -> Self
    where
        V: core::ops::AddAssign,
    {
        let mut map = VecMap { entries: Vec::new() };
        let mut rest = entries.into_iter();
        while let Some((key, value)) = rest.next() {
            match map.find(&key) {
                Ok(i) => map.entries[i].1 += value,
                Err(_) if map.entries.len() == FEW => {
                    let mut all = map.entries;
                    all.push((key, value));
                    all.extend(rest);
                    return Self::sorted_and_summed(all);
                }
                Err(i) => map.entries.insert(i, (key, value)),
            }
        }
        map
    }

    fn sorted_and_summed(mut entries: Vec<(K, V)>) -> Self
    where
        V: core::ops::AddAssign,
    {
        // Unstable, but equal keys are summed: their order does not matter.
        ee_sdk::sort::heapsort_by(&mut entries, |a, b| a.0 < b.0);
        let mut merged: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            match merged.last_mut() {
                Some((k, total)) if *k == key => *total += value,
                _ => merged.push((key, value)),
            }
        }
        VecMap { entries: merged }
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of `key`, mutably.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// The value of `key`, inserting `make()` first if absent; and whether it was absent.
    pub(crate) fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> (&mut V, bool) {
        match self.find(&key) {
            Ok(i) => (&mut self.entries[i].1, false),
            Err(i) => {
                self.entries.insert(i, (key, make()));
                (&mut self.entries[i].1, true)
            }
        }
    }

    /// Entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Entries in key order, by value.
    pub(crate) fn into_entries(self) -> Vec<(K, V)> {
        self.entries
    }
}

impl<K: Ord> VecMap<K, ()> {
    /// Adds `key` to the set; whether it was absent.
    pub(crate) fn insert_key(&mut self, key: K) -> bool {
        self.get_or_insert_with(key, || ()).1
    }

    /// Whether `key` is in the set.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;

    #[test]
    fn keeps_keys_sorted_and_distinct() {
        let mut m = VecMap::new();
        for k in [5u32, 1, 9, 1, 3] {
            *m.get_or_insert_with(k, || 0).0 += 1;
        }
        let entries: alloc::vec::Vec<_> = m.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(entries, [(1, 2), (3, 1), (5, 1), (9, 1)]);
        assert_eq!(m.get(&3), Some(&1));
        assert_eq!(m.get(&4), None);
        *m.get_mut(&9).unwrap() = 7;
        assert_eq!(m.into_entries().last(), Some(&(9, 7)));
        let summed = VecMap::summed(alloc::vec![(3u8, 1i32), (1, 2), (3, 4)]);
        assert_eq!(summed.into_entries(), [(1, 2), (3, 5)]);
        let mut s = VecMap::new();
        // Few distinct keys (summed in) and many (sorted once), repeats included.
        for distinct in [97u64, super::FEW as u64, 1000] {
            let keys: alloc::vec::Vec<(u16, u64)> =
                (0..3000u64).map(|i| (((i * 7919) % distinct) as u16, i)).collect();
            let mut expected = alloc::collections::BTreeMap::new();
            for (k, v) in &keys {
                *expected.entry(*k).or_insert(0) += v;
            }
            let summed = VecMap::summed(keys).into_entries();
            assert_eq!(
                summed,
                expected.into_iter().collect::<alloc::vec::Vec<_>>(),
                "{distinct} distinct keys"
            );
        }
        assert!(s.insert_key(2u8) && !s.insert_key(2) && s.contains(&2) && !s.contains(&1));
    }
}
