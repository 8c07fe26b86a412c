//! The seam between the store and the databases under it: what a backend must provide, one
//! interface per Redis type, and the one place that names every backend.
//!
//! The typed operations (`store/<type>.rs`) call the interfaces below on a [`Conn`], which
//! forwards each call to the backend it holds. A backend lives in a folder of its own beside
//! the store's files (`store/sqlite/`) and implements every interface for its connection.
//! Each interface returns [`StoreError`]s: a backend classifies its own failures. What a
//! backend must provide beyond these interfaces, and the state the store keeps in memory
//! beside it, is written down in `docs/architecture.md`.

use std::path::Path;

use futures_util::future::LocalBoxFuture;
use tokio::sync::oneshot;

use super::hashes::{Draw, FieldRow};
use super::lists::Direction;
use super::zsets::{Order, Range, Selection};
use super::{KeyInfo, KeyType, StoreError, StoreOptions, StringWrite};

// The backends live beside the store's own files, under `store/<backend>/`.
#[path = "sqlite/mod.rs"]
mod sqlite;

/// A key's row: its type and expiry, and its value if it is a string.
pub(super) type Row = (KeyInfo, Option<bytes::Bytes>);

/// A key's type and expiry, with a hash field's value and expiry if it has that field.
pub(super) type FieldOfKey = (KeyInfo, Option<FieldRow>);

/// The savepoints of a batch: a job's, and a script's within a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Savepoint {
    Job,
    Script,
}

/// A read to run on a connection of its own: a future over the connection, which the backend
/// drives on the thread it chooses (it need not be `Send`: a script's reads are not).
pub(super) trait ReadTask<T>: for<'c> FnOnce(Conn<'c>) -> LocalBoxFuture<'c, T> + Send + 'static {}

impl<T, F> ReadTask<T> for F where F: for<'c> FnOnce(Conn<'c>) -> LocalBoxFuture<'c, T> + Send + 'static {}

/// An open database.
#[derive(Clone, Debug)]
pub(super) enum Database {
    Sqlite(sqlite::Database),
}

/// The lock a server holds on its database, so that a second server refuses to start on it.
#[derive(Debug)]
pub(super) enum ServerLock {
    /// Held for what dropping it releases.
    Sqlite { _lock: sqlite::ServerLock },
}

impl ServerLock {
    pub(super) fn acquire(options: &StoreOptions) -> Result<Self, StoreError> {
        let lock = sqlite::ServerLock::acquire(options)?;
        Ok(Self::Sqlite { _lock: lock })
    }
}

/// A connection the store runs statements on: a reader's, or the writer's inside its
/// transaction.
pub(super) enum Conn<'a> {
    Sqlite(&'a mut sqlite::Connection),
}

/// The writer's own connection.
pub(super) enum WriteConnection {
    Sqlite(sqlite::WriteConnection),
}

/// The read connection a [`ReadView`](super::ReadView) holds, taken on its first query.
pub(super) enum Session<'a> {
    Sqlite(sqlite::ReadSession<'a>),
}

impl Database {
    /// Opens (creating it if missing, when `options` allow) and migrates the database named
    /// by `options`. Returns it with the one write connection.
    pub(super) async fn open(options: &StoreOptions) -> Result<(Self, WriteConnection), StoreError> {
        let (database, writer) = sqlite::Database::open(options).await?;
        Ok((Self::Sqlite(database), WriteConnection::Sqlite(writer)))
    }

    /// Writes a consistent copy of the database named by `options` to the new file
    /// `destination`, beside any running server; returns the keys in the copy.
    pub(super) async fn backup(options: &StoreOptions, destination: &Path) -> Result<u64, StoreError> {
        sqlite::backup(options, destination).await
    }

    /// Reads on the caller's own thread, on a connection taken on the first query.
    pub(super) fn session(&self) -> Session<'_> {
        let Self::Sqlite(database) = self;
        Session::Sqlite(database.session())
    }

    /// Runs `job` off the caller's thread, on a read connection of its own (for SQLite, a
    /// reader thread's), and answers what it returns.
    pub(super) async fn read<T: Send + 'static>(&self, job: impl ReadTask<T>) -> Result<T, StoreError> {
        let (answer, answered) = oneshot::channel();
        let Self::Sqlite(database) = self;
        let task = Box::new(move |conn: &mut sqlite::Connection| {
            // A requester that went away needs no answer.
            let _ = answer.send(sqlite::run_ready(job(Conn::Sqlite(conn))));
        });
        database.run_on_reader(task).await?;
        Ok(answered.await?)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        let Self::Sqlite(database) = self;
        database.ping().await
    }

    /// Moves what the write-ahead log holds into the database file, as far as it can now.
    pub(super) async fn save(&self) -> Result<(), StoreError> {
        let Self::Sqlite(database) = self;
        database.save().await
    }

    /// The same, begun now and not waited for.
    pub(super) fn save_soon(&self) -> Result<(), StoreError> {
        let Self::Sqlite(database) = self;
        database.save_soon()
    }

    pub(super) fn file_bytes(&self) -> u64 {
        let Self::Sqlite(database) = self;
        database.file_bytes()
    }

    pub(super) async fn close_readers(&self) {
        let Self::Sqlite(database) = self;
        database.close_readers().await;
    }
}

impl Session<'_> {
    pub(super) async fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        let Self::Sqlite(session) = self;
        Ok(Conn::Sqlite(session.conn().await?))
    }
}

impl WriteConnection {
    pub(super) fn conn(&mut self) -> Conn<'_> {
        let Self::Sqlite(writer) = self;
        Conn::Sqlite(writer.conn())
    }

    /// Starts the batch's transaction, which takes the write lock.
    pub(super) async fn begin(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        writer.begin().await
    }

    /// Commits the batch's transaction: once this returned, every write in it is durable.
    pub(super) async fn commit(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        writer.commit().await
    }

    /// Rolls back the batch's transaction, if one is still open (a failed commit may have
    /// ended it).
    pub(super) async fn rollback(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        writer.rollback().await
    }

    /// Closes the connection, leaving every commit in the database itself.
    pub(super) async fn close(self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        writer.close().await
    }
}

impl Conn<'_> {
    pub(super) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
        }
    }
}

/// Declares interfaces that every backend implements, each method answering a
/// [`StoreError`] on failure, and implements them for [`Conn`] by forwarding each call to the
/// backend the connection belongs to.
macro_rules! interfaces {
    ($(
        $(#[$trait_doc:meta])*
        trait $trait:ident {
            $(
                $(#[$doc:meta])*
                fn $method:ident(&mut self $(, $arg:ident: $ty:ty)* $(,)?) -> $out:ty;
            )*
        }
    )*) => {$(
        $(#[$trait_doc])*
        pub(super) trait $trait {
            $(
                $(#[$doc])*
                async fn $method(&mut self $(, $arg: $ty)*) -> Result<$out, StoreError>;
            )*
        }

        impl $trait for Conn<'_> {
            $(
                async fn $method(&mut self $(, $arg: $ty)*) -> Result<$out, StoreError> {
                    match self {
                        Conn::Sqlite(conn) => $trait::$method(&mut **conn $(, $arg)*).await,
                    }
                }
            )*
        }
    )*};
}

interfaces! {
    /// Keys whatever their type: each key has one row, with its type, its expiry (unix
    /// milliseconds, or none) and an id that never changes while the key lives and is above
    /// every id in use when the key is created (SCAN walks keys by id). A collection's
    /// elements go with its key's row.
    trait Keys {
        /// A key's type and expiry, if it has a row (expired or not).
        fn key_info(&mut self, key: &[u8]) -> Option<KeyInfo>;
        /// A key's id, type and expiry, if it has a row (expired or not).
        fn key_id_and_info(&mut self, key: &[u8]) -> Option<(i64, KeyInfo)>;
        /// The largest id a key has, or 0.
        fn last_key_id(&mut self) -> i64;
        /// Up to `limit` live keys with an id above `after`, by id, with their types.
        fn scan_keys(&mut self, after: i64, limit: u32, now_ms: i64) -> Vec<(i64, Vec<u8>, KeyType)>;
        /// Live keys starting with `prefix`, in key order (bytewise).
        fn keys_with_prefix(&mut self, prefix: &[u8], now_ms: i64) -> Vec<Vec<u8>>;
        /// How many keys are live (a hash whose every field expired is not).
        fn count_live_keys(&mut self, now_ms: i64) -> u64;
        /// How many live keys have an expiry.
        fn count_expiring_keys(&mut self, now_ms: i64) -> u64;
        /// A live key picked at random.
        fn random_key(&mut self, now_ms: i64) -> Option<Vec<u8>>;
        /// Creates a collection key of type `kind` with id `id`, without expiry, as yet empty.
        fn create_collection(&mut self, key: &[u8], id: i64, kind: KeyType) -> ();
        /// Sets or clears (`None`) the expiry of an existing key.
        fn set_key_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> ();
        /// Deletes a key and its elements; returns whether it was live.
        fn delete_key(&mut self, key: &[u8], now_ms: i64) -> bool;
        /// Deletes a key only if it expired by `now_ms`; returns whether it did.
        fn delete_key_if_expired(&mut self, key: &[u8], now_ms: i64) -> bool;
        /// Gives the row of `from` the name `to`, after deleting any key `to` was: the row
        /// keeps its id, elements, value and expiry.
        fn rename_key(&mut self, from: &[u8], to: &[u8]) -> ();
        /// Copies the row of `from`, and a collection's elements, to a new key `to` with id
        /// `to_id`, after deleting any key `to` was.
        fn copy_key(&mut self, from: &[u8], to: &[u8], to_id: i64) -> ();
        /// Deletes every key.
        fn delete_all_keys(&mut self) -> ();
        /// Deletes up to `limit` keys that expired by `now_ms`, oldest expiry first; returns them.
        fn purge_expired_keys(&mut self, now_ms: i64, limit: u32) -> Vec<Vec<u8>>;
        /// Rewrites the one readiness row, `headroom` bytes larger than its minimum.
        fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> ();
    }

    /// Strings, whose value lives in their key's row.
    trait Strings {
        /// A key's row (expired or not), with its value if it is a string.
        fn string_row(&mut self, key: &[u8]) -> Option<Row>;
        /// The expiry of each of `keys` that has a row (expired or not).
        fn string_expiries(&mut self, keys: &[&[u8]]) -> std::collections::HashMap<Vec<u8>, Option<i64>>;
        /// Upserts string writes in order (a later write to a key wins), each replacing a key
        /// of any type; `new_ids[i]` is the id `writes[i]` takes if it creates its key.
        fn put_strings(&mut self, writes: &[&StringWrite], new_ids: &[i64]) -> ();
    }

    /// Hashes: fields by (key id, field), each with a value and its own expiry, and a scan
    /// position given when the field is added.
    trait Hashes {
        /// The key's row and, if it has `field` (expired or not), the field's value and expiry.
        fn hash_field_of_key(&mut self, key: &[u8], field: &[u8]) -> Option<FieldOfKey>;
        /// A live field's value and expiry.
        fn live_hash_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> Option<FieldRow>;
        /// Every live field and its value, in field order.
        fn hash_fields(&mut self, key_id: i64, now_ms: i64) -> Vec<(Vec<u8>, Vec<u8>)>;
        /// Sets a field, clearing any expiry it had; returns whether it is new (it was missing
        /// or had expired).
        fn set_hash_field(&mut self, key_id: i64, field: &[u8], value: &[u8], now_ms: i64) -> bool;
        /// How many live fields the hash has.
        fn count_hash_fields(&mut self, key_id: i64, now_ms: i64) -> u64;
        /// Deletes a field; returns whether it was live (an expired one goes too, uncounted).
        fn delete_hash_field(&mut self, key_id: i64, field: &[u8], now_ms: i64) -> bool;
        /// Up to `count` live fields after scan position `after`, in scan order, with their
        /// positions.
        fn scan_hash_fields(&mut self, key_id: i64, after: i64, count: u32, now_ms: i64) -> Vec<(i64, Vec<u8>, Vec<u8>)>;
        /// Sets or clears (`None`) a field's expiry.
        fn set_hash_field_expiry(&mut self, key_id: i64, field: &[u8], expires_at: Option<i64>) -> ();
        /// Whether the hash `key` has a live field.
        fn hash_has_live_field(&mut self, key: &[u8], now_ms: i64) -> bool;
        /// Deletes up to `limit` fields that expired by `now_ms`, then the hashes they leave
        /// without a live field; returns how many fields and keys went.
        fn purge_expired_hash_fields(&mut self, now_ms: i64, limit: u32) -> (u64, u64);
        /// Live fields drawn at random, with their values (see [`Draw`]).
        fn random_hash_fields(&mut self, key_id: i64, draw: Draw, now_ms: i64) -> Vec<(Vec<u8>, Vec<u8>)>;
    }

    /// Lists: elements at consecutive positions, element `i` at `head + i`.
    trait Lists {
        /// The first and last positions of the list, if it has elements.
        fn list_bounds(&mut self, key_id: i64) -> Option<(i64, i64)>;
        /// The key's id, type and expiry and, if it has elements, its list's bounds.
        fn list_key_and_bounds(&mut self, key: &[u8]) -> Option<(i64, KeyInfo, Option<(i64, i64)>)>;
        fn insert_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> ();
        /// The values from position `first` to `last`, in position order.
        fn list_items(&mut self, key_id: i64, first: i64, last: i64) -> Vec<Vec<u8>>;
        /// Deletes the elements from `first` to `last`, answering them with their positions
        /// (in no particular order).
        fn take_list_items(&mut self, key_id: i64, first: i64, last: i64) -> Vec<(i64, Vec<u8>)>;
        /// Deletes the elements outside positions `first` to `last`.
        fn keep_list_items(&mut self, key_id: i64, first: i64, last: i64) -> ();
        /// Replaces the value at `position`; returns whether there was one.
        fn replace_list_item(&mut self, key_id: i64, position: i64, value: &[u8]) -> bool;
        /// Positions of elements equal to `value` within `span`, walking in `direction`:
        /// `skip` matches passed over, then up to `limit` (all, if `None`).
        fn find_list_items(&mut self, key_id: i64, value: &[u8], span: (i64, i64), direction: Direction, skip: u64, limit: Option<u64>) -> Vec<i64>;
        /// Deletes up to `limit` elements equal to `value` (all, if `None`), the first found
        /// walking in `direction`; returns their positions.
        fn delete_list_items(&mut self, key_id: i64, value: &[u8], direction: Direction, limit: Option<u64>) -> Vec<i64>;
        /// Gives the elements after position `after` consecutive positions from `first` on,
        /// in their order.
        fn renumber_list_items(&mut self, key_id: i64, after: i64, first: i64) -> ();
    }

    /// Sets: members by (key id, member), each with a scan position given when it is added.
    trait Sets {
        fn set_contains(&mut self, key_id: i64, member: &[u8]) -> bool;
        /// Every member, in member order (bytewise).
        fn set_members(&mut self, key_id: i64) -> Vec<Vec<u8>>;
        fn count_set_members(&mut self, key_id: i64) -> u64;
        /// Adds a member; returns whether it is new.
        fn add_set_member(&mut self, key_id: i64, member: &[u8]) -> bool;
        /// Removes a member; returns whether it was there.
        fn remove_set_member(&mut self, key_id: i64, member: &[u8]) -> bool;
        /// Up to `count` members after scan position `after`, in scan order, with positions.
        fn scan_set_members(&mut self, key_id: i64, after: i64, count: u32) -> Vec<(i64, Vec<u8>)>;
        /// The members of the set `first` in every set of `others` (distinct ids), in member
        /// order, at most `limit`: the first set is walked, so it should be the smallest.
        fn set_intersection(&mut self, first: i64, others: &[i64], limit: Option<u64>) -> Vec<Vec<u8>>;
        /// The members of any of the sets `ids`, in member order.
        fn set_union(&mut self, ids: &[i64]) -> Vec<Vec<u8>>;
        /// The members of the set `first` in none of `others`, in member order.
        fn set_difference(&mut self, first: i64, others: &[i64]) -> Vec<Vec<u8>>;
        /// Members drawn at random (see [`Draw`]).
        fn random_set_members(&mut self, key_id: i64, draw: Draw) -> Vec<Vec<u8>>;
    }

    /// Sorted sets: members by (key id, member), ordered by score, ties by member.
    trait ZSets {
        fn zset_score(&mut self, key_id: i64, member: &[u8]) -> Option<f64>;
        fn count_zset_members(&mut self, key_id: i64) -> u64;
        /// Sets a member's score, adding it (at the next scan position) if it is new.
        fn put_zset_member(&mut self, key_id: i64, member: &[u8], score: f64) -> ();
        fn remove_zset_member(&mut self, key_id: i64, member: &[u8]) -> bool;
        /// How many members rank before `member` with `score`, in `order`.
        fn zset_rank(&mut self, key_id: i64, member: &[u8], score: f64, order: Order) -> u64;
        /// How many members a score or member range holds (a rank range: every member).
        fn count_zset_range(&mut self, key_id: i64, range: &Range) -> u64;
        /// The members `selection` picks, with their scores, in its order; a rank range is
        /// its offset and count alone.
        fn zset_range(&mut self, key_id: i64, selection: &Selection) -> Vec<(Vec<u8>, f64)>;
        /// Deletes the members `selection` picks, answering them in its order.
        fn take_zset_range(&mut self, key_id: i64, selection: &Selection) -> Vec<(Vec<u8>, f64)>;
        /// Up to `count` members after scan position `after`, in scan order, with positions.
        fn scan_zset_members(&mut self, key_id: i64, after: i64, count: u32) -> Vec<(i64, Vec<u8>, f64)>;
        /// Members drawn at random, with their scores (see [`Draw`]).
        fn random_zset_members(&mut self, key_id: i64, draw: Draw) -> Vec<(Vec<u8>, f64)>;
    }

    /// Redis Functions' libraries: each one's code under its name.
    trait Functions {
        /// Every library's code, by name.
        fn function_libraries(&mut self) -> Vec<Vec<u8>>;
        /// Stores a library's code under its name, replacing one of that name.
        fn put_function_library(&mut self, name: &str, code: &[u8]) -> ();
        /// Deletes a library; whether there was one.
        fn delete_function_library(&mut self, name: &str) -> bool;
        /// Deletes every library.
        fn delete_function_libraries(&mut self) -> ();
    }

    /// Reads that must see one committed state throughout (a key and its elements, several
    /// keys at once).
    trait Snapshots {
        /// Makes every later query of this read see one committed state, until the read ends.
        fn begin_snapshot(&mut self) -> ();
    }

    /// The writer's transaction, and savepoints inside it, nested: each release or rollback
    /// ends the innermost savepoint, which must be of the name given.
    trait Transactions {
        /// Whether the transaction is still open: a failure may end it (some I/O errors, a
        /// full disk), and then nothing after it may be acknowledged.
        fn in_transaction(&mut self) -> bool;
        /// Marks where a job (or a script within one) starts, so that it can be undone alone.
        fn savepoint(&mut self, name: Savepoint) -> ();
        /// Keeps what was done since the innermost savepoint, which ends.
        fn release(&mut self, name: Savepoint) -> ();
        /// Undoes what was done since the innermost savepoint, and only that; it ends.
        fn roll_back_to(&mut self, name: Savepoint) -> ();
    }
}
