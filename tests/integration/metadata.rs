//! End-to-end tests of metadata from real-world corpora (issue 14): Chinese and English field
//! names in CSV (with a BOM, in GB18030) and JSON Lines, `--map FIELD=KEY` and the `[fields]`
//! of a `speechdex.toml`, a changed mapping re-reading files, a file whose text cannot be found
//! skipped once with the `--map` that reads it, and the shared corpus read as before.

use std::path::Path;

use serde_json::Value;

use crate::common::{arg, assert_exit, json, run_in, shared_corpus, stdout, write_files};

/// `speechdex index CORPUS --index INDEX --json EXTRA...` in `cwd`; asserts success.
fn index(cwd: &Path, corpus: &Path, index: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["index", arg(corpus), "--index", arg(index), "--json"];
    args.extend(extra);
    let o = run_in(cwd, &args);
    assert_exit(&o, 0, &format!("speechdex {}", args.join(" ")));
    json(&o)
}

/// `speechdex show ID --json`.
fn show(cwd: &Path, index: &Path, id: &str) -> Value {
    let o = run_in(cwd, &["show", id, "--index", arg(index), "--json"]);
    assert_exit(&o, 0, &format!("speechdex show {id}"));
    json(&o)
}

/// The results of `search QUERY --json` (at most 500).
fn search(cwd: &Path, index: &Path, query: &str) -> Vec<Value> {
    let o = run_in(cwd, &["search", query, "--index", arg(index), "--json", "-n", "500"]);
    let value = json(&o);
    value["results"].as_array().cloned().unwrap_or_else(|| panic!("no results: {}", stdout(&o)))
}

/// The string at `value[key]`.
fn s<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value[key].as_str()
}

const CSV_ZH: &str = "标题,日期,讲话人,正文\n\
    在全市经济工作会议上的讲话,2024年3月5日,张三,推进高质量发展，发展新质生产力。\n\
    在科技大会上的讲话,二〇二四年四月十日,李四,加快科技自立自强。\n";

#[test]
fn chinese_csv_headers_with_bom_and_gb18030() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(CSV_ZH.as_bytes());
    let gb = encoding_rs::GB18030.encode(CSV_ZH).0.into_owned();
    write_files(&corpus, &[("plain.csv", CSV_ZH.as_bytes()), ("bom.csv", &bom), ("gb.csv", &gb)]);
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["docs"], 6, "{summary}");
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(0), "{summary}");

    for file in ["plain.csv", "bom.csv", "gb.csv"] {
        let one = show(tmp.path(), &ix, &format!("{file}:1"));
        assert_eq!(s(&one, "title"), Some("在全市经济工作会议上的讲话"), "{file}: {one}");
        assert_eq!(s(&one, "date"), Some("2024-03-05"), "{file}");
        assert_eq!(one["year"], 2024, "{file}");
        assert_eq!(s(&one, "speaker"), Some("张三"), "{file}");
        // The kind comes from the title (…的讲话); `全市` names no place: no region.
        assert_eq!(s(&one, "kind"), Some("讲话"), "{file}");
        assert_eq!(one["region"], serde_json::Value::Null, "{file}");
        assert_eq!(one["inferred"], serde_json::json!(["kind"]), "{file}");
        let two = show(tmp.path(), &ix, &format!("{file}:2"));
        assert_eq!(s(&two, "date"), Some("2024-04-10"), "{file}: {two}");
    }
    let hits = search(tmp.path(), &ix, "新质生产力");
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| s(h, "speaker") == Some("张三")), "{hits:?}");
}

#[test]
fn chinese_jsonl_keys_with_publication_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let lines = concat!(
        r#"{"题目":"2024年浙江省政府工作报告","发布时间":"2024-01-29 09:00","内容":"奋力推进中国式现代化。","文种":"政府工作报告","省份":"浙江省"}"#,
        "\n",
        r#"{"题目":"在全省大会上的讲话","发布时间":"2024年2月1日","内容":"标题\n——2024年1月30日在全省大会上\n正文。","文种":"讲话","省份":"江苏省"}"#,
        "\n",
    );
    write_files(&corpus, &[("p.jsonl", lines.as_bytes())]);
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["docs"], 2, "{summary}");

    let one = show(tmp.path(), &ix, "p.jsonl:1");
    assert_eq!(s(&one, "title"), Some("2024年浙江省政府工作报告"), "{one}");
    assert_eq!(s(&one, "kind"), Some("政府工作报告"));
    assert_eq!(s(&one, "region"), Some("浙江省"));
    assert_eq!(s(&one, "published"), Some("2024-01-29"));
    // No dateline: the publication day is the date (and its year the year), marked inferred.
    assert_eq!(s(&one, "date"), Some("2024-01-29"));
    assert_eq!(one["inferred"], serde_json::json!(["date", "year"]));
    let two = show(tmp.path(), &ix, "p.jsonl:2");
    assert_eq!((s(&two, "date"), s(&two, "published")), (Some("2024-01-30"), Some("2024-02-01")));

    let hits = search(tmp.path(), &ix, "region:江苏");
    assert_eq!(hits.len(), 1);
    assert_eq!(s(&hits[0], "kind"), Some("讲话"));
    let o = run_in(tmp.path(), &["show", "p.jsonl:1", "--index", arg(&ix)]);
    assert!(stdout(&o).contains("published: 2024-01-29"), "{}", stdout(&o));
}

const UNUSUAL: &str = concat!(
    r#"{"名称":"第一篇","讲话全文":"全文一：发展新质生产力。","日期":"2024/3/5"}"#,
    "\n",
    r#"{"名称":"第二篇","讲话全文":"全文二：扩大内需。","日期":"2024年3月"}"#,
    "\n",
);

/// A text key of its own: skipped once with the suggestion, then read with `--map`; a changed
/// mapping re-reads the file (not "unchanged").
#[test]
fn unusual_text_key_via_map_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    write_files(
        &corpus,
        &[("u.jsonl", UNUSUAL.as_bytes()), ("ok.txt", "一篇讲话\n正文".as_bytes())],
    );
    let ix = tmp.path().join("index");

    let summary = index(tmp.path(), &corpus, &ix, &[]);
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "once per file, not per line: {summary}");
    assert_eq!(s(&skipped[0], "path"), Some("u.jsonl"));
    assert!(skipped[0]["line"].is_null(), "{summary}");
    let reason = s(&skipped[0], "reason").unwrap();
    assert!(
        reason.starts_with(
            "no text in any of its 2 records (keys: 名称, 日期, 讲话全文); name the text key with \
             --map text=讲话全文"
        ),
        "{reason}"
    );
    // The human summary shows it too.
    let o = run_in(tmp.path(), &["index", arg(&corpus), "--index", arg(&ix)]);
    assert!(stdout(&o).contains("--map text=讲话全文"), "{}", stdout(&o));

    let summary = index(tmp.path(), &corpus, &ix, &["--map", "text=讲话全文"]);
    assert_eq!(summary["added"], 2, "{summary}");
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(0), "{summary}");
    let one = show(tmp.path(), &ix, "u.jsonl:1");
    assert_eq!(s(&one, "title"), Some("第一篇"), "{one}");
    assert_eq!(s(&one, "date"), Some("2024-03-05"));
    let two = show(tmp.path(), &ix, "u.jsonl:2");
    assert_eq!((two["date"].is_null(), &two["year"]), (true, &Value::from(2024)), "{two}");

    // The same mapping again: nothing to do. Another mapping: the file is read again.
    let same = index(tmp.path(), &corpus, &ix, &["--map", "text=讲话全文"]);
    assert_eq!((same["updated"].as_u64(), same["unchanged"].as_u64()), (Some(0), Some(3)));
    let other =
        index(tmp.path(), &corpus, &ix, &["--map", "text=讲话全文", "--map", "speaker=名称"]);
    assert_eq!(other["updated"], 2, "{other}");
    let one = show(tmp.path(), &ix, "u.jsonl:1");
    assert_eq!(s(&one, "speaker"), Some("第一篇"), "{one}");

    // An unknown field is an error listing the fields; nothing changes.
    let o = run_in(tmp.path(), &["index", arg(&corpus), "--index", arg(&ix), "--map", "body=x"]);
    assert_exit(&o, 2, "--map body=x");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field \"body\" (fields: title, text, date, published"), "{err}");
}

#[test]
fn unusual_text_key_via_speechdex_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let toml = "# mapping for this corpus\n[fields]\ntext = \"讲话全文\"\ntitle = \"名称\"\n";
    write_files(&corpus, &[("u.jsonl", UNUSUAL.as_bytes()), ("speechdex.toml", toml.as_bytes())]);
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["docs"], 2, "{summary}");
    let hits = search(tmp.path(), &ix, "新质生产力");
    assert_eq!(hits.len(), 1);
    assert_eq!(s(&hits[0], "title"), Some("第一篇"));

    // A flag wins over the file, and a change of the file re-reads every file.
    let summary = index(tmp.path(), &corpus, &ix, &["--map", "title=日期"]);
    assert_eq!(summary["updated"], 2, "{summary}");
    assert_eq!(s(&show(tmp.path(), &ix, "u.jsonl:1"), "title"), Some("2024/3/5"));
    write_files(&corpus, &[("speechdex.toml", "[fields]\ntext = \"讲话全文\"\n".as_bytes())]);
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["updated"], 2, "{summary}");
    // 名称 is an alias of the title anyway.
    assert_eq!(s(&show(tmp.path(), &ix, "u.jsonl:1"), "title"), Some("第一篇"));

    // An invalid file is an error naming the file and line; the index is not changed.
    write_files(&corpus, &[("speechdex.toml", b"[fields]\ntext = \"a\"\ntitle = = 1\n")]);
    let o = run_in(tmp.path(), &["index", arg(&corpus), "--index", arg(&ix)]);
    assert_exit(&o, 2, "invalid speechdex.toml");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("speechdex.toml: line 3:"), "{err}");
    assert_eq!(search(tmp.path(), &ix, "新质生产力").len(), 1);
}

#[test]
fn unmappable_csv_is_skipped_with_the_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let csv = "标题,讲话全文,日期\n一,全文一,2024-03-05\n二,全文二,2024-03-06\n";
    write_files(&corpus, &[("m.csv", csv.as_bytes()), ("ok.md", "讲话\n正文".as_bytes())]);
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{summary}");
    let reason = s(&skipped[0], "reason").unwrap();
    assert!(
        reason.starts_with(
            "no text column (columns: 标题, 讲话全文, 日期); name the text column with \
             --map text=讲话全文"
        ),
        "{reason}"
    );
}

/// The shared corpus gives the same 94 speeches with the same ids as before the alias table:
/// every line of the JSONL file, one row of each CSV file, the seed.
#[test]
fn shared_corpus_ids_are_unchanged() {
    let Some(corpus) = shared_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["docs"], 94, "{summary}");
    let mut want: Vec<String> =
        (1..=72).map(|n| format!("gwr/government_work_reports.jsonl:{n}")).collect();
    for entry in std::fs::read_dir(corpus.join("provincial-2026")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        want.push(format!("provincial-2026/{name}:1"));
    }
    want.push("seed/000_e20aaa98e4728523.txt".to_owned());
    want.sort();
    let mut got: Vec<String> =
        search(tmp.path(), &ix, "的").iter().map(|h| s(h, "id").unwrap().to_owned()).collect();
    got.sort();
    assert_eq!(got, want);
    let beijing = show(tmp.path(), &ix, "provincial-2026/2026_北京市_政府工作报告.csv:1");
    assert_eq!(s(&beijing, "region"), Some("北京市"), "{beijing}");
    assert!(s(&beijing, "published").is_some_and(|d| d.starts_with("2026-")), "{beijing}");
}
