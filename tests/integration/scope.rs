//! Sentence and paragraph scope (issue 15, items 3 and 6): `search --within`, `SENT(…)`/`PARA(…)`,
//! `trend --within`, `kwic --within` and `kwic --sentence`, on the shared corpus.
//!
//! Every expected figure is computed here, independently of the index and of the library's
//! splitter: the texts are read straight from the corpus files (JSONL `content` with
//! serde_json, CSV `full_text` with the csv crate, the whole `.txt`), folded with
//! [`speechdex::analysis::fold`] (width, case, traditional → simplified: the folding every count
//! is defined after), cut into paragraphs at line breaks (non-empty lines) and into sentences
//! after each run of `。!?` (what `。！？!?` fold to), and counted with `str::matches`
//! (non-overlapping). No text of the shared corpus is hard-wrapped, so its paragraphs are its
//! lines; were one ever hard-wrapped, the counts here would differ and say so.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use speechdex::analysis::fold;

use crate::common::{assert_exit, bin, json, stderr, stdout};
use crate::shared::{Doc, shared};

/// Pairs of terms checked in one sentence and in one paragraph: rare and frequent, old and new.
const PAIRS: &[(&str, &str)] = &[
    ("人工智能", "实体经济"),
    ("新质生产力", "科技创新"),
    ("改革", "开放"),
    ("碳达峰", "碳中和"),
    ("人民公社", "五年计划"),
    ("高质量发展", "新发展理念"),
    ("就业", "物价"),
    ("GDP", "增长"),
];

/// The units of a speech of the shared corpus, cut here.
impl Doc {
    /// The paragraphs (non-empty lines) of the folded text.
    fn paragraphs(&self) -> Vec<&str> {
        self.folded.split('\n').filter(|l| !l.trim().is_empty()).collect()
    }

    /// The sentences: each paragraph cut after every run of `。!?`.
    fn sentences(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for paragraph in self.paragraphs() {
            let mut start = 0;
            let mut previous_was_end = false;
            for (i, c) in paragraph.char_indices() {
                let end = matches!(c, '。' | '!' | '?');
                if previous_was_end && !end {
                    out.push(&paragraph[start..i]);
                    start = i;
                }
                previous_was_end = end;
            }
            out.push(&paragraph[start..]);
        }
        out
    }

    fn units(&self, unit: &str) -> Vec<&str> {
        if unit == "sentence" { self.sentences() } else { self.paragraphs() }
    }
}

/// Occurrences of `term` (folded) in `text` (folded), non-overlapping.
fn count(text: &str, term: &str) -> u64 {
    text.matches(fold(term).as_str()).count() as u64
}

/// Per speech: hits of `terms` inside the units where `holds` (given each term's count in the
/// unit), for the speeches with such a unit; and the number of such units.
fn expected(
    docs: &[Doc],
    unit: &str,
    terms: &[&str],
    holds: impl Fn(&[u64]) -> bool,
    counted: &[bool],
) -> (BTreeMap<String, u64>, u64) {
    let mut hits = BTreeMap::new();
    let mut units = 0;
    for doc in docs {
        for u in doc.units(unit) {
            let counts: Vec<u64> = terms.iter().map(|t| count(u, t)).collect();
            if holds(&counts) {
                units += 1;
                let n: u64 = counts.iter().zip(counted).filter(|(_, c)| **c).map(|(n, _)| n).sum();
                *hits.entry(doc.id.clone()).or_default() += n;
            }
        }
    }
    (hits, units)
}

fn run(index: &Path, args: &[&str]) -> Output {
    bin().arg("--index").arg(index).args(args).output().expect("the speechdex binary runs")
}

/// Every speech a search matches (id → hits), and its JSON.
fn searched(index: &Path, query: &str, extra: &[&str]) -> (Value, BTreeMap<String, u64>) {
    let mut args = vec!["search", "--json", "--limit", "1000", "--sort", "hits", "--snippets", "0"];
    args.extend_from_slice(extra);
    args.extend(["--", query]);
    let o = run(index, &args);
    let v = json(&o);
    let total = v["total_docs"].as_u64().expect("total_docs");
    assert_exit(&o, if total > 0 { 0 } else { 1 }, &format!("search {query} {extra:?}"));
    let mut map = BTreeMap::new();
    for r in v["results"].as_array().unwrap() {
        map.insert(r["id"].as_str().unwrap().to_string(), r["hits"].as_u64().unwrap());
    }
    assert_eq!(map.len() as u64, total, "{query}: one page holds every speech");
    (v, map)
}

/// `search A B --within UNIT` and `UNIT(A B)`: the speeches, hits per speech and units equal the
/// independent count of the sentences (paragraphs) holding both.
#[test]
fn within_counts_equal_an_independent_sentence_and_paragraph_count() {
    let Some(s) = shared() else { return };
    let index = s.index();
    for unit in ["sentence", "paragraph"] {
        let group = if unit == "sentence" { "SENT" } else { "PARA" };
        for &(a, b) in PAIRS {
            let (want, units) =
                expected(&s.docs, unit, &[a, b], |c| c[0] > 0 && c[1] > 0, &[true, true]);
            let query = format!("{a} {b}");
            let (v, got) = searched(index, &query, &["--within", unit]);
            assert_eq!(got, want, "{query} --within {unit}: hits per speech");
            assert_eq!(v["total_units"].as_u64(), Some(units), "{query} --within {unit}: units");
            assert_eq!(v["within"].as_str(), Some(unit));
            assert_eq!(v["total_hits"].as_u64(), Some(want.values().sum::<u64>()));
            let (_, same) = searched(index, &format!("{group}({a} {b})"), &[]);
            assert_eq!(same, want, "{group}({a} {b}) is --within {unit}");
        }
    }
    // The figures of the issue: one speech in one sentence, 22 anywhere.
    let (_, one) = searched(index, "人工智能 实体经济", &["--within", "sentence"]);
    let (_, anywhere) = searched(index, "人工智能 实体经济", &[]);
    assert_eq!((one.len(), anywhere.len()), (1, 22));
}

/// Negation and alternatives inside a group hold per sentence; fields stay the speech's; a
/// group beside other terms counts those everywhere.
#[test]
fn negation_alternatives_and_fields_inside_a_group() {
    let Some(s) = shared() else { return };
    let index = s.index();
    let (want, units) = expected(
        &s.docs,
        "sentence",
        &["人工智能", "实体经济"],
        |c| c[0] > 0 && c[1] == 0,
        &[true, false],
    );
    let (v, got) = searched(index, "SENT(人工智能 -实体经济)", &[]);
    assert_eq!(got, want, "a sentence with 人工智能 and without 实体经济");
    assert_eq!(v["total_units"].as_u64(), Some(units));
    assert!(got.len() > 1, "more speeches than the one sentence holding both");

    let (want, _) = expected(
        &s.docs,
        "paragraph",
        &["碳达峰", "碳中和"],
        |c| c[0] > 0 || c[1] > 0,
        &[true, true],
    );
    let (_, got) = searched(index, "PARA(碳达峰 | 碳中和)", &[]);
    assert_eq!(got, want, "either, per paragraph: every paragraph with one of them");

    // year: inside the group is the speech's year.
    let (_, all_years) = searched(index, "SENT(新质生产力 科技创新)", &[]);
    let (_, y2025) = searched(index, "SENT(新质生产力 科技创新 year:2025)", &[]);
    let (_, flag) =
        searched(index, "新质生产力 科技创新", &["--within", "sentence", "--year", "2025"]);
    assert!(!y2025.is_empty() && y2025.len() < all_years.len());
    assert_eq!(y2025, flag);
    for (id, hits) in &y2025 {
        assert_eq!(all_years.get(id), Some(hits), "{id}");
    }

    // A term outside the group counts everywhere, the group's terms inside it.
    let (_, mixed) = searched(index, "SENT(人工智能 实体经济) 新质生产力", &[]);
    assert!(!mixed.is_empty());
    for (id, hits) in &mixed {
        let doc = s.docs.iter().find(|d| &d.id == id).unwrap();
        let inside = expected(
            std::slice::from_ref(doc),
            "sentence",
            &["人工智能", "实体经济"],
            |c| c[0] > 0 && c[1] > 0,
            &[true, true],
        )
        .0
        .values()
        .sum::<u64>();
        assert_eq!(*hits, inside + count(&doc.folded, "新质生产力"), "{id}");
    }
}

/// `trend --within` agrees with `search --within --count` (docs per term, hits added up), and
/// by speech with the independent count per term.
#[test]
fn scoped_trend_agrees_with_scoped_search_count() {
    let Some(s) = shared() else { return };
    let index = s.index();
    for unit in ["sentence", "paragraph"] {
        for &(a, b) in &PAIRS[..5] {
            let o = run(index, &["search", "--count", "--json", "--within", unit, "--", a, b]);
            let counts = json(&o);
            let o = run(index, &["trend", a, b, "--within", unit, "--by", "speech", "--json"]);
            let t = json(&o);
            assert_eq!(t["within"].as_str(), Some(unit));
            let (ta, tb) = (&t["totals"][a], &t["totals"][b]);
            assert_eq!(ta["docs"], counts["total_docs"], "{a} {b} --within {unit}: docs");
            assert_eq!(tb["docs"], counts["total_docs"], "{a} {b} --within {unit}: docs");
            let sum = ta["count"].as_u64().unwrap() + tb["count"].as_u64().unwrap();
            assert_eq!(Some(sum), counts["total_hits"].as_u64(), "{a} {b} --within {unit}: hits");
            for (k, term) in [a, b].iter().enumerate() {
                let mut counted = [false, false];
                counted[k] = true;
                let (want, _) =
                    expected(&s.docs, unit, &[a, b], |c| c[0] > 0 && c[1] > 0, &counted);
                let got: BTreeMap<String, u64> = t["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| {
                        (
                            g["key"].as_str().unwrap().to_string(),
                            g["terms"][term]["count"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(got, want, "trend {a} {b} --within {unit}: {term} per speech");
            }
        }
    }
    // By year, the same totals.
    let t = json(&run(index, &["trend", "人工智能", "实体经济", "--within", "sentence", "--json"]));
    assert_eq!(t["totals"]["人工智能"]["docs"].as_u64(), Some(1));
    let first = t["first_seen"]["人工智能"]["sentence"].as_str().unwrap();
    assert!(first.contains("人工智能") && first.contains("实体经济"), "{first}");
}

/// `kwic A B --within sentence`: the occurrences of A in sentences holding B; `--sentence`:
/// each line is its whole sentence, in text, JSON and CSV, with the paragraph `show` numbers.
#[test]
fn kwic_within_and_whole_sentences() {
    let Some(s) = shared() else { return };
    let index = s.index();
    let (want, _) =
        expected(&s.docs, "sentence", &["改革", "开放"], |c| c[0] > 0 && c[1] > 0, &[true, false]);
    let k = json(&run(index, &["kwic", "改革", "开放", "--within", "sentence", "--json"]));
    assert_eq!(k["total"].as_u64(), Some(want.values().sum::<u64>()));
    assert_eq!(k["docs"].as_u64(), Some(want.len() as u64));
    assert_eq!(k["lines"].as_array().unwrap().len() as u64, k["total"].as_u64().unwrap());

    let k = json(&run(index, &["kwic", "新质生产力", "--sentence", "--json", "--limit", "40"]));
    assert_eq!(k["sentence"], Value::Bool(true));
    let lines = k["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 40);
    for line in lines {
        let sentence = format!(
            "{}{}{}",
            line["left"].as_str().unwrap(),
            line["match"].as_str().unwrap(),
            line["right"].as_str().unwrap()
        );
        let folded = fold(&sentence);
        // A whole sentence: no end mark inside, one at the end unless the paragraph ends it.
        let inner = folded.trim_end_matches(['。', '!', '?', '”', '’', '）', ')', '」', '》']);
        assert!(!inner.contains(['。', '!', '?']), "an end mark inside {sentence:?}");
        // It is in the paragraph the line names, as `show --paragraph` numbers them.
        let (id, paragraph) = (line["id"].as_str().unwrap(), line["paragraph"].to_string());
        let shown = json(&run(index, &["show", id, "--paragraph", &paragraph, "--json"]));
        let text = shown["paragraphs"][0]["text"].as_str().unwrap();
        assert!(text.contains(&sentence), "¶{paragraph} of {id} lacks {sentence:?}");
        let doc = s.docs.iter().find(|d| d.id == id).unwrap();
        assert!(doc.sentences().contains(&folded.as_str()), "not a sentence of {id}: {sentence:?}");
    }
    // Text: the sentence on its own line under date, title and paragraph.
    let o = run(index, &["kwic", "人工智能", "实体经济", "--within", "sentence", "--sentence"]);
    assert_exit(&o, 0, "kwic --sentence");
    let text = stdout(&o);
    assert!(text.contains("(in sentences that hold 实体经济)"), "{text}");
    assert!(text.contains("¶65") && text.contains("【人工智能】"), "{text}");
    // CSV: the same columns, the whole sentence in left + match + right.
    let o = run(
        index,
        &["kwic", "人工智能", "实体经济", "--within", "sentence", "--sentence", "--csv"],
    );
    let csv = stdout(&o);
    assert!(csv.starts_with("id,title,year,date,paragraph,offset,left,match,right"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "a header and two lines:\n{csv}");
}

/// Groups that cannot be checked from the index, and `--within` with a group, are errors that
/// say what to do (exit status 2); a group that finds nothing exits 1.
#[test]
fn scope_errors_are_explained() {
    let Some(s) = shared() else { return };
    let index = s.index();
    for (args, fragment) in [
        (
            vec!["search", "--within", "sentence", "--", "-人工智能"],
            "needs a phrase that must occur",
        ),
        (vec!["search", "SENT(-人工智能)"], "SENT(…) needs a phrase"),
        (vec!["search", "SENT(人工智能 PARA(实体经济))"], "scope groups do not nest"),
        (vec!["search", "SENT(人工智能)", "--within", "paragraph"], "use one or the other"),
        (vec!["kwic", "人工智能", "实体经济"], "--within"),
    ] {
        let o = run(index, &args);
        assert_exit(&o, 2, &format!("{args:?}"));
        assert!(stderr(&o).contains(fragment), "{args:?}: {}", stderr(&o));
    }
    let o = run(index, &["search", "--count", "SENT(人民公社 新质生产力)"]);
    assert_exit(&o, 1, "no sentence holds both");
    assert_eq!(stdout(&o).trim(), "0 speeches, 0 hits in 0 sentences");
}

/// The API's `within=` (and kwic's `also=`) answer what the command line answers.
#[test]
fn the_api_accepts_within() {
    let Some(s) = shared() else { return };
    let index = s.index();
    let server = crate::server::Server::start(index);
    let enc = crate::server::enc;
    let (a, b) = (enc("人工智能"), enc("实体经济"));
    let r = server.ok(&format!("/api/search?q={a}%20{b}&within=sentence&snippets=0"));
    let cli =
        json(&run(index, &["search", "人工智能", "实体经济", "--within", "sentence", "--json"]));
    for field in ["total_docs", "total_hits", "total_units", "within"] {
        assert_eq!(r[field], cli[field], "{field}");
    }
    assert_eq!(r["total_docs"], 1);
    let t = server.ok(&format!("/api/trend?terms={a},{b}&within=paragraph"));
    let cli =
        json(&run(index, &["trend", "人工智能", "实体经济", "--within", "paragraph", "--json"]));
    assert_eq!(t["totals"], cli["totals"]);
    let k = server.ok(&format!("/api/kwic?term={a}&also={b}&within=sentence"));
    assert_eq!((k["total"].as_u64(), k["docs"].as_u64()), (Some(2), Some(1)));
    let (status, e) = server.get(&format!("/api/search?q={a}&within=line"));
    assert_eq!((status, e["parameter"].as_str()), (400, Some("within")));
    let (status, e) = server.get(&format!("/api/search?q=-{a}&within=sentence"));
    assert_eq!((status, e["parameter"].as_str()), (400, Some("within")));
}
