//! Aligning the sentences of two texts, and marking the characters that changed in a pair.
//!
//! 1. **Sentence diff.** The two lists of sentence keys are diffed with the patience algorithm
//!    ([`similar`]): sentences that occur once on each side anchor the alignment, so that
//!    common short sentences do not pull unrelated passages into line. Runs of equal keys are
//!    *unchanged*; what lies between two anchors is a *region* of removed and added sentences.
//! 2. **Moves.** A removed sentence whose key is also among the added ones (anywhere in the
//!    text) was moved, not changed: it is counted as unchanged (and as moved), never listed.
//! 3. **Changed pairs.** In each region, a removed and an added sentence form a *changed* pair
//!    when their similarity is at least the threshold (default [`DEFAULT_MIN_SIMILARITY`]).
//!    Similarity is `2·M / (|a| + |b|)` over the keys' characters, M the length of their longest
//!    common subsequence (Myers diff), so 1 means equal and 0.5 means half of the characters
//!    are shared in order. Pairs keep the order of both texts; among such sets of pairs the one
//!    with the largest total similarity is taken (a weighted longest increasing subsequence).
//!    Candidates are the pairs whose keys share at least 2 character bigrams (a pair at the
//!    threshold of 0.5 shares far more) and whose lengths allow the threshold.
//! 4. **Marks.** The characters of a changed pair (folded, punctuation included) are diffed
//!    with Myers; a stretch of one unchanged character (or of punctuation only) between two
//!    changes is folded into them, so that `[-稳健-]{+适度宽松+}` reads as a change of words
//!    rather than of scattered characters.

use std::collections::HashMap;

use serde::Serialize;
use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::sentences::{Sentence, is_ignorable};
use crate::analysis::fold;

/// The default similarity from which a removed and an added sentence form a changed pair.
pub const DEFAULT_MIN_SIMILARITY: f64 = 0.5;

/// One step of an alignment; indices are positions in the two sentence lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The same sentence (equal keys) at its place on both sides.
    Same {
        /// Index in A.
        a: usize,
        /// Index in B.
        b: usize,
    },
    /// The same sentence (equal keys), moved elsewhere.
    Moved {
        /// Index in A.
        a: usize,
        /// Index in B.
        b: usize,
    },
    /// A sentence of A that B does not have.
    Removed {
        /// Index in A.
        a: usize,
    },
    /// A sentence of B that A does not have.
    Added {
        /// Index in B.
        b: usize,
    },
    /// A sentence of A rewritten as a sentence of B.
    Changed {
        /// Index in A.
        a: usize,
        /// Index in B.
        b: usize,
        /// Similarity of the keys (0–1).
        similarity: f64,
    },
}

/// Similarity of two keys: `2·M / (|a| + |b|)`, M the longest common subsequence of their
/// characters.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    similarity_chars(&a, &b)
}

fn similarity_chars(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common: usize = capture_diff_slices(Algorithm::Myers, a, b)
        .iter()
        .map(|op| match op {
            DiffOp::Equal { len, .. } => *len,
            _ => 0,
        })
        .sum();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Aligns the sentences of A and B (see the module documentation): every index of A and of B
/// occurs in exactly one op; `Same` ops are in increasing order on both sides; ops are in
/// document order (of B, and of A for removed sentences).
pub fn align(a: &[Sentence], b: &[Sentence], min_similarity: f64) -> Vec<Op> {
    let ka: Vec<&str> = a.iter().map(|s| s.key.as_str()).collect();
    let kb: Vec<&str> = b.iter().map(|s| s.key.as_str()).collect();
    let mut steps: Vec<Step> = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &ka, &kb) {
        match op {
            DiffOp::Equal { old_index, new_index, len } => {
                steps.extend((0..len).map(|k| Step::Same(old_index + k, new_index + k)))
            }
            other => {
                let (_, old, new) = other.as_tag_tuple();
                match steps.last_mut() {
                    Some(Step::Region(r, i)) => {
                        r.extend(old);
                        i.extend(new);
                    }
                    _ => steps.push(Step::Region(old.collect(), new.collect())),
                }
            }
        }
    }
    let moved = find_moves(&steps, &ka, &kb);
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    for step in steps {
        match step {
            Step::Same(x, y) => ops.push(Op::Same { a: x, b: y }),
            Step::Region(r, i) => {
                let r: Vec<usize> = r.into_iter().filter(|x| !moved.a.contains_key(x)).collect();
                let moved_here: Vec<Op> = i
                    .iter()
                    .filter_map(|y| moved.b.get(y).map(|&x| Op::Moved { a: x, b: *y }))
                    .collect();
                let i: Vec<usize> = i.into_iter().filter(|y| !moved.b.contains_key(y)).collect();
                let region = pair_region(&r, &i, a, b, min_similarity);
                ops.extend(merge_moved(region, moved_here));
            }
        }
    }
    ops
}

/// A run of the sentence diff: one unchanged sentence, or the removed and added sentences
/// between two unchanged ones.
enum Step {
    Same(usize, usize),
    Region(Vec<usize>, Vec<usize>),
}

/// Removed sentences whose key was added elsewhere: A index → B index and back.
struct Moves {
    a: HashMap<usize, usize>,
    b: HashMap<usize, usize>,
}

fn find_moves(steps: &[Step], ka: &[&str], kb: &[&str]) -> Moves {
    let mut added: HashMap<&str, std::collections::VecDeque<usize>> = HashMap::new();
    for step in steps {
        if let Step::Region(_, i) = step {
            for &y in i {
                added.entry(kb[y]).or_default().push_back(y);
            }
        }
    }
    let mut moves = Moves { a: HashMap::new(), b: HashMap::new() };
    for step in steps {
        if let Step::Region(r, _) = step {
            for &x in r {
                if let Some(y) = added.get_mut(ka[x]).and_then(|q| q.pop_front()) {
                    moves.a.insert(x, y);
                    moves.b.insert(y, x);
                }
            }
        }
    }
    moves
}

/// Puts the moved sentences of a region among its other ops, in the order of B.
fn merge_moved(region: Vec<Op>, moved: Vec<Op>) -> Vec<Op> {
    if moved.is_empty() {
        return region;
    }
    let mut out = Vec::with_capacity(region.len() + moved.len());
    let mut moved = moved.into_iter().peekable();
    for op in region {
        let b = match op {
            Op::Added { b } | Op::Changed { b, .. } => Some(b),
            _ => None,
        };
        if let Some(b) = b {
            while let Some(m) = moved.next_if(|m| matches!(m, Op::Moved { b: mb, .. } if *mb < b)) {
                out.push(m);
            }
        }
        out.push(op);
    }
    out.extend(moved);
    out
}

/// The character bigrams of a key, as numbers, without repeats.
fn bigrams(chars: &[char]) -> Vec<u64> {
    let mut out: Vec<u64> =
        chars.windows(2).map(|w| (u64::from(w[0]) << 32) | u64::from(w[1])).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The characters of a key, sorted.
fn sorted(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    out.sort_unstable();
    out
}

/// The size of the intersection of two sorted multisets of characters.
fn common_chars(a: &[char], b: &[char]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => (i, j, n) = (i + 1, j + 1, n + 1),
        }
    }
    n
}

/// The changed pairs of a region (removed `r`, added `i`, both ascending) and the sentences
/// left unpaired, in document order.
fn pair_region(r: &[usize], i: &[usize], a: &[Sentence], b: &[Sentence], min: f64) -> Vec<Op> {
    let pairs = if r.is_empty() || i.is_empty() || min > 1.0 {
        Vec::new()
    } else {
        best_pairs(&candidates(r, i, a, b, min))
    };
    let mut out = Vec::with_capacity(r.len() + i.len());
    let (mut x, mut y) = (0, 0);
    for (pr, pi, similarity) in pairs {
        out.extend(r[x..pr].iter().map(|&a| Op::Removed { a }));
        out.extend(i[y..pi].iter().map(|&b| Op::Added { b }));
        out.push(Op::Changed { a: r[pr], b: i[pi], similarity });
        (x, y) = (pr + 1, pi + 1);
    }
    out.extend(r[x..].iter().map(|&a| Op::Removed { a }));
    out.extend(i[y..].iter().map(|&b| Op::Added { b }));
    out
}

/// Pairs (position in `r`, position in `i`, similarity) at or above `min`.
fn candidates(
    r: &[usize],
    i: &[usize],
    a: &[Sentence],
    b: &[Sentence],
    min: f64,
) -> Vec<(usize, usize, f64)> {
    let chars_i: Vec<Vec<char>> = i.iter().map(|&y| b[y].key.chars().collect()).collect();
    let sorted_i: Vec<Vec<char>> = chars_i.iter().map(|c| sorted(c)).collect();
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    for (pos, chars) in chars_i.iter().enumerate() {
        for g in bigrams(chars) {
            postings.entry(g).or_default().push(pos as u32);
        }
    }
    let mut shared = vec![0u32; i.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for (pr, &x) in r.iter().enumerate() {
        let chars_r: Vec<char> = a[x].key.chars().collect();
        let sorted_r = sorted(&chars_r);
        for g in bigrams(&chars_r) {
            for &pos in postings.get(&g).map(Vec::as_slice).unwrap_or_default() {
                if shared[pos as usize] == 0 {
                    touched.push(pos);
                }
                shared[pos as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &pos in &touched {
            let n = shared[pos as usize];
            shared[pos as usize] = 0;
            let (la, lb) = (chars_r.len(), chars_i[pos as usize].len());
            // M ≤ min(|a|, |b|), and M ≤ the characters they share (as multisets): both bound
            // the similarity, cheaply.
            let bound = |m: usize| 2.0 * m as f64 / ((la + lb) as f64);
            if n < 2
                || bound(la.min(lb)) < min
                || bound(common_chars(&sorted_r, &sorted_i[pos as usize])) < min
            {
                continue;
            }
            let s = similarity_chars(&chars_r, &chars_i[pos as usize]);
            if s >= min {
                out.push((pr, pos as usize, s));
            }
        }
        touched.clear();
    }
    out
}

/// The set of pairs, increasing on both sides, with the largest total similarity (a weighted
/// longest increasing subsequence over a Fenwick tree of prefix maxima).
fn best_pairs(cands: &[(usize, usize, f64)]) -> Vec<(usize, usize, f64)> {
    if cands.is_empty() {
        return Vec::new();
    }
    let width = cands.iter().map(|c| c.1).max().unwrap_or(0) + 1;
    // tree[k]: (best total ending at a column ≤ k, the candidate it ends with)
    let mut tree: Vec<(f64, Option<usize>)> = vec![(0.0, None); width + 1];
    let mut prev: Vec<Option<usize>> = vec![None; cands.len()];
    let mut total = vec![0.0f64; cands.len()];
    let mut order: Vec<usize> = (0..cands.len()).collect();
    // By row; within a row by descending column, so that two pairs of one row never chain.
    order.sort_by(|&p, &q| cands[p].0.cmp(&cands[q].0).then(cands[q].1.cmp(&cands[p].1)));
    let (mut best, mut best_at) = (0.0, None);
    for &c in &order {
        let col = cands[c].1;
        // Best chain ending strictly left of `col`.
        let (mut before, mut from) = (0.0, None);
        let mut k = col;
        while k > 0 {
            if tree[k].0 > before {
                (before, from) = tree[k];
            }
            k &= k - 1;
        }
        total[c] = before + cands[c].2;
        prev[c] = from;
        if total[c] > best {
            (best, best_at) = (total[c], Some(c));
        }
        let mut k = col + 1;
        while k <= width {
            if total[c] > tree[k].0 {
                tree[k] = (total[c], Some(c));
            }
            k += k & k.wrapping_neg();
        }
    }
    let mut out = Vec::new();
    let mut at = best_at;
    while let Some(c) = at {
        out.push(cands[c]);
        at = prev[c];
    }
    out.reverse();
    out
}

/// What a stretch of a changed pair is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkOp {
    /// In both sentences.
    Equal,
    /// Only in the old sentence.
    Delete,
    /// Only in the new sentence.
    Insert,
}

/// A stretch of a changed pair: the equal and deleted stretches spell the old sentence, the
/// equal and inserted ones the new sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    /// Equal, deleted or inserted.
    pub op: MarkOp,
    /// The characters, as written (old side for equal stretches).
    pub text: String,
}

/// The marks of a changed pair (see the module documentation).
pub fn marks(old: &str, new: &str) -> Vec<Mark> {
    let old_chars: Vec<char> = old.chars().collect();
    let new_chars: Vec<char> = new.chars().collect();
    let fa: Vec<char> = fold(old).chars().collect();
    let fb: Vec<char> = fold(new).chars().collect();
    // (op, old range, new range)
    let mut runs: Vec<(MarkOp, std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &fa, &fb) {
        let (_, ra, rb) = op.as_tag_tuple();
        match op {
            DiffOp::Equal { .. } => runs.push((MarkOp::Equal, ra, rb)),
            _ => {
                if !ra.is_empty() {
                    runs.push((MarkOp::Delete, ra.clone(), rb.start..rb.start));
                }
                if !rb.is_empty() {
                    runs.push((MarkOp::Insert, ra.end..ra.end, rb));
                }
            }
        }
    }
    // A short equal stretch between two changes becomes part of both.
    let short = |r: &std::ops::Range<usize>| {
        let key = fa[r.clone()].iter().filter(|c| !is_ignorable(**c)).count();
        key <= 1
    };
    let mut cleaned: Vec<(MarkOp, std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        let inner = k > 0 && k + 1 < runs.len();
        if run.0 == MarkOp::Equal && inner && short(&run.1) {
            cleaned.push((MarkOp::Delete, run.1.clone(), run.2.start..run.2.start));
            cleaned.push((MarkOp::Insert, run.1.end..run.1.end, run.2.clone()));
        } else {
            cleaned.push(run.clone());
        }
    }
    // Each change: deleted text then inserted text, adjacent stretches merged.
    let mut out: Vec<Mark> = Vec::new();
    let mut k = 0;
    while k < cleaned.len() {
        if cleaned[k].0 == MarkOp::Equal {
            out.push(Mark {
                op: MarkOp::Equal,
                text: old_chars[cleaned[k].1.clone()].iter().collect(),
            });
            k += 1;
            continue;
        }
        let (mut del, mut ins) = (String::new(), String::new());
        while k < cleaned.len() && cleaned[k].0 != MarkOp::Equal {
            del.extend(&old_chars[cleaned[k].1.clone()]);
            ins.extend(&new_chars[cleaned[k].2.clone()]);
            k += 1;
        }
        for (op, text) in [(MarkOp::Delete, del), (MarkOp::Insert, ins)] {
            if !text.is_empty() {
                out.push(Mark { op, text });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::diff::sentences::split;
    use proptest::prelude::*;

    fn sentences(texts: &[&str]) -> Vec<Sentence> {
        split(&texts.join("\n"), 0)
    }

    /// Rebuilds B from A and the ops: A without its removed and changed sentences keeps the
    /// unchanged ones (in order for `Same`, by index for `Moved`), and the added and changed
    /// sentences are put at their places in B. Returns B's keys, or what is wrong.
    fn apply(a: &[Sentence], b: &[Sentence], ops: &[Op]) -> Result<Vec<String>, String> {
        let mut slots: Vec<Option<String>> = vec![None; b.len()];
        let mut used_a = vec![false; a.len()];
        let mut kept: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
        let mut same_b: Vec<usize> = Vec::new();
        let mut mark_a = |x: usize| {
            if std::mem::replace(&mut used_a[x], true) {
                Err(format!("A {x} twice"))
            } else {
                Ok(())
            }
        };
        for op in ops {
            match *op {
                Op::Same { a: x, b: y } => {
                    mark_a(x)?;
                    kept.push_back(x);
                    same_b.push(y);
                }
                Op::Moved { a: x, b: y } => {
                    mark_a(x)?;
                    slots[y] = Some(a[x].key.clone());
                }
                Op::Removed { a: x } => mark_a(x)?,
                Op::Added { b: y } => slots[y] = Some(b[y].key.clone()),
                Op::Changed { a: x, b: y, .. } => {
                    mark_a(x)?;
                    slots[y] = Some(b[y].key.clone());
                }
            }
        }
        if used_a.iter().any(|u| !u) {
            return Err("an A sentence is in no op".into());
        }
        same_b.sort_unstable();
        for y in same_b {
            let x = kept.pop_front().ok_or("more Same in B than in A")?;
            if slots[y].replace(a[x].key.clone()).is_some() {
                return Err(format!("B {y} twice"));
            }
        }
        slots.into_iter().enumerate().map(|(y, s)| s.ok_or(format!("B {y} in no op"))).collect()
    }

    #[test]
    fn the_2024_and_2025_fiscal_policy_sentences_pair_up() {
        let a = sentences(&["积极的财政政策要适度加力、提质增效。", "今年要做好几件事。"]);
        let b = sentences(&["实施更加积极的财政政策。", "今年要做好几件事。"]);
        let ops = align(&a, &b, DEFAULT_MIN_SIMILARITY);
        assert!(
            matches!(ops[0], Op::Changed { a: 0, b: 0, similarity } if (similarity - 14.0 / 27.0).abs() < 1e-9),
            "{ops:?}"
        );
        assert_eq!(ops[1], Op::Same { a: 1, b: 1 });
        let m = marks(&a[0].text, &b[0].text);
        let shown: String = m
            .iter()
            .map(|m| match m.op {
                MarkOp::Equal => m.text.clone(),
                MarkOp::Delete => format!("[-{}-]", m.text),
                MarkOp::Insert => format!("{{+{}+}}", m.text),
            })
            .collect();
        assert_eq!(shown, "{+实施更加+}积极的财政政策[-要适度加力、提质增效-]。");
    }

    #[test]
    fn marks_spell_both_sentences_and_absorb_single_characters() {
        let m = marks("稳健的货币政策要灵活适度、精准有效。", "实施适度宽松的货币政策。");
        let old: String =
            m.iter().filter(|m| m.op != MarkOp::Insert).map(|m| m.text.as_str()).collect();
        let new: String =
            m.iter().filter(|m| m.op != MarkOp::Delete).map(|m| m.text.as_str()).collect();
        assert_eq!(old, "稳健的货币政策要灵活适度、精准有效。");
        assert_eq!(new, "实施适度宽松的货币政策。");
        assert!(m.iter().any(|m| m.op == MarkOp::Equal && m.text == "的货币政策"), "{m:?}");
        // Width and script differences are not changes; the text shown is each side's own.
        let m = marks("ＧＤＰ增長", "GDP增长");
        assert_eq!(m, [Mark { op: MarkOp::Equal, text: "ＧＤＰ增長".into() }]);
    }

    #[test]
    fn moved_sentences_are_not_changes() {
        let a = sentences(&["甲说了第一件事。", "乙说了第二件事。", "丙说了第三件事。"]);
        let b = sentences(&["丙说了第三件事。", "甲说了第一件事。", "乙说了第二件事。"]);
        let ops = align(&a, &b, DEFAULT_MIN_SIMILARITY);
        assert!(ops.iter().all(|op| matches!(op, Op::Same { .. } | Op::Moved { .. })), "{ops:?}");
        assert_eq!(ops.iter().filter(|op| matches!(op, Op::Moved { .. })).count(), 1);
    }

    #[test]
    fn unrelated_sentences_are_removed_and_added() {
        let a = sentences(&["粮食产量创历史新高。"]);
        let b = sentences(&["人工智能加快发展。"]);
        assert_eq!(
            align(&a, &b, DEFAULT_MIN_SIMILARITY),
            [Op::Removed { a: 0 }, Op::Added { b: 0 }]
        );
        // A threshold above 1 never pairs.
        let a = sentences(&["发展新质生产力。"]);
        let b = sentences(&["发展新质生产力吧。"]);
        assert_eq!(align(&a, &b, 1.01), [Op::Removed { a: 0 }, Op::Added { b: 0 }]);
    }

    #[test]
    fn shared_characters_bound_the_similarity() {
        let a: Vec<char> = "稳健的货币政策要灵活适度".chars().collect();
        let b: Vec<char> = "实施适度宽松的货币政策".chars().collect();
        let common = common_chars(&sorted(&a), &sorted(&b));
        assert_eq!(common, 7);
        assert!(similarity_chars(&a, &b) <= 2.0 * common as f64 / (a.len() + b.len()) as f64);
    }

    #[test]
    fn best_pairs_keep_order_and_maximise_similarity() {
        // (0,1) and (1,0) cross: only one of them; (0,0)+(1,1) beats (0,1) alone.
        let c = [(0, 0, 0.6), (0, 1, 0.9), (1, 0, 0.9), (1, 1, 0.6)];
        assert_eq!(best_pairs(&c), [(0, 0, 0.6), (1, 1, 0.6)]);
        let c = [(0, 1, 0.95), (1, 0, 0.6), (1, 2, 0.6)];
        assert_eq!(best_pairs(&c), [(0, 1, 0.95), (1, 2, 0.6)]);
        // Two pairs of one row never chain.
        assert_eq!(best_pairs(&[(0, 0, 0.7), (0, 1, 0.8)]), [(0, 1, 0.8)]);
    }

    /// Sentences from a small vocabulary, so that repeats, moves and near-equal sentences occur.
    fn text() -> impl Strategy<Value = Vec<String>> {
        let word = prop::sample::select(vec![
            "发展", "改革", "创新", "开放", "绿色", "共享", "协调", "安全",
        ]);
        let sentence = prop::collection::vec(word, 1..6).prop_map(|w| format!("{}。", w.concat()));
        prop::collection::vec(sentence, 0..25)
    }

    proptest! {
        #[test]
        fn a_text_diffed_with_itself_is_unchanged(a in text()) {
            let s = sentences(&a.iter().map(String::as_str).collect::<Vec<_>>());
            let ops = align(&s, &s, DEFAULT_MIN_SIMILARITY);
            prop_assert_eq!(ops.len(), s.len());
            let all_same = ops.iter().enumerate().all(|(k, op)| *op == Op::Same { a: k, b: k });
            prop_assert!(all_same, "{:?}", ops);
        }

        #[test]
        fn applying_the_changes_to_a_gives_b(
            a in text(),
            b in text(),
            min in prop::sample::select(vec![0.3, 0.5, 0.8, 1.0]),
        ) {
            let sa = sentences(&a.iter().map(String::as_str).collect::<Vec<_>>());
            let sb = sentences(&b.iter().map(String::as_str).collect::<Vec<_>>());
            let ops = align(&sa, &sb, min);
            let rebuilt = apply(&sa, &sb, &ops);
            let keys: Vec<String> = sb.iter().map(|s| s.key.clone()).collect();
            prop_assert_eq!(rebuilt, Ok(keys));
            // Unchanged sentences keep their order; changed pairs are similar enough and keep
            // their order too; nothing both texts share is listed as removed or added.
            let same: Vec<(usize, usize)> = ops.iter().filter_map(|op| match op {
                Op::Same { a, b } => Some((*a, *b)),
                _ => None,
            }).collect();
            prop_assert!(same.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
            let changed: Vec<(usize, usize)> = ops.iter().filter_map(|op| match op {
                Op::Changed { a, b, similarity } => {
                    assert!(*similarity >= min && *similarity < 1.0);
                    Some((*a, *b))
                }
                _ => None,
            }).collect();
            prop_assert!(changed.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
            let removed: std::collections::HashSet<&str> = ops.iter().filter_map(|op| match op {
                Op::Removed { a } => Some(sa[*a].key.as_str()),
                _ => None,
            }).collect();
            let shared_listed = ops.iter().any(|op| match op {
                Op::Added { b } => removed.contains(sb[*b].key.as_str()),
                _ => false,
            });
            prop_assert!(!shared_listed, "{:?}", ops);
        }

        #[test]
        fn marks_spell_both_sides(a in "[甲乙丙丁，。]{0,12}", b in "[甲乙丙丁，。]{0,12}") {
            let m = marks(&a, &b);
            let old: String = m.iter().filter(|m| m.op != MarkOp::Insert).map(|m| m.text.as_str()).collect();
            let new: String = m.iter().filter(|m| m.op != MarkOp::Delete).map(|m| m.text.as_str()).collect();
            prop_assert_eq!(old, a);
            prop_assert_eq!(new, b);
        }
    }
}
