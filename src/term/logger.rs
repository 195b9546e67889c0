//! The `log` records of the library, on stderr: `warning: …` for warnings, plain lines
//! for notes. While a progress bar is drawn, lines are printed above it.

use indicatif::ProgressBar;
use std::sync::Mutex;

/// The bar being drawn, if any: lines go above it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info && metadata.target().starts_with("assay")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = match record.level() {
            log::Level::Error => format!("error: {}", record.args()),
            log::Level::Warn => format!("warning: {}", record.args()),
            _ => record.args().to_string(),
        };
        match BAR.lock().ok().and_then(|b| b.clone()) {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn flush(&self) {}
}

/// Installs the logger (once; later calls do nothing).
pub(crate) fn install() {
    static LOGGER: Stderr = Stderr;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

/// Lines logged from now on are printed above `bar` (until `None`).
pub(super) fn draw_above(bar: Option<ProgressBar>) {
    if let Ok(mut b) = BAR.lock() {
        *b = bar;
    }
}
