//! `assay sandbox check`: is the engine reachable, are the images there, and which
//! isolation features really hold (probed from inside a container, as an execution).

use super::engine;
use super::pool::{Pool, Shared};
use super::spec::Resources;
use crate::sandbox::profile::{self, PROFILES};
use crate::sandbox::{ExecRequest, Limits};

use crate::sandbox::check::item;
pub use crate::sandbox::check::Item;

/// Runs as an execution would and reports what it sees, as one JSON line.
const PROBE: &str = r#"
import errno, json, os, socket
def read(*paths):
    for p in paths:
        try:
            return open(p).read().strip()
        except OSError:
            pass
def status(pid):
    return dict(l.split(":\t", 1) for l in open("/proc/%s/status" % pid).read().splitlines() if ":\t" in l)
me, server = status("self"), status(1)
r = {"uid": os.getuid(), "server_uid": int(server["Uid"].split()[0]), "cap_eff": me["CapEff"],
     "server_cap_eff": server["CapEff"], "no_new_privs": me.get("NoNewPrivs", "?"),
     "net": sorted(os.listdir("/sys/class/net"))}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1).close()
    r["connect"] = "connected"
except OSError as e:
    r["connect"] = str(e)
try:
    open("/opt/assay/probe", "w").close()
    r["rootfs"] = "writable"
except OSError as e:
    r["rootfs"] = errno.errorcode.get(e.errno, str(e.errno))
st = os.stat(".")
r.update(cwd=os.getcwd(), cwd_mode=oct(st.st_mode & 0o777), cwd_owner=st.st_uid)
vfs = os.statvfs("/tmp")
r["tmp_mb"] = vfs.f_blocks * vfs.f_frsize // (1 << 20)
r["memory"] = read("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max")
r["memsw"] = read("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "/sys/fs/cgroup/memory.swap.max")
r["pids"] = read("/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max")
r["cpu"] = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu.max")
r["seccomp"] = me.get("Seccomp", "?").strip()
r["ipc"] = os.readlink("/proc/self/ns/ipc")
print(json.dumps(r))
"#;

/// The whole check. `Err` only when the engine cannot be reached.
pub async fn check() -> crate::Result<Vec<Item>> {
    let docker = engine::connect().await?;
    let mut out = Vec::new();
    let version = docker.version().await.ok();
    out.push(item(
        true,
        "engine",
        format!(
            "reachable: Docker {} (API {} negotiated {})",
            version
                .as_ref()
                .and_then(|v| v.version.clone())
                .unwrap_or_default(),
            version
                .as_ref()
                .and_then(|v| v.api_version.clone())
                .unwrap_or_default(),
            docker.client_version()
        ),
    ));
    let mut python_ok = false;
    for p in PROFILES {
        match engine::image(&docker, p).await {
            Ok(img) => {
                python_ok |= p == profile::stdlib();
                out.push(item(
                    true,
                    &format!("image {}", p.name),
                    format!(
                        "{} {} (recipe {})",
                        img.tag,
                        img.id
                            .trim_start_matches("sha256:")
                            .get(..12)
                            .unwrap_or("?"),
                        img.recipe.as_deref().unwrap_or("?")
                    ),
                ));
            }
            Err(e) => out.push(item(false, &format!("image {}", p.name), e.to_string())),
        }
    }
    if !python_ok {
        return Ok(out);
    }
    let shared = Shared::new(docker.clone(), engine::new_run_id(), true);
    let limits = Limits::default();
    let pool = Pool::new(profile::stdlib(), 1);
    let probe = async {
        let mut lease = pool
            .checkout(&shared, Resources::for_limits(&limits))
            .await
            .map_err(|e| e.to_string())?;
        let req = ExecRequest {
            program: PROBE.into(),
            tests: vec![],
            limits: Limits::with_timeout(20.0),
            requirements: vec![],
            instrument: Default::default(),
        };
        let (_tx, rx) = tokio::sync::watch::channel(false);
        let created = docker.inspect_container(&lease.server.id, None).await;
        let (obs, _) = lease.server.execute(&docker, &req, rx).await;
        pool.checkin(&shared, lease, false).await;
        let text = String::from_utf8_lossy(obs.stdout.head()).into_owned();
        let seen = serde_json::from_str::<serde_json::Value>(text.trim()).map_err(|_| {
            format!(
                "the probe did not report: {} {}",
                obs.fault.unwrap_or_default(),
                String::from_utf8_lossy(obs.stderr.head()).trim()
            )
        })?;
        Ok::<_, String>((seen, created.map_err(|e| e.to_string())?))
    };
    let result = probe.await;
    gc::sweep_run(&docker, &shared.run, shared.registry.take_all()).await;
    match result {
        Ok((seen, created)) => {
            out.extend(features(&seen, &limits));
            out.push(lifetime(&created));
        }
        Err(e) => out.push(item(false, "isolation probe", e)),
    }
    Ok(out)
}

/// Whether a container ends with its harness: the engine closes the server's stdin when
/// the harness's attach connection drops (StdinOnce) and deletes it when it exits.
fn lifetime(c: &bollard::models::ContainerInspectResponse) -> Item {
    let auto_remove = c.host_config.as_ref().and_then(|h| h.auto_remove) == Some(true);
    let stdin_once = c.config.as_ref().and_then(|c| c.stdin_once) == Some(true);
    item(
        auto_remove && stdin_once,
        "ends with the harness",
        format!("StdinOnce {stdin_once}, AutoRemove {auto_remove} (even on kill -9)"),
    )
}

use super::gc;

fn features(r: &serde_json::Value, limits: &Limits) -> Vec<Item> {
    let s = |k: &str| match &r[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "unavailable".into(),
        v => v.to_string(),
    };
    let want = Resources::for_limits(limits);
    let net_ok = r["net"] == serde_json::json!(["lo"]) && s("connect") != "connected";
    let uid = r["uid"].as_u64().unwrap_or(0);
    let mem_ok = s("memory").parse::<i64>().ok() == Some(want.memory_bytes)
        || s("memory") == want.memory_bytes.to_string();
    let memsw = s("memsw");
    let host_ipc = crate::sandbox::check::own_ipc_namespace();
    vec![
        item(
            net_ok,
            "network none",
            format!("interfaces {}, connect: {}", r["net"], s("connect")),
        ),
        item(
            s("rootfs") == "EROFS",
            "read-only root",
            format!("write to /opt: {}", s("rootfs")),
        ),
        item(
            s("cwd_mode") == "0o700" && r["cwd_owner"] == r["uid"] && s("cwd").starts_with("/tmp/"),
            "private temp dir",
            format!(
                "{} mode {} owner {}, /tmp tmpfs {} MB",
                s("cwd"),
                s("cwd_mode"),
                r["cwd_owner"],
                r["tmp_mb"]
            ),
        ),
        item(
            uid >= 10000 && r["server_uid"] != r["uid"],
            "execution uid",
            format!(
                "{uid}, another than the pool server's ({})",
                r["server_uid"]
            ),
        ),
        item(
            s("cap_eff").trim_start_matches('0').is_empty()
                && s("server_cap_eff").trim_start_matches('0') == "c0",
            "capabilities",
            format!(
                "execution CapEff {}; pool server CapEff {} (SETGID, SETUID only)",
                s("cap_eff"),
                s("server_cap_eff")
            ),
        ),
        item(
            s("no_new_privs") == "1",
            "no-new-privileges",
            format!("NoNewPrivs {}", s("no_new_privs")),
        ),
        item(
            mem_ok,
            "memory limit",
            format!(
                "{} bytes (swap+memory: {})",
                s("memory"),
                if memsw == "unavailable" {
                    "no swap accounting in this kernel; memory-swap is set equal".into()
                } else {
                    memsw
                }
            ),
        ),
        item(s("pids") == want.pids.to_string(), "pids limit", s("pids")),
        item(
            s("seccomp") == "2",
            "seccomp",
            format!("mode {} (the engine's default profile)", s("seccomp")),
        ),
        item(
            s("ipc") != host_ipc,
            "ipc namespace",
            format!(
                "{} against the harness's {host_ipc}: private to the container, emptied by \
                 the pool between executions",
                s("ipc")
            ),
        ),
        item(
            s("cpu") == "100000" || s("cpu").starts_with("100000 "),
            "cpu quota",
            format!("{} (one CPU)", s("cpu")),
        ),
    ]
}
