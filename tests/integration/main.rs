//! End-to-end tests: the real `speechdex` binary on real files.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod cli;
mod common;
mod contract;
mod diff;
mod guards;
mod indexing;
mod metadata;
mod ngrams;
mod reliability;
mod scope;
mod search;
mod server;
mod server_limits;
mod shared;
mod slips;
mod stats;
mod terminal;
mod verify;
