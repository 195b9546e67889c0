//! Graders merged: per sample and dimension the median, mean, count and spread of the
//! latest grade of each grader, a flag where they disagree by the threshold or more; per
//! pair of samples the votes. Then agreement: Krippendorff's alpha overall (every sample
//! and dimension a unit) and per dimension, Cohen's kappa per pair of graders and
//! dimension, each grader's mean difference from the consensus median.

use super::agreement::{cohen_kappa, krippendorff_ordinal, Weights};
use super::rubric::Rubric;
use super::store::{Better, GradeEvent, Kind, Read};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Disagreement at or above which an item is flagged for re-grading: a spread (highest
/// minus lowest score) of 2 on a 0–5 scale.
pub(crate) const DEFAULT_THRESHOLD: i64 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DimensionStats {
    pub median: f64,
    pub mean: f64,
    pub count: usize,
    /// Highest minus lowest score.
    pub spread: i64,
    /// Each grader's score.
    pub scores: BTreeMap<String, i64>,
}

/// One line of `consensus.jsonl`: a sample's consensus grade or a pair's votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Line {
    Grade(SampleConsensus),
    Pair(PairConsensus),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SampleConsensus {
    pub task_id: String,
    pub completion_id: usize,
    pub sample: String,
    /// Graders who graded it.
    pub votes: usize,
    pub graders: Vec<String>,
    pub dimensions: BTreeMap<String, DimensionStats>,
    /// The sum of the dimensions' medians: what preference pairs compare.
    pub score: f64,
    pub disputed: bool,
    pub disputed_dimensions: Vec<String>,
    /// Graders' notes, by grader (non-empty ones).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PairSide {
    pub completion_id: usize,
    pub sample: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PairConsensus {
    pub task_id: String,
    /// The sample with the smaller hash.
    pub a: PairSide,
    pub b: PairSide,
    pub votes: usize,
    pub a_wins: usize,
    pub b_wins: usize,
    pub ties: usize,
    pub graders: Vec<String>,
    /// The majority (`tie` without one).
    pub better: Better,
    /// Some grader preferred each side.
    pub disputed: bool,
}

pub(crate) fn median(sorted: &[i64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

/// The consensus of the latest events (one per grader and key, `store::latest`), in a
/// fixed order: grades by task, completion index and hash, then pairs by task and hashes.
pub(crate) fn consensus(latest: &[Read], rubric: &Rubric, threshold: i64) -> Vec<Line> {
    let mut grades: BTreeMap<(String, usize, String), Vec<&GradeEvent>> = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String, String), Vec<&GradeEvent>> = BTreeMap::new();
    for r in latest {
        let e = &r.event;
        match e.kind {
            Kind::Grade => grades
                .entry((e.task_id.clone(), e.completion_id, e.sample.clone()))
                .or_default()
                .push(e),
            Kind::Pair => {
                let other = e.versus_sample.clone().unwrap_or_default();
                let (a, b) = if e.sample <= other {
                    (e.sample.clone(), other)
                } else {
                    (other, e.sample.clone())
                };
                pairs.entry((e.task_id.clone(), a, b)).or_default().push(e)
            }
        }
    }
    let mut out = Vec::new();
    for ((task_id, completion_id, sample), events) in grades {
        let graders: Vec<String> = events
            .iter()
            .map(|e| e.grader.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut dimensions = BTreeMap::new();
        let mut disputed_dimensions = Vec::new();
        let mut score = 0.0;
        for d in &rubric.dimensions {
            let scores: BTreeMap<String, i64> = events
                .iter()
                .filter_map(|e| e.scores.get(&d.name).map(|&s| (e.grader.clone(), s)))
                .collect();
            if scores.is_empty() {
                continue;
            }
            let mut values: Vec<i64> = scores.values().copied().collect();
            values.sort_unstable();
            let spread = values[values.len() - 1] - values[0];
            let stats = DimensionStats {
                median: median(&values),
                mean: values.iter().sum::<i64>() as f64 / values.len() as f64,
                count: values.len(),
                spread,
                scores,
            };
            if stats.count >= 2 && spread >= threshold {
                disputed_dimensions.push(d.name.clone());
            }
            score += stats.median;
            dimensions.insert(d.name.clone(), stats);
        }
        let notes = events
            .iter()
            .filter(|e| !e.notes.trim().is_empty())
            .map(|e| (e.grader.clone(), e.notes.clone()))
            .collect();
        out.push(Line::Grade(SampleConsensus {
            task_id,
            completion_id,
            sample,
            votes: graders.len(),
            graders,
            dimensions,
            score,
            disputed: !disputed_dimensions.is_empty(),
            disputed_dimensions,
            notes,
        }));
    }
    for ((task_id, a, b), events) in pairs {
        let side = |hash: &str| {
            let e = events[0];
            if e.sample == hash {
                PairSide {
                    completion_id: e.completion_id,
                    sample: hash.to_string(),
                }
            } else {
                PairSide {
                    completion_id: e.versus_completion_id.unwrap_or(0),
                    sample: hash.to_string(),
                }
            }
        };
        let (mut a_wins, mut b_wins, mut ties) = (0, 0, 0);
        for e in &events {
            // Which hash the grader preferred, turned into this record's a/b.
            let preferred = match e.better {
                Some(Better::A) => Some(e.sample.as_str()),
                Some(Better::B) => e.versus_sample.as_deref(),
                _ => None,
            };
            match preferred {
                Some(h) if h == a => a_wins += 1,
                Some(_) => b_wins += 1,
                None => ties += 1,
            }
        }
        let better = match a_wins.cmp(&b_wins) {
            std::cmp::Ordering::Greater => Better::A,
            std::cmp::Ordering::Less => Better::B,
            std::cmp::Ordering::Equal => Better::Tie,
        };
        out.push(Line::Pair(PairConsensus {
            a: side(&a),
            b: side(&b),
            task_id,
            votes: events.len(),
            a_wins,
            b_wins,
            ties,
            graders: events.iter().map(|e| e.grader.clone()).collect(),
            better,
            disputed: a_wins > 0 && b_wins > 0,
        }));
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PairKappa {
    pub a: String,
    pub b: String,
    pub dimension: String,
    pub items: usize,
    pub kappa: Option<f64>,
    pub kappa_quadratic: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GraderBias {
    pub grader: String,
    pub dimension: String,
    /// Samples with at least two graders that this grader graded on this dimension.
    pub items: usize,
    /// Mean of (this grader's score − the consensus median).
    pub mean_difference: Option<f64>,
    pub grades: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Agreement {
    pub graders: Vec<String>,
    pub samples: usize,
    pub grades: usize,
    pub pairs: usize,
    pub threshold: i64,
    pub disputed: usize,
    pub disputed_pairs: usize,
    /// Every (sample, dimension) a unit.
    pub alpha: Option<f64>,
    pub alpha_by_dimension: BTreeMap<String, Option<f64>>,
    pub kappa: Vec<PairKappa>,
    pub bias: Vec<GraderBias>,
}

pub(crate) fn agreement(lines: &[Line], rubric: &Rubric, threshold: i64) -> Agreement {
    let samples: Vec<&SampleConsensus> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Grade(s) => Some(s),
            _ => None,
        })
        .collect();
    let pairs: Vec<&PairConsensus> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Pair(p) => Some(p),
            _ => None,
        })
        .collect();
    let mut graders: BTreeSet<String> = samples.iter().flat_map(|s| s.graders.clone()).collect();
    graders.extend(pairs.iter().flat_map(|p| p.graders.clone()));
    let graders: Vec<String> = graders.into_iter().collect();
    let mut all_units = Vec::new();
    let mut alpha_by_dimension = BTreeMap::new();
    for d in &rubric.dimensions {
        let units: Vec<Vec<i64>> = samples
            .iter()
            .filter_map(|s| s.dimensions.get(&d.name))
            .map(|st| st.scores.values().copied().collect())
            .collect();
        alpha_by_dimension.insert(d.name.clone(), krippendorff_ordinal(&units));
        all_units.extend(units);
    }
    let mut kappa = Vec::new();
    for (i, a) in graders.iter().enumerate() {
        for b in &graders[i + 1..] {
            for d in &rubric.dimensions {
                let (xs, ys): (Vec<i64>, Vec<i64>) = samples
                    .iter()
                    .filter_map(|s| s.dimensions.get(&d.name))
                    .filter_map(|st| Some((*st.scores.get(a)?, *st.scores.get(b)?)))
                    .unzip();
                if xs.is_empty() {
                    continue;
                }
                kappa.push(PairKappa {
                    a: a.clone(),
                    b: b.clone(),
                    dimension: d.name.clone(),
                    items: xs.len(),
                    kappa: cohen_kappa(&xs, &ys, Weights::None),
                    kappa_quadratic: cohen_kappa(&xs, &ys, Weights::Quadratic),
                });
            }
        }
    }
    let mut bias = Vec::new();
    for g in &graders {
        for d in &rubric.dimensions {
            let mut grades = 0;
            let diffs: Vec<f64> = samples
                .iter()
                .filter_map(|s| s.dimensions.get(&d.name))
                .filter_map(|st| {
                    let mine = *st.scores.get(g)?;
                    grades += 1;
                    (st.count >= 2).then_some(mine as f64 - st.median)
                })
                .collect();
            bias.push(GraderBias {
                grader: g.clone(),
                dimension: d.name.clone(),
                items: diffs.len(),
                mean_difference: (!diffs.is_empty())
                    .then(|| diffs.iter().sum::<f64>() / diffs.len() as f64),
                grades,
            });
        }
    }
    Agreement {
        samples: samples.len(),
        grades: samples.iter().map(|s| s.votes).sum(),
        pairs: pairs.len(),
        threshold,
        disputed: samples.iter().filter(|s| s.disputed).count(),
        disputed_pairs: pairs.iter().filter(|p| p.disputed).count(),
        alpha: krippendorff_ordinal(&all_units),
        alpha_by_dimension,
        kappa,
        bias,
        graders,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::store::{latest, GradeEvent};

    fn pair(grader: &str, a: &str, b: &str, better: Better) -> Read {
        Read {
            event: GradeEvent {
                grader: grader.into(),
                time: "2026-01-01T00:00:00.000Z".into(),
                kind: Kind::Pair,
                task_id: "T/0".into(),
                completion_id: if a == "h1" { 1 } else { 2 },
                sample: a.into(),
                versus_completion_id: Some(if b == "h1" { 1 } else { 2 }),
                versus_sample: Some(b.into()),
                scores: BTreeMap::new(),
                better: Some(better),
                notes: String::new(),
            },
            line: 1,
        }
    }

    #[test]
    fn pair_votes_count_the_sample_preferred_whichever_side_it_was_shown_on() {
        let reads = vec![
            pair("ann", "h1", "h2", Better::A),
            // Shown the other way round, preferring the same sample.
            pair("ben", "h2", "h1", Better::B),
            pair("cy", "h1", "h2", Better::B),
            pair("dee", "h2", "h1", Better::Tie),
            // ann changed her mind: the later event of the same pair wins.
            pair("ann", "h2", "h1", Better::B),
        ];
        let lines = consensus(&latest(reads), &Rubric::default_rubric(), 2);
        let [Line::Pair(p)] = &lines[..] else {
            panic!("{lines:?}")
        };
        assert_eq!((p.a.sample.as_str(), p.b.sample.as_str()), ("h1", "h2"));
        assert_eq!((p.a.completion_id, p.b.completion_id), (1, 2));
        assert_eq!((p.votes, p.a_wins, p.b_wins, p.ties), (4, 2, 1, 1));
        assert_eq!(p.better, Better::A);
        assert!(p.disputed);
    }
}
