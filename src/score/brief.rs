//! What the summaries need of one outcome: a few dozen bytes. A long `score` run writes
//! each outcome to the results file as it arrives and keeps only this, so the harness's
//! memory does not grow with the captured output and per-test messages of every sample.

use crate::entry::Level;
use crate::sandbox::{Outcome, Status};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Brief {
    pub(crate) status: Status,
    pub(crate) wall_ms: f64,
    pub(crate) cpu_ms: f64,
    /// Per level (normal, edge case, correctness): tests, and tests passed.
    pub(crate) levels: [(u32, u32); 3],
}

impl Brief {
    pub(crate) fn of(o: &Outcome) -> Brief {
        let mut levels = [(0, 0); 3];
        for t in &o.tests {
            let l = &mut levels[level_index(t.level)];
            l.0 += 1;
            l.1 += u32::from(t.status.is_pass());
        }
        Brief {
            status: o.status,
            wall_ms: o.wall_ms,
            cpu_ms: o.cpu_ms,
            levels,
        }
    }

    /// (level, passed) for each test, as `LevelCount::tally` counts them.
    pub(crate) fn tests(&self) -> impl Iterator<Item = (Level, bool)> + '_ {
        LEVELS
            .iter()
            .zip(self.levels)
            .flat_map(|(&level, (n, passed))| (0..n).map(move |i| (level, i < passed)))
    }
}

const LEVELS: [Level; 3] = [Level::Normal, Level::EdgeCase, Level::Correctness];

fn level_index(level: Level) -> usize {
    match level {
        Level::Normal => 0,
        Level::EdgeCase => 1,
        Level::Correctness => 2,
    }
}
