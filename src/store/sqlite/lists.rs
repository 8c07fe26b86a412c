//! SQL on lists: elements at consecutive positions under their key's id, so an end is one
//! index seek away and element `i` sits at `head + i`.

use rusqlite::{OptionalExtension, params};

use super::Connection;
use super::keys::key_info;
use crate::store::backend::Lists;
use crate::store::lists::Direction;
use crate::store::{KeyInfo, StoreError};

/// Where moved elements wait while positions are renumbered: SQLite checks the primary key
/// row by row, so a renumbering in place could collide with a row not yet moved. Positions
/// stay far below it: each push moves an end by one.
const PARKED: i64 = 1 << 61;

/// A count or limit as SQLite binds it: -1 for none.
fn limit(limit: Option<u64>) -> i64 {
    limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX))
}

impl Lists for Connection {
    /// Two subqueries, as SQLite answers a lone `min` or `max` with one index seek but scans
    /// for both at once.
    async fn list_bounds(&mut self, key_id: i64) -> Result<Option<(i64, i64)>, StoreError> {
        let mut statement = self.prepare(
            "select (select min(position) from list_items where key_id = ?1),
                    (select max(position) from list_items where key_id = ?1)",
        )?;
        let (head, tail): (Option<i64>, Option<i64>) =
            statement.query_row([key_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(head.zip(tail))
    }

    /// One query for the key and its ends, as every push and pop needs both.
    async fn list_key_and_bounds(
        &mut self,
        key: &[u8],
    ) -> Result<Option<(i64, KeyInfo, Option<(i64, i64)>)>, StoreError> {
        let mut statement = self.prepare(
            "select k.id, k.type, k.expires_at,
                    (select min(position) from list_items where key_id = k.id),
                    (select max(position) from list_items where key_id = k.id)
             from keys k where k.key = ?1",
        )?;
        let found = statement.query_row([key], |row| {
            let head: Option<i64> = row.get(3)?;
            let tail: Option<i64> = row.get(4)?;
            Ok((row.get(0)?, key_info(row, 1)?, head.zip(tail)))
        });
        Ok(found.optional()?)
    }

    async fn insert_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<(), StoreError> {
        let mut statement = self.prepare("insert into list_items (key_id, position, value) values (?1, ?2, ?3)")?;
        statement.execute(params![key_id, position, value])?;
        Ok(())
    }

    async fn list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut statement = self.prepare(
            "select value from list_items where key_id = ?1 and position between ?2 and ?3 order by position",
        )?;
        let rows = statement.query_map([key_id, first, last], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn take_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut statement = self.prepare(
            "delete from list_items where key_id = ?1 and position between ?2 and ?3 returning position, value",
        )?;
        let rows = statement.query_map([key_id, first, last], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn keep_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Result<(), StoreError> {
        let mut statement =
            self.prepare("delete from list_items where key_id = ?1 and (position < ?2 or position > ?3)")?;
        statement.execute([key_id, first, last])?;
        Ok(())
    }

    async fn replace_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> Result<bool, StoreError> {
        let mut statement = self.prepare("update list_items set value = ?1 where key_id = ?2 and position = ?3")?;
        Ok(statement.execute(params![value, key_id, position])? > 0)
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
                "select position from list_items where key_id = ?1 and value = ?2 and position between ?3 and ?4
                 order by position limit ?5 offset ?6"
            }
            Direction::FromTail => {
                "select position from list_items where key_id = ?1 and value = ?2 and position between ?3 and ?4
                 order by position desc limit ?5 offset ?6"
            }
        };
        let skip = i64::try_from(skip).unwrap_or(i64::MAX);
        let mut statement = self.prepare(sql)?;
        let rows = statement.query_map(params![key_id, value, first, last, self::limit(limit), skip], |row| {
            row.get(0)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        let mut statement = self.prepare(sql)?;
        let rows = statement.query_map(params![key_id, value, self::limit(limit)], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn renumber_list_items(&mut self, key_id: i64, after: i64, first: i64) -> Result<(), StoreError> {
        self.prepare("update list_items set position = position + ?3 where key_id = ?1 and position > ?2")?
            .execute([key_id, after, PARKED])?;
        // The window function makes SQLite compute every new position before it moves a row.
        self.prepare(
            "update list_items set position = renumbered.position
             from (select position as parked_at, ?2 - 1 + row_number() over (order by position) as position
                   from list_items where key_id = ?1 and position > ?3) as renumbered
             where list_items.key_id = ?1 and list_items.position = renumbered.parked_at",
        )?
        .execute([key_id, first, PARKED / 2])?;
        Ok(())
    }
}
