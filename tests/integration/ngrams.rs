//! Acceptance tests for `ngrams`, `collocates` and the ranking of `diff`'s formulations
//! (issue 15, item 5).
//!
//! On the shared corpus (indexed once, with its texts read without speechdex by `shared.rs`),
//! every count is checked against an independent one: n-gram counts with `str::matches` over the
//! folded texts (boilerplate lines blanked, as word statistics read them: `Doc::statistics`), collocate counts by cutting the folded texts with the library's jieba tokenizer
//! and walking the windows here, term occurrences found with `str::match_indices` instead of the
//! index. Goldens on the sample corpus show the CSV columns.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use speechdex::analysis::{WordsTokenizer, fold};
use speechdex::stats::words::is_counted;

use crate::common::{assert_exit, bin, check_golden, json, sample_index, stderr, stdout};
use crate::shared::{Doc, shared};

/// Punctuation no phrase may hold.
const PUNCTUATION: &[char] = &[
    '，', '。', '、', '；', '：', '？', '！', '“', '”', '‘', '’', '（', '）', '《', '》', '—', '…',
    ',', '.', ';', ':', '?', '!', '(', ')', '"', '\'', '·', '+',
];

fn run(index: &Path, args: &[&str]) -> Output {
    bin().arg("--index").arg(index).args(args).output().expect("the speechdex binary runs")
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("{v} is not a count"))
}

fn count_in(docs: &[&Doc], phrase: &str) -> (u64, u64) {
    let counts = docs.iter().map(|d| d.statistics.matches(phrase).count() as u64);
    counts.fold((0, 0), |(n, k), c| (n + c, k + u64::from(c > 0)))
}

/// Checks a list of n-grams against the texts: exact counts, speeches, length, no punctuation
/// or whitespace, ranked, and maximal among themselves.
fn check_ngrams(d: &Value, docs: &[&Doc]) {
    let (min_len, max_len, min_count) =
        (u(&d["min_len"]) as usize, u(&d["max_len"]) as usize, u(&d["min_count"]));
    let list = d["ngrams"].as_array().unwrap();
    assert!(!list.is_empty(), "{d:#}");
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for (i, g) in list.iter().enumerate() {
        let p = g["ngram"].as_str().unwrap();
        let (count, in_docs) = count_in(docs, p);
        assert_eq!(u(&g["count"]), count, "count of {p} (rg -F -o over the folded texts)");
        assert_eq!(u(&g["docs"]), in_docs, "speeches containing {p}");
        assert!(count >= min_count, "{p}: {count} < {min_count}");
        let len = p.chars().count();
        assert!((min_len..=max_len).contains(&len) && u(&g["len"]) as usize == len, "{p}");
        assert!(!p.contains(PUNCTUATION) && !p.contains(char::is_whitespace), "{p:?}");
        assert_eq!(u(&g["rank"]) as usize, i + 1);
        counts.insert(p, count);
    }
    for (p, &cp) in &counts {
        for (q, &cq) in &counts {
            if q.len() > p.len() && q.contains(p) {
                let k = q.matches(p).count() as u64;
                assert!(
                    cp.saturating_sub(k * cq) >= min_count,
                    "{p} ({cp}) is listed beside {q} ({cq}) with too few occurrences outside it"
                );
            }
        }
    }
}

#[test]
fn ngram_counts_equal_substring_counts_and_shorter_ones_are_maximal() {
    let Some(s) = shared() else { return };
    let all: Vec<&Doc> = s.docs.iter().collect();
    let o = run(s.index(), &["ngrams", "--limit", "10000", "--json"]);
    assert_exit(&o, 0, "ngrams over the shared corpus");
    let d = json(&o);
    assert_eq!(u(&d["docs"]), 94);
    let chars: u64 = all.iter().map(|d| d.statistics.chars().count() as u64).sum();
    assert_eq!(u(&d["chars"]), chars);
    let listed: Vec<&str> =
        d["ngrams"].as_array().unwrap().iter().map(|g| g["ngram"].as_str().unwrap()).collect();
    // 具身 occurs only inside 具身智能 (19 times each): only the longer one is listed; 新质生产力
    // also stands outside 发展新质生产力, so both are.
    assert_eq!(count_in(&all, "具身"), count_in(&all, "具身智能"));
    assert!(listed.contains(&"具身智能") && !listed.contains(&"具身"));
    assert!(listed.contains(&"新质生产力") && listed.contains(&"发展新质生产力"));
    // The first 300 against the texts (checking 35,000 phrases would take minutes in debug).
    let mut head = d.clone();
    head["ngrams"] = Value::from(d["ngrams"].as_array().unwrap()[..300].to_vec());
    check_ngrams(&head, &all);
    for p in ["具身智能", "新质生产力", "投资于人"] {
        let g = d["ngrams"].as_array().unwrap().iter().find(|g| g["ngram"] == p).unwrap();
        assert_eq!(u(&g["count"]), count_in(&all, p).0, "{p}");
    }
    // Longer phrases, in the 2026 provincial reports.
    let o = run(
        s.index(),
        &["ngrams", "--year", "2026", "--min-len", "4", "--min-count", "5", "-n", "150", "--json"],
    );
    assert_exit(&o, 0, "ngrams --year 2026 --min-len 4");
    let y2026: Vec<&Doc> = s.docs.iter().filter(|d| d.stated_year == Some(2026)).collect();
    check_ngrams(&json(&o), &y2026);
}

fn report(docs: &[Doc], year: i32) -> &Doc {
    docs.iter()
        .find(|d| d.stated_year == Some(year) && d.id.starts_with("gwr/"))
        .unwrap_or_else(|| panic!("the {year} national report"))
}

#[test]
fn distinctive_ngrams_of_2025_against_2024_have_exact_counts_on_both_sides() {
    let Some(s) = shared() else { return };
    let o = run(
        s.index(),
        &[
            "ngrams",
            "--where",
            "title:国务院政府工作报告",
            "--year",
            "2025",
            "--against",
            "title:国务院政府工作报告 year:2024",
            "--limit",
            "200",
            "--json",
        ],
    );
    assert_exit(&o, 0, "ngrams --against");
    let d = json(&o);
    let (a, b) = (report(&s.docs, 2024), report(&s.docs, 2025));
    check_ngrams(&d, &[b]);
    let (na, nb) = (a.statistics.chars().count() as f64, b.statistics.chars().count() as f64);
    assert_eq!((u(&d["against"]["docs"]), u(&d["chars"])), (1, nb as u64));
    let list = d["ngrams"].as_array().unwrap();
    let mut last = f64::INFINITY;
    for g in list {
        let p = g["ngram"].as_str().unwrap();
        let r = u(&g["ref_count"]);
        assert_eq!(r, a.statistics.matches(p).count() as u64, "reference count of {p}");
        assert!(u(&g["count"]) as f64 / nb > r as f64 / na, "{p} is not more frequent in 2025");
        let g2 = g["g2"].as_f64().unwrap();
        assert!(g2 <= last + 1e-9, "not ranked by G²: {p}");
        last = g2;
    }
    let shiwuwu = list.iter().find(|g| g["ngram"] == "十五五").expect("十五五 is distinctive");
    assert_eq!((u(&shiwuwu["count"]), u(&shiwuwu["ref_count"])), (3, 0));
}

/// The windows of `collocates`, computed here: for each occurrence (found with
/// `str::match_indices`), the `window` words ending before it and starting after it, words
/// overlapping an occurrence left out, each word once.
fn independent_collocates(docs: &[&Doc], term: &str, window: usize) -> IndependentCounts {
    let words = WordsTokenizer::new(&[]).prefolded();
    let term = fold(term);
    let len = term.chars().count();
    let mut out = IndependentCounts::default();
    for d in docs {
        let ws = words.words(&d.statistics);
        out.tokens += ws.len() as u64;
        for (w, _, _) in &ws {
            if is_counted(w) {
                *out.total.entry(w.clone()).or_default() += 1;
            }
        }
        let starts: Vec<usize> = d
            .statistics
            .match_indices(term.as_str())
            .map(|(b, _)| d.statistics[..b].chars().count())
            .collect();
        out.occurrences += starts.len() as u64;
        let mut near: HashMap<usize, bool> = HashMap::new();
        for &s in &starts {
            let left: Vec<usize> = (0..ws.len()).filter(|&k| ws[k].2 <= s).collect();
            for &k in left.iter().rev().take(window) {
                near.entry(k).or_insert(true);
            }
            for k in (0..ws.len()).filter(|&k| ws[k].1 >= s + len).take(window) {
                near.entry(k).or_insert(false);
            }
        }
        let mut keys: BTreeSet<usize> = near.keys().copied().collect();
        keys.retain(|&k| starts.iter().all(|&s| ws[k].2 <= s || ws[k].1 >= s + len));
        out.window_tokens += keys.len() as u64;
        for k in keys {
            if is_counted(&ws[k].0) {
                let e = out.near.entry(ws[k].0.clone()).or_default();
                if near[&k] { e.0 += 1 } else { e.1 += 1 }
            }
        }
    }
    out
}

#[derive(Default)]
struct IndependentCounts {
    tokens: u64,
    occurrences: u64,
    window_tokens: u64,
    total: HashMap<String, u64>,
    near: HashMap<String, (u64, u64)>,
}

#[test]
fn jiji_is_a_top_collocate_of_fiscal_policy_with_counts_from_the_texts() {
    let Some(s) = shared() else { return };
    let o = run(s.index(), &["collocates", "财政政策", "--limit", "10000", "--json"]);
    assert_exit(&o, 0, "collocates 财政政策");
    let d = json(&o);
    let list = d["collocates"].as_array().unwrap();
    let top10: Vec<&str> = list.iter().take(10).map(|c| c["word"].as_str().unwrap()).collect();
    assert!(top10.contains(&"积极"), "积极 is not among the top 10 collocates: {top10:?}");
    let all: Vec<&Doc> = s.docs.iter().collect();
    let ind = independent_collocates(&all, "财政政策", 5);
    assert_eq!(u(&d["occurrences"]), ind.occurrences);
    assert_eq!(u(&d["occurrences"]), count_in(&all, "财政政策").0);
    assert_eq!((u(&d["tokens"]), u(&d["window_tokens"])), (ind.tokens, ind.window_tokens));
    let mut last = f64::INFINITY;
    for c in list {
        let w = c["word"].as_str().unwrap();
        let (left, right) = ind.near[w];
        assert_eq!((u(&c["left"]), u(&c["right"])), (left, right), "{w} near 财政政策");
        assert_eq!(u(&c["count"]), left + right, "{w}");
        assert_eq!(u(&c["total"]), ind.total[w], "{w} in all texts");
        assert!(u(&c["count"]) >= 3 && is_counted(w), "{w}");
        assert_eq!(c["score"], c["g2"]);
        assert!(c["mi"].as_f64().unwrap() > 0.0, "{w}: listed words are attracted");
        let g2 = c["g2"].as_f64().unwrap();
        assert!(g2 <= last + 1e-9, "not ranked by G²: {w}");
        last = g2;
    }
    // Every word near it at least 3 times and attracted is listed.
    let (n, r) = (ind.tokens as f64, ind.window_tokens as f64);
    let expected: usize = ind
        .near
        .iter()
        .filter(|(w, (l, rt))| {
            let o = (l + rt) as f64;
            l + rt >= 3 && o / r > (ind.total[*w] as f64 - o) / (n - r)
        })
        .count();
    assert_eq!(list.len(), expected);
}

#[test]
fn collocates_in_a_selection_and_with_a_narrow_window() {
    let Some(s) = shared() else { return };
    let o = run(
        s.index(),
        &[
            "collocates",
            "新质生产力",
            "--year",
            "2026",
            "--window",
            "2",
            "--min-count",
            "2",
            "--json",
        ],
    );
    assert_exit(&o, 0, "collocates --year 2026 --window 2");
    let d = json(&o);
    let docs: Vec<&Doc> = s.docs.iter().filter(|d| d.stated_year == Some(2026)).collect();
    assert_eq!(u(&d["docs"]), docs.len() as u64);
    let ind = independent_collocates(&docs, "新质生产力", 2);
    for c in d["collocates"].as_array().unwrap() {
        let w = c["word"].as_str().unwrap();
        let (l, r) = ind.near[w];
        assert_eq!((u(&c["left"]), u(&c["right"]), u(&c["total"])), (l, r, ind.total[w]), "{w}");
    }
    // A term that never occurs: nothing to list, exit 1.
    let o = run(s.index(), &["collocates", "不存在的说法", "--json"]);
    assert_exit(&o, 1, "collocates of an absent term");
    assert_eq!(u(&json(&o)["occurrences"]), 0);
}

#[test]
fn diff_lists_quoted_new_formulations_first() {
    let Some(s) = shared() else { return };
    let (a, b) = (report(&s.docs, 2024), report(&s.docs, 2025));
    let o = run(s.index(), &["diff", &a.id, &b.id, "--json", "--limit", "15"]);
    assert_exit(&o, 0, "diff of the 2024 and 2025 reports");
    let d = json(&o);
    let new: Vec<&str> = d["new_phrases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["phrase"].as_str().unwrap())
        .collect();
    // G² alone put ordinary words first (增量, 收官, 动态, 时间 ...) and 投资于人 at 217.
    for p in ["十五五", "投资于人", "好房子", "内卷式"] {
        assert!(new.contains(&p), "{p} is not among the first 15 new phrases: {new:?}");
    }
    assert!(!new.contains(&"时间") && !new.contains(&"动态"), "{new:?}");
    let dropped: Vec<&str> = d["dropped_phrases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["phrase"].as_str().unwrap())
        .collect();
    assert!(dropped.contains(&"一老一小") && dropped.contains(&"大水漫灌"), "{dropped:?}");
    for (list, side, other) in [("new_phrases", b, a), ("dropped_phrases", a, b)] {
        for f in d[list].as_array().unwrap() {
            let p = f["phrase"].as_str().unwrap();
            let quoted = ["“", "‘", "「", "『", "\"", "'"].iter().any(|open| {
                ["”", "’", "」", "』", "\"", "'"]
                    .iter()
                    .any(|close| side.statistics.contains(&format!("{open}{p}{close}")))
            });
            assert_eq!(f["quoted"].as_bool(), Some(quoted), "{list} {p}");
            assert_eq!(other.statistics.matches(p).count(), 0, "{p} occurs on the other side");
        }
    }
}

#[test]
fn errors_and_empty_results_have_their_exit_status() {
    let index = sample_index();
    let o = run(index, &["ngrams", "--min-len", "6", "--max-len", "4"]);
    assert_exit(&o, 2, "ngrams with lengths the wrong way round");
    assert!(stderr(&o).contains("the shortest first"), "{}", stderr(&o));
    let o = run(index, &["ngrams", "--min-count", "1000000"]);
    assert_exit(&o, 1, "ngrams that nothing reaches");
    let o = run(index, &["ngrams", "--against", "year:1900"]);
    assert_exit(&o, 2, "ngrams against nothing");
    assert!(stderr(&o).contains("selects no speech"), "{}", stderr(&o));
    let o = run(index, &["collocates", " "]);
    assert_exit(&o, 2, "collocates of nothing");
    for args in [
        &["ngrams", "--min-len", "9"][..],
        &["ngrams", "--max-len", "1"],
        &["ngrams", "--min-count", "0"],
        &["collocates", "发展", "--window", "0"],
        &["collocates", "发展", "--window", "51"],
    ] {
        assert_exit(&run(index, args), 2, &format!("{args:?} is out of range"));
    }
}

#[test]
fn long_help_explains_the_rules_with_real_examples() {
    for (cmd, rule, example) in [
        ("ngrams", "Maximal: a phrase inside", "--against 'year:2015..2025'"),
        ("collocates", "mutual information", "speechdex collocates 财政政策"),
    ] {
        let help =
            |flag: &str| stdout(&bin().args([cmd, flag]).output().unwrap()).replace('\n', " ");
        let (long, short) = (help("--help"), help("-h"));
        assert!(long.contains(rule) && long.contains(example), "{cmd} --help:\n{long}");
        assert!(!short.contains(rule), "{cmd} -h is the short help");
    }
}

#[test]
fn golden_csv_on_the_sample_corpus() {
    let index = sample_index();
    let o = run(index, &["ngrams", "--min-len", "4", "--limit", "5", "--csv"]);
    assert_exit(&o, 0, "ngrams --csv");
    check_golden("ngrams.csv", &stdout(&o));
    let o = run(index, &["collocates", "新质生产力", "--min-count", "1", "--limit", "5", "--csv"]);
    assert_exit(&o, 0, "collocates --csv");
    check_golden("collocates.csv", &stdout(&o));
    let o = run(index, &["ngrams", "--min-len", "4", "--limit", "5"]);
    assert_exit(&o, 0, "ngrams");
    check_golden("ngrams.txt", &stdout(&o));
}
