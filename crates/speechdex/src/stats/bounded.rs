//! The best `limit` items of a stream, kept in a bounded heap: memory grows with `limit`, not
//! with the length of the stream. Kwic lines sorted by context and the speeches of a
//! trend by speech are chosen this way.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The `limit` items with the smallest keys among those offered, ties in the order they were
/// offered: exactly what a stable sort of every item by key, cut to `limit`, would keep, in
/// the same order.
#[derive(Debug)]
pub struct Smallest<K, T> {
    limit: usize,
    offered: u64,
    /// A max-heap: its top is the worst item kept, the first to go.
    heap: BinaryHeap<Entry<K, T>>,
}

#[derive(Debug)]
struct Entry<K, T> {
    key: K,
    /// Arrival order, for ties.
    seq: u64,
    item: T,
}

impl<K: Ord, T> PartialEq for Entry<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord, T> Eq for Entry<K, T> {}

impl<K: Ord, T> PartialOrd for Entry<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord, T> Ord for Entry<K, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then(self.seq.cmp(&other.seq))
    }
}

impl<K: Ord, T> Smallest<K, T> {
    /// Keeps at most `limit` items.
    pub fn new(limit: usize) -> Self {
        Smallest { limit, offered: 0, heap: BinaryHeap::with_capacity(limit.min(4096)) }
    }

    /// Whether an item with `key`, offered now, would be kept. An item offered later ranks
    /// after every kept item with the same key, so this lets a caller skip building an item
    /// that would be thrown away.
    pub fn wants(&self, key: &K) -> bool {
        if self.heap.len() < self.limit {
            return true;
        }
        self.heap.peek().is_some_and(|worst| *key < worst.key)
    }

    /// Offers an item: it is kept while it ranks among the `limit` best offered so far.
    pub fn offer(&mut self, key: K, item: T) {
        let seq = self.offered;
        self.offered += 1;
        if !self.wants(&key) {
            return;
        }
        let entry = Entry { key, seq, item };
        if self.heap.len() < self.limit {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut() {
            *worst = entry;
        }
    }

    /// Items offered so far (kept or not).
    pub fn offered(&self) -> u64 {
        self.offered
    }

    /// The items kept, best first.
    pub fn into_sorted(self) -> Vec<T> {
        self.heap.into_sorted_vec().into_iter().map(|e| e.item).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the bounded heap replaces: a stable sort of everything, cut.
    fn full_sort<K: Ord + Clone, T: Clone>(items: &[(K, T)], limit: usize) -> Vec<T> {
        let mut all = items.to_vec();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.into_iter().take(limit).map(|(_, t)| t).collect()
    }

    #[test]
    fn keeps_the_smallest_with_ties_in_arrival_order() {
        let mut s = Smallest::new(3);
        for (k, v) in [(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (3, 'e'), (1, 'f')] {
            s.offer(k, v);
        }
        assert_eq!(s.offered(), 6);
        assert_eq!(s.into_sorted(), vec!['b', 'd', 'f']);
        let mut none: Smallest<i32, ()> = Smallest::new(0);
        none.offer(1, ());
        assert!(!none.wants(&0));
        assert!(none.into_sorted().is_empty());
    }

    proptest! {
        /// Random keys from a small alphabet (many ties), any limit: the same items, in the same
        /// order, as a full stable sort cut to the limit; also when the caller skips what
        /// `wants` refuses.
        #[test]
        fn equals_a_full_stable_sort(
            keys in proptest::collection::vec("[ab]{0,3}", 0..200),
            limit in 0usize..250,
        ) {
            let items: Vec<(String, usize)> =
                keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut offered = Smallest::new(limit);
            let mut skipping = Smallest::new(limit);
            for (k, i) in &items {
                offered.offer(k.clone(), *i);
                if skipping.wants(k) {
                    skipping.offer(k.clone(), *i);
                }
            }
            let expected = full_sort(&items, limit);
            prop_assert_eq!(offered.into_sorted(), expected.clone());
            prop_assert_eq!(skipping.into_sorted(), expected);
        }
    }
}
