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

/// `speechdex stats --json` and `stats --missing FIELD --json` in `cwd`.
fn stats(cwd: &Path, index: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["stats", "--index", arg(index), "--json"];
    args.extend(extra);
    let o = run_in(cwd, &args);
    assert_exit(&o, 0, &format!("speechdex {}", args.join(" ")));
    json(&o)
}

/// The audit row of `field` in `stats --json`: (stated, inferred, missing).
fn audit(overview: &Value, field: &str) -> (u64, u64, u64) {
    let row = overview["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["field"] == field)
        .unwrap_or_else(|| panic!("no audit row for {field}: {overview}"));
    let n = |k: &str| row[k].as_u64().unwrap();
    (n("stated"), n("inferred"), n("missing"))
}

/// Issue 14 item 4 on the shared corpus: a kind for all 94 speeches, 全国 for the 72 national
/// texts, the provincial bylines' speakers, the dateline's date (山东: 2026-01-27, published
/// 2026-02-01); the audit of `stats` and `stats --missing` agree with what `search` shows.
#[test]
fn shared_corpus_metadata_is_inferred() {
    let Some(corpus) = shared_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let ix = tmp.path().join("index");
    index(tmp.path(), &corpus, &ix, &[]);
    let hits = search(tmp.path(), &ix, "的");
    assert_eq!(hits.len(), 94);
    for h in &hits {
        let id = s(h, "id").unwrap();
        let title = s(h, "title").unwrap();
        let want = if title.ends_with("决议") {
            "决议"
        } else if title.ends_with("讲话") {
            "讲话"
        } else {
            "政府工作报告"
        };
        assert_eq!(s(h, "kind"), Some(want), "{id}: {title}");
        if id.starts_with("gwr/") {
            assert_eq!(s(h, "region"), Some("全国"), "{id}");
        }
        if title.ends_with("决议") {
            assert_eq!(h["speaker"], Value::Null, "{id}: a resolution is nobody's speech");
        }
        if id.starts_with("provincial-2026/") {
            let speaker = s(h, "speaker").unwrap_or_else(|| panic!("{id}: no speaker"));
            assert!(!speaker.contains(char::is_whitespace), "{id}: {speaker}");
            let date = s(h, "date").unwrap_or_else(|| panic!("{id}: no date"));
            // The dateline: the day of the speech, in January or February 2026.
            let text = std::fs::read_to_string(corpus.join(id.trim_end_matches(":1"))).unwrap();
            let (m, d) = (date[5..7].trim_start_matches('0'), date[8..10].trim_start_matches('0'));
            let dateline = format!("2026年{m}月{d}日在");
            assert!(
                text.contains(&dateline) || id.contains("甘肃"),
                "{id}: {date} is not its dateline"
            );
            let compact: String = text.split_whitespace().collect();
            assert!(compact.contains(speaker), "{id}: {speaker}");
        }
    }
    let national = hits.iter().filter(|h| s(h, "region") == Some("全国")).count();
    assert_eq!(national, 72);

    let shandong = show(tmp.path(), &ix, "provincial-2026/2026_山东省_政府工作报告.csv:1");
    assert_eq!(s(&shandong, "date"), Some("2026-01-27"), "{shandong}");
    assert_eq!(s(&shandong, "published"), Some("2026-02-01"), "{shandong}");
    assert_eq!(s(&shandong, "speaker"), Some("周乃翔"), "{shandong}");
    assert_eq!(shandong["inferred"], serde_json::json!(["date", "kind", "speaker"]));
    let report = show(tmp.path(), &ix, "gwr/government_work_reports.jsonl:3");
    assert_eq!(s(&report, "speaker"), Some("李强"), "{report}");

    // The audit counts what search shows.
    let overview = stats(tmp.path(), &ix, &[]);
    let with = |key: &str| hits.iter().filter(|h| !h[key].is_null()).count() as u64;
    assert_eq!(audit(&overview, "kind"), (0, 94, 0));
    let (stated, inferred, missing) = audit(&overview, "region");
    assert_eq!((stated, inferred + stated, missing), (21, with("region"), 94 - with("region")));
    let (stated, inferred, missing) = audit(&overview, "speaker");
    assert_eq!((stated, inferred, missing), (0, with("speaker"), 94 - with("speaker")));
    let missing = stats(tmp.path(), &ix, &["--missing", "speaker"]);
    let mut listed: Vec<&str> =
        missing["speeches"].as_array().unwrap().iter().map(|m| s(m, "id").unwrap()).collect();
    let mut want: Vec<&str> =
        hits.iter().filter(|h| h["speaker"].is_null()).map(|h| s(h, "id").unwrap()).collect();
    listed.sort_unstable();
    want.sort_unstable();
    assert_eq!(listed, want);
    assert_eq!(missing["field"], "speaker");
}

/// A small corpus with Chinese keys: a stated kind wins over inference; the byline gives the
/// speaker, the Party congress the year; a resolution gets no speaker; `--missing` names the
/// speeches a user would fill in; an unknown field is refused with the list of fields.
#[test]
fn inference_on_chinese_keyed_records_and_the_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let lines = [
        r#"{"题目":"高举中国特色社会主义伟大旗帜","内容":"高举中国特色社会主义伟大旗帜\n——在中国共产党第十七次全国代表大会上的报告\n胡锦涛\n同志们：\n现在，我代表第十六届中央委员会向大会作报告。"}"#,
        r#"{"题目":"在全省经济工作会议上的讲话","文种":"发言稿","内容":"在全省经济工作会议上的讲话\n中共浙江省委书记　王　浩\n同志们：\n今天召开会议。"}"#,
        r#"{"题目":"中共中央关于进一步全面深化改革的决定","内容":"中共中央关于进一步全面深化改革的决定\n（2024年7月18日中国共产党第二十届中央委员会第三次全体会议通过）\n为进一步全面深化改革，听取了报告。"}"#,
        r#"{"题目":"在科技大会上的致辞","内容":"尊敬的各位来宾：\n大家好。"}"#,
    ];
    write_files(&corpus, &[("party.jsonl", lines.join("\n").as_bytes())]);
    let ix = tmp.path().join("index");
    index(tmp.path(), &corpus, &ix, &[]);
    let one = show(tmp.path(), &ix, "party.jsonl:1");
    assert_eq!((s(&one, "kind"), s(&one, "speaker")), (Some("报告"), Some("胡锦涛")), "{one}");
    assert_eq!((one["year"].as_i64(), s(&one, "region")), (Some(2007), Some("全国")), "{one}");
    assert_eq!(one["inferred"], serde_json::json!(["year", "kind", "region", "speaker"]));
    let two = show(tmp.path(), &ix, "party.jsonl:2");
    assert_eq!((s(&two, "kind"), s(&two, "speaker")), (Some("发言稿"), Some("王浩")), "{two}");
    assert_eq!(s(&two, "region"), Some("浙江省"), "{two}");
    assert_eq!(two["inferred"], serde_json::json!(["region", "speaker"]), "the stated kind wins");
    let three = show(tmp.path(), &ix, "party.jsonl:3");
    assert_eq!((s(&three, "kind"), three["speaker"].clone()), (Some("决定"), Value::Null));
    assert_eq!((s(&three, "date"), three["year"].as_i64()), (Some("2024-07-18"), Some(2024)));

    let overview = stats(tmp.path(), &ix, &[]);
    assert_eq!(audit(&overview, "kind"), (1, 3, 0));
    assert_eq!(audit(&overview, "speaker"), (0, 2, 2));
    assert_eq!(audit(&overview, "year"), (0, 2, 2), "{overview}");
    let missing = stats(tmp.path(), &ix, &["--missing", "speaker"]);
    let ids: Vec<&str> =
        missing["speeches"].as_array().unwrap().iter().map(|m| s(m, "id").unwrap()).collect();
    assert_eq!(ids, ["party.jsonl:3", "party.jsonl:4"]);
    assert_eq!(s(&missing["speeches"][1], "title"), Some("在科技大会上的致辞"));
    let human = run_in(tmp.path(), &["stats", "--index", arg(&ix), "--missing", "speaker"]);
    assert_exit(&human, 0, "stats --missing speaker");
    assert!(stdout(&human).contains("party.jsonl:4\t在科技大会上的致辞"), "{}", stdout(&human));
    assert!(stdout(&human).contains("2 speeches without speaker"), "{}", stdout(&human));
    let bad = run_in(tmp.path(), &["stats", "--index", arg(&ix), "--missing", "speakers"]);
    assert_exit(&bad, 2, "stats --missing speakers");
}

/// `--meta FILE.csv` and `meta = "FILE.csv"` in speechdex.toml (issue 14 item 3): values win
/// over the record and inference and leave `inferred`; the file in the corpus is not indexed;
/// an edit rewrites only the speeches it changes; `--meta` wins over the toml's file; a bad
/// file stops the run with its line.
#[test]
fn meta_files_override_records_and_inference() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let csv = "标题,讲话人,正文\n\
        在全市经济工作会议上的讲话,张三,推进高质量发展。\n\
        2024年海州市政府工作报告,,各位代表：现在，我代表市人民政府报告工作。\n\
        在科技大会上的讲话,李四,加快科技自立自强。\n";
    let meta =
        "id,speaker,region,日期\nspeeches.csv:1,张三丰,,\nspeeches.csv:2,王五,,2024年1月8日\n";
    write_files(
        &corpus,
        &[
            ("speeches.csv", csv.as_bytes()),
            ("meta.csv", meta.as_bytes()),
            ("speechdex.toml", b"meta = \"meta.csv\"\n"),
        ],
    );
    let ix = tmp.path().join("index");
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!(summary["docs"], 3, "the meta file is not a corpus file: {summary}");
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(0), "{summary}");
    let one = show(tmp.path(), &ix, "speeches.csv:1");
    assert_eq!(s(&one, "speaker"), Some("张三丰"), "the file wins over the record: {one}");
    let two = show(tmp.path(), &ix, "speeches.csv:2");
    assert_eq!((s(&two, "speaker"), s(&two, "region")), (Some("王五"), Some("海州市")), "{two}");
    assert_eq!((s(&two, "date"), two["year"].as_i64()), (Some("2024-01-08"), Some(2024)));
    assert_eq!(two["inferred"], serde_json::json!(["kind", "region"]), "{two}");

    // Editing the file: the next run rewrites the one speech it changes.
    let edited =
        "id,speaker,region,日期\nspeeches.csv:1,张三丰,,\nspeeches.csv:2,赵六,,2024年1月8日\n";
    std::fs::write(corpus.join("meta.csv"), edited).unwrap();
    let summary = index(tmp.path(), &corpus, &ix, &[]);
    assert_eq!((summary["updated"].as_u64(), summary["unchanged"].as_u64()), (Some(1), Some(2)));
    assert_eq!(s(&show(tmp.path(), &ix, "speeches.csv:2"), "speaker"), Some("赵六"));

    // --meta wins over the toml's file, field by field.
    let flag = tmp.path().join("flag.csv");
    std::fs::write(&flag, "id,讲话人\nspeeches.csv:3,钱七\nspeeches.csv:2,孙八\n").unwrap();
    let summary = index(tmp.path(), &corpus, &ix, &["--meta", arg(&flag)]);
    assert_eq!(summary["updated"].as_u64(), Some(2), "{summary}");
    let two = show(tmp.path(), &ix, "speeches.csv:2");
    assert_eq!((s(&two, "speaker"), s(&two, "date")), (Some("孙八"), Some("2024-01-08")));
    assert_eq!(s(&show(tmp.path(), &ix, "speeches.csv:3"), "speaker"), Some("钱七"));

    // An id that names no speech (a typo) is reported, in the summary and as a warning.
    std::fs::write(&flag, "id,讲话人\nspeeches.csv:3,钱七\nspeech.csv:2,孙八\n").unwrap();
    let summary = index(tmp.path(), &corpus, &ix, &["--meta", arg(&flag)]);
    assert_eq!(summary["unmatched_meta_ids"], serde_json::json!(["speech.csv:2"]), "{summary}");
    let args = ["index", arg(&corpus), "--index", arg(&ix), "--meta", arg(&flag)];
    let err = String::from_utf8_lossy(&run_in(tmp.path(), &args).stderr).into_owned();
    assert!(
        err.contains("1 id of the metadata file names no speech") && err.contains("speech.csv:2")
    );

    // A bad file changes nothing and says where.
    std::fs::write(&flag, "id,date\nspeeches.csv:1,someday\n").unwrap();
    let args = ["index", arg(&corpus), "--index", arg(&ix), "--meta", arg(&flag)];
    let o = run_in(tmp.path(), &args);
    assert_exit(&o, 2, "a bad meta file");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("flag.csv") && err.contains("line 2, date"), "{err}");
}

/// Search results carry kind, speaker, region, date, url and `inferred` in JSON and CSV
/// (issue 14 item 6): the CSV's `inferred` column is the JSON list joined with `;`.
#[test]
fn search_results_carry_inferred_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let csv = "标题,讲话人,链接,正文\n\
        2024年海州市政府工作报告,王五,https://example.org/a,各位代表：发展新质生产力。\n\
        在科技大会上的讲话,,,\"——2024年5月6日在海州市科技大会上\n市长 赵六\n同志们：发展新质生产力。\"\n";
    write_files(&corpus, &[("speeches.csv", csv.as_bytes())]);
    let ix = tmp.path().join("index");
    index(tmp.path(), &corpus, &ix, &[]);
    let hits = search(tmp.path(), &ix, "新质生产力");
    assert_eq!(hits.len(), 2);
    let by_id = |id: &str| hits.iter().find(|h| s(h, "id") == Some(id)).unwrap();
    let one = by_id("speeches.csv:1");
    assert_eq!((s(one, "kind"), s(one, "region")), (Some("政府工作报告"), Some("海州市")));
    assert_eq!((s(one, "speaker"), s(one, "url")), (Some("王五"), Some("https://example.org/a")));
    assert_eq!(one["inferred"], serde_json::json!(["year", "kind", "region"]), "{one}");
    let two = by_id("speeches.csv:2");
    assert_eq!((s(two, "speaker"), s(two, "date")), (Some("赵六"), Some("2024-05-06")), "{two}");
    assert_eq!(two["inferred"], serde_json::json!(["date", "year", "kind", "region", "speaker"]));

    let o = run_in(tmp.path(), &["search", "新质生产力", "--index", arg(&ix), "--csv"]);
    assert_exit(&o, 0, "search --csv");
    let text = stdout(&o);
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let hit = by_id(&record[column("id")]);
        let want: Vec<&str> =
            hit["inferred"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(&record[column("inferred")], want.join(";"));
        assert_eq!(Some(&record[column("kind")]), s(hit, "kind"));
    }
}
