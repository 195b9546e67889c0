//! One sandbox container and its pool server (`assay_pool.py`): start, speak the framed
//! protocol over the attached stdin/stdout, and watch one execution from outside.

use super::spec::{self, Resources};
use crate::sandbox::capture::CapturedBuf;
use crate::sandbox::profile::Profile;
use crate::sandbox::runner;
use crate::sandbox::supervise::{Exit, KillReason, Observed, Termination, Watch};
use crate::sandbox::uids::UidLease;
use crate::sandbox::ExecRequest;
use bollard::container::LogOutput;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions};
use bollard::Docker;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// How long a container may take to be created, started and say ready.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to report an execution it was told to kill.
const KILL_REPORT_TIMEOUT: Duration = Duration::from_secs(10);

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

enum Frame {
    Ready,
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Channel(Vec<u8>),
    Exit(Report),
}

/// A started container whose server is ready for jobs.
pub struct Server {
    pub id: String,
    pub resources: Resources,
    input: Pin<Box<dyn AsyncWrite + Send>>,
    output: Output,
    pending: Vec<u8>,
    /// The server's own stderr (a Python traceback if it died), for messages.
    log: CapturedBuf,
    /// The uid its executions run as, leased for the container's life.
    _uid: UidLease,
}

/// The pool server's report on an execution it reaped (`X` frame).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    /// The raw wait status.
    status: i32,
    utime: f64,
    stime: f64,
    /// ru_maxrss of the child, in KiB.
    maxrss: u64,
    /// OOM kills in the container's cgroup during the execution.
    oom_kills: i64,
    /// Whether the server verified that nothing of the execution is left.
    clean: bool,
}

/// Why a container could not be made to serve. Each is a fault of the engine or the
/// harness, never of the code under test: the execution becomes `sandbox_error`.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("cannot create a {profile} container: {source}")]
    Create {
        profile: &'static str,
        source: bollard::errors::Error,
    },
    #[error("cannot attach to container {name}: {source}")]
    Attach {
        name: String,
        source: bollard::errors::Error,
    },
    #[error("cannot start container {name}: {source}")]
    Start {
        name: String,
        source: bollard::errors::Error,
    },
    #[error("cannot talk to container {name}: {source}")]
    Talk {
        name: String,
        source: std::io::Error,
    },
    #[error("the pool server of container {name} did not start: {log}")]
    NotReady { name: String, log: String },
    #[error("container {name} did not start in time")]
    StartTimeout { name: String },
    #[error("no execution uid: {0}")]
    Uid(crate::Error),
    #[error("the pool is closed")]
    PoolClosed,
}

/// What broke the server's stream of frames.
#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error("bad report from the pool server: {0}")]
    BadReport(serde_json::Error),
    #[error("unknown frame {0:#x} from the pool server")]
    UnknownFrame(u8),
    #[error("lost the container's output: {0}")]
    Lost(bollard::errors::Error),
}

impl Server {
    /// Creates (from `body`, the create request of a `profile` container), attaches and
    /// starts a container; `on_created` learns its id at once so that nothing created is
    /// ever unknown to the cleanup.
    pub async fn start(
        docker: &Docker,
        body: ContainerCreateBody,
        profile: &'static Profile,
        name: &str,
        resources: Resources,
        uid: UidLease,
        on_created: impl FnOnce(&str),
    ) -> Result<Server, ContainerError> {
        let opts = CreateContainerOptions {
            name: Some(name.to_string()),
            ..Default::default()
        };
        let id = docker
            .create_container(Some(opts), body)
            .await
            .map_err(|source| ContainerError::Create {
                profile: profile.name,
                source,
            })?
            .id;
        on_created(&id);
        let fut = async {
            let attach = AttachContainerOptions {
                stdin: true,
                stdout: true,
                stderr: true,
                stream: true,
                logs: false,
                ..Default::default()
            };
            let att = docker
                .attach_container(&id, Some(attach))
                .await
                .map_err(|source| ContainerError::Attach {
                    name: name.into(),
                    source,
                })?;
            docker
                .start_container(&id, None)
                .await
                .map_err(|source| ContainerError::Start {
                    name: name.into(),
                    source,
                })?;
            let hello = spec::hello(uid.uid, profile);
            let mut server = Server {
                id: id.clone(),
                resources,
                input: att.input,
                output: att.output,
                pending: Vec::new(),
                log: CapturedBuf::default(),
                _uid: uid,
            };
            let talk = |source| ContainerError::Talk {
                name: name.into(),
                source,
            };
            server.input.write_all(&hello).await.map_err(talk)?;
            server.input.flush().await.map_err(talk)?;
            match server.next_frame().await {
                Ok(Some(Frame::Ready)) => Ok(server),
                _ => Err(ContainerError::NotReady {
                    name: name.into(),
                    log: server.log_tail(),
                }),
            }
        };
        tokio::time::timeout(START_TIMEOUT, fut)
            .await
            .unwrap_or_else(|_| Err(ContainerError::StartTimeout { name: name.into() }))
    }

    fn log_tail(&self) -> String {
        let text = String::from_utf8_lossy(self.log.head()).trim().to_string();
        let last = text.lines().last().unwrap_or("no output").to_string();
        last
    }

    async fn send(&mut self, msg: &serde_json::Value) -> std::io::Result<()> {
        self.input
            .write_all(&crate::sandbox::bootstrap::framed(msg))
            .await?;
        self.input.flush().await
    }

    /// The next frame of the server's stdout; `Ok(None)` when the stream ended.
    /// Cancel-safe: partial frames stay in `pending`.
    async fn next_frame(&mut self) -> Result<Option<Frame>, StreamError> {
        loop {
            if self.pending.len() >= 5 {
                let len =
                    u32::from_be_bytes(self.pending[1..5].try_into().expect("4 bytes")) as usize;
                if self.pending.len() >= 5 + len {
                    let kind = self.pending[0];
                    let payload: Vec<u8> = self.pending[5..5 + len].to_vec();
                    self.pending.drain(..5 + len);
                    return match kind {
                        b'R' => Ok(Some(Frame::Ready)),
                        b'O' => Ok(Some(Frame::Stdout(payload))),
                        b'E' => Ok(Some(Frame::Stderr(payload))),
                        b'C' => Ok(Some(Frame::Channel(payload))),
                        b'X' => serde_json::from_slice(&payload)
                            .map(|r| Some(Frame::Exit(r)))
                            .map_err(StreamError::BadReport),
                        k => Err(StreamError::UnknownFrame(k)),
                    };
                }
            }
            match self.output.next().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(StreamError::Lost(e)),
                Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => {
                    self.pending.extend_from_slice(&message)
                }
                Some(Ok(LogOutput::StdErr { message })) => self.log.push(&message),
                Some(Ok(LogOutput::StdIn { .. })) => {}
            }
        }
    }

    /// Runs one request; `cancel` turns true on Ctrl-C. Also says whether the container
    /// may serve another execution.
    pub async fn execute(
        &mut self,
        docker: &Docker,
        req: &ExecRequest,
        mut cancel: tokio::sync::watch::Receiver<bool>,
    ) -> (Observed, bool) {
        let nonce = runner::new_nonce();
        let rlimits = spec::rlimits(&req.limits);
        let job = serde_json::json!({
            "op": "run",
            "rlimits": rlimits,
            "request": runner::request_value(req, &nonce),
        });
        let mut watch = Watch::for_limits(&req.limits);
        let mut obs = Observed::new(&nonce, req.tests.len());
        if let Err(e) = self.send(&job).await {
            obs.fault = Some(format!("cannot send the job to the pool server: {e}"));
            return (obs, false);
        }
        let mut kill_sent: Option<Instant> = None;
        let mut report: Option<Report> = None;
        let mut lost: Option<String> = None;
        loop {
            if kill_sent.is_none() {
                let output = obs.stdout.total() + obs.stderr.total();
                let cancelled = *cancel.borrow();
                if let Some(reason) = watch.due(output, cancelled) {
                    obs.killed = Some(reason);
                    kill_sent = Some(Instant::now());
                    if reason == KillReason::Cancelled {
                        break; // the whole pool is being removed: no report to wait for
                    }
                    if self.send(&serde_json::json!({"op": "kill"})).await.is_err() {
                        break;
                    }
                }
            }
            let wake = kill_sent.map_or_else(|| watch.wake_at(), |t| t + KILL_REPORT_TIMEOUT);
            tokio::select! {
                frame = self.next_frame() => match frame {
                    Ok(Some(Frame::Stdout(b))) => obs.stdout.push(&b),
                    Ok(Some(Frame::Stderr(b))) => obs.stderr.push(&b),
                    Ok(Some(Frame::Channel(b))) => {
                        obs.channel.feed(&b);
                        watch.observe(&obs.channel);
                    }
                    Ok(Some(Frame::Exit(r))) => { report = Some(r); break; }
                    Ok(Some(Frame::Ready)) => { lost = Some("the pool server restarted".into()); break; }
                    Ok(None) => { lost = Some(format!("the pool server exited: {}", self.log_tail())); break; }
                    Err(e) => { lost = Some(e.to_string()); break; }
                },
                _ = tokio::time::sleep_until(wake.into()) => {
                    if kill_sent.is_some() {
                        lost = Some("the pool server did not report a killed execution".into());
                        break;
                    }
                }
                _ = cancel.changed(), if kill_sent.is_none() => {}
            }
        }
        obs.wall = watch.elapsed();
        let Some(report) = report else {
            // No report: the server or the container died, or we stopped waiting. An
            // OOM-killed container is the program's doing; the rest is ours, unless we
            // had stopped it already for a reason of its own.
            let oom = docker
                .inspect_container(&self.id, None)
                .await
                .ok()
                .and_then(|i| i.state)
                .and_then(|s| s.oom_killed)
                .unwrap_or(false);
            if oom {
                obs.exit = Some(Exit {
                    memory_killed: true,
                    ..Exit::killed()
                });
            } else if !matches!(
                obs.killed,
                Some(KillReason::WallTimeout | KillReason::OutputCap | KillReason::Cancelled)
            ) {
                obs.fault = Some(lost.unwrap_or_else(|| "the pool server stopped".into()));
            }
            return (obs, false);
        };
        let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
        obs.exit = Some(Exit {
            termination: Termination::from_wait_status(report.status),
            cpu: secs(report.utime) + secs(report.stime),
            peak_memory_kb: report.maxrss,
            memory_killed: report.oom_kills > 0,
        });
        // An OOM kill, or a clean-up the server could not verify (files, SysV IPC or pipes
        // of the execution left): the container is poisoned, a fresh one takes its place.
        let reusable = report.oom_kills == 0
            && report.clean
            && obs.fault.is_none()
            && obs.killed != Some(KillReason::Cancelled);
        (obs, reusable)
    }
}
