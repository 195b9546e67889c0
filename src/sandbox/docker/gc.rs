//! Leftover containers: a harness's own are swept when it stops. Those of a harness that
//! died (`kill -9`) normally end by themselves (`spec.rs`: StdinOnce, auto-remove); any
//! that did not are reaped at the next start and by `assay sandbox gc`.

use super::engine::{self, Harness, LABEL, LABEL_RUN};
use super::pool::remove;
use bollard::query_parameters::ListContainersOptions;
use bollard::Docker;
use std::collections::HashMap;

/// What a sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub removed: usize,
    /// Containers of harnesses that still run (left alone unless asked).
    pub live: usize,
    pub failed: Vec<String>,
}

async fn list(
    docker: &Docker,
    label: &str,
) -> crate::Result<Vec<(String, HashMap<String, String>)>> {
    let opts = ListContainersOptions {
        all: true,
        filters: Some(HashMap::from([(
            "label".to_string(),
            vec![label.to_string()],
        )])),
        ..Default::default()
    };
    let list = docker
        .list_containers(Some(opts))
        .await
        .map_err(|e| crate::Error::Environment(format!("cannot list docker containers: {e}")))?;
    Ok(list
        .into_iter()
        .filter_map(|c| Some((c.id?, c.labels.unwrap_or_default())))
        .collect())
}

/// Removes assay's containers whose harness is dead (all of them with `all`).
pub async fn sweep(docker: &Docker, all: bool) -> crate::Result<Swept> {
    let mut out = Swept::default();
    let mut doomed = Vec::new();
    for (id, labels) in list(docker, LABEL).await? {
        if all || !Harness::alive_from_labels(&labels) {
            doomed.push(id);
        } else {
            out.live += 1;
        }
    }
    let results = futures_util::future::join_all(doomed.iter().map(|id| remove(docker, id))).await;
    for (id, r) in doomed.iter().zip(results) {
        match r {
            Ok(()) => out.removed += 1,
            Err(e) => out.failed.push(format!("{}: {e}", &id[..12.min(id.len())])),
        }
    }
    Ok(out)
}

/// Removes every container of one run plus the given ids (created, maybe not yet listed).
pub async fn sweep_run(docker: &Docker, run: &str, ids: Vec<String>) {
    let mut all = ids;
    if let Ok(found) = list(docker, &format!("{LABEL_RUN}={run}")).await {
        all.extend(found.into_iter().map(|(id, _)| id));
    }
    all.sort();
    all.dedup();
    futures_util::future::join_all(all.iter().map(|id| remove(docker, id))).await;
}

/// `sweep_run` from synchronous code (`Drop`), on a thread with its own runtime and
/// connection, so it works whatever runtime is (or is not) running around us.
pub fn sweep_run_blocking(run: String, ids: Vec<String>) {
    let worker = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(docker) = engine::connect().await {
                let sweep = sweep_run(&docker, &run, ids);
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), sweep).await;
            }
        });
    });
    let _ = worker.join();
}
