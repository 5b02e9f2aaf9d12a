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
//!
//! Each field is also measured alone, and one exact structure speechdex does not use (unigram
//! positions with a bigram filter, [`Variant::UnigramsAndBigramFilter`]), to see what a
//! different design would save at build time.

use std::time::Instant;

use anyhow::Result;
use speechdex::analysis::{EXACT_PREFOLDED_TOKENIZER, WORDS_PREFOLDED_TOKENIZER, register};
use speechdex::index::BuildOptions;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
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
    /// The words field alone: wall time, in ms.
    pub words_ms: f64,
    /// The alternative exact structure ([`Variant::UnigramsAndBigramFilter`]): wall time, in ms.
    pub alternative_ms: f64,
    /// MB of text per second, the exact field alone.
    pub exact_mb_per_s: f64,
    /// MB of text per second, both fields.
    pub both_mb_per_s: f64,
    /// MB of text per second, the words field alone.
    pub words_mb_per_s: f64,
    /// MB of text per second, the alternative exact structure.
    pub alternative_mb_per_s: f64,
}

/// The fields a ceiling index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `body_exact` alone: a bigram per character, with its position.
    Exact,
    /// `body_exact` and `body_words`: what a build indexes.
    Both,
    /// `body_words` alone: jieba words with their frequencies.
    Words,
    /// An exact structure speechdex does not use, measured for comparison: one unigram per
    /// character with its position (a vocabulary of a few thousand characters instead of
    /// hundreds of thousands of bigrams), and the bigrams without positions, as a filter of
    /// the speeches to match in.
    UnigramsAndBigramFilter,
}

/// Indexes `texts` (folded) once for each [`Variant`].
pub fn measure(texts: &[String], threads: Option<usize>) -> Result<Ceiling> {
    let defaults = BuildOptions::default();
    let threads = threads.unwrap_or(defaults.threads).max(1);
    let text_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let time = |variant| index_alone(texts, variant, threads, defaults.heap_per_thread);
    let exact_ms = time(Variant::Exact)?;
    let both_ms = time(Variant::Both)?;
    let words_ms = time(Variant::Words)?;
    let alternative_ms = time(Variant::UnigramsAndBigramFilter)?;
    let rate = |ms: f64| text_bytes as f64 / 1e6 / (ms / 1000.0);
    Ok(Ceiling {
        text_bytes,
        speeches: texts.len(),
        threads,
        exact_ms,
        both_ms,
        words_ms,
        alternative_ms,
        exact_mb_per_s: rate(exact_ms),
        both_mb_per_s: rate(both_ms),
        words_mb_per_s: rate(words_ms),
        alternative_mb_per_s: rate(alternative_ms),
    })
}

/// Wall time in ms to index `texts` into a new in-memory index with the fields of `variant`,
/// committed once, never merged.
fn index_alone(texts: &[String], variant: Variant, threads: usize, heap: usize) -> Result<f64> {
    let (ms, docs) = index_in_ram(texts, variant, threads, heap)?;
    anyhow::ensure!(
        docs == texts.len() as u64,
        "the ceiling index holds {docs} of {} texts",
        texts.len()
    );
    Ok(ms)
}

/// A text field indexed with `tokenizer` and `option`; field norms only for the words (BM25).
fn text_field(tokenizer: &str, option: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(option)
            .set_fieldnorms(tokenizer == WORDS_PREFOLDED_TOKENIZER),
    )
}

/// Name of the unigram tokenizer of [`Variant::UnigramsAndBigramFilter`].
const UNIGRAMS: &str = "bench_unigrams";

/// [`index_alone`], and the documents the index holds after the commit.
fn index_in_ram(
    texts: &[String],
    variant: Variant,
    threads: usize,
    heap: usize,
) -> Result<(f64, u64)> {
    use IndexRecordOption::{Basic, WithFreqs, WithFreqsAndPositions};
    let mut schema = Schema::builder();
    // The options of speechdex's schema (crates/speechdex/src/index/schema.rs).
    let fields: Vec<tantivy::schema::Field> = match variant {
        Variant::Exact => {
            vec![schema.add_text_field(
                "body_exact",
                text_field(EXACT_PREFOLDED_TOKENIZER, WithFreqsAndPositions),
            )]
        }
        Variant::Both => vec![
            schema.add_text_field(
                "body_exact",
                text_field(EXACT_PREFOLDED_TOKENIZER, WithFreqsAndPositions),
            ),
            schema.add_text_field("body_words", text_field(WORDS_PREFOLDED_TOKENIZER, WithFreqs)),
        ],
        Variant::Words => {
            vec![
                schema
                    .add_text_field("body_words", text_field(WORDS_PREFOLDED_TOKENIZER, WithFreqs)),
            ]
        }
        Variant::UnigramsAndBigramFilter => vec![
            schema.add_text_field("unigrams", text_field(UNIGRAMS, WithFreqsAndPositions)),
            schema.add_text_field("bigram_filter", text_field(EXACT_PREFOLDED_TOKENIZER, Basic)),
        ],
    };
    let index = Index::create_in_ram(schema.build());
    register(&index, &[]);
    index.tokenizers().register(UNIGRAMS, Unigrams);
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
        for &field in &fields {
            doc.add_text(field, text);
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    writer.wait_merging_threads()?;
    Ok((ms, index.reader()?.searcher().num_docs()))
}

/// One token per character (line breaks excepted), positioned by character.
#[derive(Debug, Clone, Copy)]
struct Unigrams;

impl Tokenizer for Unigrams {
    type TokenStream<'a> = UnigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> UnigramStream<'a> {
        UnigramStream { chars: text.char_indices().enumerate(), token: Token::default() }
    }
}

/// Token stream of [`Unigrams`].
struct UnigramStream<'a> {
    chars: std::iter::Enumerate<std::str::CharIndices<'a>>,
    token: Token,
}

impl TokenStream for UnigramStream<'_> {
    fn advance(&mut self) -> bool {
        for (position, (offset, c)) in self.chars.by_ref() {
            if c == '\n' || c == '\r' {
                continue;
            }
            self.token.text.clear();
            self.token.text.push(c);
            self.token.position = position;
            self.token.offset_from = offset;
            self.token.offset_to = offset + c.len_utf8();
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
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
    fn every_text_is_indexed_in_every_variant() {
        let text = "加快发展新质生产力，深化供给侧结构性改革。推进乡村全面振兴。\n".repeat(2000);
        let texts = vec![text; 8];
        for variant in
            [Variant::Exact, Variant::Both, Variant::Words, Variant::UnigramsAndBigramFilter]
        {
            let (_, docs) = index_in_ram(&texts, variant, 2, 15 << 20).unwrap();
            assert_eq!(docs, 8, "{variant:?}");
        }
        let c = measure(&texts, Some(1)).unwrap();
        assert_eq!(c.speeches, 8);
        assert_eq!(c.text_bytes, texts.iter().map(|t| t.len() as u64).sum::<u64>());
        assert!(c.exact_ms > 0.0 && c.both_ms > 0.0 && c.words_ms > 0.0 && c.alternative_ms > 0.0);
        assert!(c.exact_mb_per_s.is_finite() && c.alternative_mb_per_s.is_finite());
    }

    #[test]
    fn unigrams_are_positioned_by_character_and_skip_line_breaks() {
        let mut tokenizer = Unigrams;
        let mut stream = tokenizer.token_stream("新质\n5G");
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.text.clone(), t.position, t.offset_from));
        }
        let want = [("新", 0, 0), ("质", 1, 3), ("5", 3, 7), ("G", 4, 8)];
        assert_eq!(got, want.map(|(t, p, o)| (t.to_string(), p, o)));
    }
}
