//! speechdex: exact full-text search and term statistics for Chinese policy speeches.
//!
//! Data flows one way: files → [`corpus`] → [`analysis`] → [`index`] → [`search`] / [`stats`]
//! → [`output`] → the `speechdex` command line (the workspace's root package) and the
//! `speechdex-server` package. A module never imports one of a later stage; the library never
//! prints and never uses clap; errors are typed ([`Error`]).

pub mod analysis;
pub mod choice;
pub mod corpus;
mod error;
pub mod index;
pub mod output;
pub mod search;
pub mod stats;

pub use choice::Choice;
pub use error::{Error, Result};
