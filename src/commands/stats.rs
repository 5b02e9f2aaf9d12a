//! `speechdex stats`: what the index holds.

use anyhow::Result;

use crate::ExitStatus;
use crate::args::{GlobalArgs, StatsArgs};
use crate::config::open_index;

/// Runs `speechdex stats`.
pub fn run(global: &GlobalArgs, args: &StatsArgs) -> Result<ExitStatus> {
    let index = open_index(global)?;
    if let Some(name) = &args.missing {
        let field = speechdex::corpus::Field::from_name(name).map_err(anyhow::Error::msg)?;
        let missing = speechdex::stats::missing(&index, field)?;
        let mut out = std::io::stdout().lock();
        if args.json {
            speechdex::output::json::pretty(&mut out, &missing)?;
        } else {
            speechdex::output::table::missing(&mut out, &missing)?;
        }
        return Ok(ExitStatus::Success);
    }
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
