//! Scope groups: phrases that must occur together in one sentence or paragraph
//! (`SENT(…)`/`PARA(…)`, `search/trend/kwic --within`).
//!
//! **Candidates come from the index.** A group is *anchored* ([`Node::is_anchored`]): every way
//! of satisfying it needs a phrase, so the speeches holding the required phrases (exact field
//! postings: [`super::exact::phrase_counts`]) are the only ones read. Then the **scope check runs
//! on the stored text** of those speeches: the text is cut into sentences or paragraphs
//! ([`crate::analysis::sentences`]), and the group is evaluated in each of them — a phrase
//! holds where it occurs inside that unit (a substring of the folded unit, or ignoring
//! whitespace with [`super::spaceless::find_in_text`]), `-phrase` where it does not, `|` where
//! either does; fields, years and dates hold for every unit of a speech they select.
//!
//! **What counts.** A unit where the group holds *qualifies*. The hits of a scoped phrase are its
//! occurrences inside qualifying units (non-overlapping, left to right in each unit, as
//! `str::matches` counts them in the unit's folded text); an occurrence that a sentence end cuts
//! is in no sentence and never counts. `units` is the number of qualifying units.

use std::collections::HashMap;

use tantivy::{DocId, SegmentReader};

use super::matcher::MatchOptions;
use super::query::{Node, Scope};
use super::spaceless::{Equivalence, find_in_text};
use crate::Result;
use crate::analysis::fold;
use crate::analysis::sentences::units;

/// What a scope group found in one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InText {
    /// The sentences or paragraphs where the group holds.
    pub units: u64,
    /// Per positive phrase of the group (in [`Node::positive_phrases`] order): its occurrences
    /// inside those units, `[start, end)` character offsets in the text, ascending.
    pub spans: Vec<Vec<[u32; 2]>>,
}

impl InText {
    /// Whether the group holds somewhere in the text.
    pub fn holds(&self) -> bool {
        self.units > 0
    }
}

/// Every phrase of `node` (negated ones included), each once, in query order.
fn all_phrases(node: &Node) -> Vec<&str> {
    fn walk<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
        match node {
            Node::Phrase { text, .. } => {
                if !out.contains(&text.as_str()) {
                    out.push(text);
                }
            }
            Node::And(children) | Node::Or(children) => children.iter().for_each(|c| walk(c, out)),
            Node::Not(child) | Node::Scope { node: child, .. } => walk(child, out),
            Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => {}
        }
    }
    let mut out = Vec::new();
    walk(node, &mut out);
    out
}

/// Whether `node` holds in a unit where `present` tells which phrases occur; `meta` answers the
/// fields, years and dates (those of the speech).
fn holds(node: &Node, present: &dyn Fn(&str) -> bool, meta: &dyn Fn(&Node) -> bool) -> bool {
    match node {
        Node::Phrase { text, .. } => present(text),
        Node::Field { .. } | Node::Year { .. } | Node::Date { .. } => meta(node),
        Node::And(children) => children.iter().all(|c| holds(c, present, meta)),
        Node::Or(children) => children.iter().any(|c| holds(c, present, meta)),
        Node::Not(child) => !holds(child, present, meta),
        Node::Scope { node, .. } => holds(node, present, meta),
    }
}

/// Non-overlapping occurrences of the folded `phrase` in `chars[from..to]` (folded text),
/// left to right, as `[start, end)` offsets in `chars`.
fn occurrences(chars: &[char], from: usize, to: usize, phrase: &[char]) -> Vec<[u32; 2]> {
    let mut out = Vec::new();
    if phrase.is_empty() {
        return out;
    }
    let mut i = from;
    while i + phrase.len() <= to {
        if chars[i..i + phrase.len()] == *phrase {
            out.push([i as u32, (i + phrase.len()) as u32]);
            i += phrase.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Evaluates the scope group `node` (its content, without the `Scope` node) in every sentence or
/// paragraph of `body`. `meta` answers the fields, years and dates of the speech; with
/// `ignore_space`, phrases match ignoring whitespace.
pub fn in_text(
    body: &str,
    scope: Scope,
    node: &Node,
    meta: &dyn Fn(&Node) -> bool,
    ignore_space: bool,
) -> InText {
    let phrases = all_phrases(node);
    let positive = node.positive_phrases();
    let folded: Vec<char> = fold(body).chars().collect();
    let original: Vec<char> = if ignore_space { body.chars().collect() } else { Vec::new() };
    let folded_phrases: Vec<Vec<char>> =
        phrases.iter().map(|p| fold(p).chars().collect()).collect();
    let mut out = InText { units: 0, spans: vec![Vec::new(); positive.len()] };
    for unit in units(body, scope) {
        let (from, to) = (unit.start.min(folded.len()), unit.end.min(folded.len()));
        let found: Vec<Vec<[u32; 2]>> = if ignore_space {
            let text: String = original[from..to].iter().collect();
            phrases
                .iter()
                .map(|p| {
                    let shift = |[s, e]: [u32; 2]| [s + from as u32, e + from as u32];
                    find_in_text(&text, p, Equivalence::Whitespace).into_iter().map(shift).collect()
                })
                .collect()
        } else {
            folded_phrases.iter().map(|p| occurrences(&folded, from, to, p)).collect()
        };
        let present = |text: &str| {
            phrases.iter().position(|p| *p == text).is_some_and(|k| !found[k].is_empty())
        };
        if !holds(node, &present, meta) {
            continue;
        }
        out.units += 1;
        for (k, p) in positive.iter().enumerate() {
            if let Some(j) = phrases.iter().position(|q| q == p) {
                out.spans[k].extend_from_slice(&found[j]);
            }
        }
    }
    out
}

/// One document of a segment where a scope group holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InDoc {
    /// The document.
    pub doc: DocId,
    /// What the group found in its text.
    pub found: InText,
}

/// Evaluates the scope group `node` in the stored texts of the documents `candidates` (ascending)
/// of one segment, read from the stored field `body`; `meta(node, doc)` answers the fields,
/// years and dates. Returns the documents where it holds, ascending. With
/// [`MatchOptions::outside`], the boilerplate lines of a text are blanked first.
pub fn in_segment(
    seg: &SegmentReader,
    body: tantivy::schema::Field,
    scope: Scope,
    node: &Node,
    candidates: &[DocId],
    meta: &dyn Fn(&Node, DocId) -> bool,
    options: &MatchOptions,
) -> Result<Vec<InDoc>> {
    let mut load = super::spaceless::segment_texts(seg, body);
    let mut out = Vec::new();
    for &doc in candidates {
        let chars = load(doc)?;
        let mut text: String = chars.iter().collect();
        if let Some(b) = &options.outside {
            text = b.blank(&text).into_owned();
        }
        let found = in_text(&text, scope, node, &|n| meta(n, doc), options.ignore_space);
        if found.holds() {
            out.push(InDoc { doc, found });
        }
    }
    Ok(out)
}

/// A document and, per term, its occurrences inside the units holding every term.
pub type TermsInDoc = (DocId, Vec<Vec<[u32; 2]>>);

/// The terms of `trend`/`kwic --within`: the documents of one segment (among `candidates`,
/// ascending: those holding every term) where all `terms` occur together in one unit, with the
/// occurrences of each term inside such units (in the order of `terms`, duplicates merged).
pub fn terms_in_segment(
    seg: &SegmentReader,
    body: tantivy::schema::Field,
    scope: Scope,
    terms: &[String],
    candidates: &[DocId],
    options: &MatchOptions,
) -> Result<Vec<TermsInDoc>> {
    let node = Node::and(
        terms
            .iter()
            .map(|t| Node::Phrase { text: t.clone(), span: super::query::Span::default() })
            .collect(),
    );
    let positive = node.positive_phrases();
    let found = in_segment(seg, body, scope, &node, candidates, &|_, _| true, options)?;
    let index: HashMap<&str, usize> = positive.iter().enumerate().map(|(k, p)| (*p, k)).collect();
    Ok(found
        .into_iter()
        .map(|d| {
            let per_term = terms
                .iter()
                .map(|t| {
                    index.get(t.as_str()).map(|&k| d.found.spans[k].clone()).unwrap_or_default()
                })
                .collect();
            (d.doc, per_term)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn group(query: &str) -> (Scope, Node) {
        match parse(query).unwrap() {
            Node::Scope { scope, node, .. } => (scope, *node),
            other => panic!("not a group: {other:?}"),
        }
    }

    fn found(body: &str, query: &str) -> InText {
        let (scope, node) = group(query);
        in_text(body, scope, &node, &|_| true, false)
    }

    const BODY: &str =
        "人工智能赋能实体经济。人工智能很重要！\n实体经济是根基，人工智能也是。\n无关的一段";

    #[test]
    fn a_sentence_qualifies_when_the_group_holds_in_it() {
        let f = found(BODY, "SENT(人工智能 实体经济)");
        assert_eq!(f.units, 2);
        assert_eq!(f.spans, [vec![[0, 4], [28, 32]], vec![[6, 10], [20, 24]]]);
        let f = found(BODY, "SENT(人工智能 -实体经济)");
        assert_eq!((f.units, f.spans.clone()), (1, vec![vec![[11, 15]]]), "negation per sentence");
        let f = found(BODY, "PARA(人工智能 实体经济)");
        assert_eq!(f.units, 2);
        assert_eq!(f.spans[0].len(), 3, "every 人工智能 of both paragraphs");
        assert_eq!(found(BODY, "SENT(人工智能 根基)").units, 1);
        assert_eq!(found(BODY, "SENT(无关 | 很重要)").units, 2);
        assert!(!found(BODY, "SENT(无关 人工智能)").holds());
        assert!(!found(BODY, "PARA(根基 赋能)").holds(), "different paragraphs");
    }

    #[test]
    fn occurrences_cut_by_a_sentence_end_count_nowhere_and_folding_applies() {
        assert!(!found("甲乙。丙丁", "SENT(乙。丙)").holds());
        assert_eq!(found("甲乙。丙丁", "PARA(乙。丙)").units, 1);
        let f = found("新質生產力，ＡＩ。", "SENT(新质生产力 ai)");
        assert_eq!(f.spans, [vec![[0, 5]], vec![[6, 8]]]);
        let f = found("哈哈哈哈哈。", "SENT(哈哈)");
        assert_eq!(f.spans, [vec![[0, 2], [2, 4]]], "non-overlapping, as str::matches");
    }

    #[test]
    fn ignoring_space_matches_across_whitespace_inside_the_unit() {
        let (scope, node) = group("SENT(李强 报告)");
        let f = in_text("总理李　强作报告。李\n强", scope, &node, &|_| true, true);
        assert_eq!(f.spans, [vec![[2, 5]], vec![[6, 8]]], "the line break ends the paragraph");
    }

    #[test]
    fn fields_are_the_speech_s() {
        let (scope, node) = group("SENT(人工智能 title:报告)");
        assert!(in_text(BODY, scope, &node, &|_| true, false).holds());
        assert!(!in_text(BODY, scope, &node, &|_| false, false).holds());
    }
}
