//! The invariants of the parsers that read what users and sandboxed code write, checked
//! on arbitrary input by the property tests (`cargo test`) and by the `cargo fuzz`
//! targets in `fuzz/` (`scripts/fuzz`). Each check returns the broken invariant as an
//! error; a panic anywhere below is a failure by itself. Compiled only for those two.

use crate::entry::{load_problems, load_samples, read_jsonl, Level, Problem, TestCase};
use crate::error::Error;
use crate::sandbox::runner::{decide, Channel};
use crate::sandbox::supervise::{Ending, KillReason, Termination};
use crate::sandbox::{ExecRequest, Limits, Status};
use std::path::Path;

/// Lines of a file as the readers count them (1-based; a last line without a newline
/// counts).
fn line_count(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count().max(1)
}

/// A loader's answer is records, or an input error naming this file and a line in it.
fn records_or_input_error<T>(
    path: &Path,
    bytes: &[u8],
    got: crate::Result<T>,
) -> Result<(), String> {
    match got {
        Ok(_) => Ok(()),
        Err(Error::Input { line, path: p, .. }) => {
            if p != path {
                return Err(format!(
                    "input error names {} for {}",
                    p.display(),
                    path.display()
                ));
            }
            // gzip decompresses to any number of lines: only plain files are bounded.
            let max = match bytes.starts_with(&[0x1f, 0x8b]) {
                true => usize::MAX,
                false => line_count(bytes),
            };
            match line >= 1 && line <= max {
                true => Ok(()),
                false => Err(format!("input error at line {line} of a {max}-line file")),
            }
        }
        Err(other) => Err(format!("not an input error: {other}")),
    }
}

fn problem(id: &str) -> Problem {
    Problem {
        id: id.to_string(),
        prompt: "def f():\n".into(),
        entry_point: "f".into(),
        reference: "def f():\n    return 1\n".into(),
        tests: Vec::new(),
        requirements: Vec::new(),
        limits: Default::default(),
        domain: None,
        io: None,
        evalplus: None,
        frame: Default::default(),
    }
}

/// `bytes` as a file at `path`, read by every JSONL loader: problems (HumanEval and
/// native entries), samples for two known tasks, run records, results to grade, grade
/// files and consensus files.
pub fn loaders(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))?;
    records_or_input_error(path, bytes, read_jsonl(path))?;
    records_or_input_error(path, bytes, load_problems(path))?;
    let known = [problem("T/0"), problem("T/1")];
    records_or_input_error(path, bytes, load_samples(path, &known))?;
    records_or_input_error(path, bytes, crate::record::load::read_rows(path))?;
    records_or_input_error(path, bytes, crate::grade::load_samples(path, &known))?;
    let rubric = crate::grade::Rubric::default_rubric();
    records_or_input_error(path, bytes, crate::grade::store::read_file(path, &rubric))?;
    records_or_input_error(
        path,
        bytes,
        crate::export::preferences::read_consensus(path),
    )
}

/// `text` as a skill file: an entry, or an input error at a line of the text.
pub fn skill_file(text: &str) -> Result<(), String> {
    match crate::skills::parse_skill_text(Path::new("s.py"), "s", text) {
        Ok(_) => Ok(()),
        Err(Error::Input { line, .. }) if line <= text.lines().count().max(1) => Ok(()),
        Err(Error::Input { line, .. }) => Err(format!("input error at line {line}, past the text")),
        Err(other) => Err(format!("not an input error: {other}")),
    }
}

/// A request with `n` tests (`t0`, `t1`, …) and the default limits.
pub(crate) fn request(n: usize) -> ExecRequest {
    ExecRequest {
        program: String::new(),
        tests: (0..n)
            .map(|i| TestCase {
                name: format!("t{i}"),
                level: Level::Normal,
                code: "pass".into(),
            })
            .collect(),
        limits: Limits::default(),
        requirements: Vec::new(),
        instrument: Default::default(),
    }
}

/// The nonce the fuzzer's runner transcripts carry (seeds in `fuzz/seeds/runner_channel`).
pub const NONCE: &str = "00";

/// A runner channel fed arbitrary bytes, then judged: byte 0 picks the number of tests
/// (0–3), byte 1 how the execution ended and the chunk size, the rest is what arrived on
/// the channel. Whatever arrives: the verdict covers every test; only a `done` with the
/// nonce and every test passed can pass; and how the bytes were split into reads does not
/// change the verdict.
pub fn runner_channel(data: &[u8]) -> Result<(), String> {
    let (tests, how, rest) = match data {
        [tests, how, rest @ ..] => (*tests, *how, rest),
        _ => (0, 0, data),
    };
    let n = usize::from(tests % 4);
    let req = request(n);
    let endings = [
        Ending::Ended(Termination::Exited(0)),
        Ending::Ended(Termination::Exited(1)),
        Ending::Ended(Termination::Signaled(libc::SIGSEGV)),
        Ending::Killed(KillReason::WallTimeout),
        Ending::Killed(KillReason::OutputCap),
        Ending::Killed(KillReason::Lingered),
        Ending::CpuTimeout,
        Ending::OutOfMemory,
    ];
    let ending = endings[usize::from(how) % endings.len()];
    let chunk = usize::from(how / 8) % 13 + 1;

    let mut whole = Channel::new(NONCE, n);
    whole.feed(rest);
    let mut split = Channel::new(NONCE, n);
    for part in rest.chunks(chunk) {
        split.feed(part);
    }
    let d = decide(&req, &whole, &ending);
    if d.tests.len() != n {
        return Err(format!("{} test verdicts for {n} tests", d.tests.len()));
    }
    if d.status == Status::Passed {
        if !whole.done {
            return Err("passed without the runner's done".into());
        }
        if ending == Ending::Killed(KillReason::OutputCap) {
            return Err("passed past the output cap".into());
        }
        if let Some(t) = d.tests.iter().find(|t| t.status != Status::Passed) {
            return Err(format!("passed with test {} {:?}", t.name, t.status));
        }
    }
    let d2 = decide(&req, &split, &ending);
    if d != d2 {
        return Err(format!(
            "reads of {chunk} bytes changed the verdict: {d:?} vs {d2:?}"
        ));
    }
    if (whole.forged, whole.ready, whole.done) != (split.forged, split.ready, split.done) {
        return Err(format!(
            "reads of {chunk} bytes changed what the channel saw"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod proptests;
