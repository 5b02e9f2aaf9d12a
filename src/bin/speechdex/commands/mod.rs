//! One module per subcommand: each turns its arguments into a library call and renders the
//! result.

pub mod index;
pub mod search;
pub mod show;
pub mod stats;
