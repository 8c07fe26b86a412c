//! String and counter commands, bitmaps and LCS.

mod bits;
mod counters;
mod edit;
mod get;
mod getex;
mod lcs;
mod set;

pub use bits::{BitCount, BitField, BitFieldRo, BitOp, BitPos, GetBit, SetBit};
pub use counters::{IncrBy, IncrByFloat};
pub use edit::{Append, SetRange};
pub use get::{Get, GetRange, MGet, StrLen};
pub use getex::{GetDel, GetEx};
pub use lcs::Lcs;
pub use set::{MSet, Put, Set};
