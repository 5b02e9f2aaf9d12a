//! `speechdex diff`: what changed in the wording between two speeches (提法变化), or between two
//! sets of speeches taken as wholes.
//!
//! Each side's texts are cut into sentences ([`sentences`]: sentence ends, paragraphs, section
//! headings, hard-wrapped lines, comparison keys) and aligned ([`align`]: a patience diff over
//! the sentence keys, moves, changed pairs above a similarity threshold, character marks). The
//! result lists, in document order:
//!
//! * `added` and `removed` sentences, with paragraph (non-empty line, as `kwic` counts) and
//!   section heading;
//! * `changed` pairs, with their similarity and `marks` (equal, deleted, inserted stretches);
//! * the number of `unchanged` sentences (equal keys: folded, without whitespace and
//!   punctuation), moved ones included, which are never listed;
//! * `new_phrases` and `dropped_phrases` ([`phrases`]): maximal 2–8-character phrases one side
//!   uses and the other never does, by G².
//!
//! A set (`--a QUERY`) is its speeches in order of region, date and id, read as one text (at
//! most [`MAX_SET_CHARS`] characters); every listed sentence names its speech. The same speech
//! may be on both sides.

pub mod align;
pub mod phrases;
pub mod sentences;

use std::borrow::Cow;

use serde::Serialize;

pub use align::{DEFAULT_MIN_SIMILARITY, Mark, MarkOp, Op};
pub use phrases::Formulation;
pub use sentences::Sentence;

use crate::analysis::boilerplate::Boilerplate;
use crate::analysis::{WordsTokenizer, fold};
use crate::index::{SpeechIndex, StoredSpeech};
use crate::stats::compare::Side;
use crate::stats::words::{select_docs, statistics_text};
use crate::{Error, Result};

/// A diff to compute.
#[derive(Debug, Clone)]
pub struct DiffRequest {
    /// The old side.
    pub a: Side,
    /// The new side.
    pub b: Side,
    /// Options.
    pub options: DiffOptions,
}

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffOptions {
    /// Most sentences per list (added, removed, changed); `None`: all.
    pub sentence_limit: Option<usize>,
    /// Most phrases per list (new, dropped).
    pub phrase_limit: usize,
    /// Similarity (0–1) from which a removed and an added sentence form a changed pair.
    pub min_similarity: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            sentence_limit: None,
            phrase_limit: 25,
            min_similarity: DEFAULT_MIN_SIMILARITY,
        }
    }
}

/// One speech of a side, as the diff reads it.
#[derive(Debug, Clone)]
pub struct DiffText {
    /// Speech id.
    pub id: String,
    /// The text.
    pub body: String,
    /// The text the formulations read ([`crate::stats::words::statistics_text`]) when it is
    /// not the body; `None`: the body.
    pub statistics: Option<String>,
}

/// The answer of `speechdex diff`; its JSON form is the contract of `diff --json`.
#[derive(Debug, Clone, Serialize)]
pub struct SpeechDiff {
    /// The old side.
    pub a: DiffSide,
    /// The new side.
    pub b: DiffSide,
    /// The similarity threshold used for changed pairs.
    pub min_similarity: f64,
    /// Sentences both sides have (equal keys), moved ones included.
    pub unchanged: u64,
    /// Of the unchanged sentences, those at another place in B.
    pub moved: u64,
    /// How many entries each list has before `--limit`.
    pub totals: Totals,
    /// Sentences of B that A does not have, in B's order.
    pub added: Vec<SentenceChange>,
    /// Sentences of A that B does not have, in A's order.
    pub removed: Vec<SentenceChange>,
    /// Sentences of A rewritten in B, in order.
    pub changed: Vec<ChangedSentence>,
    /// Phrases B uses and A never does, by G².
    pub new_phrases: Vec<Formulation>,
    /// Phrases A uses and B never does, by G².
    pub dropped_phrases: Vec<Formulation>,
    /// Notes on the request, for stderr (sides that share speeches); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One side of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSide {
    /// The speech id or the query.
    pub label: String,
    /// The title, when the side is one speech.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Speeches.
    pub docs: u64,
    /// Ids of the speeches (at most 20).
    pub ids: Vec<String>,
    /// Sentences.
    pub sentences: u64,
    /// Characters.
    pub chars: u64,
    /// Speeches read as hard-wrapped (line breaks inside paragraphs joined).
    pub hard_wrapped: u64,
}

/// List lengths before `--limit`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    /// Added sentences.
    pub added: u64,
    /// Removed sentences.
    pub removed: u64,
    /// Changed pairs.
    pub changed: u64,
    /// New phrases.
    pub new_phrases: u64,
    /// Dropped phrases.
    pub dropped_phrases: u64,
}

/// An added or removed sentence.
#[derive(Debug, Clone, Serialize)]
pub struct SentenceChange {
    /// Position among all listed changes (added, removed, changed) in document order, from 1.
    pub order: u64,
    /// The sentence as written.
    pub text: String,
    /// The speech it is in.
    pub id: String,
    /// Its 1-based paragraph (non-empty line).
    pub paragraph: usize,
    /// The section headings above it (`一、… › （二）…`), if any.
    pub section: Option<String>,
}

/// A sentence of A rewritten in B.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedSentence {
    /// Position among all listed changes in document order, from 1.
    pub order: u64,
    /// The sentence in A.
    pub old: String,
    /// The sentence in B.
    pub new: String,
    /// Similarity of the two (0–1, over characters without punctuation).
    pub similarity: f64,
    /// The speech of A.
    pub id_old: String,
    /// The speech of B.
    pub id_new: String,
    /// Paragraph in A.
    pub paragraph_old: usize,
    /// Paragraph in B.
    pub paragraph_new: usize,
    /// Section in A.
    pub section_old: Option<String>,
    /// Section in B.
    pub section_new: Option<String>,
    /// Equal, deleted and inserted stretches: equal and deleted ones spell `old`, equal and
    /// inserted ones `new` (equal stretches as written in `old`; `new` may differ in width,
    /// case or script).
    pub marks: Vec<Mark>,
}

/// The most characters a set may hold: a set is read whole, and its phrases take about 100
/// bytes of memory per character (the shared corpus, 1.5 M characters, needs 184 MB).
pub const MAX_SET_CHARS: u64 = 10_000_000;

/// One side: its speeches in order, with the label and the title (for one speech).
struct Resolved {
    label: String,
    title: Option<String>,
    texts: Vec<DiffText>,
}

fn resolve(index: &SpeechIndex, side: &Side, name: char) -> Result<Resolved> {
    let searcher = index.searcher();
    let boilerplate = index.boilerplate()?;
    match side {
        Side::Speech(id) => {
            let addr = index.find(&searcher, id)?.ok_or_else(|| Error::UnknownId(id.clone()))?;
            let s = index.stored(&searcher, addr, true)?;
            Ok(Resolved {
                label: id.clone(),
                title: Some(s.title.clone()),
                texts: vec![text_of(s, &boilerplate)],
            })
        }
        Side::Query { text, node } => {
            let docs = select_docs(index, Some(node))?;
            if docs.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "side {name}: the query {text:?} selects no speech, so there is nothing to \
                     compare; check it with `speechdex search {text:?} --count` and widen it"
                )));
            }
            let mut speeches: Vec<StoredSpeech> = Vec::with_capacity(docs.len());
            let mut chars = 0;
            for &addr in &docs {
                let s = index.stored(&searcher, addr, true)?;
                chars += s.chars;
                if chars > MAX_SET_CHARS {
                    return Err(Error::InvalidArgument(format!(
                        "side {name}: the query {text:?} selects {} speeches with more than {} \
                         million characters, more than diff reads as one text (it needs about \
                         100 bytes of memory per character); narrow the query, for example with \
                         year: or region:",
                        docs.len(),
                        MAX_SET_CHARS / 1_000_000
                    )));
                }
                speeches.push(s);
            }
            speeches.sort_by(|x, y| {
                (&x.region, &x.date, x.year, &x.id).cmp(&(&y.region, &y.date, y.year, &y.id))
            });
            Ok(Resolved {
                label: text.clone(),
                title: None,
                texts: speeches.into_iter().map(|s| text_of(s, &boilerplate)).collect(),
            })
        }
    }
}

fn text_of(s: StoredSpeech, boilerplate: &Boilerplate) -> DiffText {
    let statistics = match statistics_text(&s, boilerplate) {
        Cow::Owned(text) => Some(text),
        Cow::Borrowed(_) => None,
    };
    DiffText { id: s.id, body: s.body.unwrap_or_default(), statistics }
}

/// A note when the two sides share speeches: their sentences are then unchanged by
/// construction and their phrases neither new nor dropped, so the diff understates the change.
fn overlap_warning(a: &Resolved, b: &Resolved) -> Option<String> {
    let ids: std::collections::HashSet<&str> = a.texts.iter().map(|t| t.id.as_str()).collect();
    let shared = b.texts.iter().filter(|t| ids.contains(t.id.as_str())).count();
    (shared > 0).then(|| {
        let what = if shared == 1 { "speech" } else { "speeches" };
        format!(
            "A ({}) and B ({}) share {shared} {what} (A has {}, B {}): shared speeches count as \
             unchanged; add `-…` to one query to make the sets disjoint",
            a.label,
            b.label,
            a.texts.len(),
            b.texts.len()
        )
    })
}

/// Compares two sides of the index.
pub fn diff(index: &SpeechIndex, req: &DiffRequest) -> Result<SpeechDiff> {
    let a = resolve(index, &req.a, 'A')?;
    let b = resolve(index, &req.b, 'B')?;
    let words = WordsTokenizer::new(&index.settings.user_dicts).prefolded();
    let mut out = diff_texts(&a.texts, &b.texts, &words, &req.options);
    out.warnings.extend(overlap_warning(&a, &b));
    (out.a.label, out.a.title) = (a.label, a.title);
    (out.b.label, out.b.title) = (b.label, b.title);
    Ok(out)
}

/// Compares two lists of texts, each read as one text in the order given (labels are left
/// empty). `words` must be a tokenizer for folded text ([`WordsTokenizer::prefolded`]).
pub fn diff_texts(
    a: &[DiffText],
    b: &[DiffText],
    words: &WordsTokenizer,
    options: &DiffOptions,
) -> SpeechDiff {
    let sa = side_sentences(a);
    let sb = side_sentences(b);
    let ops = align::align(&sa, &sb, options.min_similarity);
    let mut out = SpeechDiff {
        a: side_info(a, &sa),
        b: side_info(b, &sb),
        min_similarity: options.min_similarity,
        unchanged: 0,
        moved: 0,
        totals: Totals::default(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        new_phrases: Vec::new(),
        dropped_phrases: Vec::new(),
        warnings: Vec::new(),
    };
    list_changes(&mut out, &ops, (a, &sa), (b, &sb));
    out.totals = Totals {
        added: out.added.len() as u64,
        removed: out.removed.len() as u64,
        changed: out.changed.len() as u64,
        ..Totals::default()
    };
    if let Some(limit) = options.sentence_limit {
        out.added.truncate(limit);
        out.removed.truncate(limit);
        out.changed.truncate(limit);
    }
    let phrase_text = |t: &DiffText| fold(t.statistics.as_deref().unwrap_or(&t.body));
    let folded_a: Vec<String> = a.iter().map(phrase_text).collect();
    let folded_b: Vec<String> = b.iter().map(phrase_text).collect();
    let f = phrases::formulations(
        &phrases::FoldedSide { texts: &folded_a },
        &phrases::FoldedSide { texts: &folded_b },
        words,
        options.phrase_limit,
    );
    out.totals.new_phrases = f.new_total as u64;
    out.totals.dropped_phrases = f.dropped_total as u64;
    (out.new_phrases, out.dropped_phrases) = (f.new, f.dropped);
    out
}

fn side_sentences(texts: &[DiffText]) -> Vec<Sentence> {
    texts.iter().enumerate().flat_map(|(k, t)| sentences::split(&t.body, k)).collect()
}

fn side_info(texts: &[DiffText], sentences: &[Sentence]) -> DiffSide {
    DiffSide {
        label: String::new(),
        title: None,
        docs: texts.len() as u64,
        ids: texts.iter().take(20).map(|t| t.id.clone()).collect(),
        sentences: sentences.len() as u64,
        chars: texts.iter().map(|t| t.body.chars().count() as u64).sum(),
        hard_wrapped: texts.iter().filter(|t| sentences::is_hard_wrapped(&t.body)).count() as u64,
    }
}

/// Fills the lists and counts of `out` from the alignment.
fn list_changes(
    out: &mut SpeechDiff,
    ops: &[Op],
    (a, sa): (&[DiffText], &[Sentence]),
    (b, sb): (&[DiffText], &[Sentence]),
) {
    let change = |order: u64, s: &Sentence, texts: &[DiffText]| SentenceChange {
        order,
        text: s.text.clone(),
        id: texts[s.doc].id.clone(),
        paragraph: s.paragraph,
        section: s.section.clone(),
    };
    let mut order = 0;
    for op in ops {
        match *op {
            Op::Same { .. } => out.unchanged += 1,
            Op::Moved { .. } => {
                out.unchanged += 1;
                out.moved += 1;
            }
            Op::Removed { a: x } => {
                order += 1;
                out.removed.push(change(order, &sa[x], a));
            }
            Op::Added { b: y } => {
                order += 1;
                out.added.push(change(order, &sb[y], b));
            }
            Op::Changed { a: x, b: y, similarity } => {
                order += 1;
                let (old, new) = (&sa[x], &sb[y]);
                out.changed.push(ChangedSentence {
                    order,
                    marks: align::marks(&old.text, &new.text),
                    old: old.text.clone(),
                    new: new.text.clone(),
                    similarity: (similarity * 1000.0).round() / 1000.0,
                    id_old: a[old.doc].id.clone(),
                    id_new: b[new.doc].id.clone(),
                    paragraph_old: old.paragraph,
                    paragraph_new: new.paragraph,
                    section_old: old.section.clone(),
                    section_new: new.section.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(bodies: &[&str]) -> Vec<DiffText> {
        bodies
            .iter()
            .enumerate()
            .map(|(k, b)| DiffText { id: format!("t{k}"), body: b.to_string(), statistics: None })
            .collect()
    }

    fn run(a: &[&str], b: &[&str]) -> SpeechDiff {
        let words = WordsTokenizer::new(&[]).prefolded();
        diff_texts(&texts(a), &texts(b), &words, &DiffOptions::default())
    }

    #[test]
    fn a_small_report_diff() {
        let a = "一、工作回顾\n过去一年很不平凡。\n二、今年任务\n积极的财政政策要适度加力、提质增效。稳健的货币政策要灵活适度、精准有效。\n加强生态保护。";
        let b = "一、工作回顾\n过去一年很不平凡！\n二、今年任务\n实施更加积极的财政政策。推动更多资金资源“投资于人”。\n加强生态保护。";
        let d = run(&[a], &[b]);
        assert_eq!(d.unchanged, 4, "{d:#?}");
        assert_eq!(d.changed.len(), 1);
        let c = &d.changed[0];
        assert_eq!(
            (c.old.as_str(), c.new.as_str()),
            ("积极的财政政策要适度加力、提质增效。", "实施更加积极的财政政策。")
        );
        assert_eq!((c.paragraph_old, c.paragraph_new), (4, 4));
        assert_eq!(c.section_new.as_deref(), Some("二、今年任务"));
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].text, "稳健的货币政策要灵活适度、精准有效。");
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].text, "推动更多资金资源“投资于人”。");
        // Document order: changed pair, then the removed and the added sentence.
        assert_eq!((c.order, d.removed[0].order, d.added[0].order), (1, 2, 3));
        assert!(d.new_phrases.iter().any(|f| f.phrase == "投资于人"), "{:?}", d.new_phrases);
        assert!(
            d.dropped_phrases.iter().any(|f| f.phrase == "适度加力"),
            "{:?}",
            d.dropped_phrases
        );
        assert_eq!((d.a.sentences, d.b.sentences, d.a.docs), (6, 6, 1));
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let t = "一、回顾\n我们做了很多工作。成绩来之不易。";
        let d = run(&[t], &[t]);
        assert_eq!((d.unchanged, d.added.len(), d.removed.len(), d.changed.len()), (3, 0, 0, 0));
        assert!(d.new_phrases.is_empty() && d.dropped_phrases.is_empty());
        let json = serde_json::to_value(&d).unwrap();
        for key in ["added", "removed", "changed", "unchanged", "new_phrases", "dropped_phrases"] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn limits_cut_the_lists_but_not_the_totals() {
        let words = WordsTokenizer::new(&[]).prefolded();
        let opts =
            DiffOptions { sentence_limit: Some(1), phrase_limit: 1, ..DiffOptions::default() };
        let d = diff_texts(
            &texts(&["甲。"]),
            &texts(&["人工智能发展很快。量子科技取得突破。具身智能开始应用。"]),
            &words,
            &opts,
        );
        assert_eq!((d.added.len(), d.totals.added), (1, 3));
        assert_eq!(d.new_phrases.len(), 1);
        assert!(d.totals.new_phrases >= 3);
    }
}
