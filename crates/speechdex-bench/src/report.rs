//! The markdown report of `speechdex-bench run`: one section per measure, same-run ratios, the
//! agreement of every tool per term, and the targets with met/missed.

use std::fmt::Write;

use crate::measure::Stats;
use crate::run::{IndexRun, Results};

/// A time in readable units.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "–".to_owned()
    } else if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn fmt_mb(bytes: u64) -> String {
    let mb = bytes as f64 / 1e6;
    if mb < 10.0 { format!("{mb:.2} MB") } else { format!("{mb:.1} MB") }
}

fn peak(r: &IndexRun) -> String {
    let hwm = r.peak_rss_mb.map_or("–".to_owned(), |p| format!("{p:.0} MB"));
    match r.peak_anon_mb {
        Some(a) => format!("{hwm} ({a:.0} MB anon)"),
        None => hwm,
    }
}

fn stats_row(out: &mut String, label: &str, s: &Stats) {
    let _ = writeln!(
        out,
        "| {label} | {} | {} | {} | {} | {} |",
        s.n,
        fmt_ms(s.median_ms),
        fmt_ms(s.p99_ms),
        fmt_ms(s.min_ms),
        fmt_ms(s.max_ms)
    );
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "**no**" }
}

/// Renders the report: one function per section.
pub fn markdown(r: &Results) -> String {
    let mut o = String::new();
    summary(&mut o, r);
    indexing(&mut o, r);
    incremental(&mut o, r);
    in_process_latency(&mut o, r);
    process_latency(&mut o, r);
    ratios(&mut o, r);
    agreement(&mut o, r);
    targets(&mut o, r);
    o.push('\n');
    o
}

/// The title and one paragraph on the corpus, the machine and the settings.
fn summary(o: &mut String, r: &Results) {
    let c = &r.corpus;
    let _ = writeln!(o, "## speechdex-bench: {}\n", c.path.display());
    let _ = writeln!(
        o,
        "Corpus: {} speeches in {} files, {} of files ({} of text, {} characters{}). \
         Machine: {} cores, {}, {:.0} GB, load {} at the start. {}; {} runs per term in-process, \
         {} as processes; {} terms. Whole run: {:.0} s.\n",
        c.speeches,
        c.files,
        fmt_mb(c.bytes),
        fmt_mb(c.text_bytes),
        c.chars,
        if c.skipped > 0 {
            format!("; {} skipped by the reader", c.skipped)
        } else {
            String::new()
        },
        r.machine.cores,
        r.machine.cpu,
        r.machine.mem_gb,
        r.machine.load_at_start.map_or("?".to_owned(), |l| format!("{l:.2}")),
        r.tools.speechdex,
        r.settings.runs,
        r.settings.cli_runs,
        r.settings.terms.len(),
        r.elapsed_s
    );
}

/// The full build: speechdex, FTS5 when measured, and the jieba ceiling.
fn indexing(o: &mut String, r: &Results) {
    let f = &r.index.full;
    let _ = writeln!(o, "### Indexing (full build)\n");
    let _ = writeln!(o, "| | time | MB/s (corpus) | peak RSS | size | size / corpus |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    let _ = writeln!(
        o,
        "| speechdex index ({} speeches) | {} | {:.2} | {} | {} | {:.2}× |",
        f.docs,
        fmt_ms(f.wall_ms),
        f.mb_per_s,
        peak(f),
        fmt_mb(r.index.index_bytes),
        r.index.size_ratio
    );
    if let Some(fts) = &r.peers.fts5 {
        let _ = writeln!(
            o,
            "| SQLite FTS5 trigram (one row per folded speech, in-process) | {} | {:.2} | – | {} | {:.2}× |",
            fmt_ms(fts.build_ms),
            fts.mb_per_s,
            fmt_mb(fts.db_bytes),
            fts.size_ratio
        );
    }
    let j = &r.jieba;
    let _ = writeln!(
        o,
        "| jieba alone, one thread (ceiling) | {} | {:.2} ({:.2} MB/s of text) | – | – | – |",
        fmt_ms(j.segment_ms),
        j.corpus_mb_per_s,
        j.text_mb_per_s
    );
    let p = &r.postings;
    let m = &p.measured;
    for (what, ms, text_rate) in [
        ("the exact field", m.exact_ms, m.exact_mb_per_s),
        ("the words field", m.words_ms, m.words_mb_per_s),
        ("the exact and words fields", m.both_ms, m.both_mb_per_s),
        (
            "unigram positions + a bigram filter (an exact structure speechdex does not use)",
            m.alternative_ms,
            m.alternative_mb_per_s,
        ),
    ] {
        let corpus_rate = text_rate * p.corpus_per_text;
        let _ = writeln!(
            o,
            "| tantivy alone, {what}, {} threads (ceiling, {} of text) | {} | {:.2} ({:.2} MB/s of text) | – | – | – |",
            p.measured.threads,
            fmt_mb(p.measured.text_bytes),
            fmt_ms(ms),
            corpus_rate,
            text_rate
        );
    }
    let _ = writeln!(
        o,
        "\nThe postings ceiling indexes folded texts held in memory into an in-memory index with \
         only the fields named, with the threads and memory of `speechdex index`: no reading, \
         storing, fast fields or merging. The full build runs at {:.0} % of the ceiling of the \
         exact and words fields, which it indexes.",
        p.full_over_ceiling * 100.0
    );
    let _ = writeln!(
        o,
        "\nThe index time includes process start-up, reading and parsing the files, and the commit. \
         Peak RSS is the process's VmHWM, which also counts the pages of memory-mapped index files; \
         \"anon\" is the largest anonymous resident memory (heap) seen by the 20 ms polls. \
         Index size is the current generation on disk (the whole folder: {}). jieba's \
         dictionary took {} to load on first use (not included above). Opening the index \
         in-process took {}.\n",
        fmt_mb(r.index.folder_bytes),
        fmt_ms(j.dict_load_ms),
        fmt_ms(r.index.open_ms)
    );
}

/// The incremental runs.
fn incremental(o: &mut String, r: &Results) {
    let _ = writeln!(o, "### Incremental runs (`speechdex index` on the same index)\n");
    let _ = writeln!(
        o,
        "| run | speeches changed (files) | time | peak RSS | mode | added / updated / removed / unchanged |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for inc in &r.incremental {
        let x = &inc.run;
        let _ = writeln!(
            o,
            "| {} | {} ({}) | {} | {} | {} | {} / {} / {} / {} |",
            inc.name,
            inc.speeches_changed,
            inc.files_changed,
            fmt_ms(x.wall_ms),
            peak(x),
            x.mode,
            x.added,
            x.updated,
            x.removed,
            x.unchanged
        );
    }
}

/// Query latency in-process (FTS5 document counts when measured).
fn in_process_latency(o: &mut String, r: &Results) {
    let _ = writeln!(o, "\n### Query latency, warm, in-process (index opened once)\n");
    let _ = writeln!(o, "| query | n | median | p99 | min | max |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    let i = &r.in_process;
    stats_row(o, "search --count", &i.count);
    stats_row(o, "search, top 10 with snippets", &i.top10);
    stats_row(o, "trend --by year, 1 term", &i.trend);
    stats_row(o, "trend --by year, 5 terms", &i.trend5);
    stats_row(o, &format!("kwic, first {} lines", r.settings.kwic_limit), &i.kwic);
    if let Some(fts) = &r.peers.fts5 {
        stats_row(o, "SQLite FTS5 document count (MATCH / instr)", &fts.count);
    }
}

/// Query latency as whole processes (rg when measured).
fn process_latency(o: &mut String, r: &Results) {
    let _ = writeln!(o, "\n### Whole processes, start-up included (output read through a pipe)\n");
    let _ = writeln!(o, "| command | n | median | p99 | min | max |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    let p = &r.cli;
    stats_row(o, "speechdex search TERM --count", &p.count);
    stats_row(o, "speechdex search TERM (top 10, snippets)", &p.top10);
    stats_row(o, "speechdex trend TERM --by year", &p.trend);
    stats_row(o, "speechdex trend T1..T5 --by year", &p.trend5);
    stats_row(o, &format!("speechdex kwic TERM --limit {}", r.settings.kwic_limit), &p.kwic);
    if let Some(rg) = &r.peers.rg {
        stats_row(o, "rg -F --count-matches TERM flat/", &rg.count);
    }
}

/// Same-run ratios and the peers not measured.
fn ratios(o: &mut String, r: &Results) {
    let _ = writeln!(o, "\n### Same-run ratios\n");
    for ratio in &r.ratios {
        let _ = writeln!(o, "- {}", ratio.text);
    }
    for why in &r.peers.unavailable {
        let _ = writeln!(o, "- not measured: {why}");
    }
}

/// Per term: counts, agreement of every tool, medians.
fn agreement(o: &mut String, r: &Results) {
    let _ = writeln!(o, "\n### Per term: counts, agreement and medians\n");
    let _ = writeln!(
        o,
        "Agreement: rg's total must equal speechdex's hits; FTS5's document count must equal \
         speechdex's docs; trend and kwic totals and the CLI's counts must equal the in-process \
         hits and docs (a mismatch is marked **no**).\n"
    );
    let _ = writeln!(
        o,
        "| term | docs | hits | trend/kwic/CLI agree | rg hits | rg agrees | FTS5 docs | FTS5 agrees | count in-process | count process | rg | FTS5 | top-10 in-process | trend in-process |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for t in &r.per_term {
        let own = t.trend_count == t.total_hits
            && t.kwic_total == t.total_hits
            && t.cli_total_hits == t.total_hits
            && t.cli_total_docs == t.total_docs;
        let (rg_hits, rg_ok, rg_ms) =
            t.rg.as_ref().map_or(("–".into(), "–", "–".into()), |x| {
                (x.total.to_string(), yes_no(x.agrees), fmt_ms(x.median_ms))
            });
        let (fts_docs, fts_ok, fts_ms) =
            t.fts5.as_ref().map_or(("–".into(), "–", "–".into()), |x| {
                (format!("{} ({})", x.docs, x.method), yes_no(x.agrees), fmt_ms(x.median_ms))
            });
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.term,
            t.total_docs,
            t.total_hits,
            yes_no(own),
            rg_hits,
            rg_ok,
            fts_docs,
            fts_ok,
            fmt_ms(t.in_process_ms.count),
            fmt_ms(t.cli_ms.count),
            rg_ms,
            fts_ms,
            fmt_ms(t.in_process_ms.top10),
            fmt_ms(t.in_process_ms.trend)
        );
    }
    if let Some(rg) = &r.peers.rg {
        let _ = writeln!(o, "\nrg agrees on {}/{} terms.", rg.agree, rg.terms);
    }
    if let Some(fts) = &r.peers.fts5 {
        let _ = writeln!(o, "FTS5 agrees on {}/{} terms.", fts.agree, fts.terms);
    }
}

/// The targets of issue 18 (speed), met or missed.
fn targets(o: &mut String, r: &Results) {
    let _ = writeln!(o, "\n### Targets (issue 18: speed)\n");
    let _ = writeln!(o, "| target | stated for | measured here | met here |");
    let _ = writeln!(o, "|---|---|---|---|");
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not measured",
        };
        let _ = writeln!(o, "| {} | {} | {} | {} |", t.target, t.stated_for, t.measured, met);
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_ms;

    #[test]
    fn times() {
        assert_eq!(fmt_ms(0.0123), "12 µs");
        assert_eq!(fmt_ms(1.234), "1.23 ms");
        assert_eq!(fmt_ms(123.4), "123.4 ms");
        assert_eq!(fmt_ms(1234.0), "1.23 s");
    }
}
