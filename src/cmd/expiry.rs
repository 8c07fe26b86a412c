//! Expiry arithmetic shared by SET, GETEX and the EXPIRE family: every expiry is an
//! absolute time in unix milliseconds, and times that overflow are errors, as in Redis.

use super::args::Args;
use crate::reply::CmdError;

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

/// EXPIRE's conditions on the current expiry (Redis 7). Several may hold at once (XX GT),
/// but not all combinations make sense.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExpireCondition {
    /// NX: only if the key has no expiry.
    no_expiry: bool,
    /// XX: only if it has one.
    has_expiry: bool,
    /// GT: only if the new expiry is later ("no expiry" counts as infinite, so never).
    later: bool,
    /// LT: only if the new expiry is sooner ("no expiry" counts as infinite, so always).
    sooner: bool,
}

impl ExpireCondition {
    /// Parses NX, XX, GT and LT up to the end of the arguments, or up to and including the
    /// word `until` (HEXPIRE's `FIELDS`), which must then come.
    pub fn parse(args: &mut Args, until: Option<&str>) -> Result<Self, CmdError> {
        let mut condition = Self::default();
        let mut reached = until.is_none();
        while let Some(option) = args.option() {
            if Some(option.as_str()) == until {
                reached = true;
                break;
            }
            match option.as_str() {
                "NX" => condition.no_expiry = true,
                "XX" => condition.has_expiry = true,
                "GT" => condition.later = true,
                "LT" => condition.sooner = true,
                _ if until.is_some() => return Err(missing_fields()),
                _ => return Err(CmdError::new(format!("ERR Unsupported option {option}"))),
            }
        }
        if !reached {
            return Err(missing_fields());
        }
        if condition.no_expiry && (condition.has_expiry || condition.later || condition.sooner) {
            return Err(CmdError::new(
                "ERR NX and XX, GT or LT options at the same time are not compatible",
            ));
        }
        if condition.later && condition.sooner {
            return Err(CmdError::new(
                "ERR GT and LT options at the same time are not compatible",
            ));
        }
        Ok(condition)
    }

    pub fn allows(self, current: Option<i64>, new: i64) -> bool {
        !(self.no_expiry && current.is_some()
            || self.has_expiry && current.is_none()
            || self.later && current.is_none_or(|current| new <= current)
            || self.sooner && current.is_some_and(|current| new >= current))
    }
}

/// The error for HEXPIRE and its kin without their `FIELDS numfields field ...`.
pub fn missing_fields() -> CmdError {
    CmdError::new("ERR Mandatory argument FIELDS is missing or not at the right position")
}

/// The unix milliseconds `time` `unit`s from `base` make; `command` names an overflow.
pub fn deadline(time: i64, unit: TimeUnit, base: TimeBase, now_ms: i64, command: &str) -> Result<i64, CmdError> {
    let ms = time.checked_mul(unit.ms());
    let at = match base {
        TimeBase::UnixEpoch => ms,
        TimeBase::FromNow => ms.and_then(|ms| ms.checked_add(now_ms)),
    };
    at.ok_or_else(|| CmdError::invalid_expire_time(command))
}

/// What TTL and its kin answer for `expiry` (`None`: missing; `Some(None)`: no expiry): -2,
/// -1, or the time left (FromNow) or the unix time (UnixEpoch) in `unit`, seconds rounded to
/// the nearest.
pub fn ttl_reply(expiry: Option<Option<i64>>, unit: TimeUnit, base: TimeBase, now_ms: i64) -> i64 {
    match expiry {
        None => -2,
        Some(None) => -1,
        Some(Some(expires_at)) => {
            let ms = match base {
                TimeBase::UnixEpoch => expires_at,
                TimeBase::FromNow => (expires_at - now_ms).max(0),
            };
            match unit {
                TimeUnit::Milliseconds => ms,
                TimeUnit::Seconds => (ms + 500) / 1000,
            }
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
