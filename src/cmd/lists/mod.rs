//! List commands.

mod read;
mod write;

pub use read::{LIndex, LLen, LPos, LRange};
pub use write::{LInsert, LMPop, LMove, LPop, LPush, LRem, LSet, LTrim};

use crate::cmd::CmdError;
use crate::cmd::args::Args;
use crate::store::End;

/// `LEFT` or `RIGHT`, as LMOVE and LMPOP name a list's ends.
pub(in crate::cmd) fn parse_end(args: &mut Args) -> Result<End, CmdError> {
    match args.option().as_deref() {
        Some("LEFT") => Ok(End::Head),
        Some("RIGHT") => Ok(End::Tail),
        _ => Err(CmdError::syntax()),
    }
}
