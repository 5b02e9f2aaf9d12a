//! What the command prints besides its data: colour, messages and warnings on stderr, the
//! progress bar of indexing, skipped files. Everything from the data is escaped first.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use speechdex::corpus::Skip;
use speechdex::index::Progress;
use speechdex::output::escape::{escape, escape_text};

use crate::args::ColorChoice;

/// Whether to colour stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// The columns human output should fit in: `COLUMNS` when it holds a number (at least 40),
/// else the width of the terminal when standard output is one; `None` (no limit) when the
/// output goes to a pipe or a file.
pub fn width() -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        return Some(cols.max(40));
    }
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
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
