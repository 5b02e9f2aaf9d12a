//! The web page in a real browser: Debian's headless Chromium driven through chromedriver.
//!
//! Required on CI (`CI=true`; `.ci/run` installs `chromium` and `chromium-driver`); elsewhere the
//! test is skipped with a message when they are missing. `CHROMIUM` and `CHROMEDRIVER` override
//! the paths. With `SPEECHDEX_SCREENSHOTS=DIR` the screenshots are saved there (`docs/` holds
//! the ones made so).

use std::path::{Path, PathBuf};

use super::webdriver::{Driver, ENTER};
use super::{Server, sample_index};

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
}
