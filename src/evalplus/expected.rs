//! Expected outputs: the canonical solution (prompt + canonical_solution, as EvalPlus's
//! `get_groundtruth`) run once per problem through the runner's `calls` instrument, in
//! the sandbox like every program, cached by content under `$ASSAY_CACHE/evalplus/`.
//! Each input's reference time gives its limit, `max(min_time_limit, factor × time)`.

use super::judge::MBPP_NOT_NONE;
use super::{Calls, Check, Dataset, Options, Prepared, Shared, Spec};
use crate::entry::Problem;
use crate::error::{Error, Result};
use crate::run::{self, Instance, Journal, Listener, RunOptions};
use crate::sandbox::{ExecRequest, Instrument, Limits, Sandbox, Status};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

/// What the cache holds for one problem: every input's value (typed JSON) and seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Reference {
    values: Vec<serde_json::Value>,
    secs: Vec<f64>,
}

struct Quiet;

impl Listener for Quiet {
    fn on_event(&mut self, _: &run::Event<'_>) {}
}

/// A version of the cache's contents: bump it when what a reference run reports changes.
const CACHE_VERSION: &str = "evalplus-expected-1";

fn inputs_text(inputs: &[&String]) -> String {
    let mut s = String::from("[");
    for (i, t) in inputs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(t);
    }
    s.push(']');
    s
}

fn cache_dir() -> PathBuf {
    crate::sandbox::wasi::cache_root().join("evalplus")
}

/// The reference outputs of every EvalPlus problem (computed where the cache has none),
/// then each task's `calls` for its samples.
pub(crate) async fn prepare(
    sandbox: Arc<dyn Sandbox>,
    problems: &[Problem],
    limits: &Limits,
    opts: &Options,
    run_dir: &std::path::Path,
    run_opts: &RunOptions,
) -> Result<Prepared> {
    let specs: Vec<(&Problem, &Spec)> = problems
        .iter()
        .filter_map(|p| p.evalplus.as_deref().map(|s| (p, s)))
        .collect();
    if specs.is_empty() {
        return Ok(Prepared::default());
    }
    let dir = cache_dir();
    let mut found: Vec<Option<Reference>> = Vec::new();
    let mut keys = Vec::new();
    let mut jobs = Vec::new();
    let mut owners = Vec::new();
    for (k, (p, spec)) in specs.iter().enumerate() {
        let all: Vec<&String> = spec.base_input.iter().chain(&spec.plus_input).collect();
        let text = inputs_text(&all);
        let convert = spec.convert(&p.id);
        let mut h = blake3::Hasher::new();
        for part in [
            CACHE_VERSION,
            sandbox.name(),
            &p.reference,
            &p.entry_point,
            convert.as_deref().unwrap_or(""),
            &text,
        ] {
            h.update(part.as_bytes());
            h.update(b"\0");
        }
        let key = h.finalize().to_hex().to_string();
        let cached = std::fs::read(dir.join(format!("{key}.json")))
            .ok()
            .and_then(|b| serde_json::from_slice::<Reference>(&b).ok())
            .filter(|r| r.values.len() == all.len() && r.secs.len() == all.len());
        if cached.is_none() {
            let mut reference_limits = Limits::with_timeout(limits.timeout_secs.max(120.0));
            reference_limits.memory_mb = limits.memory_mb;
            jobs.push(run::Job {
                request: ExecRequest {
                    program: p.reference.clone(),
                    tests: Vec::new(),
                    limits: reference_limits,
                    requirements: p.requirements.clone(),
                    instrument: Instrument {
                        calls: Some(Calls {
                            entry_point: p.entry_point.clone(),
                            inputs: Shared(Arc::new(text)),
                            limits: vec![0.0; all.len()],
                            convert,
                            base: spec.base_input.len(),
                            check: None,
                        }),
                        ..Default::default()
                    },
                },
                instance: Instance::Repeat(0),
            });
            owners.push(k);
        }
        found.push(cached);
        keys.push(key);
    }
    if !jobs.is_empty() {
        log::info!(
            "evalplus: computing the expected outputs of {} problems",
            jobs.len()
        );
        let mut journal = Journal::open(&run_dir.join("evalplus-expected"))?;
        // Not the run's listeners: these executions are not samples.
        let outcomes = run::collect_all(sandbox, jobs, &mut journal, run_opts, &mut Quiet).await?;
        std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
        for (o, &k) in outcomes.iter().zip(&owners) {
            let (p, spec) = specs[k];
            let fail = |message: String| {
                Error::input(&spec.path, spec.line, "canonical_solution", message)
            };
            if o.status != Status::Passed {
                return Err(fail(format!(
                    "the canonical solution of {} did not run: {}: {}",
                    p.id, o.status, o.message
                )));
            }
            let mut values = Vec::with_capacity(o.calls.len());
            let mut secs = Vec::with_capacity(o.calls.len());
            for (i, c) in o.calls.iter().enumerate() {
                match (&c.value, &c.error) {
                    (Some(v), None) => {
                        values.push(v.clone());
                        secs.push(c.secs);
                    }
                    _ => {
                        return Err(fail(format!(
                            "the canonical solution of {} failed on {}: {}",
                            p.id,
                            super::input_name(i, spec.base_input.len()),
                            c.error.as_deref().unwrap_or("no value")
                        )))
                    }
                }
            }
            let r = Reference { values, secs };
            crate::entry::write_json(&dir.join(format!("{}.json", keys[k])), &r)?;
            found[k] = Some(r);
        }
    }
    let mut prepared = Prepared::default();
    for ((p, spec), r) in specs.iter().zip(found) {
        let r = r.ok_or_else(|| Error::Internal(format!("no expected outputs for {}", p.id)))?;
        let n = if opts.base_only {
            spec.base_input.len()
        } else {
            spec.base_input.len() + spec.plus_input.len()
        };
        let inputs: Vec<&String> = spec
            .base_input
            .iter()
            .chain(&spec.plus_input)
            .take(n)
            .collect();
        let not_none =
            spec.dataset == Dataset::Mbpp && MBPP_NOT_NONE.contains(&p.entry_point.as_str());
        let expected = r.values[..n]
            .iter()
            .map(|v| match not_none {
                true => serde_json::Value::Bool(!v.is_null()),
                false => v.clone(),
            })
            .collect();
        let limits = r.secs[..n]
            .iter()
            .map(|t| opts.min_time_limit.max(opts.gt_time_limit_factor * t))
            .collect();
        prepared.by_task.insert(
            p.id.clone(),
            Calls {
                entry_point: p.entry_point.clone(),
                inputs: Shared(Arc::new(inputs_text(&inputs))),
                limits,
                convert: spec.convert(&p.id),
                base: spec.base_input.len().min(n),
                check: Some(Shared(Arc::new(Check {
                    dataset: spec.dataset,
                    task_id: p.id.clone(),
                    atol: spec.atol,
                    expected,
                    plus: !opts.base_only,
                }))),
            },
        );
    }
    Ok(prepared)
}
