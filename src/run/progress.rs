//! The progress bar: on a terminal only; silent when stderr is piped or output is JSON.

use super::Event;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
    passed: u64,
    failed: u64,
}

impl Progress {
    pub fn new(enabled: bool, label: &str) -> Self {
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
        Progress {
            bar,
            passed: 0,
            failed: 0,
        }
    }

    pub fn on_event(&mut self, event: &Event<'_>) {
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
            Event::Retrying { message } => bar.println(format!("warning: {message}")),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
