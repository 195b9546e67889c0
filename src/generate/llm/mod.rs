//! A client for the OpenAI Chat Completions protocol (OpenAI, vLLM, llama.cpp's server,
//! Ollama, TGI): bounded concurrency, retries with exponential backoff and jitter on
//! 429, 5xx, connection errors and timeouts (honouring `Retry-After`), a request
//! timeout, an on-disk response cache, token usage summed per run, one trace line per
//! call. A bad answer (refusal, empty, malformed) is a `Reply::Rejected`, never an error;
//! `Err` is kept for what stops every call alike (authentication, no such endpoint,
//! server unreachable).

mod answer;
mod cache;
mod retry;

pub(crate) use answer::{excerpt, extract_code, fenced_blocks};

use crate::generate::trace::Trace;
use crate::{Error, Result};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The OpenAI API, when neither `--base-url` nor `OPENAI_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// How to reach the model. The key is held here only: never logged, traced or cached.
pub struct ClientConfig {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub concurrency: usize,
    pub request_timeout: Duration,
    /// Extra attempts after the first, for retryable failures.
    pub max_retries: u32,
    /// First backoff delay; doubled per attempt, capped, jittered.
    pub backoff: Duration,
    /// `None`: `--no-cache`.
    pub cache_dir: Option<std::path::PathBuf>,
}

/// Sampling parameters, sent when set (servers differ in their defaults).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sampling {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// One completion to ask for.
pub struct ChatRequest {
    pub messages: Vec<Message>,
    pub sampling: Sampling,
    /// A JSON schema for structured output (`response_format: json_schema`).
    pub schema: Option<(&'static str, Value)>,
    /// Which of several answers to the same messages this is (part of the cache key).
    pub candidate: u32,
    /// Names the call in the trace (a source, a task).
    pub label: String,
}

/// Token counts as the server reports them.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// What one call gave.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The answer's text, or why there is none.
    pub answer: std::result::Result<String, String>,
    pub prompt_hash: String,
    pub cached: bool,
    pub attempts: u32,
    pub usage: Usage,
    pub finish_reason: Option<String>,
}

/// Per-run counters, for the summary.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Totals {
    /// Calls asked for (cached or not).
    pub calls: u64,
    /// HTTP requests sent (retries included).
    pub requests: u64,
    pub cache_hits: u64,
    pub retries: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    requests: AtomicU64,
    cache_hits: AtomicU64,
    retries: AtomicU64,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
}

pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    endpoint: String,
    permits: tokio::sync::Semaphore,
    counters: Counters,
    trace: Arc<Trace>,
}

/// How an attempt went.
enum Attempt {
    /// HTTP 200 with this body.
    Body(String),
    /// Worth another attempt: why, and how long the server asked us to wait.
    Retry(String, Option<Duration>),
    /// No point retrying this call.
    Reject(String),
}

impl Client {
    pub fn new(config: ClientConfig, trace: Arc<Trace>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .user_agent(concat!("assay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Environment(format!("cannot build the HTTP client: {e}")))?;
        let endpoint = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        Ok(Client {
            http,
            permits: tokio::sync::Semaphore::new(config.concurrency.max(1)),
            endpoint,
            config,
            counters: Counters::default(),
            trace,
        })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    pub fn totals(&self) -> Totals {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Totals {
            calls: get(&c.calls),
            requests: get(&c.requests),
            cache_hits: get(&c.cache_hits),
            retries: get(&c.retries),
            prompt_tokens: get(&c.prompt_tokens),
            completion_tokens: get(&c.completion_tokens),
        }
    }

    /// The request body, without the model's answer to the schema question settled:
    /// `structured` adds `response_format`.
    fn body(&self, req: &ChatRequest, structured: bool) -> Value {
        let mut body = json!({
            "model": self.config.model,
            "messages": req.messages,
        });
        let map = body.as_object_mut().expect("an object");
        if let Value::Object(s) = serde_json::to_value(&req.sampling).expect("serializes") {
            map.extend(s);
        }
        if let (true, Some((name, schema))) = (structured, &req.schema) {
            map.insert(
                "response_format".into(),
                json!({"type": "json_schema",
                       "json_schema": {"name": name, "strict": true, "schema": schema}}),
            );
        }
        body
    }

    /// What identifies a request (base URL, model, messages, sampling, response format,
    /// candidate): the cache's key, and the samples journal's.
    pub fn request_key(&self, req: &ChatRequest) -> String {
        cache::key(&self.config.base_url, &self.body(req, true), req.candidate)
    }

    /// Asks for one completion: from the cache when it has it, else from the server.
    pub async fn chat(&self, req: &ChatRequest) -> Result<Reply> {
        self.counters.calls.fetch_add(1, Ordering::Relaxed);
        let key = self.request_key(req);
        let prompt_hash = prompt_hash(&req.messages);
        let started = Instant::now();
        if let Some(dir) = &self.config.cache_dir {
            if let Some(body) = cache::get(dir, &key) {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                let reply = self.finish(body, prompt_hash, true, 0);
                self.trace_call(req, &reply, None, started);
                return Ok(reply);
            }
        }
        let mut structured = req.schema.is_some();
        let mut attempts = 0u32;
        let mut status = None;
        let outcome = loop {
            attempts += 1;
            let body = self.body(req, structured);
            let attempt = {
                let _permit = self.permits.acquire().await.expect("never closed");
                self.counters.requests.fetch_add(1, Ordering::Relaxed);
                self.attempt(&body, &mut status).await?
            };
            match attempt {
                Attempt::Body(text) => break Ok(text),
                Attempt::Reject(why) if structured && status == Some(400) => {
                    // Servers without structured output refuse `response_format`: ask
                    // again in plain text; the answer's fenced code is read instead.
                    log::warn!(
                        "{}: the server refused response_format ({why}); asking without it",
                        req.label
                    );
                    structured = false;
                }
                Attempt::Reject(why) => break Err(why),
                Attempt::Retry(why, _) if attempts > self.config.max_retries => {
                    if why.starts_with("connection failed") {
                        return Err(Error::Environment(format!(
                            "cannot reach {} after {attempts} attempts: {why}",
                            self.endpoint
                        )));
                    }
                    break Err(format!("gave up after {attempts} attempts: {why}"));
                }
                Attempt::Retry(why, wait) => {
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    let delay = retry::delay(self.config.backoff, attempts, wait);
                    log::debug!(
                        "{}: {why}; retrying in {:.1} s",
                        req.label,
                        delay.as_secs_f64()
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        };
        let reply = match outcome {
            Ok(body) => {
                if let Some(dir) = &self.config.cache_dir {
                    if let Err(e) = cache::put(dir, &key, &body) {
                        log::warn!("response cache: {e}");
                    }
                }
                self.finish(body, prompt_hash, false, attempts)
            }
            Err(why) => Reply {
                answer: Err(why),
                prompt_hash,
                cached: false,
                attempts,
                usage: Usage::default(),
                finish_reason: None,
            },
        };
        self.trace_call(req, &reply, status, started);
        Ok(reply)
    }

    async fn attempt(&self, body: &Value, status: &mut Option<u16>) -> Result<Attempt> {
        let mut request = self.http.post(&self.endpoint).json(body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Ok(transport_failure(&e)),
        };
        let code = response.status().as_u16();
        *status = Some(code);
        let wait = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Ok(transport_failure(&e)),
        };
        Ok(match code {
            200 => Attempt::Body(text),
            401 | 403 => {
                return Err(Error::Environment(format!(
                    "{} refused the credentials (HTTP {code}): check --api-key-env",
                    self.endpoint
                )))
            }
            404 => {
                return Err(Error::Environment(format!(
                    "{} answered HTTP 404 ({}): check --base-url and --model",
                    self.endpoint,
                    answer::error_message(&text)
                )))
            }
            408 | 409 | 429 | 500..=599 => Attempt::Retry(
                format!("HTTP {code}: {}", answer::error_message(&text)),
                wait,
            ),
            _ => Attempt::Reject(format!("HTTP {code}: {}", answer::error_message(&text))),
        })
    }

    fn finish(&self, body: String, prompt_hash: String, cached: bool, attempts: u32) -> Reply {
        let parsed = answer::parse_body(&body);
        if !cached {
            let c = &self.counters;
            c.prompt_tokens
                .fetch_add(parsed.usage.prompt_tokens, Ordering::Relaxed);
            c.completion_tokens
                .fetch_add(parsed.usage.completion_tokens, Ordering::Relaxed);
        }
        Reply {
            answer: parsed.content,
            prompt_hash,
            cached,
            attempts,
            usage: parsed.usage,
            finish_reason: parsed.finish_reason,
        }
    }

    fn trace_call(&self, req: &ChatRequest, reply: &Reply, status: Option<u16>, at: Instant) {
        self.trace.record(json!({
            "kind": "call",
            "label": req.label,
            "candidate": req.candidate,
            "model": self.config.model,
            "prompt_hash": reply.prompt_hash,
            "cached": reply.cached,
            "attempts": reply.attempts,
            "http_status": status,
            "latency_ms": at.elapsed().as_secs_f64() * 1000.0,
            "prompt_tokens": reply.usage.prompt_tokens,
            "completion_tokens": reply.usage.completion_tokens,
            "finish_reason": reply.finish_reason,
            "result": if reply.answer.is_ok() { "answered" } else { "rejected" },
            "reason": reply.answer.as_ref().err(),
        }));
    }
}

fn transport_failure(e: &reqwest::Error) -> Attempt {
    let mut why = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        why = format!("{why}: {s}");
        source = s.source();
    }
    if e.is_timeout() {
        Attempt::Retry(format!("timed out: {why}"), None)
    } else if e.is_connect() {
        Attempt::Retry(format!("connection failed: {why}"), None)
    } else {
        // A connection reset or a truncated body: transient as far as we can tell.
        Attempt::Retry(format!("transport error: {why}"), None)
    }
}

/// A short content hash of the messages, naming a prompt in traces and entries.
pub fn prompt_hash(messages: &[Message]) -> String {
    let bytes = serde_json::to_vec(messages).expect("messages serialize");
    blake3::hash(&bytes).to_hex()[..16].to_string()
}
