//! Expiry arithmetic shared by SET, GETEX and the EXPIRE family: every expiry is an
//! absolute time in unix milliseconds, and times that overflow are errors, as in Redis.

use super::CmdError;

/// The unit a command's time is given or answered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Milliseconds,
}

impl TimeUnit {
    pub fn ms(self) -> i64 {
        match self {
            Self::Seconds => 1000,
            Self::Milliseconds => 1,
        }
    }
}

/// What a command's time counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBase {
    /// A duration from now (EX, EXPIRE, TTL).
    FromNow,
    /// A unix time (EXAT, EXPIREAT, EXPIRETIME).
    UnixEpoch,
}

/// What a write does to its key's expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// The key never expires (a SET without options clears an earlier TTL).
    Clear,
    /// The key keeps the expiry it had (KEEPTTL).
    Keep,
    /// Milliseconds from now.
    After(i64),
    /// Unix milliseconds.
    At(i64),
}

impl Expiry {
    /// Whether `word` is one of the option words EX, PX, EXAT, PXAT (uppercase).
    pub fn is_unit(word: &str) -> bool {
        matches!(word, "EX" | "PX" | "EXAT" | "PXAT")
    }

    /// An `EX`/`PX`/`EXAT`/`PXAT` option with its operand, which must be positive.
    pub fn parse(word: &str, amount: i64, command: &str) -> Result<Self, CmdError> {
        let (unit, base) = match word {
            "EX" => (TimeUnit::Seconds, TimeBase::FromNow),
            "PX" => (TimeUnit::Milliseconds, TimeBase::FromNow),
            "EXAT" => (TimeUnit::Seconds, TimeBase::UnixEpoch),
            _ => (TimeUnit::Milliseconds, TimeBase::UnixEpoch),
        };
        Self::new(unit, base, amount, command)
    }

    /// An expiry `amount` `unit`s from `base`, which must be positive.
    pub fn new(unit: TimeUnit, base: TimeBase, amount: i64, command: &str) -> Result<Self, CmdError> {
        let invalid = || CmdError::invalid_expire_time(command);
        if amount <= 0 {
            return Err(invalid());
        }
        let ms = amount.checked_mul(unit.ms()).ok_or_else(invalid)?;
        Ok(match base {
            TimeBase::FromNow => Self::After(ms),
            TimeBase::UnixEpoch => Self::At(ms),
        })
    }

    /// The absolute expiry this leaves, given now and the key's `current` expiry.
    pub fn resolve(self, now_ms: i64, current: Option<i64>, command: &str) -> Result<Option<i64>, CmdError> {
        match self {
            Self::Clear => Ok(None),
            Self::Keep => Ok(current),
            Self::After(ms) => now_ms
                .checked_add(ms)
                .map(Some)
                .ok_or_else(|| CmdError::invalid_expire_time(command)),
            Self::At(ms) => Ok(Some(ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_expiries_resolve_to_unix_milliseconds() {
        let now = 1_000_000;
        let resolve = |unit, amount| Expiry::parse(unit, amount, "set").unwrap().resolve(now, Some(5), "set");
        assert_eq!(resolve("EX", 10), Ok(Some(now + 10_000)));
        assert_eq!(resolve("PX", 10), Ok(Some(now + 10)));
        assert_eq!(resolve("EXAT", 10), Ok(Some(10_000)));
        assert_eq!(resolve("PXAT", 10), Ok(Some(10)));
        assert_eq!(Expiry::Keep.resolve(now, Some(5), "set"), Ok(Some(5)));
        assert_eq!(Expiry::Clear.resolve(now, Some(5), "set"), Ok(None));
    }

    #[test]
    fn non_positive_and_overflowing_times_are_refused() {
        let invalid = CmdError::new("ERR invalid expire time in 'set' command");
        assert_eq!(Expiry::parse("EX", 0, "set"), Err(invalid.clone()));
        assert_eq!(Expiry::parse("PX", -1, "set"), Err(invalid.clone()));
        assert_eq!(Expiry::parse("EX", i64::MAX / 10, "set"), Err(invalid.clone()));
        assert_eq!(Expiry::After(i64::MAX).resolve(1, None, "set"), Err(invalid));
    }
}
