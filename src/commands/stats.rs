//! `speechdex stats`: what the index holds.

use anyhow::Result;

use crate::ExitStatus;
use crate::args::{GlobalArgs, StatsArgs};
use crate::config::open_index;

/// Runs `speechdex stats`.
pub fn run(global: &GlobalArgs, args: &StatsArgs) -> Result<ExitStatus> {
    let index = open_index(global)?;
    let mut overview = speechdex::stats::overview(&index)?;
    if args.space {
        overview.space = Some(speechdex::stats::space_usage(&index)?);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        speechdex::output::json::pretty(&mut out, &overview)?;
    } else {
        speechdex::output::table::overview(&mut out, &overview)?;
    }
    Ok(ExitStatus::Success)
}
