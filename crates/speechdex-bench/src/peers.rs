//! The peers a user would pick instead of speechdex, run on the same folded texts: ripgrep over
//! a flat copy (one file per speech) and SQLite FTS5 with the trigram tokenizer (bundled SQLite).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rusqlite::Connection;

use crate::measure::ms_since;

/// The rg command, or why it is unavailable.
pub fn rg_version() -> Result<String, String> {
    match Command::new("rg").arg("--version").output() {
        Ok(o) if o.status.success() => {
            Ok(String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("rg").to_owned())
        }
        Ok(o) => Err(format!("rg --version failed ({})", o.status)),
        Err(e) => {
            Err(format!("rg is not installed ({e}); install it with `apt-get install -y ripgrep`"))
        }
    }
}

/// `rg -F --count-matches TERM DIR` with the options that make it see every flat file.
pub fn rg_command(term: &str, flat: &Path) -> Command {
    let mut cmd = Command::new("rg");
    cmd.args(["-F", "--count-matches", "--no-ignore", "--no-messages", "--"]).arg(term).arg(flat);
    cmd
}

/// Total matches and files with a match, from rg's `path:count` lines.
pub fn parse_rg(stdout: &[u8]) -> (u64, u64) {
    let text = String::from_utf8_lossy(stdout);
    let (mut total, mut files) = (0u64, 0u64);
    for line in text.lines() {
        let count = line.rsplit_once(':').map_or(line, |(_, c)| c);
        if let Ok(n) = count.trim().parse::<u64>() {
            total += n;
            files += 1;
        }
    }
    (total, files)
}

/// A built FTS5 database.
pub struct Fts5 {
    conn: Connection,
    /// Database file.
    pub path: PathBuf,
}

/// SQLite's version and whether FTS5 with the trigram tokenizer works in this build.
pub fn fts5_check() -> Result<String> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram');")
        .context("this SQLite has no FTS5 trigram tokenizer")?;
    conn.execute("INSERT INTO t(body) VALUES (?1)", ["新质生产力发展"])?;
    let n: i64 =
        conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", ["\"质生产\""], |r| r.get(0))?;
    if n != 1 {
        bail!("FTS5 trigram self-test failed");
    }
    Ok(rusqlite::version().to_owned())
}

/// Builds the database from the flat files (one row per speech) in one transaction; returns it
/// with the build time in ms (reading the flat files included).
pub fn fts5_build(db: &Path, files: &[PathBuf]) -> Result<(Fts5, f64)> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    let started = Instant::now();
    let mut conn = Connection::open(db).with_context(|| format!("creating {}", db.display()))?;
    conn.execute_batch("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram');")?;
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO docs(body) VALUES (?1)")?;
        for f in files {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            insert.execute([&text])?;
        }
    }
    tx.commit()?;
    let ms = ms_since(started);
    Ok((Fts5 { conn, path: db.to_owned() }, ms))
}

impl Fts5 {
    /// Size of the database on disk.
    pub fn size(&self) -> u64 {
        ["", "-journal", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", self.path.display())).ok())
            .map(|m| m.len())
            .sum()
    }

    /// How a term is counted: `MATCH` for 3+ characters, `instr()` below.
    pub fn method(term: &str) -> &'static str {
        if term.chars().count() >= 3 { "MATCH" } else { "instr" }
    }

    /// Speeches containing the (folded) term.
    pub fn count_docs(&self, term: &str) -> Result<u64> {
        let n: i64 = if Self::method(term) == "MATCH" {
            let phrase = format!("\"{}\"", term.replace('"', "\"\""));
            self.conn
                .prepare_cached("SELECT count(*) FROM docs WHERE docs MATCH ?1")?
                .query_row([phrase], |r| r.get(0))?
        } else {
            self.conn
                .prepare_cached("SELECT count(*) FROM docs WHERE instr(body, ?1) > 0")?
                .query_row([term], |r| r.get(0))?
        };
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rg_output() {
        assert_eq!(parse_rg(b"a/1.txt:3\nb/2.txt:4\n"), (7, 2));
        assert_eq!(parse_rg(b"5\n"), (5, 1));
        assert_eq!(parse_rg(b""), (0, 0));
    }

    #[test]
    fn fts5_trigram_is_available() {
        fts5_check().unwrap();
    }
}
