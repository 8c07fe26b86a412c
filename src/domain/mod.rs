//! Validated values: once a `Key` or a `Ttl` exists, it is known to be acceptable.

mod key;
mod ttl;

pub use key::{Key, KeyError, MAX_KEY_BYTES};
pub use ttl::{MAX_TTL_SECONDS, Ttl, TtlError};
