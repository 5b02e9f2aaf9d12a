//! `speechdex verify` and `search --ignore-space` (issue 15, items 2 and 4), end to end.
//!
//! On the shared corpus (`../shared/corpus`): the quotation that two NPC resolutions break with a
//! line break (`李强所作的⏎政府工作报告`) is found in both, a misquotation (`所做`) points at them
//! as near matches, and the byline `李　强` is found by `李强`. `search --ignore-space` counts are
//! compared with an independent count: the texts read straight from the corpus files, folded,
//! whitespace removed, non-overlapping substrings counted (`str::matches`). Small fictional
//! corpora cover the rest (punctuation pairs, blank lines and `\r\n` inside a quote, exit status).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use speechdex::analysis::fold;
use tempfile::TempDir;

use crate::common::{arg, assert_exit, bin, index_corpus, json, stdout, write_files};
use crate::shared::shared;

/// `text` folded with whitespace removed.
fn squeezed(text: &str) -> String {
    fold(text).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Non-overlapping occurrences of `term` in `text`, both folded and without whitespace.
fn count_squeezed(text: &str, term: &str) -> u64 {
    let t = squeezed(term);
    if t.is_empty() { 0 } else { squeezed(text).matches(t.as_str()).count() as u64 }
}

/// `speechdex verify --index INDEX [opts] -- QUOTE`.
fn verify(index: &Path, quote: &str, opts: &[&str]) -> Output {
    bin().arg("verify").arg("--index").arg(index).args(opts).arg("--").arg(quote).output().unwrap()
}

/// `verify --json`, asserting the exit status (0 with an exact match, 1 without).
fn verify_json(index: &Path, quote: &str, opts: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(opts);
    let o = verify(index, quote, &all);
    let v = json(&o);
    let exact = v["exact_total"].as_u64().expect("exact_total");
    assert_exit(&o, if exact > 0 { 0 } else { 1 }, &format!("verify {quote:?}"));
    v
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

const RESOLUTION_2024: &str = "gwr/government_work_reports.jsonl:4";
const RESOLUTION_2025: &str = "gwr/government_work_reports.jsonl:2";
const REPORT_2024: &str = "gwr/government_work_reports.jsonl:3";

#[test]
fn verify_finds_the_quotation_a_line_break_cuts() {
    let Some(sh) = shared() else { return };
    // The fact behind the test: two resolutions break the line inside the sentence.
    for id in [RESOLUTION_2024, RESOLUTION_2025] {
        assert!(sh.doc(id).body.contains("李强所作的\n政府工作报告"), "{id}");
    }
    let v = verify_json(sh.index(), "李强所作的政府工作报告", &[]);
    assert_eq!(v["exact_total"], 2);
    let mut found = ids(&v["exact"]);
    found.sort();
    assert_eq!(found, vec![RESOLUTION_2025.to_string(), RESOLUTION_2024.to_string()]);
    for p in v["exact"].as_array().unwrap() {
        // The passage exactly as in the text, at the offsets given, with its paragraphs.
        assert_eq!(p["text"], "李强所作的\n政府工作报告");
        let body: Vec<char> = sh.doc(p["id"].as_str().unwrap()).body.chars().collect();
        let (start, end) =
            (p["start"].as_u64().unwrap() as usize, p["end"].as_u64().unwrap() as usize);
        assert_eq!(body[start..end].iter().collect::<String>(), "李强所作的\n政府工作报告");
        assert_eq!((p["paragraph"].as_u64(), p["paragraph_end"].as_u64()), (Some(1), Some(2)));
        assert_eq!(p["distance"], 0);
        assert!(p["title"].as_str().unwrap().contains("关于政府工作报告的决议"));
        assert!(p["url"].as_str().unwrap().starts_with("https://"));
        assert!(p["before"].as_str().unwrap().ends_with("国务院总理"), "{p}");
        assert!(p["after"].as_str().unwrap().starts_with("\n。会议"), "{p}");
    }
    // Plain search still misses it (exact substring semantics), --ignore-space finds it.
    let count = |opts: &[&str]| {
        let mut all = vec!["search", "--count", "--json"];
        all.extend_from_slice(opts);
        let o = bin()
            .args(&all)
            .arg("--index")
            .arg(sh.index())
            .arg("--")
            .arg("\"李强所作的政府工作报告\"")
            .output()
            .unwrap();
        let v = json(&o);
        (v["total_docs"].as_u64().unwrap(), v["total_hits"].as_u64().unwrap())
    };
    assert_eq!(count(&[]), (0, 0));
    assert_eq!(count(&["--ignore-space"]), (2, 2));
    // Human output: the passage on one line, the line break shown as ⏎, the paragraphs.
    let o = verify(sh.index(), "李强所作的 政府工作报告", &[]);
    assert_exit(&o, 0, "verify, human");
    let text = stdout(&o);
    assert!(text.contains("2 exact matches"), "{text}");
    assert!(text.contains("【李强所作的⏎政府工作报告】"), "{text}");
    assert!(text.contains(RESOLUTION_2024) && text.contains("¶1–2"), "{text}");
}

#[test]
fn verify_points_a_misquotation_at_the_near_passages() {
    let Some(sh) = shared() else { return };
    let v = verify_json(sh.index(), "李强所做的政府工作报告", &[]);
    assert_eq!(v["exact_total"], 0);
    assert_eq!(v["exact"].as_array().unwrap().len(), 0);
    let near = v["near"].as_array().unwrap();
    let mut first_two = ids(&v["near"])[..2].to_vec();
    first_two.sort();
    assert_eq!(first_two, vec![RESOLUTION_2025.to_string(), RESOLUTION_2024.to_string()]);
    for p in &near[..2] {
        assert_eq!(p["distance"], 1, "{p}");
        assert_eq!(p["text"], "李强所作的\n政府工作报告");
        let d = &p["differences"][0];
        assert_eq!(
            (d["kind"].as_str(), d["quote"].as_str(), d["text"].as_str()),
            (Some("replaced"), Some("做"), Some("作"))
        );
        assert_eq!(d["quote_offset"], 3);
        let body: Vec<char> = sh.doc(p["id"].as_str().unwrap()).body.chars().collect();
        assert_eq!(body[d["text_offset"].as_u64().unwrap() as usize], '作');
    }
    // The others are further away (李克强: two edits), closest first.
    let distances: Vec<u64> = near.iter().map(|p| p["distance"].as_u64().unwrap()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|&d| d <= v["max_distance"].as_u64().unwrap()));
    // --limit
    let v = verify_json(sh.index(), "李强所做的政府工作报告", &["--limit", "1"]);
    assert_eq!(v["near"].as_array().unwrap().len(), 1);
    // Human output: the differing characters marked on both sides, exit status 1.
    let o = verify(sh.index(), "李强所做的政府工作报告", &[]);
    assert_exit(&o, 1, "near, human");
    let text = stdout(&o);
    assert!(text.contains("no exact match"), "{text}");
    assert!(text.contains("李强所【作】的⏎政府工作报告"), "{text}");
    assert!(text.contains("quote: 李强所【做】的政府工作报告"), "{text}");
    assert!(text.contains("做 → 作"), "{text}");
}

#[test]
fn verify_finds_the_byline_through_the_ideographic_space() {
    let Some(sh) = shared() else { return };
    assert!(sh.doc(REPORT_2024).body.contains("国务院总理\u{3000}\n李\u{3000}强"));
    let v = verify_json(sh.index(), "李强", &[]);
    assert_eq!(v["exact_total"], 3, "two resolutions and the byline");
    let byline = v["exact"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == REPORT_2024)
        .expect("the 2024 report");
    assert_eq!(byline["text"], "李\u{3000}强");
    let v = verify_json(sh.index(), "国务院总理李强", &[]);
    assert!(ids(&v["exact"]).contains(&REPORT_2024.to_string()));
    // An absent quote: exit status 1, nothing near.
    let v = verify_json(sh.index(), "量子纠缠态的政府工作报告没有", &[]);
    assert_eq!((v["exact_total"].as_u64(), v["near"].as_array().map(Vec::len)), (Some(0), Some(0)));
}

/// `search --ignore-space` counts (speeches and hits, in total and per speech) equal an
/// independent count over the texts, for terms that cross line breaks and U+3000 and terms that
/// do not; `verify` counts the same exact matches.
#[test]
fn ignore_space_counts_equal_an_independent_count() {
    let Some(sh) = shared() else { return };
    let terms = [
        "李强",
        "国务院总理李强",
        "所作的政府工作报告",
        "李克强",
        "属于公有",
        "国的法律",
        "总是具有",
        "回顾过去",
        "工作今年",
        "发展我们",
        "下载打印",
        "结束语各位代表",
        "新质生产力",
        "高质量发展",
        "报告。会议",
        "政府工作报告",
    ];
    let mut wrong = Vec::new();
    let mut crossing = 0;
    for term in terms {
        let per: BTreeMap<&String, u64> = sh
            .docs
            .iter()
            .map(|d| (&d.id, count_squeezed(&d.body, term)))
            .filter(|(_, n)| *n > 0)
            .collect();
        let plain: u64 =
            sh.docs.iter().map(|d| d.folded.matches(fold(term).as_str()).count() as u64).sum();
        let total: u64 = per.values().sum();
        crossing += usize::from(total > plain);
        let o = bin()
            .args([
                "search",
                "--ignore-space",
                "--json",
                "--sort",
                "hits",
                "--snippets",
                "0",
                "--limit",
                "1000",
            ])
            .arg("--index")
            .arg(sh.index())
            .arg("--")
            .arg(term)
            .output()
            .unwrap();
        let v = json(&o);
        let got: BTreeMap<String, u64> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), r["hits"].as_u64().unwrap()))
            .collect();
        let want: BTreeMap<String, u64> = per.iter().map(|(k, v)| ((*k).clone(), *v)).collect();
        if got != want || v["total_hits"].as_u64() != Some(total) {
            wrong.push(format!(
                "{term}: speechdex {got:?} ({}), independent {want:?} ({total})",
                v["total_hits"]
            ));
        }
        // verify (no punctuation in these terms but 。, which the texts write as 。 too), and
        // kwic and trend with --ignore-space.
        let exact = verify_json(sh.index(), term, &["--max-exact", "1"])["exact_total"].as_u64();
        let run = |cmd: &str| {
            let o = bin()
                .args([cmd, "--ignore-space", "--json", "--index", arg(sh.index()), "--", term])
                .output()
                .unwrap();
            json(&o)
        };
        let kwic = run("kwic")["total"].as_u64();
        let trend = run("trend")["totals"][term]["count"].as_u64();
        if (exact, kwic, trend) != (Some(total), Some(total), Some(total)) {
            wrong.push(format!(
                "{term}: verify {exact:?}, kwic {kwic:?}, trend {trend:?}, independent {total}"
            ));
        }
    }
    assert!(wrong.is_empty(), "counts differ:\n{}", wrong.join("\n"));
    assert!(crossing >= 8, "only {crossing} terms cross whitespace somewhere");
}

/// A small corpus of invented speeches.
fn fictional(files: &[(&str, &[u8])]) -> (TempDir, TempDir) {
    let corpus = TempDir::new().unwrap();
    write_files(corpus.path(), files);
    let index = TempDir::new().unwrap();
    index_corpus(corpus.path(), index.path());
    (corpus, index)
}

#[test]
fn verify_on_a_fictional_corpus() {
    let (_corpus, index) = fictional(&[
        (
            "a.txt",
            "---\ntitle: 甲市工作会议讲话\ndate: 2031-05-06\nspeaker: 张　三\n---\n\
             我们要坚持“稳中求进”工作总基调，\r\n\r\n推动高质量发展。\n\n\n\n各位代表：今年的任务很重。\n"
                .as_bytes(),
        ),
        ("b.txt", "---\ntitle: 乙市讲话\n---\n我们要坚持稳中求进工作总基调，推动经济发展。\n".as_bytes()),
    ]);
    let ix = index.path();
    // Straight quotes for curly ones, `,` for `，`, and a blank line with \r\n inside.
    let v = verify_json(ix, "坚持\"稳中求进\"工作总基调,推动高质量发展", &[]);
    assert_eq!(v["exact_total"], 1);
    let p = &v["exact"][0];
    assert_eq!(p["text"], "坚持“稳中求进”工作总基调，\r\n\r\n推动高质量发展");
    assert_eq!((p["paragraph"].as_u64(), p["paragraph_end"].as_u64()), (Some(1), Some(2)));
    assert_eq!(p["speaker"], "张　三");
    assert_eq!(p["date"], "2031-05-06");
    // Runs of blank lines, and 。 / . and ： / :
    let v = verify_json(ix, "推动高质量发展.各位代表:今年", &[]);
    assert_eq!(v["exact_total"], 1);
    // Punctuation is not whitespace: a's ” stands between 稳中求进 and 工作.
    assert_eq!(ids(&verify_json(ix, "稳中求进工作总基调", &[])["exact"]), vec!["b.txt"]);
    assert_eq!(verify_json(ix, "工作总基调", &[])["exact_total"], 2);
    // Near: one character missing, one extra, one replaced.
    let v = verify_json(ix, "我们要坚持稳中求进工作总基调推动经济增长", &[]);
    assert_eq!(v["exact_total"], 0);
    let near = &v["near"][0];
    assert_eq!(near["id"], "b.txt");
    let kinds: Vec<&str> = near["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["extra", "replaced", "replaced"], "{near}");
    assert_eq!(near["distance"], 3);
    assert_eq!(near["text"], "我们要坚持稳中求进工作总基调，推动经济发展");
    // Errors: an empty quote is exit status 2 with a message; no index is exit status 2.
    let o = verify(ix, " \u{3000}\n", &[]);
    assert_exit(&o, 2, "empty quote");
    assert!(crate::common::stderr(&o).contains("the quote is empty"));
    let missing = TempDir::new().unwrap();
    let o = verify(&missing.path().join("none"), "甲", &[]);
    assert_exit(&o, 2, "no index");
    // --max-distance 0: no near matches.
    let v = verify_json(ix, "我们要坚持稳中求进工作总基调推动经济增长", &["--max-distance", "0"]);
    assert!(v["near"].as_array().unwrap().is_empty());
    // The search counts agree with verify on the quote without punctuation variants.
    let o = bin()
        .args([
            "search",
            "--ignore-space",
            "--count",
            "--json",
            "--index",
            arg(ix),
            "--",
            "\"推动高质量发展。各位代表\"",
        ])
        .output()
        .unwrap();
    assert_eq!(json(&o)["total_hits"], 1);
}
