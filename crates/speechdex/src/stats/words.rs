//! Word frequencies: the jieba words of a set of speeches, without stopwords.
//!
//! Words come from the stored texts cut by [`WordsTokenizer`] (the same words, with the same
//! dictionaries, as the index's word field). A **token** is every word with a letter or digit;
//! tokens are the denominator of rates (per 10,000 tokens). A token is **counted** (listed by
//! `top` and `compare`) unless it is a stopword (`crates/speechdex/dict/stopwords.txt`: particles, pronouns,
//! prepositions, conjunctions, numerals, …) or made only of digits and number punctuation
//! (`2024`, `5.2`).
//!
//! **Where word statistics read their text.** Every word statistic (`top`, `compare`, the
//! formulations of `diff`, `ngrams`, `collocates`) takes a speech's text from
//! [`statistics_text`] and reads speeches through [`visit_texts`]: a rule that leaves lines out
//! of word statistics (boilerplate such as licence footers, issue 16) goes there, once, and
//! applies to all of them.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;
use tantivy::DocAddress;

use super::select::{DocColumns, per_10k, selected};
use crate::Result;
use crate::analysis::boilerplate::Boilerplate;
use crate::analysis::words::is_word;
use crate::analysis::{WordsTokenizer, fold};
use crate::index::{SpeechIndex, StoredSpeech};
use crate::search::Node;

/// The stopword list, compiled into the binary.
pub const STOPWORDS: &str = include_str!("../../dict/stopwords.txt");

/// The stopwords as a set.
pub fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STOPWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

/// Whether a (folded) jieba word is listed in word statistics: it has a letter or digit, is no
/// stopword and is not a bare number.
pub fn is_counted(word: &str) -> bool {
    is_word(word)
        && !stopwords().contains(word)
        && !word.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '%' | ',' | '-'))
}

/// Word counts of a set of speeches.
#[derive(Debug, Clone, Default)]
pub struct WordCounts {
    /// Speeches.
    pub docs: u64,
    /// Characters.
    pub chars: u64,
    /// Tokens (words with a letter or digit, stopwords included).
    pub tokens: u64,
    /// Counted word → (occurrences, speeches containing it).
    pub words: HashMap<String, (u64, u64)>,
}

/// The speeches that `filter` selects (all without one), in index order.
pub fn select_docs(index: &SpeechIndex, filter: Option<&Node>) -> Result<Vec<DocAddress>> {
    let searcher = index.searcher();
    let mut out = Vec::new();
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let bitmap = selected(seg, index, filter)?;
        out.extend(
            bitmap
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(d, _)| DocAddress::new(seg_ord as u32, d as u32)),
        );
    }
    Ok(out)
}

/// The text of a speech that word statistics read: the one function that decides it. The stored
/// body with its boilerplate lines (page furniture, blocks of lines repeated across the index:
/// [`Boilerplate`], from [`SpeechIndex::boilerplate`]) blanked with spaces, not cut, so that it
/// has as many characters as the body and character offsets from the exact field index it.
pub fn statistics_text<'a>(speech: &'a StoredSpeech, boilerplate: &Boilerplate) -> Cow<'a, str> {
    boilerplate.blank(speech.body.as_deref().unwrap_or_default())
}

/// One speech as word statistics read it.
pub struct StatsText<'a> {
    /// Where it is in the index.
    pub addr: DocAddress,
    /// Its stored fields (the body included).
    pub speech: &'a StoredSpeech,
    /// [`statistics_text`], folded ([`fold`]: same characters, same offsets).
    pub folded: &'a str,
    /// Its jieba words `(word, first char, one past the last char)`, folded, punctuation left
    /// out; empty unless asked for.
    pub words: &'a [(String, usize, usize)],
}

/// Reads the speeches `docs` for word statistics ([`statistics_text`], folded, and with `cut` its
/// jieba words) on up to 4 threads. Each thread hands its speeches, in order, to `visit` with an
/// accumulator of its own; the accumulators are returned, in the order of `docs`, to be merged.
pub fn visit_texts<T, F>(
    index: &SpeechIndex,
    docs: &[DocAddress],
    cut: bool,
    visit: F,
) -> Result<Vec<T>>
where
    T: Default + Send,
    F: Fn(&mut T, &StatsText<'_>) -> Result<()> + Sync,
{
    let searcher = index.searcher();
    let boilerplate = index.boilerplate()?;
    let tokenizer = WordsTokenizer::new(&index.settings.user_dicts).prefolded();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let chunk = docs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                let (searcher, tokenizer, visit) = (&searcher, &tokenizer, &visit);
                let boilerplate = &*boilerplate;
                scope.spawn(move || {
                    let mut acc = T::default();
                    for &addr in part {
                        let speech = index.stored(searcher, addr, true)?;
                        let folded = fold(&statistics_text(&speech, boilerplate));
                        let words = if cut { tokenizer.words(&folded) } else { Vec::new() };
                        let text =
                            StatsText { addr, speech: &speech, folded: &folded, words: &words };
                        visit(&mut acc, &text)?;
                    }
                    Ok(acc)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Counts the words of the speeches `docs` (their [`statistics_text`] cut by jieba, on up to 4
/// threads).
pub fn count_words(index: &SpeechIndex, docs: &[DocAddress]) -> Result<WordCounts> {
    let parts = visit_texts(index, docs, true, |acc: &mut WordCounts, t| {
        let mut seen: HashSet<&str> = HashSet::new();
        acc.docs += 1;
        acc.chars += t.speech.chars;
        for (word, _, _) in t.words {
            acc.tokens += 1;
            if !is_counted(word) {
                continue;
            }
            let entry = acc.words.entry(word.clone()).or_default();
            entry.0 += 1;
            if seen.insert(word) {
                entry.1 += 1;
            }
        }
        Ok(())
    })?;
    let mut total = WordCounts::default();
    for part in parts {
        total.docs += part.docs;
        total.chars += part.chars;
        total.tokens += part.tokens;
        for (w, (c, d)) in part.words {
            let e = total.words.entry(w).or_default();
            e.0 += c;
            e.1 += d;
        }
    }
    Ok(total)
}

/// The answer of `speechdex top`.
#[derive(Debug, Clone, Serialize)]
pub struct TopWords {
    /// Speeches.
    pub docs: u64,
    /// Characters.
    pub chars: u64,
    /// Tokens (the denominator of rates).
    pub tokens: u64,
    /// Distinct counted words.
    pub distinct: u64,
    /// The most frequent words, most frequent first (ties: more speeches, then code-point order).
    pub words: Vec<TopWord>,
}

/// One frequent word.
#[derive(Debug, Clone, Serialize)]
pub struct TopWord {
    /// 1-based rank.
    pub rank: usize,
    /// The word (folded).
    pub word: String,
    /// Occurrences.
    pub count: u64,
    /// Speeches containing it.
    pub docs: u64,
    /// Occurrences per 10,000 tokens.
    pub rate: f64,
}

/// The `limit` most frequent words of the speeches `filter` selects.
pub fn top_words(index: &SpeechIndex, filter: Option<&Node>, limit: usize) -> Result<TopWords> {
    let docs = select_docs(index, filter)?;
    let counts = count_words(index, &docs)?;
    let mut words: Vec<(&String, &(u64, u64))> = counts.words.iter().collect();
    words.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    Ok(TopWords {
        docs: counts.docs,
        chars: counts.chars,
        tokens: counts.tokens,
        distinct: counts.words.len() as u64,
        words: words
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(i, (w, &(count, docs)))| TopWord {
                rank: i + 1,
                word: w.clone(),
                count,
                docs,
                rate: per_10k(count, counts.tokens),
            })
            .collect(),
    })
}

/// Ids of the speeches (for labelling small sets).
pub fn ids_of(index: &SpeechIndex, docs: &[DocAddress]) -> Result<Vec<String>> {
    let searcher = index.searcher();
    let mut cols: HashMap<u32, DocColumns> = HashMap::new();
    let mut out = Vec::with_capacity(docs.len());
    for addr in docs {
        let col = match cols.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(DocColumns::open(searcher.segment_reader(addr.segment_ord))?)
            }
        };
        out.push(col.id(addr.doc_id));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_and_numbers_are_not_counted() {
        assert!(stopwords().len() > 300, "{}", stopwords().len());
        for w in ["的", "我们", "以及", "2024", "5.2", "，"] {
            assert!(!is_counted(w), "{w} should not be counted");
        }
        for w in ["新质生产力", "发展", "gdp", "5g"] {
            assert!(is_counted(w), "{w} should be counted");
        }
    }
}
