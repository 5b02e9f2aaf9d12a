//! The JSON output contract of every command, as golden files (`golden/json-*.json`) on the
//! sample corpus: what scripts and the web page rely on is visible in one place, and a change of
//! a field shows up in review. What differs between runs and machines is masked (timings,
//! the index's folder, build times, its size on disk, the corpus roots' absolute paths);
//! everything else is compared exactly. `UPDATE_GOLDEN=1 cargo test --test integration contract` rewrites the files after a
//! deliberate change.

use serde_json::Value;

use crate::common::{bin, check_golden, sample_index, stderr};

/// Keys whose values differ between runs or machines.
const VOLATILE: &[&str] =
    &["took_ms", "index", "index_bytes", "generation_created", "built_at", "roots"];

/// Replaces the value of every [`VOLATILE`] key with `"<masked>"`.
fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) {
                    *v = Value::from("<masked>");
                } else {
                    mask(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// Runs `speechdex ARGS --json` on the sample index and compares the masked JSON with
/// `golden/json-NAME.json`.
fn contract(name: &str, args: &[&str], expected_exit: i32) {
    let o = bin()
        .arg("--index")
        .arg(sample_index())
        .args(args)
        .arg("--json")
        .output()
        .expect("the speechdex binary runs");
    assert_eq!(o.status.code(), Some(expected_exit), "speechdex {args:?}: {}", stderr(&o));
    let mut value: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("speechdex {args:?} --json is not JSON ({e})"));
    mask(&mut value);
    let text = serde_json::to_string_pretty(&value).expect("JSON serialises") + "\n";
    check_golden(&format!("json-{name}.json"), &text);
}

#[test]
fn masking_touches_only_timings() {
    let mut v = serde_json::json!({"took_ms": 3.5, "a": [{"took_ms": 1, "b": 2}], "c": "took_ms"});
    mask(&mut v);
    let m = "<masked>";
    assert_eq!(v, serde_json::json!({"took_ms": m, "a": [{"took_ms": m, "b": 2}], "c": "took_ms"}));
}

#[test]
fn search_show_and_stats() {
    contract("search", &["search", "新质生产力", "--limit", "2"], 0);
    contract("search-count", &["search", "新质生产力 | 人工智能", "--count"], 0);
    contract("search-none", &["search", "不存在的词语组合"], 1);
    let id = "speeches/2025-yunling-new-quality-productive-forces.txt";
    contract("show", &["show", id, "--highlight", "新质生产力", "--paragraph", "2-3"], 0);
    contract("stats", &["stats"], 0);
}

#[test]
fn term_statistics() {
    contract("trend", &["trend", "新质生产力", "人工智能"], 0);
    contract("trend-region", &["trend", "新质生产力", "--by", "region", "--metric", "count"], 0);
    contract("trend-selection", &["trend", "新质生产力", "--from", "2024", "--where", "发展"], 0);
    contract("kwic", &["kwic", "新质生产力", "--limit", "3", "--width", "10"], 0);
    contract("top", &["top", "--limit", "5"], 0);
    contract("compare", &["compare", "--a", "year:2024", "--b", "year:2025", "--limit", "3"], 0);
}

#[test]
fn phrases_and_collocations() {
    contract("ngrams", &["ngrams", "--min-len", "4", "--limit", "3"], 0);
    let against = ["ngrams", "--where", "year:2025", "--against", "year:2024", "--limit", "3"];
    contract("ngrams-against", &against, 0);
    contract("collocates", &["collocates", "新质生产力", "--min-count", "1", "--limit", "3"], 0);
}

#[test]
fn wording_and_quotations() {
    contract("diff", &["diff", "--a", "year:2024", "--b", "year:2025"], 0);
    contract("verify", &["verify", "发展新质生产力"], 0);
    contract("verify-near", &["verify", "发展新质生产率推进大会"], 1);
}
