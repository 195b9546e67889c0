//! Ctrl-C and SIGTERM: the first stops the run cleanly (its `Cancel` fires: executions
//! are killed, the journal keeps what finished), a second exits at once.

use crate::error::EXIT_INTERRUPTED;
use crate::run::{Cancel, CancelReason};
use crate::{Error, Result};
use tokio::signal::unix::{signal, SignalKind};

/// A `Cancel` that fires on the first SIGINT or SIGTERM (call inside the runtime).
pub(crate) fn on_signals() -> Result<Cancel> {
    let err =
        |e: std::io::Error| Error::Environment(format!("cannot install signal handlers: {e}"));
    let mut term = signal(SignalKind::terminate()).map_err(err)?;
    let mut int = signal(SignalKind::interrupt()).map_err(err)?;
    let (canceller, cancel) = Cancel::new();
    tokio::spawn(async move {
        let reason = tokio::select! {
            _ = term.recv() => CancelReason::Signal("SIGTERM"),
            _ = int.recv() => CancelReason::Signal("SIGINT"),
        };
        canceller.cancel(reason);
        tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        std::process::exit(EXIT_INTERRUPTED);
    });
    Ok(cancel)
}
