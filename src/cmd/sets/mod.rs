//! Set commands.

mod read;
mod write;

pub use read::{SCard, SCombine, SInterCard, SIsMember, SMembers, SRandMember, SScan};
pub use write::{SAdd, SMove, SPop, SRem, SStore};
