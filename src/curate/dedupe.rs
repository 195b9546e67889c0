//! Stage 6: near-duplicate removal among the entries that pass. Two entries are
//! near-duplicates when their references have the same normalized-AST hash (names,
//! comments and docstrings aside), or when their task texts are nearly the same words
//! (Jaccard similarity of word bigrams at or above the threshold). The first is kept.

use crate::entry::Entry;
use std::collections::{HashMap, HashSet};

fn bigrams(text: &str) -> HashSet<(String, String)> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    words
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

fn jaccard(a: &HashSet<(String, String)>, b: &HashSet<(String, String)>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

pub struct Deduper {
    threshold: f64,
    by_hash: HashMap<String, String>,
    kept: Vec<(String, HashSet<(String, String)>)>,
}

impl Deduper {
    pub fn new(threshold: f64) -> Self {
        Deduper {
            threshold,
            by_hash: HashMap::new(),
            kept: Vec::new(),
        }
    }

    /// `None` to keep the entry (and remember it), or why it duplicates an earlier one.
    pub fn check(&mut self, e: &Entry) -> Option<String> {
        let hash = crate::python::normalized_hash(&e.reference);
        if let Some(first) = hash.as_ref().and_then(|h| self.by_hash.get(h)) {
            return Some(format!("same normalized reference as {first}"));
        }
        let words = bigrams(&format!("{}\n{}", e.description, e.prompt));
        for (id, other) in &self.kept {
            let sim = jaccard(&words, other);
            if sim >= self.threshold {
                return Some(format!("task text {:.0}% similar to {id}", sim * 100.0));
            }
        }
        if let Some(h) = hash {
            self.by_hash.insert(h, e.id.clone());
        }
        self.kept.push((e.id.clone(), words));
        None
    }
}
