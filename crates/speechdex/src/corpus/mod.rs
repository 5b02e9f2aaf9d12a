//! Reading a corpus folder as it comes: walking, decoding, parsing each format, inferring metadata.
//!
//! This module owns everything between the file system and a [`Speech`]. It never touches the
//! index, never prints, and never fails as a whole because of one bad file: a file (or line, or
//! row) that cannot be read is returned as a [`Skip`] with a reason, and everything else is read.
//!
//! Flow: [`discover`] walks the roots (walkdir, sorted, deterministic) and lists candidate files;
//! [`read_file`] decodes one file and parses it into speeches according to its extension.

mod encoding;
pub mod fields;
mod format;
pub mod meta;
pub(crate) mod metadata;
mod walk;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use encoding::{decode, parse_encoding_label};
pub use fields::{Field, FieldMap};
pub use format::{MAX_FILE_BYTES, SUPPORTED_EXTENSIONS, read_bytes, read_file, read_file_each};
pub use meta::MetaTable;
pub use walk::discover;

/// One speech read from the corpus, with its metadata and full text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speech {
    /// Stable id: the path relative to the corpus root, with `:N` appended for the N-th record of a
    /// multi-speech file (JSONL line number, CSV data row, JSON array element, all 1-based).
    pub id: String,
    /// Path of the file relative to its corpus root, `/`-separated.
    pub path: String,
    /// Physical 1-based line where the speech starts in its file (JSONL, CSV), if meaningful.
    pub line: Option<u64>,
    /// Title (given, or inferred: see `inferred`).
    pub title: String,
    /// Date the speech was given, as `YYYY-MM-DD`, when known (a date given to the month or
    /// year only gives the year).
    pub date: Option<String>,
    /// Date of publication as given (`published`, `publish_date`, `发布时间`...), normalised to
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as precise as it was given. Kept apart from `date`; it
    /// is the date (marked inferred) only when neither a date nor a dateline is found.
    #[serde(default)]
    pub published: Option<String>,
    /// Year when known.
    pub year: Option<i32>,
    /// Speaker.
    pub speaker: Option<String>,
    /// Region (province, city...).
    pub region: Option<String>,
    /// Venue (meeting, conference...).
    pub venue: Option<String>,
    /// Kind of text (report, speech, resolution...).
    pub kind: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Source (publisher; `sample` for the project's own sample speeches).
    pub source: Option<String>,
    /// Source URL.
    pub url: Option<String>,
    /// Names of the fields above that were inferred rather than given ("title", "date", "year").
    pub inferred: Vec<String>,
    /// The full text as given (after front matter), unchanged, so counts reproduce the source.
    pub body: String,
}

/// A file, line or row that could not be read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// Path relative to the corpus root (or as given when outside any root).
    pub path: String,
    /// 1-based line (or row) when the problem concerns one record of a file.
    pub line: Option<u64>,
    /// Why it was skipped, in words a user understands.
    pub reason: String,
}

/// Options for walking and reading a corpus.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Follow symbolic links (off by default).
    pub follow_links: bool,
    /// Force this encoding instead of detecting one.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Folders never to descend into (the index folder, for one).
    pub exclude: Vec<PathBuf>,
    /// The largest speech indexed, in bytes of UTF-8 text ([`DEFAULT_MAX_SPEECH_BYTES`] by
    /// default). A bigger one is skipped with a reason: indexing one speech needs memory in
    /// proportion to its size (about 8 times it), so this bounds the indexer's memory.
    pub max_speech_bytes: u64,
    /// Which record keys give which fields, before the aliases of [`fields::ALIASES`]
    /// (`--map`, and the `[fields]` table of each root's `speechdex.toml`, merged by the build).
    pub fields: FieldMap,
}

/// The default largest speech (16 MiB, about 5.5 million Chinese characters, some 50 government
/// work reports in one): real speeches are far smaller, and a bigger "speech" is usually a
/// concatenated dump that should be split.
pub const DEFAULT_MAX_SPEECH_BYTES: u64 = 16 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            follow_links: false,
            encoding: None,
            exclude: Vec::new(),
            max_speech_bytes: DEFAULT_MAX_SPEECH_BYTES,
            fields: FieldMap::default(),
        }
    }
}

impl ReadOptions {
    /// The options that decide what speeches a file's bytes become (not which files are
    /// walked): two runs with the same key read the same file into the same speeches. The
    /// field mapping is part of it (a run with another mapping reads every file again), and so
    /// is the content of the metadata files (`--meta`): an edited one reads every file again,
    /// and only the speeches whose metadata changed are rewritten.
    pub fn reader_key(&self) -> String {
        let mut key = format!(
            "encoding={};max_speech_bytes={}",
            self.encoding.map_or("auto", |e| e.name()),
            self.max_speech_bytes
        );
        if !self.fields.is_empty() {
            key.push_str(";fields=");
            key.push_str(&self.fields.describe());
        }
        if let Some(meta) = self.fields.meta() {
            key.push_str(&format!(";meta={:016x}", meta.hash()));
        }
        key
    }
}

/// A candidate file found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute (or as-given) path to open.
    pub abs: PathBuf,
    /// Path relative to the corpus root, `/`-separated: the base of speech ids.
    pub rel: String,
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files with a supported extension, sorted.
    pub files: Vec<SourceFile>,
    /// Entries that could not be walked (permission denied, symlink loop...).
    pub skipped: Vec<Skip>,
    /// Files ignored because their extension is not a supported format.
    pub ignored: usize,
    /// Symbolic links not followed (without `--follow`), named relative to their root.
    pub links: Vec<String>,
}

/// What [`read_file`] got out of one file.
#[derive(Debug, Default)]
pub struct FileRead {
    /// Speeches read.
    pub speeches: Vec<Speech>,
    /// The whole file (line `None`) or single records that could not be read.
    pub skipped: Vec<Skip>,
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn read_via_file(rel: &str, bytes: &[u8], opts: &ReadOptions) -> FileRead {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join(rel);
        std::fs::write(&abs, bytes).unwrap();
        read_file(&SourceFile { abs, rel: rel.to_owned() }, opts)
    }

    fn utf16le_bom(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    /// A JSON Lines file on disk (read a line at a time when it is plain UTF-8) gives what its
    /// bytes give read whole, whatever its encoding or damage.
    #[test]
    fn jsonl_files_on_disk_read_as_their_bytes() {
        let opts = ReadOptions::default();
        let lines = "{\"title\":\"一\",\"text\":\"正文一\"}\n\n{坏}\r\n{\"text\":\"正文二\"}";
        let gb = encoding_rs::GB18030.encode(lines).0.into_owned();
        let mut damaged = lines.as_bytes().to_vec();
        damaged.splice(2..2, [0xFF]);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(lines.as_bytes());
        let cases: [(&str, Vec<u8>); 6] = [
            ("utf-8", lines.as_bytes().to_vec()),
            ("gb18030", gb),
            ("one damaged line", damaged),
            ("byte-order mark", bom),
            ("blank lines only", b" \n\r\n\n".to_vec()),
            ("no records", b"[1]\n".to_vec()),
        ];
        let summary = |r: &FileRead| {
            let speeches: Vec<_> = r
                .speeches
                .iter()
                .map(|s| (s.id.clone(), s.title.clone(), s.body.clone()))
                .collect();
            let skips: Vec<_> = r.skipped.iter().map(|s| (s.line, s.reason.clone())).collect();
            (speeches, skips)
        };
        for (name, bytes) in cases {
            let on_disk = read_via_file("a.jsonl", &bytes, &opts);
            let whole = read_bytes("a.jsonl", &bytes, &opts);
            assert_eq!(summary(&on_disk), summary(&whole), "{name}");
            assert!(!on_disk.speeches.is_empty() || !on_disk.skipped.is_empty(), "{name}");
        }
    }

    #[test]
    fn read_file_cases() {
        let gb = encoding_rs::GB18030.encode("2024年讲话\r\n正文").0.into_owned();
        // (name, file, bytes, Ok((title, body)) or Err(reason fragment))
        type Case = (
            &'static str,
            &'static str,
            Vec<u8>,
            Result<(&'static str, &'static str), &'static str>,
        );
        let cases: Vec<Case> = vec![
            ("utf-8", "a.txt", "标题\n正文".into(), Ok(("标题", "标题\n正文"))),
            ("bom", "a.md", "\u{feff}标题\r\n正文".into(), Ok(("标题", "标题\r\n正文"))),
            ("utf-16le", "a.txt", utf16le_bom("标题\n正文"), Ok(("标题", "标题\n正文"))),
            ("gb18030", "a.txt", gb, Ok(("2024年讲话", "2024年讲话\r\n正文"))),
            ("empty", "a.txt", Vec::new(), Err("empty file")),
            ("blank", "a.jsonl", " \n\t\r\n".into(), Err("empty file")),
            ("bom only", "a.csv", vec![0xEF, 0xBB, 0xBF], Err("empty file")),
            ("binary", "a.txt", b"\x7fELF\0\0\x01\0binary".to_vec(), Err("binary file")),
            ("unsupported", "a.pdf", b"x".to_vec(), Err("unsupported file type")),
        ];
        for (name, rel, bytes, want) in cases {
            let read = read_via_file(rel, &bytes, &ReadOptions::default());
            match want {
                Ok((title, body)) => {
                    assert!(read.skipped.is_empty(), "{name}: {:?}", read.skipped);
                    assert_eq!(read.speeches.len(), 1, "{name}");
                    assert_eq!(read.speeches[0].title, title, "{name}");
                    assert_eq!(read.speeches[0].body, body, "{name}");
                    assert_eq!(read.speeches[0].id, rel, "{name}");
                }
                Err(fragment) => {
                    assert!(read.speeches.is_empty(), "{name}");
                    assert_eq!(read.skipped.len(), 1, "{name}");
                    let skip = &read.skipped[0];
                    assert_eq!((skip.path.as_str(), skip.line), (rel, None), "{name}");
                    assert!(skip.reason.contains(fragment), "{name}: {}", skip.reason);
                }
            }
        }
        let missing = SourceFile { abs: PathBuf::from("/nonexistent/x.txt"), rel: "x.txt".into() };
        let read = read_file(&missing, &ReadOptions::default());
        assert!(read.skipped[0].reason.starts_with("cannot read file"));

        // A forced encoding.
        let big5 = encoding_rs::BIG5.encode("標題\n正文").0.into_owned();
        let opts = ReadOptions { encoding: Some(encoding_rs::BIG5), ..ReadOptions::default() };
        assert_eq!(read_via_file("b.txt", &big5, &opts).speeches[0].title, "標題");
    }

    /// Speeches over `max_speech_bytes` are skipped with a reason; a one-speech file of more
    /// than twice the limit is skipped without being read; records of a JSONL file are judged
    /// one by one.
    #[test]
    fn speeches_over_the_size_limit_are_skipped_with_a_reason() {
        let opts = ReadOptions { max_speech_bytes: 30, ..ReadOptions::default() };
        let ten = "一二三四五六七八九十"; // 30 bytes
        let read = read_via_file("a.txt", ten.as_bytes(), &opts);
        assert_eq!((read.speeches.len(), read.skipped.len()), (1, 0), "at the limit");

        let over = format!("{ten}。");
        let read = read_via_file("a.txt", over.as_bytes(), &opts);
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped[0].line, None);
        assert!(read.skipped[0].reason.contains("larger than the limit"), "{:?}", read.skipped);
        assert!(read.skipped[0].reason.contains("--max-speech-mb"), "{:?}", read.skipped);

        // More than twice the limit: not read (a sparse file of 1 GiB costs nothing).
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("sparse.txt");
        std::fs::File::create(&abs).unwrap().set_len(1 << 30).unwrap();
        let read = read_file(&SourceFile { abs, rel: "sparse.txt".into() }, &opts);
        assert!(read.skipped[0].reason.starts_with("file of 1024.0 MiB"), "{:?}", read.skipped);

        let jsonl = format!("{{\"text\":\"短\"}}\n{{\"text\":\"{over}\"}}\n");
        let read = read_via_file("a.jsonl", jsonl.as_bytes(), &opts);
        assert_eq!(read.speeches.len(), 1);
        assert_eq!(skips(&read).len(), 1);
        assert_eq!(read.skipped[0].line, Some(2));
        assert_eq!(read.speeches[0].body, "短");
    }

    /// (line, reason) of each skip.
    fn skips(read: &FileRead) -> Vec<(Option<u64>, &str)> {
        read.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect()
    }

    fn lines_read(read: &FileRead) -> Vec<Option<u64>> {
        read.speeches.iter().map(|s| s.line).collect()
    }

    /// Malformed bytes in a JSONL or CSV file cost only the lines or rows that hold them (issue
    /// 7: a truncated last line used to skip the whole file).
    #[test]
    fn damaged_records_skip_only_themselves() {
        let opts = ReadOptions::default();
        let line = |n: u32| {
            format!(
                "{{\"title\":\"第{n}篇讲话\",\"content\":\"发展新质生产力，推进高质量发展。{n}\"}}\n"
            )
        };
        let good: String = (1..=5).map(line).collect();
        let gb = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
        let zhong_utf8 = "中".as_bytes();
        let zhong_gb = gb("中");

        // UTF-8, last line truncated in the middle of a character (the file was cut short).
        let mut cut = good.clone().into_bytes();
        cut.extend_from_slice(b"{\"title\":\"\xe6\x9c\x80\xe5\x90\x8e\",\"content\":\"\xe6\x96");
        // UTF-8, an invalid byte inside the third line, and a truncated character in the fourth.
        let mut mid = Vec::new();
        for n in 1..=5u32 {
            let l = line(n).into_bytes();
            match n {
                3 => mid.extend([&l[..20], &[0xFF][..], &l[20..]].concat()),
                4 => mid.extend([&l[..20], &zhong_utf8[..2], &l[20..]].concat()),
                _ => mid.extend(l),
            }
        }
        // GB18030, last line truncated after a lead byte; and a lone lead byte mid-line.
        let mut gb_cut = gb(&good);
        gb_cut.extend_from_slice(&gb("{\"title\":\"最后\",\"content\":\"正文"));
        gb_cut.push(zhong_gb[0]);
        let mut gb_mid = Vec::new();
        for n in 1..=5u32 {
            let l = gb(&line(n));
            if n == 2 {
                gb_mid.extend([&l[..20], &[0x81][..], &l[20..]].concat());
            } else {
                gb_mid.extend(l);
            }
        }
        // Mixed: UTF-8 lines and one GB18030 line.
        let mut mixed = Vec::new();
        for n in 1..=5u32 {
            if n == 5 { mixed.extend(gb(&line(n))) } else { mixed.extend(line(n).into_bytes()) }
        }
        // UTF-8 with BOM and CRLF, last line truncated: offsets count the BOM.
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend(good.replace('\n', "\r\n").into_bytes());
        bom.extend_from_slice(&zhong_utf8[..1]);

        type Case<'a> = (&'a str, &'a [u8], &'a [u64], &'a [u64], &'a str);
        let cases: Vec<Case> = vec![
            ("truncated utf-8 at the end", &cut, &[1, 2, 3, 4, 5], &[6], "UTF-8"),
            ("bad bytes mid-line", &mid, &[1, 2, 5], &[3, 4], "UTF-8"),
            ("truncated gb18030 at the end", &gb_cut, &[1, 2, 3, 4, 5], &[6], "gb18030"),
            ("gb18030 lone lead byte", &gb_mid, &[1, 3, 4, 5], &[2], "gb18030"),
            ("mixed encodings", &mixed, &[1, 2, 3, 4], &[5], "UTF-8"),
            ("bom, crlf, cut", &bom, &[1, 2, 3, 4, 5], &[6], "UTF-8"),
        ];
        for (name, bytes, read_lines, skipped_lines, enc) in cases {
            let read = read_bytes("d.jsonl", bytes, &opts);
            let want: Vec<_> = read_lines.iter().map(|&l| Some(l)).collect();
            assert_eq!(lines_read(&read), want, "{name}: {:?}", read.skipped);
            let got: Vec<_> = read.skipped.iter().map(|s| s.line).collect();
            let want: Vec<_> = skipped_lines.iter().map(|&l| Some(l)).collect();
            assert_eq!(got, want, "{name}");
            for skip in &read.skipped {
                let prefix = format!("could not decode as {enc}: malformed bytes at byte ");
                assert!(skip.reason.starts_with(&prefix), "{name}: {}", skip.reason);
            }
            // The same bytes as a text file: one speech or one skip for the whole file.
            let read = read_bytes("d.txt", bytes, &opts);
            assert!(read.speeches.is_empty(), "{name}: a damaged text file was read");
            assert_eq!(read.skipped.len(), 1, "{name}");
            assert_eq!(read.skipped[0].line, None, "{name}");
            // The strict decoder still refuses the file.
            assert!(decode(bytes, None).is_err(), "{name}");
        }
        // The reported offset is the file's: the BOM counts, and the byte is the bad one.
        let read = read_bytes("d.jsonl", &bom, &opts);
        let at = bom.len() - 1;
        assert!(
            read.skipped[0].reason.contains(&format!("at byte {at};")),
            "{}",
            read.skipped[0].reason
        );
        let read = read_bytes("d.jsonl", &mid, &opts);
        let third = line(1).len() + line(2).len() + 20;
        assert!(
            read.skipped[0].reason.contains(&format!("at byte {third};")),
            "{}",
            read.skipped[0].reason
        );

        // CSV: a bad row is skipped with its line, a multi-line row with a bad second line too;
        // the other rows are read. Damage in the header skips the file.
        let mut csv = b"title,content\n".to_vec();
        csv.extend("一,\"第一行正文\"\n".as_bytes());
        csv.extend(["二,\"第二".as_bytes(), &[0xFF], "行正文\"\n".as_bytes()].concat());
        csv.extend("三,\"多行\n正文".as_bytes());
        csv.extend([&zhong_utf8[..2], b"\"\n"].concat());
        csv.extend("四,\"第四行正文\"\n".as_bytes());
        let read = read_bytes("d.csv", &csv, &opts);
        let titles: Vec<_> = read.speeches.iter().map(|s| (s.title.as_str(), s.line)).collect();
        assert_eq!(titles, [("一", Some(2)), ("四", Some(6))], "{:?}", read.skipped);
        assert_eq!(skips(&read).iter().map(|s| s.0).collect::<Vec<_>>(), [Some(3), Some(4)]);
        let mut bad_header = b"tit\xffle,content\n".to_vec();
        bad_header.extend("一,\"第一行正文正文正文\"\n二,\"第二行正文\"\n".as_bytes());
        let read = read_bytes("h.csv", &bad_header, &opts);
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped.len(), 1);
        assert!(
            read.skipped[0].reason.starts_with("cannot read the header row: could not decode"),
            "{}",
            read.skipped[0].reason
        );
    }

    /// Every file gives at least one speech or one skip.
    #[test]
    fn files_without_records_are_reported() {
        let opts = ReadOptions::default();
        for (rel, text) in [
            ("a.json", "[]"),
            ("b.csv", "title,content\n"),
            ("c.csv", "title,content\n , \n"),
            ("d.tsv", "title\tcontent\n"),
        ] {
            let read = read_bytes(rel, text.as_bytes(), &opts);
            assert!(read.speeches.is_empty(), "{rel}");
            assert_eq!(
                skips(&read),
                [(None, "no speeches in the file (no records, or only blank ones)")],
                "{rel}"
            );
        }
    }

    /// The shared real corpus: `../shared/corpus` next to the project.
    fn real_corpus() -> Option<PathBuf> {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
        if dir.is_dir() {
            return Some(dir.to_path_buf());
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the real corpus is missing at {} (required on CI)",
            dir.display()
        );
        None
    }

    #[test]
    fn real_corpus_reads_completely() {
        let Some(root) = real_corpus() else { return };
        let opts = ReadOptions::default();
        let found = discover(std::slice::from_ref(&root), &opts);
        assert!(found.skipped.is_empty(), "{:?}", found.skipped);
        let mut speeches = Vec::new();
        let mut skipped = Vec::new();
        for file in &found.files {
            let read = read_file(file, &opts);
            speeches.extend(read.speeches);
            skipped.extend(read.skipped);
        }
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(speeches.len(), 94);

        // Reading twice gives the same speeches in the same order.
        let again: Vec<Speech> =
            found.files.iter().flat_map(|f| read_file(f, &opts).speeches).collect();
        assert_eq!(again, speeches);

        // JSONL: given years kept; the resolutions (year null) get their year inferred.
        let gwr_path = root.join("gwr/government_work_reports.jsonl");
        let gwr_text = std::fs::read_to_string(&gwr_path).unwrap();
        let gwr: Vec<&Speech> = speeches.iter().filter(|s| s.path.starts_with("gwr/")).collect();
        assert_eq!(gwr.len(), 72);
        let mut resolutions = 0;
        for (line, speech) in (1u64..).zip(gwr_text.lines()).map(|(n, l)| {
            let value: serde_json::Value = serde_json::from_str(l).unwrap();
            (value, gwr.iter().find(|s| s.line == Some(n)).copied().unwrap())
        }) {
            assert_eq!(
                speech.id,
                format!("gwr/government_work_reports.jsonl:{}", speech.line.unwrap())
            );
            let given = match &line["year"] {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match given {
                Some(year) => {
                    assert_eq!(speech.year.map(i64::from), Some(year), "{}", speech.id);
                    assert!(!speech.inferred.contains(&"year".to_owned()), "{}", speech.id);
                }
                None => {
                    resolutions += 1;
                    let year = speech.year.unwrap_or_else(|| panic!("{}: no year", speech.id));
                    assert!((1954..=2025).contains(&year), "{}: {year}", speech.id);
                    assert!(speech.inferred.contains(&"year".to_owned()), "{}", speech.id);
                }
            }
        }
        assert_eq!(resolutions, 20);
        let by_title = |t: &str| gwr.iter().find(|s| s.title == t).and_then(|s| s.year);
        assert_eq!(
            by_title("第十四届全国人民代表大会第一次会议关于政府工作报告的决议"),
            Some(2023)
        );
        assert_eq!(
            by_title("第十四届全国人民代表大会第三次会议关于政府工作报告的决议"),
            Some(2025)
        );
        assert_eq!(
            by_title("第十二届全国人民代表大会第一次会议关于政府工作报告的决议"),
            Some(2013)
        );
        assert_eq!(by_title("第二届全国人民代表大会第三次会议关于政府工作报告的决议"), Some(1962));

        // Provincial CSVs: region, 2026 dates, given titles. Their `publish_date` is the
        // publication; the date is the dateline's (the day of the speech), or else the
        // publication's, marked inferred either way.
        let provincial: Vec<&Speech> =
            speeches.iter().filter(|s| s.path.starts_with("provincial-2026/")).collect();
        assert_eq!(provincial.len(), 21);
        for s in &provincial {
            assert!(s.region.as_deref().is_some_and(|r| !r.is_empty()), "{}", s.id);
            assert!(s.date.as_deref().is_some_and(|d| d.starts_with("2026-")), "{}", s.id);
            assert_eq!(s.year, Some(2026), "{}", s.id);
            assert!(s.published.as_deref().is_some_and(|d| d.starts_with("2026-")), "{}", s.id);
            assert!(s.date <= s.published, "{}: {:?} {:?}", s.id, s.date, s.published);
            assert!(s.url.is_some(), "{}", s.id);
            assert_eq!(s.inferred, ["date", "kind", "speaker"], "{}", s.id);
            assert_eq!(s.kind.as_deref(), Some("政府工作报告"), "{}", s.id);
            // The speaker is the byline's: a name of two or three characters that the heading
            // of the text (before 各位代表) holds, spaces aside.
            let name = s.speaker.as_deref().unwrap_or_else(|| panic!("{}: no speaker", s.id));
            let head: String =
                s.body.split("各位代表").next().unwrap().split_whitespace().collect();
            assert!((2..=3).contains(&name.chars().count()), "{}: {name}", s.id);
            assert!(head.contains(name), "{}: {name}", s.id);
            assert!(!name.contains(char::is_whitespace), "{}: {name}", s.id);
            assert!(s.id.ends_with(".csv:1") && s.line == Some(2), "{}", s.id);
        }
        let shandong = provincial.iter().find(|s| s.path.contains("山东")).unwrap();
        assert_eq!(shandong.date.as_deref(), Some("2026-01-27"));
        assert_eq!(shandong.published.as_deref(), Some("2026-02-01"));
        assert_eq!(shandong.speaker.as_deref(), Some("周乃翔"));

        // National texts: all 全国; the reports are 政府工作报告 and the resolutions 决议, never
        // with a speaker; a report has one exactly when its heading has a byline.
        for s in &gwr {
            assert_eq!(s.region.as_deref(), Some("全国"), "{}", s.id);
            let resolution = s.title.ends_with("决议");
            let want = if resolution { "决议" } else { "政府工作报告" };
            assert_eq!(s.kind.as_deref(), Some(want), "{}", s.id);
            let head: String = s.body.split("各位代表").next().unwrap().chars().take(200).collect();
            let head: String = head.split_whitespace().collect();
            if resolution || !(head.contains("总理") || head.contains("周恩来")) {
                assert_eq!(s.speaker, None, "{}", s.id);
            } else {
                let name = s.speaker.as_deref().unwrap_or_else(|| panic!("{}: no speaker", s.id));
                assert!(head.contains(name), "{}: {name}", s.id);
            }
        }
        let li_qiang = gwr.iter().find(|s| s.title.starts_with("2024年")).unwrap();
        assert_eq!(li_qiang.speaker.as_deref(), Some("李强"));

        // The seed: title on its first line.
        let seed = speeches.iter().find(|s| s.path.starts_with("seed/")).unwrap();
        assert_eq!(seed.title, "在市科技系统传达学习2025年中央经济工作会议精神会议上的总结讲话");
        assert_eq!(seed.year, Some(2025));
        assert_eq!(seed.kind.as_deref(), Some("讲话"));
        assert_eq!(seed.region, None, "the city's name is masked: no region, and not 全国");
    }
}
