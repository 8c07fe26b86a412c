//! Hash commands.

mod expire;
mod read;
mod write;

pub use expire::{HExpire, HGetDel, HGetEx, HPersist, HSetEx, HTtl};
pub use read::{HExists, HGet, HGetAll, HLen, HMGet, HRandField, HScan, HStrLen, Parts};
pub use write::{HDel, HIncrBy, HIncrByFloat, HSet, HSetReply};
