//! Boilerplate: lines that are not speech, left out of word statistics (issue 16).
//!
//! Two kinds, both decided per whole line (after trimming):
//! * **page furniture** of web pages saved as text: 下载 / 打印 / 全屏 / 【字号：/ 加大 / 减小,
//!   分享到：, 责任编辑：, 上一篇 … ([`is_furniture`]);
//! * **lines repeated across the index**: a line of at most [`MAX_REPEATED_CHARS`] characters
//!   found in at least [`MIN_REPEATED_SPEECHES`] speeches and in at least
//!   [`MIN_REPEATED_SHARE`] (10 %) of all speeches (the Wikisource licence footer of 65 of the shared
//!   corpus's 94 texts, a site's header) **in a block** of at least [`MIN_BLOCK_LINES`]
//!   such lines. Long paragraphs never count as repeated (a report that quotes last year's
//!   sentence keeps it), nor do repeated lines that stand alone among speech paragraphs (the
//!   salutation 各位代表：, found in 66 of the 94).
//!
//! **Marked at index time.** Each speech stores the hashes of its short lines ([`line_hashes`],
//! the index's `lines` column), so an index finds its repeated lines by counting those columns
//! ([`LineCounter::add_hashes`], `SpeechIndex::boilerplate`) without reading a text; a build
//! counts them once before it indexes ([`LineCounter::add`]) and leaves boilerplate out of the
//! words that rank speeches.
//!
//! Word statistics (`top`, `compare`, `diff`'s formulations, `ngrams`, `collocates`) read texts
//! with these lines blanked ([`Boilerplate::blank`]: spaces, so character offsets stay valid).
//! `search`, `trend` and `kwic` count over the whole text, as Ctrl-F does, unless asked to leave
//! boilerplate out (`--no-boilerplate`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::analysis::fold;

/// Longest line (in characters) that can count as repeated boilerplate.
pub const MAX_REPEATED_CHARS: usize = 80;
/// Fewest speeches a repeated line must appear in.
pub const MIN_REPEATED_SPEECHES: usize = 5;
/// Smallest share of the index's speeches a repeated line must appear in.
pub const MIN_REPEATED_SHARE: f64 = 0.1;
/// Fewest consecutive furniture or repeated lines that make a block of boilerplate.
pub const MIN_BLOCK_LINES: usize = 3;

/// Longest furniture line (in characters).
const MAX_FURNITURE_CHARS: usize = 40;

/// Whole lines of web-page furniture (after trimming).
const FURNITURE_LINES: &[&str] = &[
    "下载",
    "打印",
    "全屏",
    "收藏",
    "关闭",
    "关闭窗口",
    "【关闭】",
    "【打印】",
    "打印本页",
    "分享",
    "分享到",
    "分享到：",
    "字号",
    "【字号：",
    "【字号:",
    "字号：",
    "加大",
    "还原",
    "减小",
    "大",
    "中",
    "小",
    "】",
    "【",
    "返回顶部",
    "上一篇",
    "下一篇",
    "扫一扫",
    "微信",
    "微博",
    "QQ空间",
    "【大 中 小】",
    "[打印]",
    "[关闭]",
];

/// Beginnings of furniture lines (a short line that starts so).
const FURNITURE_PREFIXES: &[&str] = &[
    "【字号",
    "字号：",
    "责任编辑：",
    "责任编辑:",
    "浏览次数",
    "访问量：",
    "分享到：",
    "扫一扫在手机",
    "版权所有",
    "网站标识码",
    "网站地图",
];

/// Whether a line is web-page furniture: after trimming and folding (width, case, traditional
/// forms), one of a short list of whole lines, or a short line (≤ 40 characters) beginning like
/// one, or holding an ICP licence number (ICP备).
pub fn is_furniture(line: &str) -> bool {
    // Every furniture line is short: long lines are not folded at all.
    if line.trim().len() > 4 * MAX_FURNITURE_CHARS {
        return false;
    }
    static FOLDED: OnceLock<(HashSet<String>, Vec<String>)> = OnceLock::new();
    let (lines, prefixes) = FOLDED.get_or_init(|| {
        (
            FURNITURE_LINES.iter().map(|l| fold(l)).collect(),
            FURNITURE_PREFIXES.iter().map(|p| fold(p)).collect(),
        )
    });
    let line = fold(line.trim());
    if line.is_empty() {
        return false;
    }
    if lines.contains(&line) {
        return true;
    }
    line.chars().count() <= MAX_FURNITURE_CHARS
        && (prefixes.iter().any(|p| line.starts_with(p.as_str())) || line.contains("icp备"))
}

/// Stands in a speech's [`line_hashes`] when one of its lines is page furniture: such speeches
/// are the ones whose counts change when boilerplate is left out, with those holding repeated
/// lines ([`Boilerplate::may_touch`]). No line hashes to it.
pub const FURNITURE_MARK: u64 = 0;

/// The hashes of the lines of `folded` (a text already folded with [`fold`]) that could be
/// repeated boilerplate: trimmed, not empty, at most [`MAX_REPEATED_CHARS`] characters; and
/// [`FURNITURE_MARK`] when a line is furniture; sorted, each once. What a speech stores in the
/// index's `lines` column.
pub fn line_hashes(folded: &str) -> Vec<u64> {
    let mut furniture = false;
    let mut out: Vec<u64> = folded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && short(l))
        .inspect(|l| furniture = furniture || is_furniture(l))
        .map(line_hash)
        .collect();
    if furniture {
        out.push(FURNITURE_MARK);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Counts, text by text, in how many texts each short line appears (one pass, texts not kept).
#[derive(Debug, Default)]
pub struct LineCounter {
    df: HashMap<u64, u32>,
    texts: usize,
}

impl LineCounter {
    /// Counts the short lines of one text (folded here, line by line: long lines are never
    /// folded, as folding keeps the number of characters).
    pub fn add(&mut self, text: &str) {
        let mut hashes: Vec<u64> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && short(l))
            .map(fold)
            .filter(|l| short(l.trim()) && !l.trim().is_empty())
            .map(|l| line_hash(l.trim()))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        self.add_hashes(hashes);
    }

    /// Counts one text by the hashes of its short lines ([`line_hashes`]: each once).
    pub fn add_hashes(&mut self, hashes: impl IntoIterator<Item = u64>) {
        self.texts += 1;
        for h in hashes {
            *self.df.entry(h).or_insert(0) += 1;
        }
    }

    /// Adds the counts of `other` (texts counted apart, in another thread).
    pub fn merge(&mut self, other: LineCounter) {
        self.texts += other.texts;
        for (h, n) in other.df {
            *self.df.entry(h).or_insert(0) += n;
        }
    }

    /// The repeated lines: in at least [`MIN_REPEATED_SPEECHES`] texts and
    /// [`MIN_REPEATED_SHARE`] of them.
    pub fn finish(self) -> Boilerplate {
        let share = (self.texts as f64 * MIN_REPEATED_SHARE).ceil() as usize;
        let min = MIN_REPEATED_SPEECHES.max(share);
        let repeated = self
            .df
            .into_iter()
            .filter(|&(h, n)| n as usize >= min && h != FURNITURE_MARK)
            .map(|(h, _)| h)
            .collect();
        Boilerplate { repeated }
    }
}

/// The boilerplate of one index: its repeated lines (by hash of the folded, trimmed line).
#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    repeated: HashSet<u64>,
}

/// Whether a line is short enough to count as repeated boilerplate (long lines are rejected by
/// their length in bytes before their characters are counted).
fn short(line: &str) -> bool {
    line.len() <= MAX_REPEATED_CHARS
        || (line.len() <= 4 * MAX_REPEATED_CHARS && line.chars().count() <= MAX_REPEATED_CHARS)
}

/// A folded, trimmed line's hash: xxh3, stable across builds and Rust versions (the index
/// stores it).
fn line_hash(line: &str) -> u64 {
    match xxhash_rust::xxh3::xxh3_64(line.as_bytes()) {
        FURNITURE_MARK => 1,
        h => h,
    }
}

impl Boilerplate {
    /// No repeated lines (only furniture is left out): a single text, or a test.
    pub fn none() -> Boilerplate {
        Boilerplate::default()
    }

    /// Finds the repeated lines among `texts` (each a speech's text; folded here).
    pub fn of_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Boilerplate {
        let mut counter = LineCounter::default();
        for text in texts {
            counter.add(text);
        }
        counter.finish()
    }

    /// How many distinct repeated lines were found.
    pub fn repeated_lines(&self) -> usize {
        self.repeated.len()
    }

    /// Whether a speech whose `lines` column holds `hashes` ([`line_hashes`]) may have
    /// boilerplate: a furniture line or a repeated one. Only such speeches are read when
    /// boilerplate is left out of counts.
    pub fn may_touch(&self, mut hashes: impl Iterator<Item = u64>) -> bool {
        hashes.any(|h| h == FURNITURE_MARK || self.repeated.contains(&h))
    }

    /// Whether a line (folded here) is one of the repeated lines.
    fn is_repeated(&self, line: &str) -> bool {
        let line = line.trim();
        !self.repeated.is_empty()
            && !line.is_empty()
            && short(line)
            && self.repeated.contains(&line_hash(fold(line).trim()))
    }

    /// Which lines of `text` (split at `\n`) are boilerplate: furniture lines, and repeated
    /// lines that stand in a block of at least [`MIN_BLOCK_LINES`] consecutive furniture or
    /// repeated lines (blank lines between them do not end a block, nor does one other short
    /// line that does not end a sentence and is followed within two lines by another such line:
    /// it is blanked with the block, as a footer's variant wording is). A salutation such as
    /// 各位代表： or a title line, repeated in many speeches but standing alone among speech
    /// paragraphs, stays speech.
    pub fn lines(&self, text: &str) -> Vec<bool> {
        let lines: Vec<&str> = text.split('\n').collect();
        let furniture: Vec<bool> = lines.iter().map(|l| is_furniture(l)).collect();
        let candidate: Vec<bool> =
            lines.iter().zip(&furniture).map(|(l, f)| *f || self.is_repeated(l)).collect();
        let mut out = furniture.clone();
        let mut i = 0;
        while i < lines.len() {
            if !candidate[i] {
                i += 1;
                continue;
            }
            // A block: candidates, with blank lines between them and single short other lines
            // that a candidate follows within two lines (a footer's variant wording).
            let mut members = vec![i];
            let mut bridged = Vec::new();
            let mut j = i + 1;
            while j < lines.len() {
                if candidate[j] {
                    members.push(j);
                } else if lines[j].trim().is_empty() {
                } else if bridged.last() != Some(&(j - 1))
                    && lines[j].trim().chars().count() <= MAX_REPEATED_CHARS
                    && !lines[j].trim_end().ends_with(['。', '！', '？', '!', '?'])
                    && candidate[j + 1..lines.len().min(j + 3)].contains(&true)
                {
                    bridged.push(j);
                } else {
                    break;
                }
                j += 1;
            }
            if members.len() >= MIN_BLOCK_LINES {
                for m in members.into_iter().chain(bridged) {
                    out[m] = true;
                }
            }
            i = j;
        }
        out
    }

    /// `text` with its boilerplate lines ([`Boilerplate::lines`]) replaced by as many
    /// spaces as they have characters, so that character offsets into it stay those of the text.
    pub fn blank<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let marked = self.lines(text);
        if !marked.contains(&true) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        for (i, (line, blank)) in text.split('\n').zip(marked).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if blank {
                out.extend(std::iter::repeat_n(' ', line.chars().count()));
            } else {
                out.push_str(line);
            }
        }
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_furniture_is_recognised_and_speech_is_not() {
        for line in ["下载", " 打印 ", "【字号：", "减小", "责任编辑：王某", "京ICP备05070218号"]
        {
            assert!(is_furniture(line), "{line:?}");
        }
        for line in [
            "",
            "下载中心建设取得进展。",
            "大力发展新质生产力",
            "责任编辑：这一行很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长",
        ] {
            assert!(!is_furniture(line), "{line:?}");
        }
    }

    #[test]
    fn blocks_of_lines_repeated_in_a_tenth_of_the_speeches_are_boilerplate() {
        let footer = "公有领域\n\nPublic domain\n本作品在全世界都属于公有领域";
        let mut texts: Vec<String> =
            (0..10).map(|i| format!("各位代表：\n第{i}篇讲话。\n")).collect();
        for t in texts.iter_mut().take(5) {
            t.push_str(footer);
        }
        // A block in 4 of 10 speeches (40 % but fewer than 5 speeches) is speech.
        for t in texts.iter_mut().skip(6) {
            t.push_str("\n甲\n乙\n丙");
        }
        let b = Boilerplate::of_texts(texts.iter().map(String::as_str));
        // The footer's 3 lines and the salutation.
        assert_eq!(b.repeated_lines(), 4);
        assert_eq!(b.lines(&texts[0]), [false, false, true, false, true, true]);
        assert!(!b.lines(&texts[7]).contains(&true), "{:?}", b.lines(&texts[7]));
        let blanked = b.blank(&texts[0]);
        assert_eq!(blanked.chars().count(), texts[0].chars().count());
        assert!(!blanked.contains("公有领域") && blanked.contains("第0篇讲话"));
        assert!(matches!(b.blank("第0篇讲话。"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_variant_line_inside_a_footer_goes_with_it_but_speech_around_it_stays() {
        let block = ["公有领域", "著作权法", "。"];
        let texts: Vec<String> =
            (0..10).map(|i| format!("讲话{i}。\n{}", block.join("\n"))).collect();
        let b = Boilerplate::of_texts(texts.iter().map(String::as_str));
        let variant = "开头一句。\n公有领域\n依据第五条，所以属于\n著作权法\n。\n结尾一句。";
        assert_eq!(b.lines(variant), [false, true, true, true, true, false]);
        // Two other lines in a row end the block: not enough repeated lines before them.
        let broken = "公有领域\n甲乙\n丙丁\n著作权法\n。";
        assert!(!b.lines(broken).contains(&true), "{:?}", b.lines(broken));
    }

    #[test]
    fn long_paragraphs_never_count_as_repeated() {
        let long = "坚持稳中求进工作总基调".repeat(10);
        let texts: Vec<String> = (0..10).map(|_| long.clone()).collect();
        let b = Boilerplate::of_texts(texts.iter().map(String::as_str));
        assert_eq!(b.repeated_lines(), 0);
        assert!(!b.lines(&long).contains(&true));
    }

    #[test]
    fn stored_line_hashes_mark_furniture_and_find_the_same_repeated_lines() {
        let footer = "公有领域\n\n本作品在全世界都属于公有领域\n著作权法";
        let texts: Vec<String> =
            (0..10).map(|i| format!("第{i}篇讲话。\n{footer}\n下载\n")).collect();
        let hashes = line_hashes(&fold(&texts[0]));
        assert!(hashes.contains(&FURNITURE_MARK), "下载 is furniture");
        assert!(!line_hashes("讲话。\n发展。").contains(&FURNITURE_MARK));
        let mut counter = LineCounter::default();
        for t in &texts {
            counter.add_hashes(line_hashes(&fold(t)));
        }
        let stored = counter.finish();
        let read = Boilerplate::of_texts(texts.iter().map(String::as_str));
        assert_eq!(stored.repeated, read.repeated);
        assert_eq!(stored.repeated_lines(), 4, "the footer's 3 lines and 下载, not the mark");
        assert!(stored.may_touch(line_hashes(&fold(&texts[1])).into_iter()));
        assert!(!stored.may_touch(line_hashes("讲话。\n发展。").into_iter()));
    }

    proptest::proptest! {
        /// The build's count of short lines (folded line by line, long lines skipped unfolded)
        /// equals the count of the hashes a speech stores (folded whole).
        #[test]
        fn counting_lines_equals_counting_stored_hashes(
            lines in proptest::collection::vec("[下載打印發展ＡＢａｂ 　。]{0,5}|[發展。]{79,82}", 0..12)
        ) {
            let text = lines.join("\n");
            let mut read = LineCounter::default();
            read.add(&text);
            let mut stored = LineCounter::default();
            stored.add_hashes(line_hashes(&fold(&text)).into_iter().filter(|&h| h != FURNITURE_MARK));
            proptest::prop_assert_eq!(read.df, stored.df);
        }

        /// Blanking keeps every character offset: same number of characters, same line breaks.
        #[test]
        fn blanking_keeps_offsets(lines in proptest::collection::vec("[下载打印大中小讲话发展。 ]{0,6}", 0..12)) {
            let text = lines.join("\n");
            let b = Boilerplate::none();
            let out = b.blank(&text);
            proptest::prop_assert_eq!(out.chars().count(), text.chars().count());
            let breaks = |s: &str| s.char_indices().filter(|(_, c)| *c == '\n').count();
            proptest::prop_assert_eq!(breaks(&out), breaks(&text));
        }
    }
}
