//! `speechdex serve`: the JSON API and the web page (see [`speechdex_server`]).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use speechdex::index::CacheOptions;
use speechdex_server::{LiveIndex, ServerOptions, serve};

use crate::ExitStatus;
use crate::args::{GlobalArgs, ServeArgs};
use crate::config::open_index;
use crate::terminal::eprintln_msg;

/// Runs `speechdex serve` until Ctrl-C or SIGTERM.
pub fn run(global: &GlobalArgs, args: &ServeArgs) -> Result<ExitStatus> {
    // Half for phrase counts, half for decoded speeches of result pages.
    let cache_bytes = usize::try_from(args.cache_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    let caches =
        CacheOptions { phrase_count_bytes: cache_bytes / 2, speech_bytes: cache_bytes / 2 };
    // Requests run side by side (one per core by default): each query's matching stays on
    // its own thread.
    let index = open_index(global)?.with_caches(caches).with_match_threads(1);
    let live = Arc::new(LiveIndex::new(index));
    let mut opts = ServerOptions {
        timeout: Duration::from_secs(args.timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        log: Arc::new(eprintln_msg),
        ..ServerOptions::default()
    };
    if let Some(jobs) = args.jobs {
        opts.max_jobs = usize::try_from(jobs).unwrap_or(usize::MAX);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server runtime")?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr.as_str())
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        announce(&format!("listening on http://{addr}"))?;
        if !addr.ip().is_loopback() {
            eprintln_msg(&format!(
                "warning: serving on {addr}, reachable from other machines; the server has no \
                 authentication (and answers requests for any host name)"
            ));
        }
        eprintln_msg(&format!("serving the index in {} (Ctrl-C stops)", live.root().display()));
        serve(listener, live, opts, shutdown()).await?;
        Ok(ExitStatus::Success)
    });
    // A search still running after the grace period (it cannot be interrupted) must not keep
    // the process alive: its answer would go nowhere.
    runtime.shutdown_timeout(Duration::from_millis(500));
    if result.is_ok() {
        eprintln_msg("stopped");
    }
    result
}

/// Prints the first line (read by scripts and tests to learn the port) and flushes it.
fn announce(line: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
