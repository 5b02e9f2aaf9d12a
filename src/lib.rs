//! speechdex: exact full-text search and term statistics for Chinese policy speeches.
//!
//! Data flows one way: files → [`corpus`] → [`analysis`] → [`index`] → [`search`] / [`stats`]
//! → [`output`] → the `speechdex` binary and [`server`]. The library never prints and never uses
//! clap; errors are typed ([`Error`]).

pub mod analysis;
pub mod corpus;
mod error;
pub mod index;
pub mod output;
pub mod search;
pub mod server;
pub mod stats;

pub use error::{Error, Result};
