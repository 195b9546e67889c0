//! `assay generate samples`: `n` completions per problem for pass@k, in the samples
//! format `assay score` reads (`task_id`, `completion`, plus `raw_completion` — the
//! model's answer before post-processing — and `rejected` when there was no usable
//! answer; such a sample stays in, with an empty completion, so pass@k counts it as the
//! failure it is). Journaled in the run directory: a killed run resumes without asking
//! again for what it has, even with `--no-cache`.

use super::llm::{ChatRequest, Client, Message, Sampling, Totals};
use super::postprocess;
use super::trace::Trace;
use crate::entry::{load_problems, write_jsonl, Problem};
use crate::run::Cancel;
use crate::{Error, Result};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct SamplesOptions {
    pub problems: PathBuf,
    pub n: u32,
    pub output: PathBuf,
    pub run_dir: PathBuf,
    pub sampling: Sampling,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SamplesSummary {
    pub problems: usize,
    pub n: u32,
    pub samples: usize,
    /// Samples taken from the journal of an earlier, interrupted run.
    pub from_journal: usize,
    /// Samples without a usable answer, by reason.
    pub rejected: BTreeMap<String, usize>,
    pub totals: Totals,
    pub elapsed_secs: f64,
}

const SYSTEM: &str = "You are an expert Python programmer. Complete the Python function the user gives. Answer with the complete function in one ```python code block.";

fn messages(p: &Problem) -> Vec<Message> {
    vec![
        Message {
            role: "system",
            content: SYSTEM.into(),
        },
        Message {
            role: "user",
            content: format!("Complete this code:\n\n```python\n{}```", p.prompt),
        },
    ]
}

/// `journal.jsonl` of a samples run: one `{key, sample}` line per finished sample.
struct Journal {
    file: std::fs::File,
    path: PathBuf,
    done: HashMap<String, Map<String, Value>>,
}

const JOURNAL: &str = "journal.jsonl";

impl Journal {
    fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(JOURNAL);
        let werr = |source| Error::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(werr)?;
        let mut done = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            // A torn last line (killed mid-write) is skipped; its sample is asked again.
            for line in text.lines() {
                if let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(line) {
                    if let (Some(Value::String(k)), Some(Value::Object(s))) =
                        (m.remove("key"), m.remove("sample"))
                    {
                        done.insert(k, s);
                    }
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(werr)?;
        Ok(Journal { file, path, done })
    }

    fn append(&mut self, key: &str, sample: &Map<String, Value>) -> Result<()> {
        let mut line = json!({"key": key, "sample": sample}).to_string();
        line.push('\n');
        // One write per line: O_APPEND keeps lines whole even when the process dies.
        self.file
            .write_all(line.as_bytes())
            .map_err(|source| Error::Write {
                path: self.path.clone(),
                source,
            })
    }
}

pub async fn generate(
    client: &Client,
    trace: &Trace,
    opts: &SamplesOptions,
    concurrency: usize,
    mut cancel: Cancel,
    progress: &dyn Fn(usize, usize),
) -> Result<SamplesSummary> {
    let started = std::time::Instant::now();
    let problems = load_problems(&opts.problems)?;
    let mut journal = Journal::open(&opts.run_dir)?;
    // (problem index, sample index, journal key, the sample once there is one)
    type Slot = (usize, u32, String, Option<Map<String, Value>>);
    let mut slots: Vec<Slot> = Vec::new();
    let mut from_journal = 0;
    for (pi, p) in problems.iter().enumerate() {
        for i in 0..opts.n {
            let req = request(p, i, &opts.sampling);
            let key = client.request_key(&req);
            let done = journal.done.get(&key).cloned();
            from_journal += usize::from(done.is_some());
            slots.push((pi, i, key, done));
        }
    }
    let todo: Vec<(usize, usize, u32)> = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.3.is_none())
        .map(|(si, s)| (si, s.0, s.1))
        .collect();
    let total = slots.len();
    let mut finished = from_journal;
    progress(finished, total);
    let problems_ref = &problems;
    let mut stream = futures_util::stream::iter(todo)
        .map(|(si, pi, i)| async move {
            let p = &problems_ref[pi];
            let reply = client.chat(&request(p, i, &opts.sampling)).await;
            (si, pi, i, reply)
        })
        .buffer_unordered(concurrency.max(1));
    loop {
        let next = tokio::select! {
            next = stream.next() => next,
            reason = cancel.fired() => {
                log::warn!("{reason}: stopping; finished samples are journaled in {}", opts.run_dir.display());
                return Err(Error::Interrupted);
            }
        };
        let Some((si, pi, i, reply)) = next else {
            break;
        };
        let reply = reply?;
        let p = &problems[pi];
        let mut sample = Map::new();
        sample.insert("task_id".into(), p.id.clone().into());
        let (completion, raw, rejected) = match &reply.answer {
            Ok(raw) => (
                postprocess::completion(raw, &p.prompt, &p.entry_point, &opts.sampling.stop),
                Value::String(raw.clone()),
                None,
            ),
            Err(why) => (String::new(), Value::Null, Some(why.clone())),
        };
        sample.insert("completion".into(), completion.into());
        sample.insert("raw_completion".into(), raw);
        if let Some(why) = &rejected {
            sample.insert("rejected".into(), why.clone().into());
        }
        trace.record(json!({"kind": "step", "step": "sample", "label": p.id, "candidate": i,
            "prompt_hash": reply.prompt_hash,
            "result": if rejected.is_some() { "rejected" } else { "completed" }, "reason": rejected}));
        journal.append(&slots[si].2, &sample)?;
        slots[si].3 = Some(sample);
        finished += 1;
        progress(finished, total);
    }
    drop(stream);
    let samples: Vec<Map<String, Value>> = slots.into_iter().filter_map(|s| s.3).collect();
    let mut rejected = BTreeMap::new();
    for s in &samples {
        if let Some(Value::String(why)) = s.get("rejected") {
            // Group by kind ("refusal", "empty answer", "gave up after 3 attempts").
            let kind = why.split(':').next().unwrap_or(why).to_string();
            *rejected.entry(kind).or_insert(0) += 1;
        }
    }
    write_jsonl(&opts.output, &samples)?;
    Ok(SamplesSummary {
        problems: problems.len(),
        n: opts.n,
        samples: samples.len(),
        from_journal,
        rejected,
        totals: client.totals(),
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}

fn request(p: &Problem, i: u32, sampling: &Sampling) -> ChatRequest {
    ChatRequest {
        messages: messages(p),
        sampling: sampling.clone(),
        schema: None,
        candidate: i,
        label: p.id.clone(),
    }
}
