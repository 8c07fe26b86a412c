//! String and counter commands.

mod counters;
mod edit;
mod get;
mod getex;
mod set;

pub use counters::{IncrBy, IncrByFloat};
pub use edit::{Append, SetRange};
pub use get::{Get, GetRange, MGet, StrLen};
pub use getex::{GetDel, GetEx};
pub use set::{MSet, Set};
