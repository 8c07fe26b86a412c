//! Hash commands.

mod read;
mod write;

pub use read::{HExists, HGet, HGetAll, HLen, HMGet, HStrLen, Parts};
pub use write::{HDel, HIncrBy, HIncrByFloat, HSet, HSetReply};
