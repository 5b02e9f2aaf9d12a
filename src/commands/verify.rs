//! `speechdex verify`: does a quotation occur, where, and verbatim?

use std::io::Write;

use anyhow::Result;
use speechdex::output;
use speechdex::search::verify::{VerifyRequest, verify};

use crate::ExitStatus;
use crate::args::{GlobalArgs, VerifyArgs};
use crate::config::open_index;
use crate::terminal::use_color;

/// Runs `speechdex verify`: exit status 0 with an exact match, 1 without.
pub fn run(global: &GlobalArgs, args: &VerifyArgs) -> Result<ExitStatus> {
    let index = open_index(global)?;
    let req = VerifyRequest {
        quote: args.quote.join(" "),
        limit: args.limit,
        max_exact: args.max_exact,
        context: args.context,
        max_distance: args.max_distance,
    };
    let result = verify(&index, &req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        output::json::pretty(&mut out, &result)?;
    } else {
        let palette = output::text::Palette::new(use_color(global.color));
        output::verify::human(&mut out, &result, &palette)?;
    }
    out.flush()?;
    Ok(if result.exact_total > 0 { ExitStatus::Success } else { ExitStatus::NoHits })
}
