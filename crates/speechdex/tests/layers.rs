//! The dependency rule of ARCHITECTURE.md, checked on the source: data flows one way,
//! corpus → analysis → index → search → stats → output, and a module never names one of a later
//! stage (comments and doc links aside). The library never uses clap or the server. And the map
//! stays complete: ARCHITECTURE.md names every source file of the workspace.

use std::path::{Path, PathBuf};

/// The stages in order; a module may use its own and earlier ones.
const LAYERS: [&str; 6] = ["corpus", "analysis", "index", "search", "stats", "output"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading the source folder") {
        let path = entry.expect("reading a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (line comments and doc comments).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(n, line)| {
        let code = line.split("//").next().unwrap_or("");
        (!code.trim().is_empty()).then_some((n + 1, code))
    })
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (level, layer) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "no source files under src/{layer}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("reading a source file");
            for (n, code) in code_lines(&text) {
                for later in &LAYERS[level + 1..] {
                    if code.contains(&format!("crate::{later}")) {
                        found.push(format!("{}:{n}: {layer} uses {later}", file.display()));
                    }
                }
                for foreign in ["clap::", "speechdex_server", "anyhow::"] {
                    if code.contains(foreign) {
                        found.push(format!("{}:{n}: the library uses {foreign}", file.display()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_later_stage() {
    let found = violations();
    assert!(
        found.is_empty(),
        "dependency rule broken (see ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_comments_apart_from_code() {
    let text = "//! see [`crate::search`]\nuse crate::search::x; // crate::stats\n";
    let lines: Vec<_> = code_lines(text).collect();
    assert_eq!(lines, vec![(2, "use crate::search::x; ")]);
}

#[test]
fn the_architecture_map_names_every_source_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut files = Vec::new();
    for dir in
        ["crates/speechdex/src", "crates/speechdex-server/src", "crates/speechdex-bench/src", "src"]
    {
        rust_files(&root.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str())
        .filter(|name| !["mod.rs", "lib.rs", "main.rs"].contains(name))
        .filter(|name| !map.contains(&format!("{name}`")) && !map.contains(&format!("/{name}")))
        .map(str::to_string)
        .collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md does not mention: {}", missing.join(", "));
}
