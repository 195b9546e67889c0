//! Long-lived slot threads behind an async `execute`: the process and wasi backends run
//! each execution synchronously on one of `--jobs` threads, fed through one queue. The
//! threads live as long as the harness, so a parent-death signal tied to one stays armed.

use super::{ExecRequest, Execution, Outcome};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

struct Work {
    request: ExecRequest,
    reply: tokio::sync::oneshot::Sender<Execution>,
}

/// A slot's executor: state it owns, called with each request and the cancel flag.
pub(crate) type SlotFn = Box<dyn FnMut(&ExecRequest, &Arc<AtomicBool>) -> Execution + Send>;

/// Builds a slot's executor on the slot's own thread (state tied to that thread, such as
/// a parent-death signal, is set up there), before the slot takes its first request.
pub(crate) type SlotInit = Box<dyn FnOnce() -> SlotFn + Send>;

pub struct Slots {
    backend: &'static str,
    queue: Mutex<Option<mpsc::Sender<Work>>>,
    cancel: Arc<AtomicBool>,
    /// Joined on drop: a slot's state (zygotes, cgroup, uid lease) is released before the
    /// harness exits, not raced by it.
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Slots {
    /// One thread per executor, named `<backend>-slot-<n>`.
    pub fn start(backend: &'static str, executors: Vec<SlotFn>) -> crate::Result<Self> {
        let inits = executors
            .into_iter()
            .map(|run| Box::new(move || run) as SlotInit)
            .collect();
        Self::start_each(backend, inits)
    }

    /// One thread per init, which builds its executor there first (the slots side by side).
    pub(crate) fn start_each(backend: &'static str, inits: Vec<SlotInit>) -> crate::Result<Self> {
        let (tx, rx) = mpsc::channel::<Work>();
        let rx = Arc::new(Mutex::new(rx));
        let cancel = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for (n, init) in inits.into_iter().enumerate() {
            let (rx, cancel) = (Arc::clone(&rx), Arc::clone(&cancel));
            let thread = std::thread::Builder::new()
                .name(format!("{backend}-slot-{n}"))
                .spawn(move || {
                    let mut run = init();
                    loop {
                        let work = { rx.lock().expect("queue lock").recv() };
                        let Ok(work) = work else { return };
                        let _ = work.reply.send(run(&work.request, &cancel));
                    }
                })
                .map_err(|e| {
                    crate::Error::Environment(format!("cannot start sandbox threads: {e}"))
                })?;
            threads.push(thread);
        }
        Ok(Slots {
            backend,
            queue: Mutex::new(Some(tx)),
            cancel,
            threads,
        })
    }

    /// Runs one request on the next free slot.
    pub(crate) async fn execute(&self, request: ExecRequest) -> Execution {
        let tests = request.tests.clone();
        let (reply, rx) = tokio::sync::oneshot::channel();
        let sent = self
            .queue
            .lock()
            .expect("queue lock")
            .as_ref()
            .map(|q| q.send(Work { request, reply }).is_ok())
            .unwrap_or(false);
        if !sent {
            return Ok(Outcome::sandbox_error(
                self.backend,
                &tests,
                "sandbox is shut down",
            ));
        }
        // A slot thread only drops a reply by panicking: a bug, not a fault of the code
        // under test. It propagates (the run ends as an internal error, the journal keeps
        // what finished) instead of passing for a `sandbox_error` that is retried and ignored.
        match rx.await {
            Ok(outcome) => outcome,
            Err(_) => panic!("a {} sandbox slot thread panicked", self.backend),
        }
    }

    /// Every running execution stops as soon as its slot sees the flag.
    pub fn cancel_all(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.queue.lock().map(|mut q| q.take()).ok();
        // With the queue closed and the cancel flag up, each thread ends its execution
        // (killed at once) and returns; its state is dropped with it.
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
