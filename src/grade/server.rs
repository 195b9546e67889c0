//! `assay grade serve`: the grading app. An axum server on loopback (another address only
//! with a token) serves one page, its script and style (compiled in; no network asset)
//! and a small JSON API: the session (rubric, samples), one sample (task, highlighted
//! code, verdicts, output heads), the grades so far, and POSTs of a grade or a pair.
//!
//! Every POST is checked (grader name, sample hash, scores against the rubric) before
//! anything is written; then it is appended to that grader's session file
//! (`<grades>/<grader>-<date>.jsonl`) by the grader's one `Appender`, under the grader's
//! mutex, and only then acknowledged. Several graders may use one server at once: each
//! has a file and a lock, so no write is lost or interleaved.

use super::consensus::{consensus, Line};
use super::samples::GradedSample;
use super::store::{self, Appender, Better, GradeEvent, Key, Kind, Read};
use super::Rubric;
use crate::run::Cancel;
use crate::{Error, Result};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

/// What `grade serve` was asked to do (no clap types).
pub(crate) struct ServeRequest {
    pub samples: Vec<GradedSample>,
    pub rubric: Rubric,
    /// The grader a request without `grader` grades as.
    pub grader: String,
    pub grades_dir: PathBuf,
    pub bind: SocketAddr,
    pub token: Option<String>,
    pub threshold: i64,
    pub git_commit: bool,
}

/// What loading the grades directory found.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub files: usize,
    pub events: usize,
    /// Grades of samples whose code changed since (same ids, other hash): not shown.
    pub stale: usize,
}

/// What a session wrote, file by file.
#[derive(Debug, Default)]
pub(crate) struct SessionEnd {
    pub written: Vec<(PathBuf, usize)>,
    pub committed: Vec<PathBuf>,
}

struct App {
    default_grader: String,
    rubric: Rubric,
    samples: Vec<GradedSample>,
    by_hash: HashMap<String, usize>,
    grades_dir: PathBuf,
    token: Option<String>,
    threshold: i64,
    appenders: Mutex<HashMap<String, Arc<Mutex<Appender>>>>,
    latest: Mutex<HashMap<Key, GradeEvent>>,
}

/// Reads every grade file in the directory and checks each event names a sample of the
/// results (by task and completion index); a grade whose hash differs is stale and left
/// out. Any bad line is an error naming file, line and field, before anything is served
/// or written.
fn load_existing(
    dir: &std::path::Path,
    rubric: &Rubric,
    samples: &[GradedSample],
) -> Result<(Vec<Read>, Loaded)> {
    let mut loaded = Loaded::default();
    if !dir.exists() {
        return Ok((Vec::new(), loaded));
    }
    let by_id: HashMap<(&str, usize), &GradedSample> = samples
        .iter()
        .map(|s| ((s.task_id.as_str(), s.completion_id), s))
        .collect();
    let tasks: std::collections::HashSet<&str> =
        samples.iter().map(|s| s.task_id.as_str()).collect();
    let mut kept = Vec::new();
    for file in store::grade_files(&[dir.to_path_buf()])? {
        loaded.files += 1;
        for r in store::read_file(&file, rubric)? {
            loaded.events += 1;
            let e = &r.event;
            if !tasks.contains(e.task_id.as_str()) {
                return Err(Error::input(
                    &file,
                    r.line,
                    "task_id",
                    format!(
                        "unknown sample: {:?} is not a task of the results",
                        e.task_id
                    ),
                ));
            }
            let mut sides = vec![(e.completion_id, &e.sample, "completion_id")];
            if let (Some(c), Some(h)) = (e.versus_completion_id, &e.versus_sample) {
                sides.push((c, h, "versus_completion_id"));
            }
            let mut stale = false;
            for (cid, hash, field) in sides {
                match by_id.get(&(e.task_id.as_str(), cid)) {
                    None => {
                        return Err(Error::input(
                            &file,
                            r.line,
                            field,
                            format!(
                                "unknown sample: task {:?} has no completion {cid} in the results",
                                e.task_id
                            ),
                        ))
                    }
                    Some(s) if &s.hash != hash => stale = true,
                    Some(_) => {}
                }
            }
            if stale {
                loaded.stale += 1;
            } else {
                kept.push(r);
            }
        }
    }
    Ok((store::latest(kept), loaded))
}

/// Binds, then serves until `cancel` fires; `on_listen` hears the address first (the CLI
/// prints it). With `git_commit`, each session file written is committed at the end.
pub(crate) async fn serve(
    req: ServeRequest,
    mut cancel: Cancel,
    on_listen: impl FnOnce(SocketAddr, &Loaded),
) -> Result<SessionEnd> {
    if !req.bind.ip().is_loopback() && req.token.is_none() {
        return Err(Error::Usage(format!(
            "--bind {}: serving beyond loopback needs --token (anyone who can reach the port could write grades)",
            req.bind.ip()
        )));
    }
    store::check_grader(&req.grader).map_err(|m| Error::Usage(format!("--grader {m}")))?;
    let (latest, loaded) = load_existing(&req.grades_dir, &req.rubric, &req.samples)?;
    let by_hash = req
        .samples
        .iter()
        .enumerate()
        .map(|(i, s)| (s.hash.clone(), i))
        .collect();
    let app = Arc::new(App {
        default_grader: req.grader,
        rubric: req.rubric,
        samples: req.samples,
        by_hash,
        grades_dir: req.grades_dir,
        token: req.token,
        threshold: req.threshold,
        appenders: Mutex::new(HashMap::new()),
        latest: Mutex::new(
            latest
                .into_iter()
                .map(|r| (r.event.key(), r.event))
                .collect(),
        ),
    });
    let listener = tokio::net::TcpListener::bind(req.bind)
        .await
        .map_err(|e| Error::Environment(format!("cannot listen on {}: {e}", req.bind)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Environment(format!("cannot listen on {}: {e}", req.bind)))?;
    on_listen(addr, &loaded);
    let router = Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(script))
        .route("/assets/app.css", get(style))
        .route("/api/session", get(session))
        .route("/api/grades", get(grades))
        .route("/api/sample/{index}", get(sample))
        .route("/api/grade", post(post_grade))
        .route("/api/pair", post(post_pair))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            check_token,
        ))
        .with_state(app.clone());
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            cancel.fired().await;
        })
        .await
        .map_err(|e| Error::Environment(format!("grading server failed: {e}")))?;
    let mut end = SessionEnd::default();
    let appenders = app.appenders.lock().expect("appenders lock").clone();
    let mut files: Vec<(String, PathBuf, usize)> = appenders
        .iter()
        .map(|(grader, a)| {
            let a = a.lock().expect("appender lock");
            (grader.clone(), a.path().to_path_buf(), a.written)
        })
        .filter(|(_, _, n)| *n > 0)
        .collect();
    files.sort();
    if req.git_commit {
        for (grader, file, n) in &files {
            git_commit(grader, file, *n)?;
            end.committed.push(file.clone());
        }
    }
    let files = files.into_iter().map(|(_, f, n)| (f, n)).collect();
    end.written = files;
    Ok(end)
}

/// `git add` and `git commit` of one session file, the grader in the message.
fn git_commit(grader: &str, file: &std::path::Path, n: usize) -> Result<()> {
    let dir = file.parent().unwrap_or(std::path::Path::new("."));
    let name = file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let run = |args: &[&str]| -> Result<()> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| Error::Environment(format!("--git-commit: cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(Error::Environment(format!(
                "--git-commit: git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    };
    run(&["add", "--", &name])?;
    let message = format!("grades: {grader}'s session, {n} grade events in {name}");
    run(&["commit", "--quiet", "-m", &message, "--", &name])
}

async fn check_token(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if let Some(token) = &app.token {
        let header_ok = req
            .headers()
            .get("x-assay-token")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| same(v, token));
        let query_ok = req.uri().query().is_some_and(|q| {
            q.split('&')
                .filter_map(|kv| kv.strip_prefix("token="))
                .any(|v| same(v, token))
        });
        if !header_ok && !query_ok {
            return (
                StatusCode::UNAUTHORIZED,
                "a token is needed: open the URL printed at start\n",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Compares in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        INDEX,
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

#[derive(Deserialize)]
struct GraderQuery {
    grader: Option<String>,
}

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

impl App {
    /// The grader a request names (or the server's), or why it cannot be one.
    fn grader(&self, asked: Option<&str>) -> std::result::Result<String, String> {
        let g = asked.unwrap_or(&self.default_grader).to_string();
        store::check_grader(&g).map_err(|m| format!("grader: {m}"))?;
        Ok(g)
    }

    fn sample_of(&self, field: &str, hash: &str) -> std::result::Result<&GradedSample, String> {
        self.by_hash
            .get(hash)
            .map(|&i| &self.samples[i])
            .ok_or_else(|| {
                format!("{field}: unknown sample {hash:?} (not in the results being graded)")
            })
    }

    /// Appends under the grader's lock, then records it as the latest.
    fn record(&self, event: GradeEvent) -> Result<()> {
        let appender = {
            let mut map = self.appenders.lock().expect("appenders lock");
            match map.get(&event.grader) {
                Some(a) => a.clone(),
                None => {
                    let path = store::session_file(&self.grades_dir, &event.grader);
                    let a = Arc::new(Mutex::new(Appender::open(&path)?));
                    map.insert(event.grader.clone(), a.clone());
                    a
                }
            }
        };
        let mut appender = appender.lock().expect("appender lock");
        appender.append(&event)?;
        self.latest
            .lock()
            .expect("latest lock")
            .insert(event.key(), event);
        Ok(())
    }

    fn consensus(&self) -> Vec<Line> {
        let reads: Vec<Read> = self
            .latest
            .lock()
            .expect("latest lock")
            .values()
            .map(|e| Read {
                event: e.clone(),
                line: 0,
            })
            .collect();
        consensus(&reads, &self.rubric, self.threshold)
    }
}

async fn session(State(app): State<Arc<App>>, Query(q): Query<GraderQuery>) -> Response {
    let grader = match app.grader(q.grader.as_deref()) {
        Ok(g) => g,
        Err(m) => return bad(m),
    };
    let samples: Vec<Value> = app
        .samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"index": i, "task_id": s.task_id, "completion_id": s.completion_id,
                   "sample": s.hash, "status": s.status})
        })
        .collect();
    let mut tasks: Vec<&str> = Vec::new();
    for s in &app.samples {
        if !tasks.contains(&s.task_id.as_str()) {
            tasks.push(&s.task_id);
        }
    }
    Json(json!({
        "grader": grader,
        "rubric": app.rubric,
        "threshold": app.threshold,
        "samples": samples,
        "tasks": tasks,
    }))
    .into_response()
}

async fn grades(State(app): State<Arc<App>>, Query(q): Query<GraderQuery>) -> Response {
    let grader = match app.grader(q.grader.as_deref()) {
        Ok(g) => g,
        Err(m) => return bad(m),
    };
    let mut mine = BTreeMap::new();
    let mut pairs = Vec::new();
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for e in app.latest.lock().expect("latest lock").values() {
        if e.kind == Kind::Grade {
            *votes.entry(e.sample.clone()).or_default() += 1;
        }
        if e.grader != grader {
            continue;
        }
        match e.kind {
            Kind::Grade => {
                mine.insert(
                    e.sample.clone(),
                    json!({"scores": e.scores, "notes": e.notes, "time": e.time}),
                );
            }
            Kind::Pair => pairs.push(json!({
                "a": e.sample, "b": e.versus_sample, "better": e.better, "notes": e.notes, "time": e.time,
            })),
        }
    }
    let disputed: Vec<String> = app
        .consensus()
        .into_iter()
        .filter_map(|l| match l {
            Line::Grade(s) if s.disputed => Some(s.sample),
            _ => None,
        })
        .collect();
    Json(json!({"grader": grader, "grades": mine, "pairs": pairs, "votes": votes, "disputed": disputed}))
        .into_response()
}

async fn sample(State(app): State<Arc<App>>, UrlPath(index): UrlPath<usize>) -> Response {
    let Some(s) = app.samples.get(index) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no sample {index}")})),
        )
            .into_response();
    };
    let tests: Vec<Value> = s
        .tests
        .iter()
        .map(|t| json!({"name": t.name, "level": t.level.as_str(), "status": t.status, "message": t.message}))
        .collect();
    Json(json!({
        "index": index,
        "task_id": s.task_id,
        "completion_id": s.completion_id,
        "sample": s.hash,
        "status": s.status,
        "message": s.message,
        "prompt": s.prompt,
        "code_html": super::highlight::python(&s.program),
        "tests": tests,
        "stdout": s.stdout,
        "stderr": s.stderr,
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeBody {
    #[serde(default)]
    grader: Option<String>,
    sample: String,
    scores: BTreeMap<String, i64>,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairBody {
    #[serde(default)]
    grader: Option<String>,
    a: String,
    b: String,
    better: Better,
    #[serde(default)]
    notes: String,
}

#[derive(Serialize)]
struct Saved {
    ok: bool,
    event: GradeEvent,
}

async fn write(app: Arc<App>, event: GradeEvent) -> Response {
    let e = event.clone();
    let done = tokio::task::spawn_blocking(move || app.record(e)).await;
    match done {
        Ok(Ok(())) => Json(Saved { ok: true, event }).into_response(),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": format!("internal error: {e}")})),
        )
            .into_response(),
    }
}

async fn post_grade(
    State(app): State<Arc<App>>,
    body: Result<Json<GradeBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return bad(e.body_text()),
    };
    let grader = match app.grader(body.grader.as_deref()) {
        Ok(g) => g,
        Err(m) => return bad(m),
    };
    let s = match app.sample_of("sample", &body.sample) {
        Ok(s) => s,
        Err(m) => return bad(m),
    };
    if let Err((field, why)) = app.rubric.check(&body.scores) {
        return bad(format!("{field}: {why}"));
    }
    let event = GradeEvent {
        grader,
        time: store::now(),
        kind: Kind::Grade,
        task_id: s.task_id.clone(),
        completion_id: s.completion_id,
        sample: s.hash.clone(),
        versus_completion_id: None,
        versus_sample: None,
        scores: body.scores,
        better: None,
        notes: body.notes,
    };
    write(app, event).await
}

async fn post_pair(
    State(app): State<Arc<App>>,
    body: Result<Json<PairBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return bad(e.body_text()),
    };
    let grader = match app.grader(body.grader.as_deref()) {
        Ok(g) => g,
        Err(m) => return bad(m),
    };
    let (a, b) = match (app.sample_of("a", &body.a), app.sample_of("b", &body.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => return bad(m),
    };
    if a.task_id != b.task_id {
        return bad("b: a pair is two samples of the same task");
    }
    if a.hash == b.hash {
        return bad("b: a sample cannot be paired with itself");
    }
    let event = GradeEvent {
        grader,
        time: store::now(),
        kind: Kind::Pair,
        task_id: a.task_id.clone(),
        completion_id: a.completion_id,
        sample: a.hash.clone(),
        versus_completion_id: Some(b.completion_id),
        versus_sample: Some(b.hash.clone()),
        scores: BTreeMap::new(),
        better: Some(body.better),
        notes: body.notes,
    };
    write(app, event).await
}
