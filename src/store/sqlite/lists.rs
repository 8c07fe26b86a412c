//! SQL on lists: elements at consecutive positions under their key's id, so an end is one
//! index seek away and element `i` sits at `head + i`.

use sqlx::Row;

use super::Connection;
use super::keys::key_info;
use crate::store::backend::Lists;
use crate::store::lists::Direction;
use crate::store::{KeyInfo, StoreError};

/// Where moved elements wait while positions are renumbered: SQLite checks the primary key
/// row by row, so a renumbering in place could collide with a row not yet moved. Positions
/// stay far below it: each push moves an end by one.
const PARKED: i64 = 1 << 61;

/// The first and last positions of the list, `None` if it has no elements. Two subqueries,
/// as SQLite answers a lone `min` or `max` with one index seek but scans for both at once.
pub(super) async fn bounds(conn: &mut Connection, key_id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let (head, tail): (Option<i64>, Option<i64>) = sqlx::query_as(
        "select (select min(position) from list_items where key_id = ?1),
                (select max(position) from list_items where key_id = ?1)",
    )
    .bind(key_id)
    .fetch_one(conn)
    .await?;
    Ok(head.zip(tail))
}

/// The key's id, type and expiry and, if it has elements, the first and last positions of
/// its list: one query for the key and its ends, as every push and pop needs both.
pub(super) async fn key_and_bounds(
    conn: &mut Connection,
    key: &[u8],
) -> Result<Option<(i64, KeyInfo, Option<(i64, i64)>)>, sqlx::Error> {
    let Some(row) = sqlx::query(
        "select k.id, k.type, k.expires_at,
                (select min(position) from list_items where key_id = k.id),
                (select max(position) from list_items where key_id = k.id)
         from keys k where k.key = ?",
    )
    .bind(key)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let head: Option<i64> = row.try_get(3)?;
    let tail: Option<i64> = row.try_get(4)?;
    Ok(Some((row.try_get(0)?, key_info(&row, 1)?, head.zip(tail))))
}

pub(super) async fn insert(conn: &mut Connection, key_id: i64, position: i64, value: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("insert into list_items (key_id, position, value) values (?, ?, ?)")
        .bind(key_id)
        .bind(position)
        .bind(value)
        .execute(conn)
        .await
        .map(drop)
}

/// The values from position `first` to `last`, in position order.
pub(super) async fn range(
    conn: &mut Connection,
    key_id: i64,
    first: i64,
    last: i64,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("select value from list_items where key_id = ? and position between ? and ? order by position")
        .bind(key_id)
        .bind(first)
        .bind(last)
        .fetch_all(conn)
        .await
}

/// Deletes the elements from position `first` to `last`, answering them with their positions
/// (in no particular order).
pub(super) async fn take(
    conn: &mut Connection,
    key_id: i64,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("delete from list_items where key_id = ? and position between ? and ? returning position, value")
        .bind(key_id)
        .bind(first)
        .bind(last)
        .fetch_all(conn)
        .await
}

/// Deletes the elements outside positions `first` to `last`.
pub(super) async fn keep_only(conn: &mut Connection, key_id: i64, first: i64, last: i64) -> Result<(), sqlx::Error> {
    sqlx::query("delete from list_items where key_id = ? and (position < ? or position > ?)")
        .bind(key_id)
        .bind(first)
        .bind(last)
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces the value at `position`. Returns whether there was one.
pub(super) async fn replace(
    conn: &mut Connection,
    key_id: i64,
    position: i64,
    value: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("update list_items set value = ? where key_id = ? and position = ?")
        .bind(value)
        .bind(key_id)
        .bind(position)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Positions of elements equal to `value` between `first` and `last`, walking in
/// `direction`: `skip` matches passed over, then up to `limit` (all, if `None`).
pub(super) async fn find(
    conn: &mut Connection,
    key_id: i64,
    value: &[u8],
    (first, last): (i64, i64),
    direction: Direction,
    skip: u64,
    limit: Option<u64>,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = match direction {
        Direction::FromHead => {
            "select position from list_items where key_id = ? and value = ? and position between ? and ?
             order by position limit ? offset ?"
        }
        Direction::FromTail => {
            "select position from list_items where key_id = ? and value = ? and position between ? and ?
             order by position desc limit ? offset ?"
        }
    };
    let as_sql = |count: u64| i64::try_from(count).unwrap_or(i64::MAX);
    sqlx::query_scalar(sql)
        .bind(key_id)
        .bind(value)
        .bind(first)
        .bind(last)
        .bind(limit.map_or(-1, as_sql))
        .bind(as_sql(skip))
        .fetch_all(conn)
        .await
}

/// Deletes up to `limit` elements equal to `value` (all, if `None`), the first ones found
/// walking in `direction`. Returns the positions deleted.
pub(super) async fn delete_matching(
    conn: &mut Connection,
    key_id: i64,
    value: &[u8],
    direction: Direction,
    limit: Option<u64>,
) -> Result<Vec<i64>, sqlx::Error> {
    let sql = match direction {
        Direction::FromHead => {
            "delete from list_items where key_id = ?1 and position in (
                 select position from list_items where key_id = ?1 and value = ?2 order by position limit ?3)
             returning position"
        }
        Direction::FromTail => {
            "delete from list_items where key_id = ?1 and position in (
                 select position from list_items where key_id = ?1 and value = ?2 order by position desc limit ?3)
             returning position"
        }
    };
    sqlx::query_scalar(sql)
        .bind(key_id)
        .bind(value)
        .bind(limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX)))
        .fetch_all(conn)
        .await
}

/// Gives the elements after position `after` consecutive positions from `first` on, in
/// their order: closing the gaps a removal left, or opening one for an insertion.
pub(super) async fn renumber_after(
    conn: &mut Connection,
    key_id: i64,
    after: i64,
    first: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("update list_items set position = position + ?3 where key_id = ?1 and position > ?2")
        .bind(key_id)
        .bind(after)
        .bind(PARKED)
        .execute(&mut *conn)
        .await?;
    // The window function makes SQLite compute every new position before it moves a row.
    sqlx::query(
        "update list_items set position = renumbered.position
         from (select position as parked_at, ?2 - 1 + row_number() over (order by position) as position
               from list_items where key_id = ?1 and position > ?3) as renumbered
         where list_items.key_id = ?1 and list_items.position = renumbered.parked_at",
    )
    .bind(key_id)
    .bind(first)
    .bind(PARKED / 2)
    .execute(conn)
    .await
    .map(drop)
}

impl Lists for Connection {
    async fn list_bounds(&mut self, key_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
        Ok(bounds(self, key_id).await?)
    }

    async fn list_key_and_bounds(
        &mut self,
        key: &[u8],
    ) -> Result<Option<(i64, KeyInfo, Option<(i64, i64)>)>, StoreError> {
        Ok(key_and_bounds(self, key).await?)
    }

    async fn insert_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<(), StoreError> {
        Ok(insert(self, key_id, position, value).await?)
    }

    async fn list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(range(self, key_id, first, last).await?)
    }

    async fn take_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(take(self, key_id, first, last).await?)
    }

    async fn keep_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<(), StoreError> {
        Ok(keep_only(self, key_id, first, last).await?)
    }

    async fn replace_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<bool, StoreError> {
        Ok(replace(self, key_id, position, value).await?)
    }

    async fn find_list_items(
        &mut self,
        key_id: i64,
        value: &[u8],
        span: (i64, i64),
        direction: Direction,
        skip: u64,
        limit: Option<u64>,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(find(self, key_id, value, span, direction, skip, limit).await?)
    }

    async fn delete_list_items(
        &mut self,
        key_id: i64,
        value: &[u8],
        direction: Direction,
        limit: Option<u64>,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(delete_matching(self, key_id, value, direction, limit).await?)
    }

    async fn renumber_list_items(&mut self, key_id: i64, after: i64, first: i64) -> Result<(), StoreError> {
        Ok(renumber_after(self, key_id, after, first).await?)
    }
}
