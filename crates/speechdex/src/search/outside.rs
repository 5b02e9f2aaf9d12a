//! Counting outside boilerplate (`search`, `trend`, `kwic --no-boilerplate`, issue 16).
//!
//! By default every count is over the whole text, as Ctrl-F counts. Asked to leave boilerplate
//! out ([`crate::analysis::boilerplate`]: page furniture, a licence footer repeated across the
//! index), an occurrence that starts or ends on a boilerplate line does not count.
//!
//! **Only speeches that may have boilerplate are read.** The index's `lines` column holds the
//! hashes of each speech's short lines and a mark for furniture
//! ([`crate::analysis::boilerplate::line_hashes`]); a speech none of whose lines is furniture or
//! repeated keeps its exact counts from the postings. The others are read from the doc store,
//! their boilerplate lines found, and the occurrences on them dropped.

use std::sync::Arc;

use tantivy::columnar::Column;
use tantivy::{DocId, SegmentReader};

use super::snippet::find_matches;
use super::spaceless::{Equivalence, find_in_text, segment_texts};
use crate::Result;
use crate::analysis::boilerplate::Boilerplate;
use crate::index::Fields;
use crate::index::cache::PhraseCounts;
use crate::index::schema::names;

/// Leaves the boilerplate of one segment's speeches out of their occurrences.
pub struct Outside<'a> {
    boilerplate: &'a Boilerplate,
    seg: &'a SegmentReader,
    body: tantivy::schema::Field,
    lines: Column<u64>,
}

impl<'a> Outside<'a> {
    /// For one segment, with the index's boilerplate (`SpeechIndex::boilerplate`).
    pub fn new(
        boilerplate: &'a Boilerplate,
        seg: &'a SegmentReader,
        fields: &Fields,
    ) -> Result<Outside<'a>> {
        let lines = seg.fast_fields().u64(names::LINES)?;
        Ok(Outside { boilerplate, seg, body: fields.body, lines })
    }

    /// Whether `doc` may have boilerplate (its lines column holds furniture or a repeated
    /// line): only those are read.
    pub fn may_touch(&self, doc: DocId) -> bool {
        self.boilerplate.may_touch(self.lines.values_for_doc(doc))
    }

    /// The counts of `phrase` without its occurrences on boilerplate lines: `counts` (the
    /// phrase's exact or whitespace-ignoring counts in the segment) with the speeches that may
    /// have boilerplate counted again in their text; speeches left with none are dropped.
    pub fn counts(
        &self,
        phrase: &str,
        counts: &PhraseCounts,
        ignore_space: bool,
    ) -> Result<PhraseCounts> {
        let mut load = segment_texts(self.seg, self.body);
        let mut out = PhraseCounts::default();
        for (doc, count) in counts.iter() {
            let count = if self.may_touch(doc) {
                let text: String = load(doc)?.iter().collect();
                let mut spans = occurrences(&text, phrase, ignore_space);
                self.keep(&text, &mut spans);
                u32::try_from(spans.len()).unwrap_or(u32::MAX)
            } else {
                count
            };
            if count > 0 {
                out.docs.push(doc);
                out.counts.push(count);
            }
        }
        Ok(out)
    }

    /// Drops from `spans` (`[start, end)` character offsets in `text`, the text of a speech
    /// that may have boilerplate) the occurrences that start or end on a boilerplate line.
    pub fn keep(&self, text: &str, spans: &mut Vec<[u32; 2]>) {
        keep_outside(self.boilerplate, text, spans);
    }
}

/// Drops from `spans` (`[start, end)` character offsets in `text`) the occurrences that start
/// or end on a boilerplate line of `text`.
pub fn keep_outside(boilerplate: &Boilerplate, text: &str, spans: &mut Vec<[u32; 2]>) {
    let ranges = boilerplate_ranges(boilerplate, text);
    if !ranges.is_empty() {
        spans.retain(|&span| !on_boilerplate(&ranges, span));
    }
}

/// The occurrences of `phrase` in `text`: exact after folding (non-overlapping), or ignoring
/// whitespace.
fn occurrences(text: &str, phrase: &str, ignore_space: bool) -> Vec<[u32; 2]> {
    if ignore_space {
        find_in_text(text, phrase, Equivalence::Whitespace)
    } else {
        find_matches(text, &[phrase]).into_iter().map(|(s, e)| [s as u32, e as u32]).collect()
    }
}

/// The `[start, end)` character ranges of the boilerplate lines of `text`, ascending.
pub fn boilerplate_ranges(boilerplate: &Boilerplate, text: &str) -> Vec<[u32; 2]> {
    let mut out = Vec::new();
    let mut start = 0u32;
    for (line, blank) in text.split('\n').zip(boilerplate.lines(text)) {
        let len = line.chars().count() as u32;
        if blank && len > 0 {
            out.push([start, start + len]);
        }
        start += len + 1;
    }
    out
}

/// Whether the occurrence `[start, end)` starts or ends inside one of `ranges` (ascending, from
/// [`boilerplate_ranges`]).
pub fn on_boilerplate(ranges: &[[u32; 2]], [start, end]: [u32; 2]) -> bool {
    let inside = |c: u32| {
        let k = ranges.partition_point(|r| r[1] <= c);
        ranges.get(k).is_some_and(|r| r[0] <= c)
    };
    inside(start) || inside(end.saturating_sub(1).max(start))
}

/// An index's boilerplate for options that leave it out; `None`: count everything.
pub type LeaveOut = Option<Arc<Boilerplate>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_boilerplate_lines() {
        let b = Boilerplate::none();
        let text = "讲话。\n下载\n打印\n全屏\n发展。";
        assert_eq!(boilerplate_ranges(&b, text), [[4, 6], [7, 9], [10, 12]]);
        assert!(boilerplate_ranges(&b, "讲话。\n发展。").is_empty());
    }
}
