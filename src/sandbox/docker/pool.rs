//! Containers per profile: a warm pool of `--jobs` long-lived servers (or one fresh
//! container per execution when cold), and the registry of every container we created,
//! so that success, error, Ctrl-C and `Drop` all remove them.

use super::engine::Harness;
use super::server::{ContainerError, Server};
use super::spec::{self, Resources};
use crate::sandbox::profile::Profile;
use crate::sandbox::uids::lease_uid;
use bollard::errors::Error::DockerResponseServerError;
use bollard::Docker;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Ids of the containers this harness created and has not removed yet.
#[derive(Default)]
pub struct Registry {
    ids: Mutex<HashSet<String>>,
}

impl Registry {
    pub fn add(&self, id: &str) {
        self.ids
            .lock()
            .expect("registry lock")
            .insert(id.to_string());
    }

    pub fn take_all(&self) -> Vec<String> {
        self.ids.lock().expect("registry lock").drain().collect()
    }

    fn forget(&self, id: &str) {
        self.ids.lock().expect("registry lock").remove(id);
    }
}

/// How long a removal already in progress may take before `remove` gives up on it.
const REMOVAL_WAIT: Duration = Duration::from_secs(10);

/// Force-removes a container (killing it), ignoring one that is already gone; returns
/// once it is gone, also when its removal was already under way.
pub async fn remove(docker: &Docker, id: &str) -> Result<(), bollard::errors::Error> {
    let opts = bollard::query_parameters::RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    match docker.remove_container(id, Some(opts)).await {
        Ok(())
        | Err(DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(()),
        // 409: removal already in progress (the engine's auto-remove once the server
        // exited, or another path of ours).
        Err(DockerResponseServerError {
            status_code: 409, ..
        }) => {
            let deadline = tokio::time::Instant::now() + REMOVAL_WAIT;
            loop {
                match docker.inspect_container(id, None).await {
                    Err(DockerResponseServerError {
                        status_code: 404, ..
                    }) => return Ok(()),
                    Err(e) => return Err(e),
                    Ok(_) if tokio::time::Instant::now() >= deadline => {
                        return Err(DockerResponseServerError {
                            status_code: 409,
                            message: format!("container {id} is still being removed"),
                        })
                    }
                    Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }
        Err(e) => Err(e),
    }
}

/// What every pool shares.
pub struct Shared {
    pub docker: Docker,
    pub harness: Harness,
    pub run: String,
    pub registry: Arc<Registry>,
    pub cold: bool,
    name_next: AtomicUsize,
}

impl Shared {
    pub fn new(docker: Docker, run: String, cold: bool) -> Shared {
        Shared {
            docker,
            harness: Harness::me(),
            run,
            registry: Arc::new(Registry::default()),
            cold,
            name_next: AtomicUsize::new(0),
        }
    }

    pub async fn start_server(
        &self,
        profile: &'static Profile,
        res: Resources,
    ) -> Result<Server, ContainerError> {
        let n = self.name_next.fetch_add(1, Ordering::Relaxed);
        let name = format!("assay-{}-{}-{n}", self.run, profile.name);
        let registry = Arc::clone(&self.registry);
        // No two containers on the machine, of this harness or another, nor a process
        // backend slot, run executions as one uid (see `uids.rs`).
        let uid = lease_uid().map_err(ContainerError::Uid)?;
        Server::start(
            &self.docker,
            spec::container(profile, &self.harness, &self.run, res),
            profile,
            &name,
            res,
            uid,
            move |id| registry.add(id),
        )
        .await
    }

    pub async fn discard(&self, server: Server) {
        let id = server.id.clone();
        drop(server); // closes stdin: the server exits by itself if removal fails
        if remove(&self.docker, &id).await.is_ok() {
            self.registry.forget(&id);
        }
    }
}

/// The servers of one profile; at most `jobs` exist at a time.
pub struct Pool {
    pub profile: &'static Profile,
    idle: Mutex<Vec<Server>>,
    permits: Arc<Semaphore>,
}

/// A server lent to one execution.
pub struct Lease {
    pub server: Server,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub fn new(profile: &'static Profile, jobs: usize) -> Pool {
        Pool {
            profile,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(jobs.max(1))),
        }
    }

    /// Starts `n` servers ahead of time (warm mode), concurrently.
    pub async fn prewarm(
        &self,
        shared: &Shared,
        n: usize,
        res: Resources,
    ) -> Result<(), ContainerError> {
        let started =
            futures_util::future::join_all((0..n).map(|_| shared.start_server(self.profile, res)))
                .await;
        let mut idle = self.idle.lock().expect("pool lock");
        for s in started {
            idle.push(s?);
        }
        Ok(())
    }

    /// A server with these resources: an idle one (resized when needed) or a new one.
    pub async fn checkout(&self, shared: &Shared, res: Resources) -> Result<Lease, ContainerError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| ContainerError::PoolClosed)?;
        let idle = if shared.cold {
            None
        } else {
            self.idle.lock().expect("pool lock").pop()
        };
        if let Some(mut server) = idle {
            if server.resources == res {
                return Ok(Lease {
                    server,
                    _permit: permit,
                });
            }
            if server.resources.tmp_mb == res.tmp_mb
                && resize(&shared.docker, &server.id.clone(), res).await
            {
                server.resources = res;
                return Ok(Lease {
                    server,
                    _permit: permit,
                });
            }
            shared.discard(server).await;
        }
        let server = shared.start_server(self.profile, res).await?;
        Ok(Lease {
            server,
            _permit: permit,
        })
    }

    /// Returns a server after an execution: back to the idle list, or removed.
    pub async fn checkin(&self, shared: &Shared, lease: Lease, reusable: bool) {
        let Lease { server, _permit } = lease;
        if reusable && !shared.cold {
            self.idle.lock().expect("pool lock").push(server);
        } else {
            shared.discard(server).await;
        }
    }

    /// Drops every idle server (their containers are removed by the caller's sweep).
    pub fn clear(&self) {
        self.idle.lock().expect("pool lock").clear();
    }
}

/// Changes a running container's memory and pids limits (an entry with its own limits).
async fn resize(docker: &Docker, id: &str, res: Resources) -> bool {
    let body = bollard::models::ContainerUpdateBody {
        memory: Some(res.memory_bytes),
        memory_swap: Some(res.memory_bytes),
        pids_limit: Some(res.pids),
        ..Default::default()
    };
    docker.update_container(id, body).await.is_ok()
}
