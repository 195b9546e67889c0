//! `assay export preferences`: pairs of samples of one task, the better one `chosen`, for
//! preference tuning (DPO, RLHF reward models).
//!
//! - From human grades (`consensus.jsonl` of `grade consensus`): within a task, every two
//!   samples with at least `min_votes` graders each whose consensus scores differ (the
//!   higher chosen; ties dropped), and every pairwise comparison with `min_votes` votes and
//!   a majority.
//! - From verdicts (`from_verdicts`, no human needed): a passing and a failing sample of
//!   the same task, passing chosen. Within one verdict class, graded samples come first and
//!   their grades order them (best passing, worst failing first).
//!
//! Both are capped per task (`max_per_task`) so tasks with many samples do not flood the
//! set, and come out in a fixed order: tasks as the results list them, then pairs by
//! rank. Formats: TRL's DPO columns (`prompt`, `chosen`, `rejected`) or OpenAI's
//! preference fine-tuning JSONL (`input`, `preferred_output`, `non_preferred_output`),
//! with a `metadata` object inline or in a sidecar file.

use crate::grade::consensus::{Line, PairConsensus, SampleConsensus};
use crate::grade::store::Better;
use crate::grade::GradedSample;
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Trl,
    Openai,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metadata {
    /// A `metadata` object in every record.
    Inline,
    /// `<output stem>.meta.jsonl`, line for line: the records keep only the format's own
    /// columns.
    Sidecar,
}

pub(crate) struct PreferenceRequest {
    pub samples: Vec<GradedSample>,
    pub consensus: Vec<Line>,
    pub min_votes: usize,
    pub from_verdicts: bool,
    pub max_per_task: usize,
    pub format: Format,
    pub metadata: Metadata,
    pub output: PathBuf,
}

#[derive(Debug, Default)]
pub(crate) struct Exported {
    pub pairs: usize,
    pub tasks: usize,
    /// Consensus lines of samples the results do not hold (changed since, or another run).
    pub unmatched: usize,
    /// Pairs left out by `max_per_task`.
    pub capped: usize,
    pub sidecar: Option<PathBuf>,
}

struct Pair<'a> {
    source: &'static str,
    chosen: &'a GradedSample,
    rejected: &'a GradedSample,
    votes: Option<Value>,
}

/// Reads `consensus.jsonl`: a bad line is an error naming file, line and field.
pub(crate) fn read_consensus(path: &Path) -> Result<Vec<Line>> {
    let mut out = Vec::new();
    crate::entry::read_lines(path, |line| {
        if line.text.trim().is_empty() {
            return Ok(());
        }
        let l: Line = serde_json::from_str(&line.text).map_err(|e| {
            let msg = e.to_string();
            let field = if e.is_syntax() || e.is_eof() {
                "json".to_string()
            } else {
                crate::grade::rubric::backticked(&msg)
                    .unwrap_or("kind")
                    .to_string()
            };
            Error::input(path, line.number, &field, msg)
        })?;
        out.push(l);
        Ok(())
    })?;
    Ok(out)
}

fn score_of(c: &SampleConsensus) -> f64 {
    c.score
}

pub(crate) fn export(req: &PreferenceRequest) -> Result<Exported> {
    let mut exported = Exported::default();
    let by_hash: HashMap<&str, &GradedSample> =
        req.samples.iter().map(|s| (s.hash.as_str(), s)).collect();
    let mut graded: HashMap<&str, &SampleConsensus> = HashMap::new();
    let mut compared: Vec<&PairConsensus> = Vec::new();
    for l in &req.consensus {
        match l {
            Line::Grade(c) if by_hash.contains_key(c.sample.as_str()) => {
                if c.votes >= req.min_votes {
                    graded.insert(c.sample.as_str(), c);
                }
            }
            Line::Pair(p)
                if by_hash.contains_key(p.a.sample.as_str())
                    && by_hash.contains_key(p.b.sample.as_str()) =>
            {
                if p.votes >= req.min_votes {
                    compared.push(p);
                }
            }
            _ => exported.unmatched += 1,
        }
    }
    let mut tasks: Vec<&str> = Vec::new();
    let mut of_task: BTreeMap<&str, Vec<&GradedSample>> = BTreeMap::new();
    for s in &req.samples {
        if !of_task.contains_key(s.task_id.as_str()) {
            tasks.push(&s.task_id);
        }
        of_task.entry(&s.task_id).or_default().push(s);
    }
    let mut pairs: Vec<Pair> = Vec::new();
    for task in tasks {
        let samples = &of_task[task];
        let mut found = if req.from_verdicts {
            verdict_pairs(samples, &graded)
        } else {
            graded_pairs(samples, &graded, &compared, &by_hash)
        };
        found.retain(|p| p.chosen.answer != p.rejected.answer);
        if found.len() > req.max_per_task {
            exported.capped += found.len() - req.max_per_task;
            found.truncate(req.max_per_task);
        }
        if !found.is_empty() {
            exported.tasks += 1;
        }
        pairs.extend(found);
    }
    exported.pairs = pairs.len();
    let side = |s: &GradedSample| {
        let c = graded.get(s.hash.as_str());
        json!({
            "completion_id": s.completion_id,
            "sample": s.hash,
            "status": s.status,
            "score": c.map(|c| c.score),
            "scores": c.map(|c| c.dimensions.iter().map(|(d, st)| (d.clone(), json!(st.median))).collect::<serde_json::Map<_, _>>()),
            "votes": c.map_or(0, |c| c.votes),
        })
    };
    let mut records = Vec::new();
    let mut metas = Vec::new();
    for p in &pairs {
        let mut meta = json!({
            "task_id": p.chosen.task_id,
            "source": p.source,
            "chosen": side(p.chosen),
            "rejected": side(p.rejected),
        });
        if let Some(v) = &p.votes {
            meta["pair_votes"] = v.clone();
        }
        let mut record = match req.format {
            Format::Trl => json!({
                "prompt": p.chosen.prompt,
                "chosen": p.chosen.answer,
                "rejected": p.rejected.answer,
            }),
            Format::Openai => json!({
                "input": {
                    "messages": [{"role": "user", "content": p.chosen.prompt}],
                    "tools": [],
                    "parallel_tool_calls": true,
                },
                "preferred_output": [{"role": "assistant", "content": p.chosen.answer}],
                "non_preferred_output": [{"role": "assistant", "content": p.rejected.answer}],
            }),
        };
        match req.metadata {
            Metadata::Inline => record["metadata"] = meta,
            Metadata::Sidecar => metas.push(meta),
        }
        records.push(record);
    }
    crate::entry::write_jsonl(&req.output, &records)?;
    if req.metadata == Metadata::Sidecar {
        let path = sidecar(&req.output);
        crate::entry::write_jsonl(&path, &metas)?;
        exported.sidecar = Some(path);
    }
    Ok(exported)
}

/// `pairs.jsonl` → `pairs.meta.jsonl`.
pub(crate) fn sidecar(output: &Path) -> PathBuf {
    output.with_extension("meta.jsonl")
}

fn graded_pairs<'a>(
    samples: &[&'a GradedSample],
    graded: &HashMap<&str, &SampleConsensus>,
    compared: &[&PairConsensus],
    by_hash: &HashMap<&str, &'a GradedSample>,
) -> Vec<Pair<'a>> {
    let mut scored: Vec<(&'a GradedSample, f64)> = samples
        .iter()
        .filter_map(|s| graded.get(s.hash.as_str()).map(|c| (*s, score_of(c))))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.hash.cmp(&b.0.hash)));
    let mut found: Vec<(f64, Pair)> = Vec::new();
    let mut seen = HashSet::new();
    for (i, (hi, hs)) in scored.iter().enumerate() {
        for (lo, ls) in &scored[i + 1..] {
            if hs > ls {
                seen.insert(unordered(&hi.hash, &lo.hash));
                found.push((
                    hs - ls,
                    Pair {
                        source: "grades",
                        chosen: hi,
                        rejected: lo,
                        votes: None,
                    },
                ));
            }
        }
    }
    // Larger differences first (the clearest preferences survive the cap).
    found.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.chosen.hash.cmp(&b.1.chosen.hash))
            .then(a.1.rejected.hash.cmp(&b.1.rejected.hash))
    });
    let mut out: Vec<Pair> = found.into_iter().map(|(_, p)| p).collect();
    let task = samples
        .first()
        .map(|s| s.task_id.as_str())
        .unwrap_or_default();
    let mut pairwise: Vec<&&PairConsensus> =
        compared.iter().filter(|p| p.task_id == task).collect();
    pairwise.sort_by(|a, b| (&a.a.sample, &a.b.sample).cmp(&(&b.a.sample, &b.b.sample)));
    for p in pairwise {
        let (chosen, rejected) = match p.better {
            Better::A => (&p.a.sample, &p.b.sample),
            Better::B => (&p.b.sample, &p.a.sample),
            Better::Tie => continue,
        };
        if !seen.insert(unordered(chosen, rejected)) {
            continue;
        }
        out.push(Pair {
            source: "pairwise",
            chosen: by_hash[chosen.as_str()],
            rejected: by_hash[rejected.as_str()],
            votes: Some(json!({"chosen": p.a_wins.max(p.b_wins), "rejected": p.a_wins.min(p.b_wins), "ties": p.ties, "votes": p.votes})),
        });
    }
    out
}

fn unordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn verdict_pairs<'a>(
    samples: &[&'a GradedSample],
    graded: &HashMap<&str, &SampleConsensus>,
) -> Vec<Pair<'a>> {
    let rank = |best_first: bool| {
        move |a: &&GradedSample, b: &&GradedSample| {
            let sa = graded.get(a.hash.as_str()).map(|c| score_of(c));
            let sb = graded.get(b.hash.as_str()).map(|c| score_of(c));
            let by_grade = match (sa, sb) {
                (Some(x), Some(y)) if best_first => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            by_grade.then(a.completion_id.cmp(&b.completion_id))
        }
    };
    let mut passing: Vec<&GradedSample> = samples.iter().copied().filter(|s| s.passed()).collect();
    let mut failing: Vec<&GradedSample> = samples
        .iter()
        .copied()
        .filter(|s| !s.passed() && s.status.is_verdict_on_code())
        .collect();
    passing.sort_by(rank(true));
    failing.sort_by(rank(false));
    let mut grid: Vec<(usize, usize)> = (0..passing.len())
        .flat_map(|i| (0..failing.len()).map(move |j| (i, j)))
        .collect();
    // Diagonals first: the best passing with the worst failing, then the next of each, so
    // a cap keeps many different samples rather than one sample many times.
    grid.sort_by_key(|&(i, j)| (i + j, i));
    grid.into_iter()
        .map(|(i, j)| Pair {
            source: "verdicts",
            chosen: passing[i],
            rejected: failing[j],
            votes: None,
        })
        .collect()
}
