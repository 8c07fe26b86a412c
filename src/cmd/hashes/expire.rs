//! Fields that expire on their own (Redis 7.4): HEXPIRE and its kin, HTTL and its kin,
//! HPERSIST, and HGETDEL, HGETEX and HSETEX, which read or write fields with their expiry.
//! An expired field is gone for every reader; the sweep deletes it, and a hash whose every
//! field expired with it.

use bytes::Bytes;

use crate::cmd::args::{Args, check_length};
use crate::cmd::expiry::{ExpireCondition, Expiry, TimeBase, TimeUnit, deadline, missing_fields, ttl_reply};
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, FieldExpiry, ReadView, WriteTx};

/// `FIELDS numfields field [field ...]` (the word already read when `fields_read`), each
/// field `width` arguments long (HSETEX's are a field and a value).
fn parse_fields(args: &mut Args, fields_read: bool, width: usize) -> Result<Vec<Bytes>, CmdError> {
    if !fields_read && args.option().as_deref() != Some("FIELDS") {
        return Err(missing_fields());
    }
    let count = args.int()?;
    if count <= 0 {
        return Err(CmdError::new("ERR Parameter `numFields` should be greater than 0"));
    }
    if count as u64 * width as u64 != args.remaining() as u64 {
        return Err(CmdError::new(
            "ERR The `numfields` parameter must match the number of arguments",
        ));
    }
    Ok(args.rest())
}

/// The expiry of each of `fields` of the hash `key`, each missing if the hash is.
async fn expiries(view: &mut ReadView<'_>, key: &[u8], fields: &[Bytes]) -> Result<Vec<FieldExpiry>, ExecError> {
    let found = view.hash_field_expiries(key, fields).await?;
    Ok(found.unwrap_or_else(|| vec![FieldExpiry::Missing; fields.len()]))
}

/// A field's expiry as EXPIRE's conditions take a key's: `None` for no expiry.
fn current(expiry: FieldExpiry) -> Option<i64> {
    match expiry {
        FieldExpiry::At(at) => Some(at),
        FieldExpiry::Missing | FieldExpiry::Never => None,
    }
}

/// Fields with the expiry they had, in the order given, each seen as the fields before it
/// left it: a field named twice answers the second time as the first made it.
struct Overlay<I> {
    fields: I,
    changed: Vec<(Bytes, FieldExpiry)>,
}

impl<I: Iterator<Item = (Bytes, FieldExpiry)>> Overlay<I> {
    fn new(fields: I) -> Self {
        Self {
            fields,
            changed: Vec::new(),
        }
    }

    fn next(&mut self) -> Option<(Bytes, FieldExpiry)> {
        let (field, expiry) = self.fields.next()?;
        let changed = self.changed.iter().rev().find(|(name, _)| *name == field);
        let expiry = changed.map_or(expiry, |(_, changed)| *changed);
        Some((field, expiry))
    }

    fn record(&mut self, field: &Bytes, expiry: FieldExpiry) {
        self.changed.push((field.clone(), expiry));
    }
}

fn ints(answers: Vec<i64>) -> Reply {
    Reply::Array(answers.into_iter().map(Reply::Int).collect())
}

/// `HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]`, `HPEXPIRE`,
/// `HEXPIREAT`, `HPEXPIREAT`: per field, 1 if its expiry was set, 0 if the condition failed,
/// 2 if the time was not in the future and the field was deleted, -2 if there is no field.
#[derive(Debug)]
pub struct HExpire {
    key: Bytes,
    time: i64,
    unit: TimeUnit,
    base: TimeBase,
    condition: ExpireCondition,
    fields: Vec<Bytes>,
    command: &'static str,
}

impl HExpire {
    pub(in crate::cmd) fn parse(args: &mut Args, unit: TimeUnit, base: TimeBase) -> Result<Self, CmdError> {
        let key = args.key()?;
        let time = args.int()?;
        let condition = ExpireCondition::parse(args, Some("FIELDS"))?;
        Ok(Self {
            key,
            time,
            unit,
            base,
            condition,
            fields: parse_fields(args, true, 1)?,
            command: args.name(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        if self.time < 0 {
            return Err(CmdError::invalid_expire_time(self.command).into());
        }
        let deadline = deadline(self.time, self.unit, self.base, now_ms, self.command)?;
        let found = expiries(&mut tx.read(now_ms), &self.key, &self.fields).await?;
        let mut fields = Overlay::new(self.fields.into_iter().zip(found));
        let (mut answers, mut expiring, mut deleted) = (Vec::new(), Vec::new(), Vec::new());
        while let Some((field, expiry)) = fields.next() {
            let answer = match expiry {
                FieldExpiry::Missing => -2,
                expiry if !self.condition.allows(current(expiry), deadline) => 0,
                _ if deadline <= now_ms => {
                    fields.record(&field, FieldExpiry::Missing);
                    deleted.push(field);
                    2
                }
                _ => {
                    fields.record(&field, FieldExpiry::At(deadline));
                    expiring.push(field);
                    1
                }
            };
            answers.push(answer);
        }
        tx.set_hash_field_expiry(&self.key, &expiring, Some(deadline), now_ms)
            .await?;
        tx.delete_hash_fields(&self.key, &deleted, now_ms).await?;
        if !expiring.is_empty() {
            tx.notify(EventClass::Hash, "hexpire", &self.key);
        }
        if !deleted.is_empty() {
            tx.notify(EventClass::Hash, "hexpired", &self.key);
        }
        Ok(ints(answers))
    }
}

/// `HTTL key FIELDS numfields field [field ...]`, `HPTTL` (time left), `HEXPIRETIME`,
/// `HPEXPIRETIME` (the unix time): per field, -2 if there is none, -1 if it never expires.
#[derive(Debug)]
pub struct HTtl {
    key: Bytes,
    fields: Vec<Bytes>,
    unit: TimeUnit,
    base: TimeBase,
}

impl HTtl {
    pub(in crate::cmd) fn parse(args: &mut Args, unit: TimeUnit, base: TimeBase) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            fields: parse_fields(args, false, 1)?,
            unit,
            base,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let now_ms = view.now_ms();
        let found = expiries(view, &self.key, &self.fields).await?;
        let answers = found.into_iter().map(|expiry| {
            let expiry = match expiry {
                FieldExpiry::Missing => None,
                FieldExpiry::Never => Some(None),
                FieldExpiry::At(at) => Some(Some(at)),
            };
            ttl_reply(expiry, self.unit, self.base, now_ms)
        });
        Ok(ints(answers.collect()))
    }
}

/// `HPERSIST key FIELDS numfields field [field ...]`: per field, 1 if its expiry was removed,
/// -1 if it had none, -2 if there is no field.
#[derive(Debug)]
pub struct HPersist {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HPersist {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            fields: parse_fields(args, false, 1)?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let found = expiries(&mut tx.read(now_ms), &self.key, &self.fields).await?;
        let mut fields = Overlay::new(self.fields.into_iter().zip(found));
        let (mut answers, mut persisting) = (Vec::new(), Vec::new());
        while let Some((field, expiry)) = fields.next() {
            answers.push(match expiry {
                FieldExpiry::Missing => -2,
                FieldExpiry::Never => -1,
                FieldExpiry::At(_) => {
                    fields.record(&field, FieldExpiry::Never);
                    persisting.push(field);
                    1
                }
            });
        }
        tx.set_hash_field_expiry(&self.key, &persisting, None, now_ms).await?;
        if !persisting.is_empty() {
            tx.notify(EventClass::Hash, "hpersist", &self.key);
        }
        Ok(ints(answers))
    }
}

/// `HGETDEL key FIELDS numfields field [field ...]`: the values (nil for a missing field),
/// and the fields go; the hash goes with its last.
#[derive(Debug)]
pub struct HGetDel {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HGetDel {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            fields: parse_fields(args, false, 1)?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let values = tx.read(now_ms).hash_values(&self.key, &self.fields).await?;
        if tx.delete_hash_fields(&self.key, &self.fields, now_ms).await? > 0 {
            tx.notify(EventClass::Hash, "hdel", &self.key);
        }
        Ok(Reply::Array(values.into_iter().map(Reply::bulk_or_nil).collect()))
    }
}

/// What HGETEX does to the fields it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Touch {
    Nothing,
    Persist,
    Expire(Expiry),
}

/// `HGETEX key [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST] FIELDS numfields
/// field [field ...]`: the values (nil for a missing field), setting or removing their expiry;
/// a time not in the future deletes them.
#[derive(Debug)]
pub struct HGetEx {
    key: Bytes,
    touch: Touch,
    fields: Vec<Bytes>,
}

impl HGetEx {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let mut touch = Touch::Nothing;
        loop {
            match args.option().as_deref() {
                Some("FIELDS") => break,
                Some("PERSIST") if touch == Touch::Nothing => touch = Touch::Persist,
                Some(word) if Expiry::is_unit(word) && touch == Touch::Nothing => {
                    touch = Touch::Expire(Expiry::parse(word, args.int()?, args.name())?);
                }
                Some(_) | None => return Err(missing_fields()),
            }
        }
        Ok(Self {
            key,
            touch,
            fields: parse_fields(args, true, 1)?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let values = tx.read(now_ms).hash_values(&self.key, &self.fields).await?;
        let present: Vec<Bytes> = self
            .fields
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_some())
            .map(|(field, _)| field.clone())
            .collect();
        let event = match self.touch {
            Touch::Nothing => None,
            Touch::Persist => {
                tx.set_hash_field_expiry(&self.key, &present, None, now_ms).await?;
                Some("hpersist")
            }
            Touch::Expire(expiry) => match expiry.resolve(now_ms, None, "hgetex")? {
                Some(at) if at > now_ms => {
                    tx.set_hash_field_expiry(&self.key, &present, Some(at), now_ms).await?;
                    Some("hexpire")
                }
                _ => {
                    tx.delete_hash_fields(&self.key, &present, now_ms).await?;
                    Some("hexpired")
                }
            },
        };
        if let Some(event) = event.filter(|_| !present.is_empty()) {
            tx.notify(EventClass::Hash, event, &self.key);
        }
        Ok(Reply::Array(values.into_iter().map(Reply::bulk_or_nil).collect()))
    }
}

/// Which fields HSETEX's condition asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    Any,
    /// FNX: none of them may exist.
    New,
    /// FXX: all of them must exist.
    Existing,
}

/// `HSETEX key [FNX | FXX] [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL] FIELDS
/// numfields field value [field value ...]`: 1 if the fields were set (with the expiry given,
/// kept, or none), 0 if the condition failed.
#[derive(Debug)]
pub struct HSetEx {
    key: Bytes,
    only: Only,
    expiry: Expiry,
    fields: Vec<(Bytes, Bytes)>,
}

impl HSetEx {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let (mut only, mut expiry) = (Only::Any, None);
        loop {
            match args.option().as_deref() {
                Some("FIELDS") => break,
                Some("FNX") if only == Only::Any => only = Only::New,
                Some("FXX") if only == Only::Any => only = Only::Existing,
                Some("KEEPTTL") if expiry.is_none() => expiry = Some(Expiry::Keep),
                Some(word) if Expiry::is_unit(word) && expiry.is_none() => {
                    expiry = Some(Expiry::parse(word, args.int()?, args.name())?);
                }
                Some(_) | None => return Err(missing_fields()),
            }
        }
        let flat = parse_fields(args, true, 2)?;
        let mut flat = flat.into_iter();
        let mut fields = Vec::new();
        while let (Some(field), Some(value)) = (flat.next(), flat.next()) {
            check_length(value.len(), args.max_value_bytes())?;
            fields.push((field, value));
        }
        Ok(Self {
            key,
            only,
            expiry: expiry.unwrap_or(Expiry::Clear),
            fields,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let names: Vec<Bytes> = self.fields.iter().map(|(field, _)| field.clone()).collect();
        let found = expiries(&mut tx.read(now_ms), &self.key, &names).await?;
        let exists = |expiry: &FieldExpiry| *expiry != FieldExpiry::Missing;
        let allowed = match self.only {
            Only::Any => true,
            Only::New => !found.iter().any(exists),
            Only::Existing => found.iter().all(exists),
        };
        if !allowed {
            return Ok(Reply::Int(0));
        }
        let deadline = self.expiry.resolve(now_ms, None, "hsetex")?;
        if deadline.is_some_and(|at| at <= now_ms) {
            // A time already past leaves none of the fields.
            tx.delete_hash_fields(&self.key, &names, now_ms).await?;
            tx.notify(EventClass::Hash, "hexpired", &self.key);
            return Ok(Reply::Int(1));
        }
        tx.set_hash_fields(&self.key, &self.fields, now_ms).await?;
        tx.notify(EventClass::Hash, "hset", &self.key);
        if deadline.is_some() {
            tx.notify(EventClass::Hash, "hexpire", &self.key);
        }
        if self.expiry == Expiry::Keep {
            for (field, expiry) in names.into_iter().zip(found) {
                if let FieldExpiry::At(at) = expiry {
                    tx.set_hash_field_expiry(&self.key, &[field], Some(at), now_ms).await?;
                }
            }
        } else if deadline.is_some() {
            tx.set_hash_field_expiry(&self.key, &names, deadline, now_ms).await?;
        }
        Ok(Reply::Int(1))
    }
}
