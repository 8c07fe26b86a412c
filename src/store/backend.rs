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

use bytes::Bytes;

use futures_util::future::LocalBoxFuture;
pub(super) use postgres::Heard;
use sqlx::migrate::MigrateError;
use tokio::sync::{mpsc, oneshot};

use super::hashes::{Draw, FieldRow};
use super::lists::Direction;
use super::writer::Claims;
use super::zsets::{Order, Range, Selection};
use super::{KeyInfo, KeyType, StoreError, StoreOptions, StringWrite};

// The backends live beside the store's own files, under `store/<backend>/`.
#[path = "postgres/mod.rs"]
mod postgres;
#[path = "sqlite/mod.rs"]
mod sqlite;

/// The SQL condition on a row of `keys` for a key that lives at the time bound to `$now`
/// (such as `"?2"` or `"$2"`): not expired, and for a hash, with a field that has not
/// expired: a hash whose every field expired on its own is gone for every reader, before the
/// sweep deletes it. The same for every SQL backend.
macro_rules! live {
    ($now:literal) => {
        concat!(
            "(expires_at is null or expires_at > ",
            $now,
            ") and (type <> 'hash' or exists (
                select 1 from hash_fields where hash_fields.key_id = keys.id
                and (hash_fields.expires_at is null or hash_fields.expires_at > ",
            $now,
            ")))"
        )
    };
}
pub(super) use live;

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

/// The database a URL names: PostgreSQL for `postgres://` and `postgresql://`, SQLite for
/// anything else (`sqlite://`, which its own parser checks).
fn is_postgres(options: &StoreOptions) -> bool {
    let url = options.database_url.to_ascii_lowercase();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// An open database.
#[derive(Clone, Debug)]
pub(super) enum Database {
    Sqlite(sqlite::Database),
    Postgres(postgres::Database),
}

/// The lock a server holds on its database, so that a second server refuses to start on it:
/// a SQLite file's. Servers share a PostgreSQL database.
#[derive(Debug)]
pub(super) enum ServerLock {
    /// Held for what dropping it releases.
    Sqlite {
        _lock: sqlite::ServerLock,
    },
    Shared,
}

impl ServerLock {
    pub(super) async fn acquire(options: &StoreOptions) -> Result<Self, StoreError> {
        Ok(match is_postgres(options) {
            true => Self::Shared,
            false => Self::Sqlite {
                _lock: sqlite::ServerLock::acquire(options)?,
            },
        })
    }
}

/// A connection the store runs statements on: a reader's, or the writer's inside its
/// transaction.
pub(super) enum Conn<'a> {
    Sqlite(&'a mut sqlite::Connection),
    Postgres(&'a mut postgres::Connection),
}

/// The writer's own connection.
pub(super) enum WriteConnection {
    Sqlite(sqlite::WriteConnection),
    Postgres(postgres::WriteConnection),
}

/// The read connection a [`ReadView`](super::ReadView) holds, taken on its first query.
pub(super) enum Session<'a> {
    Sqlite(sqlite::ReadSession<'a>),
    Postgres(postgres::ReadSession<'a>),
}

impl Database {
    /// Opens (creating it if missing, when `options` allow) and migrates the database named
    /// by `options`. Returns it with the one write connection.
    pub(super) async fn open(options: &StoreOptions) -> Result<(Self, WriteConnection), StoreError> {
        if is_postgres(options) {
            let (database, writer) = postgres::Database::open(options).await?;
            return Ok((Self::Postgres(database), WriteConnection::Postgres(writer)));
        }
        let (database, writer) = sqlite::Database::open(options).await?;
        Ok((Self::Sqlite(database), WriteConnection::Sqlite(writer)))
    }

    /// Writes a consistent copy of the database named by `options` to the new file
    /// `destination`, beside any running server; returns the keys in the copy.
    pub(super) async fn backup(options: &StoreOptions, destination: &Path) -> Result<u64, StoreError> {
        match is_postgres(options) {
            true => Err(postgres::backup_refused()),
            false => sqlite::backup(options, destination).await,
        }
    }

    /// Whether other servers may change the database while this one runs (PostgreSQL).
    pub(super) fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Starts hearing what the other servers sharing the database tell: `None` where none
    /// share it.
    pub(super) async fn listen(&self) -> Result<Option<mpsc::UnboundedReceiver<Heard>>, StoreError> {
        match self {
            Self::Sqlite(_) => Ok(None),
            Self::Postgres(database) => Ok(Some(database.listen().await?)),
        }
    }

    /// Tells the servers sharing the database `message`, now.
    pub(super) async fn send(&self, message: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(database) => database.send(message).await,
        }
    }

    /// Reads on the caller's own thread, on a connection taken on the first query.
    pub(super) fn session(&self) -> Session<'_> {
        match self {
            Self::Sqlite(database) => Session::Sqlite(database.session()),
            Self::Postgres(database) => Session::Postgres(database.session()),
        }
    }

    /// Runs `job` off the caller's thread, on a read connection of its own (for SQLite, a
    /// reader thread's), and answers what it returns.
    pub(super) async fn read<T: Send + 'static>(&self, job: impl ReadTask<T>) -> Result<T, StoreError> {
        match self {
            Self::Sqlite(database) => {
                let (answer, answered) = oneshot::channel();
                let task = Box::new(move |conn: &mut sqlite::Connection| {
                    // A requester that went away needs no answer.
                    let _ = answer.send(sqlite::run_ready(job(Conn::Sqlite(conn))));
                });
                database.run_on_reader(task).await?;
                Ok(answered.await?)
            }
            Self::Postgres(database) => database.read(move |conn| job(Conn::Postgres(conn))).await,
        }
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(database) => database.ping().await,
            Self::Postgres(database) => database.ping().await,
        }
    }

    /// Moves what the write-ahead log holds into the database file, as far as it can now.
    /// PostgreSQL's commits are in its own log already, which it checkpoints itself.
    pub(super) async fn save(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(database) => database.save().await,
            Self::Postgres(_) => Ok(()),
        }
    }

    /// The same, begun now and not waited for.
    pub(super) fn save_soon(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(database) => database.save_soon(),
            Self::Postgres(_) => Ok(()),
        }
    }

    /// Bytes the database takes on disk.
    pub(super) async fn database_bytes(&self) -> u64 {
        match self {
            Self::Sqlite(database) => database.file_bytes(),
            Self::Postgres(database) => database.database_bytes().await,
        }
    }

    pub(super) async fn close_readers(&self) {
        match self {
            Self::Sqlite(database) => database.close_readers().await,
            Self::Postgres(database) => database.close().await,
        }
    }
}

impl Session<'_> {
    pub(super) async fn conn(&mut self) -> Result<Conn<'_>, StoreError> {
        Ok(match self {
            Self::Sqlite(session) => Conn::Sqlite(session.conn().await?),
            Self::Postgres(session) => Conn::Postgres(session.conn().await?),
        })
    }
}

impl WriteConnection {
    pub(super) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(writer) => Conn::Sqlite(writer.conn()),
            Self::Postgres(writer) => Conn::Postgres(writer.conn()),
        }
    }

    /// The most requests one batch takes. On PostgreSQL every savepoint that writes is a
    /// subtransaction, and a transaction of more than 64 slows every session of the cluster;
    /// a request takes at most two (a job's, and a script's within it).
    pub(super) fn batch_limit(&self) -> usize {
        match self {
            Self::Sqlite(_) => 512,
            Self::Postgres(_) => 32,
        }
    }

    /// Whether other servers share the database (as [`Database::is_shared`]): then batches
    /// lock the keys they claim ([`WriteConnection::claim`]).
    pub(super) fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Locks what a batch claims, in its transaction: every server locks in one order, so two
    /// batches may wait for each other but never deadlock.
    pub(super) async fn claim(&mut self, claims: &Claims) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(writer) => writer.claim(claims).await,
        }
    }

    /// Tells the servers sharing the database `message` if the batch commits.
    pub(super) async fn send_on_commit(&mut self, message: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(_) => Ok(()),
            Self::Postgres(writer) => writer.send_on_commit(message).await,
        }
    }

    /// Starts the batch's transaction, which takes the write lock.
    pub(super) async fn begin(&mut self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(writer) => writer.begin().await,
            Self::Postgres(writer) => writer.begin().await,
        }
    }

    /// Commits the batch's transaction: once this returned, every write in it is durable.
    pub(super) async fn commit(&mut self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(writer) => writer.commit().await,
            Self::Postgres(writer) => writer.commit().await,
        }
    }

    /// Rolls back the batch's transaction, if one is still open (a failed commit may have
    /// ended it).
    pub(super) async fn rollback(&mut self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(writer) => writer.rollback().await,
            Self::Postgres(writer) => writer.rollback().await,
        }
    }

    /// Closes the connection, leaving every commit in the database itself.
    pub(super) async fn close(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(writer) => writer.close().await,
            Self::Postgres(writer) => writer.close().await,
        }
    }
}

impl Conn<'_> {
    pub(super) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

/// What a backend's failure means to the store: each backend sorts its own errors into these.
pub(super) enum Failure {
    /// A lock was held past its timeout, or no connection was free.
    Busy,
    /// The disk is full.
    Full,
    /// The database takes no writes.
    ReadOnly,
    /// The database is damaged, or not a database at all.
    Corrupt,
    Other,
}

impl Failure {
    pub(super) fn into_error(self, cause: super::Cause) -> StoreError {
        match self {
            Self::Busy => StoreError::Busy(cause),
            Self::Full => StoreError::Full(cause),
            Self::ReadOnly => StoreError::ReadOnly(cause),
            Self::Corrupt => StoreError::Corrupt(cause),
            Self::Other => StoreError::Database(cause),
        }
    }
}

/// A migration's failure, by what it means to whoever started the program.
pub(super) fn migration_failure(error: MigrateError) -> StoreError {
    match error {
        MigrateError::Execute(error) | MigrateError::ExecuteMigration(error, _) => error.into(),
        MigrateError::VersionMissing(version) => StoreError::Refused(format!(
            "the database was written by a newer litekv (its schema has migration {version}, which this \
             release does not know): run that release, or a newer one"
        )),
        other => sqlx::Error::from(other).into(),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if matches!(error, sqlx::Error::PoolClosed) {
            return StoreError::Closed;
        }
        let failure = postgres::failure(&error).unwrap_or_else(|| sqlite::failure(&error));
        failure.into_error(std::sync::Arc::new(error))
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
                        Conn::Postgres(conn) => $trait::$method(&mut **conn $(, $arg)*).await,
                    }
                }
            )*
        }
    )*};
}

interfaces! {
    /// Keys whatever their type: each key has one row, with its type, its expiry (unix
    /// milliseconds, or none) and an id, given by the backend, that never changes while the
    /// key lives and is above every id in use when the key is created (SCAN walks keys by
    /// id). A collection's elements go with its key's row.
    trait Keys {
        /// A key's type and expiry, if it has a row (expired or not).
        fn key_info(&mut self, key: &[u8]) -> Option<KeyInfo>;
        /// A key's id, type and expiry, if it has a row (expired or not).
        fn key_id_and_info(&mut self, key: &[u8]) -> Option<(i64, KeyInfo)>;
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
        /// Creates a collection key of type `kind`, without expiry, as yet empty; returns its id.
        fn create_collection(&mut self, key: &[u8], kind: KeyType) -> i64;
        /// Sets or clears (`None`) the expiry of an existing key.
        fn set_key_expiry(&mut self, key: &[u8], expires_at: Option<i64>) -> ();
        /// Deletes a key and its elements; returns whether it was live.
        fn delete_key(&mut self, key: &[u8], now_ms: i64) -> bool;
        /// Deletes a key only if it expired by `now_ms`; returns whether it did.
        fn delete_key_if_expired(&mut self, key: &[u8], now_ms: i64) -> bool;
        /// Gives the row of `from` the name `to`, after deleting any key `to` was: the row
        /// keeps its id, elements, value and expiry.
        fn rename_key(&mut self, from: &[u8], to: &[u8]) -> ();
        /// Copies the row of `from`, and a collection's elements, to a new key `to` (with an id
        /// of its own), after deleting any key `to` was.
        fn copy_key(&mut self, from: &[u8], to: &[u8]) -> ();
        /// Deletes every key.
        fn delete_all_keys(&mut self) -> ();
        /// Deletes up to `limit` keys that expired by `now_ms`, oldest expiry first; returns them.
        fn purge_expired_keys(&mut self, now_ms: i64, limit: u32) -> Vec<Vec<u8>>;
        /// Rewrites the one readiness row, `headroom` bytes larger than its minimum.
        fn record_readiness(&mut self, now_ms: i64, headroom: u32) -> ();
        /// Each key's version, which every write of it changes, if it has a row: what WATCH
        /// compares where other servers write too. A backend no other server writes to may
        /// answer `None` for every key (the store's own count of writes serves there).
        fn key_versions(&mut self, keys: &[Bytes]) -> Vec<Option<i64>>;
        /// Changes the version of each of `keys` that has a row (see `key_versions`).
        fn bump_key_versions(&mut self, keys: &[Bytes]) -> ();
    }

    /// Strings, whose value lives in their key's row.
    trait Strings {
        /// A key's row (expired or not), with its value if it is a string.
        fn string_row(&mut self, key: &[u8]) -> Option<Row>;
        /// The expiry of each of `keys` that has a row (expired or not).
        fn string_expiries(&mut self, keys: &[&[u8]]) -> std::collections::HashMap<Vec<u8>, Option<i64>>;
        /// Upserts string writes in order (a later write to a key wins), each replacing a key
        /// of any type; a write that creates its key gives it a new id.
        fn put_strings(&mut self, writes: &[&StringWrite]) -> ();
        /// Upserts a JSON document's compact text at `key`, replacing a key of any type; a
        /// write that creates its key gives it a new id.
        fn put_document(&mut self, key: &[u8], document: &[u8], expires_at: Option<i64>) -> ();
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
        /// Keeps a script's body under its SHA1 for the other servers sharing the database
        /// (SCRIPT LOAD there then reaches them); a backend one server owns keeps none, as
        /// scripts are a server's own in Redis.
        fn put_script(&mut self, sha1: &str, body: &[u8]) -> ();
        /// A script kept by `put_script`.
        fn script_body(&mut self, sha1: &str) -> Option<Vec<u8>>;
        /// Forgets every script kept (SCRIPT FLUSH).
        fn delete_scripts(&mut self) -> ();
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
