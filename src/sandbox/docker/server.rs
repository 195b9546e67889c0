//! One sandbox container and its pool server (`assay_pool.py`): start, speak the framed
//! protocol over the attached stdin/stdout, and watch one execution from outside.

use super::engine::Harness;
use super::profile::Profile;
use super::spec::{self, Resources};
use crate::sandbox::capture::CapturedBuf;
use crate::sandbox::runner::{self, Channel, Ending};
use crate::sandbox::uids::UidLease;
use crate::sandbox::ExecRequest;
use bollard::container::LogOutput;
use bollard::query_parameters::{AttachContainerOptions, CreateContainerOptions};
use bollard::Docker;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// How long a container may take to be created, started and say ready.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long python may take to fork and read its request before the wall clock runs.
const STARTUP_ALLOWANCE: Duration = Duration::from_secs(10);
/// How long the runner may linger after its last record before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// How long the server may take to report an execution it was told to kill.
const KILL_REPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// What the child writes on stderr before exiting 125 when its setup failed.
const SETUP_MARK: &str = "assay-sandbox-setup:";
const SETUP_FAILED: i32 = 125;

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

enum Frame {
    Ready,
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Channel(Vec<u8>),
    Exit(serde_json::Value),
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

/// How one execution went, as seen from outside.
pub struct Observed {
    pub ending: Ending,
    pub channel: Channel,
    pub stdout: CapturedBuf,
    pub stderr: CapturedBuf,
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_memory_kb: u64,
    /// The sandbox failed (not the code): the reason.
    pub fault: Option<String>,
    pub cancelled: bool,
    /// Whether the container may serve another execution.
    pub reusable: bool,
}

impl Server {
    /// Creates, attaches and starts a container; `on_created` learns its id at once so
    /// that nothing created is ever unknown to the cleanup.
    pub async fn start(
        docker: &Docker,
        profile: Profile,
        harness: &Harness,
        run: &str,
        name: &str,
        resources: Resources,
        uid: UidLease,
        on_created: impl FnOnce(&str),
    ) -> Result<Server, String> {
        let body = spec::container(profile, harness, run, resources);
        let opts = CreateContainerOptions {
            name: Some(name.to_string()),
            ..Default::default()
        };
        let id = docker
            .create_container(Some(opts), body)
            .await
            .map_err(|e| format!("cannot create a {} container: {e}", profile.name()))?
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
                .map_err(|e| format!("cannot attach to container {name}: {e}"))?;
            docker
                .start_container(&id, None)
                .await
                .map_err(|e| format!("cannot start container {name}: {e}"))?;
            let hello = spec::hello(uid.uid);
            let mut server = Server {
                id: id.clone(),
                resources,
                input: att.input,
                output: att.output,
                pending: Vec::new(),
                log: CapturedBuf::default(),
                _uid: uid,
            };
            server
                .input
                .write_all(&hello)
                .await
                .map_err(|e| format!("cannot talk to container {name}: {e}"))?;
            server.input.flush().await.map_err(|e| e.to_string())?;
            match server.next_frame().await {
                Ok(Some(Frame::Ready)) => Ok(server),
                _ => Err(format!(
                    "the pool server of container {name} did not start: {}",
                    server.log_tail()
                )),
            }
        };
        tokio::time::timeout(START_TIMEOUT, fut)
            .await
            .unwrap_or_else(|_| Err(format!("container {name} did not start in time")))
    }

    fn log_tail(&self) -> String {
        let text = String::from_utf8_lossy(self.log.head()).trim().to_string();
        let last = text.lines().last().unwrap_or("no output").to_string();
        last
    }

    async fn send(&mut self, msg: &serde_json::Value) -> std::io::Result<()> {
        let body = serde_json::to_vec(msg).expect("message serializes");
        self.input.write_all(&spec::framed(&body)).await?;
        self.input.flush().await
    }

    /// The next frame of the server's stdout; `Ok(None)` when the stream ended.
    /// Cancel-safe: partial frames stay in `pending`.
    async fn next_frame(&mut self) -> Result<Option<Frame>, String> {
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
                            .map(|v| Some(Frame::Exit(v)))
                            .map_err(|e| format!("bad report from the pool server: {e}")),
                        k => Err(format!("unknown frame {k:#x} from the pool server")),
                    };
                }
            }
            match self.output.next().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(format!("lost the container's output: {e}")),
                Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => {
                    self.pending.extend_from_slice(&message)
                }
                Some(Ok(LogOutput::StdErr { message })) => self.log.push(&message),
                Some(Ok(LogOutput::StdIn { .. })) => {}
            }
        }
    }

    /// Runs one request; `cancel` turns true on Ctrl-C.
    pub async fn execute(
        &mut self,
        docker: &Docker,
        req: &ExecRequest,
        mut cancel: tokio::sync::watch::Receiver<bool>,
    ) -> Observed {
        let nonce = runner::new_nonce();
        let rlimits = spec::rlimits(&req.limits);
        let job = serde_json::json!({
            "op": "run",
            "rlimits": rlimits,
            "request": runner::request_value(req, &nonce),
        });
        let started = Instant::now();
        let mut obs = Observed {
            ending: Ending::Signaled(libc::SIGKILL),
            channel: Channel::new(&nonce, req.tests.len()),
            stdout: CapturedBuf::default(),
            stderr: CapturedBuf::default(),
            wall: Duration::ZERO,
            cpu: Duration::ZERO,
            peak_memory_kb: 0,
            fault: None,
            cancelled: false,
            reusable: false,
        };
        if let Err(e) = self.send(&job).await {
            obs.fault = Some(format!("cannot send the job to the pool server: {e}"));
            return obs;
        }
        let limits = &req.limits;
        let mut deadline =
            started + STARTUP_ALLOWANCE + Duration::from_secs_f64(limits.timeout_secs);
        let mut ready_seen = false;
        let mut done_at: Option<Instant> = None;
        let mut killed: Option<Ending> = None;
        let mut kill_sent: Option<Instant> = None;
        let mut report: Option<serde_json::Value> = None;
        let mut lost: Option<String> = None;
        loop {
            if kill_sent.is_none() {
                let now = Instant::now();
                let why = if *cancel.borrow() {
                    obs.cancelled = true;
                    Some(Ending::Signaled(libc::SIGKILL))
                } else if now >= deadline {
                    Some(Ending::WallTimeout)
                } else if obs.stdout.total() + obs.stderr.total() > limits.max_output_bytes {
                    Some(Ending::OutputLimit)
                } else if done_at.is_some_and(|t| now >= t + EXIT_GRACE) {
                    Some(Ending::Signaled(libc::SIGKILL))
                } else {
                    None
                };
                if let Some(why) = why {
                    killed = Some(why);
                    kill_sent = Some(now);
                    if obs.cancelled {
                        break; // the whole pool is being removed: no report to wait for
                    }
                    if self.send(&serde_json::json!({"op": "kill"})).await.is_err() {
                        break;
                    }
                }
            }
            let wake = match kill_sent {
                Some(t) => t + KILL_REPORT_TIMEOUT,
                None => done_at.map_or(deadline, |t| deadline.min(t + EXIT_GRACE)),
            };
            tokio::select! {
                frame = self.next_frame() => match frame {
                    Ok(Some(Frame::Stdout(b))) => obs.stdout.push(&b),
                    Ok(Some(Frame::Stderr(b))) => obs.stderr.push(&b),
                    Ok(Some(Frame::Channel(b))) => {
                        obs.channel.feed(&b);
                        if obs.channel.ready && !ready_seen {
                            ready_seen = true;
                            deadline = Instant::now() + Duration::from_secs_f64(limits.timeout_secs);
                        }
                        if obs.channel.done && done_at.is_none() {
                            done_at = Some(Instant::now());
                        }
                    }
                    Ok(Some(Frame::Exit(v))) => { report = Some(v); break; }
                    Ok(Some(Frame::Ready)) => { lost = Some("the pool server restarted".into()); break; }
                    Ok(None) => { lost = Some(format!("the pool server exited: {}", self.log_tail())); break; }
                    Err(e) => { lost = Some(e); break; }
                },
                _ = tokio::time::sleep_until(wake.into()) => {
                    if kill_sent.is_some() {
                        lost = Some("the pool server did not report a killed execution".into());
                        break;
                    }
                }
                _ = cancel.changed(), if !obs.cancelled && kill_sent.is_none() => {}
            }
        }
        obs.wall = started.elapsed();
        let Some(report) = report else {
            // No report: the server or the container died, or we stopped waiting.
            let oom = docker
                .inspect_container(&self.id, None)
                .await
                .ok()
                .and_then(|i| i.state)
                .and_then(|s| s.oom_killed)
                .unwrap_or(false);
            obs.ending = match killed.clone() {
                _ if oom => Ending::OutOfMemory,
                Some(k @ (Ending::WallTimeout | Ending::OutputLimit)) => k,
                _ => {
                    if !obs.cancelled {
                        obs.fault = Some(lost.unwrap_or_else(|| "the pool server stopped".into()));
                    }
                    Ending::Signaled(libc::SIGKILL)
                }
            };
            return obs;
        };
        let secs = |k: &str| Duration::from_secs_f64(report[k].as_f64().unwrap_or(0.0).max(0.0));
        obs.cpu = secs("utime") + secs("stime");
        obs.peak_memory_kb = report["maxrss"].as_u64().unwrap_or(0);
        let oom_kills = report["oom_kills"].as_i64().unwrap_or(0);
        let status = report["status"].as_i64().unwrap_or(libc::SIGKILL as i64) as i32;
        let natural = if libc::WIFEXITED(status) {
            Ending::Exited(libc::WEXITSTATUS(status))
        } else {
            Ending::Signaled(libc::WTERMSIG(status))
        };
        obs.ending = match killed {
            Some(Ending::WallTimeout) => Ending::WallTimeout,
            Some(Ending::OutputLimit) => Ending::OutputLimit,
            _ => match natural {
                Ending::Signaled(libc::SIGXCPU) => Ending::CpuTimeout,
                Ending::Signaled(libc::SIGKILL) if killed.is_none() && oom_kills > 0 => {
                    Ending::OutOfMemory
                }
                // Past the soft limit python may ignore SIGXCPU; the hard limit then kills.
                Ending::Signaled(libc::SIGKILL)
                    if killed.is_none() && obs.cpu.as_secs() >= limits.cpu_secs =>
                {
                    Ending::CpuTimeout
                }
                other => other,
            },
        };
        let head = String::from_utf8_lossy(obs.stderr.head()).into_owned();
        if !obs.channel.ready
            && obs.ending == Ending::Exited(SETUP_FAILED)
            && head.starts_with(SETUP_MARK)
        {
            obs.fault = Some(head.lines().next().unwrap_or_default().to_string());
        }
        // An OOM kill, or a clean-up the server could not verify (files, SysV IPC or pipes
        // of the execution left): the container is poisoned, a fresh one takes its place.
        obs.reusable = oom_kills == 0
            && report["clean"].as_bool().unwrap_or(false)
            && obs.fault.is_none()
            && !obs.cancelled;
        obs
    }
}
