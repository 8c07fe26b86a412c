//! SQL on lists: elements at consecutive positions under their key's id, so an end is one
//! index seek away and element `i` sits at `head + i`.

use sqlx::Row as _;

use super::keys::key_info;
use super::{Connection, as_sql, limit};
use crate::store::backend::Lists;
use crate::store::lists::Direction;
use crate::store::{KeyInfo, StoreError};

/// Where moved elements wait while positions are renumbered: PostgreSQL checks the primary
/// key row by row, so a renumbering in place could collide with a row not yet moved.
/// Positions stay far below it: each push moves an end by one.
const PARKED: i64 = 1 << 61;

impl Lists for Connection {
    async fn list_bounds(&mut self, key_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
        let (head, tail): (Option<i64>, Option<i64>) =
            sqlx::query_as("select min(position), max(position) from list_items where key_id = $1")
                .bind(key_id)
                .fetch_one(self.reading())
                .await?;
        Ok(head.zip(tail))
    }

    /// One query for the key and its ends, as every push and pop needs both.
    async fn list_key_and_bounds(
        &mut self,
        key: &[u8],
    ) -> Result<Option<(i64, KeyInfo, Option<(i64, i64)>)>, StoreError> {
        self.lock_key(key).await?;
        let row = sqlx::query(
            "select k.id, k.type, k.expires_at,
                    (select min(position) from list_items where key_id = k.id) as head,
                    (select max(position) from list_items where key_id = k.id) as tail
             from keys k where k.key = $1",
        )
        .bind(key)
        .fetch_optional(self.reading())
        .await?;
        row.map(|row| {
            let head: Option<i64> = row.try_get("head")?;
            let tail: Option<i64> = row.try_get("tail")?;
            Ok((row.try_get("id")?, key_info(&row)?, head.zip(tail)))
        })
        .transpose()
    }

    async fn insert_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<(), StoreError> {
        sqlx::query("insert into list_items (key_id, position, value) values ($1, $2, $3)")
            .bind(key_id)
            .bind(position)
            .bind(value)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "select value from list_items where key_id = $1 and position between $2 and $3 order by position",
        )
        .bind(key_id)
        .bind(first)
        .bind(last)
        .fetch_all(self.reading())
        .await?)
    }

    async fn take_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as(
            "delete from list_items where key_id = $1 and position between $2 and $3 returning position, value",
        )
        .bind(key_id)
        .bind(first)
        .bind(last)
        .fetch_all(self.writing().await?)
        .await?)
    }

    async fn keep_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<(), StoreError> {
        sqlx::query("delete from list_items where key_id = $1 and (position < $2 or position > $3)")
            .bind(key_id)
            .bind(first)
            .bind(last)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn replace_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<bool, StoreError> {
        let replaced = sqlx::query("update list_items set value = $1 where key_id = $2 and position = $3")
            .bind(value)
            .bind(key_id)
            .bind(position)
            .execute(self.writing().await?)
            .await?;
        Ok(replaced.rows_affected() > 0)
    }

    async fn find_list_items(
        &mut self,
        key_id: i64,
        value: &[u8],
        (first, last): (i64, i64),
        direction: Direction,
        skip: u64,
        limit: Option<u64>,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = match direction {
            Direction::FromHead => {
                "select position from list_items where key_id = $1 and value = $2 and position between $3 and $4
                 order by position limit $5 offset $6"
            }
            Direction::FromTail => {
                "select position from list_items where key_id = $1 and value = $2 and position between $3 and $4
                 order by position desc limit $5 offset $6"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(key_id)
            .bind(value)
            .bind(first)
            .bind(last)
            .bind(self::limit(limit))
            .bind(as_sql(skip))
            .fetch_all(self.reading())
            .await?)
    }

    async fn delete_list_items(
        &mut self,
        key_id: i64,
        value: &[u8],
        direction: Direction,
        limit: Option<u64>,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = match direction {
            Direction::FromHead => {
                "delete from list_items where key_id = $1 and position in (
                     select position from list_items where key_id = $1 and value = $2 order by position limit $3)
                 returning position"
            }
            Direction::FromTail => {
                "delete from list_items where key_id = $1 and position in (
                     select position from list_items where key_id = $1 and value = $2 order by position desc limit $3)
                 returning position"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(key_id)
            .bind(value)
            .bind(self::limit(limit))
            .fetch_all(self.writing().await?)
            .await?)
    }

    async fn renumber_list_items(&mut self, key_id: i64, after: i64, first: i64) -> Result<(), StoreError> {
        let conn = self.writing().await?;
        sqlx::query("update list_items set position = position + $3 where key_id = $1 and position > $2")
            .bind(key_id)
            .bind(after)
            .bind(PARKED)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "update list_items set position = renumbered.position
             from (select position as parked_at, $2 - 1 + row_number() over (order by position) as position
                   from list_items where key_id = $1 and position > $3) as renumbered
             where list_items.key_id = $1 and list_items.position = renumbered.parked_at",
        )
        .bind(key_id)
        .bind(first)
        .bind(PARKED / 2)
        .execute(conn)
        .await?;
        Ok(())
    }
}
