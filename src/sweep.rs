//! Active expiry: purging keys whose TTL has passed, in bounded batches.
//!
//! Reads already hide expired keys and GET deletes them lazily; the sweep reclaims the
//! space of keys nobody reads again. Each batch is its own short transaction, with a pause
//! between batches, so purging millions of keys never holds the write lock for long.
//! The server runs a [`Sweeper`] every `--sweep-interval`; `litekv-cleanup` runs one on a
//! cron schedule ([`run_scheduled`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::clock::{Clock, SystemClock};
use crate::config::{CleanupConfig, SweepArgs};
use crate::store::{IfMissing, Store, StoreError};

/// Purges expired keys, one pass at a time; clones share the same store and stop flag.
#[derive(Clone)]
pub struct Sweeper {
    store: Store,
    clock: Arc<dyn Clock>,
    batch: u32,
    pause: Duration,
    stopping: Arc<AtomicBool>,
    /// Held for the length of a pass: passes never overlap, and a stop can wait for one.
    pass: Arc<Mutex<()>>,
}

impl Sweeper {
    pub fn new(store: Store, clock: Arc<dyn Clock>, args: &SweepArgs) -> Self {
        Self {
            store,
            clock,
            batch: args.sweep_batch,
            pause: Duration::from_millis(args.sweep_pause_ms),
            stopping: Arc::new(AtomicBool::new(false)),
            pass: Arc::new(Mutex::new(())),
        }
    }

    /// Deletes every key expired at the start of the pass; returns how many. A pass already
    /// running makes this one a no-op that returns 0.
    pub async fn run_pass(&self) -> Result<u64, StoreError> {
        let Ok(_pass) = self.pass.try_lock() else {
            tracing::info!("the previous purge is still running; skipping this one");
            return Ok(0);
        };
        // One "now" for the whole pass: keys that expire meanwhile wait for the next pass,
        // so a pass always ends.
        let now_ms = self.clock.now_ms();
        let mut purged = 0;
        while !self.stopping.load(Ordering::SeqCst) {
            let deleted = self.store.purge_expired_batch(now_ms, self.batch).await?;
            purged += deleted;
            if deleted < u64::from(self.batch) {
                break;
            }
            tokio::time::sleep(self.pause).await;
        }
        Ok(purged)
    }

    /// Runs a pass and logs what it did, as `report` asks.
    pub async fn run_logged_pass(&self, report: Report) {
        let started = std::time::Instant::now();
        match self.run_pass().await {
            Ok(0) if report == Report::WhenPurged => {
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "no expired keys to purge"
                )
            }
            Ok(purged) => tracing::info!(
                purged,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "expired keys purged"
            ),
            Err(error) => tracing::error!(error = ?error, "purging expired keys failed"),
        }
    }

    /// Makes the current pass stop after its batch in progress, and waits for it.
    pub async fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.pass.lock().await;
    }
}

/// When a pass says what it purged, at `info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// Every pass: one asked for once (`litekv-cleanup --once`).
    Always,
    /// Passes that purged something: a periodic pass with nothing to purge, every minute for
    /// ever, tells an operator nothing (it is logged at `debug`).
    WhenPurged,
}

/// The server's in-process sweep: a pass every `interval`, the first one at start.
pub fn spawn_periodic(sweeper: Sweeper, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            sweeper.run_logged_pass(Report::WhenPurged).await;
        }
    })
}

/// `litekv-cleanup`: one pass with `--once`, otherwise a pass on every tick of the cron
/// schedule until SIGTERM or SIGINT, which let the batch in progress finish.
pub async fn run_scheduled(config: CleanupConfig) -> anyhow::Result<()> {
    // The cleanup only tends a database the server made: a mistyped URL must not get a new,
    // empty file purged forever.
    let store = Store::open(&config.database.store_options(IfMissing::Refuse))
        .await
        .with_context(|| format!("opening the database {}", config.database.shown_url()))?;
    let sweeper = Sweeper::new(store.clone(), Arc::new(SystemClock), &config.sweep);
    if config.once {
        sweeper.run_logged_pass(Report::Always).await;
    } else {
        let scheduler = JobScheduler::new().await.context("starting the scheduler")?;
        let job_sweeper = sweeper.clone();
        let job = Job::new_async(config.schedule.with_seconds.as_str(), move |_, _| {
            let sweeper = job_sweeper.clone();
            Box::pin(async move { sweeper.run_logged_pass(Report::WhenPurged).await })
        })
        .with_context(|| format!("invalid --schedule {:?}", config.schedule.written))?;
        scheduler.add(job).await.context("scheduling the purge")?;
        scheduler.start().await.context("starting the scheduler")?;
        tracing::info!(schedule = %config.schedule.written, "litekv-cleanup started");
        crate::shutdown::stop_signal().await?;
        tracing::info!("stopping: letting the batch in progress finish");
        let mut scheduler = scheduler;
        scheduler.shutdown().await.context("stopping the scheduler")?;
        sweeper.stop().await;
    }
    store.close().await;
    Ok(())
}
