//! Human grading of results: a local web app (`server.rs`) where graders score each
//! sample on a rubric (`rubric.rs`) or say which of two samples is better; every grade is
//! a line appended to the grader's own file (`store.rs`), fit for git; `consensus.rs`
//! merges graders into consensus grades with spreads and flags, `agreement.rs` measures
//! how far graders agree (Krippendorff's ordinal alpha, Cohen's kappa, bias), and
//! `report.rs` renders that as Markdown and HTML. Code is highlighted on the server from
//! the Python lexer's tokens (`highlight.rs`). Preference pairs are exported by
//! `export::preferences`.
//!
//! A grade names its sample three ways: task id, completion index and the sample's content
//! hash (`sample_hash`). Only the hash decides which sample a grade belongs to: a rerun
//! whose sample changed under the same ids never inherits the old grade.

pub(crate) mod agreement;
pub(crate) mod consensus;
pub(crate) mod highlight;
pub(crate) mod report;
pub(crate) mod rubric;
pub(crate) mod samples;
pub(crate) mod server;
pub(crate) mod store;

pub(crate) use rubric::Rubric;
pub(crate) use samples::{load_samples, GradedSample};
