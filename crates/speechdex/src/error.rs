//! Typed errors of the speechdex library.
//!
//! Every variant says what failed and on what (file, line, query position) so that the binary can
//! print it as is. [`Error::is_user_error`] separates "your input is wrong" (bad query, unknown
//! speech id, bad argument) from "something broke" (I/O, index corruption), so that the server can
//! map them to 4xx and 5xx responses.

use std::path::PathBuf;

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the speechdex library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{action} {path}: {error}", path = .path.display())]
    Io {
        /// What we were doing ("reading", "creating index folder", ...).
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The operating system's error (part of the message, hence not a `source`).
        error: std::io::Error,
    },
    /// A query could not be parsed.
    #[error("query error at character {position}: {message}")]
    Query {
        /// What is wrong with the query.
        message: String,
        /// 0-based character position in the query where the problem is.
        position: usize,
    },
    /// An argument given by the user is invalid (a bad encoding label, a bad range, ...).
    #[error("{0}")]
    InvalidArgument(String),
    /// No index exists where one was expected.
    #[error(
        "no index at {path}: build one with `speechdex index CORPUS_DIR --index {path}`",
        path = .path.display()
    )]
    IndexNotFound {
        /// The index folder that was looked at.
        path: PathBuf,
    },
    /// Another indexer holds the index lock.
    #[error(
        "the index at {path} is being written by another speechdex process; wait for it to \
         finish (its lock on the folder goes with the process: nothing needs removing by hand)",
        path = .path.display()
    )]
    Locked {
        /// The index folder.
        path: PathBuf,
    },
    /// `--index` names a folder that holds other things than a speechdex index.
    #[error(
        "{path} is not a speechdex index (it holds {holds}, and no SPEECHDEX_INDEX marker); \
         nothing was changed. Give `--index` a new or empty folder, or the folder of an existing \
         index",
        path = .path.display()
    )]
    NotAnIndex {
        /// The folder.
        path: PathBuf,
        /// Some of what it holds.
        holds: String,
    },
    /// A corpus root is missing, unreadable or holds nothing to index; the index was not touched.
    #[error("corpus {path}: {problem}; the index was not changed", path = .path.display())]
    Corpus {
        /// The corpus root (or roots).
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A build would remove most of the index's speeches; it was stopped before any change.
    #[error(
        "this run would remove {removed} of the {before} speeches in the index at {path}, more \
         than half ({after} speeches after the run): the corpus may be missing files (an \
         unmounted share, a wrong path, renamed files). Nothing was changed. If the removal is \
         intended, run again with --allow-shrink",
        path = .path.display()
    )]
    Shrink {
        /// The index folder.
        path: PathBuf,
        /// Speeches in the index before the run.
        before: u64,
        /// Speeches that would be removed.
        removed: u64,
        /// Speeches that would be left.
        after: u64,
    },
    /// The index was written by an incompatible version of speechdex.
    #[error("the index at {path} {problem}; rebuild it with `speechdex index --rebuild`", path = .path.display())]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// What is incompatible.
        problem: String,
    },
    /// A fault injected by a crash-safety test (`SPEECHDEX_TEST_HOOK`; see `index::fault`).
    #[cfg(any(test, feature = "fault-injection"))]
    #[error("injected fault (SPEECHDEX_TEST_HOOK): {0}")]
    Injected(&'static str),
    /// A speech id that the index does not hold.
    #[error("no speech with id {0:?} in the index (ids are shown by `speechdex search`)")]
    UnknownId(String),
    /// An id that names a file of the corpus holding one or more speeches, not a speech.
    #[error("{}", file_not_speech(.file, .ids))]
    FileNotSpeech {
        /// The id as given (a file's path).
        file: String,
        /// The ids of the file's speeches, in order.
        ids: Vec<String>,
    },
    /// Writing the index failed (most often: its disk is full); the previous index is kept.
    #[error(
        "writing the index at {path} failed: {error}. {free} is free on its disk; a full build \
         needs about 1.5 times the size of the corpus there, beside the previous index, which is \
         kept until the new one is complete. The index was left as it was: free some space, or \
         give --index a folder on a larger disk, and run again",
        path = .path.display()
    )]
    WriteFailed {
        /// The index folder.
        path: PathBuf,
        /// Free space on the index's file system, for people ("312.5 MB").
        free: String,
        /// What tantivy or the file system reported (part of the message, hence not a `source`).
        error: Box<Error>,
    },
    /// An error of the tantivy search engine.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A settings file (`speechdex.toml`) is invalid.
    #[error("{path}: {message}", path = .path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, and on which line.
        message: String,
    },
    /// A user dictionary could not be read.
    #[error("dictionary {path}: {message}", path = .path.display())]
    Dictionary {
        /// The dictionary file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// Builds an [`Error::Io`] for `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), error: source }
    }

    /// True when the error is caused by what the user gave (query, id, argument) rather than by
    /// a failure of the system.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::Query { .. }
                | Error::InvalidArgument(_)
                | Error::UnknownId(_)
                | Error::FileNotSpeech { .. }
                | Error::Config { .. }
        )
    }
}

/// The message of [`Error::FileNotSpeech`]: the speech's id, or the first ids of the file's.
fn file_not_speech(file: &str, ids: &[String]) -> String {
    match ids {
        [only] => format!("{file:?} is a file; its speech is {only} (`speechdex show {only}`)"),
        _ => {
            let first = ids.first().map_or("", String::as_str);
            let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
            format!(
                "{file:?} is a file of {} speeches; show one by its id: {}{} (`speechdex show {first}`)",
                ids.len(),
                shown.join(", "),
                if ids.len() > 5 { ", …" } else { "" }
            )
        }
    }
}
