//! `speechdex serve` against hostile clients, on the shared corpus (issue 13, "bounded server"):
//! the largest answers stay within their limits, connections that stall in their request head
//! are closed after the header timeout while other clients are served, a foreign `Host` is
//! refused, SIGTERM stops the server within seconds even with a stalled client connected, and
//! peak memory (`VmHWM`) stays under [`PEAK_RSS_LIMIT_MB`]. Figures and the same sequence as a
//! script: docs/reliability.md, "Server limits".

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{index_corpus, shared_corpus};
use crate::server::{Server, enc};

/// The bound on the server's peak resident memory stated in docs/reliability.md.
const PEAK_RSS_LIMIT_MB: u64 = 256;
/// The server's header-read (and idle) timeout: `ServerOptions::header_timeout`'s default.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Limits of the API (`crates/speechdex-server/src/lib.rs`).
const MAX_KWIC_LINES: usize = 1000;
const MAX_TREND_GROUPS: usize = 5000;
const DEFAULT_TREND_GROUPS: usize = 1000;

/// `speechdex serve` on `index`, with a request timeout long enough for a debug build on a
/// loaded machine (this test is about bounds, not speed) and a client that never reuses a
/// connection the server is about to close as idle.
fn serve(index: &Path) -> Server {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(900)))
        .max_idle_age(HEADER_TIMEOUT / 2)
        .build()
        .into();
    Server::start_with(index, 600, agent)
}

/// Peak resident memory of the server so far, in MB (`None` where /proc is missing).
fn peak_mb(s: &Server) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// GET `path` with a large answer allowed: status and JSON body.
fn get(agent: &ureq::Agent, addr: &str, path: &str) -> (u16, Value) {
    let url = format!("http://{addr}{path}");
    let mut res = agent.get(&url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = res.status().as_u16();
    let body = res
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap_or_else(|e| panic!("GET {url}: reading the answer: {e}"));
    let json = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("GET {url}: not JSON ({e}): {}", &body[..body.len().min(300)]));
    (status, json)
}

/// Sends `request` on a new connection and reads the whole answer (the request should say
/// `Connection: close`): status and body.
fn raw(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// A connection that sent part of a request head (`pad` bytes of one header) and then nothing.
fn stalled(addr: &str, pad: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    let head =
        format!("GET /api/search?q=a HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {}", "a".repeat(pad));
    s.write_all(head.as_bytes()).unwrap();
    s
}

/// Waits until the server closes `s` (end of stream or reset), at most `within`: when it did.
fn closed_at(s: &mut TcpStream, within: Duration) -> Option<Instant> {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(10)))).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Some(Instant::now()),
            Ok(_) => continue, // an answer (408) before the close
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if Instant::now() >= deadline {
                    return None;
                }
            }
            Err(_) => return Some(Instant::now()),
        }
    }
}

/// One hostile request run on its own thread, with what its answer must satisfy.
fn spawn_check(
    s: &Server,
    path: String,
    check: impl FnOnce(&str, u16, &Value) + Send + 'static,
) -> JoinHandle<()> {
    let (agent, addr) = (s.agent.clone(), s.addr.clone());
    std::thread::spawn(move || {
        let (status, json) = get(&agent, &addr, &path);
        check(&path, status, &json);
    })
}

fn lines(json: &Value) -> usize {
    json["lines"].as_array().map_or(0, Vec::len)
}

fn groups(json: &Value) -> usize {
    json["groups"].as_array().map_or(0, Vec::len)
}

/// The largest answers the API can be asked for, many at once: each within its limit.
fn hostile_burst(s: &Server) -> Vec<JoinHandle<()>> {
    let mut jobs = kwic_burst(s);
    jobs.extend(trend_burst(s));
    jobs.extend(other_burst(s));
    jobs
}

/// Concordances of the most frequent character, at the largest limit and width.
fn kwic_burst(s: &Server) -> Vec<JoinHandle<()>> {
    let comma = enc("，");
    let mut jobs = Vec::new();
    for sort in ["left", "left", "left", "right", "right"] {
        let path = format!("/api/kwic?term={comma}&sort={sort}&limit={MAX_KWIC_LINES}&width=200");
        jobs.push(spawn_check(s, path, |path, status, json| {
            assert_eq!(status, 200, "{path}: {json}");
            assert_eq!(lines(json), MAX_KWIC_LINES, "{path}: lines");
            assert!(json["total"].as_u64().unwrap() > 10 * MAX_KWIC_LINES as u64, "{path}");
        }));
    }
    jobs
}

/// Trends by speech of the most frequent word: at the largest limit, the default one and a
/// small one (whose rows must be the top of the full list).
fn trend_burst(s: &Server) -> Vec<JoinHandle<()>> {
    let de = enc("的");
    let mut jobs = Vec::new();
    for _ in 0..3 {
        let path =
            format!("/api/trend?terms={de},{}&by=speech&limit={MAX_TREND_GROUPS}", enc("发展"));
        jobs.push(spawn_check(s, path, |path, status, json| {
            assert_eq!(status, 200, "{path}: {json}");
            assert!(groups(json) <= MAX_TREND_GROUPS, "{path}");
            assert_eq!(json["total_groups"].as_u64(), Some(groups(json) as u64), "{path}");
            assert_eq!(json["truncated"], false, "{path}");
        }));
    }
    jobs.push(spawn_check(s, format!("/api/trend?terms={de}&by=speech"), |path, status, json| {
        assert_eq!(status, 200, "{path}: {json}");
        assert!(groups(json) <= DEFAULT_TREND_GROUPS, "{path}");
    }));
    let (agent, addr) = (s.agent.clone(), s.addr.clone());
    jobs.push(spawn_check(
        s,
        format!("/api/trend?terms={de}&by=speech&limit=7"),
        move |p, st, json| {
            assert_eq!(st, 200, "{p}: {json}");
            assert_eq!(groups(json), 7, "{p}: the limit cuts the rows");
            assert_eq!(json["truncated"], true, "{p}");
            // The rows kept are those with the most occurrences (ties: the first in natural
            // order), still listed in natural order; totals and peak count every row.
            let (_, all) = get(&agent, &addr, &format!("/api/trend?terms={}&by=speech", enc("的")));
            let rows = all["groups"].as_array().unwrap();
            assert_eq!(json["total_groups"].as_u64(), Some(rows.len() as u64), "{p}");
            let count = |g: &Value| g["terms"]["的"]["count"].as_u64().unwrap();
            let mut best: Vec<usize> = (0..rows.len()).collect();
            best.sort_by_key(|&i| (std::cmp::Reverse(count(&rows[i])), i));
            best.truncate(7);
            best.sort_unstable();
            let expected: Vec<&Value> = best.iter().map(|&i| &rows[i]).collect();
            let kept: Vec<&Value> = json["groups"].as_array().unwrap().iter().collect();
            assert_eq!(kept, expected, "{p}");
            for field in ["totals", "peak", "first_seen", "last_seen", "docs", "chars"] {
                assert_eq!(json[field], all[field], "{p}: {field}");
            }
        },
    ));
    jobs
}

/// Result pages at their largest, a comparison (which loads jieba), and requests past the
/// limits.
fn other_burst(s: &Server) -> Vec<JoinHandle<()>> {
    let (comma, de) = (enc("，"), enc("的"));
    let mut jobs = Vec::new();
    for _ in 0..2 {
        let path = format!("/api/search?q={de}&limit=100&snippets=10&width=400");
        jobs.push(spawn_check(s, path, |path, status, json| {
            assert_eq!(status, 200, "{path}: {json}");
            assert!(json["results"].as_array().unwrap().len() <= 100, "{path}");
        }));
    }
    let path = format!("/api/compare?a={}&b={}&limit=200", enc("year:2020.."), enc("year:..2019"));
    jobs.push(spawn_check(s, path, |path, status, json| {
        assert_eq!(status, 200, "{path}: {json}");
        assert!(json["over_a"].as_array().unwrap().len() <= 200, "{path}");
    }));
    // Past the limits: refused, not served.
    for path in [
        format!("/api/kwic?term={comma}&sort=left&limit={}", MAX_KWIC_LINES + 1),
        format!("/api/kwic?term={comma}&sort=left&width=201"),
        format!("/api/trend?terms={de}&by=speech&limit={}", MAX_TREND_GROUPS + 1),
    ] {
        jobs.push(spawn_check(s, path, |path, status, json| {
            assert_eq!(status, 400, "{path}: {json}");
        }));
    }
    jobs
}

/// Clients that ask for a large answer and never read it: held until the end of the test.
fn non_readers(addr: &str, n: usize) -> Vec<TcpStream> {
    let request = format!(
        "GET /api/kwic?term={}&limit={MAX_KWIC_LINES}&width=200 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        enc("，")
    );
    (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(request.as_bytes()).unwrap();
            s
        })
        .collect()
}

/// Only loopback names are answered when the server is bound to a loopback address.
fn hosts_are_checked(addr: &str) {
    let ask = |host: Option<&str>, version: &str| {
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        raw(addr, &format!("GET /healthz {version}\r\n{host}Connection: close\r\n\r\n"))
    };
    let port = addr.rsplit(':').next().unwrap();
    for host in ["127.0.0.1", &format!("127.0.0.1:{port}"), "localhost", "LocalHost:80", "[::1]"] {
        assert_eq!(ask(Some(host), "HTTP/1.1").0, 200, "Host: {host}");
    }
    for host in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost:x", ""] {
        let (status, body) = ask(Some(host), "HTTP/1.1");
        assert_eq!(status, 421, "Host: {host:?}: {body}");
        let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert!(json["error"].as_str().is_some_and(|e| e.contains("localhost")), "{json}");
    }
    assert_eq!(ask(None, "HTTP/1.0").0, 421, "a request without a Host is refused");
}

#[test]
fn hostile_clients_get_bounded_answers_stalled_ones_are_closed_and_memory_stays_bounded() {
    let Some(corpus) = shared_corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    index_corpus(&corpus, &index);
    let s = serve(&index);
    let started = Instant::now();

    hosts_are_checked(&s.addr);
    // Request heads: 64 KiB at most, however they arrive.
    let head = |pad: usize| {
        let pad = "a".repeat(pad);
        format!(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: {pad}\r\nConnection: close\r\n\r\n"
        )
    };
    assert_eq!(raw(&s.addr, &head(60_000)).0, 200);
    assert_eq!(raw(&s.addr, &head(70_000)).0, 431);

    // Stalled request heads, some after 30 KB of headers.
    let t0 = Instant::now();
    let mut stalled: Vec<TcpStream> =
        (0..40).map(|i| stalled(&s.addr, if i % 4 == 0 { 30_000 } else { 10 })).collect();
    // Meanwhile, normal clients are served, and the hostile burst starts.
    assert_eq!(get(&s.agent, &s.addr, "/healthz").0, 200);
    let served_at = Instant::now();
    let burst = hostile_burst(&s);
    let _non_readers = non_readers(&s.addr, 8);

    // The stalled connections are closed after the header timeout, not before.
    let mut closed = Vec::new();
    for conn in &mut stalled {
        let at = closed_at(conn, HEADER_TIMEOUT + Duration::from_secs(60)).unwrap_or_else(|| {
            panic!("a stalled connection is still open {:?} after it stalled", t0.elapsed())
        });
        closed.push(at);
    }
    let first = closed.iter().min().unwrap();
    assert!(
        first.duration_since(t0) >= HEADER_TIMEOUT - Duration::from_secs(1),
        "stalled connections closed after {:?}: before the timeout",
        first.duration_since(t0)
    );
    assert!(served_at < *first, "a normal client was served while stalled ones were held");
    eprintln!(
        "40 stalled connections closed {:.1}–{:.1} s after they stalled",
        first.duration_since(t0).as_secs_f64(),
        closed.iter().max().unwrap().duration_since(t0).as_secs_f64()
    );

    for job in burst {
        job.join().unwrap_or_else(|_| panic!("a hostile request failed; stderr:\n{}", s.stderr()));
    }
    assert_eq!(get(&s.agent, &s.addr, "/healthz").0, 200, "still serving after the burst");

    if let Some(peak) = peak_mb(&s) {
        eprintln!(
            "peak memory {peak} MB after the hostile sequence ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        assert!(peak <= PEAK_RSS_LIMIT_MB, "peak memory {peak} MB > {PEAK_RSS_LIMIT_MB} MB");
    }

    sigterm_stops_it_with_a_stalled_client(s);
}

/// SIGTERM with a client stalled in its head (and the clients that never read): the server
/// stops within seconds, cleanly.
fn sigterm_stops_it_with_a_stalled_client(mut s: Server) {
    let _held = stalled(&s.addr, 10);
    std::thread::sleep(Duration::from_millis(200));
    let sent = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM; stderr:\n{}",
            s.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = sent.elapsed();
    eprintln!("stopped {:.2} s after SIGTERM with a stalled client", took.as_secs_f64());
    assert!(status.success(), "exit status {status}; stderr:\n{}", s.stderr());
    // The grace for requests in progress is 5 s; the stalled client is closed at once.
    assert!(took < Duration::from_secs(15), "took {took:?} to stop");
    std::thread::sleep(Duration::from_millis(100));
    assert!(s.stderr().contains("stopped"), "{}", s.stderr());
}
