//! The orchestrator against a scripted sandbox (no Python): sharing of identical jobs,
//! retries of harness faults, cancellation, resume from the journal, and the events.

use super::scripted::Scripted;
use super::*;

fn job(program: &str, instance: Instance) -> Job {
    Job {
        request: ExecRequest {
            program: program.into(),
            tests: vec![],
            limits: Default::default(),
            requirements: vec![],
            instrument: Default::default(),
        },
        instance,
    }
}

fn sample(program: &str, completion_id: usize) -> Job {
    job(
        program,
        Instance::Sample {
            task_id: "T/0".into(),
            completion_id,
        },
    )
}

/// Remembers every event as a line.
#[derive(Default)]
struct Recorder(Vec<String>);

impl Listener for Recorder {
    fn on_event(&mut self, event: &Event<'_>) {
        self.0.push(match event {
            Event::Planned { total, cached } => format!("planned {total} cached {cached}"),
            Event::Started { index } => format!("started {index}"),
            Event::Finished {
                index,
                outcome,
                cached,
            } => format!("finished {index} {} cached {cached}", outcome.status),
            Event::Retried {
                index, attempts, ..
            } => format!("retried {index} {attempts}x"),
            Event::Cancelled { reason } => format!("cancelled {reason}"),
        });
    }
}

fn options(jobs: usize, retries: usize, cancel: Cancel) -> RunOptions {
    RunOptions {
        jobs,
        retries,
        cancel,
    }
}

async fn run(
    sandbox: &Arc<Scripted>,
    jobs: Vec<Job>,
    journal: &mut Journal,
    opts: &RunOptions,
) -> (Result<Vec<Outcome>>, Vec<String>) {
    let mut rec = Recorder::default();
    let sb: Arc<dyn Sandbox> = Arc::clone(sandbox) as Arc<dyn Sandbox>;
    let r = collect_all(sb, jobs, journal, opts, &mut rec).await;
    (r, rec.0)
}

fn statuses(outcomes: &[Outcome]) -> Vec<Status> {
    outcomes.iter().map(|o| o.status).collect()
}

#[tokio::test]
async fn identical_jobs_share_one_execution_only_when_asked() {
    let sb = Arc::new(Scripted::default());
    // Repeat(0): the same key, so one execution; every job still hears its outcome.
    let jobs = vec![
        job("pass", Instance::Repeat(0)),
        job("pass", Instance::Repeat(0)),
        job("fail", Instance::Repeat(0)),
    ];
    let (r, events) = run(
        &sb,
        jobs,
        &mut Journal::disabled(),
        &options(2, 0, Cancel::never()),
    )
    .await;
    assert_eq!(
        statuses(&r.unwrap()),
        [Status::Passed, Status::Passed, Status::Failed]
    );
    assert_eq!(sb.runs_of("pass"), 1);
    assert!(
        events.contains(&"finished 0 passed cached false".into()),
        "{events:?}"
    );
    assert!(
        events.contains(&"finished 1 passed cached false".into()),
        "{events:?}"
    );
    // Samples: each its own execution, though the program is the same.
    let sb = Arc::new(Scripted::default());
    let jobs = vec![sample("pass", 0), sample("pass", 1), sample("pass", 2)];
    let (r, _) = run(
        &sb,
        jobs,
        &mut Journal::disabled(),
        &options(2, 0, Cancel::never()),
    )
    .await;
    assert_eq!(r.unwrap().len(), 3);
    assert_eq!(sb.runs_of("pass"), 3);
}

#[tokio::test]
async fn sandbox_errors_are_retried_up_to_the_limit_and_reported() {
    let sb = Arc::new(Scripted::default());
    let opts = options(1, 2, Cancel::never());
    let (r, events) = run(
        &sb,
        vec![sample("fault 2", 0)],
        &mut Journal::disabled(),
        &opts,
    )
    .await;
    assert_eq!(statuses(&r.unwrap()), [Status::Passed]);
    assert_eq!(sb.runs_of("fault 2"), 3);
    assert!(events.contains(&"retried 0 2x".into()), "{events:?}");

    let sb = Arc::new(Scripted::default());
    let opts = options(1, 1, Cancel::never());
    let (r, _) = run(
        &sb,
        vec![sample("fault 5", 0)],
        &mut Journal::disabled(),
        &opts,
    )
    .await;
    assert_eq!(statuses(&r.unwrap()), [Status::SandboxError]);
    assert_eq!(sb.runs_of("fault 5"), 2, "one run and one retry");
}

#[tokio::test]
async fn a_finished_run_resumes_from_its_journal_without_executing() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = || vec![sample("pass", 0), sample("fail", 1), sample("fault 1", 2)];
    let sb = Arc::new(Scripted::default());
    {
        let mut journal = Journal::open(dir.path()).unwrap();
        // No retries: the fault stays a sandbox_error, which is never journaled.
        let (r, _) = run(&sb, jobs(), &mut journal, &options(2, 0, Cancel::never())).await;
        assert_eq!(
            statuses(&r.unwrap()),
            [Status::Passed, Status::Failed, Status::SandboxError]
        );
    }
    let sb2 = Arc::new(Scripted::default());
    let mut journal = Journal::open(dir.path()).unwrap();
    let (r, events) = run(&sb2, jobs(), &mut journal, &options(2, 1, Cancel::never())).await;
    assert_eq!(
        statuses(&r.unwrap()),
        [Status::Passed, Status::Failed, Status::Passed]
    );
    assert_eq!(sb2.runs_of("fault 1"), 2, "the fault and its retry");
    assert_eq!(sb2.total_runs(), 2, "only the sandbox error runs again");
    assert_eq!(events[0], "planned 3 cached 2");
    assert!(
        events.contains(&"finished 0 passed cached true".into()),
        "{events:?}"
    );
}

#[tokio::test]
async fn cancelling_stops_the_run_and_keeps_what_finished() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Arc::new(Scripted::default());
    let (canceller, cancel) = Cancel::new();
    let jobs = vec![
        sample("pass", 0),
        sample("hang", 1),
        sample("pass", 2),
        sample("pass", 3),
    ];
    let mut journal = Journal::open(dir.path()).unwrap();
    let opts = options(2, 3, cancel);
    let fire = async {
        // Once the hanging job runs, cancel: it must be stopped, not waited for.
        while sb.runs_of("hang") == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        canceller.cancel(CancelReason::Signal("SIGINT"));
    };
    let ((r, events), ()) = tokio::join!(run(&sb, jobs, &mut journal, &opts), fire);
    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    assert!(
        events.contains(&"cancelled SIGINT received".into()),
        "{events:?}"
    );
    assert_eq!(
        sb.runs_of("hang"),
        1,
        "a cancelled execution is not retried"
    );
    assert!(
        !events.iter().any(|e| e.starts_with("finished 1")),
        "{events:?}"
    );
    drop(journal);
    // The journal holds the finished jobs, and nothing for the cancelled one.
    let text = std::fs::read_to_string(dir.path().join("journal.jsonl")).unwrap();
    let finished = events.iter().filter(|e| e.starts_with("finished")).count();
    assert!(finished >= 1, "{events:?}");
    assert_eq!(text.lines().count(), finished);
}
