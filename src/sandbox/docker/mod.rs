//! The `docker` backend: executions in hardened containers on the local engine (bollard).
//!
//! Per profile (`python`, `ml`, picked by an entry's requirements) a pool of `--jobs`
//! long-lived containers each runs `assay_pool.py`, which forks a fresh child per
//! execution, drops it to an unprivileged uid and multiplexes its stdout, stderr and
//! runner channel over the attached stdout. The verdict is `runner::decide` on what the
//! harness observed, as for every backend. After each execution the server kills the
//! uid's processes and removes what it left (files, SysV IPC), and says whether that is
//! verified clean; a container that is not (or saw an OOM kill) is replaced. Containers
//! end with the harness: when its attach connection drops, even on `kill -9`, the server
//! sees end of input and exits, and the engine removes the container (`spec.rs`); `gc`
//! reaps any left at the next start. Cold mode (`--docker-cold` or `ASSAY_DOCKER_COLD=1`)
//! uses one fresh container per execution instead.

pub mod check;
mod engine;
pub mod gc;
mod pool;
mod server;
mod spec;

pub use engine::connect;

use super::{Cancelled, ExecRequest, Execution, Limits, Outcome, Sandbox};
use crate::sandbox::profile::{self, Profile, PROFILES};
use pool::{Pool, Shared};
use spec::Resources;
use std::sync::Arc;

/// Set to `1` to force one container per execution (no warm pool).
pub const COLD_ENV: &str = "ASSAY_DOCKER_COLD";

pub struct DockerConfig {
    pub jobs: usize,
    pub cold: bool,
}

pub struct DockerSandbox {
    shared: Arc<Shared>,
    pools: Vec<Pool>,
    fingerprint: String,
    cancel: tokio::sync::watch::Sender<bool>,
}

impl DockerSandbox {
    /// Connects, reaps containers of dead harnesses, checks the images, warms the pool
    /// and runs a smoke test through it.
    pub async fn start(config: DockerConfig) -> crate::Result<DockerSandbox> {
        let docker = engine::connect().await?;
        let reaped = gc::sweep(&docker, false).await?;
        if reaped.removed > 0 {
            log::info!(
                "removed {} leftover assay container(s) of a harness that was killed",
                reaped.removed
            );
        }
        let mut ids = Vec::new();
        for p in PROFILES {
            let image = engine::image(&docker, p).await?;
            ids.push(format!(
                "{}={}",
                p.name,
                image
                    .id
                    .trim_start_matches("sha256:")
                    .get(..12)
                    .unwrap_or("?")
            ));
        }
        let cold = config.cold || std::env::var(COLD_ENV).as_deref() == Ok("1");
        let jobs = config.jobs.max(1);
        let shared = Arc::new(Shared::new(docker, engine::new_run_id(), cold));
        let pools = PROFILES.iter().map(|p| Pool::new(p, jobs)).collect();
        let (cancel, _) = tokio::sync::watch::channel(false);
        let mut sb = DockerSandbox {
            shared,
            pools,
            fingerprint: ids.join(" "),
            cancel,
        };
        if !cold {
            let res = Resources::for_limits(&Limits::default());
            if let Err(e) = sb.pools[0].prewarm(&sb.shared, jobs, res).await {
                return Err(crate::Error::Environment(format!(
                    "the docker sandbox cannot start: {e}"
                )));
            }
        }
        let version = super::smoke_test(&sb, "the docker sandbox cannot run python", "").await?;
        sb.fingerprint = format!("{} python {version}", sb.fingerprint);
        Ok(sb)
    }

    fn pool(&self, profile: &'static Profile) -> &Pool {
        self.pools
            .iter()
            .find(|p| p.profile == profile)
            .expect("a pool per profile")
    }
}

#[async_trait::async_trait]
impl Sandbox for DockerSandbox {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    async fn execute(&self, req: ExecRequest) -> Execution {
        let profile = match profile::for_request("docker", &req) {
            Ok(p) => p,
            Err(unsupported) => return Ok(*unsupported),
        };
        let cancel = self.cancel.subscribe();
        if *cancel.borrow() {
            return Err(Cancelled);
        }
        let pool = self.pool(profile);
        let mut lease = match pool
            .checkout(&self.shared, Resources::for_limits(&req.limits))
            .await
        {
            Ok(l) => l,
            Err(e) => return Ok(Outcome::sandbox_error("docker", &req.tests, e.to_string())),
        };
        let (observed, reusable) = lease
            .server
            .execute(&self.shared.docker, &req, cancel)
            .await;
        pool.checkin(&self.shared, lease, reusable).await;
        observed.into_outcome("docker", &req)
    }

    fn cancel_all(&self) {
        self.cancel.send_replace(true);
        // Remove everything at once; executions stop waiting as soon as they see the flag.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let shared = Arc::clone(&self.shared);
            for p in &self.pools {
                p.clear();
            }
            handle.spawn(async move {
                let ids = shared.registry.take_all();
                gc::sweep_run(&shared.docker, &shared.run, ids).await;
            });
        }
    }
}

impl Drop for DockerSandbox {
    fn drop(&mut self) {
        self.cancel.send_replace(true);
        for p in &self.pools {
            p.clear();
        }
        let ids = self.shared.registry.take_all();
        gc::sweep_run_blocking(self.shared.run.clone(), ids);
    }
}
