//! Acceptance tests for `speechdex search` and `speechdex show` (issue 3).
//!
//! Most tests run the binary on an index of the shared corpus (`../shared/corpus`, 94 speeches),
//! built once per test binary into a temporary folder ([`crate::shared`]). Every expected value
//! is computed here, independently of the index: the texts are read straight from the corpus
//! files (JSONL `content`, CSV `full_text`, the whole `.txt`), folded with
//! [`speechdex::analysis::fold`] and counted with `str::matches` (non-overlapping, as `rg -F -o`).
//!
//! The golden tests use the sample corpus (`corpus/`); `UPDATE_GOLDEN=1` rewrites their files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use speechdex::analysis::{WordsTokenizer, fold};
use tempfile::TempDir;

use crate::common::{bin, check_golden, sample_corpus, sample_index, stderr, stdout};
use crate::shared::{Doc, Shared, shared};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// What the search tests ask of a speech of the shared corpus, besides its counts.
impl Doc {
    fn title_has(&self, text: &str) -> bool {
        fold(&self.title).contains(fold(text).as_str())
    }

    fn region_has(&self, text: &str) -> bool {
        self.region.as_deref().is_some_and(|r| fold(r).contains(fold(text).as_str()))
    }

    fn year_in(&self, from: i32, to: i32) -> bool {
        self.year.is_some_and(|y| (from..=to).contains(&y))
    }
}

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// `speechdex search --index INDEX [opts] -- QUERY`.
fn search(index: &Path, query: &str, opts: &[&str]) -> Output {
    bin()
        .arg("search")
        .arg("--index")
        .arg(index)
        .args(opts)
        .arg("--")
        .arg(query)
        .output()
        .expect("the speechdex binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Runs a search that must succeed (exit 0 with hits, 1 without) and parses its JSON.
fn search_json(index: &Path, query: &str, opts: &[&str]) -> Value {
    let o = search(index, query, opts);
    assert!(
        matches!(code(&o), 0 | 1),
        "search {query:?} {opts:?} failed ({:?}):\n{}",
        o.status,
        stderr(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("search {query:?} {opts:?}: stdout is not JSON ({e}):\n{}", stdout(&o))
    });
    let hits = v["total_docs"].as_u64().expect("total_docs");
    assert_eq!(code(&o), if hits > 0 { 0 } else { 1 }, "exit status of {query:?} {opts:?}");
    v
}

/// Every matching speech (id → hits), without ranking (no jieba) and without snippets.
fn all_results(index: &Path, query: &str, extra: &[&str]) -> (Value, BTreeMap<String, u64>) {
    let mut opts = vec!["--json", "--limit", "1000", "--sort", "hits", "--snippets", "0"];
    opts.extend_from_slice(extra);
    let v = search_json(index, query, &opts);
    let mut map = BTreeMap::new();
    for r in v["results"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap().to_string();
        assert!(map.insert(id.clone(), r["hits"].as_u64().unwrap()).is_none(), "{id} twice");
    }
    assert_eq!(map.len() as u64, v["total_docs"].as_u64().unwrap(), "{query}: one page");
    (v, map)
}

fn show(index: &Path, args: &[&str]) -> Output {
    bin().arg("show").arg("--index").arg(index).args(args).output().expect("speechdex runs")
}

/// The body of a speech as `show --json` prints it.
fn shown_body(index: &Path, id: &str) -> String {
    let o = show(index, &["--json", "--", id]);
    assert_eq!(code(&o), 0, "show {id}: {}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["body"].as_str().expect("show --json has the body").to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Exactness
// ---------------------------------------------------------------------------------------------

/// Terms of 1–8 characters: frequent, rare, one character, latin and digits, terms jieba cuts
/// differently in context, traditional and full-width forms.
const TERMS: &[&str] = &[
    // frequent
    "发展",
    "经济",
    "改革",
    "人民",
    "的",
    // one character
    "党",
    "钢",
    "粮",
    // latin, digits, width, case
    "GDP",
    "gdp",
    "ＧＤＰ",
    "Gdp",
    "5G",
    "5g",
    "CPI",
    "2024",
    "1978",
    "%",
    "AI",
    // inside longer jieba words, or across word boundaries
    "市场经济",
    "改革开放",
    "人民公社化",
    "新质",
    "生产力",
    "质生",
    "新质生产力",
    "新質生產力",
    "科技创新",
    "人工智能",
    "碳达峰",
    "碳中和",
    "乡村振兴",
    "共同富裕",
    "一带一路",
    "高质量发展",
    "供给侧结构性改革",
    "全面建成小康社会",
    "中国特色社会主义",
    // rare
    "大跃进",
    "三面红旗",
    "四个现代化",
    "低空经济",
    "十五五",
    "量子纠缠态",
];

#[test]
fn exact_totals_equal_substring_counts() {
    let Some(sh) = shared() else { return };
    assert!(TERMS.len() >= 30);
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    for term in TERMS {
        assert!((1..=8).contains(&term.chars().count()), "{term}");
        let docs = sh.docs.iter().filter(|d| d.count(term) > 0).count() as u64;
        let hits: u64 = sh.docs.iter().map(|d| d.count(term)).sum();
        let v = search_json(sh.index(), term, &["--count", "--json"]);
        let got = (v["total_docs"].as_u64().unwrap(), v["total_hits"].as_u64().unwrap());
        if got != (docs, hits) {
            wrong.push(format!("{term}: speechdex {got:?}, substring count {:?}", (docs, hits)));
        }
        table.push((term, docs, hits));
    }
    assert!(wrong.is_empty(), "counts differ:\n{}", wrong.join("\n"));

    // Known fact, and folding: the traditional and full-width forms count the same.
    let row = |t: &str| table.iter().find(|r| *r.0 == t).map(|r| (r.1, r.2)).unwrap();
    assert_eq!(row("新质生产力"), (25, 91));
    assert_eq!(row("新質生產力"), row("新质生产力"));
    assert_eq!(row("ＧＤＰ"), row("GDP"));
    assert_eq!(row("gdp"), row("GDP"));
    assert_eq!(row("5g"), row("5G"));
    // A term inside a longer word is found: 生产力 inside 新质生产力.
    assert!(row("生产力").1 >= row("新质生产力").1 && row("生产力").0 >= row("新质生产力").0);
    assert!(row("质生").1 >= row("新质生产力").1);

    println!("{:<12} {:>5} {:>7}", "term", "docs", "hits");
    for (term, docs, hits) in &table {
        println!("{term:<12} {docs:>5} {hits:>7}");
    }
}

#[test]
fn exact_hits_per_speech_equal_substring_counts() {
    let Some(sh) = shared() else { return };
    let mut wrong = Vec::new();
    for term in TERMS {
        let expected: BTreeMap<String, u64> =
            sh.docs.iter().map(|d| (d.id.clone(), d.count(term))).filter(|(_, n)| *n > 0).collect();
        let (_, got) = all_results(sh.index(), term, &[]);
        if got != expected {
            let ids: BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
            for id in ids {
                let (g, e) = (got.get(id), expected.get(id));
                if g != e {
                    wrong.push(format!("{term} in {id}: speechdex {g:?}, substring count {e:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "per-speech hits differ:\n{}", wrong.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// 2. Ranking
// ---------------------------------------------------------------------------------------------

/// For every speech, the query of its three rarest jieba words (≥ 2 characters; document
/// frequency over the corpus; ties: more occurrences in the speech first, then the word) ranks
/// it first for at least 90% of speeches. Run in-process (one jieba load) on the same index.
#[test]
fn ranking_rarest_words_rank_their_speech_first() {
    let Some(sh) = shared() else { return };
    let tokenizer = WordsTokenizer::new(&[]);
    let words: Vec<HashMap<String, usize>> = sh
        .docs
        .iter()
        .map(|d| {
            let mut tf = HashMap::new();
            for (w, _, _) in tokenizer.words(&d.body) {
                if w.chars().count() >= 2 && !w.contains(['"', '\\']) {
                    *tf.entry(w).or_insert(0) += 1;
                }
            }
            tf
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for tf in &words {
        for w in tf.keys() {
            *df.entry(w.as_str()).or_insert(0) += 1;
        }
    }

    let index = speechdex::index::SpeechIndex::open(sh.index()).expect("open the index");
    let mut misses = Vec::new();
    for (doc, tf) in sh.docs.iter().zip(&words) {
        let mut candidates: Vec<(&String, usize, usize)> =
            tf.iter().map(|(w, n)| (w, df[w.as_str()], *n)).collect();
        candidates.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        let query = candidates
            .iter()
            .take(3)
            .map(|(w, _, _)| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" ");
        let node = speechdex::search::parse(&query).expect("the query parses");
        let mut req = speechdex::search::SearchRequest::new(node, query.clone());
        req.limit = 1000;
        req.snippets = 0;
        let results = speechdex::search::search(&index, &req).expect("search");
        let first = results.results.first().map(|r| r.id.clone()).unwrap_or_default();
        if first != doc.id {
            let rank = results.results.iter().find(|r| r.id == doc.id).map(|r| r.rank);
            let dfs: Vec<usize> = candidates.iter().take(3).map(|c| c.1).collect();
            misses.push(format!(
                "{}: {query} (df {dfs:?}) → first {first} (of {}), the speech at rank {rank:?}",
                doc.id, results.total_docs
            ));
        }
    }
    let n = sh.docs.len();
    let share = (n - misses.len()) as f64 / n as f64;
    println!("ranking: {}/{n} speeches first ({:.1}%)", n - misses.len(), share * 100.0);
    for m in &misses {
        println!("  miss {m}");
    }
    assert!(
        share >= 0.9,
        "only {:.1}% ranked first; misses:\n{}",
        share * 100.0,
        misses.join("\n")
    );
}

/// The binary ranks like the library: spot check on one ranked query.
#[test]
fn ranking_binary_puts_topic_speeches_first() {
    let Some(sh) = shared() else { return };
    let v =
        search_json(sh.index(), "新质生产力", &["--json", "--limit", "1000", "--snippets", "0"]);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 25);
    let scores: Vec<f64> = results.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "scores not sorted: {scores:?}");
    assert!(scores.iter().all(|s| *s > 0.0), "every match is scored: {scores:?}");
    let ranks: Vec<u64> = results.iter().map(|r| r["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=25).collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------------------------
// 3. Query language
// ---------------------------------------------------------------------------------------------

/// Checks that `query` (with `extra` options) matches exactly the speeches `pred` selects, with
/// `total_hits` the occurrences of `positive` in them.
fn check_set(
    sh: &Shared,
    query: &str,
    extra: &[&str],
    positive: &[&str],
    pred: impl Fn(&Doc) -> bool,
) {
    let expected = sh.ids_where(&pred);
    let (v, got) = all_results(sh.index(), query, extra);
    let got_ids: BTreeSet<String> = got.keys().cloned().collect();
    assert_eq!(
        got_ids,
        expected,
        "{query:?} {extra:?}: speechdex found {} speeches, expected {}\n  missing: {:?}\n  extra: {:?}",
        got_ids.len(),
        expected.len(),
        expected.difference(&got_ids).collect::<Vec<_>>(),
        got_ids.difference(&expected).collect::<Vec<_>>(),
    );
    let mut total = 0;
    for (id, hits) in &got {
        let want: u64 = positive.iter().map(|p| sh.doc(id).count(p)).sum();
        assert_eq!(*hits, want, "{query:?} {extra:?}: hits of {id}");
        total += want;
    }
    assert_eq!(v["total_hits"].as_u64().unwrap(), total, "{query:?} {extra:?}: total_hits");
}

#[test]
fn query_language_boolean_operators() {
    let Some(sh) = shared() else { return };
    let both = |d: &Doc| d.has("新质生产力") && d.has("科技创新");
    check_set(sh, "新质生产力 科技创新", &[], &["新质生产力", "科技创新"], both);
    check_set(sh, "新质生产力 AND 科技创新", &[], &["新质生产力", "科技创新"], both);
    check_set(sh, "新质生产力　科技创新", &[], &["新质生产力", "科技创新"], both);

    let without = |d: &Doc| d.has("新质生产力") && !d.has("人工智能");
    check_set(sh, "新质生产力 -人工智能", &[], &["新质生产力"], without);
    check_set(sh, "新质生产力 NOT 人工智能", &[], &["新质生产力"], without);
    check_set(sh, "-人工智能 新质生产力", &[], &["新质生产力"], without);

    let either = |d: &Doc| d.has("碳达峰") || d.has("碳中和");
    check_set(sh, "碳达峰 | 碳中和", &[], &["碳达峰", "碳中和"], either);
    check_set(sh, "碳达峰 OR 碳中和", &[], &["碳达峰", "碳中和"], either);

    // Parentheses, and precedence: NOT, then AND, then OR.
    check_set(sh, "(碳达峰 | 碳中和) -煤炭", &[], &["碳达峰", "碳中和"], |d| {
        either(d) && !d.has("煤炭")
    });
    check_set(
        sh,
        "改革 (计划经济 | 市场经济) -新质生产力",
        &[],
        &["改革", "计划经济", "市场经济"],
        |d| d.has("改革") && (d.has("计划经济") || d.has("市场经济")) && !d.has("新质生产力"),
    );
    check_set(
        sh,
        "人民公社 钢 | 低空经济",
        &[],
        &["人民公社", "钢", "低空经济"],
        |d| (d.has("人民公社") && d.has("钢")) || d.has("低空经济"),
    );
    check_set(sh, "-(发展 改革)", &[], &[], |d| !(d.has("发展") && d.has("改革")));
    check_set(sh, "-党", &[], &[], |d| !d.has("党"));

    // Quotes keep spaces and make keywords literal; `-` inside a word is text.
    check_set(sh, "\"GDP 增长\"", &[], &["GDP 增长"], |d| d.has("GDP 增长"));
    check_set(sh, "“新质生产力”", &[], &["新质生产力"], |d| d.has("新质生产力"));
    check_set(sh, "2020-2025", &[], &["2020-2025"], |d| d.has("2020-2025"));
}

#[test]
fn query_language_fields_and_filters() {
    let Some(sh) = shared() else { return };
    check_set(sh, "title:决议", &[], &[], |d| d.title_has("决议"));
    check_set(sh, "TITLE:决议 人民", &[], &["人民"], |d| {
        d.title_has("决议") && d.has("人民")
    });
    check_set(
        sh,
        "title:政府工作报告 year:2020..2025 乡村振兴",
        &[],
        &["乡村振兴"],
        |d| d.title_has("政府工作报告") && d.year_in(2020, 2025) && d.has("乡村振兴"),
    );
    check_set(sh, "region:江 新质生产力", &[], &["新质生产力"], |d| {
        d.region_has("江") && d.has("新质生产力")
    });
    check_set(sh, "region:自治区", &[], &[], |d| d.region_has("自治区"));
    check_set(sh, "GDP", &["--region", "自治区"], &["GDP"], |d| {
        d.region_has("自治区") && d.has("GDP")
    });
    check_set(sh, "-region:省 发展", &[], &["发展"], |d| !d.region_has("省") && d.has("发展"));

    // Years: JSONL `year` (resolutions: the year of their NPC session), CSV `year`, the seed's
    // title.
    check_set(sh, "year:2024", &[], &[], |d| d.year == Some(2024));
    check_set(sh, "year:2020..2025", &[], &[], |d| d.year_in(2020, 2025));
    check_set(sh, "year:2020.. 改革", &[], &["改革"], |d| {
        d.year_in(2020, 9999) && d.has("改革")
    });
    check_set(sh, "year:..1978", &[], &[], |d| d.year_in(0, 1978));
    check_set(sh, "year:1961..1963", &[], &[], |d| d.year_in(1961, 1963));
    check_set(sh, "发展", &["--year", "2024"], &["发展"], |d| {
        d.year == Some(2024) && d.has("发展")
    });
    check_set(sh, "改革", &["--from", "2015", "--to", "2019"], &["改革"], |d| {
        d.year_in(2015, 2019) && d.has("改革")
    });
    check_set(sh, "改革", &["--from", "2023"], &["改革"], |d| {
        d.year_in(2023, 9999) && d.has("改革")
    });
    check_set(sh, "改革", &["--to", "1960"], &["改革"], |d| {
        d.year_in(0, 1960) && d.has("改革")
    });
    check_set(sh, "year:2026", &["--region", "江"], &[], |d| {
        d.year == Some(2026) && d.region_has("江")
    });
    // Filters combine with OR queries as an AND of the whole.
    check_set(sh, "碳达峰 | 碳中和", &["--year", "2026"], &["碳达峰", "碳中和"], |d| {
        d.year == Some(2026) && (d.has("碳达峰") || d.has("碳中和"))
    });
}

/// `date:` and its ranges, on the CSVs' datelines (else `publish_date`). The other speeches have no date field;
/// the index may infer one from a dateline, but never in 2026 (the JSONL speeches end in 2025
/// and the seed speech has no dateline), so ranges within 2026 select CSV rows only.
#[test]
fn query_language_dates() {
    let Some(sh) = shared() else { return };
    let date_in =
        |d: &Doc, from: &str, to: &str| d.date.as_deref().is_some_and(|x| (from..=to).contains(&x));
    check_set(sh, "date:2026-02-01..2026-02-05", &[], &[], |d| {
        date_in(d, "2026-02-01", "2026-02-05")
    });
    check_set(sh, "date:2026-02-09", &[], &[], |d| date_in(d, "2026-02-09", "2026-02-09"));
    check_set(sh, "date:2026-02-10.. 新质生产力", &[], &["新质生产力"], |d| {
        date_in(d, "2026-02-10", "2026-12-31") && d.has("新质生产力")
    });
    check_set(sh, "date:2026-01-01..2026-01-31", &[], &[], |d| {
        date_in(d, "2026-01-01", "2026-01-31")
    });
}

#[test]
fn query_language_metadata_fields_without_values_find_nothing() {
    let Some(sh) = shared() else { return };
    // 温家宝 reported 2008–2012 but no text carries his byline: the resolutions that name him
    // are not his (issue 14). region:浙江省 matches none either.
    for query in ["speaker:温家宝", "region:浙江省 \"共同富裕\"", "量子纠缠态"] {
        let v = search_json(sh.index(), query, &["--json"]);
        assert_eq!(v["total_docs"], 0, "{query}");
        assert_eq!(v["results"].as_array().unwrap().len(), 0, "{query}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Errors and exit status
// ---------------------------------------------------------------------------------------------

#[test]
fn errors_exit_2_with_one_message_and_position() {
    let Some(sh) = shared() else { return };
    // (query, problem named, position in characters)
    let cases: &[(&str, &str, usize)] = &[
        ("\"新质生产力", "unbalanced quote", 0),
        ("科技 “新质生产力", "unbalanced quote", 3),
        ("(新质生产力 | 科技", "unbalanced parenthesis", 0),
        ("新质生产力)", "unmatched )", 5),
        ("foo:bar", "unknown field", 0),
        ("新质生产力 foo:bar", "unknown field", 6),
        ("year:2025..2020", "backwards", 5),
        ("date:2024-06-30..2024-01-01", "backwards", 5),
        ("year:abc", "invalid year", 5),
        ("", "empty query", 0),
        ("   ", "empty query", 0),
        ("新质生产力 |", "needs a search term", 6),
    ];
    for (query, problem, position) in cases {
        for opts in [&[][..], &["--json"][..], &["--count"][..]] {
            let o = search(sh.index(), query, opts);
            let err = stderr(&o);
            assert_eq!(code(&o), 2, "{query:?} {opts:?}: exit status; stderr:\n{err}");
            assert!(o.stdout.is_empty(), "{query:?}: nothing on stdout, got {}", stdout(&o));
            assert_eq!(
                err.matches("speechdex: error").count(),
                1,
                "{query:?}: one message:\n{err}"
            );
            assert!(err.contains(problem), "{query:?}: should name {problem:?}:\n{err}");
            assert!(
                err.contains(&format!("at character {position}")),
                "{query:?}: should give position {position}:\n{err}"
            );
            assert!(!err.contains("panicked"), "{query:?}: {err}");
        }
    }
}

#[test]
fn bad_filters_exit_2() {
    let Some(sh) = shared() else { return };
    for opts in
        [&["--from", "2025", "--to", "2020"][..], &["--year", "24"][..], &["--year", "x"][..]]
    {
        let o = search(sh.index(), "发展", opts);
        assert_eq!(code(&o), 2, "{opts:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{opts:?}");
        assert!(!stderr(&o).trim().is_empty(), "{opts:?}: a message on stderr");
    }
}

#[test]
fn exit_status_hits_no_hits() {
    let Some(sh) = shared() else { return };
    for opts in [&[][..], &["--count"][..], &["--json"][..], &["--csv"][..], &["--jsonl"][..]] {
        let o = search(sh.index(), "新质生产力", opts);
        assert_eq!(code(&o), 0, "hits {opts:?}: {}", stderr(&o));
        let o = search(sh.index(), "量子纠缠态", opts);
        assert_eq!(code(&o), 1, "no hits {opts:?}: {}", stderr(&o));
        assert!(stderr(&o).trim().is_empty(), "no hits is not an error: {}", stderr(&o));
    }
    let o = search(sh.index(), "新质生产力", &["--count"]);
    assert_eq!(stdout(&o).trim(), "25 speeches, 91 hits");
}

#[test]
fn no_query_makes_the_binary_panic() {
    let Some(sh) = shared() else { return };
    let long = "a".repeat(100_001);
    let deep = format!("{}a{}", "(".repeat(65), ")".repeat(65));
    let many = "a ".repeat(2049);
    let queries = [
        "\u{7}\u{1b}[31m\u{7f}",
        "\u{202e}新质\u{200b}生产力",
        "((((",
        "))))",
        "\"\\",
        "-",
        "--",
        "|",
        "NOT",
        "title:",
        "year:99999999999999999999",
        "date:9999-12-31..",
        "\u{ffff}\u{10ffff}",
        "𠀀𠀁",
        "\r\n",
        long.as_str(),
        deep.as_str(),
        many.as_str(),
    ];
    for q in queries {
        let o = search(sh.index(), q, &["--count"]);
        let err = stderr(&o);
        assert!(matches!(code(&o), 0..=2), "{:?}: {:?}\n{err}", q.get(..20), o.status);
        assert!(!err.contains("panicked"), "{:?}: {err}", q.get(..20));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Output formats
// ---------------------------------------------------------------------------------------------

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

/// The 1-based non-empty line of `chars` containing character `at`.
fn paragraph_at(chars: &[char], at: usize) -> usize {
    let mut paragraph = 0;
    for line in chars[..=at].split(|&c| c == '\n') {
        if line.iter().any(|c| !c.is_whitespace()) {
            paragraph += 1;
        }
    }
    paragraph
}

#[test]
fn json_schema_snippets_and_highlights() {
    let Some(sh) = shared() else { return };
    let cases: &[(&str, &[&str])] = &[
        ("新质生产力", &["新质生产力"]),
        ("新質生產力", &["新质生产力"]),
        ("ＧＤＰ", &["gdp"]),
        ("碳达峰 | 碳中和", &["碳达峰", "碳中和"]),
        ("人民公社化 -新质生产力", &["人民公社化"]),
        ("党", &["党"]),
    ];
    let mut bodies: HashMap<String, Vec<char>> = HashMap::new();
    for (query, terms) in cases {
        let v = search_json(sh.index(), query, &["--json", "--limit", "6"]);
        assert_eq!(
            keys(&v),
            BTreeSet::from(["query", "total_docs", "total_hits", "took_ms", "results"]),
            "{query}"
        );
        assert_eq!(v["query"], *query);
        assert!(v["took_ms"].as_f64().is_some_and(|t| t >= 0.0));
        let results = v["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{query}");
        for r in results {
            assert_eq!(
                keys(r),
                BTreeSet::from([
                    "rank", "id", "title", "year", "date", "speaker", "region", "kind", "url",
                    "inferred", "path", "score", "hits", "snippets"
                ]),
                "{query}"
            );
            // `inferred` names fields of the result, each of them present.
            for name in r["inferred"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                assert!(r.get(name).is_some_and(|v| !v.is_null()), "{query}: {name} in {r}");
            }
            let id = r["id"].as_str().unwrap();
            let doc = sh.doc(id);
            assert!(!r["title"].as_str().unwrap().is_empty(), "{id}: a title");
            assert!(id.starts_with(r["path"].as_str().unwrap()), "{id}: path {}", r["path"]);
            let hits: u64 = terms.iter().map(|t| doc.count(t)).sum();
            assert_eq!(r["hits"].as_u64(), Some(hits), "{query}: hits of {id}");
            let snippets = r["snippets"].as_array().unwrap();
            assert!((1..=2).contains(&snippets.len()), "{query} {id}: {} snippets", snippets.len());
            let body = bodies.entry(id.to_string()).or_insert_with(|| {
                let b = shown_body(sh.index(), id);
                assert_eq!(b, doc.body, "show --json gives the text as in the file: {id}");
                b.chars().collect()
            });
            for s in snippets {
                assert_eq!(
                    keys(s),
                    BTreeSet::from(["text", "paragraph", "offset", "highlights"]),
                    "{query}"
                );
                let text: Vec<char> = s["text"].as_str().unwrap().chars().collect();
                let offset = s["offset"].as_u64().unwrap() as usize;
                assert!(
                    text.len() <= 200,
                    "{query} {id}: snippet of {} characters, expected about 80",
                    text.len()
                );
                // The snippet is the passage at `offset`, line breaks shown as spaces.
                let passage: String = body[offset..offset + text.len()]
                    .iter()
                    .map(|&c| if c == '\n' || c == '\r' { ' ' } else { c })
                    .collect();
                assert_eq!(passage, text.iter().collect::<String>(), "{query} {id} @{offset}");
                let highlights = s["highlights"].as_array().unwrap();
                assert!(!highlights.is_empty(), "{query} {id}: a snippet shows a match");
                let mut paragraphs = Vec::new();
                for h in highlights {
                    let (a, b) = (h[0].as_u64().unwrap() as usize, h[1].as_u64().unwrap() as usize);
                    assert!(a < b && b <= text.len(), "{query} {id}: highlight {a}..{b}");
                    let in_text: String = text[a..b].iter().collect();
                    assert!(
                        terms.contains(&fold(&in_text).as_str()),
                        "{query}: highlight {in_text:?}"
                    );
                    let in_body: String = body[offset + a..offset + b].iter().collect();
                    assert!(terms.contains(&fold(&in_body).as_str()), "{query}: body {in_body:?}");
                    paragraphs.push(paragraph_at(body, offset + a));
                }
                let paragraph = s["paragraph"].as_u64().unwrap() as usize;
                assert!(
                    paragraphs.contains(&paragraph),
                    "{query} {id}: paragraph {paragraph}, matches in paragraphs {paragraphs:?}"
                );
            }
        }
    }
}

/// Occurrences of `term` (folded) in `body`, as character ranges.
fn occurrences(body: &[char], term: &str) -> Vec<(usize, usize)> {
    let folded: Vec<char> = fold(&body.iter().collect::<String>()).chars().collect();
    let t: Vec<char> = fold(term).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + t.len() <= folded.len() {
        if folded[i..i + t.len()] == t[..] {
            out.push((i, i + t.len()));
            i += t.len();
        } else {
            i += 1;
        }
    }
    out
}

/// The two snippets of a result show different passages, and neither cuts a match in half.
#[test]
fn snippets_neither_overlap_nor_cut_matches() {
    let mut problems = Vec::new();
    let mut check = |index: &Path, query: &str, terms: &[&str]| {
        let v = search_json(index, query, &["--json", "--limit", "1000", "--sort", "hits"]);
        for r in v["results"].as_array().unwrap() {
            let id = r["id"].as_str().unwrap();
            let body: Vec<char> = shown_body(index, id).chars().collect();
            let matches: Vec<(usize, usize)> =
                terms.iter().flat_map(|t| occurrences(&body, t)).collect();
            let mut previous_end = None;
            for s in r["snippets"].as_array().unwrap() {
                let start = s["offset"].as_u64().unwrap() as usize;
                let end = start + s["text"].as_str().unwrap().chars().count();
                if let Some(prev) = previous_end
                    && start < prev
                {
                    problems.push(format!(
                        "{query} in {id}: snippet {start}..{end} repeats the previous one (which ends at {prev})"
                    ));
                }
                previous_end = Some(end);
                for &(a, b) in &matches {
                    if (a < start && b > start) || (a < end && b > end) {
                        let text: String = body[a..b].iter().collect();
                        problems.push(format!(
                            "{query} in {id}: snippet {start}..{end} cuts the match {text:?} at {a}..{b}"
                        ));
                    }
                }
            }
        }
    };
    check(sample_index(), "新质生产力", &["新质生产力"]);
    if let Some(sh) = shared() {
        check(sh.index(), "新质生产力", &["新质生产力"]);
        check(sh.index(), "乡村振兴", &["乡村振兴"]);
        check(sh.index(), "人民公社", &["人民公社"]);
        check(sh.index(), "GDP", &["gdp"]);
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn jsonl_and_csv_list_the_same_results_as_json() {
    let Some(sh) = shared() else { return };
    let query = "碳达峰 | 碳中和";
    let json = search_json(sh.index(), query, &["--json", "--limit", "7"]);
    let ids: Vec<&str> =
        json["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 7);

    let o = search(sh.index(), query, &["--jsonl", "--limit", "7"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 7, "one object per line:\n{out}");
    for (i, (line, full)) in lines.iter().zip(json["results"].as_array().unwrap()).enumerate() {
        assert_eq!(line["rank"].as_u64(), Some(i as u64 + 1));
        assert_eq!(line["id"], full["id"]);
        assert_eq!(line["hits"], full["hits"]);
        assert_eq!(line["snippets"], full["snippets"]);
    }

    let o = search(sh.index(), query, &["--csv", "--limit", "7"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for column in ["rank", "id", "title", "year", "date", "region", "score", "hits", "snippets"] {
        assert!(header.iter().any(|h| h == column), "CSV column {column}: {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("CSV row")).collect();
    assert_eq!(rows.len(), 7);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[col("rank")], (i + 1).to_string());
        assert_eq!(&row[col("id")], ids[i]);
        let full = &json["results"][i];
        assert_eq!(row[col("hits")], full["hits"].to_string());
        assert_eq!(&row[col("title")], full["title"].as_str().unwrap());
        let texts: Vec<&str> = full["snippets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        assert_eq!(&row[col("snippets")], texts.join(" … "));
    }

    // --count in every format.
    let counts = search_json(sh.index(), query, &["--count", "--json"]);
    assert_eq!(counts["total_docs"], json["total_docs"]);
    assert_eq!(counts["total_hits"], json["total_hits"]);
    let o = search(sh.index(), query, &["--count", "--csv"]);
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    let row = reader.records().next().expect("one CSV row").unwrap();
    assert_eq!(
        row.iter().collect::<Vec<_>>()[1..],
        [json["total_docs"].to_string(), json["total_hits"].to_string()]
    );
}

#[test]
fn paging_is_consistent_with_the_full_list() {
    let Some(sh) = shared() else { return };
    let query = "新质生产力";
    let full = search_json(sh.index(), query, &["--json", "--limit", "1000", "--snippets", "0"]);
    let full_ids: Vec<String> = full["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(full_ids.len(), 25);
    let mut paged = Vec::new();
    for offset in (0..30).step_by(10) {
        let off = offset.to_string();
        let page = search_json(
            sh.index(),
            query,
            &["--json", "--limit", "10", "--offset", &off, "--snippets", "0"],
        );
        assert_eq!(page["total_docs"], full["total_docs"], "offset {offset}");
        assert_eq!(page["total_hits"], full["total_hits"], "offset {offset}");
        for (i, r) in page["results"].as_array().unwrap().iter().enumerate() {
            assert_eq!(r["rank"].as_u64(), Some((offset + i + 1) as u64));
            paged.push(r["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(paged, full_ids);
    // Past the end: no results, the totals still given, and still exit 0 (there are hits).
    let past = search_json(sh.index(), query, &["--json", "--offset", "100"]);
    assert_eq!(past["results"].as_array().unwrap().len(), 0);
    assert_eq!(past["total_docs"], 25);
}

/// Date order key: the date, else the year (before any dated speech of that year), else last.
/// The order of `--sort date`: a speech known only by its year counts as the last day of that
/// year (`index::schema::chrono_key`, the rule of every listing by date).
fn date_key(r: &Value) -> String {
    match (r["date"].as_str(), r["year"].as_i64()) {
        (Some(d), _) => d.to_string(),
        (None, Some(y)) => format!("{y:04}-99-99"),
        (None, None) => String::new(),
    }
}

#[test]
fn sort_by_date_and_by_hits() {
    let Some(sh) = shared() else { return };
    let by_date = search_json(
        sh.index(),
        "改革",
        &["--json", "--limit", "1000", "--sort", "date", "--snippets", "0"],
    );
    let keys: Vec<String> = by_date["results"].as_array().unwrap().iter().map(date_key).collect();
    assert_eq!(keys.len() as u64, by_date["total_docs"].as_u64().unwrap());
    let unsorted: Vec<_> = keys.windows(2).filter(|w| w[0] < w[1]).collect();
    assert!(unsorted.is_empty(), "--sort date is not newest first: {unsorted:?}");

    let by_hits = search_json(
        sh.index(),
        "改革",
        &["--json", "--limit", "1000", "--sort", "hits", "--snippets", "0"],
    );
    let results = by_hits["results"].as_array().unwrap();
    for w in results.windows(2) {
        let (a, b) = (w[0]["hits"].as_u64().unwrap(), w[1]["hits"].as_u64().unwrap());
        assert!(a >= b, "--sort hits: {a} before {b}");
        if a == b {
            assert!(
                date_key(&w[0]) >= date_key(&w[1]),
                "ties newest first: {} {}",
                w[0]["id"],
                w[1]["id"]
            );
        }
    }
    // The same set of speeches in every order.
    let set = |v: &Value| -> BTreeSet<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(set(&by_date), set(&by_hits));
}

#[test]
fn show_highlights_every_occurrence() {
    let Some(sh) = shared() else { return };
    for term in ["新质生产力", "GDP", "人民公社化"] {
        let ids = sh.ids_where(|d| d.has(term));
        assert!(!ids.is_empty(), "{term}");
        for id in ids.iter().take(12) {
            let plain = show(sh.index(), &["--", id]);
            assert_eq!(code(&plain), 0, "show {id}: {}", stderr(&plain));
            let marked = show(sh.index(), &["--highlight", term, "--", id]);
            assert_eq!(code(&marked), 0, "show {id} --highlight {term}: {}", stderr(&marked));
            let (plain, marked) = (stdout(&plain), stdout(&marked));
            let hits = sh.doc(id).count(term) as usize;
            let opened = marked.matches('【').count() - plain.matches('【').count();
            let closed = marked.matches('】').count() - plain.matches('】').count();
            assert_eq!((opened, closed), (hits, hits), "{term} in {id}: marks vs hits");
            assert!(
                marked.contains(&format!("matches: {hits}")),
                "{term} in {id}: 'matches: {hits}' line"
            );
            assert!(marked.contains(id.as_str()), "{id}: the id is shown");
            assert!(!marked.contains('\u{1b}'), "NO_COLOR: no escape codes");
        }
    }
}

#[test]
fn show_unknown_id_exits_2() {
    let Some(sh) = shared() else { return };
    for id in ["no/such/speech.txt", "gwr/government_work_reports.jsonl:999", ""] {
        let o = show(sh.index(), &["--", id]);
        assert_eq!(code(&o), 2, "show {id:?}: {:?}", o.status);
        assert!(o.stdout.is_empty(), "show {id:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("no speech"), "show {id:?}: {}", stderr(&o));
    }
    let o = show(sh.index(), &["--highlight", "\"open", "--", "seed/000_e20aaa98e4728523.txt"]);
    assert_eq!(code(&o), 2, "bad --highlight query: {}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// 6. Golden output on the sample corpus, and the first search of a fresh clone
// ---------------------------------------------------------------------------------------------

/// Replaces the timing `(12.3 ms)` with `(N.N ms)`.
fn without_timing(text: &str) -> String {
    text.lines()
        .map(|line| match (line.rfind('('), line.strip_suffix(" ms)")) {
            (Some(open), Some(_)) => format!("{}(N.N ms)", &line[..open]),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

#[test]
fn golden_human_output() {
    let o = search(sample_index(), "新质生产力", &["--limit", "3"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    check_golden("search-human.txt", &without_timing(&stdout(&o)));
}

#[test]
fn golden_csv_output() {
    let o = search(sample_index(), "新质生产力", &["--csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    check_golden("search-csv.csv", &stdout(&o));
}

#[test]
fn first_search_of_a_fresh_clone_builds_the_index() {
    let dir = TempDir::new().unwrap();
    copy_dir(&sample_corpus(), &dir.path().join("corpus"));
    let run = || {
        bin().current_dir(dir.path()).args(["search", "新质生产力", "--count"]).output().unwrap()
    };
    let first = run();
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(stderr(&first).contains("building"), "a progress message: {}", stderr(&first));
    assert!(dir.path().join("index").is_dir());
    let second = run();
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert!(stderr(&second).trim().is_empty(), "built once: {}", stderr(&second));
    assert_eq!(stdout(&first), stdout(&second));
    let direct = search(sample_index(), "新质生产力", &["--count"]);
    assert_eq!(stdout(&first), stdout(&direct));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn show_numbers_paragraphs_selects_them_and_names_the_speeches_of_a_file() {
    let ix = sample_index();
    let id = "speeches/2025-yunling-new-quality-productive-forces.txt";
    let show = |args: &[&str]| {
        bin().args(["show", "--index"]).arg(ix).args(args).output().expect("speechdex runs")
    };
    let o = show(&[id, "--highlight", "新质生产力"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    check_golden("show-human.txt", &stdout(&o));

    // The paragraphs asked for, numbered as in the full view and as snippets number them.
    let o = show(&[id, "--paragraph", "2-3", "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let paragraphs = v["paragraphs"].as_array().expect("paragraphs");
    assert_eq!(paragraphs.len(), 2, "{v}");
    assert_eq!(paragraphs[0]["paragraph"], 2);
    assert!(v.get("body").is_none(), "the body is sent with --paragraph: {v}");
    let full = stdout(&show(&[id]));
    let second = paragraphs[0]["text"].as_str().unwrap();
    assert!(full.lines().any(|l| l.trim_start() == format!("2  {second}")), "{full}");
    let o = show(&[id, "--paragraph", "999"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("paragraphs"), "{}", stderr(&o));
    let o = show(&[id, "--paragraph", "3-2"]);
    assert_eq!(code(&o), 2);

    // A file of many speeches: its ids, in line order.
    let o = show(&["reports/sample-reports.jsonl"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is a file of")
            && stderr(&o).contains("reports/sample-reports.jsonl:1"),
        "{}",
        stderr(&o)
    );
    let o = show(&["nothing-like-it"]);
    assert!(stderr(&o).contains("no speech with id"), "{}", stderr(&o));
}

#[test]
fn csv_for_excel_has_a_bom_citation_columns_and_every_snippet() {
    let ix = sample_index();
    let o = search(ix, "新质生产力", &["--csv", "--bom", "--snippets", "3", "--limit", "3"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.starts_with("\u{feff}".as_bytes()), "no BOM");
    let text = String::from_utf8(o.stdout[3..].to_vec()).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    for column in ["kind", "url", "speaker", "paragraphs", "snippets"] {
        assert!(header.iter().any(|h| h == column), "no {column} column: {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3, "one row per speech");
    let first = &records[0];
    assert_eq!(first[col("paragraphs")].split(';').count(), 3, "{first:?}");
    assert_eq!(first[col("snippets")].split(" … ").count(), 3, "{first:?}");
    assert_eq!(&first[col("kind")], "讲话");

    // One row per snippet.
    let o =
        search(ix, "新质生产力", &["--csv", "--snippets", "3", "--limit", "3", "--snippet-rows"]);
    let mut rows = csv::Reader::from_reader(&o.stdout[..]);
    let n = rows.records().count();
    assert!(n > 3 && n <= 9, "{n} rows for 3 speeches with up to 3 snippets each");
    // No BOM unless asked; --bom only with --csv.
    assert!(!search(ix, "新质生产力", &["--csv"]).stdout.starts_with("\u{feff}".as_bytes()));
    assert_eq!(code(&search(ix, "新质生产力", &["--bom"])), 2);
    let o =
        bin().args(["trend", "新质生产力", "--csv", "--bom", "--index"]).arg(ix).output().unwrap();
    assert!(o.stdout.starts_with("\u{feff}".as_bytes()), "trend --csv --bom has no BOM");
}
