//! New and dropped formulations: phrases one side uses and the other never does.
//!
//! A **phrase** is what [`crate::stats::ngrams::phrase_spans`] cuts (the one phrase extraction
//! of `diff` and `ngrams`): a run of 2 to 8 characters of consecutive jieba words (so a phrase
//! never starts or ends inside a word) with no whitespace or punctuation in it, whose first and
//! last words are counted words ([`crate::stats::words::is_counted`]: no stopword, no bare
//! number). So 投资于人 and 适度加力 are phrases, 要适度加力 (要 is a stopword), 5%左右 and 的货币
//! are not.
//!
//! A phrase is **new** when B has it and A has it nowhere (not even inside another word:
//! absence is a substring test over A's folded texts), **dropped** the other way round. Among
//! those:
//!
//! * **maximal**: a phrase is left out when a longer new (or dropped) phrase contains it and
//!   occurs as often, since the longer one carries the same occurrences (具身 goes, 具身智能
//!   stays);
//! * **one per place**: phrases are taken by rank, and one is left out when each of its
//!   occurrences overlaps an occurrence of a phrase already taken that it does not contain (of
//!   发展具身智能 and 具身智能产业, the second adds nothing; 适度加力 stays beside 适度);
//! * **ranked** so that a reader sees the formulations first, not the ordinary words a report
//!   happens not to use the other year (G² alone ranks by count: 时间 and 动态, four times each,
//!   came before the one-off “投资于人”, at rank 217 of the 2024 → 2025 national reports):
//!   first the `quoted` phrases, those that stand in quotation marks on their side (“投资于人”,
//!   “两重”, “好房子”; the reports quote what they name as a formulation), then the others;
//!   within each, by the log-likelihood G² of the count on its side against 0 on the other, over
//!   the two sides' characters ([`crate::stats::compare::log_likelihood`]); ties: a phrase that
//!   is a `clause` (stands between punctuation somewhere: a list item such as 具身智能 in
//!   生物制造、量子科技、具身智能), then the one closer to four characters (the 四字格 of most
//!   formulations), then the earlier one.
//!
//! Counts are exact: non-overlapping occurrences in the folded texts, as `rg -F -o` counts them.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::sentences::is_ignorable;
use crate::analysis::WordsTokenizer;
use crate::stats::compare::log_likelihood;
use crate::stats::ngrams::phrase_spans;

/// Shortest phrase, in characters.
pub const MIN_CHARS: usize = 2;
/// Longest phrase, in characters.
pub const MAX_CHARS: usize = 8;

/// A formulation one side uses and the other does not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Formulation {
    /// The phrase (folded).
    pub phrase: String,
    /// Occurrences in A (non-overlapping, as `rg -F -o` counts them).
    pub count_a: u64,
    /// Occurrences in B.
    pub count_b: u64,
    /// Log-likelihood G² of the two counts over the two sides' characters.
    pub g2: f64,
    /// It stands in quotation marks (“…”, 「…」, ‘…’) somewhere on its side.
    pub quoted: bool,
    /// It stands between punctuation (or line ends) somewhere on its side.
    pub clause: bool,
}

/// The new and dropped formulations, ranked.
#[derive(Debug, Clone, Default)]
pub struct Formulations {
    /// In B, not in A: the first `limit`.
    pub new: Vec<Formulation>,
    /// In A, not in B: the first `limit`.
    pub dropped: Vec<Formulation>,
    /// How many new phrases there are in all.
    pub new_total: usize,
    /// How many dropped phrases there are in all.
    pub dropped_total: usize,
}

/// One side's texts, folded.
pub struct FoldedSide<'a> {
    /// The folded texts.
    pub texts: &'a [String],
}

impl FoldedSide<'_> {
    fn chars(&self) -> u64 {
        self.texts.iter().map(|t| t.chars().count() as u64).sum()
    }

    /// Non-overlapping occurrences of `phrase`.
    fn count(&self, phrase: &str) -> u64 {
        self.texts.iter().map(|t| t.matches(phrase).count() as u64).sum()
    }
}

/// Occurrences of every 2–8-character string of a side, as sorted hashes (with repeats).
struct Grams(Vec<u64>);

impl Grams {
    /// Occurrences of `phrase` (overlapping ones included).
    fn count(&self, phrase: &str) -> u64 {
        let h = hash(phrase);
        let from = self.0.partition_point(|&x| x < h);
        let to = self.0.partition_point(|&x| x <= h);
        (to - from) as u64
    }
}

/// The new (B, not A) and dropped (A, not B) formulations of two sides, the first `limit` of
/// each with exact counts.
pub fn formulations(
    a: &FoldedSide<'_>,
    b: &FoldedSide<'_>,
    words: &WordsTokenizer,
    limit: usize,
) -> Formulations {
    let (na, nb) = (a.chars(), b.chars());
    let (grams_a, grams_b) = (all_ngrams(a.texts), all_ngrams(b.texts));
    let mut lists = [side_only(b, &grams_a, words), side_only(a, &grams_b, words)];
    let totals = [lists[0].len(), lists[1].len()];
    for list in &mut lists {
        // Ranked with substring counts (a phrase may also occur where it is not whole words),
        // keeping the order of ties; then exact, non-overlapping counts for those listed.
        for f in list.iter_mut() {
            (f.count_a, f.count_b) = (grams_a.count(&f.phrase), grams_b.count(&f.phrase));
            f.g2 = log_likelihood(f.count_a, f.count_b, na, nb);
        }
        list.sort_by(rank);
        list.truncate(limit);
        for f in list.iter_mut() {
            (f.count_a, f.count_b) = (a.count(&f.phrase), b.count(&f.phrase));
            f.g2 = log_likelihood(f.count_a, f.count_b, na, nb);
        }
        list.sort_by(rank);
    }
    let [new, dropped] = lists;
    Formulations { new, dropped, new_total: totals[0], dropped_total: totals[1] }
}

/// The order of a list (a stable sort keeps the order of ties, the earlier first): quoted,
/// then by G², then clauses, then closer to four characters.
fn rank(x: &Formulation, y: &Formulation) -> std::cmp::Ordering {
    let off_four = |f: &Formulation| f.phrase.chars().count().abs_diff(4);
    y.quoted
        .cmp(&x.quoted)
        .then(y.g2.total_cmp(&x.g2))
        .then(y.clause.cmp(&x.clause))
        .then(off_four(x).cmp(&off_four(y)))
}

/// Whether `c` opens a quotation.
fn opens_quote(c: char) -> bool {
    matches!(c, '“' | '‘' | '「' | '『' | '"' | '\'')
}

/// Whether `c` closes a quotation.
fn closes_quote(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '"' | '\'')
}

/// Hash of a phrase's UTF-8 bytes.
fn hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

/// Hashes of every 2–8-character substring of `texts` without whitespace or punctuation,
/// sorted, with repeats: what "occurs on this side" is tested against, and counted with.
fn all_ngrams(texts: &[String]) -> Grams {
    let mut out = Vec::new();
    for text in texts {
        let bounds: Vec<(usize, char)> = text.char_indices().collect();
        let mut run_start = 0;
        for k in 0..=bounds.len() {
            if k < bounds.len() && !is_ignorable(bounds[k].1) {
                continue;
            }
            // A run of phrase characters: bounds[run_start..k].
            for s in run_start..k {
                for e in (s + MIN_CHARS)..=(s + MAX_CHARS).min(k) {
                    let end = bounds.get(e).map_or(text.len(), |b| b.0);
                    out.push(hash(&text[bounds[s].0..end]));
                }
            }
            run_start = k + 1;
        }
    }
    out.sort_unstable();
    Grams(out)
}

/// Where a phrase occurs: text, first and one-past-last character.
type Occurrence = (u32, u32, u32);

/// Phrases of `own` absent from `other`, maximal, one per place, ranked by their word-aligned
/// counts (the caller fills in the counts).
fn side_only(own: &FoldedSide<'_>, other: &Grams, words: &WordsTokenizer) -> Vec<Formulation> {
    let absent = |p: &str| other.count(p) == 0;
    let mut occ: HashMap<&str, Vec<Occurrence>> = HashMap::new();
    let mut clause: HashSet<&str> = HashSet::new();
    let mut quoted: HashSet<&str> = HashSet::new();
    for (t, text) in own.texts.iter().enumerate() {
        let offsets: Vec<usize> =
            text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
        let chars: Vec<char> = text.chars().collect();
        let ws = words.words(text);
        phrase_spans(&chars, &ws, MIN_CHARS, MAX_CHARS, |start, end| {
            let phrase = &text[offsets[start]..offsets[end]];
            if !absent(phrase) {
                return;
            }
            occ.entry(phrase).or_default().push((t as u32, start as u32, end as u32));
            let before = start.checked_sub(1).and_then(|k| chars.get(k)).copied();
            let after = chars.get(end).copied();
            let edge = |k: Option<char>| k.is_none_or(is_ignorable);
            if edge(before) && edge(after) {
                clause.insert(phrase);
            }
            if before.is_some_and(opens_quote) && after.is_some_and(closes_quote) {
                quoted.insert(phrase);
            }
        });
    }
    let maximal = drop_contained(&occ);
    let mut ranked: Vec<(&str, &Vec<Occurrence>)> =
        occ.iter().filter(|(p, _)| maximal.contains(*p)).map(|(p, o)| (*p, o)).collect();
    ranked.sort_by(|x, y| {
        let len = |p: &str| p.chars().count();
        quoted
            .contains(y.0)
            .cmp(&quoted.contains(x.0))
            .then(y.1.len().cmp(&x.1.len()))
            .then(clause.contains(y.0).cmp(&clause.contains(x.0)))
            .then(len(x.0).cmp(&len(y.0)))
            .then(x.1[0].cmp(&y.1[0]))
    });
    let mut taken: HashMap<u32, BTreeSet<(u32, u32)>> = HashMap::new();
    let mut out = Vec::new();
    for (phrase, places) in ranked {
        if places.iter().all(|o| overlaps(&taken, *o)) {
            continue;
        }
        for &(t, s, e) in places {
            taken.entry(t).or_default().insert((s, e));
        }
        out.push(Formulation {
            phrase: phrase.to_string(),
            count_a: 0,
            count_b: 0,
            g2: 0.0,
            quoted: quoted.contains(phrase),
            clause: clause.contains(phrase),
        });
    }
    out
}

/// The phrases not contained in a longer phrase with as many occurrences.
fn drop_contained<'a>(occ: &HashMap<&'a str, Vec<Occurrence>>) -> HashSet<&'a str> {
    let mut contained: HashSet<&str> = HashSet::new();
    for (q, places) in occ {
        let bounds: Vec<usize> =
            q.char_indices().map(|(i, _)| i).chain(std::iter::once(q.len())).collect();
        let n = bounds.len() - 1;
        for s in 0..n {
            for e in (s + MIN_CHARS)..=n {
                if e - s == n {
                    continue;
                }
                let p = &q[bounds[s]..bounds[e]];
                if let Some((key, o)) = occ.get_key_value(p)
                    && o.len() == places.len()
                {
                    contained.insert(*key);
                }
            }
        }
    }
    occ.keys().filter(|p| !contained.contains(*p)).copied().collect()
}

/// Whether the occurrence overlaps an occurrence already taken in its text, other than one
/// it contains (适度加力 stays beside 适度).
fn overlaps(taken: &HashMap<u32, BTreeSet<(u32, u32)>>, (t, s, e): Occurrence) -> bool {
    let Some(spans) = taken.get(&t) else { return false };
    // Spans are at most MAX_CHARS long: one starting earlier cannot reach `s`.
    let from = s.saturating_sub(MAX_CHARS as u32);
    spans.range((from, 0)..(e, 0)).any(|&(s2, e2)| e2 > s && !(s <= s2 && e2 <= e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fold;

    fn run(a: &[&str], b: &[&str]) -> Formulations {
        let a: Vec<String> = a.iter().map(|t| fold(t)).collect();
        let b: Vec<String> = b.iter().map(|t| fold(t)).collect();
        let words = WordsTokenizer::new(&[]).prefolded();
        formulations(&FoldedSide { texts: &a }, &FoldedSide { texts: &b }, &words, 100)
    }

    fn phrases(list: &[Formulation]) -> Vec<&str> {
        list.iter().map(|f| f.phrase.as_str()).collect()
    }

    #[test]
    fn new_and_dropped_phrases_are_maximal_and_exact() {
        let f = run(
            &["积极的财政政策要适度加力、提质增效。培育量子科技、生物制造等未来产业。"],
            &[
                "实施更加积极的财政政策。推动更多资金资源“投资于人”。培育生物制造、量子科技、具身智能等未来产业。发展具身智能。",
            ],
        );
        let new = phrases(&f.new);
        // Quoted first, though it occurs once; then by count.
        assert_eq!(&new[..2], ["投资于人", "具身智能"], "{new:?}");
        assert!(f.new[0].quoted && !f.new[1].quoted, "{:?}", &f.new[..2]);
        assert!(!new.contains(&"具身"), "{new:?}");
        let dropped = phrases(&f.dropped);
        assert!(dropped.contains(&"适度加力"), "{dropped:?}");
        assert!(!dropped.iter().any(|p| p.starts_with('要')), "{dropped:?}");
        let j = &f.new[1];
        assert_eq!((j.count_a, j.count_b), (0, 2));
        assert!(j.g2 > 0.0);
        // Nothing listed occurs on the other side.
        for p in &f.new {
            assert_eq!(p.count_a, 0, "{p:?}");
        }
        for p in &f.dropped {
            assert_eq!(p.count_b, 0, "{p:?}");
        }
    }

    #[test]
    fn phrases_never_cross_punctuation_nor_hold_only_stopwords_or_numbers() {
        let f = run(&["无关的文字。"], &["我们的，2025年5%，人工智能！"]);
        for p in phrases(&f.new) {
            assert!(!p.contains(['，', ',', '!', '！']), "{p}");
            assert!(p != "我们的" && p != "2025" && !p.contains('%'), "{p}");
        }
        assert!(phrases(&f.new).contains(&"人工智能"));
        assert!(run(&["同样的话。"], &["同样的话。"]).new.is_empty());
    }

    #[test]
    fn one_off_formulations_rank_above_frequent_ordinary_words() {
        let f = run(
            &["今年工作任务。"],
            &["时间紧。时间短。时间长。推动“投资于人”。培育生物制造、具身智能。发展具身产业链条。"],
        );
        let new = phrases(&f.new);
        assert_eq!(new[0], "投资于人", "{new:?}");
        let time = new.iter().position(|p| *p == "时间").expect("时间 is new");
        assert_eq!(time, 1, "{new:?}");
        // Among phrases that occur once: the list item before the rest.
        let item = new.iter().position(|p| *p == "具身智能").unwrap();
        let rest =
            new.iter().position(|p| *p == "发展具身产业链").unwrap_or_else(|| panic!("{new:?}"));
        assert!(item < rest, "{new:?}");
        assert!(f.new[item].clause && !f.new[rest].clause);
    }

    #[test]
    fn overlapping_places_give_one_phrase() {
        let spans: HashMap<u32, BTreeSet<(u32, u32)>> =
            [(0, [(4, 8), (20, 22)].into_iter().collect())].into();
        assert!(overlaps(&spans, (0, 6, 10)));
        assert!(overlaps(&spans, (0, 2, 5)));
        assert!(overlaps(&spans, (0, 5, 7)));
        assert!(!overlaps(&spans, (0, 8, 10)));
        assert!(!overlaps(&spans, (0, 0, 4)));
        assert!(!overlaps(&spans, (1, 4, 8)));
        // Containing a taken occurrence is no overlap: the longer phrase says more.
        assert!(!overlaps(&spans, (0, 3, 9)));
        assert!(!overlaps(&spans, (0, 18, 22)));
    }
}
