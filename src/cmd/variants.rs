//! How the commands of one family differ, as the command table tells their shared parsers.

/// Whether a command asks of one member and answers for it (SISMEMBER, ZSCORE), or of
/// several and answers an array (SMISMEMBER, ZMSCORE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Members {
    One,
    Several,
}

/// Whether a command may write (SORT, EVAL, BITFIELD) or is its read-only twin (SORT_RO,
/// EVAL_RO, BITFIELD_RO), which refuses what would write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    ReadWrite,
    ReadOnly,
}
