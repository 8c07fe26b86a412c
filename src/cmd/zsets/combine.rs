//! Combining sorted sets (plain sets count as scores of 1): ZUNION, ZINTER, ZDIFF, their
//! STORE forms, and ZINTERCARD. The result is built in memory, ordered by score then member.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;

use super::{parse_score, scored};
use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, ReadView, WriteTx};

/// How the inputs combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Union,
    Intersection,
    Difference,
}

/// How the scores of a member found in several inputs combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            // inf + -inf is NaN, which Redis makes 0.
            Self::Sum => zero_if_nan(a + b),
            Self::Min => a.min(b),
            Self::Max => a.max(b),
        }
    }
}

fn zero_if_nan(score: f64) -> f64 {
    if score.is_nan() { 0.0 } else { score }
}

/// The inputs and options of a combination.
#[derive(Debug)]
struct Inputs {
    operation: Operation,
    keys: Vec<Bytes>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    /// A fault in the options after the keys: reported once the keys' types were checked,
    /// as Redis reports them.
    fault: Option<CmdError>,
}

/// `numkeys key [key ...]`, with the errors Redis's sorted-set combinations give.
fn input_keys(args: &mut Args) -> Result<Vec<Bytes>, CmdError> {
    let numkeys = args.int()?;
    if numkeys < 1 {
        return Err(CmdError::new(format!(
            "ERR at least 1 input key is needed for '{}' command",
            args.name()
        )));
    }
    args.counted_keys(numkeys, CmdError::syntax)
}

impl Inputs {
    /// `numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM | MIN | MAX]` (ZDIFF takes
    /// neither option), then WITHSCORES if `scores_allowed`. Returns the inputs and whether
    /// WITHSCORES was given.
    fn parse(args: &mut Args, operation: Operation, scores_allowed: bool) -> Result<(Self, bool), CmdError> {
        let keys = input_keys(args)?;
        let mut inputs = Self {
            operation,
            weights: vec![1.0; keys.len()],
            keys,
            aggregate: Aggregate::Sum,
            fault: None,
        };
        let with_scores = inputs.parse_options(args, scores_allowed).unwrap_or_else(|fault| {
            inputs.fault = Some(fault);
            false
        });
        Ok((inputs, with_scores))
    }

    /// WEIGHTS, AGGREGATE and (if `scores_allowed`) WITHSCORES; whether WITHSCORES was given.
    fn parse_options(&mut self, args: &mut Args, scores_allowed: bool) -> Result<bool, CmdError> {
        let inputs = self;
        let weighted = inputs.operation != Operation::Difference;
        let mut with_scores = false;
        while let Some(option) = args.option() {
            match option.as_str() {
                "WEIGHTS" if weighted && args.remaining() >= inputs.keys.len() => {
                    for weight in &mut inputs.weights {
                        *weight = parse_score(&args.bytes()?)
                            .ok_or_else(|| CmdError::new("ERR weight value is not a float"))?;
                    }
                }
                "AGGREGATE" if weighted => {
                    inputs.aggregate = match args.option().as_deref() {
                        Some("SUM") => Aggregate::Sum,
                        Some("MIN") => Aggregate::Min,
                        Some("MAX") => Aggregate::Max,
                        _ => return Err(CmdError::syntax()),
                    }
                }
                "WITHSCORES" if scores_allowed => with_scores = true,
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(with_scores)
    }

    /// The combined members and scores, read from one snapshot of every input.
    async fn combine(&self, view: &mut ReadView<'_>) -> Result<Vec<(Bytes, f64)>, ExecError> {
        view.consistent().await?;
        let mut sets = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            sets.push(view.scored_members(key).await?.unwrap_or_default());
        }
        if let Some(fault) = &self.fault {
            return Err(fault.clone().into());
        }
        let weighted = sets.into_iter().zip(&self.weights).map(|(members, &weight)| {
            let members = members.into_iter();
            members.map(move |(member, score)| (member, zero_if_nan(score * weight)))
        });
        let mut inputs = weighted.map(Iterator::collect::<HashMap<Bytes, f64>>);
        let first = inputs.next().unwrap_or_default();
        let others: Vec<HashMap<Bytes, f64>> = inputs.collect();
        let mut combined: BTreeMap<Bytes, f64> = match self.operation {
            Operation::Union => {
                let mut all: BTreeMap<Bytes, f64> = first.into_iter().collect();
                for (member, score) in others.into_iter().flatten() {
                    all.entry(member)
                        .and_modify(|total| *total = self.aggregate.apply(*total, score))
                        .or_insert(score);
                }
                all
            }
            Operation::Intersection => first
                .into_iter()
                .filter_map(|(member, score)| {
                    let mut total = score;
                    for other in &others {
                        total = self.aggregate.apply(total, *other.get(&member)?);
                    }
                    Some((member, total))
                })
                .collect(),
            Operation::Difference => first
                .into_iter()
                .filter(|(member, _)| others.iter().all(|other| !other.contains_key(member)))
                .collect(),
        };
        let mut members: Vec<(Bytes, f64)> = std::mem::take(&mut combined).into_iter().collect();
        // Members are in member order already; a stable sort by score keeps ties that way.
        members.sort_by(|(_, a), (_, b)| a.total_cmp(b));
        Ok(members)
    }
}

/// `ZUNION numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]`, `ZINTER` and
/// `ZDIFF numkeys key [key ...] [WITHSCORES]`.
#[derive(Debug)]
pub struct ZCombine {
    inputs: Inputs,
    with_scores: bool,
}

impl ZCombine {
    pub(in crate::cmd) fn parse(args: &mut Args, operation: Operation) -> Result<Self, CmdError> {
        let (inputs, with_scores) = Inputs::parse(args, operation, true)?;
        Ok(Self { inputs, with_scores })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let members = self.inputs.combine(view).await?;
        Ok(scored(members, self.with_scores))
    }
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`,
/// `ZINTERSTORE` and `ZDIFFSTORE`: the destination becomes the result (or goes, if it is
/// empty); the reply is its size.
#[derive(Debug)]
pub struct ZStore {
    destination: Bytes,
    inputs: Inputs,
}

impl ZStore {
    pub(in crate::cmd) fn parse(args: &mut Args, operation: Operation) -> Result<Self, CmdError> {
        let destination = args.key()?;
        let (inputs, _) = Inputs::parse(args, operation, false)?;
        Ok(Self { destination, inputs })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let members = self.inputs.combine(&mut tx.read(now_ms)).await?;
        let size = tx.replace_with_zset(&self.destination, &members, now_ms).await?;
        if size > 0 {
            let event = match self.inputs.operation {
                Operation::Union => "zunionstore",
                Operation::Intersection => "zinterstore",
                Operation::Difference => "zdiffstore",
            };
            tx.notify(EventClass::SortedSet, event, &self.destination);
        }
        Ok(Reply::count(size))
    }
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`: how many members the inputs share,
/// counting no further than a non-zero LIMIT.
#[derive(Debug)]
pub struct ZInterCard {
    inputs: Inputs,
    limit: Option<u64>,
}

impl ZInterCard {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let keys = input_keys(args)?;
        let limit = args.limit_option()?;
        let inputs = Inputs {
            operation: Operation::Intersection,
            weights: vec![1.0; keys.len()],
            keys,
            aggregate: Aggregate::Sum,
            fault: None,
        };
        Ok(Self { inputs, limit })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let shared = self.inputs.combine(view).await?.len() as u64;
        Ok(Reply::count(self.limit.map_or(shared, |limit| shared.min(limit))))
    }
}
