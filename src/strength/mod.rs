//! Test strength: how much of the reference its tests exercise, and how many small
//! changes to it (mutants) they notice.
//!
//! Two passes through the one orchestrator (`run::collect_all`), like curation's reference
//! runs: first each reference with its tests under the runner's coverage instrument
//! (`Instrument::coverage`: lines and branch arms, measured inside the sandbox with the
//! standard library, so every backend measures the same way); then every selected mutant
//! (`mutants`) with the same tests and `fail_fast`, under a wall-clock limit scaled from
//! the reference's own time. A mutant is killed when its run does not pass (a failed
//! assertion, an exception, a timeout, a crash); one the harness could not run
//! (`sandbox_error`, `unsupported`) counts neither way. The mutation score is killed
//! over killed + survived.

pub(crate) mod mutants;

use crate::entry::{Entry, TestCase};
use crate::run::{self, Cancel, Instance, Job, Journal, Listener, RunOptions};
use crate::sandbox::{Coverage, ExecRequest, Instrument, Limits, Outcome, Sandbox, Status};
use crate::Result;
use mutants::Mutant;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Mutants per entry unless told otherwise.
pub const DEFAULT_MAX_MUTANTS: usize = 12;

/// How to measure.
#[derive(Debug, Clone)]
pub struct StrengthOptions {
    /// At most this many mutants per entry (spread over the operators).
    pub max_mutants: usize,
    pub limits: Limits,
    pub jobs: usize,
}

/// What became of one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    Killed,
    Survived,
    /// The harness could not run it: not counted.
    Errored,
}

impl Fate {
    pub(crate) fn of(o: &Outcome) -> Fate {
        match o.status {
            Status::Passed => Fate::Survived,
            Status::SandboxError | Status::Unsupported => Fate::Errored,
            _ => Fate::Killed,
        }
    }
}

/// A surviving mutant, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survivor {
    pub operator: String,
    pub line: usize,
    pub description: String,
}

/// One entry's test strength (in `report.json` per entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strength {
    /// Executed over executable lines of the reference; `None` when the coverage run did
    /// not finish (its status is in `coverage_status`).
    pub line_coverage: Option<f64>,
    /// Branch arms taken over arms (two per conditional jump).
    pub branch_coverage: Option<f64>,
    pub lines: usize,
    pub lines_hit: usize,
    pub arms: usize,
    pub arms_taken: usize,
    /// Executable lines no test reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed_lines: Vec<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub coverage_status: String,
    /// Mutants generated from the reference before the per-entry cap.
    pub mutants_found: usize,
    /// Mutants run and counted (killed + survived).
    pub mutants: usize,
    pub killed: usize,
    /// Mutants the harness could not run (not counted).
    pub errored: usize,
    /// killed / (killed + survived); `None` without a counted mutant.
    pub mutation_score: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub survivors: Vec<Survivor>,
}

/// Strength measured for each entry, and the mutants that survived (their programs, for
/// re-running against new tests).
pub(crate) struct Measured {
    pub strength: Vec<Strength>,
    pub survivors: Vec<Vec<Mutant>>,
    /// The reference's wall time in its coverage run, per entry (ms).
    pub wall_ms: Vec<Option<f64>>,
}

/// The orchestrator's side of a measurement: where to journal, what to tell, what stops it.
pub(crate) struct Runner<'a> {
    pub sandbox: Arc<dyn Sandbox>,
    pub journal: &'a mut Journal,
    pub listener: &'a mut dyn Listener,
    pub cancel: Cancel,
}

impl Runner<'_> {
    pub(crate) async fn run(&mut self, jobs: Vec<Job>, parallel: usize) -> Result<Vec<Outcome>> {
        let opts = RunOptions {
            jobs: parallel,
            retries: 2,
            cancel: self.cancel.clone(),
        };
        run::collect_all(
            Arc::clone(&self.sandbox),
            jobs,
            self.journal,
            &opts,
            self.listener,
        )
        .await
    }
}

fn base_request(e: &Entry, limits: &Limits, tests: Vec<TestCase>) -> ExecRequest {
    ExecRequest {
        program: e.reference.clone(),
        tests,
        limits: limits.overridden(&e.limits.clone().unwrap_or_default()),
        requirements: e.requirements.clone(),
        instrument: Instrument::default(),
    }
}

/// A mutant's wall-clock limit: ten times the reference's time plus two seconds, never
/// above the entry's own limit (a mutant that loops forever is killed by it, not waited for).
/// Rounded up to a tenth of a second: the reference's time comes back from the journal
/// on a resumed run, possibly an ulp off (serde_json's float parsing), and the limit is
/// part of the request, so an exact one would make those mutants new jobs.
fn mutant_limits(mut limits: Limits, reference_ms: Option<f64>) -> Limits {
    if let Some(ms) = reference_ms {
        let tenths = (ms / 10.0 + 20.0).ceil();
        let secs = (tenths / 10.0).min(limits.timeout_secs);
        limits.timeout_secs = secs;
        limits.cpu_secs = limits.cpu_secs.min(secs.ceil() as u64 + 1);
    }
    limits
}

/// Coverage runs, then mutant runs, of every entry with its own tests.
pub(crate) async fn measure(
    runner: &mut Runner<'_>,
    entries: &[&Entry],
    opts: &StrengthOptions,
) -> Result<Measured> {
    let jobs = entries
        .iter()
        .map(|e| {
            let mut request = base_request(e, &opts.limits, e.tests.clone());
            request.instrument.coverage = true;
            Job {
                request,
                instance: Instance::Repeat(0),
            }
        })
        .collect();
    let covered = runner.run(jobs, opts.jobs).await?;
    let wall_ms: Vec<Option<f64>> = covered
        .iter()
        .map(|o| (o.status == Status::Passed).then_some(o.wall_ms))
        .collect();

    let mut plans = Vec::new();
    let mut found = Vec::new();
    for (e, wall) in entries.iter().zip(&wall_ms) {
        let all = mutants::all(&e.reference);
        found.push(all.len());
        let chosen = mutants::select(all, opts.max_mutants);
        let base = base_request(e, &opts.limits, e.tests.clone());
        plans.push((base, *wall, chosen));
    }
    let fates = kill(runner, &plans, opts.jobs).await?;

    let mut strength = Vec::new();
    let mut survivors = Vec::new();
    for (i, ((_, _, chosen), fates)) in plans.into_iter().zip(fates).enumerate() {
        let (mut s, alive) = tally(&chosen, &fates);
        s.mutants_found = found[i];
        apply_coverage(&mut s, &covered[i]);
        strength.push(s);
        survivors.push(alive);
    }
    Ok(Measured {
        strength,
        survivors,
        wall_ms,
    })
}

/// Runs each plan's mutants against its request's tests (fail fast) and says what
/// became of each.
pub(crate) async fn kill(
    runner: &mut Runner<'_>,
    plans: &[(ExecRequest, Option<f64>, Vec<Mutant>)],
    parallel: usize,
) -> Result<Vec<Vec<Fate>>> {
    let mut jobs = Vec::new();
    let mut owner = Vec::new();
    for (p, (base, wall, chosen)) in plans.iter().enumerate() {
        if base.tests.is_empty() {
            continue; // nothing can kill it: every mutant survives, without a run
        }
        for m in chosen {
            let mut request = base.clone();
            request.program = m.program.clone();
            request.limits = mutant_limits(base.limits.clone(), *wall);
            request.instrument.fail_fast = true;
            jobs.push(Job {
                request,
                instance: Instance::Repeat(0),
            });
            owner.push(p);
        }
    }
    let outcomes = runner.run(jobs, parallel).await?;
    let mut fates: Vec<Vec<Fate>> = plans
        .iter()
        .map(|(base, _, chosen)| {
            if base.tests.is_empty() {
                vec![Fate::Survived; chosen.len()]
            } else {
                Vec::with_capacity(chosen.len())
            }
        })
        .collect();
    for (p, o) in owner.into_iter().zip(&outcomes) {
        fates[p].push(Fate::of(o));
    }
    Ok(fates)
}

/// Counts fates into a `Strength` (coverage still empty) and returns the survivors.
pub(crate) fn tally(chosen: &[Mutant], fates: &[Fate]) -> (Strength, Vec<Mutant>) {
    let killed = fates.iter().filter(|f| **f == Fate::Killed).count();
    let errored = fates.iter().filter(|f| **f == Fate::Errored).count();
    let alive: Vec<Mutant> = chosen
        .iter()
        .zip(fates)
        .filter(|(_, f)| **f == Fate::Survived)
        .map(|(m, _)| m.clone())
        .collect();
    let counted = killed + alive.len();
    let s = Strength {
        line_coverage: None,
        branch_coverage: None,
        lines: 0,
        lines_hit: 0,
        arms: 0,
        arms_taken: 0,
        missed_lines: Vec::new(),
        coverage_status: String::new(),
        mutants_found: chosen.len(),
        mutants: counted,
        killed,
        errored,
        mutation_score: (counted > 0).then(|| killed as f64 / counted as f64),
        survivors: alive.iter().map(survivor).collect(),
    };
    (s, alive)
}

pub(crate) fn survivor(m: &Mutant) -> Survivor {
    Survivor {
        operator: serde_json::to_value(m.operator)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        line: m.line,
        description: m.description.clone(),
    }
}

fn apply_coverage(s: &mut Strength, o: &Outcome) {
    match (&o.coverage, o.status) {
        (Some(c), Status::Passed) => set_coverage(s, c),
        _ => {
            s.coverage_status = if o.message.is_empty() {
                o.status.as_str().to_string()
            } else {
                format!("{}: {}", o.status, o.message)
            }
        }
    }
}

fn set_coverage(s: &mut Strength, c: &Coverage) {
    s.line_coverage = Some(c.line_rate());
    s.branch_coverage = Some(c.branch_rate());
    s.lines = c.lines.len();
    s.lines_hit = c.hit.len();
    s.arms = c.arms;
    s.arms_taken = c.taken;
    let hit: std::collections::HashSet<u32> = c.hit.iter().copied().collect();
    s.missed_lines = c
        .lines
        .iter()
        .copied()
        .filter(|l| !hit.contains(l))
        .collect();
}

/// Why an entry is too weak for the thresholds, or `None` when it is strong enough.
pub(crate) fn weakness(
    s: &Strength,
    min_coverage: Option<f64>,
    min_score: Option<f64>,
) -> Option<String> {
    if let Some(min) = min_coverage {
        match s.line_coverage {
            None => {
                return Some(format!(
                    "line coverage not measured ({}); --min-coverage {min}",
                    s.coverage_status
                ))
            }
            Some(c) if c < min => {
                return Some(format!(
                    "line coverage {c:.2} < --min-coverage {min} ({} of {} lines; never run: {})",
                    s.lines_hit,
                    s.lines,
                    lines_list(&s.missed_lines)
                ))
            }
            _ => {}
        }
    }
    if let Some(min) = min_score {
        match s.mutation_score {
            None => {
                return Some(format!(
                    "no mutant could be run ({} found); --min-mutation-score {min}",
                    s.mutants_found
                ))
            }
            Some(m) if m < min => {
                let first: Vec<String> = s
                    .survivors
                    .iter()
                    .take(3)
                    .map(|v| format!("line {}: {}", v.line, v.description))
                    .collect();
                return Some(format!(
                    "mutation score {m:.2} < --min-mutation-score {min} (killed {} of {} mutants; surviving: {})",
                    s.killed,
                    s.mutants,
                    first.join("; ")
                ));
            }
            _ => {}
        }
    }
    None
}

fn lines_list(lines: &[u32]) -> String {
    let shown: Vec<String> = lines.iter().take(8).map(u32::to_string).collect();
    let more = if lines.len() > 8 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakness_names_the_figure_and_the_threshold() {
        let m = Mutant {
            operator: mutants::Operator::Comparison,
            line: 3,
            description: "`<` -> `<=`".into(),
            program: String::new(),
        };
        let (mut s, alive) = tally(
            &[m.clone(), m.clone(), m],
            &[Fate::Killed, Fate::Survived, Fate::Errored],
        );
        assert_eq!(alive.len(), 1);
        assert_eq!((s.killed, s.mutants, s.errored), (1, 2, 1));
        assert_eq!(s.mutation_score, Some(0.5));
        let why = weakness(&s, None, Some(0.6)).unwrap();
        assert!(
            why.contains("mutation score 0.50 < --min-mutation-score 0.6"),
            "{why}"
        );
        assert!(why.contains("line 3: `<` -> `<=`"), "{why}");
        assert_eq!(weakness(&s, None, Some(0.5)), None);
        set_coverage(
            &mut s,
            &Coverage {
                lines: vec![1, 2, 3, 4],
                hit: vec![1, 2, 3],
                arms: 2,
                taken: 1,
                missed_arms: vec![],
            },
        );
        let why = weakness(&s, Some(0.8), None).unwrap();
        assert!(
            why.contains("line coverage 0.75 < --min-coverage 0.8"),
            "{why}"
        );
        assert!(why.contains("never run: 4"), "{why}");
    }

    #[test]
    fn mutant_time_limit_scales_with_the_reference_and_stays_under_the_entry_limit() {
        let l = Limits::default();
        let scaled = mutant_limits(l.clone(), Some(100.0));
        assert!((scaled.timeout_secs - 3.0).abs() < 1e-9);
        let capped = mutant_limits(l.clone(), Some(1e9));
        assert_eq!(capped.timeout_secs, l.timeout_secs);
    }

    #[test]
    fn a_limit_from_a_reference_time_read_back_from_the_journal_is_the_same_limit() {
        // The journal keeps the reference's wall time as JSON; serde_json's default float
        // parser may come back one ulp off, and a limit that differed by that would be
        // another request, so a resumed run would run those mutants again.
        let l = Limits {
            timeout_secs: 1e6,
            ..Limits::default()
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let ms = (x >> 11) as f64 / (1u64 << 53) as f64 * 5000.0;
            let back: f64 = serde_json::from_str(&serde_json::to_string(&ms).unwrap()).unwrap();
            assert_eq!(
                mutant_limits(l.clone(), Some(ms)).timeout_secs,
                mutant_limits(l.clone(), Some(back)).timeout_secs,
                "{ms} came back as {back}"
            );
        }
    }
}
