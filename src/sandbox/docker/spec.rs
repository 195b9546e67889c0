//! What a sandbox container looks like: hardening flags, limits, labels, the server command.

use super::engine::{self, Harness};
use crate::sandbox::profile::Profile;
use crate::sandbox::Limits;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use std::collections::HashMap;

/// Capabilities the server keeps: exactly what switching to the execution uid needs
/// (setgroups/setgid and setuid). Killing and cleaning up after an execution is done by
/// a helper that itself becomes the execution uid, so no CAP_KILL, CAP_DAC_OVERRIDE or
/// CAP_CHOWN. Executions themselves hold no capability (setuid away from 0 clears them).
pub const CAPS_KEPT: &[&str] = &["SETUID", "SETGID"];

/// Memory the container gets beyond an execution's address-space limit: the server,
/// the tmpfs mounts (they count against the cgroup) and slack.
const OVERHEAD_MB: u64 = 96;
/// Processes beyond an execution's own limit: the server and its cleanup helper.
const PIDS_HEADROOM: u64 = 8;
const SHM_MB: u64 = 8;

/// The resource settings a container was created (or last updated) with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    pub memory_bytes: i64,
    pub pids: i64,
    pub tmp_mb: u64,
}

impl Resources {
    pub fn for_limits(limits: &Limits) -> Resources {
        Resources {
            memory_bytes: ((limits.memory_mb + limits.max_file_size_mb + SHM_MB + OVERHEAD_MB)
                << 20) as i64,
            pids: (limits.max_processes + PIDS_HEADROOM) as i64,
            tmp_mb: limits.max_file_size_mb.max(1),
        }
    }
}

/// The rlimits of an execution (shared with the process backend).
pub fn rlimits(limits: &Limits) -> Vec<[u64; 3]> {
    limits.rlimit_triples()
}

/// The environment of every execution (the process backend's, with the image's PATH).
fn environment() -> Vec<String> {
    crate::sandbox::environment::ENVIRONMENT
        .iter()
        .map(|(k, v)| match *k {
            "PATH" => format!("PATH=/opt/assay/venv/bin:{v}"),
            _ => format!("{k}={v}"),
        })
        .collect()
}

/// The create body of one sandbox container.
pub fn container(
    profile: &'static Profile,
    harness: &Harness,
    run: &str,
    res: Resources,
) -> ContainerCreateBody {
    let tmpfs = HashMap::from([(
        "/tmp".to_string(),
        format!("rw,nosuid,nodev,noexec,size={}m,mode=1777", res.tmp_mb),
    )]);
    let host = HostConfig {
        network_mode: Some("none".into()),
        readonly_rootfs: Some(true),
        tmpfs: Some(tmpfs),
        shm_size: Some((SHM_MB << 20) as i64),
        cap_drop: Some(vec!["ALL".into()]),
        cap_add: Some(CAPS_KEPT.iter().map(|c| c.to_string()).collect()),
        security_opt: Some(vec!["no-new-privileges".into()]),
        pids_limit: Some(res.pids),
        memory: Some(res.memory_bytes),
        memory_swap: Some(res.memory_bytes), // equal: no swap at all
        nano_cpus: Some(1_000_000_000),
        ipc_mode: Some("private".into()),
        // The engine deletes the container once its server exits (the harness gone too).
        auto_remove: Some(true),
        // The server's stdout carries every byte an execution prints: never log it.
        log_config: Some(HostConfigLogConfig {
            typ: Some("none".into()),
            config: None,
        }),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(profile.image()),
        cmd: Some(vec![
            "python3".into(),
            "-c".into(),
            crate::sandbox::bootstrap::BOOTSTRAP.into(),
        ]),
        user: Some("0:0".into()),
        working_dir: Some("/tmp".into()),
        env: Some(environment()),
        labels: Some(engine::labels(harness, run, profile)),
        attach_stdin: Some(true),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        open_stdin: Some(true),
        // The engine closes the server's stdin when our attach connection drops, even
        // after a `kill -9` of the harness: the server then exits and the container goes.
        stdin_once: Some(true),
        tty: Some(false),
        network_disabled: Some(true),
        host_config: Some(host),
        ..Default::default()
    }
}

/// The hello the server reads first (`bootstrap`): the runner, the shared child set-up
/// and the server, serving as execution uid `uid`.
pub fn hello(uid: u32, profile: &Profile) -> Vec<u8> {
    use crate::sandbox::bootstrap::{self, CHILD, POOL, RUNNER};
    bootstrap::hello(
        &[RUNNER, CHILD, POOL],
        "assay_pool.serve",
        serde_json::json!({ "uid": uid, "preload": profile.preloaded() }),
    )
}
