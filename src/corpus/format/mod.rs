//! Input formats: which extension is read how, and the reading of one file into speeches.
//!
//! This module owns the dispatch from a file's extension to its reader, and what every reader
//! shares: the file's context (its relative path, the base of ids) and how a skipped file or
//! record is recorded. Each reader is a submodule with one `read` function taking the decoded
//! text; [`template`] is a documented starting point for a new format.

pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod jsonl;
pub(crate) mod template;
pub(crate) mod text;

use std::path::Path;

use super::{FileRead, ReadOptions, Skip, SourceFile, encoding};

/// The extensions speechdex reads (lower case; matched case-insensitively).
pub const SUPPORTED_EXTENSIONS: &[&str] =
    &["txt", "md", "markdown", "jsonl", "ndjson", "json", "csv", "tsv"];

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Plain text or Markdown, one speech a file, optional front matter.
    Text,
    /// JSON Lines, one speech a line.
    Jsonl,
    /// A JSON array of speeches, or one speech.
    Json,
    /// Comma- or tab-separated values with a header row, one speech a row.
    Delimited(u8),
}

impl Format {
    /// The format of a file, from its extension (case-insensitive).
    pub(crate) fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "md" | "markdown" => Format::Text,
            "jsonl" | "ndjson" => Format::Jsonl,
            "json" => Format::Json,
            "csv" => Format::Delimited(b','),
            "tsv" => Format::Delimited(b'\t'),
            _ => return None,
        })
    }

    /// Reads the decoded text of one file.
    pub(crate) fn read(self, ctx: &FileContext<'_>, text: &str, out: &mut FileRead) {
        match self {
            Format::Text => text::read(ctx, text, out),
            Format::Jsonl => jsonl::read(ctx, text, out),
            Format::Json => json::read(ctx, text, out),
            Format::Delimited(delimiter) => csv::read(ctx, text, delimiter, out),
        }
    }
}

/// What a reader knows about the file it reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileContext<'a> {
    /// Path relative to the corpus root, `/`-separated: the base of ids.
    pub(crate) rel: &'a str,
}

impl FileContext<'_> {
    /// The id of the `n`-th record of a multi-record file.
    pub(crate) fn record_id(&self, n: u64) -> String {
        format!("{}:{n}", self.rel)
    }

    /// Records a skipped record (`line: Some`) or file (`line: None`).
    pub(crate) fn skip(&self, out: &mut FileRead, line: Option<u64>, reason: impl Into<String>) {
        out.skipped.push(Skip { path: self.rel.to_owned(), line, reason: reason.into() });
    }
}

/// Reads one file found by [`discover`](super::discover) into speeches.
///
/// Never fails as a whole: a file that cannot be opened, decoded or parsed is returned as one
/// [`Skip`] (line `None`), and single bad records of a multi-record file as skips with their line.
/// The same file always gives the same speeches in the same order.
pub fn read_file(file: &SourceFile, opts: &ReadOptions) -> FileRead {
    let mut out = FileRead::default();
    let ctx = FileContext { rel: &file.rel };
    let Some(format) = Format::from_path(&file.abs) else {
        let reason = format!(
            "unsupported file type (supported extensions: {})",
            SUPPORTED_EXTENSIONS.join(", ")
        );
        ctx.skip(&mut out, None, reason);
        return out;
    };
    let bytes = match std::fs::read(&file.abs) {
        Ok(bytes) => bytes,
        Err(err) => {
            ctx.skip(&mut out, None, format!("cannot read file: {err}"));
            return out;
        }
    };
    let text = match encoding::decode(&bytes, opts.encoding) {
        Ok((text, _)) => text,
        Err(reason) => {
            ctx.skip(&mut out, None, reason);
            return out;
        }
    };
    drop(bytes);
    if text.trim().is_empty() {
        ctx.skip(&mut out, None, "empty file");
        return out;
    }
    format.read(&ctx, &text, &mut out);
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the format readers' tests.

    use super::{FileContext, FileRead, Format};

    /// Reads `text` as the file `rel` (format from its extension).
    pub(crate) fn read_str(rel: &str, text: &str) -> FileRead {
        let mut out = FileRead::default();
        let format = Format::from_path(std::path::Path::new(rel));
        if let Some(format) = format {
            format.read(&FileContext { rel }, text, &mut out);
        }
        out
    }
}
