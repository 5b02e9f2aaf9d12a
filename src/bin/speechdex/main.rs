//! The `speechdex` command: clap arguments → resolved configuration → one library call per
//! subcommand → rendered output. Errors are printed once, with their causes, and map to exit
//! status 2.

mod args;
mod commands;
mod config;

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
    let cli = Cli::parse();
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
    };
    match result {
        Ok(status) => status.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "speechdex: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = write!(stderr, "\n  caused by: {cause}");
            }
            let _ = writeln!(stderr);
            ExitStatus::Error.into()
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
