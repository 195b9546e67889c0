//! `meta.json`: what a run was — assay version and commit, backend and what pins it,
//! limits, concurrency, host, times, command line, and content hashes of its inputs —
//! so two runs can be told comparable or not, and `runs list` can say what each was.

use crate::entry::{Problem, Sample};
use crate::sandbox::{Limits, Sandbox};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// Bumped when a field changes meaning; readers accept what they know.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    /// `score` or `curate`.
    pub kind: String,
    pub assay_version: String,
    /// The commit the binary was built from (embedded by build.rs), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    pub backend: Backend,
    /// The run's limits (an entry's own `limits` override them for that entry).
    pub limits: Limits,
    pub jobs: usize,
    /// `--retry-failed N` (0: no retries of failed verdicts).
    #[serde(default)]
    pub retry_failed: u32,
    #[serde(default)]
    pub dedupe_identical: bool,
    /// The k of pass@k.
    pub ks: Vec<u64>,
    pub host: Host,
    /// RFC 3339, UTC.
    pub started: String,
    pub ended: String,
    pub elapsed_secs: f64,
    /// argv as given.
    pub command: Vec<String>,
    pub benchmark: InputDigest,
    /// The samples (score) — curate judges references and has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<InputDigest>,
    /// Where the results file was written (a copy is `results.jsonl` in the run directory).
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backend {
    /// `process`, `wasi` or `docker`.
    pub name: String,
    /// What identifies the environment: interpreter path and version, image ids,
    /// python.wasm hash, profile pins (the `Sandbox`'s fingerprint, also in journal keys).
    pub fingerprint: String,
    /// Each profile's name and the hash of its exact pins.
    pub profiles: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub cores: usize,
    pub kernel: String,
    pub hostname: String,
}

/// A content hash of an input file's meaning (not its bytes: reformatting JSON or
/// reordering problems does not change it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputDigest {
    pub path: String,
    /// blake3, hex.
    pub hash: String,
    /// Problems or samples.
    pub count: usize,
    /// Per task, a short hash of its problem and tests (benchmark only): lets a mismatch
    /// name the tasks that changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tasks: BTreeMap<String, String>,
}

impl Meta {
    /// The record of a run starting now; `finish` stamps its end.
    pub fn start(kind: &str, sandbox: &dyn Sandbox, limits: &Limits, jobs: usize) -> Meta {
        Meta {
            format: FORMAT,
            kind: kind.to_string(),
            assay_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: option_env!("ASSAY_GIT_COMMIT").map(str::to_string),
            backend: Backend {
                name: sandbox.name().to_string(),
                fingerprint: sandbox.fingerprint(),
                profiles: crate::sandbox::profile::fingerprint(),
            },
            limits: limits.clone(),
            jobs,
            retry_failed: 0,
            dedupe_identical: false,
            ks: Vec::new(),
            host: Host::this(),
            started: now(),
            ended: String::new(),
            elapsed_secs: 0.0,
            command: std::env::args().collect(),
            benchmark: InputDigest::default_for(""),
            samples: None,
            output: String::new(),
        }
    }

    pub fn finish(&mut self, started: std::time::Instant) {
        self.ended = now();
        self.elapsed_secs = started.elapsed().as_secs_f64();
    }

    /// Seconds since the epoch of `started`, for sorting (0 when unreadable).
    pub fn started_unix(&self) -> f64 {
        humantime::parse_rfc3339(&self.started)
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64())
    }
}

pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

impl Host {
    fn this() -> Host {
        let uts = nix::sys::utsname::uname().ok();
        let field = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
            uts.as_ref()
                .map(|u| f(u).to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        Host {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: format!("{} {}", field(|u| u.sysname()), field(|u| u.release())),
            hostname: field(|u| u.nodename()),
        }
    }
}

impl InputDigest {
    fn default_for(path: &str) -> InputDigest {
        InputDigest {
            path: path.to_string(),
            hash: String::new(),
            count: 0,
            tasks: BTreeMap::new(),
        }
    }

    /// The benchmark: every problem's id, prompt, tests, requirements and limit
    /// overrides (and frame and input/output pairs, when it has them), in id order.
    pub fn benchmark(path: &Path, problems: &[Problem]) -> InputDigest {
        let mut tasks = BTreeMap::new();
        for p in problems {
            let mut content = serde_json::json!({
                "prompt": p.prompt,
                "entry_point": p.entry_point,
                "tests": p.tests,
                "requirements": p.requirements,
                "limits": p.limits,
            });
            // BigCodeBench's test module and calibration, input/output pairs: only when
            // present, so the other formats' hashes stay what they were.
            if p.frame != crate::entry::Frame::default() {
                content["frame"] = serde_json::json!([p.frame.before, p.frame.after]);
            }
            if let Some(io) = &p.io {
                content["io"] = serde_json::json!(io);
            }
            let h = blake3::hash(content.to_string().as_bytes());
            tasks.insert(p.id.clone(), h.to_hex()[..16].to_string());
        }
        let mut all = blake3::Hasher::new();
        for (id, h) in &tasks {
            all.update(serde_json::to_string(id).expect("a string").as_bytes());
            all.update(h.as_bytes());
        }
        InputDigest {
            path: path.display().to_string(),
            hash: all.finalize().to_hex().to_string(),
            count: problems.len(),
            tasks,
        }
    }

    /// The samples: each sample's task and program text, in input order (order decides
    /// completion ids).
    pub fn samples(path: &Path, samples: &[Sample], problems: &[Problem]) -> InputDigest {
        let by_id: std::collections::HashMap<&str, &Problem> =
            problems.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut h = blake3::Hasher::new();
        for s in samples {
            let program = by_id
                .get(s.task_id.as_str())
                .map(|p| s.program(p))
                .unwrap_or_default();
            h.update(
                serde_json::to_string(&s.task_id)
                    .expect("a string")
                    .as_bytes(),
            );
            h.update(blake3::hash(program.as_bytes()).as_bytes());
        }
        InputDigest {
            path: path.display().to_string(),
            hash: h.finalize().to_hex().to_string(),
            count: samples.len(),
            tasks: BTreeMap::new(),
        }
    }
}

/// What makes two runs incomparable, field by field: the benchmark's contents, the
/// limits, the backend and its pins. Empty when they agree.
pub fn differences(a: &Meta, b: &Meta) -> Vec<String> {
    let mut out = Vec::new();
    if a.benchmark.hash != b.benchmark.hash {
        let mut changed = Vec::new();
        let mut only_a = Vec::new();
        let mut only_b = Vec::new();
        for (id, h) in &a.benchmark.tasks {
            match b.benchmark.tasks.get(id) {
                Some(g) if g != h => changed.push(id.as_str()),
                Some(_) => {}
                None => only_a.push(id.as_str()),
            }
        }
        for id in b.benchmark.tasks.keys() {
            if !a.benchmark.tasks.contains_key(id) {
                only_b.push(id.as_str());
            }
        }
        let list = |v: &[&str]| {
            let mut s = v.iter().take(5).copied().collect::<Vec<_>>().join(", ");
            if v.len() > 5 {
                s.push_str(&format!(", … {} more", v.len() - 5));
            }
            s
        };
        let mut parts = Vec::new();
        if !changed.is_empty() {
            parts.push(format!(
                "{} task(s) with other prompt or tests ({})",
                changed.len(),
                list(&changed)
            ));
        }
        if !only_a.is_empty() {
            parts.push(format!(
                "{} task(s) only in the baseline ({})",
                only_a.len(),
                list(&only_a)
            ));
        }
        if !only_b.is_empty() {
            parts.push(format!(
                "{} task(s) only in the current run ({})",
                only_b.len(),
                list(&only_b)
            ));
        }
        if parts.is_empty() {
            parts.push(format!(
                "hash {} vs {}",
                short(&a.benchmark.hash),
                short(&b.benchmark.hash)
            ));
        }
        out.push(format!("benchmark contents differ: {}", parts.join("; ")));
    }
    let la = serde_json::to_value(&a.limits).expect("limits serialize");
    let lb = serde_json::to_value(&b.limits).expect("limits serialize");
    if let (Some(la), Some(lb)) = (la.as_object(), lb.as_object()) {
        for (k, va) in la {
            let vb = lb.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if *va != vb {
                out.push(format!("limits.{k} differs: {va} vs {vb}"));
            }
        }
    }
    if a.backend.name != b.backend.name {
        out.push(format!(
            "backend differs: {} vs {}",
            a.backend.name, b.backend.name
        ));
    } else if a.backend.fingerprint != b.backend.fingerprint {
        out.push(format!(
            "backend environment differs: {:?} vs {:?}",
            a.backend.fingerprint, b.backend.fingerprint
        ));
    }
    if a.backend.profiles != b.backend.profiles {
        out.push(format!(
            "profile pins differ: {} vs {}",
            a.backend.profiles, b.backend.profiles
        ));
    }
    out
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}
