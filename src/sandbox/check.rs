//! `assay sandbox check`: which isolation layers really hold on this machine, probed
//! from inside the sandbox as an execution sees it. One line per layer.

use super::process::{ProcessConfig, ProcessSandbox};
use super::{ExecRequest, Limits, Sandbox, Status};

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Item {
    pub ok: bool,
    pub name: String,
    pub detail: String,
}

pub fn item(ok: bool, name: &str, detail: impl Into<String>) -> Item {
    Item {
        ok,
        name: name.to_string(),
        detail: detail.into(),
    }
}

/// The harness's own IPC namespace (`ipc:[inode]`), to compare an execution's with.
pub fn own_ipc_namespace() -> String {
    std::fs::read_link("/proc/self/ns/ipc")
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// What a process-backend execution sees of its confinement, as one JSON line.
const PROCESS_PROBE: &str = r#"
import json, os
status = dict(l.split(":\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\t" in l)
mounts = open("/proc/self/mountinfo").read().splitlines()
cgroup = open("/proc/self/cgroup").read()
print(json.dumps({
    "seccomp": status.get("Seccomp", "?").strip(),
    "filters": status.get("Seccomp_filters", "?").strip(),
    "no_new_privs": status.get("NoNewPrivs", "?").strip(),
    "root": sorted(os.listdir("/")),
    "root_fs": mounts[0].split(" - ")[1].split()[0] if mounts else "?",
    "mounts": len(mounts),
    "ipc": os.readlink("/proc/self/ns/ipc"),
    "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
    "cgroup": [l for l in cgroup.splitlines() if ":memory:" in l or l.startswith("0::")],
}))
"#;

/// The host directories no sandbox may see.
const HIDDEN: &[&str] = &["run", "home", "root", "sys", "srv", "mnt", "opt", "boot"];

/// Why the probe told nothing.
#[derive(Debug, thiserror::Error)]
enum ProbeError {
    #[error("the probe was cancelled")]
    Cancelled,
    #[error("the probe ended {status}: {message}")]
    Ended { status: Status, message: String },
    #[error("the probe's report: {0}")]
    Report(serde_json::Error),
}

async fn probe(sb: &ProcessSandbox) -> Result<serde_json::Value, ProbeError> {
    let out = sb
        .execute(ExecRequest {
            program: PROCESS_PROBE.into(),
            tests: vec![],
            limits: Limits::with_timeout(20.0),
            requirements: vec![],
            instrument: Default::default(),
        })
        .await
        .map_err(|_| ProbeError::Cancelled)?;
    if out.status != Status::Passed {
        return Err(ProbeError::Ended {
            status: out.status,
            message: out.message,
        });
    }
    serde_json::from_str(out.stdout.text.trim()).map_err(ProbeError::Report)
}

/// The process backend's layers: minimal root, IPC namespace per execution, memory
/// cgroup, seccomp filter, hidden processes.
pub async fn process(python: String) -> crate::Result<Vec<Item>> {
    let sb = ProcessSandbox::start(ProcessConfig { python, jobs: 1 }).await?;
    let (first, second) = match (probe(&sb).await, probe(&sb).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Ok(vec![item(false, "process probe", e.to_string())]),
    };
    let s = |k: &str| first[k].as_str().unwrap_or("?").to_string();
    let root: Vec<String> = serde_json::from_value(first["root"].clone()).unwrap_or_default();
    let visible: Vec<&str> = HIDDEN
        .iter()
        .copied()
        .filter(|d| root.iter().any(|r| r == d))
        .collect();
    let host_ipc = own_ipc_namespace();
    let cgroup: Vec<String> = serde_json::from_value(first["cgroup"].clone()).unwrap_or_default();
    let own_cgroup = cgroup
        .iter()
        .any(|l| l.contains("/assay-") && l.contains("/slot-"));
    let pids: Vec<String> = serde_json::from_value(first["pids"].clone()).unwrap_or_default();
    let mut items = vec![
        item(
            s("root_fs") == "tmpfs" && visible.is_empty(),
            "pivot_root",
            if visible.is_empty() {
                format!(
                    "minimal root ({} on /, {} mounts): {}",
                    s("root_fs"),
                    first["mounts"],
                    root.join(" ")
                )
            } else {
                format!("the host's {} are visible", visible.join(", "))
            },
        ),
        // Only the harness's namespace, which is alive, can be told apart by inode number:
        // the kernel reuses the number of a namespace that is gone, so two executions one
        // after the other may see equal numbers for two namespaces. That nothing of one
        // execution's IPC reaches the next is the hostile sequence `seq_sysv_ipc`'s to show.
        item(
            s("ipc") != host_ipc && second["ipc"].as_str().is_some_and(|i| i != host_ipc),
            "ipc namespace",
            format!(
                "executions see {} then {}, not the harness's {host_ipc}",
                s("ipc"),
                second["ipc"].as_str().unwrap_or("?")
            ),
        ),
        item(
            own_cgroup,
            "memory cgroup",
            if own_cgroup {
                format!(
                    "{} (memory verdicts and peaks from the kernel)",
                    cgroup.join(" ")
                )
            } else {
                format!(
                    "not in a cgroup of its own ({}): memory is limited by RLIMIT_AS only",
                    cgroup.join(" ")
                )
            },
        ),
        item(
            s("seccomp") == "2" && s("no_new_privs") == "1",
            "seccomp",
            format!(
                "mode {} with {} filter(s), no_new_privs {}",
                s("seccomp"),
                s("filters"),
                s("no_new_privs")
            ),
        ),
        item(
            !pids.iter().any(|p| p == "1"),
            "hidden processes",
            format!(
                "an execution sees pids {} (hidepid; PID 1 is the sandbox's init)",
                pids.join(" ")
            ),
        ),
    ];
    for i in &mut items {
        i.name = format!("process {}", i.name);
    }
    Ok(items)
}
