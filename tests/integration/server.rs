//! `speechdex serve`: the real binary on an ephemeral port, over an index of the sample corpus.
//! Every endpoint, the error codes, the limits, a rebuild under load, diff and verify on the
//! shared corpus ([`wording`]), and (in [`browser`]) the web page in headless Chromium.

mod browser;
mod webdriver;
mod wording;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{bin, stderr};

/// The sample corpus shipped in the repository.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Indexes `corpus` into `index`, asserting success.
fn index_corpus(corpus: &Path, index: &Path) {
    let o =
        bin().arg("index").arg(corpus).arg("--index").arg(index).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "indexing {} failed:\n{}", corpus.display(), stderr(&o));
}

/// Copies a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A running `speechdex serve`, killed when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stderr: Arc<Mutex<String>>,
    /// The HTTP client used by [`Server::get`].
    pub agent: ureq::Agent,
}

impl Server {
    /// Starts the server on `index` and waits for its `listening on` line.
    pub fn start(index: &Path) -> Server {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server::start_with(index, 60, agent)
    }

    /// Starts the server on `index` with a request timeout of `timeout_secs`, and `agent` for
    /// its requests.
    pub fn start_with(index: &Path, timeout_secs: u64, agent: ureq::Agent) -> Server {
        let mut child = bin()
            .args(["serve", "--addr", "127.0.0.1:0", "--timeout", &timeout_secs.to_string()])
            .arg("--index")
            .arg(index)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the speechdex binary starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the server printed no address; stderr:\n{}", stderr.lock().unwrap());
            }
        };
        let base = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "binds loopback: {base}");
        let addr = base.trim_start_matches("http://").to_string();
        Server { child, base, addr, stderr, agent }
    }

    /// GET `path` (already percent-encoded): status, content type and body.
    pub fn get_raw(&self, path: &str) -> (u16, String, String) {
        let url = format!("{}{}", self.base, path);
        let mut res = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}\nserver stderr:\n{}", self.stderr()));
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        (status, ctype, body)
    }

    /// GET `path` and parse the JSON answer.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, ctype, body) = self.get_raw(path);
        assert!(ctype.starts_with("application/json"), "GET {path}: content type {ctype:?}");
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"));
        (status, json)
    }

    /// GET `path`, asserting 200.
    pub fn ok(&self, path: &str) -> Value {
        let (status, json) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {json}");
        json
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a query-string or path value (everything but unreserved ASCII).
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A temp dir holding an index of the sample corpus.
pub fn sample_index() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    index_corpus(&sample_corpus(), &index);
    (dir, index)
}

/// Sends raw bytes and returns the status line's code.
fn raw_status(addr: &str, request: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(2).any(|w| w == b"\r\n") {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let line = String::from_utf8_lossy(&buf).lines().next().unwrap_or("").to_string();
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {line:?}"))
}

#[test]
fn search_results_download_as_csv_that_excel_reads() {
    let (_dir, index) = sample_index();
    let s = Server::start(&index);
    let term = enc("新质生产力");
    let (status, ctype, body) = s.get_raw(&format!("/api/search?q={term}&limit=100&format=csv"));
    assert_eq!(status, 200, "{body}");
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let csv = body.strip_prefix('\u{feff}').expect("a BOM, so that Excel reads UTF-8");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for column in ["id", "title", "kind", "url", "snippets"] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    // One row per speech, the same speeches as the JSON answer, in the same order.
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_string()).collect();
    let json = s.ok(&format!("/api/search?q={term}&limit=100"));
    let expected: Vec<&str> =
        json["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    let (status, json) = s.get(&format!("/api/search?q={term}&format=xml"));
    assert_eq!((status, json["parameter"].as_str()), (400, Some("format")), "{json}");
}

/// `boilerplate=exclude` on `/api/search`, `/api/trend` and `/api/kwic` leaves out the
/// occurrences on page-furniture lines, as `--no-boilerplate` does; an unknown value is a 400.
#[test]
fn boilerplate_can_be_left_out_of_api_counts() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let page = "关于下载工作的讲话\n要把文件下载到每个乡镇。\n下载\n打印\n";
    std::fs::write(corpus.join("page.txt"), page).unwrap();
    let index = dir.path().join("index");
    index_corpus(&corpus, &index);
    let s = Server::start(&index);
    let term = enc("下载");
    let all = s.ok(&format!("/api/search?q={term}"));
    let out = s.ok(&format!("/api/search?q={term}&boilerplate=exclude"));
    assert_eq!((all["total_hits"].as_u64(), out["total_hits"].as_u64()), (Some(3), Some(2)));
    let t = s.ok(&format!("/api/trend?terms={term}&boilerplate=exclude"));
    assert_eq!(t["totals"]["下载"]["count"].as_u64(), Some(2), "{t}");
    let k = s.ok(&format!("/api/kwic?term={term}&boilerplate=exclude"));
    assert_eq!(k["total"].as_u64(), Some(2), "{k}");
    let (status, json) = s.get(&format!("/api/search?q={term}&boilerplate=no"));
    assert_eq!((status, json["parameter"].as_str()), (400, Some("boilerplate")), "{json}");
}

#[test]
fn api_endpoints_and_errors() {
    let (_dir, index) = sample_index();
    let s = Server::start(&index);
    let term = enc("新质生产力");

    // /healthz
    let h = s.ok("/healthz");
    assert_eq!(h["status"], "ok");
    assert_eq!(h["docs"], 19);
    assert_eq!(h["generation"], "gen-000001");

    // /api/search: the same JSON as `search --json`.
    let r = s.ok(&format!("/api/search?q={term}&limit=3"));
    assert_eq!(r["query"], "新质生产力");
    assert_eq!(r["total_docs"], 8);
    assert_eq!(r["total_hits"], 61);
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["rank"], 1);
    let snippet = &results[0]["snippets"][0];
    let text: Vec<char> = snippet["text"].as_str().unwrap().chars().collect();
    let [a, b] = [0, 1].map(|i| snippet["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(text[a..b].iter().collect::<String>(), "新质生产力");
    let cli = crate::common::json(
        &bin()
            .args(["search", "新质生产力", "--json", "--limit", "3", "--index"])
            .arg(&index)
            .output()
            .unwrap(),
    );
    let ids = |v: &Value| -> Vec<String> {
        v["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().into()).collect()
    };
    assert_eq!(ids(&r), ids(&cli), "the API ranks as the CLI does");
    assert_eq!(r["results"][0]["snippets"], cli["results"][0]["snippets"]);

    // Paging, sort, filters.
    let p2 = s.ok(&format!("/api/search?q={term}&limit=3&offset=3"));
    assert_eq!(p2["results"][0]["rank"], 4);
    let by_date = s.ok(&format!("/api/search?q={term}&sort=date&limit=100"));
    let dates: Vec<&str> =
        by_date["results"].as_array().unwrap().iter().filter_map(|r| r["date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    let f = s.ok(&format!("/api/search?q={term}&from=2025&to=2025&limit=100"));
    assert!(f["total_docs"].as_u64().unwrap() >= 1);
    assert!(f["results"].as_array().unwrap().iter().all(|r| r["year"] == 2025));
    let region = s.ok(&format!("/api/search?q={term}&region={}", enc("云岭省")));
    assert!(region["results"].as_array().unwrap().iter().all(|r| r["region"] == "云岭省"));
    let sp = s.ok(&format!("/api/search?q={term}&speaker={}", enc("省长")));
    assert!(sp["total_docs"].as_u64().unwrap() >= 1);
    let kind = s.ok(&format!("/api/search?q=&kind={}", enc("政府工作报告")));
    let all = s.ok("/api/search?q=&limit=100");
    let reports =
        all["results"].as_array().unwrap().iter().filter(|r| r["kind"] == "政府工作报告").count();
    assert!(reports >= 3, "{all}");
    assert_eq!(
        kind["total_docs"], reports as u64,
        "a blank q lists every speech the filters let through"
    );
    let y = s.ok(&format!("/api/search?q={}&year=2021", enc("碳达峰 | 碳中和")));
    assert!(y["results"].as_array().unwrap().iter().all(|r| r["year"] == 2021));
    assert!(s.ok("/api/search?q=GDP&limit=100")["total_docs"].as_u64().unwrap() >= 1);

    // Result limit is capped.
    let (st, e) = s.get(&format!("/api/search?q={term}&limit=101"));
    assert_eq!(st, 400);
    assert_eq!(e["parameter"], "limit");
    assert_eq!(
        s.ok(&format!("/api/search?q={term}&limit=100"))["results"].as_array().unwrap().len(),
        8
    );

    // /api/docs/{id}: ids with `/` and `:`, raw or percent-encoded.
    let id = "reports/sample-reports.jsonl:4";
    let d = s.ok(&format!("/api/docs/{id}?q={term}"));
    assert_eq!(d["id"], id);
    assert_eq!(d["line"], 4);
    let body: Vec<char> = d["body"].as_str().unwrap().chars().collect();
    let highlights = d["highlights"].as_array().unwrap();
    assert!(highlights.len() >= 2);
    for h in highlights {
        let [a, b] = [0, 1].map(|i| h[i].as_u64().unwrap() as usize);
        assert_eq!(body[a..b].iter().collect::<String>(), "新质生产力");
    }
    let d2 = s.ok(&format!("/api/docs/{}", enc(id)));
    assert_eq!(d2["id"], id);
    assert_eq!(d2["highlights"], serde_json::json!([]));
    let show = crate::common::json(
        &bin()
            .args(["show", id, "--json", "--highlight", "新质生产力", "--index"])
            .arg(&index)
            .output()
            .unwrap(),
    );
    assert_eq!(d, show, "the same JSON as `show --json`");
    let dong = s.ok(&format!(
        "/api/docs/{}?q={term}",
        enc("speeches/2024-dongling-government-work-report.md")
    ));
    let body: Vec<char> = dong["body"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = dong["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            body[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize].iter().collect()
        })
        .collect();
    assert!(
        marked.iter().any(|m| m == "新質生產力"),
        "traditional forms are highlighted: {marked:?}"
    );

    // /api/stats: `stats --json`.
    let st = s.ok("/api/stats");
    assert_eq!(st["docs"], 19);
    assert!(st["years"]["2025"].as_u64().unwrap() >= 1);
    assert!(st["regions"]["云岭省"].as_u64().unwrap() >= 1);

    // /api/trend
    let t = s.ok(&format!("/api/trend?terms={term},{}", enc("碳达峰")));
    assert_eq!(t["terms"], serde_json::json!(["新质生产力", "碳达峰"]));
    assert_eq!(t["by"], "year");
    assert_eq!(t["metric"], "rate");
    let groups = t["groups"].as_array().unwrap();
    let count_2022 =
        groups.iter().find(|g| g["key"] == "2022").unwrap()["terms"]["新质生产力"]["count"].clone();
    assert_eq!(count_2022, 0, "新质生产力 appears only from 2023 on");
    let total: u64 =
        groups.iter().map(|g| g["terms"]["新质生产力"]["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 61, "trend counts equal search hits");
    let t2 = s.ok(&format!(
        "/api/trend?terms={}&by=region&metric=count&where={}",
        enc("新质生产力，乡村振兴"),
        enc("year:2020..")
    ));
    assert_eq!(t2["by"], "region");
    assert_eq!(t2["metric"], "count");
    assert_eq!(t2["terms"].as_array().unwrap().len(), 2, "the Chinese comma separates terms");
    let (st, e) = s.get("/api/trend?terms=");
    assert_eq!((st, e["parameter"].as_str()), (400, Some("terms")));
    let (st, e) = s.get(&format!("/api/trend?terms={term}&by=month"));
    assert_eq!((st, e["parameter"].as_str()), (400, Some("by")));
    let (st, _) = s.get(&format!("/api/trend?terms={}", enc(&["a"; 11].join(","))));
    assert_eq!(st, 400, "at most 10 terms");

    // /api/kwic
    let k = s.ok(&format!("/api/kwic?term={term}&width=10&limit=5"));
    assert_eq!(k["total"], 61);
    assert_eq!(k["docs"], 8);
    let lines = k["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["left"].as_str().unwrap().chars().count() <= 10));
    let ks = s.ok(&format!("/api/kwic?term={term}&sort=right&from=2025&to=2026"));
    assert!(ks["lines"].as_array().unwrap().iter().all(|l| l["year"].as_i64().unwrap() >= 2025));
    let (st, e) = s.get("/api/kwic");
    assert_eq!((st, e["parameter"].as_str()), (400, Some("term")));
    let (st, _) = s.get(&format!("/api/kwic?term={term}&limit=5000"));
    assert_eq!(st, 400, "kwic lines are capped");

    // /api/compare
    let c = s.ok(&format!("/api/compare?a={}&b={}&limit=5", enc("year:2024"), enc("year:2025")));
    assert_eq!(c["a"]["docs"], 2);
    assert_eq!(c["b"]["docs"], 3);
    assert!(c["over_a"].as_array().unwrap().len() <= 5);
    let c2 = s.ok(&format!(
        "/api/compare?a_id={}&b_id={}&terms={term}",
        enc("speeches/2025-yunling-new-quality-productive-forces.txt"),
        enc("000_e20aaa98e4728523.txt")
    ));
    assert_eq!(c2["terms"][0]["term"], "新质生产力");
    assert_eq!(c2["a"]["docs"], 1);
    let (st, _) = s.get(&format!("/api/compare?a_id={}&b=x", enc("no/such:1")));
    assert_eq!(st, 404);
    let (st, e) = s.get("/api/compare?a=x");
    assert_eq!((st, e["parameter"].as_str()), (400, Some("b")));

    // Errors: a bad query is 400 with the position of the problem.
    let (st, e) = s.get(&format!("/api/search?q={}", enc("新质生产力 (碳达峰")));
    assert_eq!(st, 400);
    assert_eq!(e["position"], 6);
    assert_eq!(e["parameter"], "q");
    assert!(e["error"].as_str().unwrap().contains("parenthesis"), "{e}");
    let (st, e) = s.get(&format!("/api/search?q={}", enc("\"abc")));
    assert_eq!((st, e["position"].as_u64()), (400, Some(0)));
    let (st, e) = s.get(&format!("/api/kwic?term={term}&where={}", enc("foo:bar")));
    assert_eq!((st, e["parameter"].as_str()), (400, Some("where")));
    assert!(e["position"].is_u64());
    // Bad parameters: 400.
    for bad in [
        "/api/search?q=a&limit=0",
        "/api/search?q=a&limit=abc",
        "/api/search?q=a&offset=-1",
        "/api/search?q=a&sort=random",
        "/api/search?q=a&year=24",
        "/api/search?q=a&from=2025&to=2020",
        "/api/search?q=a&colour=red",
        "/api/search?q=a&q=b",
        "/api/stats?x=1",
    ] {
        let (st, e) = s.get(bad);
        assert_eq!(st, 400, "{bad}: {e}");
        assert!(e["error"].as_str().is_some_and(|m| !m.is_empty()), "{bad}: {e}");
    }
    // Unknown speech and unknown routes: 404.
    let (st, e) = s.get("/api/docs/no/such/speech.txt:9");
    assert_eq!(st, 404);
    assert!(e["error"].as_str().unwrap().contains("no/such/speech.txt:9"));
    for path in
        ["/api/nothing", "/nothing", "/api/docs", "/../../etc/passwd", "/assets/../Cargo.toml"]
    {
        let (st, _) = s.get(path);
        assert_eq!(st, 404, "{path}");
    }
    // Oversized: a long query parameter and a long URI are 414, a body 413.
    let (st, e) = s.get(&format!("/api/search?q={}", "a".repeat(1001)));
    assert_eq!((st, e["parameter"].as_str()), (414, Some("q")));
    let (st, _) = s.get(&format!("/api/search?q={}", enc(&"新".repeat(2000))));
    assert_eq!(st, 414);
    let huge =
        format!("GET /api/search?q={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "a".repeat(200_000));
    let st = raw_status(&s.addr, huge.as_bytes());
    assert!([413, 414, 431].contains(&st), "a 200 kB request line is refused: {st}");
    let post = format!(
        "POST /api/search?q=a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n{}",
        "x".repeat(1000)
    );
    assert_eq!(raw_status(&s.addr, post.as_bytes()), 413);
    let post = "POST /api/search?q=a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(raw_status(&s.addr, post.as_bytes()), 405);
    // Garbage in the query string is a 400 or a harmless search, never a 500.
    for path in [
        "/api/search?q=%FF%FE",
        "/api/search?q=%",
        "/api/docs/%FF",
        "/api/search?q=%00",
        "/api/search?q=((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a",
        "/api/kwic?term=%20&width=0",
        "/api/trend?terms=,,,",
    ] {
        let (st, _, body) = s.get_raw(path);
        assert!(st == 200 || st == 400 || st == 404, "{path}: {st} {body}");
    }
    let (st, _, _) = s.get_raw("/healthz");
    assert_eq!(st, 200, "still alive");

    // The page and its assets: embedded, no network access needed.
    let (st, ctype, html) = s.get_raw("/");
    assert_eq!(st, 200);
    assert!(ctype.starts_with("text/html"));
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("检索"));
    // A description for search engines, and an icon in the page (no request for /favicon.ico,
    // which would be a 404 in the browser's console).
    assert!(html.contains("<meta name=\"description\" content=\"speechdex"), "meta description");
    assert!(html.contains("<link rel=\"icon\" href=\"data:image/svg+xml,"), "an inline icon");
    let (st, ctype, css) = s.get_raw("/assets/page.css");
    assert_eq!((st, ctype.as_str()), (200, "text/css; charset=utf-8"));
    let (st, ctype, js) = s.get_raw("/assets/page.js");
    assert_eq!((st, ctype.as_str()), (200, "text/javascript; charset=utf-8"));
    for (name, text) in [("page.html", &html), ("page.css", &css), ("page.js", &js)] {
        for attr in
            ["src=\"http", "href=\"http", "url(http", "@import", "fetch('http", "fetch(\"http"]
        {
            assert!(!text.contains(attr), "{name} loads something from the network ({attr})");
        }
    }
    assert!(s.stderr().contains("serving the index"), "{}", s.stderr());
}

/// Polls `path` until `done` holds for its JSON (or panics after `within`).
fn wait_for(s: &Server, path: &str, within: Duration, done: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let (st, v) = s.get(path);
        if st == 200 && done(&v) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{path} did not change within {within:?}: last answer {v}\nserver stderr:\n{}",
            s.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn rebuild_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_tree(&sample_corpus(), &corpus);
    let index = dir.path().join("index");
    index_corpus(&corpus, &index);
    let s = Arc::new(Server::start(&index));
    let first = s.ok("/healthz");
    assert_eq!(first["generation"], "gen-000001");

    // Clients hammering the API during both builds.
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let term = enc("新质生产力");
    let hammers: Vec<_> = (0..3)
        .map(|i| {
            let (s, stop, served, failures) =
                (s.clone(), stop.clone(), served.clone(), failures.clone());
            let path = match i {
                0 => format!("/api/search?q={term}&limit=5"),
                1 => format!("/api/search?q={}&sort=date", enc("碳达峰 | 乡村振兴")),
                _ => format!("/api/docs/{}?q={term}", enc("reports/sample-reports.jsonl:4")),
            };
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let (st, _, body) = s.get_raw(&path);
                    let ok = st == 200
                        && serde_json::from_str::<Value>(&body).is_ok_and(|v| {
                            v["total_docs"].as_u64().is_some_and(|n| n > 0) || v["id"].is_string()
                        });
                    if !ok {
                        failures.lock().unwrap().push(format!("{path}: {st} {body}"));
                    }
                    served.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    // A full rebuild with a new speech.
    let phrase_a = "星海量子走廊示范工程";
    std::fs::write(
        corpus.join("speeches/2026-new-rebuild.txt"),
        format!("---\ntitle: 在星海市推进大会上的讲话（测试）\ndate: 2026-05-01\nregion: 星海市\n---\n同志们：\n今天部署{phrase_a}建设。\n"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let o = bin()
        .arg("index")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["--rebuild", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "rebuild failed: {}", String::from_utf8_lossy(&o.stderr));
    let took =
        wait_for(&s, &format!("/api/search?q={}", enc(phrase_a)), Duration::from_secs(5), |v| {
            v["total_docs"] == 1
        });
    eprintln!("full rebuild served after {took:?}");
    let h = s.ok("/healthz");
    assert_ne!(h["generation"], first["generation"], "a new generation: {h}");
    assert_eq!(h["docs"], 20);

    // An incremental update of the same generation.
    let phrase_b = "月湾低空经济试验田";
    std::fs::write(
        corpus.join("speeches/2026-new-incremental.txt"),
        format!("---\ntitle: 在月湾县座谈会上的讲话（测试）\ndate: 2026-06-01\n---\n{phrase_b}要办好。\n"),
    )
    .unwrap();
    let o =
        bin().arg("index").arg(&corpus).arg("--index").arg(&index).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "update failed: {}", String::from_utf8_lossy(&o.stderr));
    let took =
        wait_for(&s, &format!("/api/search?q={}", enc(phrase_b)), Duration::from_secs(5), |v| {
            v["total_docs"] == 1
        });
    eprintln!("incremental update served after {took:?}");
    assert_eq!(s.ok("/healthz")["generation"], h["generation"], "same generation");
    assert_eq!(s.ok("/api/stats")["docs"], 21);

    // The server caches phrase counts per segment: a speech edited in place (deleted from its
    // segment and added again) must change them, and every total must stay what the CLI says.
    let phrase_c = "云岭数据枢纽";
    let edited = corpus.join("speeches/2026-new-edited.txt");
    let update = |body: &str| {
        std::fs::write(
            &edited,
            format!("---\ntitle: 云岭讲话（测试）\ndate: 2026-07-01\n---\n{body}\n"),
        )
        .unwrap();
        let o = bin()
            .arg("index")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .arg("--quiet")
            .output()
            .unwrap();
        assert!(o.status.success(), "update failed: {}", String::from_utf8_lossy(&o.stderr));
    };
    let search_c = format!("/api/search?q={}", enc(phrase_c));
    update(&format!("{phrase_c}很重要，{phrase_c}要建好。"));
    wait_for(&s, &search_c, Duration::from_secs(5), |v| v["total_hits"] == 2);
    assert_eq!(s.ok(&search_c)["total_hits"], 2, "asked again: from the cache");
    update(&format!("{phrase_c}要建好。"));
    wait_for(&s, &search_c, Duration::from_secs(5), |v| v["total_hits"] == 1);
    for q in ["新质生产力", phrase_c, "发展", "碳达峰 | 乡村振兴"] {
        let o = bin().args(["search", q, "--json", "--index"]).arg(&index).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cli: Value = serde_json::from_slice(&o.stdout).unwrap();
        let served = s.ok(&format!("/api/search?q={}", enc(q)));
        assert_eq!(
            (&served["total_docs"], &served["total_hits"]),
            (&cli["total_docs"], &cli["total_hits"]),
            "{q}: server and CLI disagree"
        );
    }

    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for h in hammers {
        h.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    let served = served.load(Ordering::Relaxed);
    assert!(
        failures.is_empty(),
        "{} of {served} requests failed, first: {}",
        failures.len(),
        failures[0]
    );
    assert!(served >= 20, "only {served} requests were made during the builds");
    let cache = &s.ok("/api/stats")["cache"];
    assert!(cache["phrase_counts"]["hits"].as_u64().is_some_and(|n| n > 0), "{cache}");
    assert!(s.stderr().contains("serving index generation"), "{}", s.stderr());
}
