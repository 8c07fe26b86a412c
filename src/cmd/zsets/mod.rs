//! Sorted-set commands, and what they share: scores and ranges as Redis parses them, and
//! scores as Redis writes them.

mod combine;
mod range;
mod read;
mod write;

pub use combine::{Operation, ZCombine, ZInterCard, ZStore};
pub use range::{Syntax, ZRange, ZRangeStore};
pub use read::{ZCard, ZCount, ZRandMember, ZRank, ZScan, ZScore};
pub use write::{ZAdd, ZMPop, ZPop, ZRem, ZRemRange};
pub(in crate::cmd) use write::{parse_min_or_max, pop_members};

use bytes::Bytes;

use crate::cmd::args::parse_float;
#[cfg(test)]
use crate::reply::format_score;
use crate::reply::{CmdError, Reply};
use crate::store::{LexBound, ScoreBound};

/// A score as Redis reads one to store: see [`parse_score_or_tiny`], but never a number too
/// small for a float (`1e-400`), which Redis refuses rather than store as 0.
fn parse_score(bytes: &[u8]) -> Option<f64> {
    parse_score_or_tiny(bytes).filter(|&score| score != 0.0 || !has_nonzero_digit(bytes))
}

/// A score as Redis reads a range's bound: a finite float, or `inf`, `+inf`, `-inf` (any
/// case); never NaN.
fn parse_score_or_tiny(bytes: &[u8]) -> Option<f64> {
    match bytes.to_ascii_lowercase().as_slice() {
        b"inf" | b"+inf" => Some(f64::INFINITY),
        b"-inf" => Some(f64::NEG_INFINITY),
        _ => parse_float(bytes),
    }
}

/// Whether the digits before any exponent include one that is not 0.
fn has_nonzero_digit(number: &[u8]) -> bool {
    number
        .iter()
        .take_while(|&&byte| !matches!(byte, b'e' | b'E'))
        .any(|byte| matches!(byte, b'1'..=b'9'))
}

/// One end of a score range: a score, or `(` and a score to exclude it. Nothing at all is 0,
/// as Redis reads a bound (with C's `strtod` alone).
fn parse_score_bound(bytes: &[u8]) -> Result<ScoreBound, CmdError> {
    let (exclusive, score) = match bytes.strip_prefix(b"(") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let score = match score {
        b"" => 0.0,
        score => parse_score_or_tiny(score).ok_or_else(|| CmdError::new("ERR min or max is not a float"))?,
    };
    Ok(ScoreBound { score, exclusive })
}

/// One end of a member range: `-`, `+`, `[member` or `(member`.
fn parse_lex_bound(bytes: &Bytes) -> Result<LexBound, CmdError> {
    match bytes.first() {
        Some(b'-') if bytes.len() == 1 => Ok(LexBound::Lowest),
        Some(b'+') if bytes.len() == 1 => Ok(LexBound::Highest),
        Some(b'[') => Ok(LexBound::Inclusive(bytes.slice(1..))),
        Some(b'(') => Ok(LexBound::Exclusive(bytes.slice(1..))),
        _ => Err(CmdError::new("ERR min or max not valid string range item")),
    }
}

/// Members with their scores (`WITHSCORES`), or members alone.
fn scored(members: Vec<(Bytes, f64)>, with_scores: bool) -> Reply {
    match with_scores {
        true => Reply::Pairs(
            members
                .into_iter()
                .map(|(member, score)| (Reply::Bulk(member), Reply::Double(score)))
                .collect(),
        ),
        false => Reply::array_of_bulks(members.into_iter().map(|(member, _)| member)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_read_and_write_as_in_redis() {
        assert_eq!(parse_score(b"1.5"), Some(1.5));
        assert_eq!(parse_score(b"-INF"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_score(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_score(b"nan"), None);
        assert_eq!(parse_score(b"(1"), None);
        assert_eq!(parse_score(b"1e-400"), None, "too small for a float");
        assert_eq!(parse_score(b"0e-400"), Some(0.0));
        assert_eq!(parse_score(b"-0.000"), Some(-0.0));
        assert_eq!(format_score(1.0), "1");
        assert_eq!(format_score(-2.5), "-2.5");
        assert_eq!(format_score(f64::INFINITY), "inf");
        assert_eq!(
            parse_score_bound(b"(1.5"),
            Ok(ScoreBound {
                score: 1.5,
                exclusive: true
            })
        );
        assert_eq!(
            parse_score_bound(b"x").unwrap_err().as_str(),
            "ERR min or max is not a float"
        );
        assert_eq!(
            parse_lex_bound(&Bytes::from_static(b"[a")),
            Ok(LexBound::Inclusive("a".into()))
        );
        assert_eq!(parse_lex_bound(&Bytes::from_static(b"+")), Ok(LexBound::Highest));
        assert!(parse_lex_bound(&Bytes::from_static(b"a")).is_err());
    }
}
