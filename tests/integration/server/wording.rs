//! `/api/diff` and `/api/verify` (issue 15, items 1 and 2) on the shared corpus
//! (`../shared/corpus`): the same JSON as `diff --json` and `verify --json`, the changes and
//! quotations the issue names (checked against the texts read with serde_json, not through
//! speechdex), CSV, and every error case.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;
use speechdex::analysis::fold;

use super::{Server, enc};
use crate::common::{bin, json};
use crate::shared::{Shared, shared};

fn cli_json(index: &Path, args: &[&str]) -> Value {
    json(&bin().arg("--index").arg(index).args(args).output().unwrap())
}

fn phrases(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|f| f["phrase"].as_str().unwrap()).collect()
}

#[test]
fn diff_endpoint_on_the_national_reports() {
    let Some(sh) = shared() else { return };
    let s = Server::start(sh.index());
    let (a, b) = (enc(sh.report_id(2024)), enc(sh.report_id(2025)));

    // Every list complete: the same JSON as the command, with the changes the issue names.
    let d = s.ok(&format!("/api/diff?a={a}&b={b}&limit=2000"));
    let cli = cli_json(
        sh.index(),
        &["diff", sh.report_id(2024), sh.report_id(2025), "--json", "-n", "2000"],
    );
    assert_eq!(d, cli, "the same JSON as `diff --json`");
    assert_eq!(d["a"]["title"], "2024年中华人民共和国国务院政府工作报告");
    let new = phrases(&d["new_phrases"]);
    for p in ["投资于人", "具身智能"] {
        assert!(new.contains(&p), "{p} is new in 2025");
    }
    assert!(phrases(&d["dropped_phrases"]).contains(&"适度加力"), "适度加力 is dropped");
    for f in d["new_phrases"].as_array().unwrap() {
        assert_eq!(f["count_a"], 0, "{f}");
    }
    // Listed sentences: an added one is more frequent in 2025's text than in 2024's, a
    // removed one less (sentences cut independently at 。！？!? and line breaks, keyed by
    // their folded letters and digits).
    let text = |id: &str| &sh.national().find(|d| d.id == id).unwrap().body;
    let key = |t: &str| fold(t).chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let keys = |t: &str| -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for k in t.split(['。', '！', '？', '!', '?', '\n']).map(key) {
            *counts.entry(k).or_default() += 1;
        }
        counts
    };
    let (old, new_keys) = (keys(text(sh.report_id(2024))), keys(text(sh.report_id(2025))));
    let added = d["added"].as_array().unwrap();
    let removed = d["removed"].as_array().unwrap();
    assert!(!added.is_empty() && !removed.is_empty());
    assert_eq!(added.len() as u64, d["totals"]["added"].as_u64().unwrap(), "all listed");
    for s in added {
        let k = key(s["text"].as_str().unwrap());
        assert!(new_keys.get(&k) > old.get(&k), "added: {s}");
        assert!(s["paragraph"].as_u64().unwrap() >= 1, "{s}");
    }
    for s in removed {
        let k = key(s["text"].as_str().unwrap());
        assert!(old.get(&k) > new_keys.get(&k), "removed: {s}");
    }
    assert!(d["unchanged"].as_u64().unwrap() > 0);
    let changed = d["changed"].as_array().unwrap();
    assert!(changed.iter().any(|c| c["section_new"].as_str().is_some_and(|s| s.contains("、"))));

    // Without `limit`: 25 phrases per list, the sentences still complete here.
    let short = s.ok(&format!("/api/diff?a={a}&b={b}"));
    assert_eq!(short["new_phrases"].as_array().unwrap().len(), 25);
    assert_eq!(short["added"], d["added"]);
    assert_eq!(short["totals"], d["totals"]);
    let few = s.ok(&format!("/api/diff?a={a}&b={b}&phrases=3"));
    assert_eq!(few["dropped_phrases"].as_array().unwrap().len(), 3);
    assert_eq!(
        few["dropped_phrases"].as_array().unwrap()[..],
        d["dropped_phrases"].as_array().unwrap()[..3]
    );
    assert_eq!(few["removed"], d["removed"], "phrases does not cut the sentences");
    let limited = s.ok(&format!("/api/diff?a={a}&b={b}&limit=3&min_similarity=0.8"));
    assert_eq!(limited["changed"].as_array().unwrap().len(), 3);
    assert_eq!(limited["min_similarity"], 0.8);

    // CSV: the rows of `diff --csv --bom`, as a download.
    let (st, ctype, body) = s.get_raw(&format!("/api/diff?a={a}&b={b}&limit=2000&format=csv"));
    assert_eq!(st, 200, "{body}");
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let o = bin()
        .arg("--index")
        .arg(sh.index())
        .args(["diff", sh.report_id(2024), sh.report_id(2025), "--csv", "--bom", "-n", "2000"])
        .output()
        .unwrap();
    assert_eq!(body.as_bytes(), o.stdout, "the same CSV as `diff --csv --bom`");
    let csv = body.strip_prefix('\u{feff}').expect("a BOM, so that Excel reads UTF-8");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let lists: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    let t = &d["totals"];
    let n = |k: &str| lists.iter().filter(|l| *l == k).count() as u64;
    assert_eq!(n("added"), t["added"].as_u64().unwrap());
    assert_eq!(n("changed"), t["changed"].as_u64().unwrap());
    assert_eq!(n("new_phrase"), d["new_phrases"].as_array().unwrap().len() as u64);
}

#[test]
fn diff_endpoint_sets_limits_and_errors() {
    let Some(sh) = shared() else { return };
    let s = Server::start(sh.index());
    let a = enc(sh.report_id(2024));

    // Two sets by query, and a speech against a set.
    let qa = enc("year:2024 title:政府工作报告");
    let qb = enc("year:2025 title:政府工作报告");
    let sets = s.ok(&format!("/api/diff?qa={qa}&qb={qb}&limit=5"));
    assert_eq!((sets["a"]["docs"].as_u64(), sets["b"]["docs"].as_u64()), (Some(2), Some(2)));
    assert_eq!(sets["a"]["label"], "year:2024 title:政府工作报告");
    let mixed = s.ok(&format!("/api/diff?a={a}&qb={qb}&limit=5"));
    assert_eq!((mixed["a"]["docs"].as_u64(), mixed["b"]["docs"].as_u64()), (Some(1), Some(2)));
    let same = s.ok(&format!("/api/diff?a={a}&b={a}"));
    assert_eq!(same["totals"]["added"], 0, "a speech against itself: nothing changed");
    assert_eq!(same["added"], serde_json::json!([]));

    // Errors: 404 for an unknown id, 400 naming the parameter, 413 for sides too large.
    let (st, e) = s.get(&format!("/api/diff?a={a}&b={}", enc("gwr/no-such.jsonl:9")));
    assert_eq!(st, 404, "{e}");
    assert!(e["error"].as_str().unwrap().contains("gwr/no-such.jsonl:9"), "{e}");
    for (path, parameter) in [
        (format!("/api/diff?b={a}"), "a"),
        (format!("/api/diff?a={a}"), "b"),
        (format!("/api/diff?a={a}&qa={qa}&b={a}"), "a"),
        (format!("/api/diff?a={a}&qb={}", enc("year:3000")), "qb"),
        (format!("/api/diff?a={a}&qb={}", enc("(year:2025")), "qb"),
        (format!("/api/diff?a={a}&b={a}&limit=0"), "limit"),
        (format!("/api/diff?a={a}&b={a}&limit=2001"), "limit"),
        (format!("/api/diff?a={a}&b={a}&phrases=0"), "phrases"),
        (format!("/api/diff?a={a}&b={a}&min_similarity=x"), "min_similarity"),
        (format!("/api/diff?a={a}&b={a}&min_similarity=3"), "min_similarity"),
        (format!("/api/diff?a={a}&b={a}&format=xml"), "format"),
        (format!("/api/diff?a={a}&b={a}&q=x"), "q"),
    ] {
        let (st, e) = s.get(&path);
        assert_eq!((st, e["parameter"].as_str()), (400, Some(parameter)), "{path}: {e}");
        let message = e["error"].as_str().unwrap_or_default();
        assert!(message.contains(parameter) || e["position"].is_u64(), "{path}: {e}");
    }
    let all = enc("year:1954..2026");
    let (st, e) = s.get(&format!("/api/diff?qa={all}&qb={}", enc("year:2025")));
    assert_eq!((st, e["parameter"].as_str()), (413, Some("qa")), "{e}");
    assert!(e["error"].as_str().unwrap().contains("1000000"), "{e}");
    assert_eq!(s.ok("/healthz")["status"], "ok");
}

/// Ids of the national texts that contain `quote` once whitespace is removed from both.
fn containing(sh: &Shared, quote: &str) -> BTreeSet<String> {
    let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    sh.national().filter(|d| squeeze(&d.body).contains(quote)).map(|d| d.id.clone()).collect()
}

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
}

/// The JSON without the time it took.
fn untimed(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("took_ms");
    v
}

#[test]
fn verify_endpoint_on_the_resolutions() {
    let Some(sh) = shared() else { return };
    let s = Server::start(sh.index());
    let quote = "李强所作的政府工作报告";

    // The quotation a line break cuts in two resolutions: both exact matches.
    let expected = containing(sh, quote);
    assert_eq!(expected.len(), 2, "two resolutions quote it: {expected:?}");
    let v = s.ok(&format!("/api/verify?q={}", enc(quote)));
    assert_eq!(v["exact_total"], 2, "{v}");
    assert_eq!(ids(&v["exact"]), expected);
    for p in v["exact"].as_array().unwrap() {
        assert!(p["title"].as_str().unwrap().contains("决议"), "{p}");
        assert_eq!(p["text"], "李强所作的\n政府工作报告", "the passage as written");
        assert!(p["paragraph"].as_u64().unwrap() >= 1 && p["url"].is_string(), "{p}");
    }
    let cli = cli_json(sh.index(), &["verify", quote, "--json"]);
    assert_eq!(untimed(v), untimed(cli), "the same JSON as `verify --json`");

    // A misquotation: no exact match, the two resolutions as near matches with 做 → 作.
    let near = s.ok(&format!("/api/verify?q={}&limit=3", enc("李强所做的政府工作报告")));
    assert_eq!(
        (near["exact_total"].as_u64(), near["exact"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let listed = near["near"].as_array().unwrap();
    assert!(listed.len() <= 3, "{near}");
    let first_two: BTreeSet<String> =
        listed.iter().take(2).map(|p| p["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(first_two, expected, "the closest passages are the two resolutions");
    let d = &listed[0]["differences"][0];
    assert_eq!(
        (d["kind"].as_str(), d["quote"].as_str(), d["text"].as_str()),
        (Some("replaced"), Some("做"), Some("作"))
    );

    // Not found: 200 with empty lists.
    let none = s.ok(&format!("/api/verify?q={}&max_distance=0", enc("星海量子走廊示范工程")));
    assert_eq!(
        (none["exact_total"].as_u64(), none["near"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let (st, _) = s.get(&format!("/api/verify?q={}&context=0&max_exact=1", enc(quote)));
    assert_eq!(st, 200);

    // Errors.
    for (path, status, parameter) in [
        ("/api/verify".to_string(), 400, "q"),
        ("/api/verify?q=%20%0A".to_string(), 400, "q"),
        (format!("/api/verify?q={}&limit=0", enc(quote)), 400, "limit"),
        (format!("/api/verify?q={}&limit=101", enc(quote)), 400, "limit"),
        (format!("/api/verify?q={}&max_exact=1001", enc(quote)), 400, "max_exact"),
        (format!("/api/verify?q={}&context=201", enc(quote)), 400, "context"),
        (format!("/api/verify?q={}&max_distance=-1", enc(quote)), 400, "max_distance"),
        (format!("/api/verify?q={}&format=csv", enc(quote)), 400, "format"),
        (format!("/api/verify?q={}", enc(&"新".repeat(1001))), 414, "q"),
    ] {
        let (st, e) = s.get(&path);
        assert_eq!((st, e["parameter"].as_str()), (status, Some(parameter)), "{path}: {e}");
    }
}
