//! How a process learns that it should stop: a signal (the server and `litekv-cleanup`), or
//! SHUTDOWN (the server).

/// Resolves at the first SIGTERM or SIGINT.
pub async fn stop_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

/// A request to stop, from inside the server (SHUTDOWN): the server waits on it beside the
/// signals. A request made before anyone waits is kept.
#[derive(Clone, Debug, Default)]
pub struct Shutdown(std::sync::Arc<tokio::sync::Notify>);

impl Shutdown {
    pub fn request(&self) {
        self.0.notify_one();
    }

    /// Resolves once a stop was requested.
    pub async fn requested(&self) {
        self.0.notified().await;
    }
}
