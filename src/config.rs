//! Resolving arguments into what the library needs: the index folder, and an index that exists
//! (built from `./corpus` on first use of the default location).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use speechdex::corpus::Skip;
use speechdex::index::{BuildOptions, Progress, SpeechIndex};
use speechdex::output::escape::{escape, escape_text};

use crate::args::GlobalArgs;

/// The default index folder.
pub const DEFAULT_INDEX: &str = "index";
/// The default corpus folder.
pub const DEFAULT_CORPUS: &str = "corpus";

/// The index folder the user asked for.
pub fn index_dir(global: &GlobalArgs) -> PathBuf {
    global.index.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX))
}

/// Opens the index; when none exists at the default location and `./corpus` does, builds it
/// first (with a message on stderr), so that a fresh clone's first search works.
pub fn open_index(global: &GlobalArgs) -> Result<SpeechIndex> {
    let dir = index_dir(global);
    match SpeechIndex::open(&dir) {
        Err(speechdex::Error::IndexNotFound { .. })
            if global.index.is_none() && Path::new(DEFAULT_CORPUS).is_dir() =>
        {
            eprintln_msg(&format!(
                "no index yet in ./{DEFAULT_INDEX}: building it from ./{DEFAULT_CORPUS} (once)"
            ));
            let opts =
                BuildOptions { roots: vec![PathBuf::from(DEFAULT_CORPUS)], ..Default::default() };
            let mut progress = TerminalProgress::new(false);
            let summary = speechdex::index::build(&dir, &opts, &mut progress)
                .with_context(|| format!("building the index in {}", dir.display()))?;
            progress.finish();
            eprintln_msg(&format!(
                "indexed {} speeches from {} files in {:.1} s",
                summary.docs,
                summary.files_seen,
                summary.elapsed_ms as f64 / 1000.0
            ));
            Ok(SpeechIndex::open(&dir)?)
        }
        other => Ok(other?),
    }
}

/// Prints the likely slips of a query or of terms on stderr, each with the fix.
pub fn warn_notes(notes: &[speechdex::search::lint::QueryNote]) {
    for note in notes {
        eprintln_msg(&format!("warning: {}\n  did you mean: {}", note.message, note.suggestion));
    }
}

/// Prints a message to stderr, control characters escaped (messages name files and echo data).
#[allow(clippy::print_stderr)]
pub fn eprintln_msg(msg: &str) {
    eprintln!("speechdex: {}", escape_text(msg));
}

/// Progress on stderr: a bar on a terminal, nothing otherwise; warnings for skipped files unless
/// quiet.
pub struct TerminalProgress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl TerminalProgress {
    /// A progress reporter; `quiet` silences bar and warnings.
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg:12} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message("indexing");
            bar
        });
        TerminalProgress { bar, quiet }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for TerminalProgress {
    fn discovered(&mut self, _files: usize, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(bytes);
        }
    }
    fn file_done(&mut self, _path: &str, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
    fn skipped(&mut self, skip: &Skip) {
        if self.quiet {
            return;
        }
        let msg = format!("warning: skipped {}", describe(skip));
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln_msg(&msg)),
            None => eprintln_msg(&msg),
        }
    }
    fn phase(&mut self, phase: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(phase.to_string());
        }
    }
}

/// `path:line` or `path`, control characters escaped.
pub fn location(skip: &Skip) -> String {
    match skip.line {
        Some(line) => format!("{}:{line}", escape(&skip.path)),
        None => escape(&skip.path).into_owned(),
    }
}

/// `path:line: reason`, control characters escaped.
pub fn describe(skip: &Skip) -> String {
    format!("{}: {}", location(skip), escape(&skip.reason))
}
