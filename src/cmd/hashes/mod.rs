//! Hash commands.

mod read;
mod write;

pub use read::{HExists, HGet, HGetAll, HLen, HMGet, HRandField, HScan, HStrLen, Parts};
pub use write::{HDel, HIncrBy, HIncrByFloat, HSet, HSetReply};
