//! Curation: entries in, the entries whose reference passes every test out, with the
//! reason for every rejection and a funnel report. Stages, in order:
//! schema and unique ids (`load`) → syntax and import policy (`checks`) → reference runs
//! in the sandbox, repeated for the flake check (`judge`) → near-duplicate removal among
//! the passing (`dedupe`) → outputs and `report`.

mod checks;
mod dedupe;
mod judge;
mod load;
pub mod report;
#[cfg(test)]
mod tests;

use crate::entry::{write_jsonl, Entry};
use crate::run::{self, Cancel, Instance, Job, Journal, Listener, RunOptions};
use crate::sandbox::{Limits, Outcome, Sandbox};
use crate::{Error, Result};
use judge::Judgement;
use report::{
    CurationReport, DomainCount, EntryRecord, FunnelStep, LevelRate, ReasonCount, Stage, Step,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One input entry on its way through the stages.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub origin: String,
    pub id: String,
    pub domain: String,
    pub entry: Option<Entry>,
    /// A problem of another benchmark's format (HumanEval, LiveCodeBench, …): what it runs
    /// as, and its record, which is what a kept one is written as (`entry` is its view
    /// for the stages).
    pub foreign: Option<Box<Foreign>>,
    /// (stage, reason) once rejected.
    pub rejection: Option<(Stage, String)>,
    pub outcomes: Vec<Outcome>,
    pub strength: Option<crate::strength::Strength>,
}

#[derive(Debug, Clone)]
pub struct Foreign {
    pub problem: crate::entry::Problem,
    pub record: serde_json::Map<String, serde_json::Value>,
}

impl Candidate {
    fn new(origin: String, entry: Entry) -> Self {
        Candidate {
            origin,
            id: entry.id.clone(),
            domain: entry.domain.clone(),
            entry: Some(entry),
            foreign: None,
            rejection: None,
            outcomes: Vec::new(),
            strength: None,
        }
    }

    fn foreign(
        origin: String,
        problem: crate::entry::Problem,
        record: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let mut entry = problem.as_entry();
        // The task text, for the near-duplicate check and the report.
        entry.description = ["question_content", "question", "description"]
            .iter()
            .find_map(|k| record.get(*k).and_then(|v| v.as_str()))
            .unwrap_or_default()
            .to_string();
        let mut c = Candidate::new(origin, entry);
        if problem.reference.trim().is_empty() {
            c.reject(
                Stage::Schema,
                "no reference solution to check (this format has none)".into(),
            );
        }
        c.foreign = Some(Box::new(Foreign { problem, record }));
        c
    }

    /// What the candidate runs as: its own problem, or its entry's.
    fn problem(&self) -> Option<crate::entry::Problem> {
        match &self.foreign {
            Some(f) => Some(f.problem.clone()),
            None => self.entry.clone().map(crate::entry::Problem::from),
        }
    }

    fn rejected(origin: String, id: String, domain: String, stage: Stage, reason: String) -> Self {
        Candidate {
            origin,
            id,
            domain,
            entry: None,
            foreign: None,
            rejection: Some((stage, reason)),
            outcomes: Vec::new(),
            strength: None,
        }
    }

    fn reject(&mut self, stage: Stage, reason: String) {
        if self.rejection.is_none() {
            self.rejection = Some((stage, reason));
        }
    }

    fn alive(&self) -> bool {
        self.rejection.is_none() && self.entry.is_some()
    }

    fn stage(&self) -> Stage {
        self.rejection.as_ref().map_or(Stage::Kept, |(s, _)| *s)
    }
}

pub struct CurateOptions {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub report_dir: PathBuf,
    /// Reference runs per entry (flake check).
    pub repeats: u32,
    pub deny: Vec<String>,
    pub limits: Limits,
    pub jobs: usize,
    pub run_dir: PathBuf,
    /// Task-text similarity at or above which two entries are duplicates.
    pub similarity: f64,
    /// Measure test strength after dedupe (and reject entries under its thresholds).
    pub strength: Option<StrengthGate>,
    /// Reject (stage `weak`) entries whose static quality score is below this.
    pub min_quality: Option<f64>,
}

/// The strength stage's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StrengthGate {
    /// Line coverage of the reference below which an entry is rejected as `weak`.
    pub min_coverage: Option<f64>,
    /// Mutation score below which an entry is rejected as `weak`.
    pub min_mutation_score: Option<f64>,
    pub max_mutants: usize,
}

/// Runs every stage and writes the curated entries, `rejected.jsonl` and `report.json`
/// (its renderings, `report.md` and `report.html`, are `report::curation::write`'s).
pub async fn curate(
    sandbox: Arc<dyn Sandbox>,
    opts: &CurateOptions,
    listener: &mut dyn Listener,
    cancel: Cancel,
) -> Result<CurationReport> {
    let started = std::time::Instant::now();
    let generation = generation_of(&opts.inputs)?;
    let mut cands = load::load(&opts.inputs)?;
    let input = cands.len();
    for c in cands.iter_mut() {
        checks::syntax(c);
    }
    let parsed = cands.iter().filter(|c| c.alive()).count();
    for c in cands.iter_mut() {
        checks::policy(c, &opts.deny);
    }
    let policy_clean = cands.iter().filter(|c| c.alive()).count();

    // Reference runs: every live candidate, `repeats` times.
    let mut jobs = Vec::new();
    let mut owners = Vec::new();
    for (i, c) in cands.iter().enumerate().filter(|(_, c)| c.alive()) {
        let p = c.problem().expect("alive");
        let request = p.request(p.reference.clone(), &opts.limits);
        for repeat in 0..opts.repeats.max(1) {
            jobs.push(Job {
                request: request.clone(),
                instance: Instance::Repeat(repeat),
            });
            owners.push(i);
        }
    }
    let mut journal = Journal::open(&opts.run_dir)?;
    let meta = crate::record::Meta::start("curate", &*sandbox, &opts.limits, opts.jobs);
    let ropts = RunOptions {
        jobs: opts.jobs,
        retries: 2,
        cancel,
    };
    let outcomes =
        run::collect_all(Arc::clone(&sandbox), jobs, &mut journal, &ropts, listener).await?;
    record_run(&cands, &owners, &outcomes, meta, opts, started)?;
    for (owner, outcome) in owners.into_iter().zip(outcomes) {
        cands[owner].outcomes.push(outcome);
    }

    let mut some_passing = 0;
    let mut all_passing = 0;
    for c in cands.iter_mut().filter(|c| c.alive()) {
        match judge::judge(c) {
            Judgement::AllPassing => {
                some_passing += 1;
                all_passing += 1;
            }
            Judgement::Flaky(reason) => {
                some_passing += usize::from(c.outcomes[0].tests.iter().any(|t| t.status.is_pass()));
                c.reject(Stage::Flaky, reason);
            }
            Judgement::Unsupported(reason) => c.reject(Stage::Unsupported, reason),
            Judgement::SandboxError(reason) => c.reject(Stage::SandboxError, reason),
            Judgement::Failing {
                reason,
                some_passing: any,
            } => {
                some_passing += usize::from(any);
                c.reject(Stage::Execution, reason);
            }
        }
    }
    let mut dedupe = dedupe::Deduper::new(opts.similarity);
    for c in cands.iter_mut().filter(|c| c.alive()) {
        if let Some(reason) = dedupe.check(c.entry.as_ref().expect("alive")) {
            c.reject(Stage::Duplicate, reason);
        }
    }
    let deduplicated = cands.iter().filter(|c| c.alive()).count();
    if let Some(min) = opts.min_quality {
        for c in cands.iter_mut().filter(|c| c.alive()) {
            let q = c.entry.as_ref().and_then(crate::generate::quality::score);
            if let Some(q) = q.filter(|q| q.score < min) {
                c.reject(
                    Stage::Weak,
                    format!(
                        "quality {:.2} < --min-quality {min} ({}/{} functions documented, {}/{} annotated, {} names against PEP 8, {} long lines, {} tests)",
                        q.score, q.documented, q.functions, q.annotated, q.functions,
                        q.bad_names.len(), q.long_lines, q.tests
                    ),
                );
            }
        }
    }
    let strength = match &opts.strength {
        Some(gate) => Some(
            measure_strength(
                &mut cands,
                gate,
                &sandbox,
                opts,
                &mut journal,
                listener,
                &ropts.cancel,
            )
            .await?,
        ),
        None => None,
    };
    // A kept entry is written as it came: a native entry, or the record of its own format.
    let kept = cands
        .iter()
        .filter(|c| c.alive())
        .filter_map(|c| match &c.foreign {
            Some(f) => Some(serde_json::Value::Object(f.record.clone())),
            None => c
                .entry
                .as_ref()
                .map(|e| serde_json::to_value(e).expect("entry serializes")),
        })
        .collect::<Vec<_>>();
    write_jsonl(&opts.output, &kept)?;
    let mut report = build_report(
        &cands,
        [
            input,
            parsed,
            policy_clean,
            some_passing,
            all_passing,
            deduplicated,
        ],
        &*sandbox,
        opts,
        started,
        generation,
    );
    if strength.is_some() || opts.min_quality.is_some() {
        report
            .funnel
            .push(FunnelStep::new(Step::Strong, kept.len()));
    }
    report.strength = strength;
    std::fs::create_dir_all(&opts.report_dir).map_err(|source| Error::Write {
        path: opts.report_dir.clone(),
        source,
    })?;
    let generated = report.generation.iter().flat_map(|g| &g.rejects).map(|r| {
        serde_json::json!({"id": r.id, "origin": r.origin, "stage": Stage::Generation,
                           "reason": format!("{}: {}", r.stage, r.reason), "tests": []})
    });
    let rejected = generated.chain(cands.iter().filter(|c| !c.alive()).map(|c| {
        let (stage, reason) = c.rejection.clone().unwrap_or((Stage::Kept, String::new()));
        serde_json::json!({"id": c.id, "origin": c.origin, "stage": stage, "reason": reason,
                           "tests": judge::test_records(&c.outcomes)})
    }));
    write_jsonl(&opts.report_dir.join("rejected.jsonl"), rejected)?;
    crate::entry::write_json(&opts.report_dir.join("report.json"), &report)?;
    Ok(report)
}

/// The strength stage: coverage and mutant runs of the entries still in, on the same
/// journal as the reference runs; entries under a threshold are rejected as `weak`.
async fn measure_strength(
    cands: &mut [Candidate],
    gate: &StrengthGate,
    sandbox: &Arc<dyn Sandbox>,
    opts: &CurateOptions,
    journal: &mut Journal,
    listener: &mut dyn Listener,
    cancel: &Cancel,
) -> Result<report::StrengthSummary> {
    let started = std::time::Instant::now();
    // Input/output problems have no test code to cover or mutants to kill.
    let alive: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].alive())
        .filter(|&i| {
            cands[i]
                .foreign
                .as_ref()
                .is_none_or(|f| f.problem.io.is_none())
        })
        .collect();
    let entries: Vec<&Entry> = alive
        .iter()
        .filter_map(|&i| cands[i].entry.as_ref())
        .collect();
    let sopts = crate::strength::StrengthOptions {
        max_mutants: gate.max_mutants,
        limits: opts.limits.clone(),
        jobs: opts.jobs,
    };
    let mut runner = crate::strength::Runner {
        sandbox: Arc::clone(sandbox),
        journal,
        listener,
        cancel: cancel.clone(),
    };
    let measured = crate::strength::measure(&mut runner, &entries, &sopts).await?;
    let mean = |f: &dyn Fn(&crate::strength::Strength) -> Option<f64>| {
        let v: Vec<f64> = measured.strength.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let summary = report::StrengthSummary {
        entries: alive.len(),
        min_coverage: gate.min_coverage,
        min_mutation_score: gate.min_mutation_score,
        max_mutants: gate.max_mutants,
        mutants: measured.strength.iter().map(|s| s.mutants).sum(),
        killed: measured.strength.iter().map(|s| s.killed).sum(),
        mean_line_coverage: mean(&|s| s.line_coverage),
        mean_branch_coverage: mean(&|s| s.branch_coverage),
        mean_mutation_score: mean(&|s| s.mutation_score),
        elapsed_secs: started.elapsed().as_secs_f64(),
    };
    for (i, s) in alive.into_iter().zip(measured.strength) {
        if let Some(why) = crate::strength::weakness(&s, gate.min_coverage, gate.min_mutation_score)
        {
            cands[i].reject(Stage::Weak, why);
        }
        cands[i].strength = Some(s);
    }
    Ok(summary)
}

/// The run record of the reference runs (`meta.json`, `summary.json`, `results.jsonl`
/// in the run directory): each reference run is a "sample" of its entry, with its repeat.
fn record_run(
    cands: &[Candidate],
    owners: &[usize],
    outcomes: &[Outcome],
    mut meta: crate::record::Meta,
    opts: &CurateOptions,
    started: std::time::Instant,
) -> Result<()> {
    use crate::entry::{Problem, Sample, SampleBody};
    let mut seen = std::collections::HashSet::new();
    let problems: Vec<Problem> = owners
        .iter()
        .filter(|&&i| seen.insert(i))
        .filter_map(|&i| cands[i].problem())
        .collect();
    let mut repeat: BTreeMap<usize, u32> = BTreeMap::new();
    let samples: Vec<Sample> = owners
        .iter()
        .map(|&i| {
            let e = cands[i].entry.as_ref().expect("run entries are alive");
            let r = repeat.entry(i).or_insert(0);
            *r += 1;
            let mut original = serde_json::Map::new();
            original.insert("task_id".into(), e.id.clone().into());
            original.insert("repeat".into(), (*r - 1).into());
            original.insert("solution".into(), e.reference.clone().into());
            Sample {
                task_id: e.id.clone(),
                body: SampleBody::Solution(e.reference.clone()),
                line: 0,
                original,
            }
        })
        .collect();
    let ks = vec![1];
    meta.ks = ks.clone();
    meta.benchmark = crate::record::meta::InputDigest::benchmark(
        opts.inputs
            .first()
            .map_or(std::path::Path::new(""), |p| p.as_path()),
        &problems,
    );
    meta.output = opts.output.display().to_string();
    meta.finish(started);
    let results = opts.run_dir.join(crate::record::RESULTS);
    crate::score::write_results(&results, &samples, outcomes)?;
    let briefs: Vec<_> = outcomes.iter().map(crate::score::Brief::of).collect();
    let summary = crate::record::summarize(&problems, &samples, &briefs, &[], &ks, &meta);
    crate::record::write(&opts.run_dir, &meta, &summary)
}

fn build_report(
    cands: &[Candidate],
    funnel: [usize; 6],
    sandbox: &dyn Sandbox,
    opts: &CurateOptions,
    started: std::time::Instant,
    generation: Vec<crate::generate::GenerationSummary>,
) -> CurationReport {
    const STEPS: [Step; 6] = [
        Step::Input,
        Step::Parsed,
        Step::PolicyClean,
        Step::SomePassing,
        Step::AllPassing,
        Step::Deduplicated,
    ];
    let mut domains: BTreeMap<String, DomainCount> = BTreeMap::new();
    let mut levels: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut reasons: BTreeMap<Stage, usize> = BTreeMap::new();
    let mut timings = Vec::new();
    let mut entries = Vec::new();
    for c in cands {
        let domain = if c.domain.is_empty() {
            "unknown".to_string()
        } else {
            c.domain.clone()
        };
        let d = domains.entry(domain.clone()).or_insert(DomainCount {
            domain,
            input: 0,
            kept: 0,
        });
        d.input += 1;
        d.kept += usize::from(c.alive());
        if let Some(first) = c.outcomes.first() {
            for t in &first.tests {
                let l = levels.entry(t.level.as_str()).or_insert((0, 0));
                l.0 += 1;
                l.1 += usize::from(t.status.is_pass());
            }
        }
        let wall = judge::median_wall_ms(&c.outcomes);
        timings.extend(wall);
        if let Some((stage, _)) = &c.rejection {
            *reasons.entry(*stage).or_insert(0) += 1;
        }
        entries.push(EntryRecord {
            id: c.id.clone(),
            domain: c.domain.clone(),
            origin: c.origin.clone(),
            kept: c.alive(),
            stage: c.stage(),
            reason: c
                .rejection
                .as_ref()
                .map(|(_, r)| r.clone())
                .unwrap_or_default(),
            tests: judge::test_records(&c.outcomes),
            wall_ms: wall,
            strength: c.strength.clone(),
            quality: c.entry.as_ref().and_then(crate::generate::quality::score),
        });
    }
    // Answers that never became entries: rejected by the generation stage.
    let gen_rejects: Vec<EntryRecord> = generation
        .iter()
        .flat_map(|g| &g.rejects)
        .map(|r| EntryRecord {
            id: r.id.clone(),
            domain: r.domain.clone(),
            origin: r.origin.clone(),
            kept: false,
            stage: Stage::Generation,
            reason: format!("{}: {}", r.stage, r.reason),
            tests: Vec::new(),
            wall_ms: None,
            strength: None,
            quality: None,
        })
        .collect();
    if !gen_rejects.is_empty() {
        reasons.insert(Stage::Generation, gen_rejects.len());
    }
    entries.splice(0..0, gen_rejects);
    let mut steps: Vec<FunnelStep> = Vec::new();
    if !generation.is_empty() {
        let sum = |f: &dyn Fn(&crate::generate::GenerationSummary) -> usize| {
            generation.iter().map(f).sum::<usize>()
        };
        for (stage, count) in [
            (Step::Sources, sum(&|g| g.sources)),
            (Step::Answers, sum(&|g| g.answers)),
            (Step::Generated, sum(&|g| g.parsed)),
        ] {
            steps.push(FunnelStep::new(stage, count));
        }
    }
    // In pipeline order: the map's order is `Stage`'s.
    let rejections: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(stage, count)| ReasonCount { stage, count })
        .collect();
    CurationReport {
        generated_by: format!("assay {}", env!("CARGO_PKG_VERSION")),
        backend: sandbox.name().to_string(),
        repeats: opts.repeats.max(1),
        elapsed_secs: started.elapsed().as_secs_f64(),
        funnel: steps
            .into_iter()
            .chain(
                STEPS
                    .into_iter()
                    .zip(funnel)
                    .map(|(stage, count)| FunnelStep::new(stage, count)),
            )
            .collect(),
        generation,
        strength: None,
        domains: domains.into_values().collect(),
        levels: ["normal", "edge_case", "correctness"]
            .iter()
            .map(|l| {
                let (tests, passed) = levels.get(l).copied().unwrap_or((0, 0));
                LevelRate {
                    level: l.to_string(),
                    tests,
                    passed,
                }
            })
            .collect(),
        rejections,
        timings_ms: timings,
        entries,
    }
}

/// The summaries `generate entries` left beside the JSONL inputs (`<input>.generation.json`).
fn generation_of(inputs: &[PathBuf]) -> Result<Vec<crate::generate::GenerationSummary>> {
    let mut out = Vec::new();
    for input in inputs.iter().filter(|p| p.is_file()) {
        if let Some(g) = crate::generate::summary::read_beside(input)? {
            out.push(g);
        }
    }
    Ok(out)
}
