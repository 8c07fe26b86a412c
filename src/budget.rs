//! The memory large requests may hold at once, across every door and connection. A request
//! body or a RESP bulk string of [`LARGE`] bytes or more reserves its size here before it is
//! read; past the budget it waits for others to finish, so that many clients sending large
//! values at once cannot take the server's memory. Smaller ones are not counted: they are
//! bounded by the number of connections and their read buffers.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The size from which a request reserves its bytes.
pub const LARGE: usize = 1024 * 1024;

/// Reservations count in KiB, so that a budget of gigabytes fits a semaphore's permits.
const UNIT: usize = 1024;

#[derive(Clone, Debug)]
pub struct MemoryBudget {
    units: Arc<Semaphore>,
    total_units: u32,
}

/// Bytes reserved by one request, given back when it is dropped.
#[derive(Debug, Default)]
pub struct Reserved {
    permit: Option<OwnedSemaphorePermit>,
}

impl MemoryBudget {
    pub fn new(bytes: usize) -> Self {
        let total_units = u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX).max(1);
        Self {
            units: Arc::new(Semaphore::new(total_units as usize)),
            total_units,
        }
    }

    /// Adds `bytes` to what `held` reserves, waiting until the budget has room for both. A
    /// request that must wait first gives back what it held, then waits in line for the sum:
    /// the first in line is given what others give back until it has all it asked for, and
    /// the others hold nothing, so requests never wait on each other. One larger than the
    /// whole budget takes all of it and runs alone.
    pub async fn grow(&self, held: &mut Reserved, bytes: usize) {
        let held_units = held.permit.as_ref().map_or(0, |permit| permit.num_permits());
        let wanted = held_units.saturating_add(bytes.div_ceil(UNIT));
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX).min(self.total_units);
        let extra = wanted.saturating_sub(held_units as u32);
        if let Ok(more) = Arc::clone(&self.units).try_acquire_many_owned(extra) {
            match &mut held.permit {
                Some(permit) => permit.merge(more),
                None => held.permit = Some(more),
            }
            return;
        }
        held.permit = None;
        // The semaphore is never closed.
        held.permit = Arc::clone(&self.units).acquire_many_owned(wanted).await.ok();
    }

    /// Bytes reserved now, by every request.
    pub fn reserved_bytes(&self) -> usize {
        (self.total_units as usize - self.units.available_permits()) * UNIT
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const MIB: usize = 1024 * 1024;

    #[tokio::test]
    async fn a_request_past_the_budget_waits_until_another_gives_back() {
        let budget = MemoryBudget::new(8 * MIB);
        let mut first = Reserved::default();
        budget.grow(&mut first, 6 * MIB).await;
        assert_eq!(budget.reserved_bytes(), 6 * MIB);
        let waiting = {
            let budget = budget.clone();
            tokio::spawn(async move {
                let mut second = Reserved::default();
                budget.grow(&mut second, 6 * MIB).await;
                second
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "the second request waits while the first holds 6 of 8 MiB"
        );
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(budget.reserved_bytes(), 6 * MIB);
        drop(second);
        assert_eq!(budget.reserved_bytes(), 0);
    }

    #[tokio::test]
    async fn requests_that_grow_never_wait_on_each_other() {
        // Each holds half and wants more. Each that waits first gives back what it held, so
        // one of them gets all it wants, finishes, and lets the other through.
        let budget = MemoryBudget::new(8 * MIB);
        let (mut first, mut second) = (Reserved::default(), Reserved::default());
        budget.grow(&mut first, 4 * MIB).await;
        budget.grow(&mut second, 4 * MIB).await;
        let grow = |mut held: Reserved, bytes| {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget.grow(&mut held, bytes).await;
                held
            })
        };
        let first = grow(first, 4 * MIB);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = grow(second, 2 * MIB);
        let first = tokio::time::timeout(Duration::from_secs(5), first)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(budget.reserved_bytes(), 8 * MIB);
        assert!(!second.is_finished(), "the second waits for the first to give back");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(budget.reserved_bytes(), 6 * MIB);
        drop(second);
        assert_eq!(budget.reserved_bytes(), 0);
    }

    #[tokio::test]
    async fn a_request_larger_than_the_budget_runs_alone() {
        let budget = MemoryBudget::new(8 * MIB);
        let mut huge = Reserved::default();
        budget.grow(&mut huge, 100 * MIB).await;
        assert_eq!(budget.reserved_bytes(), 8 * MIB);
    }
}
