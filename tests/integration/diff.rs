//! Acceptance tests for `speechdex diff` (issue 15, item 1): the national government work
//! reports of 2024 and 2025 from the shared corpus, checked against the texts read without
//! speechdex; sets of speeches (`--a/--b`) and errors on a small fictional corpus.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;
use speechdex::analysis::fold;
use tempfile::TempDir;

use crate::common::{
    assert_exit, bin, index_corpus, json, shared_corpus, stderr, stdout, write_files,
};

/// The shared corpus indexed once, with the ids and texts of the 2024 and 2025 national reports
/// (found by title in the JSONL file, read with serde_json).
struct Reports {
    index: TempDir,
    id_2024: String,
    id_2025: String,
    text_2024: String,
    text_2025: String,
}

fn reports() -> Option<&'static Reports> {
    static REPORTS: OnceLock<Option<Reports>> = OnceLock::new();
    REPORTS
        .get_or_init(|| {
            let corpus = shared_corpus()?;
            let file = "gwr/government_work_reports.jsonl";
            let jsonl = std::fs::read_to_string(corpus.join(file)).unwrap();
            let mut found = [None, None];
            for (i, line) in jsonl.lines().enumerate() {
                let v: Value = serde_json::from_str(line).expect("a JSON line");
                let title = v["title"].as_str().unwrap_or_default();
                for (k, year) in ["2024", "2025"].iter().enumerate() {
                    if title == format!("{year}年中华人民共和国国务院政府工作报告")
                    {
                        let text = v["content"].as_str().unwrap().to_string();
                        found[k] = Some((format!("{file}:{}", i + 1), text));
                    }
                }
            }
            let [Some((id_2024, text_2024)), Some((id_2025, text_2025))] = found else {
                panic!("the 2024 and 2025 national reports are in {file}");
            };
            let index = TempDir::new().unwrap();
            index_corpus(&corpus, index.path());
            Some(Reports { index, id_2024, id_2025, text_2024, text_2025 })
        })
        .as_ref()
}

fn run(index: &Path, args: &[&str]) -> Output {
    bin().arg("--index").arg(index).args(args).output().expect("the speechdex binary runs")
}

/// The 2024 → 2025 diff as JSON, with every list complete.
fn report_diff(r: &Reports) -> Value {
    let o = run(r.index.path(), &["diff", &r.id_2024, &r.id_2025, "--json", "--limit", "100000"]);
    assert_exit(&o, 0, "diff of the 2024 and 2025 reports");
    json(&o)
}

/// Sentences of a text cut independently of speechdex: at 。！？!? and line breaks, keyed by
/// their folded letters and digits only (a coarser key than speechdex's, so a sentence that
/// speechdex calls the same is the same here too), with how often each occurs.
fn sentence_keys(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for k in text.split(['。', '！', '？', '!', '?', '\n']).map(key) {
        if !k.is_empty() {
            *out.entry(k).or_default() += 1;
        }
    }
    out
}

fn key(sentence: &str) -> String {
    fold(sentence).chars().filter(|c| c.is_alphanumeric()).collect()
}

fn texts<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array().unwrap().iter().map(|x| x[field].as_str().unwrap()).collect()
}

fn phrase<'a>(list: &'a Value, p: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|f| f["phrase"] == p)
}

#[test]
fn the_2025_report_changes_fiscal_and_monetary_policy_wording() {
    let Some(r) = reports() else { return };
    let d = report_diff(r);
    // 积极的财政政策要适度加力、提质增效 (2024) became 实施更加积极的财政政策 (2025).
    let fiscal = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            let (old, new) = (c["old"].as_str().unwrap(), c["new"].as_str().unwrap());
            old.contains("财政政策") && new.contains("财政政策") && new.contains("更加积极")
        })
        .unwrap_or_else(|| {
            panic!("no changed pair about 财政政策 with 更加积极: {:#}", d["changed"])
        });
    assert!(r.text_2024.contains(fiscal["old"].as_str().unwrap()));
    assert!(r.text_2025.contains(fiscal["new"].as_str().unwrap()));
    let inserted: String = fiscal["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["op"] == "insert")
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("更加"), "marks: {:#}", fiscal["marks"]);
    for key in ["paragraph_old", "paragraph_new", "similarity"] {
        assert!(fiscal[key].is_number(), "{key} in {fiscal:#}");
    }
    assert!(fiscal["section_new"].as_str().unwrap().contains("政策取向"), "{fiscal:#}");
    // 稳健的货币政策 became 适度宽松的货币政策: in a new sentence of 2025 (added or changed).
    let new_text: Vec<&str> =
        texts(&d["added"], "text").into_iter().chain(texts(&d["changed"], "new")).collect();
    assert!(new_text.iter().any(|t| t.contains("适度宽松的货币政策")));
    let old_text: Vec<&str> =
        texts(&d["removed"], "text").into_iter().chain(texts(&d["changed"], "old")).collect();
    assert!(old_text.iter().any(|t| t.contains("稳健的货币政策")));
}

#[test]
fn new_and_dropped_formulations_of_2025_with_exact_counts() {
    let Some(r) = reports() else { return };
    let d = report_diff(r);
    let count = |text: &str, p: &str| fold(text).matches(p).count() as u64;
    for p in ["投资于人", "具身智能"] {
        let f = phrase(&d["new_phrases"], p).unwrap_or_else(|| panic!("{p} is not new in 2025"));
        assert_eq!(f["count_a"], count(&r.text_2024, p), "{p}");
        assert_eq!(f["count_b"], count(&r.text_2025, p), "{p}");
        assert_eq!((f["count_a"].as_u64(), f["count_b"].as_u64()), (Some(0), Some(1)), "{p}");
        assert!(f["g2"].as_f64().unwrap() > 0.0);
    }
    let f = phrase(&d["dropped_phrases"], "适度加力").expect("适度加力 was dropped in 2025");
    assert_eq!((f["count_a"].as_u64(), f["count_b"].as_u64()), (Some(1), Some(0)));
    // Every listed phrase is absent from the other side, as a substring of its folded text.
    for f in d["new_phrases"].as_array().unwrap() {
        let p = f["phrase"].as_str().unwrap();
        assert!(!fold(&r.text_2024).contains(p), "{p} is in 2024");
        assert_eq!(f["count_b"], count(&r.text_2025, p), "{p}");
        assert!((2..=8).contains(&p.chars().count()), "{p}");
    }
    for f in d["dropped_phrases"].as_array().unwrap() {
        let p = f["phrase"].as_str().unwrap();
        assert!(!fold(&r.text_2025).contains(p), "{p} is in 2025");
    }
    // Ranked: phrases in quotation marks first, then by G² within each group.
    let rank = |f: &Value| (!f["quoted"].as_bool().unwrap(), -f["g2"].as_f64().unwrap());
    let new = d["new_phrases"].as_array().unwrap();
    assert!(new.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
}

#[test]
fn sentences_both_reports_share_are_only_counted() {
    let Some(r) = reports() else { return };
    let d = report_diff(r);
    let (keys_2024, keys_2025) = (sentence_keys(&r.text_2024), sentence_keys(&r.text_2025));
    // A sentence is listed as added at most as often as 2025 has it more often than 2024
    // (各位代表 opens or closes five passages of 2024's report and two of 2025's: three are
    // removed).
    for (list, more, fewer) in
        [("added", &keys_2025, &keys_2024), ("removed", &keys_2024, &keys_2025)]
    {
        let mut listed: HashMap<String, usize> = HashMap::new();
        for t in texts(&d[list], "text") {
            *listed.entry(key(t)).or_default() += 1;
        }
        for (k, n) in listed {
            let surplus = more.get(&k).unwrap_or(&0).saturating_sub(*fewer.get(&k).unwrap_or(&0));
            assert!(
                n <= surplus,
                "{k} listed {n} times as {list}, but only {surplus} more in one year"
            );
        }
    }
    let shared: u64 =
        keys_2024.iter().map(|(k, n)| (*n).min(*keys_2025.get(k).unwrap_or(&0)) as u64).sum();
    let unchanged = d["unchanged"].as_u64().unwrap();
    // The same sentences as an independent count finds (41), give or take the edge cases
    // where the two ways of cutting sentences differ.
    assert!(
        unchanged.abs_diff(shared) <= 2 && unchanged > 0,
        "{unchanged} unchanged, {shared} shared"
    );
    // Every sentence is in exactly one place: unchanged, changed, removed (A) or added (B).
    let n = |k: &str| d["totals"][k].as_u64().unwrap();
    assert_eq!(unchanged + n("changed") + n("removed"), d["a"]["sentences"].as_u64().unwrap());
    assert_eq!(unchanged + n("changed") + n("added"), d["b"]["sentences"].as_u64().unwrap());
    // Document order: paragraphs never go back on their side.
    let paragraphs: Vec<u64> =
        d["added"].as_array().unwrap().iter().map(|s| s["paragraph"].as_u64().unwrap()).collect();
    assert!(paragraphs.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn json_shape_and_limits() {
    let Some(r) = reports() else { return };
    let o = run(r.index.path(), &["diff", &r.id_2024, &r.id_2025, "--json", "--limit", "3"]);
    assert_exit(&o, 0, "diff --json --limit 3");
    let d = json(&o);
    assert!(d["unchanged"].is_u64());
    assert_eq!(d["a"]["label"], r.id_2024.as_str());
    assert_eq!(d["b"]["title"], "2025年中华人民共和国国务院政府工作报告");
    for list in ["added", "removed"] {
        let items = d[list].as_array().unwrap();
        assert_eq!(items.len(), 3, "{list}");
        for s in items {
            assert!(s["text"].is_string() && s["paragraph"].is_u64(), "{s:#}");
            assert!(s["section"].is_string() || s["section"].is_null(), "{s:#}");
        }
        assert!(d["totals"][list].as_u64().unwrap() > 3);
    }
    for c in d["changed"].as_array().unwrap() {
        for k in ["old", "new"] {
            assert!(c[k].is_string(), "{k}");
        }
        for k in ["paragraph_old", "paragraph_new", "similarity"] {
            assert!(c[k].is_number(), "{k}");
        }
        assert!(c["marks"].as_array().unwrap().iter().all(|m| m["op"].is_string()));
    }
    for list in ["new_phrases", "dropped_phrases"] {
        assert_eq!(d[list].as_array().unwrap().len(), 3, "{list}");
        for f in d[list].as_array().unwrap() {
            assert!(f["phrase"].is_string() && f["count_a"].is_u64() && f["count_b"].is_u64());
            assert!(f["g2"].is_f64());
        }
    }
}

#[test]
fn human_and_csv_output_of_the_reports() {
    let Some(r) = reports() else { return };
    let o = run(r.index.path(), &["diff", &r.id_2024, &r.id_2025]);
    assert_exit(&o, 0, "diff");
    let text = stdout(&o);
    assert!(
        text.contains("{+实施更加+}积极的财政政策[-要适度加力、提质增效-]。"),
        "{}",
        short(&text)
    );
    assert!(
        text.contains("§ 二、2024年经济社会发展总体要求和政策取向 → 二、2025年"),
        "{}",
        short(&text)
    );
    assert!(text.contains("New formulations") && text.contains("Dropped formulations"));
    assert!(!text.contains('\u{1b}'), "no colour on a pipe with NO_COLOR");
    let o = run(r.index.path(), &["--color", "always", "diff", &r.id_2024, &r.id_2025, "-n", "5"]);
    assert!(stdout(&o).contains("\u{1b}["), "--color always colours");
    let o = run(r.index.path(), &["diff", &r.id_2024, &r.id_2025, "--csv", "-n", "5"]);
    assert_exit(&o, 0, "diff --csv");
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..4], ["list", "order", "id_old", "paragraph_old"]);
    let lists: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    for list in ["changed", "removed", "added", "new_phrase", "dropped_phrase"] {
        assert_eq!(lists.iter().filter(|l| *l == list).count(), 5, "{list}: {lists:?}");
    }
}

fn short(text: &str) -> String {
    crate::common::short(text)
}

/// A small fictional corpus: two provinces' reports for two years, a hard-wrapped copy, and a
/// speech with terminal control characters.
fn fictional() -> &'static TempDir {
    static INDEX: OnceLock<TempDir> = OnceLock::new();
    INDEX.get_or_init(|| {
        let corpus = TempDir::new().unwrap();
        let report = |region: &str, year: u32, body: &str| {
            format!("---\ntitle: {region}{year}年政府工作报告（示例）\nregion: {region}\nyear: {year}\n---\n{body}\n")
        };
        let east_2025 = "一、工作回顾\n过去一年，东海省经济稳中向好。粮食产量再创新高。\n二、今年任务\n积极的财政政策要适度加力、提质增效。加快发展新质生产力。";
        let east_2026 = "一、工作回顾\n过去一年，东海省经济稳中向好！粮食产量再创新高。\n二、今年任务\n实施更加积极的财政政策。加快发展新质生产力。推动更多资金资源“投资于人”。";
        let west_2025 = "一、工作回顾\n西山省生态环境持续改善。\n二、今年任务\n稳步推进乡村全面振兴。";
        let west_2026 = "一、工作回顾\n西山省生态环境持续改善。\n二、今年任务\n稳步推进乡村全面振兴，持续改善农村人居环境。\n培育生物制造、具身智能、低空经济。";
        let wrapped = "我们要坚持稳中求进工作总基调，完整准确全面贯彻新\n发展理念，加快构建新发展格局，着力推动高质量发展\n，更好统筹质的有效提升和量的合理增长，持续增强经\n济活力、防范化解风险、改善社会预期，巩固和增强经\n济回升向好态势，持续推动经济实现质的有效提升和量\n的合理增长，增进民生福祉，保持社会稳定，为实现目\n标任务打下坚实基础。";
        let unwrapped = "我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，更好统筹质的有效提升和量的合理增长，持续增强经济活力、防范化解风险、改善社会预期，巩固和增强经济回升向好态势，持续推动经济实现质的有效提升和量的合理增长，增进民生福祉，保持社会稳定，为实现目标任务打下坚实基础。";
        let east_25 = report("东海省", 2025, east_2025);
        let east_26 = report("东海省", 2026, east_2026);
        let west_25 = report("西山省", 2025, west_2025);
        let west_26 = report("西山省", 2026, west_2026);
        write_files(
            corpus.path(),
            &[
                ("east-2025.md", east_25.as_bytes()),
                ("east-2026.md", east_26.as_bytes()),
                ("west-2025.md", west_25.as_bytes()),
                ("west-2026.md", west_26.as_bytes()),
                ("extra/wrapped.txt", format!("总基调（折行）\n{wrapped}\n").as_bytes()),
                ("extra/unwrapped.txt", format!("总基调（不折行）\n{unwrapped}\n").as_bytes()),
                ("extra/control.txt", "控制字符\n今年要\u{1b}[2J清屏。\n".as_bytes()),
                ("extra/plain.txt", "控制字符\n今年要清屏。\n".as_bytes()),
            ],
        );
        let index = TempDir::new().unwrap();
        index_corpus(corpus.path(), index.path());
        index
    })
}

#[test]
fn sets_of_speeches_are_compared_as_wholes() {
    let o = run(fictional().path(), &["diff", "--a", "year:2025", "--b", "year:2026", "--json"]);
    assert_exit(&o, 0, "diff --a year:2025 --b year:2026");
    let d = json(&o);
    assert_eq!((d["a"]["docs"].as_u64(), d["b"]["docs"].as_u64()), (Some(2), Some(2)));
    assert_eq!(d["a"]["label"], "year:2025");
    // East: the fiscal sentence changed, one sentence added; West: one changed, one added.
    let changed = d["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 2, "{:#}", d["changed"]);
    assert_eq!(changed[0]["old"], "积极的财政政策要适度加力、提质增效。");
    assert_eq!(changed[0]["new"], "实施更加积极的财政政策。");
    assert_eq!(changed[0]["id_new"], "east-2026.md");
    assert_eq!(changed[0]["section_new"], "二、今年任务");
    assert_eq!(changed[1]["id_old"], "west-2025.md");
    assert_eq!(
        texts(&d["added"], "text"),
        ["推动更多资金资源“投资于人”。", "培育生物制造、具身智能、低空经济。"]
    );
    assert_eq!(d["added"][0]["id"], "east-2026.md");
    assert_eq!(d["added"][1]["id"], "west-2026.md");
    assert!(d["removed"].as_array().unwrap().is_empty());
    // 过去一年…向好。 and …向好！ differ only in punctuation: unchanged.
    assert_eq!(d["unchanged"], 8);
    assert!(phrase(&d["new_phrases"], "投资于人").is_some(), "{:#}", d["new_phrases"]);
    assert!(phrase(&d["new_phrases"], "具身智能").is_some(), "{:#}", d["new_phrases"]);
    assert!(phrase(&d["dropped_phrases"], "适度加力").is_some(), "{:#}", d["dropped_phrases"]);
    assert!(d.get("warnings").is_none(), "disjoint sides: {d:#}");
    // Overlapping sides: a warning on stderr and in the JSON.
    let o =
        run(fictional().path(), &["diff", "--a", "year:2025..2026", "--b", "year:2026", "--json"]);
    assert_exit(&o, 0, "diff of overlapping sets");
    let w = json(&o)["warnings"][0].as_str().unwrap_or_default().to_string();
    assert!(w.contains("share 2 speeches (A has 4, B 2)"), "{w}");
    assert!(
        stderr(&o).contains("warning: A (year:2025..2026) and B (year:2026) share"),
        "{}",
        stderr(&o)
    );
    // A set's human output names the speech of each change.
    let o = run(fictional().path(), &["diff", "--a", "year:2025", "--b", "year:2026"]);
    assert!(stdout(&o).contains("[east-2026.md]"), "{}", stdout(&o));
}

#[test]
fn a_hard_wrapped_copy_is_the_same_text() {
    let o =
        run(fictional().path(), &["diff", "extra/unwrapped.txt", "extra/wrapped.txt", "--json"]);
    assert_exit(&o, 0, "diff of a text and its hard-wrapped copy");
    let d = json(&o);
    assert_eq!(d["b"]["hard_wrapped"], 1);
    assert_eq!(d["unchanged"], 1, "{d:#}");
    assert_eq!(d["changed"].as_array().unwrap().len(), 1, "only the title line differs");
    assert!(
        d["added"].as_array().unwrap().is_empty() && d["removed"].as_array().unwrap().is_empty()
    );
    // The same text diffed with itself: no change at all, and still exit status 0.
    let o = run(fictional().path(), &["diff", "extra/wrapped.txt", "extra/wrapped.txt", "--json"]);
    assert_exit(&o, 0, "diff of a text with itself");
    let d = json(&o);
    assert_eq!(d["unchanged"], 2);
    for list in ["added", "removed", "changed", "new_phrases", "dropped_phrases"] {
        assert!(d[list].as_array().unwrap().is_empty(), "{list}");
    }
}

#[test]
fn control_characters_of_a_speech_are_escaped() {
    let o = run(fictional().path(), &["diff", "extra/plain.txt", "extra/control.txt"]);
    assert_exit(&o, 0, "diff with control characters");
    let text = stdout(&o);
    assert!(!text.contains('\u{1b}'), "raw escape in the output:\n{text}");
    assert!(text.contains("\\u{1b}"), "{text}");
}

#[test]
fn errors_name_what_is_wrong() {
    let index = fictional().path();
    let o = run(index, &["diff", "east-2025.md", "no-such-speech"]);
    assert_exit(&o, 2, "diff with an unknown id");
    assert!(stderr(&o).contains("no-such-speech") && stderr(&o).contains("speechdex search"));
    let o = run(index, &["diff", "--a", "year:2025", "--b", "year:1999"]);
    assert_exit(&o, 2, "diff with an empty set");
    let err = stderr(&o);
    assert!(
        err.contains("side B") && err.contains("year:1999") && err.contains("selects no speech"),
        "{err}"
    );
    let o = run(index, &["diff", "east-2025.md"]);
    assert_exit(&o, 2, "diff with one id");
    assert!(stderr(&o).contains("two speech ids"), "{}", stderr(&o));
    for (flag, value) in [("--min-similarity", "x"), ("--min-similarity", "3"), ("--limit", "0")] {
        let o = run(index, &["diff", "a", "b", flag, value]);
        assert_exit(&o, 2, &format!("diff {flag} {value}"));
        assert!(stderr(&o).contains(flag), "{}", stderr(&o));
    }
    let o = run(index, &["diff", "--a", "(year:2025", "--b", "year:2026"]);
    assert_exit(&o, 2, "diff with a bad query");
    assert!(stderr(&o).contains("query error"), "{}", stderr(&o));
}

#[test]
fn long_help_teaches_with_real_examples() {
    let o = bin().args(["diff", "--help"]).output().unwrap();
    let help = stdout(&o);
    for text in [
        "patience diff",
        "[-deleted-]{+inserted+}",
        "gwr/government_work_reports.jsonl:3",
        "Exit status",
    ] {
        assert!(help.contains(text), "diff --help lacks {text:?}:\n{help}");
    }
    let short = stdout(&bin().args(["diff", "-h"]).output().unwrap());
    assert!(!short.contains("patience diff"), "-h is the short help");
}
