//! The range reads: ZRANGE and the older commands it folds in (ZRANGEBYSCORE,
//! ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE), and ZRANGESTORE.

use bytes::Bytes;

use super::{parse_lex_bound, parse_score_bound, scored};
use crate::cmd::args::{Args, parse_int};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, Order, Range, ReadView, Selection, WriteTx};

/// The syntax a range is written in, by command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// ZRANGE and ZRANGESTORE: ranks, unless BYSCORE or BYLEX; REV and LIMIT options.
    Generic,
    /// ZRANGEBYSCORE and ZREVRANGEBYSCORE (whose bounds come max first); LIMIT.
    ByScore(Order),
    /// ZRANGEBYLEX and ZREVRANGEBYLEX (max first); LIMIT.
    ByLex(Order),
    /// ZREVRANGE: ranks from the highest score.
    Ranks(Order),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Rank,
    Score,
    Lex,
}

/// Parses `min max [options]` in `syntax`; `scores_allowed` says whether WITHSCORES may
/// follow. Returns the selection and whether scores were asked for.
fn parse_selection(args: &mut Args, syntax: Syntax, scores_allowed: bool) -> Result<(Selection, bool), CmdError> {
    let (first, second) = (args.bytes()?, args.bytes()?);
    let (mut by, mut order) = match syntax {
        Syntax::Generic => (By::Rank, Order::Ascending),
        Syntax::ByScore(order) => (By::Score, order),
        Syntax::ByLex(order) => (By::Lex, order),
        Syntax::Ranks(order) => (By::Rank, order),
    };
    let generic = syntax == Syntax::Generic;
    let (mut limit, mut with_scores) = (None, false);
    while let Some(option) = args.option() {
        match option.as_str() {
            "BYSCORE" if generic => by = By::Score,
            "BYLEX" if generic => by = By::Lex,
            "REV" if generic => order = Order::Descending,
            "LIMIT" if !matches!(syntax, Syntax::Ranks(_)) => limit = Some((args.int()?, args.int()?)),
            "WITHSCORES" if scores_allowed => with_scores = true,
            _ => return Err(CmdError::syntax()),
        }
    }
    // `LIMIT 0 -1` asks for everything, as no LIMIT does: Redis takes that with ranks too.
    if by == By::Rank && limit.is_some_and(|limit| limit != (0, -1)) {
        return Err(CmdError::new(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if by == By::Lex && with_scores {
        return Err(CmdError::new(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    // In descending order a score or member range is written from its high end.
    let (min, max) = match (by, order) {
        (By::Score | By::Lex, Order::Descending) => (second, first),
        _ => (first, second),
    };
    let range = match by {
        By::Rank => Range::Rank {
            start: parse_int(&min).ok_or_else(CmdError::not_an_integer)?,
            stop: parse_int(&max).ok_or_else(CmdError::not_an_integer)?,
        },
        By::Score => Range::Score {
            min: parse_score_bound(&min)?,
            max: parse_score_bound(&max)?,
        },
        By::Lex => Range::Lex {
            min: parse_lex_bound(&min)?,
            max: parse_lex_bound(&max)?,
        },
    };
    // A negative offset picks nothing; a negative count takes everything after the offset.
    let (offset, count) = match limit {
        None => (0, None),
        Some((offset, _)) if offset < 0 => (0, Some(0)),
        Some((offset, count)) => (offset as u64, u64::try_from(count).ok()),
    };
    let selection = Selection {
        range,
        order,
        offset,
        count,
    };
    Ok((selection, with_scores))
}

/// `ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]` and the
/// older range commands.
#[derive(Debug)]
pub struct ZRange {
    key: Bytes,
    selection: Selection,
    with_scores: bool,
}

impl ZRange {
    pub(in crate::cmd) fn parse(args: &mut Args, syntax: Syntax) -> Result<Self, CmdError> {
        let key = args.key()?;
        let scores_allowed = !matches!(syntax, Syntax::ByLex(_));
        let (selection, with_scores) = parse_selection(args, syntax, scores_allowed)?;
        Ok(Self {
            key,
            selection,
            with_scores,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let members = view.zset_range(&self.key, &self.selection).await?;
        Ok(scored(members, self.with_scores))
    }
}

/// `ZRANGESTORE destination source min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]`: the
/// destination becomes the range (or goes, if it is empty); the reply is its size.
#[derive(Debug)]
pub struct ZRangeStore {
    destination: Bytes,
    source: Bytes,
    selection: Selection,
}

impl ZRangeStore {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let destination = args.key()?;
        let source = args.key()?;
        let (selection, _) = parse_selection(args, Syntax::Generic, false)?;
        Ok(Self {
            destination,
            source,
            selection,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let members = tx.read(now_ms).zset_range(&self.source, &self.selection).await?;
        let size = tx.replace_with_zset(&self.destination, &members, now_ms).await?;
        if size > 0 {
            tx.notify(EventClass::SortedSet, "zrangestore", &self.destination);
        }
        Ok(Reply::count(size))
    }
}
