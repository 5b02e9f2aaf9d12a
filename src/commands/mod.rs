//! One module per subcommand: each turns its arguments into a library call and renders the
//! result.

pub mod collocates;
pub mod compare;
pub mod diff;
pub mod index;
pub mod kwic;
pub mod ngrams;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;
pub mod top;
pub mod trend;
pub mod verify;
