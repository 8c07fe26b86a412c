//! The blocking pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and
//! BZMPOP. Each pops from the first of its keys that has something; when none has, it
//! waits for a write through any door to fill one (served by the writer, see
//! `store::blocked`), for its timeout, or for its client to give up.
//!
//! Run inside a transaction (MULTI, `/multi-exec`) they never wait, as in Redis: they pop
//! what is there, or answer as if their timeout had passed.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::oneshot;

use super::Engine;
use super::args::{Args, parse_float};
use super::lists::{move_element, parse_end, pop_event};
use super::zsets::{parse_min_or_max, pop_members};
use crate::clock::Clock;
use crate::reply;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{BoxFuture, Claims, End, EventClass, Order, Parked, Served, StoreError, Waiter, WriteJob, WriteTx};

/// A blocking pop: what to pop, from which keys, and how long to wait.
#[derive(Debug)]
pub struct BlockingPop {
    keys: Vec<Bytes>,
    pop: Pop,
    /// `None`: wait for ever (a timeout of 0).
    timeout: Option<Duration>,
}

#[derive(Debug)]
enum Pop {
    /// BLPOP, BRPOP: `[key, element]`.
    Element(End),
    /// BLMPOP: `[key, [element, ...]]`.
    Elements { end: End, count: u64 },
    /// BLMOVE, BRPOPLPUSH: the element, pushed onto `to`.
    Move { to: Bytes, from: End, onto: End },
    /// BZPOPMIN, BZPOPMAX: `[key, member, score]`.
    Member(Order),
    /// BZMPOP: `[key, [[member, score], ...]]`.
    Members { order: Order, count: u64 },
}

/// Why a blocked command stopped waiting before it was served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interrupt {
    /// Its timeout passed, or CLIENT UNBLOCK ... TIMEOUT: it answers as a timeout does.
    TimedOut,
    /// CLIENT UNBLOCK ... ERROR.
    Unblocked,
    /// The server is shutting down.
    ShuttingDown,
    /// The client went away: there is no one to answer.
    ClientGone,
}

impl BlockingPop {
    /// `BLPOP key [key ...] timeout`, `BRPOP`, `BZPOPMIN` and `BZPOPMAX`: the timeout last.
    fn parse_keys_then_timeout(args: &mut Args, pop: Pop) -> Result<Self, CmdError> {
        let mut keys = args.keys()?;
        let timeout = keys.pop().ok_or_else(|| CmdError::wrong_arity(args.name()))?;
        Ok(Self {
            keys,
            pop,
            timeout: parse_timeout(&timeout)?,
        })
    }

    pub(super) fn parse_pop(args: &mut Args, end: End) -> Result<Self, CmdError> {
        Self::parse_keys_then_timeout(args, Pop::Element(end))
    }

    pub(super) fn parse_zpop(args: &mut Args, order: Order) -> Result<Self, CmdError> {
        Self::parse_keys_then_timeout(args, Pop::Member(order))
    }

    /// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`.
    pub(super) fn parse_move(args: &mut Args) -> Result<Self, CmdError> {
        let (from_key, to) = (args.key()?, args.key()?);
        let (from, onto) = (parse_end(args)?, parse_end(args)?);
        let timeout = parse_timeout(&args.bytes()?)?;
        Ok(Self {
            keys: vec![from_key],
            pop: Pop::Move { to, from, onto },
            timeout,
        })
    }

    /// `BRPOPLPUSH source destination timeout`.
    pub(super) fn parse_rpoplpush(args: &mut Args) -> Result<Self, CmdError> {
        let (from_key, to) = (args.key()?, args.key()?);
        let timeout = parse_timeout(&args.bytes()?)?;
        Ok(Self {
            keys: vec![from_key],
            pop: Pop::Move {
                to,
                from: End::Tail,
                onto: End::Head,
            },
            timeout,
        })
    }

    /// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
    pub(super) fn parse_lmpop(args: &mut Args) -> Result<Self, CmdError> {
        let timeout = parse_timeout(&args.bytes()?)?;
        let keys = args.numbered_keys(CmdError::syntax)?;
        let end = parse_end(args)?;
        Ok(Self {
            keys,
            pop: Pop::Elements {
                end,
                count: args.count_option()?,
            },
            timeout,
        })
    }

    /// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`.
    pub(super) fn parse_zmpop(args: &mut Args) -> Result<Self, CmdError> {
        let timeout = parse_timeout(&args.bytes()?)?;
        let keys = args.numbered_keys(CmdError::syntax)?;
        let order = parse_min_or_max(args)?;
        Ok(Self {
            keys,
            pop: Pop::Members {
                order,
                count: args.count_option()?,
            },
            timeout,
        })
    }

    /// Pops from the first key that has something, without waiting: inside a transaction.
    pub(super) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        Ok(self.pop_any(tx, now_ms).await?.unwrap_or_else(|| self.nothing()))
    }

    async fn pop_any(&self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Option<Reply>, ExecError> {
        for key in &self.keys {
            if let Some(reply) = self.pop_from(tx, key, now_ms).await? {
                return Ok(Some(reply));
            }
        }
        Ok(None)
    }

    /// Pops from `key` if it has something: the reply, or `None`.
    async fn pop_from(&self, tx: &mut WriteTx<'_>, key: &Bytes, now_ms: i64) -> Result<Option<Reply>, ExecError> {
        let with_key = |reply: Reply| Reply::Array(vec![Reply::Bulk(key.clone()), reply]);
        Ok(match &self.pop {
            Pop::Element(end) => pop_elements(tx, key, *end, 1, now_ms).await?.map(|mut popped| {
                let element = Reply::Bulk(popped.swap_remove(0));
                Reply::Array(vec![Reply::Bulk(key.clone()), element])
            }),
            Pop::Elements { end, count } => pop_elements(tx, key, *end, *count, now_ms)
                .await?
                .map(|popped| with_key(Reply::array_of_bulks(popped))),
            Pop::Move { to, from, onto } => move_element(tx, (key, *from), (to, *onto), now_ms)
                .await?
                .map(Reply::Bulk),
            Pop::Member(order) => pop_members(tx, key, *order, 1, now_ms).await?.map(|mut popped| {
                let (member, score) = popped.swap_remove(0);
                Reply::Array(vec![
                    Reply::Bulk(key.clone()),
                    Reply::Bulk(member),
                    Reply::Double(score),
                ])
            }),
            Pop::Members { order, count } => pop_members(tx, key, *order, *count, now_ms).await?.map(|popped| {
                let pairs = popped
                    .into_iter()
                    .map(|(member, score)| Reply::Array(vec![Reply::Bulk(member), Reply::Double(score)]));
                with_key(Reply::Array(pairs.collect()))
            }),
        })
    }

    /// The reply when nothing came: a null, or a null array where an array was due.
    fn nothing(&self) -> Reply {
        match self.pop {
            Pop::Move { .. } => Reply::Nil,
            _ => Reply::NilArray,
        }
    }

    /// The keys a pop may write besides those it waits on.
    fn destination(&self) -> Option<&Bytes> {
        match &self.pop {
            Pop::Move { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// Pops up to `count` elements from `end` of the list `key`, with the pop's event.
async fn pop_elements(
    tx: &mut WriteTx<'_>,
    key: &[u8],
    end: End,
    count: u64,
    now_ms: i64,
) -> Result<Option<Vec<Bytes>>, ExecError> {
    let popped = tx.pop_list(key, end, count, now_ms).await?;
    if popped.is_some() {
        tx.notify(EventClass::List, pop_event(end), key);
    }
    Ok(popped)
}

/// A timeout in seconds, as Redis reads one: a float, at millisecond precision; 0 waits
/// for ever.
fn parse_timeout(text: &[u8]) -> Result<Option<Duration>, CmdError> {
    let seconds = parse_float(text).ok_or_else(|| CmdError::new("ERR timeout is not a float or out of range"))?;
    let millis = (seconds * 1000.0) as i64;
    match millis {
        ..0 => Err(CmdError::new("ERR timeout is negative")),
        0 => Ok(None),
        // Redis adds the timeout to the time now: past a clock's range, it refuses it.
        _ if seconds.is_infinite() || millis > i64::MAX / 2 => Err(CmdError::new("ERR timeout is out of range")),
        _ => Ok(Some(Duration::from_millis(millis as u64))),
    }
}

impl Engine {
    /// Runs a blocking pop: pops at once if a key has something, or waits until a write
    /// fills one, `wait` passes (`None`: for ever), `interrupt` resolves or the server
    /// shuts down. If the future is dropped while waiting (the client went away), nothing
    /// is popped for it.
    pub(super) async fn block(
        &self,
        pop: BlockingPop,
        limit: Option<Duration>,
        interrupt: impl Future<Output = Interrupt>,
    ) -> Result<Reply, StoreError> {
        let wait = match (pop.timeout, limit) {
            (Some(timeout), Some(limit)) => Some(timeout.min(limit)),
            (timeout, limit) => timeout.or(limit),
        };
        let nothing = pop.nothing();
        let (reply, mut served) = oneshot::channel();
        let waiting = Waiting {
            pop,
            clock: Arc::clone(&self.clock),
            served: None,
            reply,
        };
        let first_try = FirstTry {
            now_ms: self.now_ms(),
            waiting: Some(waiting),
        };
        let parked = match self.store.write(first_try).await? {
            Tried::Popped(reply) => return reply::settle(reply),
            Tried::Parked(parked) => parked,
        };
        let mut on_drop = UnparkOnDrop {
            engine: self,
            parked: Some(parked),
        };
        let deadline = async {
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending().await,
            }
        };
        let stopped = tokio::select! {
            result = &mut served => {
                on_drop.parked = None;
                return result.unwrap_or(Err(StoreError::Closed));
            }
            () = deadline => Interrupt::TimedOut,
            interrupt = interrupt => interrupt,
            () = self.broker.closing() => Interrupt::ShuttingDown,
        };
        on_drop.parked = None;
        if let Err(error) = self.store.unpark(parked).await {
            // The waiter is gone either way: with the writer, or by the job that failed.
            tracing::warn!(error = ?error, "unparking a blocked client failed");
        }
        // Served before the unpark ran: the pop stands, and is answered.
        if let Ok(result) = served.await {
            return result;
        }
        Ok(match stopped {
            Interrupt::TimedOut | Interrupt::ClientGone => nothing,
            Interrupt::Unblocked => Reply::Error(CmdError::new("UNBLOCKED client unblocked via CLIENT UNBLOCK")),
            Interrupt::ShuttingDown => Reply::Error(CmdError::new("UNBLOCKED the server is shutting down")),
        })
    }
}

/// Unparks a waiter whose client stopped waiting by going away (the future was dropped).
struct UnparkOnDrop<'a> {
    engine: &'a Engine,
    parked: Option<Parked>,
}

impl Drop for UnparkOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(parked) = self.parked.take() {
            self.engine.store.unpark_soon(parked);
        }
    }
}

/// The first look: pops at once, or parks the waiter in the same job, so no write comes
/// between finding the keys empty and waiting on them.
struct FirstTry {
    now_ms: i64,
    waiting: Option<Waiting>,
}

enum Tried {
    Popped(Result<Reply, ExecError>),
    Parked(Parked),
}

impl WriteJob for FirstTry {
    type Output = Tried;

    fn claims(&self) -> Claims {
        let Some(waiting) = &self.waiting else {
            return Claims::default();
        };
        let pop = &waiting.pop;
        Claims::keys(pop.keys.iter().chain(pop.destination()).cloned().collect())
    }

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Tried, StoreError>> {
        Box::pin(async move {
            let waiting = self.waiting.take().expect("a job runs once");
            let popped = waiting.pop.pop_any(tx, self.now_ms).await;
            let popped = match popped {
                Ok(Some(reply)) => Ok(reply),
                Ok(None) => {
                    let keys = waiting.pop.keys.clone();
                    return Ok(Tried::Parked(tx.park(keys, Box::new(waiting))));
                }
                Err(ExecError::Store(error)) => return Err(error),
                Err(error) => Err(error),
            };
            if popped.is_ok() {
                touch_written(tx, &waiting.pop, &waiting.pop.keys);
            }
            Ok(Tried::Popped(popped))
        })
    }
}

/// Tells WATCH (and other blocked clients) of the keys a pop wrote.
fn touch_written(tx: &mut WriteTx<'_>, pop: &BlockingPop, keys: &[Bytes]) {
    keys.iter().chain(pop.destination()).for_each(|key| tx.touch(key));
}

/// A parked blocking pop, served by the writer.
struct Waiting {
    pop: BlockingPop,
    clock: Arc<dyn Clock>,
    /// The reply, once served, until the batch committed.
    served: Option<Reply>,
    reply: oneshot::Sender<Result<Reply, StoreError>>,
}

impl Waiting {
    /// Whether a pop from `key` that failed did so on its destination, not on `key`: a
    /// BLMOVE whose source is a list, moving onto a key of another type. Redis answers that
    /// waiter the error; one whose source holds another type waits on.
    async fn pop_fails_on_destination(&self, tx: &mut WriteTx<'_>, key: &[u8]) -> Result<bool, StoreError> {
        if self.pop.destination().is_none() {
            return Ok(false);
        }
        match tx.read(self.clock.now_ms()).list_len(key).await {
            Ok(_) => Ok(true),
            Err(StoreError::WrongType) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

impl Waiter for Waiting {
    fn serve<'a>(&'a mut self, tx: &'a mut WriteTx<'_>, key: &'a Bytes) -> BoxFuture<'a, Result<Served, StoreError>> {
        Box::pin(async move {
            match self.pop.pop_from(tx, key, self.clock.now_ms()).await {
                Ok(Some(reply)) => {
                    touch_written(tx, &self.pop, std::slice::from_ref(key));
                    self.served = Some(reply);
                    Ok(Served::Yes)
                }
                Ok(None) => Ok(Served::Empty),
                Err(ExecError::Command(error)) => {
                    if self.pop_fails_on_destination(tx, key).await? {
                        self.served = Some(Reply::Error(error));
                        Ok(Served::Refused)
                    } else {
                        Ok(Served::NotThisType)
                    }
                }
                Err(ExecError::Store(error)) => Err(error),
            }
        })
    }

    fn take_pushed(&mut self, tx: &mut WriteTx<'_>, key: &Bytes, list: &mut VecDeque<Bytes>) -> bool {
        let take = |end: End, list: &mut VecDeque<Bytes>| match end {
            End::Head => list.pop_front(),
            End::Tail => list.pop_back(),
        };
        let reply = match self.pop.pop {
            Pop::Element(end) => {
                let Some(element) = take(end, list) else {
                    return false;
                };
                Reply::Array(vec![Reply::Bulk(key.clone()), Reply::Bulk(element)])
            }
            Pop::Elements { end, count } => {
                let taken: Vec<Bytes> = std::iter::from_fn(|| take(end, list)).take(count as usize).collect();
                Reply::Array(vec![Reply::Bulk(key.clone()), Reply::array_of_bulks(taken)])
            }
            Pop::Move { .. } | Pop::Member(_) | Pop::Members { .. } => return false,
        };
        touch_written(tx, &self.pop, std::slice::from_ref(key));
        self.served = Some(reply);
        true
    }

    fn is_abandoned(&self) -> bool {
        self.reply.is_closed()
    }

    fn answer(self: Box<Self>, committed: Result<(), StoreError>) {
        let Self { served, reply, .. } = *self;
        let result = committed.map(|()| served.expect("only a served waiter is answered"));
        let _ = reply.send(result);
    }
}
