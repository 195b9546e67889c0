//! `assay merge RUN... -o RUN`: shard runs back into one run, with the results (in the
//! samples file's order) and summary an unsharded run writes, computed by the same code.
//!
//! Refused, with a message naming the runs: a directory that is not a shard run, shards
//! that differ in what they scored (benchmark or samples contents, limits, backend, k,
//! `--dedupe-identical`, N), the same shard twice, a missing shard, a shard whose tasks are
//! not the ones the partition gives it (another assay's partition), an incomplete shard.

use super::{FileId, SampleOutcome, ShardRecord, ShardSpec, OUTCOMES, RECORD, RESULTS};
use crate::entry::{self, Problem, Sample};
use crate::sandbox::Outcome;
use crate::score::{self, Summary};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct MergeRequest {
    pub runs: Vec<PathBuf>,
    pub output: PathBuf,
    /// Where the problems and samples are now, when not at the paths the shards recorded
    /// (artifacts downloaded elsewhere); their contents must hash the same.
    pub problems: Option<PathBuf>,
    pub samples: Option<PathBuf>,
}

/// `merged.json` in the output run: where it came from.
#[derive(Serialize)]
struct MergeRecord<'a> {
    merged_from: Vec<MergedShard<'a>>,
    count: u32,
    assay_version: &'a str,
    problems: &'a FileId,
    samples: &'a FileId,
    limits: &'a crate::sandbox::Limits,
    backend: &'a str,
    ks: &'a [u64],
    dedupe_identical: bool,
}

#[derive(Serialize)]
struct MergedShard<'a> {
    shard: String,
    run: &'a Path,
    samples: usize,
    elapsed_secs: f64,
}

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

fn read_record(run: &Path) -> Result<ShardRecord> {
    if !run.is_dir() {
        return Err(usage(format!(
            "{} is not a shard run directory (the --run-dir of `assay score --shard I/N`)",
            run.display()
        )));
    }
    let path = run.join(RECORD);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(usage(format!(
                "{} is not a shard run, or its shard has not finished: no {RECORD} \
                 (`assay score --shard I/N --run-dir {}` writes it last)",
                run.display(),
                run.display()
            )))
        }
        Err(source) => return Err(Error::Read { path, source }),
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &path,
            e.line(),
            RECORD,
            format!("not a shard record of this assay: {e}"),
        )
    })
}

/// The first field in which two shard records differ in what they scored.
fn difference(a: &ShardRecord, b: &ShardRecord) -> Option<(&'static str, String, String)> {
    let pairs: [(&'static str, String, String); 7] = [
        (
            "shard count N",
            a.shard.count.to_string(),
            b.shard.count.to_string(),
        ),
        (
            "benchmark (problems file contents)",
            format!(
                "{} ({})",
                &a.problems.blake3[..12],
                a.problems.path.display()
            ),
            format!(
                "{} ({})",
                &b.problems.blake3[..12],
                b.problems.path.display()
            ),
        ),
        (
            "samples (samples file contents)",
            format!("{} ({})", &a.samples.blake3[..12], a.samples.path.display()),
            format!("{} ({})", &b.samples.blake3[..12], b.samples.path.display()),
        ),
        (
            "limits",
            limits_diff(&a.limits, &b.limits).0,
            limits_diff(&a.limits, &b.limits).1,
        ),
        ("backend", a.backend.clone(), b.backend.clone()),
        ("k values", j(&a.ks), j(&b.ks)),
        (
            "--dedupe-identical",
            a.dedupe_identical.to_string(),
            b.dedupe_identical.to_string(),
        ),
    ];
    pairs.into_iter().find(|(_, x, y)| x != y)
}

/// The limits in which two records differ, as `name=value` lists (empty when equal).
fn limits_diff(a: &crate::sandbox::Limits, b: &crate::sandbox::Limits) -> (String, String) {
    let (serde_json::Value::Object(a), serde_json::Value::Object(b)) =
        (serde_json::json!(a), serde_json::json!(b))
    else {
        return (j(a), j(b));
    };
    let keys: Vec<&String> = a.keys().filter(|k| a.get(*k) != b.get(*k)).collect();
    let show = |m: &serde_json::Map<String, serde_json::Value>| {
        keys.iter()
            .map(|k| format!("{k}={}", m.get(*k).unwrap_or(&serde_json::Value::Null)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (show(&a), show(&b))
}

/// A compact JSON rendering for messages.
fn j(v: &impl Serialize) -> String {
    serde_json::to_string(v).expect("serializes")
}

/// An input file as the shards saw it: at `given` (or its recorded path), same contents.
fn locate(given: Option<&Path>, recorded: &FileId, what: &str, flag: &str) -> Result<PathBuf> {
    let path = given.map_or_else(|| recorded.path.clone(), Path::to_path_buf);
    if !path.exists() {
        return Err(usage(format!(
            "the {what} file the shards scored, {}, is not there: give its copy with {flag}",
            path.display()
        )));
    }
    let now = FileId::of(&path)?;
    if now.blake3 != recorded.blake3 {
        return Err(usage(format!(
            "{} is not the {what} file the shards scored (content hash {} now, {} then)",
            path.display(),
            &now.blake3[..12],
            &recorded.blake3[..12]
        )));
    }
    Ok(path)
}

/// Reads a shard's `outcomes.jsonl` into `slots` (by sample index), checking it covers
/// exactly the shard's samples.
fn read_outcomes(
    run: &Path,
    record: &ShardRecord,
    samples: &[Sample],
    slots: &mut [Option<Outcome>],
) -> Result<()> {
    let path = run.join(OUTCOMES);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let o: SampleOutcome = serde_json::from_str(line)
            .map_err(|e| Error::input(&path, i + 1, "outcome", e.to_string()))?;
        let Some(sample) = samples.get(o.sample) else {
            return Err(Error::input(
                &path,
                i + 1,
                "sample",
                format!(
                    "index {} is past the samples file's {} records",
                    o.sample,
                    samples.len()
                ),
            ));
        };
        if sample.task_id != o.task_id {
            return Err(Error::input(
                &path,
                i + 1,
                "task_id",
                format!(
                    "{:?}, but sample {} of the samples file is of {:?}",
                    o.task_id, o.sample, sample.task_id
                ),
            ));
        }
        if slots[o.sample].replace(o.outcome).is_some() {
            return Err(Error::input(
                &path,
                i + 1,
                "sample",
                format!("sample {} has two outcomes", o.sample),
            ));
        }
        n += 1;
    }
    if n != record.shard_samples {
        return Err(usage(format!(
            "shard {} in {} is incomplete: {n} of its {} samples have outcomes (did it finish?)",
            record.shard,
            run.display(),
            record.shard_samples
        )));
    }
    Ok(())
}

/// Merges the shard runs of `req` into `req.output`; returns the merged summary.
pub fn merge(req: &MergeRequest) -> Result<Summary> {
    if req.runs.is_empty() {
        return Err(usage(
            "merge needs the shard runs: assay merge RUN... -o RUN".into(),
        ));
    }
    let mut records: Vec<(PathBuf, ShardRecord)> = Vec::new();
    for run in &req.runs {
        if same_dir(run, &req.output) {
            return Err(usage(format!(
                "-o {} is one of the shard runs; merge into a new directory",
                req.output.display()
            )));
        }
        records.push((run.clone(), read_record(run)?));
    }
    let (first_run, first) = &records[0];
    for (run, r) in &records[1..] {
        if let Some((what, a, b)) = difference(first, r) {
            return Err(usage(format!(
                "shard runs differ in {what}: {} has {a}, {} has {b}",
                first_run.display(),
                run.display()
            )));
        }
    }
    let count = first.shard.count;
    let mut by_index: BTreeMap<u32, &Path> = BTreeMap::new();
    for (run, r) in &records {
        if let Some(other) = by_index.insert(r.shard.index, run) {
            return Err(usage(format!(
                "shard {} is given twice: {} and {}",
                r.shard,
                other.display(),
                run.display()
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !by_index.contains_key(i))
        .map(|index| ShardSpec { index, count }.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(usage(format!(
            "missing shard(s) {} of the {count}: merge needs every shard",
            missing.join(", ")
        )));
    }

    let problems_path = locate(
        req.problems.as_deref(),
        &first.problems,
        "problems",
        "--problems",
    )?;
    let samples_path = locate(
        req.samples.as_deref(),
        &first.samples,
        "samples",
        "--samples",
    )?;
    let problems: Vec<Problem> = entry::load_problems(&problems_path)?;
    let samples: Vec<Sample> = entry::load_samples(&samples_path, &problems)?;

    // Each shard holds the tasks this assay's partition gives it.
    let assignment = super::partition(&samples, count);
    for (run, r) in &records {
        let expected: Vec<String> = problems
            .iter()
            .filter(|p| assignment.get(&p.id) == Some(&r.shard.index))
            .map(|p| p.id.clone())
            .collect();
        if expected != r.tasks {
            let got = super::tasks_of(&[r]);
            let want: std::collections::BTreeSet<String> = expected.into_iter().collect();
            let stray: Vec<&String> = got.symmetric_difference(&want).take(3).collect();
            return Err(usage(format!(
                "shard {} in {} does not hold the tasks the partition gives it (e.g. {stray:?}): \
                 were the shards run by different assay versions ({})?",
                r.shard,
                run.display(),
                r.assay_version
            )));
        }
    }

    let mut slots: Vec<Option<Outcome>> = vec![None; samples.len()];
    for (run, r) in &records {
        read_outcomes(run, r, &samples, &mut slots)?;
    }
    let outcomes: Vec<Outcome> = slots
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.ok_or_else(|| {
                usage(format!(
                    "sample {i} ({}) has no outcome in any shard",
                    samples[i].task_id
                ))
            })
        })
        .collect::<Result<_>>()?;

    let out = &req.output;
    std::fs::create_dir_all(out).map_err(|source| Error::Write {
        path: out.clone(),
        source,
    })?;
    let results = out.join(RESULTS);
    score::results::write(
        &results,
        &samples,
        &score::completion_ids(&samples),
        &outcomes,
    )?;
    let briefs: Vec<score::Brief> = outcomes.iter().map(score::Brief::of).collect();
    merge_journals(&records, &out.join("journal.jsonl"))?;
    let mut summary = score::summarize(&problems, &samples, &briefs, &first.ks);
    summary.backend = first.backend.clone();
    summary.results = results;
    // The shards ran side by side: the merged run took as long as the slowest.
    summary.elapsed_secs = records
        .iter()
        .map(|(_, r)| r.elapsed_secs)
        .fold(0.0, f64::max);
    write_record(out, &records)?;
    // The run record (meta.json, summary.json, results copy) with score's own code, so
    // `compare`, `report` and `runs list` read a merged run as an unsharded one.
    let mut meta: crate::record::Meta =
        crate::record::load::read_json(&records[0].0.join(crate::record::META))?;
    meta.started = records
        .iter()
        .filter_map(|(run, _)| {
            crate::record::load::read_json::<crate::record::Meta>(&run.join(crate::record::META))
                .ok()
        })
        .min_by(|a, b| a.started_unix().total_cmp(&b.started_unix()))
        .map_or(meta.started.clone(), |m| m.started);
    meta.elapsed_secs = summary.elapsed_secs;
    meta.ended = crate::record::meta::now();
    meta.command = std::env::args().collect();
    meta.benchmark = crate::record::meta::InputDigest::benchmark(&problems_path, &problems);
    meta.samples = Some(crate::record::meta::InputDigest::samples(
        &samples_path,
        &samples,
        &problems,
    ));
    meta.output = summary.results.display().to_string();
    let record = crate::record::summarize(&problems, &samples, &briefs, &[], &first.ks, &meta);
    crate::record::write(out, &meta, &record)?;
    Ok(summary)
}

/// `merged.json`: where each shard of the merged run came from. The rest of the run
/// record (meta.json, summary.json, results copy) is `record::write`'s, as for `score`.
fn write_record(out: &Path, records: &[(PathBuf, ShardRecord)]) -> Result<()> {
    let first = &records[0].1;
    let mut sorted: Vec<&(PathBuf, ShardRecord)> = records.iter().collect();
    sorted.sort_by_key(|(_, r)| r.shard.index);
    let record = MergeRecord {
        merged_from: sorted
            .iter()
            .map(|(run, r)| MergedShard {
                shard: r.shard.to_string(),
                run,
                samples: r.shard_samples,
                elapsed_secs: r.elapsed_secs,
            })
            .collect(),
        count: first.shard.count,
        assay_version: env!("CARGO_PKG_VERSION"),
        problems: &first.problems,
        samples: &first.samples,
        limits: &first.limits,
        backend: &first.backend,
        ks: &first.ks,
        dedupe_identical: first.dedupe_identical,
    };
    crate::entry::write_json(&out.join("merged.json"), &record)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The shards' journals, one after another: a later unsharded `score --run-dir` of the
/// merged run resumes from every execution the shards finished.
fn merge_journals(records: &[(PathBuf, ShardRecord)], to: &Path) -> Result<()> {
    let mut text = String::new();
    for (run, _) in records {
        if let Ok(t) = std::fs::read_to_string(run.join("journal.jsonl")) {
            for line in t.lines().filter(|l| !l.trim().is_empty()) {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    std::fs::write(to, text).map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}
