//! Smoke test of `speechdex-bench`: the generator is deterministic and `run` produces a complete
//! JSON report with sane values. No timing thresholds: timings depend on the machine. `run`
//! measures the `speechdex` binary next to this one: `cargo test --workspace` builds both.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn bench() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_speechdex-bench"));
    cmd.env_remove("SPEECHDEX_INDEX").env("NO_COLOR", "1");
    cmd
}

fn repo_corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

fn generate(out: &Path, seed: &str, format: &str) -> Value {
    let o = bench()
        .args(["generate", "--size", "1MB", "--seed", seed, "--format", format, "--from"])
        .arg(repo_corpus())
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "generate failed:\n{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn generate_is_deterministic_and_sized() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let summary = generate(&a, "1", "jsonl");
    generate(&b, "1", "jsonl");
    generate(&c, "2", "jsonl");
    let (ta, tb, tc) = (tree(&a), tree(&b), tree(&c));
    assert!(!ta.is_empty());
    assert_eq!(ta, tb, "the same seed must give identical bytes");
    assert_ne!(ta, tc, "another seed gives another corpus");

    let bytes: u64 = ta.values().map(|v| v.len() as u64).sum();
    assert_eq!(summary["bytes"].as_u64(), Some(bytes));
    assert!((1_000_000..1_100_000).contains(&bytes), "{bytes} bytes");
    let speeches = summary["speeches"].as_u64().unwrap();
    let lines: usize = ta.values().map(|v| v.iter().filter(|&&c| c == b'\n').count()).sum();
    assert_eq!(lines as u64, speeches);
    // Speeches of about 20–30 KB with plausible metadata.
    assert!((30..=55).contains(&speeches), "{speeches} speeches");
    for line in ta.values().flat_map(|v| v.split(|&c| c == b'\n')).filter(|l| !l.is_empty()) {
        let s: Value = serde_json::from_slice(line).unwrap();
        let year = s["year"].as_i64().unwrap();
        assert!((1954..=2026).contains(&year), "{year}");
        assert!(s["title"].as_str().unwrap().contains("（合成）"));
        assert!(s["date"].as_str().unwrap().starts_with(&year.to_string()));
        assert!(!s["region"].as_str().unwrap().is_empty());
        let text = s["text"].as_str().unwrap();
        assert!((20_000..40_000).contains(&text.len()), "{}", text.len());
    }

    // Text files with front matter, deterministic too.
    let (d, e) = (tmp.path().join("d"), tmp.path().join("e"));
    generate(&d, "1", "txt");
    generate(&e, "1", "txt");
    let (td, te) = (tree(&d), tree(&e));
    assert_eq!(td, te);
    assert!(td.keys().all(|k| k.ends_with(".txt") && k.contains('/')));
    assert!(td.values().all(|v| v.starts_with(b"---\ntitle: ")));

    // A folder that is not empty is refused.
    let o = bench()
        .args(["generate", "--size", "1MB", "--from"])
        .arg(repo_corpus())
        .arg("--out")
        .arg(&a)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
}

#[test]
fn run_reports_every_measure() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    generate(&corpus, "1", "jsonl");
    let work = tmp.path().join("work");
    let report = tmp.path().join("report.md");
    let o = bench()
        .args(["run", "--runs", "2", "--skip-peers", "--json", "--terms", "发展,改革开放,GDP,5G"])
        .arg("--corpus")
        .arg(&corpus)
        .arg("--work")
        .arg(&work)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "run failed:\n{stderr}");
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)));

    for key in [
        "tools",
        "machine",
        "corpus",
        "settings",
        "index",
        "incremental",
        "jieba",
        "in_process",
        "cli",
        "peers",
        "per_term",
        "ratios",
        "targets",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    let corpus_bytes = v["corpus"]["bytes"].as_u64().unwrap();
    assert!(corpus_bytes > 1_000_000);
    let speeches = v["corpus"]["speeches"].as_u64().unwrap();
    assert!(speeches > 0);

    let full = &v["index"]["full"];
    assert_eq!(full["mode"], "full");
    assert_eq!(full["docs"].as_u64(), Some(speeches));
    assert!(full["wall_ms"].as_f64().unwrap() > 0.0);
    assert!(full["mb_per_s"].as_f64().unwrap() > 0.0);
    assert!(full["peak_rss_mb"].as_f64().unwrap() > 1.0);
    assert!(v["index"]["index_bytes"].as_u64().unwrap() > 0);
    assert!(v["index"]["size_ratio"].as_f64().unwrap() > 0.0);

    let inc = v["incremental"].as_array().unwrap();
    assert_eq!(inc.len(), 3);
    assert_eq!(inc[0]["run"]["unchanged"].as_u64(), Some(speeches));
    assert_eq!(inc[1]["speeches_changed"].as_u64(), Some(1));
    assert_eq!(inc[1]["run"]["updated"].as_u64(), Some(1));
    assert_eq!(inc[2]["run"]["updated"], inc[2]["speeches_changed"]);
    for run in inc {
        assert_eq!(run["run"]["mode"], "incremental");
        assert_eq!(run["run"]["docs"].as_u64(), Some(speeches));
    }

    assert!(v["jieba"]["segment_ms"].as_f64().unwrap() > 0.0);
    assert!(v["jieba"]["words"].as_u64().unwrap() > 0);
    for section in ["in_process", "cli"] {
        for q in ["count", "top10", "trend", "trend5", "kwic"] {
            let s = &v[section][q];
            let n = s["n"].as_u64().unwrap();
            assert!(n >= 2, "{section}.{q}: n = {n}");
            let (median, p99) = (s["median_ms"].as_f64().unwrap(), s["p99_ms"].as_f64().unwrap());
            assert!(median > 0.0 && p99 >= median, "{section}.{q}: {s}");
        }
    }

    let terms = v["per_term"].as_array().unwrap();
    assert_eq!(terms.len(), 4);
    for t in terms {
        assert_eq!(t["trend_count"], t["total_hits"], "{t}");
        assert_eq!(t["kwic_total"], t["total_hits"], "{t}");
        assert_eq!(t["cli_total_hits"], t["total_hits"], "{t}");
        assert_eq!(t["cli_total_docs"], t["total_docs"], "{t}");
        assert!(t["rg"].is_null() && t["fts5"].is_null());
    }
    assert!(terms[0]["total_hits"].as_u64().unwrap() > 0, "发展 occurs in the sample corpus");
    assert!(v["peers"]["rg"].is_null() && v["peers"]["fts5"].is_null());
    // The eight targets of issue 18; the two against rg are not measured without peers.
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 8);
    let unmeasured: Vec<&Value> = targets.iter().filter(|t| t["met"].is_null()).collect();
    assert_eq!(unmeasured.len(), 3, "rg twice and FTS5 are not measured: {unmeasured:?}");
    // The postings ceiling was measured on the texts of the corpus.
    let ceiling = &v["postings"];
    assert!(ceiling["speeches"].as_u64().unwrap() > 0, "{ceiling}");
    assert!(ceiling["both_mb_per_s"].as_f64().unwrap() > 0.0, "{ceiling}");

    // The markdown report has every section.
    let md = std::fs::read_to_string(&report).unwrap();
    for heading in [
        "### Indexing",
        "### Incremental",
        "### Query latency",
        "### Whole processes",
        "### Targets",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    // The corpus given was not touched by the incremental runs.
    assert_eq!(tree(&corpus), {
        let again = tmp.path().join("again");
        generate(&again, "1", "jsonl");
        tree(&again)
    });
}

/// The shared corpus beside the repository; on CI (`CI=true`) a missing corpus fails the test.
fn shared_corpus() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the shared corpus is missing at {}",
        dir.display()
    );
    #[allow(clippy::print_stderr)] // a skipped test says why
    {
        eprintln!("skipping: no shared corpus at {}", dir.display());
    }
    None
}

/// `ranking` on the shared corpus: the judged queries rank as measured in docs/benchmarks.md
/// (mean nDCG@10 0.987 with the hits term, 0.961 without it) and the known-item ranking keeps
/// at least 87 of 94 speeches first. A ranking change that loses either fails here.
#[test]
fn ranking_keeps_its_measured_quality_on_the_shared_corpus() {
    let Some(corpus) = shared_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let opts = speechdex::index::BuildOptions { roots: vec![corpus], ..Default::default() };
    speechdex::index::build(&index, &opts, &mut speechdex::index::NoProgress).unwrap();
    let o = bench().args(["ranking", "--json", "--index"]).arg(&index).output().unwrap();
    assert!(o.status.success(), "ranking failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let queries = v["queries"].as_array().unwrap();
    assert!(queries.len() >= 20, "{} queries", queries.len());
    let mean = v["mean_ndcg"].as_f64().unwrap();
    assert!(mean >= 0.98, "mean nDCG@10 fell to {mean:.3}:\n{v:#}");
    assert_eq!(v["speeches"], 94);
    let first = v["known_item_first"].as_u64().unwrap();
    assert!(first >= 87, "known-item ranking fell to {first}/94");
}
