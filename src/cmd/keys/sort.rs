//! `SORT` and `SORT_RO`: a list's, set's or sorted set's elements, sorted by their own
//! value or by other keys (`BY`), paged (`LIMIT`), mapped to other keys (`GET`), and with
//! `STORE` written to a list.

use std::cmp::Ordering;

use bytes::Bytes;

use crate::cmd::Command;
use crate::cmd::args::{Args, parse_float};
use crate::cmd::variants::Mode;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{End, EventClass, KeyType, Order, ReadView, Selection, StoreError, WriteTx};

/// How to sort, and what to answer for each element.
#[derive(Debug)]
struct Sorting {
    key: Bytes,
    /// `BY pattern`; a pattern without `*` (such as `nosort`) keeps the elements' order.
    by: Option<Bytes>,
    limit: Option<(i64, i64)>,
    /// `GET pattern`s; none answers the elements themselves.
    get: Vec<Bytes>,
    descending: bool,
    alpha: bool,
}

/// `SORT_RO`, and `SORT` without `STORE`: answers the sorted elements.
#[derive(Debug)]
pub struct Sort(Sorting);

/// `SORT ... STORE destination`: replaces `destination` with the result as a list.
#[derive(Debug)]
pub struct SortStore {
    sorting: Sorting,
    destination: Bytes,
}

impl Sort {
    /// `SORT` (with `STORE` allowed: then a write) or `SORT_RO`.
    pub(in crate::cmd) fn parse(args: &mut Args, mode: Mode) -> Result<Command, CmdError> {
        let key = args.key()?;
        let mut sorting = Sorting {
            key,
            by: None,
            limit: None,
            get: Vec::new(),
            descending: false,
            alpha: false,
        };
        let mut destination = None;
        while let Some(option) = args.option() {
            match option.as_str() {
                "ASC" => sorting.descending = false,
                "DESC" => sorting.descending = true,
                "ALPHA" => sorting.alpha = true,
                "BY" => sorting.by = Some(args.bytes()?),
                "GET" => sorting.get.push(args.bytes()?),
                "LIMIT" => sorting.limit = Some((args.int()?, args.int()?)),
                "STORE" if mode == Mode::ReadWrite => destination = Some(args.key()?),
                _ => return Err(CmdError::syntax()),
            }
        }
        Ok(match destination {
            None => Sort(sorting).into(),
            Some(destination) => SortStore { sorting, destination }.into(),
        })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let found = self.0.run(view).await?;
        Ok(Reply::Array(found.into_iter().map(Reply::bulk_or_nil).collect()))
    }
}

impl SortStore {
    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let found = self.sorting.run(&mut tx.read(now_ms)).await?;
        // A list holds no nils: a missing GET is stored as an empty string, as in Redis.
        let values: Vec<Bytes> = found.into_iter().map(Option::unwrap_or_default).collect();
        tx.delete(&self.destination, now_ms).await?;
        if !values.is_empty() {
            tx.notify(EventClass::List, "sortstore", &self.destination);
            tx.push_list(&self.destination, &values, End::Tail, false, now_ms)
                .await?;
        }
        Ok(Reply::count(values.len()))
    }
}

impl Sorting {
    async fn run(&self, view: &mut ReadView<'_>) -> Result<Vec<Option<Bytes>>, ExecError> {
        view.consistent().await?;
        let elements = self.elements(view).await?;
        let sorts = self.by.as_ref().is_none_or(|pattern| pattern.contains(&b'*'));
        let elements = match sorts {
            true => self.sorted(elements, view).await?,
            false => elements,
        };
        let (offset, count) = self.limit.unwrap_or((0, -1));
        let offset = offset.max(0) as usize;
        let count = if count < 0 { usize::MAX } else { count as usize };
        let page = elements.into_iter().skip(offset).take(count);
        let mut found = Vec::new();
        for element in page {
            if self.get.is_empty() {
                found.push(Some(element));
                continue;
            }
            for pattern in &self.get {
                found.push(look_up(view, pattern, &element).await?);
            }
        }
        Ok(found)
    }

    async fn elements(&self, view: &mut ReadView<'_>) -> Result<Vec<Bytes>, ExecError> {
        let Some(info) = view.info(&self.key).await? else {
            return Ok(Vec::new());
        };
        Ok(match info.kind {
            KeyType::List => view.list_range(&self.key, 0, -1).await?,
            KeyType::Set => view.set_members(&self.key).await?,
            KeyType::ZSet => {
                let all = Selection::ranks(0, -1, Order::Ascending);
                let members = view.zset_range(&self.key, &all).await?;
                members.into_iter().map(|(member, _)| member).collect()
            }
            KeyType::String | KeyType::Hash | KeyType::Json => return Err(StoreError::WrongType.into()),
        })
    }

    /// Sorts by each element's weight: the element itself, or what `BY` finds for it;
    /// ties by the element, as Redis breaks them.
    async fn sorted(&self, elements: Vec<Bytes>, view: &mut ReadView<'_>) -> Result<Vec<Bytes>, ExecError> {
        let mut weighed = Vec::with_capacity(elements.len());
        for element in elements {
            let weight = match &self.by {
                Some(pattern) => look_up(view, pattern, &element).await?,
                None => Some(element.clone()),
            };
            let weight = match self.alpha {
                true => Weight::Text(weight),
                false => Weight::Number(match weight {
                    None => 0.0,
                    Some(text) => parse_float(text.trim_ascii())
                        .ok_or_else(|| CmdError::new("ERR One or more scores can't be converted into double"))?,
                }),
            };
            weighed.push((weight, element));
        }
        weighed.sort_by(|(a, a_element), (b, b_element)| {
            let order = a.compare(b).then_with(|| a_element.cmp(b_element));
            if self.descending { order.reverse() } else { order }
        });
        Ok(weighed.into_iter().map(|(_, element)| element).collect())
    }
}

#[derive(Debug)]
enum Weight {
    Number(f64),
    /// Missing weights sort first.
    Text(Option<Bytes>),
}

impl Weight {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.total_cmp(b),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// What `pattern` names for `element`: `#` is the element; otherwise its first `*` is
/// replaced by the element, naming a string key, or with `->field` a hash's field. A key of
/// another type, or a pattern without `*`, finds nothing.
async fn look_up(view: &mut ReadView<'_>, pattern: &[u8], element: &Bytes) -> Result<Option<Bytes>, ExecError> {
    if pattern == b"#" {
        return Ok(Some(element.clone()));
    }
    let Some(star) = pattern.iter().position(|&byte| byte == b'*') else {
        return Ok(None);
    };
    let after = &pattern[star + 1..];
    let (rest, field) = match after.windows(2).position(|pair| pair == b"->") {
        Some(arrow) if arrow + 2 < after.len() => (&after[..arrow], Some(&after[arrow + 2..])),
        _ => (after, None),
    };
    let key = [&pattern[..star], element.as_ref(), rest].concat();
    let found = match field {
        Some(field) => view.hash_field(&key, field).await,
        None => view.get(&key).await.map(|entry| entry.map(|entry| entry.value)),
    };
    match found {
        Ok(found) => Ok(found),
        Err(StoreError::WrongType) => Ok(None),
        Err(error) => Err(error.into()),
    }
}
