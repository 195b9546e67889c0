//! `assay generate tests`: new tests by type-aware input mutation, the reference as the
//! oracle (EvalPlus-style), offline.
//!
//! Per entry: the calls of the entry point with literal arguments in its tests
//! (`calls`) → each argument mutated by type (`values`) → the new calls, without the
//! originals and without repeats, spread over calls, arguments and kinds of mutation →
//! the reference evaluates them in the sandbox, twice (two executions through
//! `run::run_all`, the runner's `probes`) → a call becomes a test when both runs gave the
//! same result and its `repr` evaluates back to an equal value (`assert f(x) == repr`),
//! or when it raised the same exception both times and the entry's prompt (task and
//! docstring) names that exception → at most `max_new` per entry, spread over the kinds
//! → the reference runs once with its old and new tests, and a new test that does not
//! pass there is dropped. Edge inputs (boundaries, signs, empty, singleton, unicode)
//! become `edge_case` tests, the rest `correctness` tests.
//!
//! With `mutants` set, the mutation score is measured before (the entry's own tests) and
//! after: the mutants the old tests left alive run against the new tests (a mutant the
//! old tests killed stays killed, as the old tests are kept).

pub(crate) mod calls;
pub(crate) mod values;

use crate::entry::{Entry, Level, TestCase};
use crate::run::{Cancel, Instance, Job, Journal, Listener};
use crate::sandbox::{ExecRequest, Instrument, Limits, Outcome, Probe, Sandbox, Status};
use crate::strength::{self, Runner, StrengthOptions};
use crate::{Error, Result};
use calls::Call;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use values::Kind;

/// Candidate inputs evaluated per entry, per new test wanted.
const CANDIDATES_PER_TEST: usize = 6;

pub struct TestsOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    /// `<output>.tests.json` unless told otherwise.
    pub summary: PathBuf,
    pub max_new: usize,
    pub limits: Limits,
    pub jobs: usize,
    pub run_dir: PathBuf,
    /// Mutants per entry for the before/after mutation score; `None` skips it.
    pub mutants: Option<usize>,
    /// Format the new tests with this `ruff` (`--format`).
    pub ruff: Option<PathBuf>,
}

/// What `generate tests` did (`<output>.tests.json`).
#[derive(Debug, Clone, Serialize)]
pub struct TestsSummary {
    pub input: String,
    pub output: String,
    pub entries: usize,
    /// Entries that got at least one new test.
    pub entries_extended: usize,
    pub added: usize,
    pub added_edge_case: usize,
    pub added_correctness: usize,
    /// Candidates dropped, by reason (over every entry).
    pub dropped: BTreeMap<String, usize>,
    /// Mutation scores before and after, over every entry (when measured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutation: Option<MutationDelta>,
    pub elapsed_secs: f64,
    pub per_entry: Vec<EntryTests>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MutationDelta {
    pub mutants: usize,
    pub killed_before: usize,
    pub killed_after: usize,
    /// killed / mutants over every entry.
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
    /// Mean of the entries' scores.
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
    /// Entries whose score rose, stayed, fell (it cannot fall: the old tests stay).
    pub entries_rose: usize,
    pub entries_same: usize,
    pub elapsed_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryTests {
    pub id: String,
    /// Calls of the entry point with literal arguments found in its tests.
    pub calls: usize,
    /// New inputs evaluated by the oracle.
    pub candidates: usize,
    /// Names of the tests added.
    pub added: Vec<String>,
    pub dropped: BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutants: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub killed_before: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub killed_after: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_before: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_after: Option<f64>,
}

/// One new input for an entry.
#[derive(Debug, Clone)]
struct Candidate {
    kind: Kind,
    call: String,
}

/// The new calls of one entry: every argument of every literal call mutated, spread
/// round robin over (call, argument) so that no single argument takes the budget.
fn candidates(found: &[Call], function: &str, max: usize) -> Vec<Candidate> {
    let originals: std::collections::HashSet<String> =
        found.iter().map(|c| c.render(function)).collect();
    let mut queues: Vec<std::collections::VecDeque<Candidate>> = Vec::new();
    for c in found {
        for slot in 0..c.arity() {
            let q = values::mutations(c.arg(slot), 2)
                .into_iter()
                .map(|(kind, v)| Candidate {
                    kind,
                    call: c.with_arg(slot, v).render(function),
                })
                .collect();
            queues.push(q);
        }
    }
    let mut seen = originals;
    let mut out = Vec::new();
    while out.len() < max && queues.iter().any(|q| !q.is_empty()) {
        for q in queues.iter_mut() {
            if out.len() >= max {
                break;
            }
            while let Some(c) = q.pop_front() {
                if seen.insert(c.call.clone()) {
                    out.push(c);
                    break;
                }
            }
        }
    }
    out
}

/// Whether `text` names `word` as a whole word (`ValueError`, not `MyValueError`).
fn names(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// What the oracle's two runs make of one candidate: a test body, or why not.
fn decide(
    prompt: &str,
    a: Option<&Probe>,
    b: Option<&Probe>,
) -> std::result::Result<Body, &'static str> {
    let (Some(a), Some(b)) = (a, b) else {
        return Err("oracle_failed");
    };
    if a != b {
        return Err("nondeterministic");
    }
    if let Some(exc) = &a.exception {
        const NEVER: &[&str] = &[
            "MemoryError",
            "RecursionError",
            "SystemExit",
            "KeyboardInterrupt",
            "NotReported",
            "AssertionError",
        ];
        if NEVER.contains(&exc.as_str()) || !names(prompt, exc) {
            return Err("raised_undocumented");
        }
        return Ok(Body::Raises(exc.clone()));
    }
    match (&a.repr, a.roundtrip) {
        (Some(r), true) => Ok(Body::Equals {
            repr: r.clone(),
            float: matches!(
                a.value_type.as_deref(),
                Some("float" | "float64" | "float32")
            ),
        }),
        _ => Err("no_roundtrip"),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Equals { repr: String, float: bool },
    Raises(String),
}

fn test_code(name: &str, call: &str, body: &Body) -> String {
    let inner = match body {
        Body::Equals { repr, float: true } => format!(
            "    import math\n    assert math.isclose({call}, {repr}, rel_tol=1e-09, abs_tol=1e-12)\n"
        ),
        Body::Equals { repr, .. } => format!("    assert {call} == {repr}\n"),
        Body::Raises(exc) => format!(
            "    try:\n        {call}\n    except {exc}:\n        pass\n    else:\n        raise AssertionError({:?})\n",
            format!("expected {exc}")
        ),
    };
    format!("def {name}():\n{inner}\n{name}()\n")
}

fn oracle_request(e: &Entry, limits: &Limits, probes: Vec<String>) -> ExecRequest {
    ExecRequest {
        program: e.reference.clone(),
        tests: Vec::new(),
        limits: limits.overridden(&e.limits.clone().unwrap_or_default()),
        requirements: e.requirements.clone(),
        instrument: Instrument {
            probes,
            ..Instrument::default()
        },
    }
}

fn bump(map: &mut BTreeMap<String, usize>, why: &str) {
    *map.entry(why.to_string()).or_insert(0) += 1;
}

/// Runs the whole command: reads `opts.input`, writes `opts.output` and `opts.summary`.
pub async fn generate_tests(
    sandbox: Arc<dyn Sandbox>,
    opts: &TestsOptions,
    listener: &mut dyn Listener,
    cancel: Cancel,
) -> Result<TestsSummary> {
    let started = std::time::Instant::now();
    let entries = crate::skills::read_entries(&opts.input)?;
    if entries.is_empty() {
        return Err(Error::input(
            &opts.input,
            1,
            "id",
            "no entries: the file is empty",
        ));
    }
    let mut journal = Journal::open(&opts.run_dir)?;
    let mut runner = Runner {
        sandbox: Arc::clone(&sandbox),
        journal: &mut journal,
        listener,
        cancel,
    };
    let mut per_entry: Vec<EntryTests> = Vec::new();
    let mut cands: Vec<Vec<Candidate>> = Vec::new();
    for e in &entries {
        let codes: Vec<&str> = e.tests.iter().map(|t| t.code.as_str()).collect();
        let found = calls::find(&codes, &e.entry_point);
        let c = candidates(&found, &e.entry_point, opts.max_new * CANDIDATES_PER_TEST);
        let mut dropped = BTreeMap::new();
        if found.is_empty() {
            bump(&mut dropped, "no_literal_call");
        }
        per_entry.push(EntryTests {
            id: e.id.clone(),
            calls: found.len(),
            candidates: c.len(),
            added: Vec::new(),
            dropped,
            mutants: None,
            killed_before: None,
            killed_after: None,
            score_before: None,
            score_after: None,
        });
        cands.push(c);
    }
    log::info!(
        "generate tests: {} candidate inputs over {} entries",
        cands.iter().map(Vec::len).sum::<usize>(),
        entries.len()
    );

    // The oracle: each entry's candidates evaluated by its reference, in two executions.
    let mut jobs = Vec::new();
    let mut owners = Vec::new();
    for (i, (e, c)) in entries.iter().zip(&cands).enumerate() {
        if c.is_empty() {
            continue;
        }
        let request = oracle_request(e, &opts.limits, c.iter().map(|c| c.call.clone()).collect());
        for repeat in 0..2 {
            jobs.push(Job {
                request: request.clone(),
                instance: Instance::Repeat(repeat),
            });
        }
        owners.push(i);
    }
    let outcomes = runner.run(jobs, opts.jobs).await?;
    let mut new_tests: Vec<Vec<TestCase>> = vec![Vec::new(); entries.len()];
    for (k, &i) in owners.iter().enumerate() {
        let (a, b) = (&outcomes[2 * k], &outcomes[2 * k + 1]);
        let e = &entries[i];
        let rec = &mut per_entry[i];
        let ran = |o: &Outcome| o.status == Status::Passed;
        let mut chosen: Vec<(Kind, String, Body)> = Vec::new();
        for (j, c) in cands[i].iter().enumerate() {
            let verdict = if ran(a) && ran(b) {
                decide(&e.prompt, a.probes.get(j), b.probes.get(j))
            } else {
                Err("oracle_failed")
            };
            match verdict {
                Ok(body) => chosen.push((c.kind, c.call.clone(), body)),
                Err(why) => bump(&mut rec.dropped, why),
            }
        }
        let picked = spread(chosen, opts.max_new, &mut rec.dropped);
        let taken: std::collections::HashSet<&str> =
            e.tests.iter().map(|t| t.name.as_str()).collect();
        let mut n = 0;
        for (kind, call, body) in picked {
            let level = kind.level();
            let name = loop {
                n += 1;
                let name = format!("test_{}_generated_{n}", level.as_str());
                if !taken.contains(name.as_str()) {
                    break name;
                }
            };
            let mut code = test_code(&name, &call, &body);
            if let Some(ruff) = &opts.ruff {
                code = crate::generate::format::format(ruff, &code)?;
            }
            new_tests[i].push(TestCase { code, name, level });
        }
    }

    // Every new test must pass on the reference beside the old ones.
    let mut jobs = Vec::new();
    let mut checked = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if new_tests[i].is_empty() {
            continue;
        }
        let mut request = oracle_request(e, &opts.limits, Vec::new());
        request.tests = e.tests.iter().chain(&new_tests[i]).cloned().collect();
        jobs.push(Job {
            request,
            instance: Instance::Repeat(0),
        });
        checked.push(i);
    }
    let verified = runner.run(jobs, opts.jobs).await?;
    for (&i, o) in checked.iter().zip(&verified) {
        let old = entries[i].tests.len();
        let old_pass = o.tests.iter().take(old).all(|t| t.status.is_pass());
        let mut keep = Vec::new();
        for (t, v) in new_tests[i].drain(..).zip(o.tests.iter().skip(old)) {
            if old_pass && v.status.is_pass() {
                keep.push(t);
            } else {
                bump(&mut per_entry[i].dropped, "failed_on_reference");
            }
        }
        new_tests[i] = keep;
        per_entry[i].added = new_tests[i].iter().map(|t| t.name.clone()).collect();
    }

    let mutation = match opts.mutants {
        Some(max) => Some(
            mutation_delta(&mut runner, &entries, &new_tests, max, opts, &mut per_entry).await?,
        ),
        None => None,
    };

    let out: Vec<Entry> = entries
        .iter()
        .zip(&new_tests)
        .map(|(e, new)| {
            let mut e = e.clone();
            e.tests.extend(new.iter().cloned());
            e
        })
        .collect();
    crate::entry::write_jsonl(&opts.output, &out)?;
    let mut dropped = BTreeMap::new();
    for r in &per_entry {
        for (k, v) in &r.dropped {
            *dropped.entry(k.clone()).or_insert(0) += v;
        }
    }
    let level_count = |l: Level| new_tests.iter().flatten().filter(|t| t.level == l).count();
    let summary = TestsSummary {
        input: opts.input.display().to_string(),
        output: opts.output.display().to_string(),
        entries: entries.len(),
        entries_extended: new_tests.iter().filter(|t| !t.is_empty()).count(),
        added: new_tests.iter().map(Vec::len).sum(),
        added_edge_case: level_count(Level::EdgeCase),
        added_correctness: level_count(Level::Correctness),
        dropped,
        mutation,
        elapsed_secs: started.elapsed().as_secs_f64(),
        per_entry,
    };
    crate::entry::write_json(&opts.summary, &summary)?;
    Ok(summary)
}

/// At most `max` of the usable candidates: first one that raises a documented exception
/// (the error behaviour the prompt promises), then round robin over the kinds of
/// mutation (in the order they came); the rest counted as `over_max_new`.
fn spread(
    chosen: Vec<(Kind, String, Body)>,
    max: usize,
    dropped: &mut BTreeMap<String, usize>,
) -> Vec<(Kind, String, Body)> {
    let mut by_kind: BTreeMap<Kind, std::collections::VecDeque<(Kind, String, Body)>> =
        BTreeMap::new();
    let total = chosen.len();
    let mut out = Vec::new();
    let mut chosen = chosen;
    if let Some(i) = chosen.iter().position(|c| matches!(c.2, Body::Raises(_))) {
        if max > 0 {
            out.push(chosen.remove(i));
        }
    }
    for c in chosen {
        by_kind.entry(c.0).or_default().push_back(c);
    }
    while out.len() < max && by_kind.values().any(|q| !q.is_empty()) {
        for q in by_kind.values_mut() {
            if out.len() >= max {
                break;
            }
            if let Some(c) = q.pop_front() {
                out.push(c);
            }
        }
    }
    for _ in out.len()..total {
        bump(dropped, "over_max_new");
    }
    out
}

async fn mutation_delta(
    runner: &mut Runner<'_>,
    entries: &[Entry],
    new_tests: &[Vec<TestCase>],
    max_mutants: usize,
    opts: &TestsOptions,
    per_entry: &mut [EntryTests],
) -> Result<MutationDelta> {
    let started = std::time::Instant::now();
    let refs: Vec<&Entry> = entries.iter().collect();
    let sopts = StrengthOptions {
        max_mutants,
        limits: opts.limits.clone(),
        jobs: opts.jobs,
    };
    let before = strength::measure(runner, &refs, &sopts).await?;
    // The survivors against the new tests only: the old ones already let them live.
    let plans: Vec<_> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut base = oracle_request(e, &opts.limits, Vec::new());
            base.tests = new_tests[i].clone();
            (base, before.wall_ms[i], before.survivors[i].clone())
        })
        .collect();
    let fates = strength::kill(runner, &plans, opts.jobs).await?;
    let mut delta = MutationDelta {
        mutants: 0,
        killed_before: 0,
        killed_after: 0,
        score_before: None,
        score_after: None,
        mean_before: None,
        mean_after: None,
        entries_rose: 0,
        entries_same: 0,
        elapsed_secs: 0.0,
    };
    let (mut sum_b, mut sum_a, mut n) = (0.0, 0.0, 0usize);
    for (i, s) in before.strength.iter().enumerate() {
        let newly = fates[i]
            .iter()
            .filter(|f| **f == strength::Fate::Killed)
            .count();
        let after = s.killed + newly;
        let rec = &mut per_entry[i];
        rec.mutants = Some(s.mutants);
        rec.killed_before = Some(s.killed);
        rec.killed_after = Some(after);
        rec.score_before = s.mutation_score;
        rec.score_after = (s.mutants > 0).then(|| after as f64 / s.mutants as f64);
        delta.mutants += s.mutants;
        delta.killed_before += s.killed;
        delta.killed_after += after;
        if let (Some(b), Some(a)) = (rec.score_before, rec.score_after) {
            sum_b += b;
            sum_a += a;
            n += 1;
            if a > b {
                delta.entries_rose += 1;
            } else {
                delta.entries_same += 1;
            }
        }
    }
    let share = |k: usize| (delta.mutants > 0).then(|| k as f64 / delta.mutants as f64);
    delta.score_before = share(delta.killed_before);
    delta.score_after = share(delta.killed_after);
    delta.mean_before = (n > 0).then(|| sum_b / n as f64);
    delta.mean_after = (n > 0).then(|| sum_a / n as f64);
    delta.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(repr: Option<&str>, exc: Option<&str>, roundtrip: bool) -> Probe {
        Probe {
            repr: repr.map(str::to_string),
            value_type: Some("int".into()),
            roundtrip,
            exception: exc.map(str::to_string),
            message: String::new(),
        }
    }

    #[test]
    fn only_deterministic_round_tripping_or_documented_results_become_tests() {
        let doc = "Raise ValueError if the box is bad.";
        let ok = probe(Some("3"), None, true);
        assert_eq!(
            decide(doc, Some(&ok), Some(&ok)),
            Ok(Body::Equals {
                repr: "3".into(),
                float: false
            })
        );
        let other = probe(Some("4"), None, true);
        assert_eq!(
            decide(doc, Some(&ok), Some(&other)),
            Err("nondeterministic")
        );
        let opaque = probe(Some("<object at 0x1>"), None, false);
        assert_eq!(
            decide(doc, Some(&opaque), Some(&opaque)),
            Err("no_roundtrip")
        );
        let value_error = probe(None, Some("ValueError"), false);
        assert_eq!(
            decide(doc, Some(&value_error), Some(&value_error)),
            Ok(Body::Raises("ValueError".into()))
        );
        let type_error = probe(None, Some("TypeError"), false);
        assert_eq!(
            decide(doc, Some(&type_error), Some(&type_error)),
            Err("raised_undocumented")
        );
        assert!(!names("MyValueError here", "ValueError"));
        assert_eq!(decide(doc, None, Some(&ok)), Err("oracle_failed"));
    }

    #[test]
    fn candidates_skip_the_originals_and_spread_over_arguments() {
        let found = calls::find(&["f([1, 2], 'ab')\nf([2, 1], 'ab')\n"], "f");
        let c = candidates(&found, "f", 6);
        assert_eq!(c.len(), 6);
        assert!(c
            .iter()
            .all(|c| c.call != "f([1, 2], \"ab\")" && c.call != "f([2, 1], \"ab\")"));
        // Both arguments of the first call get mutated before any runs out.
        assert!(c.iter().any(|c| c.call.starts_with("f([1, 2], ")));
        assert!(c
            .iter()
            .any(|c| c.call.ends_with(", \"ab\")") && !c.call.starts_with("f([1, 2]")));
    }

    #[test]
    fn spread_takes_a_documented_raise_first_then_round_robin() {
        let eq = Body::Equals {
            repr: "1".into(),
            float: false,
        };
        let mk = |k: Kind, b: &Body| (k, "c".to_string(), b.clone());
        let raises = Body::Raises("ValueError".into());
        let chosen = vec![
            mk(Kind::Boundary, &eq),
            mk(Kind::Boundary, &eq),
            mk(Kind::Long, &eq),
            mk(Kind::Long, &raises),
        ];
        let mut dropped = BTreeMap::new();
        let out = spread(chosen, 3, &mut dropped);
        assert_eq!(out[0].2, raises);
        assert_eq!((out[1].0, out[2].0), (Kind::Boundary, Kind::Long));
        assert_eq!(dropped["over_max_new"], 1);
    }

    #[test]
    fn test_code_is_a_test_function_and_its_call() {
        let code = test_code(
            "test_edge_case_generated_1",
            "f([])",
            &Body::Raises("ValueError".into()),
        );
        crate::python::parse_module(&code, "t").unwrap();
        assert!(code.ends_with("\ntest_edge_case_generated_1()\n"));
        let code = test_code(
            "test_correctness_generated_2",
            "f(1)",
            &Body::Equals {
                repr: "0.5".into(),
                float: true,
            },
        );
        assert!(code.contains("math.isclose(f(1), 0.5"));
    }
}
