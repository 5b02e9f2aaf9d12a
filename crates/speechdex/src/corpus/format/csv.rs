//! CSV (`.csv`, comma) and TSV (`.tsv`, tab): a header row, then one speech a row.
//!
//! This module owns delimited files, read with the `csv` crate (`flexible(true)`, quoted fields
//! may span lines). Header names are the field names and aliases of
//! [`fields`](crate::corpus::fields) (or the user's mapping), matched as described there (a
//! byte-order mark before the first is ignored). Ids are `rel:ROW` (1-based data row);
//! `Speech::line` is the physical line where the record starts. A file without a text column is
//! one skip, listing the columns and suggesting `--map text=COLUMN` (the first column that names
//! no field); a row with a blank text, or holding bytes that do not decode in the file's
//! encoding, is a skip with its line; rows whose fields are all blank are ignored.

use super::{FileContext, Records, list, map_hint};
use crate::corpus::fields::Field;
use crate::corpus::metadata::{self, FieldValue, Fields, Origin};

/// Reads a delimited file.
pub(crate) fn read(ctx: &FileContext<'_>, text: &str, delimiter: u8, out: &mut Records<'_>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let (names, keys): (Vec<String>, Vec<_>) = match reader.headers() {
        Ok(headers) => headers
            .iter()
            .map(|name| {
                (name.trim_start_matches('\u{feff}').trim().to_owned(), ctx.fields.resolve(name))
            })
            .unzip(),
        Err(err) => return ctx.skip(out, None, format!("cannot read the header row: {err}")),
    };
    let header_end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
    if let Some(reason) = ctx.damage_in(0, header_end) {
        return ctx.skip(out, None, format!("cannot read the header row: {reason}"));
    }
    if !keys.iter().any(|k| matches!(k, Some((Field::Text, _)))) {
        let suggestion =
            names.iter().zip(&keys).find(|(n, k)| k.is_none() && !n.is_empty()).map(|(n, _)| n);
        let reason = format!(
            "no text column (columns: {}); {}",
            list(&names),
            map_hint("column", suggestion.map(String::as_str))
        );
        return ctx.skip(out, None, reason);
    }

    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    let mut lines = LineCounter { text: text.as_bytes(), byte: 0, line: 1 };
    loop {
        let before = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                let line =
                    Some(lines.line_at(record.position().map_or(before, csv::Position::byte)));
                let start = usize::try_from(before).unwrap_or(usize::MAX);
                let end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
                if let Some(reason) = ctx.damage_in(start, end) {
                    ctx.skip(out, line, reason);
                    continue;
                }
                if record.iter().all(|field| field.trim().is_empty()) {
                    continue;
                }
                let mut fields = Fields::default();
                for (key, value) in keys.iter().zip(record.iter()) {
                    if let Some((field, rank)) = key {
                        fields.set(*field, *rank, FieldValue::Str(value.to_owned()));
                    }
                }
                match fields.take_text() {
                    Some(body) => {
                        let origin = Origin { id: ctx.record_id(row), path: ctx.rel, line };
                        out.speech(metadata::build_speech(origin, fields, body));
                    }
                    None => ctx.skip(out, line, "no text (the text column is blank or missing)"),
                }
            }
            Err(err) => {
                row += 1;
                let line = Some(lines.line_at(err.position().map_or(before, csv::Position::byte)));
                ctx.skip(out, line, format!("cannot read row {row}: {err}"));
                if reader.position().byte() == before {
                    break;
                }
            }
        }
    }
}

/// Physical line numbers of byte offsets, asked in increasing order. A line ends at `\n`, `\r\n`
/// or a lone `\r`, as records do for the `csv` crate (whose own line count sees only `\n`, so
/// that every row of a file with old Mac line endings would be "line 1").
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line of the record starting at `byte`: blank lines before it (the `csv` crate's
    /// position includes the ones it skipped) do not count as its start.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        for i in self.byte..byte.max(self.byte) {
            let ends_line = match self.text[i] {
                b'\n' => true,
                b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line += u64::from(ends_line);
        }
        self.byte = self.byte.max(byte);
        self.line
    }
}

#[cfg(test)]
mod tests {
    use crate::corpus::format::test_support::{read_str, read_str_mapped};

    #[test]
    fn csv_with_multiline_fields() {
        let input = concat!(
            "\u{feff}Province , year,title,source_url,publish_date,FULL_TEXT\n",
            "北京市,2026,2026年北京市政府工作报告,https://x/1,2026-02-02,\"下载\n打印\n",
            "——2026年1月25日在北京市\n正文，\"\"引号\"\"\n\"\n",
            "天津市,2026,无正文,https://x/2,2026-02-03,\n",
            ",,,,,\n",
            "上海市,,,,2026/2/4,\"上海正文\"\n",
            "short,row\n",
        );
        let read = read_str("p/2026_x.csv", input);
        let got: Vec<_> = read
            .speeches
            .iter()
            .map(|s| (s.id.as_str(), s.line, s.region.as_deref(), s.date.as_deref(), s.year))
            .collect();
        assert_eq!(
            got,
            [
                ("p/2026_x.csv:1", Some(2), Some("北京市"), Some("2026-01-25"), Some(2026)),
                ("p/2026_x.csv:4", Some(9), Some("上海市"), Some("2026-02-04"), Some(2026)),
            ]
        );
        assert_eq!(read.speeches[0].body, "下载\n打印\n——2026年1月25日在北京市\n正文，\"引号\"\n");
        assert_eq!(read.speeches[0].url.as_deref(), Some("https://x/1"));
        // publish_date is the publication: the date is the dateline's, or else the
        // publication's, marked inferred.
        assert_eq!(read.speeches[0].published.as_deref(), Some("2026-02-02"));
        assert_eq!(read.speeches[0].inferred, ["date", "kind"]);
        assert_eq!(read.speeches[1].title, "上海正文");
        assert_eq!(read.speeches[1].inferred, ["title", "date", "year"]);
        let skips: Vec<_> = read.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
        assert_eq!(
            skips,
            [
                (Some(7), "no text (the text column is blank or missing)"),
                (Some(10), "no text (the text column is blank or missing)"),
            ]
        );
    }

    /// Lines count `\r` line endings too (found by fuzzing: every row of a file with old Mac
    /// line endings was "line 1", the header's line).
    #[test]
    fn lines_with_any_line_ending() {
        for (name, input) in [
            ("lf", "title,text\n一,正文\n\n二,\"多\n行\"\n三,正文\n"),
            ("crlf", "title,text\r\n一,正文\r\n\r\n二,\"多\r\n行\"\r\n三,正文\r\n"),
            ("cr", "title,text\r一,正文\r\r二,\"多\r行\"\r三,正文\r"),
        ] {
            let read = read_str("l.csv", input);
            let lines: Vec<_> = read.speeches.iter().map(|s| s.line).collect();
            assert_eq!(lines, [Some(2), Some(4), Some(6)], "{name}");
        }
    }

    #[test]
    fn tsv_and_missing_text_column() {
        let read = read_str("a.TSV", "title\ttext\tyear\n讲话\t正文\t2020\n");
        assert_eq!(read.speeches.len(), 1);
        assert_eq!(read.speeches[0].id, "a.TSV:1");
        assert_eq!(read.speeches[0].year, Some(2020));

        let read = read_str("b.csv", "title,year\n讲话,2020\n");
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped.len(), 1);
        assert_eq!(read.skipped[0].line, None);
        assert!(read.skipped[0].reason.contains("no text column"), "{}", read.skipped[0].reason);
        assert!(read.skipped[0].reason.contains("title, year"), "{}", read.skipped[0].reason);
    }

    /// Chinese headers (with a BOM), and a file whose text column has a name of its own: one
    /// skip naming the columns and the `--map` that reads it; with the mapping, it is read.
    #[test]
    fn chinese_headers_and_mapped_columns() {
        let input = "\u{feff}标题,日期,讲话人,正文\n讲话,2024年3月5日,张三,正文一\n";
        let read = read_str("c.csv", input);
        let s = &read.speeches[0];
        let got = (s.title.as_str(), s.date.as_deref(), s.speaker.as_deref(), s.body.as_str());
        assert_eq!(got, ("讲话", Some("2024-03-05"), Some("张三"), "正文一"));

        let input = "标题,讲话全文,日期\n一,全文一,2024-03-05\n二,全文二,2024-03-06\n";
        let read = read_str("m.csv", input);
        assert!(read.speeches.is_empty());
        assert_eq!(read.skipped.len(), 1, "once per file: {:?}", read.skipped);
        let reason = &read.skipped[0].reason;
        assert!(
            reason.starts_with(
                "no text column (columns: 标题, 讲话全文, 日期); name the text column with \
                 --map text=讲话全文 or in speechdex.toml (text columns recognised: content,"
            ),
            "{reason}"
        );
        let map = crate::corpus::FieldMap::from_pairs([("text", "讲话全文")]).unwrap();
        let read = read_str_mapped("m.csv", input, &map);
        let bodies: Vec<_> = read.speeches.iter().map(|s| s.body.as_str()).collect();
        assert_eq!(bodies, ["全文一", "全文二"]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(input in "(content|title|year|,|\\t|\"|\\n|\\r|a|中|2024){0,40}") {
            let read = read_str("p.csv", &input);
            for s in &read.speeches {
                proptest::prop_assert!(s.id.starts_with("p.csv:"));
            }
            let _ = read_str("p.tsv", &input);
        }

        #[test]
        fn never_panics_any(input in proptest::prelude::any::<String>()) {
            let _ = read_str("p.csv", &format!("content,title\n{input}"));
        }
    }
}
