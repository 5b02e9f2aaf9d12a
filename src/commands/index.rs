//! `speechdex index`: build or update the index.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use speechdex::corpus::{FieldMap, ReadOptions, parse_encoding_label};
use speechdex::index::{BuildMode, BuildOptions, PhaseTime};
use speechdex::output::escape::escape;

use crate::ExitStatus;
use crate::args::{GlobalArgs, IndexArgs};
use crate::config::{DEFAULT_CORPUS, index_dir};
use crate::terminal::{TerminalProgress, describe};

/// Runs `speechdex index`.
pub fn run(global: &GlobalArgs, args: &IndexArgs) -> Result<ExitStatus> {
    let dir = index_dir(global);
    let roots = if args.paths.is_empty() {
        if !std::path::Path::new(DEFAULT_CORPUS).exists() {
            anyhow::bail!(
                "no ./{DEFAULT_CORPUS} folder here: name the corpus to index, e.g. \
                 `speechdex index PATH --index DIR` (nothing was created)"
            );
        }
        vec![PathBuf::from(DEFAULT_CORPUS)]
    } else {
        args.paths.clone()
    };
    let encoding = args.encoding.as_deref().map(parse_encoding_label).transpose()?;
    let mut opts = BuildOptions {
        roots,
        read: ReadOptions {
            follow_links: args.follow,
            encoding,
            exclude: Vec::new(),
            max_speech_bytes: args.max_speech_mb << 20,
            fields: field_map(args)?,
        },
        rebuild: args.rebuild,
        user_dicts: if args.no_user_dict {
            Some(Vec::new())
        } else if args.dict.is_empty() {
            None
        } else {
            Some(args.dict.clone())
        },
        checksum: args.checksum,
        allow_shrink: args.allow_shrink,
        ..Default::default()
    };
    if let Some(threads) = args.threads {
        opts.threads = threads.max(1);
    }
    if let Some(max) = args.max_segments {
        opts.max_segments = max.max(1);
    }
    let mut progress = TerminalProgress::new(args.quiet);
    let summary = speechdex::index::build(&dir, &opts, &mut progress)
        .with_context(|| format!("indexing into {}", dir.display()))?;
    progress.finish();

    let status = if args.strict && !summary.skipped.is_empty() {
        ExitStatus::Skipped
    } else {
        ExitStatus::Success
    };
    if !summary.unmatched_meta_ids.is_empty() && !args.quiet {
        let ids = &summary.unmatched_meta_ids;
        let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
        let what = if ids.len() == 1 {
            "1 id of the metadata file names no speech, so its row overrides nothing".to_string()
        } else {
            format!(
                "{} ids of the metadata file name no speech, so their rows override nothing",
                ids.len()
            )
        };
        crate::terminal::eprintln_msg(&format!(
            "warning: {what}: {}{} (ids are as `speechdex search` prints them)",
            shown.join(", "),
            if ids.len() > 5 { ", …" } else { "" }
        ));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        speechdex::output::json::pretty(&mut out, &summary)?;
        return Ok(status);
    }
    let mode = match summary.mode {
        BuildMode::Full => "full build",
        BuildMode::Incremental => "incremental update",
    };
    let shown = escape(&dir.to_string_lossy()).into_owned();
    writeln!(out, "{shown} ({mode}) in {:.2} s", summary.elapsed_ms as f64 / 1000.0)?;
    if let Some(reason) = &summary.reason {
        writeln!(out, "  why full:   {}", escape(reason))?;
    }
    writeln!(out, "  time:       {}", phase_times(&summary.phases))?;
    writeln!(
        out,
        "  files:      {} seen, {} ignored (other formats, READMEs), {:.1} MB read",
        summary.files_seen,
        summary.files_ignored,
        summary.bytes as f64 / 1e6
    )?;
    writeln!(
        out,
        "  speeches:   {} added, {} updated, {} removed, {} unchanged; {} in the index ({})",
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.docs,
        if summary.segments == 1 {
            "1 segment".into()
        } else {
            format!("{} segments", summary.segments)
        }
    )?;
    if summary.kept_unreadable > 0 {
        writeln!(
            out,
            "  kept:       {} speeches of files or folders that could not be read this time",
            summary.kept_unreadable
        )?;
    }
    writeln!(out, "  skipped:    {}", summary.skipped.len())?;
    for skip in &summary.skipped {
        writeln!(out, "    {}", describe(skip))?;
    }
    if !summary.links_not_followed.is_empty() {
        writeln!(
            out,
            "  links:      {} symbolic links not followed (use --follow to index what they point to)",
            summary.links_not_followed.len()
        )?;
        for link in &summary.links_not_followed {
            writeln!(out, "    {}", escape(link))?;
        }
    }
    Ok(status)
}

/// "0.01 s finding files, 2.68 s finding boilerplate, …": the phases that took at least 10 ms.
fn phase_times(phases: &[PhaseTime]) -> String {
    let shown: Vec<String> = phases
        .iter()
        .filter(|p| p.ms >= 10)
        .map(|p| format!("{:.2} s {}", p.ms as f64 / 1000.0, p.phase))
        .collect();
    if shown.is_empty() { "under 0.01 s in every phase".into() } else { shown.join(", ") }
}

/// The mapping of `--map`, with the overrides of `--meta`.
fn field_map(args: &IndexArgs) -> Result<FieldMap> {
    let map = FieldMap::from_pairs(args.map.iter().map(|(f, k)| (f.name(), k.as_str())))
        .map_err(|e| anyhow::anyhow!("--map: {e}"))?;
    Ok(match &args.meta {
        Some(path) => map.with_meta(speechdex::corpus::MetaTable::load(path)?),
        None => map,
    })
}
