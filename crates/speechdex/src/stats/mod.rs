//! Term statistics and index overviews: counts by year, speaker, region and speech,
//! concordances, comparisons, what changed in the wording between two speeches (`diff`), the
//! frequent or distinctive phrases of a set (`ngrams`) and the words around a term
//! (`collocates`).
//!
//! Every count here comes from the exact field (see [`crate::analysis::exact`]), so it equals a
//! plain substring count over the folded texts.

pub mod bounded;
pub mod collocates;
pub mod compare;
pub mod diff;
pub mod kwic;
pub mod ngrams;
pub mod overview;
pub mod select;
pub mod trend;
pub mod words;

pub use overview::{
    FieldAudit, FieldSpace, Missing, MissingSpeech, Overview, SpaceUsage, field_audit, missing,
    overview, space_usage,
};
