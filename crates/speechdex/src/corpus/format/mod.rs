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

use super::fields::{ALIASES, Field, FieldMap, NO_MAP};
use super::meta::MetaTable;
use super::{FileRead, ReadOptions, Skip, SourceFile, Speech, encoding};

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

    /// Whether the format has one record a line or row, so that malformed bytes cost only the
    /// records that hold them.
    fn has_line_records(self) -> bool {
        matches!(self, Format::Jsonl | Format::Delimited(_))
    }

    /// Reads the decoded text of one file.
    pub(crate) fn read(self, ctx: &FileContext<'_>, text: &str, out: &mut Records<'_>) {
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
    /// The file's encoding.
    pub(crate) encoding: &'static encoding_rs::Encoding,
    /// Malformed byte sequences, replaced by U+FFFD in the text, sorted by offset. Only the
    /// readers of line- or row-based formats see any: they skip the records that hold one.
    pub(crate) damage: &'a [encoding::Damage],
    /// The user's mapping of fields to keys.
    pub(crate) fields: &'a FieldMap,
}

impl<'a> FileContext<'a> {
    /// A context for clean text, without a field mapping.
    pub(crate) fn clean(rel: &'a str) -> FileContext<'a> {
        FileContext { rel, encoding: encoding_rs::UTF_8, damage: &[], fields: &NO_MAP }
    }

    /// Why the record spanning `text[start..end]` cannot be read because of malformed bytes, if
    /// it holds any.
    pub(crate) fn damage_in(&self, start: usize, end: usize) -> Option<String> {
        let i = self.damage.partition_point(|d| d.text_offset < start);
        let damage = self.damage.get(i).filter(|d| d.text_offset < end)?;
        Some(encoding::Decoded::reason(self.encoding, *damage))
    }

    /// The id of the `n`-th record of a multi-record file.
    pub(crate) fn record_id(&self, n: u64) -> String {
        format!("{}:{n}", self.rel)
    }

    /// Records a skipped record (`line: Some`) or file (`line: None`).
    pub(crate) fn skip(&self, out: &mut Records<'_>, line: Option<u64>, reason: impl Into<String>) {
        out.skipped.push(Skip { path: self.rel.to_owned(), line, reason: reason.into() });
    }
}

/// Where a reader puts what it reads: each speech goes to a sink as soon as it is read (a big
/// JSONL file is never held as a list of speeches), skips are kept.
pub(crate) struct Records<'s> {
    sink: &'s mut dyn FnMut(Speech),
    /// The largest speech handed over, in bytes of text; longer ones become skips.
    max_speech_bytes: u64,
    /// Speeches given to the sink so far.
    pub(crate) speeches: usize,
    /// Files or records that could not be read.
    pub(crate) skipped: Vec<Skip>,
    /// The records without a text key so far: where their skips are in `skipped`, the keys
    /// they had (first seen first), and the key to suggest as the text.
    no_text: Vec<usize>,
    no_text_keys: Vec<String>,
    no_text_suggestion: Option<String>,
    /// The overrides of the metadata files, applied to each speech before it is handed over.
    meta: Option<&'s MetaTable>,
}

/// Why a record of a multi-record file has no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoText {
    /// A text key was given, but blank.
    Blank,
    /// No key named the text: the record's keys, and the one most likely to hold the text
    /// (a key that names no field).
    Missing { keys: Vec<String>, suggestion: Option<String> },
}

impl<'s> Records<'s> {
    fn new(sink: &'s mut dyn FnMut(Speech), max_speech_bytes: u64) -> Records<'s> {
        Records {
            sink,
            max_speech_bytes,
            speeches: 0,
            skipped: Vec::new(),
            no_text: Vec::new(),
            no_text_keys: Vec::new(),
            no_text_suggestion: None,
            meta: None,
        }
    }

    /// Records a record without text (`what` names it: "" for a line, "element 3: " for an
    /// element of a JSON array). The first one of a file says how to name the text key; if no
    /// record of the file has text, [`Records::finish_no_text`] reports the file once instead.
    pub(crate) fn no_text(
        &mut self,
        ctx: &FileContext<'_>,
        line: Option<u64>,
        what: &str,
        why: NoText,
    ) {
        let (keys, suggestion) = match why {
            NoText::Blank => {
                return ctx.skip(self, line, format!("{what}no text (the text is blank)"));
            }
            NoText::Missing { keys, suggestion } => (keys, suggestion),
        };
        let mut reason = format!("{what}no text (keys: {})", list(&keys));
        if self.no_text.is_empty() {
            reason.push_str(&format!("; {}", map_hint("key", suggestion.as_deref())));
        }
        for key in keys {
            if !self.no_text_keys.contains(&key) {
                self.no_text_keys.push(key);
            }
        }
        if self.no_text_suggestion.is_none() {
            self.no_text_suggestion = suggestion;
        }
        self.no_text.push(self.skipped.len());
        ctx.skip(self, line, reason);
    }

    /// Ends a file: when records lacked a text key and no record gave a speech, their skips
    /// become one skip of the file, with the keys seen and how to name the text key.
    pub(crate) fn finish_no_text(&mut self, ctx: &FileContext<'_>) {
        if self.no_text.is_empty() || self.speeches > 0 {
            return;
        }
        let count = self.no_text.len();
        let mut i = 0usize;
        let no_text = std::mem::take(&mut self.no_text);
        self.skipped.retain(|_| {
            i += 1;
            !no_text.contains(&(i - 1))
        });
        let reason = format!(
            "no text in any of its {count} records (keys: {}); {}",
            list(&self.no_text_keys),
            map_hint("key", self.no_text_suggestion.as_deref())
        );
        ctx.skip(self, None, reason);
    }

    /// Hands one speech to the sink, or records it as skipped when its text is longer than the
    /// limit of one speech (with its line for a record, none for a one-speech file).
    pub(crate) fn speech(&mut self, speech: Speech) {
        let len = speech.body.len() as u64;
        if len > self.max_speech_bytes {
            let reason = too_long("speech", len, self.max_speech_bytes);
            self.skipped.push(Skip { path: speech.path, line: speech.line, reason });
            return;
        }
        self.speeches += 1;
        let mut speech = speech;
        if let Some(meta) = self.meta {
            meta.apply(&mut speech);
        }
        (self.sink)(speech);
    }

    /// Runs `read` with records collected into a [`FileRead`].
    pub(crate) fn collect(max_speech_bytes: u64, read: impl FnOnce(&mut Records<'_>)) -> FileRead {
        let mut speeches = Vec::new();
        let mut push = |s: Speech| speeches.push(s);
        let mut records = Records::new(&mut push, max_speech_bytes);
        read(&mut records);
        let skipped = records.skipped;
        FileRead { speeches, skipped }
    }
}

/// At most this many keys are listed in a message.
const LISTED_KEYS: usize = 20;

/// Keys as a comma-separated list, cut after [`LISTED_KEYS`].
pub(crate) fn list(keys: &[String]) -> String {
    let mut shown: Vec<&str> = keys.iter().take(LISTED_KEYS).map(String::as_str).collect();
    if keys.len() > LISTED_KEYS {
        shown.push("…");
    }
    shown.join(", ")
}

/// How to name the text `what` ("key", "column"): `--map text=KEY` with the likely key, and
/// the names recognised without a mapping.
pub(crate) fn map_hint(what: &str, suggestion: Option<&str>) -> String {
    let key = match suggestion {
        Some(key) if key.chars().all(|c| c.is_alphanumeric() || c == '_') => key.to_owned(),
        Some(key) => format!("'{}'", key.replace('\'', "'\\''")),
        None => "KEY".to_owned(),
    };
    let known: Vec<&str> =
        ALIASES.iter().filter(|(_, f)| *f == Field::Text).map(|(name, _)| *name).collect();
    format!(
        "name the text {what} with --map text={key} or in speechdex.toml (text {what}s \
         recognised: {})",
        known.join(", ")
    )
}

/// Reads one file found by [`discover`](super::discover) into speeches.
///
/// Never fails as a whole: a file that cannot be opened, decoded or parsed is returned as one
/// [`Skip`] (line `None`), and single bad records of a multi-record file as skips with their line.
/// Malformed bytes in a JSONL or CSV/TSV file skip only the lines or rows that hold them; in other
/// formats they skip the file. A file always gives at least one speech or one skip, and the same
/// file always gives the same speeches in the same order.
pub fn read_file(file: &SourceFile, opts: &ReadOptions) -> FileRead {
    let mut speeches = Vec::new();
    let skipped = read_file_each(file, opts, &mut |s| speeches.push(s));
    FileRead { speeches, skipped }
}

/// Reads one file like [`read_file`], handing each speech to `each` as soon as it is read instead
/// of collecting them (the indexer holds one speech of a big JSONL file at a time, not all of
/// them); returns what was skipped. `each` sees the speeches in the order [`read_file`] returns
/// them.
pub fn read_file_each(
    file: &SourceFile,
    opts: &ReadOptions,
    each: &mut dyn FnMut(Speech),
) -> Vec<Skip> {
    let mut out = Records::new(each, opts.max_speech_bytes);
    out.meta = opts.fields.meta();
    let Some(format) = Format::from_path(&file.abs) else {
        let reason = format!(
            "unsupported file type (supported extensions: {})",
            SUPPORTED_EXTENSIONS.join(", ")
        );
        FileContext::clean(&file.rel).skip(&mut out, None, reason);
        return out.skipped;
    };
    // A one-speech file of more than twice the limit cannot decode to a speech within it (no
    // encoding takes more than two bytes for one byte of UTF-8): skip it without reading it.
    if format == Format::Text
        && let Ok(meta) = std::fs::metadata(&file.abs)
        && meta.len() / 2 > opts.max_speech_bytes
    {
        let reason = too_long("file", meta.len(), opts.max_speech_bytes);
        FileContext::clean(&file.rel).skip(&mut out, None, reason);
        return out.skipped;
    }
    if format == Format::Jsonl && opts.encoding.is_none() && stream_jsonl(file, opts, &mut out) {
        return out.skipped;
    }
    match read_limited(&file.abs) {
        Ok(bytes) => {
            // The bytes are decoded in place when they are UTF-8, and dropped as soon as they
            // are decoded otherwise: a big file is not held twice.
            match encoding::decode_tolerant_owned(bytes, opts.encoding) {
                Ok(decoded) => parse(&file.rel, format, &decoded, &opts.fields, &mut out),
                Err(reason) => FileContext::clean(&file.rel).skip(&mut out, None, reason),
            }
        }
        Err(reason) => FileContext::clean(&file.rel).skip(&mut out, None, reason),
    }
    out.skipped
}

/// Reads a JSON Lines file of plain UTF-8 a line at a time ([`jsonl::read_stream`]): memory
/// does not grow with the file, and no file-size limit applies. Returns false, having read
/// nothing, when the file is not plain UTF-8 (a byte-order mark, another encoding, malformed or
/// NUL bytes): it is then read whole, where the encoding is detected and damage located.
fn stream_jsonl(file: &SourceFile, opts: &ReadOptions, out: &mut Records<'_>) -> bool {
    use std::io::Seek;
    let ctx = FileContext { fields: &opts.fields, ..FileContext::clean(&file.rel) };
    let max_speech_bytes = opts.max_speech_bytes;
    let cannot = |err: std::io::Error| format!("cannot read file: {err}");
    let mut handle = match open_regular(&file.abs) {
        Ok(handle) => handle,
        Err(reason) => {
            ctx.skip(out, None, reason);
            return true;
        }
    };
    match encoding::is_plain_utf8(&mut handle) {
        Ok(true) => {}
        Ok(false) => return false,
        Err(err) => {
            ctx.skip(out, None, cannot(err));
            return true;
        }
    }
    if let Err(err) = handle.rewind() {
        ctx.skip(out, None, cannot(err));
        return true;
    }
    // A JSON string may escape each character as \uXXXX (6 bytes for 3 of UTF-8): a line of
    // twice the limit can still hold a speech within it.
    let max_line = usize::try_from(max_speech_bytes.saturating_mul(2).saturating_add(1 << 20))
        .unwrap_or(usize::MAX);
    let mut reader = std::io::BufReader::with_capacity(1 << 20, handle);
    match jsonl::read_stream(&ctx, &mut reader, max_line, out) {
        Ok(true) => {
            if out.speeches == 0 && out.skipped.is_empty() {
                ctx.skip(out, None, "no speeches in the file (no records, or only blank ones)");
            }
        }
        Ok(false) => ctx.skip(out, None, "empty file"),
        // What was read is kept; the file as a whole is reported, so that an update keeps
        // what the index had from it.
        Err(err) => ctx.skip(out, None, cannot(err)),
    }
    true
}

/// Opens a regular file; `Err` is the reason to skip it. Only regular files are opened: opening
/// a named pipe would block until a writer comes (the walk lists regular files only, but the
/// file may have been replaced since).
fn open_regular(path: &Path) -> Result<std::fs::File, String> {
    let cannot = |err: std::io::Error| format!("cannot read file: {err}");
    let not_regular = || "not a regular file (a named pipe, device or socket?)".to_owned();
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// Why a file or speech of `bytes` is skipped under the limit `max` (bytes).
fn too_long(what: &str, bytes: u64, max: u64) -> String {
    let mb = |b: u64| b as f64 / f64::from(1 << 20);
    format!(
        "{what} of {:.1} MiB is larger than the limit of {:.1} MiB for one speech: split it into \
         speeches, or raise the limit with `speechdex index --max-speech-mb`",
        mb(bytes),
        mb(max)
    )
}

/// The largest file speechdex reads whole (1 GiB): a bigger one is skipped without being read,
/// so that a huge or sparse file cannot exhaust memory. JSON Lines files of plain UTF-8 are read a
/// line at a time instead and have no such limit.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Reads a regular file of at most [`MAX_FILE_BYTES`]; `Err` is the reason to skip it.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |err: std::io::Error| format!("cannot read file: {err}");
    let too_large = |len: u64| {
        format!(
            "file too large: {} MB (speechdex reads files up to {} MB, JSON Lines files of \
             UTF-8 of any size; split it into smaller files)",
            len.div_ceil(1 << 20),
            MAX_FILE_BYTES >> 20
        )
    };
    let before = std::fs::metadata(path).map_err(cannot)?;
    if before.is_file() && before.len() > MAX_FILE_BYTES {
        return Err(too_large(before.len()));
    }
    let file = open_regular(path)?;
    let len = file.metadata().map_err(cannot)?.len();
    let capacity = usize::try_from(len.min(MAX_FILE_BYTES)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    // The file may grow while it is read: never read more than the limit.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads the bytes of a file named `rel` (relative to its corpus root, `/`-separated; its
/// extension decides the format) as [`read_file`] reads a file on disk.
pub fn read_bytes(rel: &str, bytes: &[u8], opts: &ReadOptions) -> FileRead {
    let mut read =
        Records::collect(opts.max_speech_bytes, |out| match Format::from_path(Path::new(rel)) {
            Some(format) => {
                if let Some(decoded) = decode_or_skip(rel, bytes, opts, out) {
                    parse(rel, format, &decoded, &opts.fields, out);
                }
            }
            None => FileContext::clean(rel).skip(
                out,
                None,
                format!(
                    "unsupported file type (supported extensions: {})",
                    SUPPORTED_EXTENSIONS.join(", ")
                ),
            ),
        });
    if let Some(meta) = opts.fields.meta() {
        read.speeches.iter_mut().for_each(|s| meta.apply(s));
    }
    read
}

fn decode_or_skip(
    rel: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    out: &mut Records<'_>,
) -> Option<encoding::Decoded> {
    match encoding::decode_tolerant(bytes, opts.encoding) {
        Ok(decoded) => Some(decoded),
        Err(reason) => {
            FileContext::clean(rel).skip(out, None, reason);
            None
        }
    }
}

fn parse(
    rel: &str,
    format: Format,
    decoded: &encoding::Decoded,
    fields: &FieldMap,
    out: &mut Records<'_>,
) {
    let ctx = FileContext { rel, encoding: decoded.encoding, damage: &decoded.damage, fields };
    if let Some(first) = decoded.damage.first()
        && !format.has_line_records()
    {
        return ctx.skip(out, None, encoding::Decoded::reason(decoded.encoding, *first));
    }
    if decoded.text.trim().is_empty() {
        return ctx.skip(out, None, "empty file");
    }
    format.read(&ctx, &decoded.text, out);
    if out.speeches == 0 && out.skipped.is_empty() {
        ctx.skip(out, None, "no speeches in the file (no records, or only blank ones)");
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the format readers' tests.

    use super::{FieldMap, FileContext, FileRead, Format, Records};

    /// Reads `text` as the file `rel` (format from its extension).
    pub(crate) fn read_str(rel: &str, text: &str) -> FileRead {
        read_str_mapped(rel, text, &FieldMap::default())
    }

    /// Reads `text` as the file `rel` with a field mapping.
    pub(crate) fn read_str_mapped(rel: &str, text: &str, fields: &FieldMap) -> FileRead {
        Records::collect(u64::MAX, |out| {
            if let Some(format) = Format::from_path(std::path::Path::new(rel)) {
                format.read(&FileContext { fields, ..FileContext::clean(rel) }, text, out);
            }
        })
    }
}
