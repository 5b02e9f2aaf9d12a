//! The `speechdex` command: clap arguments → resolved configuration → one library call per
//! subcommand → rendered output. Errors are printed once, with their causes, and map to exit
//! status 2.

mod args;
mod commands;
mod config;
mod fonts;
mod query;
mod terminal;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success (for search: at least one hit).
    Success,
    /// A search found nothing.
    NoHits,
    /// An error.
    Error,
    /// `index --strict`: indexed, but something was skipped.
    Skipped,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::NoHits => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
            ExitStatus::Skipped => ExitCode::from(3),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let tip = negated_term_tip(&err);
            let _ = err.print();
            if let Some(tip) = tip {
                eprintln_tip(&tip);
            }
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match &cli.command {
        Command::Index(a) => commands::index::run(&cli.global, a),
        Command::Search(a) => commands::search::run(&cli.global, a),
        Command::Show(a) => commands::show::run(&cli.global, a),
        Command::Stats(a) => commands::stats::run(&cli.global, a),
        Command::Trend(a) => commands::trend::run(&cli.global, a),
        Command::Kwic(a) => commands::kwic::run(&cli.global, a),
        Command::Compare(a) => commands::compare::run(&cli.global, a),
        Command::Diff(a) => commands::diff::run(&cli.global, a),
        Command::Top(a) => commands::top::run(&cli.global, a),
        Command::Serve(a) => commands::serve::run(&cli.global, a),
        Command::Verify(a) => commands::verify::run(&cli.global, a),
        Command::Ngrams(a) => commands::ngrams::run(&cli.global, a),
        Command::Collocates(a) => commands::collocates::run(&cli.global, a),
    };
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            // Errors name files and echo data: control characters are escaped.
            let escape = |e: String| speechdex::output::escape::escape_text(&e).into_owned();
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "speechdex: error: {}", escape(err.to_string()));
            for cause in err.chain().skip(1) {
                let _ = write!(stderr, "\n  caused by: {}", escape(cause.to_string()));
            }
            let _ = writeln!(stderr);
            ExitStatus::Error.into()
        }
    }
}

/// `search -人工智能`: clap takes `-人工智能` for an option. No option starts with a non-ASCII
/// character, so the user meant an excluded term: say how to write it.
fn negated_term_tip(err: &clap::Error) -> Option<String> {
    if err.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let term = args
        .iter()
        .find(|a| a.starts_with('-') && a.chars().nth(1).is_some_and(|c| !c.is_ascii()))?;
    let rest: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let command = rest.first().copied().unwrap_or("search");
    let others: Vec<&str> = rest.iter().skip(1).copied().collect();
    Some(
        format!(
            "to exclude {:?}, put `--` before the query: speechdex {command} -- {term} {}",
            &term[1..],
            others.join(" ")
        )
        .trim_end()
        .to_string(),
    )
}

#[allow(clippy::print_stderr)]
fn eprintln_tip(tip: &str) {
    eprintln!("\ntip: {tip}");
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
