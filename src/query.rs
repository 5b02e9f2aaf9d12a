//! Queries and filters from the command line: the library's parsing and one selection rule
//! ([`speechdex::search::query::selection`], as the server uses it), with query errors shown
//! under the query with a caret.

use anyhow::Result;
use speechdex::output::escape::escape;
use speechdex::search::query::{self, Filters, Node};

use crate::args::{FilterArgs, SelectionArgs};

impl From<&FilterArgs> for Filters {
    fn from(f: &FilterArgs) -> Filters {
        Filters {
            year: f.year,
            from: f.from,
            to: f.to,
            region: f.region.clone(),
            speaker: f.speaker.clone(),
            kind: f.kind.clone(),
        }
    }
}

/// Parses the query and applies the filter flags; query errors show where the problem is.
pub fn parse_query(text: &str, filters: &FilterArgs) -> Result<Node> {
    query::parse_filtered(text, &filters.into()).map_err(|err| explain(text, err))
}

/// The speeches selected by `--where` and the filter flags (`None`: every speech).
pub fn selection(args: &SelectionArgs) -> Result<Option<Node>> {
    let where_ = args.where_.as_deref();
    query::selection(where_, &(&args.filters).into())
        .map_err(|err| explain(where_.unwrap_or(""), err))
}

/// A query error with the query around the problem (a long query is cut) and a caret under it.
fn explain(text: &str, err: speechdex::Error) -> anyhow::Error {
    let speechdex::Error::Query { position, .. } = err else {
        return err.into();
    };
    const AROUND: usize = 40;
    let chars: Vec<char> = text.chars().collect();
    let start = position.saturating_sub(AROUND).min(chars.len());
    let end = position.saturating_add(AROUND).min(chars.len());
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    // Escaped before measuring, so that the caret stands under what is printed.
    let before: String = chars[start..position.clamp(start, end)].iter().collect();
    let shown: String = chars[start..end].iter().collect();
    let (before, shown) = (escape(&before), escape(&shown));
    let before = format!("{}{before}", ellipsis(start > 0));
    let col = unicode_width::UnicodeWidthStr::width(before.as_str());
    anyhow::anyhow!(
        "{err}\n  {}{shown}{}\n  {}^",
        ellipsis(start > 0),
        ellipsis(end < chars.len()),
        " ".repeat(col)
    )
}
