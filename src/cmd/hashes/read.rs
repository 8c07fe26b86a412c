//! Reading hashes: HGET, HMGET, HGETALL, HKEYS, HVALS, HLEN, HEXISTS, HSTRLEN.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::cmd::walk::Walk;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{Draw, ReadView};

/// `HGET key field`.
#[derive(Debug)]
pub struct HGet {
    key: Bytes,
    field: Bytes,
}

impl HGet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            field: args.bytes()?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::bulk_or_nil(view.hash_field(&self.key, &self.field).await?))
    }
}

/// `HMGET key field [field ...]`: nil for each missing field.
#[derive(Debug)]
pub struct HMGet {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HMGet {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        Ok(Self {
            key,
            fields: args.rest(),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let values = view.hash_values(&self.key, &self.fields).await?;
        Ok(Reply::Array(values.into_iter().map(Reply::bulk_or_nil).collect()))
    }
}

/// Which part of each field `HGETALL`, `HKEYS` and `HVALS` answer.
#[derive(Debug, Clone, Copy)]
pub enum Parts {
    FieldsAndValues,
    Fields,
    Values,
}

/// `HGETALL key` (fields and values, flat), `HKEYS key`, `HVALS key`: in field order.
#[derive(Debug)]
pub struct HGetAll {
    key: Bytes,
    parts: Parts,
}

impl HGetAll {
    pub(in crate::cmd) fn parse(args: &mut Args, parts: Parts) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            parts,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let fields = view.hash_fields(&self.key).await?.into_iter();
        Ok(match self.parts {
            Parts::FieldsAndValues => Reply::Map(
                fields
                    .map(|(field, value)| (Reply::Bulk(field), Reply::Bulk(value)))
                    .collect(),
            ),
            Parts::Fields => Reply::array_of_bulks(fields.map(|(field, _)| field)),
            Parts::Values => Reply::array_of_bulks(fields.map(|(_, value)| value)),
        })
    }
}

/// `HLEN key`.
#[derive(Debug)]
pub struct HLen {
    key: Bytes,
}

impl HLen {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { key: args.key()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        Ok(Reply::count(view.hash_len(&self.key).await?))
    }
}

/// `HEXISTS key field`.
#[derive(Debug)]
pub struct HExists {
    field: HGet,
}

impl HExists {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            field: HGet::parse(args)?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let HGet { key, field } = &self.field;
        Ok(Reply::bool(view.hash_field(key, field).await?.is_some()))
    }
}

/// `HSTRLEN key field`: 0 for a missing field.
#[derive(Debug)]
pub struct HStrLen {
    field: HGet,
}

impl HStrLen {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            field: HGet::parse(args)?,
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let HGet { key, field } = &self.field;
        Ok(Reply::count(
            view.hash_field(key, field).await?.map_or(0, |value| value.len()),
        ))
    }
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]`: a step of a walk over the
/// fields, in the order they arrived; the cursor stays valid while fields come and go.
#[derive(Debug)]
pub struct HScan {
    key: Bytes,
    walk: Walk,
    with_values: bool,
}

impl HScan {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let mut with_values = true;
        let walk = Walk::parse(args, |option, _| {
            with_values &= option != "NOVALUES";
            Ok(option == "NOVALUES")
        })?;
        Ok(Self { key, walk, with_values })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let page = view.hash_scan(&self.key, self.walk.cursor, self.walk.count).await?;
        let mut found = Vec::new();
        for (field, value) in page.items {
            if self.walk.keeps(&field) {
                found.push(Reply::Bulk(field));
                if self.with_values {
                    found.push(Reply::Bulk(value));
                }
            }
        }
        Ok(Walk::reply(page.next, found))
    }
}

/// `HRANDFIELD key [count [WITHVALUES]]`: one random field (nil for a missing key); with a
/// count, up to that many different fields, or, for a negative count, that many draws that
/// may repeat.
#[derive(Debug)]
pub struct HRandField {
    key: Bytes,
    /// `None`: one field, as a bulk string rather than an array.
    draw: Option<Draw>,
    with_values: bool,
}

impl HRandField {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let key = args.key()?;
        let drawn = args.random_draw("fields", Some("WITHVALUES"))?;
        Ok(Self {
            key,
            draw: drawn.map(|(draw, _)| draw),
            with_values: drawn.is_some_and(|(_, with_values)| with_values),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let Some(draw) = self.draw else {
            let mut one = view.hash_random(&self.key, Draw::Repeating(1)).await?;
            return Ok(Reply::bulk_or_nil(one.pop().map(|(field, _)| field)));
        };
        let fields = view.hash_random(&self.key, draw).await?.into_iter();
        Ok(match self.with_values {
            true => Reply::Pairs(
                fields
                    .map(|(field, value)| (Reply::Bulk(field), Reply::Bulk(value)))
                    .collect(),
            ),
            false => Reply::array_of_bulks(fields.map(|(field, _)| field)),
        })
    }
}
