//! The postings ceiling: how fast tantivy indexes speechdex's two body fields alone.
//!
//! A full build reads and parses the files, folds each text, stores it (zstd), fills the fast
//! fields, flushes segments and merges them at the end. Under all of that are the two fields
//! that make speechdex what it is: `body_exact` (one character bigram per character, with its
//! position: what every match and count rests on) and `body_words` (jieba words with
//! frequencies: what ranks). This measure indexes already folded texts, held in memory, into an
//! in-memory tantivy index that has only those fields, with the threads and memory budget of
//! `speechdex index` and no merging: no reading, no storing, no merging. No full build can be
//! faster than that, so it shows which build speeds this design can reach on this machine.

use std::time::Instant;

use anyhow::Result;
use speechdex::analysis::{EXACT_PREFOLDED_TOKENIZER, WORDS_PREFOLDED_TOKENIZER, register};
use speechdex::index::BuildOptions;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// At most this many bytes of folded text are held for the measure (the first speeches read):
/// the rate per MB is what counts, and a segment is flushed every ~25 MB of text anyway.
pub const CEILING_TEXT_BYTES: u64 = 100_000_000;

/// What the ceiling measure found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ceiling {
    /// Bytes of folded text indexed.
    pub text_bytes: u64,
    /// Speeches indexed.
    pub speeches: usize,
    /// Indexing threads (those of `speechdex index`).
    pub threads: usize,
    /// The exact field alone: wall time, in ms.
    pub exact_ms: f64,
    /// The exact and the words field: wall time, in ms.
    pub both_ms: f64,
    /// MB of text per second, the exact field alone.
    pub exact_mb_per_s: f64,
    /// MB of text per second, both fields.
    pub both_mb_per_s: f64,
}

/// Indexes `texts` (folded) twice: the exact field alone, then both body fields.
pub fn measure(texts: &[String], threads: Option<usize>) -> Result<Ceiling> {
    let defaults = BuildOptions::default();
    let threads = threads.unwrap_or(defaults.threads).max(1);
    let text_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let exact_ms = index_alone(texts, false, threads, defaults.heap_per_thread)?;
    let both_ms = index_alone(texts, true, threads, defaults.heap_per_thread)?;
    let rate = |ms: f64| text_bytes as f64 / 1e6 / (ms / 1000.0);
    Ok(Ceiling {
        text_bytes,
        speeches: texts.len(),
        threads,
        exact_ms,
        both_ms,
        exact_mb_per_s: rate(exact_ms),
        both_mb_per_s: rate(both_ms),
    })
}

/// Wall time in ms to index `texts` into a new in-memory index with the exact field (and the
/// words field when `words`), committed once, never merged.
fn index_alone(texts: &[String], words: bool, threads: usize, heap: usize) -> Result<f64> {
    let (ms, docs) = index_in_ram(texts, words, threads, heap)?;
    anyhow::ensure!(
        docs == texts.len() as u64,
        "the ceiling index holds {docs} of {} texts",
        texts.len()
    );
    Ok(ms)
}

/// [`index_alone`], and the documents the index holds after the commit.
fn index_in_ram(texts: &[String], words: bool, threads: usize, heap: usize) -> Result<(f64, u64)> {
    let mut schema = Schema::builder();
    // The options of speechdex's schema (crates/speechdex/src/index/schema.rs).
    let exact = schema.add_text_field(
        "body_exact",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(EXACT_PREFOLDED_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions)
                .set_fieldnorms(false),
        ),
    );
    let word_field = schema.add_text_field(
        "body_words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS_PREFOLDED_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    let index = Index::create_in_ram(schema.build());
    register(&index, &[]);
    // jieba's dictionary is loaded before the clock starts (a build loads it once too).
    load_jieba();
    let options = tantivy::indexer::IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(heap)
        .num_merge_threads(1)
        .build();
    let mut writer: IndexWriter<TantivyDocument> = index.writer_with_options(options)?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    let started = Instant::now();
    for text in texts {
        let mut doc = TantivyDocument::new();
        doc.add_text(exact, text);
        if words {
            doc.add_text(word_field, text);
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    writer.wait_merging_threads()?;
    Ok((ms, index.reader()?.searcher().num_docs()))
}

/// Loads the shared jieba dictionary (once per process).
fn load_jieba() {
    let words = speechdex::analysis::WordsTokenizer::new(&[]).prefolded();
    std::hint::black_box(words.words("中华人民共和国国务院总理"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_indexed_in_both_fields() {
        let text = "加快发展新质生产力，深化供给侧结构性改革。推进乡村全面振兴。\n".repeat(2000);
        let texts = vec![text; 8];
        for words in [false, true] {
            let (_, docs) = index_in_ram(&texts, words, 2, 15 << 20).unwrap();
            assert_eq!(docs, 8);
        }
        let c = measure(&texts, Some(1)).unwrap();
        assert_eq!(c.speeches, 8);
        assert_eq!(c.text_bytes, texts.iter().map(|t| t.len() as u64).sum::<u64>());
        assert!(c.exact_ms > 0.0 && c.both_ms > 0.0);
        assert!(c.exact_mb_per_s.is_finite() && c.both_mb_per_s.is_finite());
    }
}
