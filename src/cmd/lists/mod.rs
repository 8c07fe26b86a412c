//! List commands.

mod read;
mod write;

pub use read::{LIndex, LLen, LPos, LRange};
pub(in crate::cmd) use write::move_element;
pub use write::{LInsert, LMPop, LMove, LPop, LPush, LRem, LSet, LTrim};

use crate::cmd::args::Args;
use crate::reply::CmdError;
use crate::store::End;

/// The keyspace event of a push onto `end`.
pub(in crate::cmd) fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

/// The keyspace event of a pop from `end`.
pub(in crate::cmd) fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

/// `LEFT` or `RIGHT`, as LMOVE and LMPOP name a list's ends.
pub(in crate::cmd) fn parse_end(args: &mut Args) -> Result<End, CmdError> {
    match args.option().as_deref() {
        Some("LEFT") => Ok(End::Head),
        Some("RIGHT") => Ok(End::Tail),
        _ => Err(CmdError::syntax()),
    }
}
