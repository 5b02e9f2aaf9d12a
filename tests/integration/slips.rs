//! Query slips (issue 16): each likely slip is searched as typed but named on stderr and in the
//! JSON under `warnings`, with the query probably meant; `compare` refuses an empty side and
//! warns about overlapping sides; `trend` exits 1 when no term occurs.

use std::path::{Path, PathBuf};

use crate::common::{arg, assert_exit, bin, json, stderr, write_files};

fn fixture(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    write_files(
        &corpus,
        &[
            ("a.txt", "甲篇讲话\n推进碳达峰工作，发展新质生产力。\n".as_bytes()),
            ("b.txt", "乙篇讲话\n推进碳中和工作，发展人工智能和新质生产力。\n".as_bytes()),
            ("c.txt", "丙篇讲话\n谈别的事情。\n".as_bytes()),
        ],
    );
    let index = dir.join("index");
    let o = bin().args(["index", arg(&corpus), "--index", arg(&index), "--quiet"]).output();
    assert_exit(&o.unwrap(), 0, "indexing the fixture");
    index
}

fn run(index: &Path, args: &[&str]) -> std::process::Output {
    bin().args(args).args(["--index", arg(index)]).output().unwrap()
}

#[test]
fn slips_are_searched_as_typed_and_named_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let index = fixture(tmp.path());
    for (typed, meant, docs_meant) in [
        ("碳达峰 or 碳中和", "碳达峰 OR 碳中和", 2),
        ("新质生产力 - 人工智能", "新质生产力 -人工智能", 1),
        ("（碳达峰 | 碳中和）", "(碳达峰 | 碳中和)", 2),
        ("「碳达峰 工作」", "\"碳达峰 工作\"", 0),
    ] {
        let o = run(&index, &["search", typed, "--json"]);
        let got = json(&o);
        assert_eq!(got["warnings"][0]["suggestion"], meant, "{typed}: {got}");
        assert!(
            stderr(&o).contains(&format!("did you mean: {meant}")),
            "{typed}: no fix on stderr: {}",
            stderr(&o)
        );
        // The suggestion is what it says: no warning, and the results of the meant query.
        let o = run(&index, &["search", meant, "--json"]);
        let fixed = json(&o);
        assert!(fixed.get("warnings").is_none(), "{meant} still warns: {fixed}");
        assert_eq!(fixed["total_docs"], docs_meant, "{meant}");
    }
    // Nothing to say about a query written as meant.
    let o = run(&index, &["search", "新质生产力 -人工智能"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));

    // A leading excluded term is taken for an option by the argument parser: the error says how
    // to write it.
    let o = run(&index, &["search", "-人工智能", "新质生产力"]);
    assert_exit(&o, 2, "search -人工智能");
    assert!(stderr(&o).contains("speechdex search -- -人工智能 新质生产力"), "{}", stderr(&o));
    let o = bin()
        .args(["search", "--json", "--index", arg(&index), "--", "-人工智能", "新质生产力"])
        .output()
        .unwrap();
    assert_eq!(json(&o)["total_docs"], 1);
}

#[test]
fn trend_names_field_syntax_in_terms_and_exits_1_without_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let index = fixture(tmp.path());
    let o = run(&index, &["trend", "year:2024", "--json"]);
    assert_exit(&o, 1, "trend of a term that never occurs");
    assert_eq!(json(&o)["warnings"][0]["suggestion"], "--year 2024");
    assert!(stderr(&o).contains("--year 2024"), "{}", stderr(&o));
    let o = run(&index, &["trend", "新质生产力", "--by", "speech"]);
    assert_exit(&o, 0, "trend of a term that occurs");
}

#[test]
fn compare_refuses_an_empty_side_and_warns_about_shared_speeches() {
    let tmp = tempfile::tempdir().unwrap();
    let index = fixture(tmp.path());
    let o = run(&index, &["compare", "--a", "year:3000", "--b", "新质生产力"]);
    assert_exit(&o, 2, "compare with an empty side");
    assert!(
        stderr(&o).contains("\"year:3000\" selects no speech"),
        "the error does not name the query: {}",
        stderr(&o)
    );
    let o = run(&index, &["compare", "--a", "新质生产力", "--b", "碳中和", "--json"]);
    assert_exit(&o, 0, "compare with overlapping sides");
    let warning = json(&o)["warnings"][0].as_str().unwrap_or_default().to_string();
    assert!(warning.contains("share 1 speech"), "{warning}");
    assert!(stderr(&o).contains("share 1 speech"), "{}", stderr(&o));
    let o = run(&index, &["compare", "--a", "碳达峰", "--b", "碳中和", "--json"]);
    assert!(json(&o).get("warnings").is_none(), "disjoint sides warn");
}
