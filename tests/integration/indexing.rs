//! End-to-end tests of `speechdex index`: the shared corpus, incremental updates, encodings, bad
//! input, crash safety, the writer lock, error messages, default locations and metadata.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{
    arg, assert_exit, bin, json, run_in, shared_corpus, spawn_paused_rebuild, stderr, stdout,
    tmp_generations, wait_for_committed_tmp, write_files,
};

// ---------------------------------------------------------------------------------------------
// Helpers

/// `speechdex index ROOTS --index INDEX --json EXTRA...` run in `cwd`; asserts success and
/// returns the build summary.
fn index_json(cwd: &Path, roots: &[&Path], index: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["index"];
    args.extend(roots.iter().map(|r| arg(r)));
    args.extend(["--index", arg(index), "--json"]);
    args.extend(extra);
    let o = run_in(cwd, &args);
    assert_exit(&o, 0, &format!("speechdex {}", args.join(" ")));
    json(&o)
}

/// `speechdex stats --index INDEX --json`, asserting success.
fn stats(cwd: &Path, index: &Path) -> Value {
    let o = run_in(cwd, &["stats", "--index", arg(index), "--json"]);
    assert_exit(&o, 0, "speechdex stats --json");
    json(&o)
}

/// `speechdex show ID --index INDEX --json`, asserting success.
fn show(cwd: &Path, index: &Path, id: &str) -> Value {
    let o = run_in(cwd, &["show", id, "--index", arg(index), "--json"]);
    assert_exit(&o, 0, &format!("speechdex show {id:?} --json"));
    json(&o)
}

/// Number of speeches `search QUERY --count --json` finds (exit 0 with hits, 1 without).
fn count(cwd: &Path, index: &Path, query: &str) -> u64 {
    let o = run_in(cwd, &["search", query, "--index", arg(index), "--count", "--json"]);
    let docs = json(&o)["total_docs"].as_u64().expect("total_docs is a number");
    assert_exit(&o, if docs > 0 { 0 } else { 1 }, &format!("speechdex search {query:?} --count"));
    docs
}

/// The summary's counters `(added, updated, removed, unchanged, docs)`.
fn counters(summary: &Value) -> (u64, u64, u64, u64, u64) {
    let n = |k: &str| {
        summary[k].as_u64().unwrap_or_else(|| panic!("summary has no number {k:?}: {summary}"))
    };
    (n("added"), n("updated"), n("removed"), n("unchanged"), n("docs"))
}

/// The string at `value[key]`, if any.
fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value[key].as_str()
}

/// Bytes of `text` in UTF-16 (little or big endian) with a BOM.
fn utf16_with_bom(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for unit in text.encode_utf16() {
        out.extend(if little_endian { unit.to_le_bytes() } else { unit.to_be_bytes() });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 1. The shared corpus

#[test]
fn shared_corpus_indexes_completely_with_years_and_updates_as_unchanged() {
    let Some(corpus) = shared_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");

    let summary = index_json(tmp.path(), &[&corpus], &index, &[]);
    assert_eq!(str_of(&summary, "mode"), Some("full"), "first build is not full: {summary}");
    assert_eq!(summary["docs"], 94, "docs after the first build: {summary}");
    assert_eq!(summary["added"], 94, "added after the first build: {summary}");
    assert_eq!(
        summary["skipped"].as_array().map(Vec::len),
        Some(0),
        "the shared corpus has skipped records: {}",
        summary["skipped"]
    );

    let overview = stats(tmp.path(), &index);
    assert_eq!(overview["docs"], 94, "stats --json docs: {overview}");
    assert_eq!(overview["unknown_year"], 0, "speeches without a year in stats: {overview}");
    let per_year: u64 = overview["years"]
        .as_object()
        .expect("stats years is an object")
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(per_year, 94, "speeches per year do not add up to 94: {}", overview["years"]);

    // Every given year of the government work reports is the stored year.
    let gwr = std::fs::read_to_string(corpus.join("gwr/government_work_reports.jsonl")).unwrap();
    let mut checked = 0;
    for (line, text) in (1u64..).zip(gwr.lines()) {
        let record: Value = serde_json::from_str(text).unwrap();
        let given = match &record["year"] {
            Value::Null => continue,
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            other => panic!("line {line}: unexpected year {other}"),
        };
        let id = format!("gwr/government_work_reports.jsonl:{line}");
        let speech = show(tmp.path(), &index, &id);
        assert_eq!(speech["year"].as_i64(), given, "{id}: stored year differs from the given one");
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} lines with a year were checked");

    let again = index_json(tmp.path(), &[&corpus], &index, &[]);
    assert_eq!(str_of(&again, "mode"), Some("incremental"), "second run: {again}");
    assert_eq!(counters(&again), (0, 0, 0, 94, 94), "second run changed something: {again}");
}

// ---------------------------------------------------------------------------------------------
// 2. Incremental updates

const SPEECH_A: &str =
    "在全县春耕生产动员会上的讲话\n同志们：今年要抓好蓝莓果园计划，确保农民增收。\n";
const SPEECH_A_EDITED: &str =
    "在全县春耕生产动员会上的讲话\n同志们：今年要抓好银杏大道工程，确保农民增收。\n";
const SPEECH_B: &str = "---\ntitle: 在全市教育工作会议上的讲话\nyear: 2021\n---\n各位代表：办好人民满意的教育，推进校园书香工程。\n";
const SPEECH_C: &str = "关于城市更新的报告\n推进老旧小区改造，完善社区养老服务设施。\n";
const SPEECH_D: &str = "在全省文旅推介会上的致辞\n欢迎各位嘉宾来到美丽的山水画廊观光。\n";
const LINES: [&str; 3] = [
    r#"{"title":"第一篇","year":2020,"content":"坚持稳中求进，推动港口物流升级。"}"#,
    r#"{"title":"第二篇","year":2021,"content":"深化改革开放，建设湿地公园走廊。"}"#,
    r#"{"title":"第三篇","year":2022,"content":"加强生态保护，守护青山绿水。"}"#,
];
const LINE_2_EDITED: &str =
    r#"{"title":"第二篇","year":2021,"content":"深化改革开放，建设智慧港湾新区。"}"#;

#[test]
fn incremental_updates_follow_edits_deletions_and_additions() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    let jsonl = |lines: &[&str]| lines.join("\n") + "\n";
    write_files(
        &corpus,
        &[
            ("a.txt", SPEECH_A.as_bytes()),
            ("sub/b.md", SPEECH_B.as_bytes()),
            ("c.txt", SPEECH_C.as_bytes()),
            ("lines.jsonl", jsonl(&LINES).as_bytes()),
        ],
    );
    let cwd = tmp.path();
    let first = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(str_of(&first, "mode"), Some("full"), "{first}");
    assert_eq!(counters(&first), (6, 0, 0, 0, 6), "first build: {first}");
    assert_eq!(count(cwd, &index, "蓝莓果园计划"), 1, "the original phrase is not found");

    // Edit one file.
    write_files(&corpus, &[("a.txt", SPEECH_A_EDITED.as_bytes())]);
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(str_of(&s, "mode"), Some("incremental"), "{s}");
    assert_eq!(counters(&s), (0, 1, 0, 5, 6), "after editing a.txt: {s}");
    assert_eq!(count(cwd, &index, "银杏大道工程"), 1, "the edited phrase is not found");
    assert_eq!(count(cwd, &index, "蓝莓果园计划"), 0, "the replaced phrase is still found");
    let body = show(cwd, &index, "a.txt")["body"].as_str().unwrap().to_owned();
    assert_eq!(body, SPEECH_A_EDITED, "show gives the old body after the update");

    // Delete one file.
    std::fs::remove_file(corpus.join("c.txt")).unwrap();
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(counters(&s), (0, 0, 1, 5, 5), "after deleting c.txt: {s}");
    assert_eq!(count(cwd, &index, "老旧小区改造"), 0, "the deleted speech is still found");

    // Add one.
    write_files(&corpus, &[("d.txt", SPEECH_D.as_bytes())]);
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(counters(&s), (1, 0, 0, 5, 6), "after adding d.txt: {s}");
    assert_eq!(count(cwd, &index, "山水画廊"), 1, "the added speech is not found");

    // Edit one line of the JSONL file.
    let edited = [LINES[0], LINE_2_EDITED, LINES[2]];
    write_files(&corpus, &[("lines.jsonl", jsonl(&edited).as_bytes())]);
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(counters(&s), (0, 1, 0, 5, 6), "after editing line 2 of lines.jsonl: {s}");
    assert_eq!(count(cwd, &index, "智慧港湾新区"), 1, "the edited JSONL line is not found");
    assert_eq!(count(cwd, &index, "湿地公园走廊"), 0, "the old JSONL line is still found");
    assert_eq!(count(cwd, &index, "港口物流"), 1, "the unchanged JSONL line 1 is lost");
    assert_eq!(stats(cwd, &index)["docs"], 6, "stats docs after the updates");

    // Nothing changed: nothing done.
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(counters(&s), (0, 0, 0, 6, 6), "a run without changes: {s}");
}

/// `--max-segments` bounds the segments a full build ends with; the summary reports them, and
/// counts do not depend on them.
#[test]
fn max_segments_bounds_the_segments_of_a_full_build() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    // More speeches than a build merges into one segment whatever its options (500).
    let lines: String = (0..1200)
        .map(|i| {
            format!(
                "{{\"title\":\"第{i}篇\",\"year\":{},\"content\":\"推进第{i}号港口物流升级，建设湿地公园。\"}}\n",
                2000 + i % 20
            )
        })
        .collect();
    write_files(&corpus, &[("speeches.jsonl", lines.as_bytes())]);
    let index = tmp.path().join("index");
    let mut segments = Vec::new();
    for max in ["1", "64"] {
        let extra = ["--rebuild", "--threads", "2", "--max-segments", max];
        let summary = index_json(tmp.path(), &[&corpus], &index, &extra);
        assert_eq!(summary["docs"], 1200, "{summary}");
        segments.push(summary["segments"].as_u64().expect("segments is a number"));
        assert_eq!(count(tmp.path(), &index, "港口物流"), 1200);
    }
    assert_eq!(segments[0], 1, "--max-segments 1");
    // Two indexing threads flush a segment each (unless one of them got too few speeches, whose
    // segment is merged anyway): with the default of 4, too, the index would keep two.
    assert!((1..=2).contains(&segments[1]), "--max-segments 64: {segments:?}");
    let o =
        run_in(tmp.path(), &["index", arg(&corpus), "--index", arg(&index), "--max-segments", "0"]);
    assert_exit(&o, 2, "--max-segments 0");
    assert!(stderr(&o).contains("--max-segments"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// 3. Encodings

const ENCODED_SPEECH: &str = "---\ntitle: 在全市优化营商环境大会上的讲话\nyear: 2023\nspeaker: 王五\n---\n\
同志们：\n\
今天召开全市优化营商环境大会，主要任务是深入贯彻落实党中央、国务院关于优化营商环境的决策部署，\
总结过去一年的工作，分析当前面临的形势，安排部署今年的重点任务。\n\
过去一年，我们坚持以市场主体需求为导向，深化“放管服”改革，政务服务效率明显提高，\
企业开办时间压缩到一个工作日以内，市场主体数量稳步增长。\n\
同时也要清醒看到，我们的营商环境与先进地区相比还有不小差距，一些部门服务意识不强，\
个别领域审批事项仍然偏多，需要我们下更大力气加以解决。\n\
希望大家进一步统一思想，狠抓落实，为全市经济社会高质量发展创造更好的条件。\n";

/// `stats --space` accounts for every byte of the generation on disk, puts positions where the
/// design says (the exact fields, not the word fields) and shows the deletions an update leaves.
#[test]
fn stats_space_accounts_for_every_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    write_files(&corpus, &[("a.txt", SPEECH_A.as_bytes()), ("c.txt", SPEECH_C.as_bytes())]);
    let cwd = tmp.path();
    index_json(cwd, &[&corpus], &index, &[]);
    let space_of = || {
        let o = run_in(cwd, &["stats", "--space", "--index", arg(&index), "--json"]);
        assert_exit(&o, 0, "speechdex stats --space --json");
        json(&o)
    };
    let check = |overview: &Value| {
        let space = &overview["space"];
        let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k}: {v}"));
        let fields = space["fields"].as_array().expect("space.fields is a list");
        let field = |name: &str| {
            fields.iter().find(|f| f["field"] == name).unwrap_or_else(|| panic!("no {name}"))
        };
        let mut sum = 0;
        for f in fields {
            let parts = ["terms", "postings", "positions", "columns"].map(|k| n(f, k));
            assert_eq!(parts.iter().sum::<u64>(), n(f, "total"), "{f}");
            sum += n(f, "total");
        }
        let total = n(space, "total");
        assert_eq!(sum + n(space, "store") + n(space, "deletes") + n(space, "other"), total);
        assert_eq!(total, n(overview, "index_bytes"), "space total vs size on disk");
        assert!(n(field("body_exact"), "positions") > 0, "{space}");
        assert_eq!(n(field("body_words"), "positions"), 0, "word fields keep no positions");
        assert!(n(space, "store") > 0, "{space}");
        // What is not attributed is the files beside the segments (meta.json, the manifest)
        // and the segment files' headers and footers: a few hundred bytes per file.
        let generation = std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.join("meta.json").is_file())
            .expect("a generation folder with meta.json");
        let (mut segment_files, mut beside) = (0u64, 0u64);
        for entry in std::fs::read_dir(&generation).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_segment = name.split('.').next().is_some_and(|stem| {
                stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
            });
            if is_segment {
                segment_files += 1;
            } else {
                beside += entry.metadata().unwrap().len();
            }
        }
        let unattributed = n(space, "other")
            .checked_sub(beside)
            .expect("other below the files beside the segments");
        assert!(
            unattributed < 400 * segment_files,
            "{unattributed} bytes of {segment_files} segment files unattributed: {space}"
        );
        n(space, "deletes")
    };
    assert_eq!(check(&space_of()), 0, "a fresh build has no deletions");
    write_files(&corpus, &[("a.txt", SPEECH_A_EDITED.as_bytes())]);
    index_json(cwd, &[&corpus], &index, &[]);
    assert!(check(&space_of()) > 0, "an updated speech leaves a deletion");

    let o = run_in(cwd, &["stats", "--space", "--index", arg(&index)]);
    assert_exit(&o, 0, "speechdex stats --space");
    for row in ["body_exact", "stored documents", "total ("] {
        assert!(stdout(&o).contains(row), "no {row:?} row in:\n{}", stdout(&o));
    }
    let plain = run_in(cwd, &["stats", "--index", arg(&index), "--json"]);
    assert!(json(&plain).get("space").is_none(), "space is only measured with --space");
}

#[test]
fn every_encoding_gives_the_same_body() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(ENCODED_SPEECH.as_bytes());
    let gb18030 = encoding_rs::GB18030.encode(ENCODED_SPEECH).0.into_owned();
    assert_ne!(gb18030, ENCODED_SPEECH.as_bytes(), "the GB18030 fixture is plain UTF-8");
    write_files(
        &corpus,
        &[
            ("utf8.txt", ENCODED_SPEECH.as_bytes()),
            ("utf8-bom.txt", &bom),
            ("gb18030.txt", &gb18030),
            ("utf16le.txt", &utf16_with_bom(ENCODED_SPEECH, true)),
            ("utf16be.txt", &utf16_with_bom(ENCODED_SPEECH, false)),
        ],
    );
    let cwd = tmp.path();
    let summary = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(summary["docs"], 5, "not every twin was indexed: {summary}");
    assert_eq!(summary["skipped"], Value::Array(vec![]), "twins were skipped: {summary}");

    let original = show(cwd, &index, "utf8.txt");
    let body = original["body"].as_str().expect("show --json has a body");
    assert!(body.starts_with("同志们："), "the front matter is not split off: {body:?}");
    assert_eq!(original["title"], "在全市优化营商环境大会上的讲话");
    for twin in ["utf8-bom.txt", "gb18030.txt", "utf16le.txt", "utf16be.txt"] {
        let speech = show(cwd, &index, twin);
        assert_eq!(speech["body"].as_str(), Some(body), "{twin}: body differs from UTF-8's");
        for key in ["title", "year", "speaker"] {
            assert_eq!(speech[key], original[key], "{twin}: {key} differs from UTF-8's");
        }
    }

    // A forced encoding decodes the GB18030 file as such ...
    let forced = tmp.path().join("forced");
    let s = index_json(cwd, &[&corpus.join("gb18030.txt")], &forced, &["--encoding", "gb18030"]);
    assert_eq!(s["docs"], 1, "--encoding gb18030 did not index the GB18030 file: {s}");
    assert_eq!(show(cwd, &forced, "gb18030.txt")["body"].as_str(), Some(body));
    // ... and is used even where detection would say otherwise: UTF-8 read as GB18030 is not
    // the original text (either mojibake or a decoding error).
    // (A decoding error leaves no speech: the run then fails, naming the file, and creates no
    // index.)
    let wrong = tmp.path().join("wrong");
    let utf8 = corpus.join("utf8.txt");
    let args = ["index", arg(&utf8), "--index", arg(&wrong), "--encoding", "gb18030", "--json"];
    let o = run_in(cwd, &args);
    if o.status.code() == Some(0) {
        let got = show(cwd, &wrong, "utf8.txt");
        assert_ne!(got["body"].as_str(), Some(body), "--encoding gb18030 was ignored");
    } else {
        assert_exit(&o, 2, "UTF-8 read as GB18030");
        assert!(stderr(&o).contains("utf8.txt"), "the file is not named: {}", stderr(&o));
        assert!(!wrong.join("CURRENT").exists(), "an empty index was made");
    }

    // A label that names no encoding.
    let bad = tmp.path().join("bad");
    let o =
        run_in(cwd, &["index", arg(&corpus), "--index", arg(&bad), "--encoding", "nope", "--json"]);
    assert_exit(&o, 2, "--encoding nope");
    assert!(stderr(&o).contains("nope"), "the message does not name the label: {}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// 4. Bad input

#[test]
fn unreadable_files_lines_and_rows_are_reported_and_the_rest_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    let jsonl = concat!(
        "{\"title\":\"好的一行\",\"year\":2020,\"content\":\"推进数字乡村建设。\"}\n",
        "{\"title\":\"坏的一行\",\"content\":\n",
        "{\"title\":\"另一行\",\"year\":2021,\"content\":\"发展海洋经济。\"}\n",
    );
    let csv = concat!(
        "title,year,content\n",
        "有正文,2022,加快建设现代化产业体系。\n",
        "无正文,2022,\n",
        "又有正文,2023,扩大高水平对外开放。\n",
    );
    write_files(
        &corpus,
        &[
            ("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\0"),
            ("mixed.jsonl", jsonl.as_bytes()),
            ("empty.txt", b""),
            ("rows.csv", csv.as_bytes()),
            ("good.txt", "一篇好的讲话\n坚持以人民为中心的发展思想。\n".as_bytes()),
        ],
    );
    let cwd = tmp.path();

    // Human output: warnings on stderr.
    let o = run_in(cwd, &["index", arg(&corpus), "--index", arg(&index)]);
    assert_exit(&o, 0, "indexing a corpus with bad files");
    let err = stderr(&o);
    for place in ["binary.txt", "mixed.jsonl:2", "empty.txt", "rows.csv:3"] {
        assert!(err.contains(place), "stderr does not name {place}:\n{err}");
    }

    // JSON: the same skips, with reasons.
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(s["docs"], 5, "not every good speech was indexed: {s}");
    let skipped = s["skipped"].as_array().expect("skipped is an array");
    let find = |path: &str| {
        skipped
            .iter()
            .find(|k| k["path"] == path)
            .unwrap_or_else(|| panic!("{path} is not in skipped: {skipped:?}"))
    };
    for (path, line, reason) in [
        ("binary.txt", Value::Null, "binary"),
        ("mixed.jsonl", Value::from(2), "invalid JSON"),
        ("empty.txt", Value::Null, "empty"),
        ("rows.csv", Value::from(3), "no text"),
    ] {
        let skip = find(path);
        assert_eq!(skip["line"], line, "{path}: wrong line in {skip}");
        let why = skip["reason"].as_str().unwrap_or("");
        assert!(why.contains(reason), "{path}: reason {why:?} lacks {reason:?}");
    }
    assert_eq!(skipped.len(), 4, "unexpected skips: {skipped:?}");
    for id in ["good.txt", "mixed.jsonl:1", "mixed.jsonl:3", "rows.csv:1", "rows.csv:3"] {
        show(cwd, &index, id);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Crash safety and 6. the lock

/// Two small corpora: A (2 speeches, phrase 甲组专属短语) and B (3 speeches, 乙组专属短语).
fn corpora(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("corpus-a");
    let b = dir.join("corpus-b");
    write_files(
        &a,
        &[
            ("one.txt", "甲组讲话一\n这是甲组专属短语所在的讲话。\n".as_bytes()),
            ("two.txt", "甲组讲话二\n另一篇甲组的讲话，谈乡村振兴。\n".as_bytes()),
        ],
    );
    write_files(
        &b,
        &[
            ("x.txt", "乙组讲话一\n这是乙组专属短语所在的讲话。\n".as_bytes()),
            ("y.txt", "乙组讲话二\n谈城市治理。\n".as_bytes()),
            ("z.txt", "乙组讲话三\n谈生态文明。\n".as_bytes()),
        ],
    );
    (a, b)
}

#[test]
fn killed_or_failed_rebuild_leaves_the_old_index_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let (a, b) = corpora(cwd);
    let index = cwd.join("index");
    let built = index_json(cwd, &[&a], &index, &[]);
    assert_eq!(built["docs"], 2, "{built}");

    let mut child = spawn_paused_rebuild(cwd, &b, &index);
    let pending = wait_for_committed_tmp(&index, &mut child);
    child.kill();

    assert_eq!(stats(cwd, &index)["docs"], 2, "a killed rebuild changed the document count");
    assert_eq!(count(cwd, &index, "甲组专属短语"), 1, "A's text is lost after the kill");
    assert_eq!(count(cwd, &index, "乙组专属短语"), 0, "B's text is visible after the kill");

    let next = index_json(cwd, &[&a], &index, &[]);
    assert_eq!(next["docs"], 2, "the run after the kill: {next}");
    assert!(!pending.exists(), "{} remains after the next run", pending.display());
    assert!(tmp_generations(&index).is_empty(), "a .tmp folder remains after the next run");

    // A build failing just before the swap.
    let o = bin()
        .current_dir(cwd)
        .env("SPEECHDEX_TEST_HOOK", "fail-before-swap")
        .args(["index", arg(&b), "--rebuild", "--allow-shrink", "--index", arg(&index)])
        .output()
        .unwrap();
    assert_exit(&o, 2, "a rebuild failing before the swap");
    assert_eq!(stats(cwd, &index)["docs"], 2, "a failed rebuild changed the document count");
    assert_eq!(count(cwd, &index, "甲组专属短语"), 1, "A's text is lost after the failure");
    assert_eq!(count(cwd, &index, "乙组专属短语"), 0, "B's text is visible after the failure");
}

#[test]
fn a_full_disk_is_named_with_the_free_space_and_keeps_the_old_index() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let (a, b) = corpora(cwd);
    let index = cwd.join("index");
    index_json(cwd, &[&a], &index, &[]);

    let o = bin()
        .current_dir(cwd)
        .env("SPEECHDEX_TEST_HOOK", "disk-full-before-swap")
        .args(["index", arg(&b), "--rebuild", "--allow-shrink", "--index", arg(&index)])
        .output()
        .unwrap();
    assert_exit(&o, 2, "a rebuild that runs out of disk space");
    let err = stderr(&o);
    for needle in ["No space left on device", "is free on its disk", "left as it was"] {
        assert!(err.contains(needle), "the error does not say {needle:?}: {err}");
    }
    assert_eq!(stats(cwd, &index)["docs"], 2, "a failed rebuild changed the document count");
    assert_eq!(count(cwd, &index, "甲组专属短语"), 1, "A's text is lost after the failure");
    assert!(tmp_generations(&index).is_empty(), "the failed generation was left behind");
}

#[test]
fn a_second_indexer_fails_at_once_while_searches_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let (a, b) = corpora(cwd);
    let index = cwd.join("index");
    index_json(cwd, &[&a], &index, &[]);

    let mut first = spawn_paused_rebuild(cwd, &b, &index);
    wait_for_committed_tmp(&index, &mut first);

    let started = Instant::now();
    let o = run_in(cwd, &["index", arg(&a), "--index", arg(&index)]);
    let took = started.elapsed();
    assert_exit(&o, 2, "a second indexer on a locked index");
    assert!(took < Duration::from_secs(5), "the second indexer waited {took:?} for the lock");
    assert!(
        stderr(&o).contains("being written by another"),
        "the message does not say the index is locked: {}",
        stderr(&o)
    );
    assert_eq!(count(cwd, &index, "甲组专属短语"), 1, "search fails while the index is locked");
    assert_eq!(stats(cwd, &index)["docs"], 2, "stats fails while the index is locked");
    first.kill();
}

// ---------------------------------------------------------------------------------------------
// 7. Errors

#[test]
fn unwritable_index_and_missing_index_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let corpus = cwd.join("corpus");
    write_files(&corpus, &[("a.txt", "标题\n正文。\n".as_bytes())]);
    let plain = cwd.join("plain.txt");
    std::fs::write(&plain, "not a folder").unwrap();

    for target in [PathBuf::from("/proc/speechdex-test"), plain.join("index")] {
        let o = run_in(cwd, &["index", arg(&corpus), "--index", arg(&target)]);
        assert_exit(&o, 2, &format!("indexing into {}", target.display()));
        assert!(
            stderr(&o).contains(arg(&target)),
            "the message does not name {}: {}",
            target.display(),
            stderr(&o)
        );
    }

    let empty = cwd.join("no-index");
    std::fs::create_dir(&empty).unwrap();
    let o = run_in(cwd, &["search", "正文", "--index", arg(&empty)]);
    assert_exit(&o, 2, "search on a folder without an index");
    assert!(
        stderr(&o).contains("speechdex index"),
        "the message does not say to run `speechdex index`: {}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Default locations

#[test]
fn default_index_is_built_from_corpus_and_env_selects_another() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    write_files(
        &work.join("corpus"),
        &[
            ("a.txt", "默认语料讲话\n推进默认目录测试短语落地。\n".as_bytes()),
            ("b.txt", "第二篇讲话\n谈谈别的事情。\n".as_bytes()),
        ],
    );
    let o = run_in(&work, &["search", "默认目录测试短语"]);
    assert_exit(&o, 0, "search without --index in a folder with ./corpus");
    assert!(stderr(&o).contains("building"), "stderr does not mention building: {}", stderr(&o));
    assert!(stdout(&o).contains("a.txt"), "the result is not a.txt: {}", stdout(&o));
    assert!(work.join("index/CURRENT").is_file(), "./index was not built");

    let o = run_in(&work, &["search", "默认目录测试短语"]);
    assert_exit(&o, 0, "second search without --index");
    assert!(!stderr(&o).contains("building"), "the index was built again: {}", stderr(&o));

    // SPEECHDEX_INDEX selects another index.
    let other_corpus = tmp.path().join("other-corpus");
    write_files(&other_corpus, &[("o.txt", "另一个索引\n环境变量专属短语在此。\n".as_bytes())]);
    let other = tmp.path().join("other-index");
    index_json(tmp.path(), &[&other_corpus], &other, &[]);
    let with_env = |args: &[&str]| {
        bin().current_dir(&work).env("SPEECHDEX_INDEX", &other).args(args).output().unwrap()
    };
    let o = with_env(&["search", "环境变量专属短语"]);
    assert_exit(&o, 0, "search with SPEECHDEX_INDEX");
    assert!(stdout(&o).contains("o.txt"), "the result is not o.txt: {}", stdout(&o));
    let o = with_env(&["search", "默认目录测试短语"]);
    assert_exit(&o, 1, "search with SPEECHDEX_INDEX for a phrase only in ./index");
    let o = with_env(&["stats", "--json"]);
    assert_exit(&o, 0, "stats with SPEECHDEX_INDEX");
    assert_eq!(json(&o)["docs"], 1, "stats with SPEECHDEX_INDEX reads another index");
}

// ---------------------------------------------------------------------------------------------
// 9. Front matter and metadata

#[test]
fn front_matter_fields_and_inferred_dateline_year() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let corpus = cwd.join("corpus");
    let index = cwd.join("index");
    let toml = "+++\ntitle = \"在全省科技创新大会上的讲话\"\ndate = 2023-06-18\nspeaker = \"李四\"\n\
                region = \"浙江省\"\nkind = \"讲话\"\ntags = [\"科技\", \"创新\"]\nsource = \"浙江日报\"\n\
                +++\n同志们：科技创新是发展的第一动力。\n";
    let yaml = "---\ntitle: 在全市民营经济发展大会上的讲话\ndate: 2022-11-02\nspeaker: 赵六\n\
                region: 江苏省苏州市\nkind: 致辞\ntags: [民营经济, 营商环境]\nsource: 苏州日报\n---\n\
                各位企业家：民营经济是推动发展的重要力量。\n";
    let dateline = "在全市经济工作会议上的讲话\n——2019年3月5日在市委经济工作会议上\n\
                    同志们：今天我们召开会议，总结工作，部署任务。\n";
    write_files(
        &corpus,
        &[
            ("toml.md", toml.as_bytes()),
            ("yaml.txt", yaml.as_bytes()),
            ("dateline.txt", dateline.as_bytes()),
        ],
    );
    let s = index_json(cwd, &[&corpus], &index, &[]);
    assert_eq!(s["docs"], 3, "{s}");

    let expect = [
        (
            "toml.md",
            serde_json::json!({
                "title": "在全省科技创新大会上的讲话", "date": "2023-06-18", "year": 2023,
                "speaker": "李四", "region": "浙江省", "kind": "讲话",
                "tags": ["科技", "创新"], "source": "浙江日报", "inferred": [],
                "body": "同志们：科技创新是发展的第一动力。\n",
            }),
        ),
        (
            "yaml.txt",
            serde_json::json!({
                "title": "在全市民营经济发展大会上的讲话", "date": "2022-11-02", "year": 2022,
                "speaker": "赵六", "region": "江苏省苏州市", "kind": "致辞",
                "tags": ["民营经济", "营商环境"], "source": "苏州日报", "inferred": [],
                "body": "各位企业家：民营经济是推动发展的重要力量。\n",
            }),
        ),
    ];
    for (id, want) in expect {
        let got = show(cwd, &index, id);
        for (key, value) in want.as_object().unwrap() {
            assert_eq!(&got[key], value, "{id}: field {key}");
        }
    }

    let got = show(cwd, &index, "dateline.txt");
    assert_eq!(got["year"], 2019, "the dateline's year was not inferred: {got}");
    assert_eq!(got["date"], "2019-03-05", "the dateline's date was not inferred: {got}");
    let inferred = got["inferred"].as_array().expect("inferred is an array");
    assert!(inferred.contains(&Value::from("year")), "inferred lacks \"year\": {inferred:?}");
    assert_eq!(got["title"], "在全市经济工作会议上的讲话", "inferred title");
}
