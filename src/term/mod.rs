//! What the binary shows on a terminal: the progress bar (a listener of the run's
//! events) and the library's log records (warnings and notes), drawn so they never
//! break the bar. The library itself never prints: it emits events and `log` records.

mod logger;
mod progress;

pub(crate) use logger::install as install_logger;
pub(crate) use progress::Progress;
