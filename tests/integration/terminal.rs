//! Safe terminal output (issue 13): escape sequences and other control characters in file
//! names, titles, bodies and metadata are shown escaped (`\u{1b}`) by every human output and
//! message, never sent raw to the terminal; `--json` keeps the exact data. Numeric options
//! outside their ranges are usage errors (exit status 2), never a panic or a huge allocation.

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{assert_exit, bin, json, stderr, stdout, write_files};

/// Sequences a terminal would run: clear the screen, set the window title, a hyperlink, bell,
/// backspaces, a C1 CSI, a right-to-left override.
const CLEAR: &str = "\u{1b}[2J";
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const RLO: &str = "\u{202e}";

/// The file whose name holds an escape sequence.
fn evil_name() -> String {
    format!("speeches/讲话{TITLE}.txt")
}

struct Fixture {
    _dir: TempDir,
    index: PathBuf,
    corpus: PathBuf,
    /// `speechdex index` (not quiet) output: the summary and the warnings.
    indexed: Output,
}

/// A corpus with control characters everywhere, indexed once with the real binary.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let corpus = dir.path().join("corpus");
        let body = format!(
            "2024年新质生产力{CLEAR}专题报告\n——2024年3月5日在会上\n\
             发展新质生产力{CLEAR}很重要。\t制表。\n第二段{TITLE}新质生产力{RLO}推动发展。\n"
        );
        let records = [
            serde_json::json!({
                "title": format!("关于新质生产力{CLEAR}的讲话{RLO}倒序"),
                "speaker": format!("张三\u{1b}]8;;http://example.org\u{7}链接"),
                "region": format!("青川市{CLEAR}"),
                "kind": "讲话\u{8}\u{8}\u{7f}",
                "tags": [format!("标签{TITLE}")],
                "source": "来源\u{9b}31m",
                "url": format!("https://example.org/{CLEAR}"),
                "date": "2023-01-02",
                "content": format!("新质生产力{CLEAR}推动高质量发展，新质生产力{TITLE}很重要。"),
            }),
            // Stated dates outside 1800–2199 are dropped like unparseable ones.
            serde_json::json!({"title": "古老的讲话", "date": "0001-01-01", "content": "新质生产力"}),
            serde_json::json!({"title": "未来的讲话", "date": "9999-12-31", "content": "新质生产力"}),
        ];
        let mut jsonl: String = records.iter().map(|r| format!("{r}\n")).collect();
        jsonl.push_str("{not json\n");
        let bad = format!("bad{CLEAR}{TITLE}.json");
        write_files(
            &corpus,
            &[
                (evil_name().as_str(), body.as_bytes()),
                ("records.jsonl", jsonl.as_bytes()),
                (bad.as_str(), b"[{\"content\": "),
            ],
        );
        let index = dir.path().join("index");
        let indexed = bin()
            .arg("index")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .output()
            .expect("the speechdex binary runs");
        assert_exit(&indexed, 0, "indexing the corpus with escape sequences");
        Fixture { _dir: dir, index, corpus, indexed }
    })
}

/// Runs `speechdex --index INDEX ARGS` with `NO_COLOR` set (as [`bin`] does) or with
/// `--color COLOR`.
fn run(color: Option<&str>, args: &[&str]) -> Output {
    let f = fixture();
    let mut cmd = bin();
    cmd.current_dir(f.index.parent().unwrap()).arg("--index").arg(&f.index);
    if let Some(color) = color {
        cmd.args(["--color", color]);
    }
    cmd.args(args).output().expect("the speechdex binary runs")
}

/// Removes the colour sequences speechdex writes itself (SGR: `ESC [ digits ; … m`).
fn without_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let len = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(after.len());
        if after[len..].starts_with('m') {
            rest = &after[len + 1..];
        } else {
            out.push_str(&rest[i..i + 2]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Asserts that `o` printed no control character but line breaks and tabs, no bidi override
/// and (unless colour is on, whose own SGR sequences are removed first) no ESC at all.
fn assert_inert(o: &Output, what: &str) {
    for (stream, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        let text = without_sgr(&text);
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c.is_control() && c != '\n' && c != '\t')
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(bad.is_empty(), "{what}: raw {bad:?} on {stream}:\n{text}");
    }
}

/// Runs `args` with the default colour (off: not a terminal), `--color never` and
/// `--color always`, asserting success and inert output; returns the `--color never` output.
fn human(args: &[&str]) -> String {
    let mut never = String::new();
    for color in [None, Some("never"), Some("always")] {
        let o = run(color, args);
        let what = format!("speechdex {args:?} with --color {color:?}");
        assert_exit(&o, 0, &what);
        assert_inert(&o, &what);
        if color == Some("never") {
            never = stdout(&o);
        }
    }
    never
}

/// The ids of the speeches matching 新质生产力, from `search --json` (exact, with their ESC).
fn ids() -> Vec<String> {
    let v = json(&run(None, &["search", "新质生产力", "--json", "--limit", "100"]));
    v["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn index_summary_and_warnings_escape_file_names() {
    let o = &fixture().indexed;
    assert_inert(o, "speechdex index");
    let (out, err) = (stdout(o), stderr(o));
    // Both skipped: the broken JSON file (named with escapes) and the broken JSONL line.
    assert!(out.contains("skipped:    2"), "{out}");
    let shown_bad = "bad\\u{1b}[2J\\u{1b}]0;pwned\\u{7}.json";
    assert!(out.contains(shown_bad), "the summary names the file escaped:\n{out}");
    assert!(err.contains("warning: skipped") && err.contains(shown_bad), "{err}");
    assert!(err.contains("records.jsonl:4"), "{err}");
    // `index --json` keeps the exact path.
    let o = bin()
        .arg("index")
        .arg(&fixture().corpus)
        .arg("--index")
        .arg(&fixture().index)
        .args(["--quiet", "--json"])
        .output()
        .unwrap();
    assert_exit(&o, 0, "index --json");
    let skipped = json(&o)["skipped"].to_string();
    assert!(skipped.contains("bad\\u001b[2J\\u001b]0;pwned\\u0007.json"), "{skipped}");
}

#[test]
fn search_results_are_escaped_and_json_is_exact() {
    let out = human(&["search", "新质生产力"]);
    assert!(out.contains("关于新质生产力\\u{1b}[2J的讲话\\u{202e}倒序"), "{out}");
    assert!(out.contains("讲话\\u{1b}]0;pwned\\u{7}.txt"), "ids are escaped:\n{out}");
    assert!(out.contains("张三\\u{1b}]8;;http://example.org\\u{7}链接"), "{out}");
    human(&["search", "新质生产力", "--sort", "date", "--limit", "2", "--offset", "1"]);
    human(&["search", "新质生产力", "--count"]);

    let v = json(&run(None, &["search", "新质生产力", "--json"]));
    let titles: Vec<&str> =
        v["results"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&format!("关于新质生产力{CLEAR}的讲话{RLO}倒序").as_str()),
        "{titles:?}"
    );
    assert!(ids().iter().any(|id| id.ends_with(&format!("讲话{TITLE}.txt"))), "{:?}", ids());
}

#[test]
fn show_escapes_metadata_and_body_but_keeps_lines() {
    for id in ids() {
        let out = human(&["show", &id, "--highlight", "新质生产力"]);
        if id.ends_with(".txt") {
            // The body keeps its line breaks and tab; `show` numbers the paragraphs.
            assert!(out.contains("发展【新质生产力】\\u{1b}[2J很重要。\t制表。\n"), "{out}");
            let next = out.split("制表。\n").nth(1).unwrap_or_default();
            let next = next.trim_start().trim_start_matches(|c: char| c.is_ascii_digit());
            assert!(next.starts_with("  第二段"), "{out}");
            assert!(out.contains("\\u{1b}]0;pwned\\u{7}【新质生产力】\\u{202e}推动"), "{out}");
            let shown = run(None, &["show", &id, "--json"]);
            let body = json(&shown)["body"].as_str().unwrap().to_owned();
            assert!(body.contains(&format!("第二段{TITLE}新质生产力{RLO}推动发展。")), "{body}");
        }
        if id.starts_with("records.jsonl") && out.contains("张三") {
            for shown in
                ["region:  青川市\\u{1b}[2J", "kind:    讲话\\u{8}\\u{8}\\u{7f}", "\\u{9b}31m"]
            {
                assert!(out.contains(shown), "{shown:?} in\n{out}");
            }
            let v = json(&run(None, &["show", &id, "--json"]));
            assert_eq!(v["kind"], "讲话\u{8}\u{8}\u{7f}");
            assert_eq!(v["tags"][0], Value::from(format!("标签{TITLE}")));
        }
    }
}

#[test]
fn statistics_escape_titles_groups_and_words() {
    let out = human(&["kwic", "新质生产力", "--width", "8"]);
    assert!(out.contains("\\u{1b}[2J"), "kwic shows the escapes:\n{out}");
    let v = json(&run(None, &["kwic", "新质生产力", "--json"]));
    let rights: Vec<&str> =
        v["lines"].as_array().unwrap().iter().map(|l| l["right"].as_str().unwrap()).collect();
    assert!(rights.iter().any(|r| r.contains(CLEAR)), "kwic --json is exact: {rights:?}");

    let out = human(&["trend", "新质生产力", "--by", "speech"]);
    assert!(out.contains("\\u{202e}"), "{out}");
    for by in ["year", "speaker", "region", "kind"] {
        human(&["trend", "新质生产力", "--by", by]);
    }
    let out = human(&["stats"]);
    assert!(out.contains("青川市\\u{1b}[2J"), "{out}");
    human(&["top", "--limit", "200"]);
    let ids = ids();
    let txt = ids.iter().find(|id| id.ends_with(".txt")).unwrap();
    let record = ids.iter().find(|id| id.starts_with("records.jsonl")).unwrap();
    let out = human(&["compare", txt, record, "--terms", "新质生产力"]);
    assert!(
        out.contains("讲话\\u{1b}]0;pwned\\u{7}.txt"),
        "compare labels are escaped ids:\n{out}"
    );
    human(&["compare", "--a", "title:讲话", "--b", "新质生产力"]);
}

/// Stated dates of year 1 and 9999 do not stretch `trend` over 10,000 years.
#[test]
fn implausible_stated_dates_are_dropped() {
    let v = json(&run(None, &["trend", "新质生产力", "--json"]));
    let groups: Vec<&str> =
        v["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(groups, ["2023", "2024", "unknown"], "{v}");
}

#[test]
fn errors_escape_what_they_echo() {
    let o = run(None, &["show", &format!("missing{CLEAR}{TITLE}")]);
    assert_exit(&o, 2, "show of an unknown id");
    assert_inert(&o, "show of an unknown id");
    assert!(stderr(&o).contains("missing\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"), "{}", stderr(&o));

    let o = run(None, &["search", &format!("新质{CLEAR} \"未闭合")]);
    assert_exit(&o, 2, "a query error");
    assert_inert(&o, "a query error");
    let err = stderr(&o);
    // The caret stands under the quote, counted in the escaped text.
    let lines: Vec<&str> = err.lines().collect();
    let (query, caret) = (lines[lines.len() - 2], lines[lines.len() - 1]);
    let col = unicode_width::UnicodeWidthStr::width(caret.trim_end()) - 1;
    let before: String = query.chars().take_while(|&c| c != '"').collect();
    assert_eq!(unicode_width::UnicodeWidthStr::width(before.as_str()), col, "{err}");

    let dir = TempDir::new().unwrap();
    let missing = dir.path().join(format!("nowhere{TITLE}"));
    let o = bin()
        .arg("index")
        .arg(&missing)
        .arg("--index")
        .arg(dir.path().join("index"))
        .output()
        .unwrap();
    // Reported (a warning, or an error with --strict), escaped.
    assert_inert(&o, "indexing a missing folder");
    assert!(stderr(&o).contains("nowhere\\u{1b}]0;pwned\\u{7}"), "{}", stderr(&o));

    let o = run(None, &["trend", "新质生产力", "--plot", &format!("chart{TITLE}.gif")]);
    assert_exit(&o, 2, "a chart of an unknown format");
    assert_inert(&o, "a chart of an unknown format");
    assert!(stderr(&o).contains("chart\\u{1b}]0;pwned\\u{7}.gif"), "{}", stderr(&o));
}

/// Numbers outside an option's range are usage errors naming the option, never a panic (the
/// kwic width of 18446744073709551000 used to overflow) or a huge allocation (`--width 1000000`
/// took 2.8 GB).
#[test]
fn numbers_out_of_range_are_usage_errors() {
    let dir = TempDir::new().unwrap();
    let cases: &[&[&str]] = &[
        &["kwic", "新质生产力", "--width", "18446744073709551000"],
        &["kwic", "新质生产力", "--width", "1000000"],
        &["kwic", "新质生产力", "--width", "0"],
        &["kwic", "新质生产力", "--limit", "0"],
        &["kwic", "新质生产力", "--limit", "99999999999999999999999"],
        &["search", "新质生产力", "--limit", "0"],
        &["search", "新质生产力", "--limit", "18446744073709551615"],
        &["search", "新质生产力", "--offset", "10001"],
        &["search", "新质生产力", "--snippets", "1000000"],
        &["search", "新质生产力", "--year", "0"],
        &["trend", "新质生产力", "--from", "99999"],
        &["top", "--limit", "0"],
        &["compare", "a", "b", "--limit", "1000000"],
        &["index", "--threads", "0"],
        &["index", "--threads", "100000"],
        &["index", "--max-speech-mb", "18446744073709551615"],
        &["serve", "--jobs", "0"],
        &["serve", "--cache-mb", "18446744073709551615"],
        &["serve", "--addr", "127.0.0.1:70000"],
    ];
    for args in cases {
        let o = bin().current_dir(dir.path()).args(*args).output().unwrap();
        let what = format!("speechdex {args:?}");
        assert_exit(&o, 2, &what);
        let err = stderr(&o);
        let flag = args.iter().find(|a| a.starts_with("--")).unwrap();
        assert!(err.contains(flag), "{what}: the error names {flag}:\n{err}");
        assert!(!err.contains("panicked"), "{what}:\n{err}");
    }
    // Nothing was built or read.
    assert!(!dir.path().join("index").exists());
}
