//! Acceptance tests for `trend`, `kwic`, `compare` and `top` (issue 4).
//!
//! Tests on the shared corpus (`../shared/corpus`) build its index once per test binary
//! ([`crate::shared`]) and compare every figure with an independent count: the texts are read straight from the corpus
//! files (JSONL `content` with serde_json, CSV `full_text` with the csv crate, the whole `.txt`),
//! folded with [`speechdex::analysis::fold`] and counted with `str::matches` (non-overlapping,
//! as `rg -F -o`). Golden tests use the sample corpus (`corpus/`); `UPDATE_GOLDEN=1` rewrites
//! their files under `tests/integration/golden/`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use speechdex::analysis::fold;
use tempfile::TempDir;

use crate::common::{
    bin, check_golden, index_corpus, json, sample_index, stderr, stdout, write_files,
};
use crate::shared::shared;

/// Terms checked against the independent count: old, new, Latin and digits.
const TERMS: &[&str] = &[
    "新质生产力",
    "人民公社",
    "五年计划",
    "改革开放",
    "高质量发展",
    "乡村振兴",
    "碳达峰",
    "GDP",
    "5G",
    "科技创新",
    "计划经济",
    "人工智能",
    "社会主义",
];

fn run(index: &Path, args: &[&str]) -> Output {
    let o = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .expect("the speechdex binary runs");
    assert!(o.status.success(), "speechdex {args:?} failed ({}):\n{}", o.status, stderr(&o));
    o
}

/// [`run`] for a command that may find nothing (exit 1).
fn run_any(index: &Path, args: &[&str]) -> Output {
    let o = bin().arg("--index").arg(index).args(args).output().expect("the speechdex binary runs");
    assert!(matches!(o.status.code(), Some(0 | 1)), "speechdex {args:?}:\n{}", stderr(&o));
    o
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

// ---------------------------------------------------------------------------------------------
// trend
// ---------------------------------------------------------------------------------------------

#[test]
fn trend_counts_equal_an_independent_count_per_speech_per_year_and_in_total() {
    let Some(s) = shared() else { return };
    let mut args = vec!["trend", "--json", "--by", "speech"];
    args.extend(TERMS);
    let by_speech = json(&run(s.index(), &args));
    args[3] = "year";
    let by_year = json(&run(s.index(), &args));

    // Per speech, by id: every speech listed has the right counts, every speech not listed has
    // none of the terms.
    let listed: HashMap<&str, &Value> = by_speech["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g))
        .collect();
    let mut year_of_unknown: HashMap<&str, i64> = HashMap::new();
    for doc in &s.docs {
        for term in TERMS {
            let expected = doc.count(term);
            let got = listed.get(doc.id.as_str()).map_or(0, |g| u(&g["terms"][*term]["count"]));
            assert_eq!(got, expected, "{term} in {}", doc.id);
        }
        if doc.stated_year.is_none()
            && let Some(g) = listed.get(doc.id.as_str())
        {
            year_of_unknown.insert(&doc.id, g["year"].as_i64().expect("an inferred year"));
        }
    }

    // Per year: the speeches whose year the files give, plus those whose year the indexer
    // inferred (their counts are still the independent ones).
    let groups = by_year["groups"].as_array().unwrap();
    let keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
    let years: Vec<i64> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    assert_eq!(
        years,
        (years[0]..=*years.last().unwrap()).collect::<Vec<_>>(),
        "years without gaps"
    );
    assert_eq!((years[0], *years.last().unwrap()), (1954, 2026));
    for term in TERMS {
        let mut expected: BTreeMap<i64, u64> = BTreeMap::new();
        let mut known_only: BTreeMap<i64, u64> = BTreeMap::new();
        for doc in &s.docs {
            let n = doc.count(term);
            if let Some(y) = doc.stated_year {
                *expected.entry(i64::from(y)).or_default() += n;
                *known_only.entry(i64::from(y)).or_default() += n;
            } else if n > 0 {
                *expected.entry(year_of_unknown[doc.id.as_str()]).or_default() += n;
            }
        }
        let mut total = 0;
        for g in groups {
            let key = g["key"].as_str().unwrap();
            // A year without speeches has no data (null), not zero.
            if u(&g["docs"]) == 0 {
                assert!(g["terms"][*term].is_null(), "{term} in the empty year {key}: {g}");
                assert!(!expected.contains_key(&key.parse().unwrap_or(0)), "{key}");
                continue;
            }
            let got = u(&g["terms"][*term]["count"]);
            total += got;
            let Ok(year) = key.parse::<i64>() else { continue };
            assert_eq!(got, expected.get(&year).copied().unwrap_or(0), "{term} in {year}");
            assert!(got >= known_only.get(&year).copied().unwrap_or(0), "{term} in {year}");
        }
        let all: u64 = s.docs.iter().map(|d| d.count(term)).sum();
        assert_eq!(total, all, "{term}: sum over the groups");
        assert_eq!(u(&by_year["totals"][*term]["count"]), all, "{term}: total");
        let docs = s.docs.iter().filter(|d| d.count(term) > 0).count() as u64;
        assert_eq!(u(&by_year["totals"][*term]["docs"]), docs, "{term}: speeches");
    }
    assert_eq!(u(&by_year["totals"]["新质生产力"]["count"]), 91);
    assert_eq!(u(&by_year["totals"]["新质生产力"]["docs"]), 25);
    assert_eq!(u(&by_year["docs"]), 94);
}

#[test]
fn trend_limit_keeps_the_groups_with_the_most_occurrences() {
    let Some(s) = shared() else { return };
    for (by, terms, limit) in [("speech", &["的", "发展"][..], 10), ("region", &["发展"][..], 5)]
    {
        let trend = |limit: usize| {
            let limit = limit.to_string();
            let mut args = vec!["trend", "--json", "--by", by, "--limit", &limit];
            args.extend(terms);
            json(&run(s.index(), &args))
        };
        let all = trend(0);
        let cut = trend(limit);
        let rows = all["groups"].as_array().unwrap();
        assert!(rows.len() > limit, "{by}: {} groups", rows.len());
        assert_eq!(all["truncated"], false);
        assert_eq!(u(&all["total_groups"]), rows.len() as u64);
        // The `limit` groups with the most occurrences (ties: natural order), in natural order.
        let occurrences =
            |g: &Value| -> u64 { terms.iter().map(|t| u(&g["terms"][*t]["count"])).sum() };
        let mut best: Vec<usize> = (0..rows.len()).collect();
        best.sort_by_key(|&i| (std::cmp::Reverse(occurrences(&rows[i])), i));
        best.truncate(limit);
        best.sort_unstable();
        let expected: Vec<&Value> = best.iter().map(|&i| &rows[i]).collect();
        let kept: Vec<&Value> = cut["groups"].as_array().unwrap().iter().collect();
        assert_eq!(kept, expected, "{by} --limit {limit}");
        assert_eq!(cut["truncated"], true);
        assert_eq!(u(&cut["total_groups"]), rows.len() as u64);
        for field in ["totals", "peak", "first_seen", "last_seen", "docs", "chars"] {
            assert_eq!(cut[field], all[field], "{by}: {field} covers every group");
        }
    }
    // Years are never cut; the table says how many groups were left out.
    let years = json(&run(s.index(), &["trend", "新质生产力", "--limit", "3", "--json"]));
    assert_eq!(years["groups"].as_array().unwrap().len(), 2026 - 1954 + 1);
    assert_eq!(years["truncated"], false);
    let table = stdout(&run(s.index(), &["trend", "的", "--by", "speech", "--limit", "3"]));
    assert!(table.contains("3 of 94 speeches listed"), "{table}");
}

#[test]
fn trend_reports_first_and_last_appearance_and_peak() {
    let Some(s) = shared() else { return };
    let t = json(&run(s.index(), &["trend", "新质生产力", "人民公社", "--json"]));
    let first = &t["first_seen"]["新质生产力"];
    assert_eq!(first["year"], 2024, "{first}");
    assert!(first["sentence"].as_str().unwrap().contains("新质生产力"), "{first}");
    assert!(first["title"].as_str().unwrap().contains("2024"), "{first}");
    assert_eq!(t["last_seen"]["新质生产力"]["year"], 2026);
    let first_commune = t["first_seen"]["人民公社"]["year"].as_i64().unwrap();
    assert!(first_commune < 1966, "{first_commune}");
    assert!(t["peak"]["新质生产力"]["group"].as_str().unwrap() >= "2024");
    // Rates are occurrences per 10,000 characters of the group.
    for g in t["groups"].as_array().unwrap() {
        let chars = u(&g["chars"]);
        let cell = &g["terms"]["人民公社"];
        if chars == 0 {
            assert!(cell.is_null(), "a group without text has no rate: {g}");
            continue;
        }
        let expected = u(&cell["count"]) as f64 * 1e4 / chars as f64;
        assert!((cell["rate"].as_f64().unwrap() - expected).abs() < 1e-9);
    }
    // --where and --from restrict the speeches.
    let t = json(&run(
        s.index(),
        &["trend", "新质生产力", "--from", "2025", "--where", "title:政府工作报告", "--json"],
    ));
    let keys: Vec<&str> =
        t["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["2025", "2026"]);
    assert_eq!(
        u(&t["docs"]),
        23,
        "the 2025 report, its resolution and the 21 provincial reports of 2026"
    );
}

#[test]
fn trend_groups_unknown_years_last_and_fills_gaps() {
    let dir = TempDir::new().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "a.md",
                "---\ntitle: 甲\nyear: 2001\nregion: 北原省\n---\n发展新质生产力。新質生產力！\n"
                    .as_bytes(),
            ),
            ("b.md", "---\ntitle: 乙\nyear: 2003\n---\n没有这个词。\n".as_bytes()),
            ("c.md", "---\ntitle: 丙\n---\n新质生产力\n".as_bytes()),
        ],
    );
    let index = dir.path().join("index");
    index_corpus(dir.path(), &index);
    let t = json(&run(&index, &["trend", "新质生产力", "--json"]));
    let keys: Vec<&str> =
        t["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["2001", "2002", "2003", "unknown"]);
    // 2002 has no speech: no data (null), unlike 2003, whose speech does not use the term (0).
    let counts: Vec<Option<u64>> = t["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["terms"]["新质生产力"]["count"].as_u64())
        .collect();
    assert_eq!(counts, [Some(2), None, Some(0), Some(1)]);
    assert!(t["groups"][1]["terms"]["新质生产力"].is_null(), "{}", t["groups"][1]);
    // CSV: empty cells for the year without speeches; the table shows "–" and no bar.
    let csv = stdout(&run(&index, &["trend", "新质生产力", "--csv"]));
    let row_2002 = csv.lines().find(|l| l.contains(",2002,")).unwrap_or_default().to_string();
    assert!(row_2002.ends_with(",,,"), "{csv}");
    let table = stdout(&run(&index, &["trend", "新质生产力"]));
    let line_2002 = table.lines().find(|l| l.contains("2002")).unwrap_or_default().to_string();
    assert!(line_2002.contains('–') && !line_2002.contains('█'), "{table}");
    // An SVG chart breaks its line at the gap: two runs (2001 | 2003 and unknown is no year).
    let svg = dir.path().join("t.svg");
    run(&index, &["trend", "新质生产力", "--plot", svg.to_str().unwrap()]);
    assert!(svg.is_file());
    assert_eq!(t["first_seen"]["新质生产力"]["title"], "甲");
    assert_eq!(t["first_seen"]["新质生产力"]["sentence"], "发展新质生产力。");
    let t = json(&run(&index, &["trend", "新质生产力", "--by", "region", "--json"]));
    let keys: Vec<&str> =
        t["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["北原省", "unknown"]);
}

// ---------------------------------------------------------------------------------------------
// kwic
// ---------------------------------------------------------------------------------------------

#[test]
fn kwic_has_one_line_per_occurrence_with_offsets_into_the_text() {
    let Some(s) = shared() else { return };
    for term in ["新质生产力", "人民公社", "GDP", "5G", "碳达峰"] {
        let c = json(&run(s.index(), &["kwic", term, "--json"]));
        let expected: u64 = s.docs.iter().map(|d| d.count(term)).sum();
        assert_eq!(u(&c["total"]), expected, "{term}: total");
        let lines = c["lines"].as_array().unwrap();
        assert_eq!(lines.len() as u64, expected, "{term}: one line per occurrence");
        let mut per_doc: HashMap<&str, u64> = HashMap::new();
        for l in lines {
            assert_eq!(fold(l["match"].as_str().unwrap()), fold(term), "{l}");
            *per_doc.entry(l["id"].as_str().unwrap()).or_default() += 1;
        }
        for d in &s.docs {
            assert_eq!(
                per_doc.get(d.id.as_str()).copied().unwrap_or(0),
                d.count(term),
                "{term} in {}",
                d.id
            );
        }
        // The offset points at the match in the folded text.
        for l in lines.iter().take(20) {
            let d = s.docs.iter().find(|d| d.id == l["id"].as_str().unwrap()).unwrap();
            let at: String = d
                .folded
                .chars()
                .skip(l["offset"].as_u64().unwrap() as usize)
                .take(fold(term).chars().count())
                .collect();
            assert_eq!(at, fold(term));
        }
    }
    // --limit cuts the lines, not the total.
    let c =
        json(&run(s.index(), &["kwic", "新质生产力", "--limit", "5", "--sort", "right", "--json"]));
    assert_eq!(u(&c["total"]), 91);
    assert_eq!(c["lines"].as_array().unwrap().len(), 5);
    // In date order, positions are read only for the speeches the limit reaches: any limit
    // gives the start of the full list, whether it ends inside a speech or at its end.
    for term in ["新质生产力", "发展", "党"] {
        let all = json(&run(s.index(), &["kwic", term, "--json"]));
        let all = all["lines"].as_array().unwrap();
        for limit in [1, 2, 3, 7, 40, 333] {
            let some =
                json(&run(s.index(), &["kwic", term, "--limit", &limit.to_string(), "--json"]));
            let some = some["lines"].as_array().unwrap();
            assert_eq!(some.as_slice(), &all[..limit.min(all.len())], "{term} --limit {limit}");
        }
    }
}

#[test]
fn kwic_shows_the_text_as_written_and_aligns_the_term() {
    let index = sample_index();
    let c = json(&run(index, &["kwic", "新质生产力", "--json"]));
    let matches: Vec<&str> =
        c["lines"].as_array().unwrap().iter().map(|l| l["match"].as_str().unwrap()).collect();
    assert!(matches.contains(&"新質生產力"), "the traditional form as written: {matches:?}");
    let text = stdout(&run(index, &["kwic", "新质生产力", "--width", "10"]));
    let columns: Vec<usize> = text
        .lines()
        .skip(1)
        .map(|l| unicode_width::UnicodeWidthStr::width(&l[..l.find('【').expect("a marked match")]))
        .collect();
    assert!(columns.len() > 3 && columns.iter().all(|&c| c == columns[0]), "{text}");
}

// ---------------------------------------------------------------------------------------------
// compare and top
// ---------------------------------------------------------------------------------------------

#[test]
fn compare_2024_and_2025_reports_lists_words_new_in_2025() {
    let Some(s) = shared() else { return };
    let (a, b) = ("gwr/government_work_reports.jsonl:3", "gwr/government_work_reports.jsonl:1");
    assert_eq!(json(&run(s.index(), &["show", a, "--json"]))["year"], 2024);
    assert_eq!(json(&run(s.index(), &["show", b, "--json"]))["year"], 2025);
    let c = json(&run(
        s.index(),
        &["compare", a, b, "--terms", "新质生产力,人工智能", "--json", "--limit", "30"],
    ));
    let doc_b = s.docs.iter().find(|d| d.id == b).unwrap();
    let new = c["new_in_b"].as_array().unwrap();
    assert!(new.len() >= 10, "{new:?}");
    for w in new {
        let word = w["word"].as_str().unwrap();
        assert_eq!(u(&w["a"]), 0, "{w}");
        assert!(u(&w["b"]) > 0 && doc_b.folded.contains(word), "{w}");
    }
    let g2: Vec<f64> = new.iter().map(|w| w["g2"].as_f64().unwrap()).collect();
    assert!(g2.windows(2).all(|p| p[0] >= p[1]), "sorted by G²: {g2:?}");
    for w in c["over_a"].as_array().unwrap() {
        assert!(w["log_ratio"].as_f64().unwrap() > 0.0, "{w}");
    }
    for w in c["over_b"].as_array().unwrap() {
        assert!(w["log_ratio"].as_f64().unwrap() < 0.0, "{w}");
    }
    let doc_a = s.docs.iter().find(|d| d.id == a).unwrap();
    for t in c["terms"].as_array().unwrap() {
        let term = t["term"].as_str().unwrap();
        assert_eq!(u(&t["a"]), doc_a.count(term), "{term}");
        assert_eq!(u(&t["b"]), doc_b.count(term), "{term}");
    }
    // Two sets by query.
    let c = json(&run(s.index(), &["compare", "--a", "year:2024", "--b", "year:2026", "--json"]));
    assert_eq!(u(&c["b"]["docs"]), 21);
    assert!(!c["new_in_b"].as_array().unwrap().is_empty());
}

#[test]
fn top_lists_frequent_words_without_stopwords() {
    let t = json(&run(sample_index(), &["top", "--limit", "20", "--json"]));
    let words: Vec<&str> =
        t["words"].as_array().unwrap().iter().map(|w| w["word"].as_str().unwrap()).collect();
    assert_eq!(words.len(), 20);
    assert!(words.contains(&"新质生产力") && words.contains(&"发展"), "{words:?}");
    for stop in ["的", "和", "我们", "是"] {
        assert!(!words.contains(&stop), "{stop} is a stopword: {words:?}");
    }
    let counts: Vec<u64> = t["words"].as_array().unwrap().iter().map(|w| u(&w["count"])).collect();
    assert!(counts.windows(2).all(|p| p[0] >= p[1]), "{counts:?}");
    let t = json(&run(sample_index(), &["top", "--where", "year:2025", "--json"]));
    assert_eq!(u(&t["docs"]), 3);
}

/// Boilerplate (issue 16): the Wikisource licence footer (65 of the 94 shared texts) and the
/// page furniture of the provincial pages (下载 / 打印 / 全屏 / 【字号：/ 减小) are left out of
/// word statistics, while search still counts every occurrence over the whole text; a
/// salutation repeated in most reports (各位代表) stays.
#[test]
fn boilerplate_is_left_out_of_top_and_still_counted_by_search() {
    let Some(s) = shared() else { return };
    let t = json(&run(s.index(), &["top", "--limit", "10000", "--json"]));
    let words: HashMap<&str, u64> = t["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["word"].as_str().unwrap(), u(&w["count"])))
        .collect();
    for gone in ["domain", "public", "false", "维基", "著作权法", "全屏", "减小", "打印"]
    {
        assert!(!words.contains_key(gone), "{gone} is counted: {:?}", words.get(gone));
    }
    assert!(words.get("各位").is_some_and(|n| *n >= 66), "{:?}", words.get("各位"));
    let count = |q: &str| {
        let v = json(&run(s.index(), &["search", q, "--count", "--json"]));
        (u(&v["total_docs"]), u(&v["total_hits"]))
    };
    for (phrase, folded) in
        [("著作权法", "著作权法"), ("\"Public domain\"", "public domain"), ("全屏", "全屏")]
    {
        let docs = s.docs.iter().filter(|d| d.count(folded) > 0).count() as u64;
        let hits: u64 = s.docs.iter().map(|d| d.count(folded)).sum();
        assert!(docs > 0, "{phrase}: nothing to count in the corpus");
        assert_eq!(count(phrase), (docs, hits), "{phrase}: search must count boilerplate too");
    }
}

/// `--no-boilerplate` (issue 16): search, trend and kwic leave out the occurrences on boilerplate
/// lines, and agree with a count over the texts with their boilerplate blanked (found
/// independently from the texts here); without it they count the whole text.
#[test]
fn no_boilerplate_counts_equal_a_count_over_the_blanked_texts() {
    let Some(s) = shared() else { return };
    let ix = s.index();
    for (phrase, folded) in [
        ("著作权法", "著作权法"),
        ("\"Public domain\"", "public domain"),
        ("全屏", "全屏"),
        ("作品", "作品"),
        ("新质生产力", "新质生产力"),
    ] {
        let docs = s.docs.iter().filter(|d| d.statistics.contains(folded)).count() as u64;
        let hits: u64 = s.docs.iter().map(|d| d.statistics.matches(folded).count() as u64).sum();
        let all: u64 = s.docs.iter().map(|d| d.count(folded)).sum();
        let v = json(&run_any(ix, &["search", phrase, "--count", "--json", "--no-boilerplate"]));
        let found = (u(&v["total_docs"]), u(&v["total_hits"]));
        assert_eq!(found, (docs, hits), "search {phrase} --no-boilerplate");
        let v = json(&run(ix, &["search", phrase, "--count", "--json"]));
        assert_eq!(u(&v["total_hits"]), all, "search {phrase} counts everything by default");
        let term = folded;
        let t =
            json(&run_any(ix, &["trend", term, "--json", "--by", "speech", "--no-boilerplate"]));
        assert_eq!(u(&t["totals"][term]["count"]), hits, "trend {term} --no-boilerplate");
        assert_eq!(u(&t["totals"][term]["docs"]), docs, "trend {term} --no-boilerplate");
        let k = json(&run_any(ix, &["kwic", term, "--json", "--no-boilerplate"]));
        assert_eq!((u(&k["docs"]), u(&k["total"])), (docs, hits), "kwic {term} --no-boilerplate");
        assert_eq!(k["lines"].as_array().unwrap().len() as u64, hits, "kwic {term}: every line");
    }
    // The licence footer is boilerplate in every speech that has it.
    assert!(s.docs.iter().all(|d| !d.statistics.contains("著作权法")));
}

/// Human `kwic` and `trend --by speech` fit the terminal (issue 16): with `COLUMNS` (what the
/// terminal's width stands in for here) no concordance line or table line is wider (the prose
/// of trend's summary wraps as the terminal wraps it); without it (a pipe) the lines are as wide
/// as their content, so scripts and golden files do not depend on a terminal.
#[test]
fn kwic_and_trend_by_speech_fit_the_terminal_width() {
    use unicode_width::UnicodeWidthStr;
    let index = sample_index();
    let aligned = |l: &&str| !l.starts_with(' ') && !l.contains(" occurrences in ");
    let widest = |o: &Output| {
        stdout(o).lines().filter(aligned).map(UnicodeWidthStr::width).max().unwrap_or(0)
    };
    let commands: [&[&str]; 4] = [
        &["kwic", "发展"],
        &["trend", "发展", "--by", "speech"],
        &["trend", "发展", "改革", "--by", "speech"],
        &["trend", "发展", "改革", "创新"],
    ];
    for args in commands {
        let free = widest(&run(index, args));
        for cols in [60usize, 80, 100] {
            let o = bin()
                .arg("--index")
                .arg(index)
                .args(args)
                .env("COLUMNS", cols.to_string())
                .output()
                .unwrap();
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            let w = widest(&o);
            assert!(w <= cols, "{args:?} at {cols} columns: a line of {w}\n{}", stdout(&o));
            if free <= cols {
                assert_eq!(stdout(&o), stdout(&run(index, args)), "{args:?} fits: unchanged");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Golden files (sample corpus)
// ---------------------------------------------------------------------------------------------

#[test]
fn golden_outputs_on_the_sample_corpus() {
    let index = sample_index();
    let out = |args: &[&str]| stdout(&run(index, args));
    check_golden("stats-trend-table.txt", &out(&["trend", "新质生产力"]));
    check_golden(
        "stats-trend-terms-table.txt",
        &out(&["trend", "新质生产力", "碳达峰", "十四五", "--metric", "count"]),
    );
    check_golden("stats-trend-region-table.txt", &out(&["trend", "乡村振兴", "--by", "region"]));
    check_golden("stats-trend.csv", &out(&["trend", "新质生产力", "碳达峰", "--csv"]));
    check_golden("stats-trend-speech.csv", &out(&["trend", "碳达峰", "--by", "speech", "--csv"]));
    check_golden("stats-kwic.txt", &out(&["kwic", "碳达峰", "--width", "12"]));
    check_golden("stats-kwic.csv", &out(&["kwic", "碳达峰", "--width", "12", "--csv"]));
    check_golden("stats-top.csv", &out(&["top", "--limit", "15", "--csv"]));
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

#[test]
fn svg_chart_has_one_series_per_term() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("trend.svg");
    let terms = ["新质生产力", "碳达峰", "十四五"];
    let mut args = vec!["trend", "--plot", path.to_str().unwrap()];
    args.extend(terms);
    run(sample_index(), &args);
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "not an SVG");
    // Series are coloured polylines (the line, and its legend sample); axes and ticks are black.
    let mut colours: Vec<&str> = svg
        .split("<polyline")
        .skip(1)
        .filter_map(|p| p.split("stroke=\"").nth(1)?.split('"').next())
        .filter(|c| *c != "#000000")
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert_eq!(colours.len(), terms.len(), "one coloured series per term: {colours:?}");
    for term in terms {
        assert!(svg.contains(&format!(">\n{term}\n</text>")), "a legend entry for {term}");
    }
    assert!(svg.contains("Noto Sans CJK SC"), "a CJK font family for the viewer");
}

#[test]
fn first_and_last_under_a_filter_say_they_are_within_it() {
    let all = stdout(&run(sample_index(), &["trend", "新质生产力"]));
    assert!(all.contains("  first: ") && !all.contains("matching"), "{all}");
    let recent = stdout(&run(sample_index(), &["trend", "新质生产力", "--from", "2024"]));
    assert!(recent.contains("characters matching year:2024.."), "{recent}");
    assert!(recent.contains("  first (in the selection): 2024"), "{recent}");
    assert!(recent.contains("  last (in the selection): "), "{recent}");
}

#[test]
fn categories_are_bars_and_a_chinese_chart_has_chinese_axes() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("regions.svg");
    run(
        sample_index(),
        &["trend", "新质生产力", "--by", "region", "--plot", path.to_str().unwrap()],
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    // Bars: filled rectangles in the first series colour (#1F77B4), and no series line.
    let elements = |tag: &str| -> Vec<String> {
        let open = format!("<{tag}");
        svg.split(open.as_str())
            .skip(1)
            .map(|e| e.split('>').next().unwrap_or("").to_string())
            .collect()
    };
    let bars = elements("rect").iter().filter(|r| r.contains("fill=\"#1F77B4\"")).count();
    // One bar per group with speeches (0 is a value: a flat bar), and the legend's sample.
    let t = json(&run(sample_index(), &["trend", "新质生产力", "--by", "region", "--json"]));
    let with_data =
        t["groups"].as_array().unwrap().iter().filter(|g| !g["terms"]["新质生产力"].is_null());
    assert_eq!(bars, with_data.count() + 1, "one bar per group with data");
    let lines = elements("polyline").iter().filter(|p| p.contains("#1F77B4")).count();
    assert_eq!(lines, 0, "no line through unrelated regions");
    for word in ["地区", "每万字频次", "新质生产力：每万字频次（按地区）"] {
        assert!(svg.contains(word), "{word} in the chart");
    }
}

#[test]
fn png_chart_is_a_valid_image_or_names_the_font_to_install() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("trend.png");
    let o = bin()
        .arg("--index")
        .arg(sample_index())
        .args(["trend", "新质生产力", "碳达峰", "--plot"])
        .arg(&path)
        .output()
        .unwrap();
    if !o.status.success() {
        assert!(stderr(&o).contains("fonts-noto-cjk"), "{}", stderr(&o));
        eprintln!("skipping the PNG check: no CJK font on this machine");
        return;
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().expect("a decodable PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a decodable frame");
    assert!(info.width >= 800 && info.height >= 400, "{}x{}", info.width, info.height);
    // Not a blank image: some pixels are neither white nor grey.
    let coloured = buf
        .chunks(info.color_type.samples())
        .filter(|p| p.len() >= 3 && (p[0] != p[1] || p[1] != p[2]))
        .count();
    assert!(coloured > 100, "{coloured} coloured pixels");
}

#[test]
fn bad_plot_file_names_are_refused() {
    let o = bin()
        .arg("--index")
        .arg(sample_index())
        .args(["trend", "新质生产力", "--plot", "chart.jpg"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".svg or .png"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Timing (not a timed test): `cargo test --release --test integration -- --ignored --nocapture
// stats::timing`
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "a measurement, not a test; run with --ignored --nocapture"]
fn timing_in_process() {
    use speechdex::index::SpeechIndex;
    use speechdex::stats::kwic::{KwicRequest, kwic};
    use speechdex::stats::trend::{TrendRequest, trend};
    use std::time::Instant;

    let Some(s) = shared() else { return };
    let index = SpeechIndex::open(s.index()).unwrap();
    let time = |label: &str, f: &dyn Fn()| {
        f();
        let runs = 50;
        let started = Instant::now();
        for _ in 0..runs {
            f();
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        eprintln!("{label}: {ms:.3} ms");
    };
    let one = TrendRequest { terms: vec!["新质生产力".into()], ..Default::default() };
    time("trend 新质生产力 --by year", &|| {
        trend(&index, &one).unwrap();
    });
    let five = TrendRequest {
        terms: ["新质生产力", "人民公社", "改革开放", "高质量发展", "GDP"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    };
    time("trend (5 terms) --by year", &|| {
        trend(&index, &five).unwrap();
    });
    time("kwic 新质生产力", &|| {
        kwic(&index, &KwicRequest::new("新质生产力")).unwrap();
    });
}
