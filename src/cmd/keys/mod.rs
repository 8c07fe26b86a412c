//! Commands on keys whatever they hold: existence, deletion, expiry, renaming, and walking
//! the keyspace.

mod del;
mod expire;
mod object;
mod rename;
mod scan;
mod sort;

pub use del::{Del, Exists, Type};
pub use expire::{Expire, Persist, Ttl};
pub use object::Object;
pub use rename::{Copy, Rename};
pub use scan::{Keys, RandomKey, Scan};
pub use sort::{Sort, SortStore};
