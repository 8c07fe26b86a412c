//! Elements drawn at random from a collection (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP),
//! uniformly: the same SQL over each element table.
//!
//! Elements carry a `seq`, unique within their key, with gaps where elements were deleted.
//! A draw picks a random `seq` between the key's first and last and takes the element there,
//! trying again on a gap: each live element is equally likely, however the gaps lie, at a
//! cost of a few index lookups, not of the collection's size. Where gaps are so many that the
//! tries run out, or a distinct draw asks for about half the collection or more, the draw
//! reads the collection instead, as Redis does in those cases: still uniform, at O(n).

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Row, params};

use super::Connection;
use crate::store::hashes::Draw;

/// A collection's element table: its name, the columns a draw answers, and the condition an
/// element must meet to be live at `?3` (now, in unix milliseconds).
pub(super) struct Elements {
    table: &'static str,
    columns: &'static str,
    live: &'static str,
}

pub(super) const HASH_FIELDS: Elements = Elements {
    table: "hash_fields",
    columns: "field, value",
    live: "(expires_at is null or expires_at > ?3)",
};

// Set and sorted-set members never expire on their own; the condition names `?3` only so
// every table binds alike.
pub(super) const SET_MEMBERS: Elements = Elements {
    table: "set_members",
    columns: "member",
    live: "?3 is not null",
};

pub(super) const ZSET_MEMBERS: Elements = Elements {
    table: "zset_members",
    columns: "member, score",
    live: "?3 is not null",
};

/// Random `seq`s tried for one element before the draw reads the collection instead.
pub(super) const TRIES_PER_ELEMENT: u64 = 16;

/// Elements drawn as `draw` asks, each row read by `read`: all different, in random order;
/// or each on its own, so one may come more than once.
pub(super) fn draw<T>(
    conn: &Connection,
    elements: &Elements,
    key_id: i64,
    draw: Draw,
    now_ms: i64,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let Elements { table, columns, live } = elements;
    let mut sampler = Sampler {
        conn,
        elements,
        key_id,
        now_ms,
        read,
        // Written once per draw: a draw may look up thousands of elements.
        at_sql: format!("select {columns} from {table} where key_id = ?1 and seq = ?2 and {live}"),
        nth_sql: format!("select {columns} from {table} where key_id = ?1 and {live} order by seq limit 1 offset ?2"),
    };
    let Some(seqs) = sampler.seq_bounds()? else {
        return Ok(Vec::new());
    };
    match draw {
        Draw::Distinct(count) => sampler.distinct(count, seqs),
        Draw::Repeating(picks) => sampler.repeating(picks, seqs),
    }
}

struct Sampler<'c, R> {
    conn: &'c Connection,
    elements: &'c Elements,
    key_id: i64,
    now_ms: i64,
    read: R,
    /// The statements of [`Sampler::at`] and [`Sampler::nth`].
    at_sql: String,
    nth_sql: String,
}

impl<T, R: FnMut(&Row<'_>) -> rusqlite::Result<T>> Sampler<'_, R> {
    /// Up to `count` different elements. A sample by tries is uniform: each try is, and a
    /// repeat is tried again.
    fn distinct(&mut self, count: u64, seqs: (i64, i64)) -> rusqlite::Result<Vec<T>> {
        let span = seqs.1.abs_diff(seqs.0) + 1;
        if count.saturating_mul(2) >= span {
            return self.shuffled(count);
        }
        let mut taken = HashSet::new();
        let mut drawn = Vec::new();
        for _ in 0..count.saturating_mul(TRIES_PER_ELEMENT) {
            if drawn.len() as u64 == count {
                return Ok(drawn);
            }
            let seq = fastrand::i64(seqs.0..=seqs.1);
            if taken.contains(&seq) {
                continue;
            }
            if let Some(element) = self.at(seq)? {
                taken.insert(seq);
                drawn.push(element);
            }
        }
        match drawn.len() as u64 == count {
            true => Ok(drawn),
            // Mostly gaps, or fewer live elements than asked for.
            false => self.shuffled(count),
        }
    }

    /// `picks` elements, each drawn on its own.
    fn repeating(&mut self, picks: u64, seqs: (i64, i64)) -> rusqlite::Result<Vec<T>> {
        let mut live = None;
        let mut drawn = Vec::new();
        for _ in 0..picks {
            let tried = (0..TRIES_PER_ELEMENT).find_map(|_| self.at(fastrand::i64(seqs.0..=seqs.1)).transpose());
            let element = match tried {
                Some(element) => element?,
                None => {
                    let live = match live {
                        Some(live) => live,
                        None => *live.insert(self.live_count()?),
                    };
                    if live == 0 {
                        return Ok(Vec::new());
                    }
                    self.nth(fastrand::u64(0..live))?
                }
            };
            drawn.push(element);
        }
        Ok(drawn)
    }

    /// The first and last `seq` of the key's elements, live or not; none for no elements.
    fn seq_bounds(&self) -> rusqlite::Result<Option<(i64, i64)>> {
        let Elements { table, .. } = self.elements;
        let sql = format!("select min(seq), max(seq) from {table} where key_id = ?1");
        let bounds: (Option<i64>, Option<i64>) = self
            .conn
            .prepare(&sql)?
            .query_row([self.key_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(bounds.0.zip(bounds.1))
    }

    /// The live element at `seq`, if there is one.
    fn at(&mut self, seq: i64) -> rusqlite::Result<Option<T>> {
        let mut statement = self.conn.prepare(&self.at_sql)?;
        statement
            .query_row(params![self.key_id, seq, self.now_ms], &mut self.read)
            .optional()
    }

    /// The live element at `index`, in `seq` order.
    fn nth(&mut self, index: u64) -> rusqlite::Result<T> {
        let mut statement = self.conn.prepare(&self.nth_sql)?;
        let index = i64::try_from(index).unwrap_or(i64::MAX);
        statement.query_row(params![self.key_id, index, self.now_ms], &mut self.read)
    }

    fn live_count(&self) -> rusqlite::Result<u64> {
        let Elements { table, live, .. } = self.elements;
        let sql = format!("select count(*) from {table} where key_id = ?1 and {live}");
        let mut statement = self.conn.prepare(&sql)?;
        let count: i64 = statement.query_row(params![self.key_id, 0, self.now_ms], |row| row.get(0))?;
        Ok(count.unsigned_abs())
    }

    /// Up to `count` different live elements, read from the whole collection.
    fn shuffled(&mut self, count: u64) -> rusqlite::Result<Vec<T>> {
        let Elements { table, columns, live } = self.elements;
        let sql = format!("select {columns} from {table} where key_id = ?1 and {live} order by random() limit ?2");
        let mut statement = self.conn.prepare(&sql)?;
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![self.key_id, count, self.now_ms], &mut self.read)?;
        rows.collect()
    }
}
