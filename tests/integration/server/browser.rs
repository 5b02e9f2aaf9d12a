//! The web page in a real browser: Debian's headless Chromium driven through chromedriver.
//!
//! Required on CI (`CI=true`; `.ci/run` installs `chromium` and `chromium-driver`); elsewhere the
//! test is skipped with a message when they are missing. `CHROMIUM` and `CHROMEDRIVER` override
//! the paths. With `SPEECHDEX_SCREENSHOTS=DIR` the screenshots are saved there (`docs/` holds
//! the ones made so).

use std::path::{Path, PathBuf};

use super::webdriver::Session;
use super::webdriver::{Driver, ENTER};
use super::{Server, enc, sample_index};
use crate::shared::shared;

fn tool(var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    path.is_file().then_some(path)
}

fn save(png: &[u8], name: &str) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    assert!(png.len() > 5_000, "{name} is not blank ({} bytes)", png.len());
    if let Some(dir) = std::env::var_os("SPEECHDEX_SCREENSHOTS") {
        let path = Path::new(&dir).join(name);
        std::fs::write(&path, png).unwrap();
        eprintln!("saved {}", path.display());
    }
}

#[test]
fn the_page_in_chromium() {
    let (Some(chromium), Some(chromedriver)) =
        (tool("CHROMIUM", "/usr/bin/chromium"), tool("CHROMEDRIVER", "/usr/bin/chromedriver"))
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipping the browser test: install chromium and chromium-driver to run it");
        return;
    };
    let (dir, index) = sample_index();
    let server = Server::start(&index);
    let driver = Driver::start(&chromedriver);
    let profile = dir.path().join("chromium-profile");
    let b = driver.session(&chromium, &profile);
    let base = &server.base;

    // The search view: `/` focuses the box, Enter searches, matches are highlighted.
    b.goto(&format!("{base}/"));
    b.wait("the index overview", "return document.querySelector('#foot-index').textContent");
    b.wait(
        "region filter options",
        "return document.querySelectorAll('#search-form select[name=region] option').length > 1",
    );
    b.press("/");
    assert_eq!(b.js("return document.activeElement.id"), "q", "/ focuses the search box");
    b.type_into("#q", &format!("新质生产力{ENTER}"));
    b.wait("highlighted results", "return document.querySelectorAll('#results li mark').length");
    let marks = b.js(
        "return Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent)",
    );
    let marks: Vec<&str> = marks.as_array().unwrap().iter().filter_map(|m| m.as_str()).collect();
    assert!(marks.contains(&"新质生产力"), "{marks:?}");
    assert!(marks.iter().all(|m| *m == "新质生产力" || *m == "新質生產力"), "{marks:?}");
    let status = b.js("return document.querySelector('#search-status').textContent");
    assert!(status.as_str().unwrap().contains("共 8 篇讲话，命中 61 处"), "{status}");
    assert_eq!(b.js("return document.querySelectorAll('#results li').length"), 8);
    let hash = b.js("return decodeURIComponent(location.hash)");
    assert!(hash.as_str().unwrap().contains("q=新质生产力"), "state is in the hash: {hash}");
    // The results as CSV (issue 16): the link downloads a BOM, a header with url and kind.
    let csv = b.wait(
        "the CSV download",
        "const a = document.querySelector('#search-csv'); return a && fetch(a.href).then(r => \
           r.arrayBuffer()).then(buf => [a.getAttribute('download'), \
           Array.from(new Uint8Array(buf.slice(0, 3))), new TextDecoder().decode(buf)])",
    );
    assert_eq!(csv[0], "search.csv");
    assert_eq!(csv[1], serde_json::json!([0xEF, 0xBB, 0xBF]), "a BOM for Excel");
    let header = csv[2].as_str().unwrap().lines().next().unwrap().to_string();
    assert!(header.contains(",url") && header.contains(",kind"), "{header}");
    assert_eq!(csv[2].as_str().unwrap().lines().count(), 9, "a header and 8 speeches");
    let first_title = b.js("return document.querySelector('.result-link').textContent");
    b.js("document.activeElement.blur(); window.scrollTo(0, 0); return 1");
    save(&b.screenshot(), "screenshot-search.png");

    // A filter narrows the results (selects submit on change).
    b.js(
        "const s = document.querySelector('#search-form select[name=region]'); s.value = '云岭省'; \
          s.dispatchEvent(new Event('change')); return 1",
    );
    b.wait(
        "filtered results",
        "return location.hash.includes('region=') && \
            document.querySelector('#search-status').textContent.includes('共 ') && \
            !document.querySelector('#search-status').classList.contains('busy')",
    );
    let regions = b.wait(
        "results of one region",
        "const r = Array.from(document.querySelectorAll('#results .meta-line')).map(m => m.textContent); \
         return r.length && r.every(t => t.includes('云岭省')) ? r : null",
    );
    assert!(!regions.as_array().unwrap().is_empty());
    b.js("history.back(); return 1");
    b.wait(
        "unfiltered results again",
        "return document.querySelectorAll('#results li').length === 8",
    );

    // The reader: every match highlighted, n / p / arrows move between them.
    b.click(".result-link");
    b.wait("the speech", "return !document.querySelector('#view-doc').hidden && document.querySelectorAll('#doc-body mark').length");
    assert_eq!(b.js("return document.querySelector('#doc-title').textContent"), first_title);
    let n = b.js("return document.querySelectorAll('#doc-body mark').length").as_u64().unwrap();
    assert!(n >= 2, "{n} matches");
    let count = || {
        b.js("return document.querySelector('#doc-count').textContent")
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(count(), format!("第 1 / {n} 处"));
    save(&b.screenshot(), "screenshot-reader.png");
    b.press("n");
    assert_eq!(count(), format!("第 2 / {n} 处"));
    assert_eq!(b.js("return document.querySelector('mark.current').id"), "m2");
    b.press("p");
    assert_eq!(count(), format!("第 1 / {n} 处"));
    b.press("\u{E012}"); // ArrowLeft wraps to the last match
    assert_eq!(count(), format!("第 {n} / {n} 处"));
    b.press("\u{E014}"); // ArrowRight
    assert_eq!(count(), format!("第 1 / {n} 处"));
    b.click("#doc-next");
    b.click("#doc-next");
    assert_eq!(count(), format!("第 3 / {n} 处"));
    let hash = b.js("return location.hash").as_str().unwrap().to_string();
    assert!(hash.starts_with("#/doc/") && hash.contains("m=3"), "{hash}");
    b.press("\u{E00C}"); // Escape: back to the results
    b.wait(
        "back to the results",
        "return !document.querySelector('#view-search').hidden && document.querySelectorAll('#results li').length === 8",
    );

    // The trend view: a line chart per term, the table, downloads.
    b.goto(&format!("{base}/#/trend"));
    b.wait("the trend form", "return !document.querySelector('#view-trend').hidden");
    b.type_into("#trend-terms", &format!("新质生产力，碳达峰，乡村振兴{ENTER}"));
    b.wait("the chart", "return document.querySelectorAll('#chart svg g.series').length === 3");
    assert_eq!(b.js("return document.querySelectorAll('#chart svg g.series path').length"), 3);
    let rows =
        b.js("return document.querySelectorAll('#trend-table tbody tr').length").as_u64().unwrap();
    assert!(rows >= 12, "one row per year 2015–2026: {rows}");
    let svg =
        b.js("return new XMLSerializer().serializeToString(document.querySelector('#chart svg'))");
    assert!(svg.as_str().unwrap().contains("新质生产力"), "the legend names the terms");
    // The three downloads (the anchor click that saves a file is caught and its blob read).
    b.js("window.__downloads = []; HTMLAnchorElement.prototype.click = function () { \
          window.__downloads.push([this.download, this.href]); }; return 1");
    for button in ["#dl-csv", "#dl-svg", "#dl-png"] {
        b.click(button);
    }
    b.wait("three downloads", "return window.__downloads.length === 3");
    let files = b.js("return Promise.all(window.__downloads.map(([name, href]) => fetch(href)\
           .then(r => r.blob()).then(async blob => [name, blob.type, blob.size, \
             blob.type.startsWith('text/') ? await blob.text() : ''])))");
    let files = files.as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f[0].as_str().unwrap()).collect();
    assert!(
        names[0].ends_with(".csv") && names[1].ends_with(".svg") && names[2].ends_with(".png"),
        "{names:?}"
    );
    let csv = files[0][3].as_str().unwrap();
    assert!(csv.lines().next().unwrap().contains("新质生产力 次数"), "{csv}");
    assert!(csv.contains("\r\n2023,"), "one row per year: {csv}");
    assert!(files[1][1].as_str().unwrap().starts_with("image/svg+xml"), "{:?}", files[1]);
    assert_eq!(files[2][1], "image/png");
    assert!(files[2][2].as_u64().unwrap() > 10_000, "a real PNG: {:?}", files[2]);
    b.resize(1280, 1240);
    b.js("document.activeElement.blur(); window.scrollTo(0, 0); return 1");
    save(&b.screenshot(), "screenshot-trend.png");
    b.resize(1280, 900);

    // The concordance view.
    b.goto(&format!("{base}/#/kwic?term=%E7%A2%B3%E8%BE%BE%E5%B3%B0"));
    b.wait("concordance lines", "return document.querySelectorAll('#kwic-table tbody tr').length");
    let matched = b.js("return document.querySelector('#kwic-table td.match').textContent");
    assert_eq!(matched, "碳达峰");
    save(&b.screenshot(), "screenshot-kwic.png");

    // The comparison view.
    b.goto(&format!("{base}/#/compare?a=year%3A2024&b=year%3A2025&limit=5"));
    b.wait(
        "four keyword tables",
        "return document.querySelectorAll('#compare-out table').length === 4",
    );

    // A bad query shows where it is wrong.
    b.goto(&format!("{base}/#/search?q=%E7%A2%B3%E8%BE%BE%E5%B3%B0%20(%E7%85%A4"));
    let err = b.wait("the query error", "return document.querySelector('#search-status.error') && document.querySelector('#search-status').textContent");
    assert!(err.as_str().unwrap().contains("检索式有误"), "{err}");
    assert_eq!(b.js("return document.querySelector('#search-status .qerr b').textContent"), "(");

    // A phone-width screen: no horizontal scrolling.
    b.resize(390, 844);
    b.goto(&format!("{base}/#/search?q=%E6%96%B0%E8%B4%A8%E7%94%9F%E4%BA%A7%E5%8A%9B"));
    b.wait("results on a phone", "return document.querySelectorAll('#results mark').length");
    let overflow =
        b.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page scrolls sideways by {overflow} px at 390 px"
    );
    save(&b.screenshot(), "screenshot-phone.png");
    b.resize(1280, 900);

    untrusted_text_stays_text(&b, dir.path());

    // Diff and verify, on the shared corpus (its national reports and resolutions).
    if let Some(sh) = shared() {
        let server = Server::start(sh.index());
        diff_tab(&b, &server.base, sh.report_id(2024), sh.report_id(2025));
        verify_tab(&b, &server.base);
    }
}

/// The 提法对比 tab: by default the two latest national reports, marked up; the lists of new
/// and dropped formulations; filters; suggestions from the titles.
fn diff_tab(b: &Session<'_>, base: &str, id_2024: &str, id_2025: &str) {
    b.goto(&format!("{base}/#/diff"));
    b.wait(
        "the marked-up changes",
        "return document.querySelectorAll('#diff-changes li.changed del').length > 0 && \
         document.querySelectorAll('#diff-changes li.changed ins').length > 0",
    );
    let inputs = b.js(
        "return [document.querySelector('#diff-a').value, document.querySelector('#diff-b').value]",
    );
    assert_eq!(inputs, serde_json::json!([id_2024, id_2025]), "the two latest national reports");
    let summary = b.js("return document.querySelector('#diff-summary').textContent");
    let summary = summary.as_str().unwrap();
    assert!(
        summary.contains("2024年中华人民共和国国务院政府工作报告") && summary.contains("未变"),
        "{summary}"
    );
    // Marks are struck through and underlined, and say what they are to screen readers.
    let styles = b.js(
        "const d = document.querySelector('#diff-changes del'), i = document.querySelector('#diff-changes ins'); \
         return [getComputedStyle(d).textDecorationLine, getComputedStyle(i).textDecorationLine, \
                 d.querySelector('.sr-only').textContent, i.querySelector('.sr-only').textContent]",
    );
    assert_eq!(styles, serde_json::json!(["line-through", "underline", "［删去］", "［新增］"]));
    let kinds = b.js("return ['changed', 'removed', 'added'].map(k => document.querySelectorAll('#diff-changes li.' + k).length)");
    assert!(kinds.as_array().unwrap().iter().all(|n| n.as_u64().unwrap() > 0), "{kinds}");
    // 891 changes: the first 200 listed, more on demand.
    let listed =
        || b.js("return document.querySelectorAll('#diff-changes li').length").as_u64().unwrap();
    assert_eq!(listed(), 200);
    b.click("#diff-more");
    assert_eq!(listed(), 400);
    let where_ = b.js("return document.querySelector('#diff-changes li.added .where').textContent");
    assert!(where_.as_str().unwrap().contains("乙¶"), "paragraph shown: {where_}");
    // The new formulations: 投资于人 among them once every row is shown.
    let rows = b.js("return document.querySelectorAll('#diff-new tbody tr').length");
    assert_eq!(rows, 50, "the first 50 phrases");
    b.click("#diff-new button.more");
    let new = b.wait(
        "every new phrase",
        "return !document.querySelector('#diff-new button.more') && \
           Array.from(document.querySelectorAll('#diff-new tbody td:first-child')).map(td => td.textContent)",
    );
    let new = new.as_array().unwrap();
    assert!(new.len() > 1000, "{} new phrases", new.len());
    assert!(new.iter().any(|p| p == "投资于人"), "投资于人 is new in 2025");
    let dropped =
        b.js("return Array.from(document.querySelectorAll('#diff-dropped tbody tr')).length");
    assert!(dropped.as_u64().unwrap() >= 25, "{dropped}");
    b.js("window.scrollTo(0, 0); document.activeElement.blur(); return 1");
    save(&b.screenshot(), "screenshot-diff.png");
    // Only the added sentences.
    b.click("#diff-show input[value=added]");
    let shown = b.js("return Array.from(document.querySelectorAll('#diff-changes li')) \
           .filter(li => getComputedStyle(li).display !== 'none').map(li => li.className)");
    let shown = shown.as_array().unwrap();
    assert!(!shown.is_empty() && shown.iter().all(|c| c == "added"), "{shown:?}");
    // Suggestions from the titles, keyboard first: `/` focuses the first speech.
    b.js("document.activeElement.blur(); return 1");
    b.press("/");
    assert_eq!(b.js("return document.activeElement.id"), "diff-a");
    b.js("document.querySelector('#diff-a').value = ''; return 1");
    b.type_into("#diff-a", "2023年 政府工作报告");
    let options = b.wait(
        "suggestions",
        "const o = Array.from(document.querySelectorAll('#diff-a-list option')); \
         return o.length ? o.map(x => [x.value, x.label]) : null",
    );
    let id_2023 = options
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o[1].as_str().unwrap().contains("2023年中华人民共和国国务院政府工作报告"))
        .unwrap_or_else(|| panic!("the 2023 report is suggested: {options}"))[0]
        .as_str()
        .unwrap()
        .to_string();
    b.js("document.querySelector('#diff-a').value = ''; return 1");
    b.type_into("#diff-a", &format!("{id_2023}{ENTER}"));
    b.wait(
        "the 2023 → 2025 diff",
        &format!(
            "return location.hash.includes('a={}') && \
               document.querySelector('#diff-summary').textContent.includes('2023年')",
            enc(&id_2023)
        ),
    );
}

/// The 核对引文 tab: exact matches across a line break, a misquotation marked up, a quotation
/// not found, and the passage marked in the reader.
fn verify_tab(b: &Session<'_>, base: &str) {
    b.goto(&format!("{base}/#/verify"));
    b.wait("the verify form", "return !document.querySelector('#view-verify').hidden");
    b.press("/");
    assert_eq!(b.js("return document.activeElement.id"), "verify-q");
    b.type_into("#verify-q", &format!("李强所作的政府工作报告{ENTER}"));
    let found = b.wait(
        "two exact matches",
        "const li = document.querySelectorAll('#verify-out li.exact'); \
         return li.length === 2 && Array.from(li).map(l => [l.querySelector('h2').textContent, \
           l.querySelector('mark').textContent, l.querySelector('.meta-line').textContent])",
    );
    for item in found.as_array().unwrap() {
        assert!(item[0].as_str().unwrap().contains("决议"), "{item}");
        assert_eq!(item[1], "李强所作的⏎政府工作报告", "the passage with its line break");
        assert!(
            item[2].as_str().unwrap().contains("段")
                && item[2].as_str().unwrap().contains("原文出处"),
            "{item}"
        );
    }
    let status = b.js("return document.querySelector('#verify-status').textContent");
    assert!(status.as_str().unwrap().contains("找到原文 2 处"), "{status}");
    save(&b.screenshot(), "screenshot-verify.png");
    // The title opens the speech with the passage marked.
    b.click("#verify-out li.exact h2 a");
    let marked = b.wait(
        "the passage in the speech",
        "return !document.querySelector('#view-doc').hidden && \
           Array.from(document.querySelectorAll('#doc-body mark')).map(m => m.textContent).join('')",
    );
    assert_eq!(marked, "李强所作的政府工作报告");

    // A misquotation: not found, and the closest passages with the difference marked.
    b.goto(&format!("{base}/#/verify?q={}", enc("李强所做的政府工作报告")));
    let near = b.wait(
        "near matches",
        "const li = document.querySelector('#verify-out li.near'); \
         return li && [li.querySelector('.passage del').textContent, li.querySelector('.passage ins').textContent]",
    );
    assert_eq!(near, serde_json::json!(["［删去］做", "［新增］作"]));
    let status = b.js("return document.querySelector('#verify-status').textContent");
    assert!(status.as_str().unwrap().starts_with("未找到原文"), "{status}");

    // Not found at all: said plainly.
    b.goto(&format!("{base}/#/verify?q={}", enc("星海量子走廊示范工程建设")));
    let status = b.wait(
        "not found",
        "const s = document.querySelector('#verify-status').textContent; \
         return !s.includes('核对中') && s",
    );
    assert!(status.as_str().unwrap().starts_with("未找到原文"), "{status}");
    assert_eq!(b.js("return document.querySelectorAll('#verify-out li').length"), 0);
}

/// Titles and texts are data: markup in them is shown as text in the diff and verify tabs.
fn untrusted_text_stays_text(b: &Session<'_>, dir: &Path) {
    let corpus = dir.join("hostile");
    let evil = "<img src=x onerror=\"window.__xss=1\">";
    crate::common::write_files(
        &corpus,
        &[
            (
                "a.txt",
                format!("---\ntitle: 旧稿{evil}\n---\n一、总体要求\n今年要稳住经济大盘。{evil}防范化解风险。\n")
                    .as_bytes(),
            ),
            (
                "b.txt",
                format!("---\ntitle: 新稿<script>window.__xss=1</script>\n---\n一、总体要求\n今年要稳住经济基本盘。{evil}防范化解风险。\n")
                    .as_bytes(),
            ),
        ],
    );
    let index = dir.join("hostile-index");
    crate::common::index_corpus(&corpus, &index);
    let server = Server::start(&index);
    let base = &server.base;
    b.goto(&format!("{base}/#/diff?a=a.txt&b=b.txt"));
    let summary = b.wait(
        "the hostile diff",
        "return document.querySelectorAll('#diff-changes li').length && document.querySelector('#diff-summary').textContent",
    );
    assert!(summary.as_str().unwrap().contains("新稿<script>window.__xss=1</script>"), "{summary}");
    b.goto(&format!("{base}/#/verify?q={}", enc("稳住经济大盘")));
    let shown = b.wait(
        "the hostile passage",
        "const li = document.querySelector('#verify-out li.exact'); return li && li.textContent",
    );
    assert!(shown.as_str().unwrap().contains("旧稿<img src=x"), "{shown}");
    let injected = b.js(
        "return [window.__xss === undefined, document.querySelectorAll('main img, main script').length]",
    );
    assert_eq!(injected, serde_json::json!([true, 0]), "markup from the files stays text");
}
