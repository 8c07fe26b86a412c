//! When a conditional write applies, as its NX and XX options say.

/// When a write applies: always, only to a missing key (NX), or only to an existing one (XX).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Always,
    IfMissing,
    IfExists,
}

impl Condition {
    /// Whether a write applies to a key that `exists` or not.
    pub fn allows(self, exists: bool) -> bool {
        match self {
            Self::Always => true,
            Self::IfMissing => !exists,
            Self::IfExists => exists,
        }
    }
}
