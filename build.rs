//! Links the `speechdex` binary as a position-dependent executable (`-no-pie`).
//!
//! A position-independent executable is relocated by the dynamic loader at every start: the
//! loader writes each pointer of its read-only data (vtables, string tables), touching ~160
//! pages. speechdex is a command line tool that starts once per query, so that cost is paid
//! per query: `speechdex --version` 1.93 → 1.55 ms, `search TERM --count` at 500 MB 3.84 →
//! 3.24 ms (`perf stat -r 100`, docs/benchmarks.md). Only this package's binaries are linked so;
//! libraries, build scripts, proc macros and tests are not.

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let pie = std::env::var_os("SPEECHDEX_LINK_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if target.contains("linux") && target.contains("gnu") && !pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SPEECHDEX_LINK_PIE");
}
