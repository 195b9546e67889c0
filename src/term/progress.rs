//! The progress bar: a listener of the run's events, drawn on a terminal only (silent
//! when stderr is piped or the output is JSON). It also says what the events say people
//! must know: retries after sandbox errors, and a cancellation.

use crate::run::{Event, Listener};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    passed: u64,
    failed: u64,
}

impl Progress {
    pub(crate) fn new(enabled: bool, label: &str) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} {bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed_precise}, {per_sec}, eta {eta}]",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar
        });
        super::logger::draw_above(bar.clone());
        Progress {
            bar,
            passed: 0,
            failed: 0,
        }
    }
}

impl Listener for Progress {
    fn on_event(&mut self, event: &Event<'_>) {
        match event {
            Event::Retried {
                index,
                attempts,
                last,
            } => log::warn!("job {index} was retried {attempts}x after sandbox errors ({last})"),
            Event::Cancelled { reason } => log::warn!(
                "interrupted ({reason}): stopping the running executions (press Ctrl-C again to exit at once)"
            ),
            _ => {}
        }
        let Some(bar) = &self.bar else { return };
        match event {
            Event::Planned { total, .. } => bar.set_length(*total as u64),
            Event::Finished { outcome, .. } => {
                if outcome.status.is_pass() {
                    self.passed += 1;
                } else {
                    self.failed += 1;
                }
                bar.set_message(format!("passed {} failed {}", self.passed, self.failed));
                bar.inc(1);
            }
            _ => {}
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        super::logger::draw_above(None);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
