//! The limit on open client connections, shared by every door. actix-web's own
//! `max_connections` stops accepting at the limit, leaving further clients waiting in the
//! kernel's backlog with no answer; here they are accepted and told why they are not served
//! (a 429 over HTTP, Redis's `max number of clients reached` over RESP).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts open connections and admits them up to a maximum.
#[derive(Clone, Debug)]
pub struct ConnectionLimit {
    open: Arc<AtomicUsize>,
    max: usize,
}

impl ConnectionLimit {
    pub fn new(max: usize) -> Self {
        Self {
            open: Arc::default(),
            max,
        }
    }

    /// Called once per accepted connection; the [`Admission`] lives in the connection's data
    /// and gives its place back when the connection closes.
    pub fn admit(&self) -> Admission {
        let admitted = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.max).then_some(open + 1)
            })
            .is_ok();
        Admission {
            place: admitted.then(|| Arc::clone(&self.open)),
        }
    }

    /// Connections open and admitted now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

/// Whether a connection got a place under the limit.
#[derive(Debug)]
pub struct Admission {
    place: Option<Arc<AtomicUsize>>,
}

impl Admission {
    pub fn admitted(&self) -> bool {
        self.place.is_some()
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Some(open) = &self.place {
            open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_given_back_when_connections_close() {
        let limit = ConnectionLimit::new(2);
        let first = limit.admit();
        let second = limit.admit();
        let refused = limit.admit();
        assert!(first.admitted() && second.admitted());
        assert!(!refused.admitted());
        drop(refused);
        assert_eq!(limit.open(), 2, "a refused connection holds no place");
        drop(first);
        assert_eq!(limit.open(), 1);
        assert!(limit.admit().admitted());
    }
}
