//! The command line itself: help that teaches, and the README's `cargo run` working.

use crate::common::{bin, stdout};

/// `--help` on each subcommand shows its long explanation, not only the one-line summary
/// (a subcommand's doc comment on the `Command` enum used to override the text set on its
/// arguments struct); `-h` stays short.
#[test]
fn long_help_of_every_subcommand_explains_it() {
    for (cmd, long_text) in [
        ("search", "whatever jieba does with it"),
        ("index", "Incremental by default"),
        ("trend", "rate per 10,000 characters"),
        ("kwic", "Occurrences are exactly those search counts"),
        ("compare", "log-likelihood"),
        ("top", "rate per 10,000"),
        ("serve", "Open the printed address in a browser"),
    ] {
        let head = |flag: &str| {
            let out = bin().args([cmd, flag]).output().unwrap();
            assert!(out.status.success(), "speechdex {cmd} {flag}");
            let text = stdout(&out);
            text[..text.find("Usage:").unwrap()].replace('\n', " ")
        };
        let (long, short) = (head("--help"), head("-h"));
        assert!(
            long.contains(long_text),
            "`speechdex {cmd} --help` lacks its long help ({long_text:?}):\n{long}"
        );
        assert!(!short.contains(long_text), "`speechdex {cmd} -h` is not the short help");
    }
}

/// README's quick start is `cargo run --release -- search …`: with two binaries in the package,
/// that needs `default-run` in Cargo.toml.
#[test]
fn cargo_run_picks_the_speechdex_binary() {
    let manifest: toml::Table =
        toml::from_str(include_str!("../../Cargo.toml")).expect("Cargo.toml parses");
    assert_eq!(
        manifest["package"].get("default-run").and_then(|v| v.as_str()),
        Some("speechdex"),
        "Cargo.toml lacks default-run = \"speechdex\": `cargo run -- search` would fail"
    );
}
