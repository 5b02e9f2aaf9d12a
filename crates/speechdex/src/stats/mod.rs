//! Term statistics and index overviews: counts by year, speaker, region and speech,
//! concordances, comparisons, and what changed in the wording between two speeches (`diff`).
//!
//! Every count here comes from the exact field (see [`crate::analysis::exact`]), so it equals a
//! plain substring count over the folded texts.

pub mod boilerplate;
pub mod bounded;
pub mod compare;
pub mod diff;
pub mod kwic;
pub mod overview;
pub mod select;
pub mod trend;
pub mod words;

pub use overview::{
    FieldAudit, FieldSpace, Missing, MissingSpeech, Overview, SpaceUsage, field_audit, missing,
    overview, space_usage,
};
