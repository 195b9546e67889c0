//! What each command logs, built from the files it left (never from memory, so what W&B
//! shows is what is on disk): the run record (`meta.json`, `summary.json`,
//! `results.jsonl`), curation's `report.json` and `rejected.jsonl`, a comparison, the
//! generation summaries.
//!
//! Metric names use `/` sections, which W&B's workspace turns into panel groups:
//! `pass@k`, `level/<level>/pass_rate`, `domain/<domain>/pass@1`, `status/<verdict>`,
//! `timing/wall_ms/p50`, `funnel/<stage>`. The same numbers are also a long-format
//! `metrics` table (benchmark, level, domain, metric, value) to group and filter by.

use super::{benchmark_name, Artifact, Table, TrackError, TrackedRun};
use crate::record::{load::read_json, Meta, RunRecord, RunSummary, META, RESULTS, SUMMARY};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// `score` (or `merge`): the run directory's record; the samples file as input artifact.
pub(crate) fn score(run_dir: &Path) -> Result<TrackedRun, TrackError> {
    let (meta, summary, rec) = load(run_dir)?;
    let benchmark = benchmark_name(Path::new(&meta.benchmark.path));
    let mut metrics = Metrics::new(&benchmark);
    summary_metrics(&summary, &mut metrics);
    let rows = rec
        .rows
        .iter()
        .map(|r| {
            let tests: Vec<Value> = r
                .tests
                .iter()
                .map(|t| json!({"name": t.name, "level": t.level.as_str(), "status": t.status.as_str()}))
                .collect();
            vec![
                json!(r.task_id),
                json!(r.completion_id),
                json!(r.status().as_str()),
                json!(r.passed),
                json!(Value::Array(tests).to_string()),
                json!(r.wall_ms),
            ]
        })
        .collect();
    let results = Table {
        key: "results".into(),
        columns: cols(&[
            "task_id",
            "completion_id",
            "status",
            "passed",
            "tests",
            "wall_ms",
        ]),
        rows,
    };
    let mut artifacts = Vec::new();
    if let Some(samples) = meta.samples.as_ref().map(|s| PathBuf::from(&s.path)) {
        if samples.is_file() {
            artifacts.push(Artifact {
                name: format!("{benchmark}-samples"),
                kind: "samples".into(),
                files: vec![samples],
                metadata: json!({"hash": meta.samples.as_ref().map(|s| &s.hash)}),
                input: true,
            });
        }
    }
    artifacts.push(results_artifact(run_dir, &benchmark, &meta, Vec::new()));
    Ok(TrackedRun {
        job_type: meta.kind.clone(),
        config: config(&meta, &benchmark),
        tables: vec![results, metrics.table()],
        metrics: metrics.map,
        artifacts,
        log_dir: Some(run_dir.to_path_buf()),
    })
}

/// `curate`: the reference runs' record, the funnel, a table of entries and one of
/// rejections; the curated entries and the report files join the results artifact.
pub(crate) fn curate(
    run_dir: &Path,
    report_dir: &Path,
    output: &Path,
) -> Result<TrackedRun, TrackError> {
    let (meta, summary, _) = load(run_dir)?;
    let report: crate::curate::report::CurationReport = read_json(&report_dir.join("report.json"))?;
    let benchmark = benchmark_name(Path::new(&meta.benchmark.path));
    let mut metrics = Metrics::new(&benchmark);
    summary_metrics(&summary, &mut metrics);
    for step in &report.funnel {
        let name = format!("funnel/{}", json!(step.stage).as_str().unwrap_or("?"));
        metrics.put("", "", name, json!(step.count));
    }
    let kept = report.entries.iter().filter(|e| e.kept).count();
    metrics.map.insert("kept".into(), json!(kept));
    metrics
        .map
        .insert("rejected".into(), json!(report.entries.len() - kept));
    for r in &report.rejections {
        let name = format!("rejections/{}", json!(r.stage).as_str().unwrap_or("?"));
        metrics.put("", "", name, json!(r.count));
    }
    for d in &report.domains {
        metrics.put(
            "",
            &d.domain,
            format!("domain/{}/kept", d.domain),
            json!(d.kept),
        );
    }
    let entries = Table {
        key: "entries".into(),
        columns: cols(&[
            "id", "domain", "origin", "kept", "stage", "reason", "tests", "wall_ms",
        ]),
        rows: report
            .entries
            .iter()
            .map(|e| {
                vec![
                    json!(e.id),
                    json!(e.domain),
                    json!(e.origin),
                    json!(e.kept),
                    json!(e.stage),
                    json!(e.reason),
                    json!(json!(e.tests).to_string()),
                    json!(e.wall_ms),
                ]
            })
            .collect(),
    };
    let rejected_path = report_dir.join("rejected.jsonl");
    let rejected = crate::entry::read_jsonl(&rejected_path)?;
    let rejections = Table {
        key: "rejections".into(),
        columns: cols(&["id", "origin", "stage", "reason"]),
        rows: rejected
            .iter()
            .map(|r| {
                ["id", "origin", "stage", "reason"]
                    .map(|k| r.value.get(k).cloned().unwrap_or(Value::Null))
                    .to_vec()
            })
            .collect(),
    };
    let mut extra = vec![rejected_path, report_dir.join("report.json")];
    if output.is_file() {
        extra.push(output.to_path_buf());
    }
    Ok(TrackedRun {
        job_type: "curate".into(),
        config: config(&meta, &benchmark),
        tables: vec![entries, rejections, metrics.table()],
        metrics: metrics.map,
        artifacts: vec![results_artifact(run_dir, &benchmark, &meta, extra)],
        log_dir: Some(run_dir.to_path_buf()),
    })
}

/// `compare`: the deltas (with their intervals), the paired test, flips and flaky tasks,
/// the gate when one was asked; config from the current run's meta, when it has one.
pub(crate) fn compare(
    base: &RunRecord,
    cur: &RunRecord,
    comparison: &crate::compare::Comparison,
    gate: Option<&crate::compare::gate::GateResult>,
) -> TrackedRun {
    let benchmark = cur.meta.as_ref().map_or_else(
        || cur.name(),
        |m| benchmark_name(Path::new(&m.benchmark.path)),
    );
    let mut config = cur
        .meta
        .as_ref()
        .map_or_else(Map::new, |m| self::config(m, &benchmark));
    config.insert("benchmark".into(), json!(benchmark));
    config.insert("baseline".into(), json!(base.path.display().to_string()));
    config.insert("current".into(), json!(cur.path.display().to_string()));
    if let Some(m) = &base.meta {
        config.insert("baseline_commit".into(), json!(m.git_commit));
        config.insert("baseline_started".into(), json!(m.started));
    }
    let mut metrics = Metrics::new(&benchmark);
    for d in &comparison.pass_at_k {
        for (part, v) in [
            ("baseline", d.baseline),
            ("current", d.current),
            ("delta", d.delta),
            ("ci_low", d.ci_low),
            ("ci_high", d.ci_high),
        ] {
            if let Some(v) = v {
                let name = format!("{part}/{}", d.metric);
                metrics.put("", "", name, json!(v));
            }
        }
    }
    let t = &comparison.test;
    metrics.map.insert("test/p_value".into(), json!(t.p_value));
    metrics.map.insert("test/method".into(), json!(t.method));
    let flips_by =
        |d: crate::compare::Direction| comparison.flips.iter().filter(|f| f.direction == d).count();
    metrics.map.insert(
        "flips/pass_to_fail".into(),
        json!(flips_by(crate::compare::Direction::PassToFail)),
    );
    metrics.map.insert(
        "flips/fail_to_pass".into(),
        json!(flips_by(crate::compare::Direction::FailToPass)),
    );
    metrics
        .map
        .insert("flaky_tasks".into(), json!(comparison.flaky.len()));
    metrics.map.insert(
        "regressed_tasks".into(),
        json!(comparison.regressed_tasks.len()),
    );
    metrics.map.insert(
        "improved_tasks".into(),
        json!(comparison.improved_tasks.len()),
    );
    for s in &comparison.status_shift {
        metrics.map.insert(
            format!("status_delta/{}", s.status),
            json!(s.current as i64 - s.baseline as i64),
        );
    }
    if let Some(g) = gate {
        metrics.map.insert("gate/failed".into(), json!(g.failed));
        metrics
            .map
            .insert("gate/culprits".into(), json!(g.culprits.len()));
    }
    let flips = Table {
        key: "flips".into(),
        columns: cols(&[
            "task_id",
            "completion_id",
            "direction",
            "test",
            "baseline",
            "current",
            "message",
            "flaky",
        ]),
        rows: comparison
            .flips
            .iter()
            .map(|f| {
                vec![
                    json!(f.task_id),
                    json!(f.completion_id),
                    json!(f.direction),
                    json!(f.test),
                    json!(f.baseline.as_str()),
                    json!(f.current.as_str()),
                    json!(f.message),
                    json!(f.flaky),
                ]
            })
            .collect(),
    };
    TrackedRun {
        job_type: "compare".into(),
        config,
        tables: vec![flips, metrics.table()],
        metrics: metrics.map,
        artifacts: Vec::new(),
        log_dir: None,
    }
}

/// `generate samples`/`entries`: the numbers of the command's summary (counts, rejects
/// by reason, token use; `totals/prompt_tokens`, …) and the file written as an output
/// artifact — samples under the name `score` gives its input, so W&B links model →
/// samples → results.
pub(crate) fn generate(
    job_type: &str,
    benchmark: &str,
    summary: &Value,
    config: Map<String, Value>,
    output: &Path,
    run_dir: &Path,
) -> TrackedRun {
    let mut counts = Map::new();
    numbers("", summary, &mut counts);
    let (name, kind) = if job_type == "generate-samples" {
        (format!("{benchmark}-samples"), "samples")
    } else {
        (benchmark.to_string(), "entries")
    };
    let mut c = config;
    c.insert("benchmark".into(), json!(benchmark));
    c.insert("assay_version".into(), json!(env!("CARGO_PKG_VERSION")));
    TrackedRun {
        job_type: job_type.into(),
        config: c,
        metrics: counts,
        tables: Vec::new(),
        artifacts: vec![Artifact {
            name,
            kind: kind.into(),
            files: vec![output.to_path_buf()],
            metadata: Value::Null,
            input: false,
        }],
        log_dir: Some(run_dir.to_path_buf()),
    }
}

/// The numeric leaves of `v`, keyed by their `/`-joined path.
fn numbers(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}/{k}")
                };
                numbers(&key, v, out);
            }
        }
        Value::Number(_) => {
            out.insert(prefix.to_string(), v.clone());
        }
        _ => {}
    }
}

fn load(run_dir: &Path) -> Result<(Meta, RunSummary, RunRecord), TrackError> {
    let meta: Meta = read_json(&run_dir.join(META))?;
    let summary: RunSummary = read_json(&run_dir.join(SUMMARY))?;
    let rec = RunRecord::load(run_dir)?;
    Ok((meta, summary, rec))
}

/// The results artifact: `eval-results`, named after the benchmark, holding the record.
fn results_artifact(run_dir: &Path, benchmark: &str, meta: &Meta, extra: Vec<PathBuf>) -> Artifact {
    let mut files = vec![
        run_dir.join(RESULTS),
        run_dir.join(SUMMARY),
        run_dir.join(META),
    ];
    files.extend(extra);
    Artifact {
        name: benchmark.to_string(),
        kind: "eval-results".into(),
        files,
        metadata: json!({"kind": meta.kind, "benchmark_hash": meta.benchmark.hash,
                         "samples_hash": meta.samples.as_ref().map(|s| &s.hash),
                         "assay_version": meta.assay_version, "git_commit": meta.git_commit}),
        input: false,
    }
}

/// Keys to group by (benchmark, backend, kind, assay version and commit), then the whole
/// meta flattened under `meta.` (per-task hashes left out: one key per task is noise).
fn config(meta: &Meta, benchmark: &str) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("benchmark".into(), json!(benchmark));
    c.insert("backend".into(), json!(meta.backend.name));
    c.insert("kind".into(), json!(meta.kind));
    c.insert("assay_version".into(), json!(meta.assay_version));
    c.insert("assay_commit".into(), json!(meta.git_commit));
    c.insert("benchmark_hash".into(), json!(meta.benchmark.hash));
    flatten("meta", &json!(meta), &mut c);
    c
}

fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "tasks" {
                    continue;
                }
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// summary.json's numbers as metrics: pass@k, counts, by status, level, domain, timing.
fn summary_metrics(s: &RunSummary, metrics: &mut Metrics) {
    for (k, v) in &s.pass_at_k {
        if let Some(v) = v {
            metrics.put("", "", k.to_string(), json!(v));
        }
    }
    for (k, v) in [
        ("samples", s.samples),
        ("tasks", s.tasks),
        ("unattempted_tasks", s.unattempted_tasks),
        ("excluded", s.excluded),
    ] {
        metrics.map.insert(k.into(), json!(v));
    }
    metrics
        .map
        .insert("elapsed_secs".into(), json!(s.elapsed_secs));
    for (status, n) in &s.by_status {
        metrics.put("", "", format!("status/{status}"), json!(n));
    }
    for l in &s.by_level {
        let lv = &l.level;
        metrics.put(lv, "", format!("level/{lv}/tests"), json!(l.tests));
        metrics.put(lv, "", format!("level/{lv}/passed"), json!(l.passed));
        if l.tests > 0 {
            let rate = l.passed as f64 / l.tests as f64;
            metrics.put(lv, "", format!("level/{lv}/pass_rate"), json!(rate));
        }
    }
    for d in &s.by_domain {
        let dn = &d.domain;
        metrics.put("", dn, format!("domain/{dn}/tasks"), json!(d.tasks));
        metrics.put("", dn, format!("domain/{dn}/samples"), json!(d.samples));
        if let Some(p) = d.pass_at_1 {
            metrics.put("", dn, format!("domain/{dn}/pass@1"), json!(p));
        }
    }
    for (clock, p) in [("wall_ms", &s.timing.wall_ms), ("cpu_ms", &s.timing.cpu_ms)] {
        for (q, v) in [
            ("mean", p.mean),
            ("p50", p.p50),
            ("p90", p.p90),
            ("p99", p.p99),
            ("max", p.max),
        ] {
            metrics.put("", "", format!("timing/{clock}/{q}"), json!(v));
        }
    }
    let st = &s.stability;
    if st.retried > 0 {
        metrics
            .map
            .insert("stability/retried".into(), json!(st.retried));
        metrics
            .map
            .insert("stability/unstable".into(), json!(st.unstable));
        metrics
            .map
            .insert("stability/load_sensitive".into(), json!(st.load_sensitive));
    }
}

/// One metric, in the summary map and as a row of the long-format table.
/// A run's numbers, as summary metrics and as the long-format `metrics` table.
struct Metrics {
    map: Map<String, Value>,
    long: Vec<Vec<Value>>,
    benchmark: String,
}

impl Metrics {
    fn new(benchmark: &str) -> Self {
        Metrics {
            map: Map::new(),
            long: Vec::new(),
            benchmark: benchmark.to_string(),
        }
    }

    /// One number under `name`, of `level` and `domain` ("" when it is of none).
    fn put(&mut self, level: &str, domain: &str, name: impl Into<String>, value: Value) {
        let name = name.into();
        let row = vec![
            json!(self.benchmark),
            json!(level),
            json!(domain),
            json!(&name),
            value.clone(),
        ];
        self.long.push(row);
        self.map.insert(name, value);
    }

    fn table(&self) -> Table {
        Table {
            key: "metrics".into(),
            columns: cols(&["benchmark", "level", "domain", "metric", "value"]),
            rows: self.long.clone(),
        }
    }
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_is_flattened_without_per_task_hashes() {
        let mut out = Map::new();
        flatten(
            "meta",
            &json!({"a": 1, "b": {"c": "x", "tasks": {"t1": "h"}}, "l": [1, 2]}),
            &mut out,
        );
        assert_eq!(
            Value::Object(out),
            json!({"meta.a": 1, "meta.b.c": "x", "meta.l": [1, 2]})
        );
    }
}
