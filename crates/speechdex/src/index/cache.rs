//! Bounded caches for long-running processes (the server): exact phrase counts per segment
//! ([`PhraseCache`]) and decoded stored speeches ([`SpeechCache`]).
//!
//! Counting every occurrence of a phrase in every speech is most of the cost of a search, a
//! trend or a comparison on a large index (reading and intersecting the positions of its
//! bigrams), and the answer depends only on the segment, its deletions, the field and the folded
//! phrase. tantivy segments are immutable and their deletions only grow, so a
//! `(segment id, deleted documents, field, phrase)` key is never stale: an incremental update
//! that deletes speeches in a segment changes the key, a merge makes a new segment, and entries
//! of segments no longer served fall out of the least-recently-used order. This is the same
//! idea as Lucene's per-segment query cache. The caches live with the index they describe
//! ([`super::SpeechIndex`] owns them); the search layer supplies how a phrase is counted.
//!
//! A stored speech never changes either once its segment is written, so the speeches of result
//! pages are kept decoded, keyed by `(segment id, document)`: a page then neither decompresses a
//! doc-store block nor validates a speech's text as UTF-8 again.
//!
//! Each budget counts the bytes of what is cached (8 bytes per matching speech of a phrase, the
//! text and metadata of a speech) plus a fixed cost per entry; eviction is least recently used.
//! A budget of 0 (the default, and what the CLI uses: one query per process) turns a cache off
//! without any locking.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader};

use super::StoredSpeech;
use crate::Result;

/// How often each phrase occurs in the alive speeches of one segment (no positions).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PhraseCounts {
    /// Speeches that contain the phrase, ascending.
    pub docs: Vec<DocId>,
    /// Non-overlapping occurrences in each (same order as `docs`).
    pub counts: Vec<u32>,
}

impl PhraseCounts {
    /// `(doc, count)` pairs, ascending by document.
    pub fn iter(&self) -> impl Iterator<Item = (DocId, u32)> + '_ {
        self.docs.iter().copied().zip(self.counts.iter().copied())
    }

    /// Number of speeches.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no speech contains the phrase.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn heap_bytes(&self) -> usize {
        (self.docs.capacity() + self.counts.capacity()) * std::mem::size_of::<u32>()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PhraseKey {
    segment: SegmentId,
    deleted: u32,
    field: Field,
    /// The folded phrase.
    phrase: String,
}

/// Fixed cost charged per entry on top of its contents: key, map slot, `Arc` header.
const ENTRY_OVERHEAD: usize = 128;

/// What a cache has done since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Budget in bytes (0: off).
    pub budget_bytes: u64,
    /// Bytes held now.
    pub bytes: u64,
    /// Entries held now.
    pub entries: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to compute or read.
    pub misses: u64,
}

/// Both caches of an open index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CachesStats {
    /// [`PhraseCache`].
    pub phrase_counts: CacheStats,
    /// [`SpeechCache`].
    pub speeches: CacheStats,
}

/// A thread-safe least-recently-used map of shared values, bounded by their weight in bytes.
struct WeightedLru<K: std::hash::Hash + Eq, V> {
    budget: usize,
    inner: Option<Mutex<Lru<K, V>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Lru<K: std::hash::Hash + Eq, V> {
    map: lru::LruCache<K, (Arc<V>, usize)>,
    bytes: usize,
}

impl<K: std::hash::Hash + Eq, V> WeightedLru<K, V> {
    fn new(budget: usize) -> Self {
        WeightedLru {
            budget,
            inner: (budget > 0)
                .then(|| Mutex::new(Lru { map: lru::LruCache::unbounded(), bytes: 0 })),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value of `key`, from the cache or made by `load` (and kept when it weighs at most a
    /// quarter of the budget, so that a few big values cannot flush everything else). Two
    /// threads missing the same key at once may both load it; the answer is the same.
    fn get_or_load(
        &self,
        key: K,
        weigh: impl FnOnce(&K, &V) -> usize,
        load: impl FnOnce() -> Result<V>,
    ) -> Result<Arc<V>> {
        let Some(inner) = &self.inner else {
            return Ok(Arc::new(load()?));
        };
        if let Some((found, _)) = inner.lock().unwrap_or_else(|e| e.into_inner()).map.get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(found.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = Arc::new(load()?);
        let weight = weigh(&key, &value) + ENTRY_OVERHEAD;
        if weight <= self.budget / 4 {
            let mut lru = inner.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, old)) = lru.map.put(key, (value.clone(), weight)) {
                lru.bytes -= old;
            }
            lru.bytes += weight;
            while lru.bytes > self.budget {
                match lru.map.pop_lru() {
                    Some((_, (_, w))) => lru.bytes -= w,
                    None => break,
                }
            }
        }
        Ok(value)
    }

    fn stats(&self) -> CacheStats {
        let (bytes, entries) = match &self.inner {
            Some(m) => {
                let lru = m.lock().unwrap_or_else(|e| e.into_inner());
                (lru.bytes as u64, lru.map.len() as u64)
            }
            None => (0, 0),
        };
        CacheStats {
            budget_bytes: self.budget as u64,
            bytes,
            entries,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// A bounded cache of [`PhraseCounts`] per `(segment, deletions, field, folded phrase)`.
pub struct PhraseCache(WeightedLru<PhraseKey, PhraseCounts>);

impl std::fmt::Debug for PhraseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhraseCache").field("stats", &self.stats()).finish()
    }
}

impl Default for PhraseCache {
    fn default() -> Self {
        PhraseCache::new(0)
    }
}

impl PhraseCache {
    /// A cache holding at most `budget_bytes` of counts; 0 turns it off.
    pub fn new(budget_bytes: usize) -> PhraseCache {
        PhraseCache(WeightedLru::new(budget_bytes))
    }

    /// Counters and size.
    pub fn stats(&self) -> CacheStats {
        self.0.stats()
    }

    /// The counts of `phrase` (as typed) in `field` of `seg`: from the cache, or from `count`
    /// (which the search layer supplies: `search::exact::phrase_counts`), then kept.
    pub fn get_or_count(
        &self,
        seg: &SegmentReader,
        field: Field,
        phrase: &str,
        count: impl FnOnce() -> Result<PhraseCounts>,
    ) -> Result<Arc<PhraseCounts>> {
        if self.0.inner.is_none() {
            return Ok(Arc::new(count()?));
        }
        let key = PhraseKey {
            segment: seg.segment_id(),
            deleted: seg.num_deleted_docs(),
            field,
            phrase: crate::analysis::fold(phrase),
        };
        self.0.get_or_load(key, |k, v| v.heap_bytes() + k.phrase.len(), count)
    }
}

/// A bounded cache of decoded stored speeches per `(segment, document)`.
pub struct SpeechCache(WeightedLru<(SegmentId, DocId), StoredSpeech>);

impl std::fmt::Debug for SpeechCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechCache").field("stats", &self.stats()).finish()
    }
}

impl Default for SpeechCache {
    fn default() -> Self {
        SpeechCache::new(0)
    }
}

impl SpeechCache {
    /// A cache holding at most `budget_bytes` of speeches; 0 turns it off.
    pub fn new(budget_bytes: usize) -> SpeechCache {
        SpeechCache(WeightedLru::new(budget_bytes))
    }

    /// Counters and size.
    pub fn stats(&self) -> CacheStats {
        self.0.stats()
    }

    /// The speech `doc` of segment `segment`, from the cache or read by `load`.
    pub fn get_or_load(
        &self,
        segment: SegmentId,
        doc: DocId,
        load: impl FnOnce() -> Result<StoredSpeech>,
    ) -> Result<Arc<StoredSpeech>> {
        self.0.get_or_load((segment, doc), |_, s| speech_bytes(s), load)
    }
}

/// The heap bytes of a stored speech, roughly.
fn speech_bytes(s: &StoredSpeech) -> usize {
    let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
    let all = |v: &Vec<String>| v.iter().map(String::len).sum::<usize>();
    s.id.len()
        + s.path.len()
        + s.title.len()
        + opt(&s.date)
        + opt(&s.published)
        + opt(&s.speaker)
        + opt(&s.region)
        + opt(&s.kind)
        + opt(&s.venue)
        + all(&s.tags)
        + opt(&s.source)
        + opt(&s.url)
        + all(&s.inferred)
        + opt(&s.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_lru_evicts_least_recently_used_within_budget() {
        let lru: WeightedLru<u32, Vec<u8>> = WeightedLru::new(4 * (100 + ENTRY_OVERHEAD));
        let weigh = |_: &u32, v: &Vec<u8>| v.len();
        for k in 0..4 {
            lru.get_or_load(k, weigh, || Ok(vec![0; 50])).unwrap();
        }
        assert_eq!(lru.stats().entries, 4);
        // Touch 0, so that 1 is the least recently used.
        lru.get_or_load(0, weigh, || panic!("0 is cached")).unwrap();
        for k in 4..6 {
            lru.get_or_load(k, weigh, || Ok(vec![0; 100])).unwrap();
        }
        let stats = lru.stats();
        assert!(stats.bytes <= stats.budget_bytes, "{stats:?}");
        assert_eq!((stats.hits, stats.misses), (1, 6));
        let mut reloaded = false;
        lru.get_or_load(1, weigh, || {
            reloaded = true;
            Ok(vec![0; 1])
        })
        .unwrap();
        assert!(reloaded, "1 was evicted first");
        lru.get_or_load(0, weigh, || panic!("0 was used recently and stays")).unwrap();
    }

    #[test]
    fn off_and_oversized_values_are_not_kept() {
        let off: WeightedLru<u32, u32> = WeightedLru::new(0);
        off.get_or_load(1, |_, _| 0, || Ok(1)).unwrap();
        assert_eq!(off.stats().entries, 0);
        let small: WeightedLru<u32, Vec<u8>> = WeightedLru::new(1_000);
        small.get_or_load(1, |_, v| v.len(), || Ok(vec![0; 600])).unwrap();
        assert_eq!(small.stats().entries, 0, "more than a quarter of the budget");
    }
}
