//! The database engines under the store, each a variant, so that the rest of the store
//! names no engine's types. One engine so far: SQLite, in `sqlite/`.

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;

use super::sqlite;
use super::{KeyInfo, StoreError, StoreOptions};

/// A key's row: its type and expiry, and its value if it is a string.
pub(super) type Row = (KeyInfo, Option<Bytes>);

pub(super) use sqlite::{FieldOfKey, Savepoint};

/// An open database.
#[derive(Clone, Debug)]
pub(super) enum Database {
    Sqlite(sqlite::Database),
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

    pub(super) fn session(&self) -> Session<'_> {
        let Self::Sqlite(database) = self;
        Session::Sqlite(database.session())
    }

    /// Each of `keys` that has a row: its type and expiry, and its value if it is a string.
    pub(super) async fn get_many(&self, keys: &[Bytes]) -> Result<HashMap<Bytes, Row>, StoreError> {
        let Self::Sqlite(database) = self;
        Ok(database.get_many(keys).await?)
    }

    /// Each (key, field) pair whose key has a row: the key's type and expiry, and the field's
    /// value and expiry if it has the field (expired or not).
    pub(super) async fn fields_of_keys(
        &self,
        pairs: &[(Bytes, Bytes)],
    ) -> Result<HashMap<(Bytes, Bytes), FieldOfKey>, StoreError> {
        let Self::Sqlite(database) = self;
        Ok(database.fields_of_keys(pairs).await?)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        let Self::Sqlite(database) = self;
        Ok(database.ping().await?)
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

    /// Makes every later query see one committed state.
    pub(super) async fn snapshot(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(session) = self;
        Ok(session.snapshot().await?)
    }
}

impl WriteConnection {
    pub(super) fn conn(&mut self) -> Conn<'_> {
        let Self::Sqlite(writer) = self;
        Conn::Sqlite(&mut writer.conn)
    }

    /// The largest id a key has, or 0: new keys are numbered after it.
    pub(super) async fn last_key_id(&mut self) -> Result<i64, StoreError> {
        let Self::Sqlite(writer) = self;
        Ok(sqlite::keys::last_id(&mut writer.conn).await?)
    }

    pub(super) async fn begin(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        Ok(sqlite::begin(&mut writer.conn).await?)
    }

    pub(super) async fn commit(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        Ok(sqlite::commit(writer).await?)
    }

    pub(super) async fn rollback(&mut self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        Ok(sqlite::rollback(&mut writer.conn).await?)
    }

    /// Closes the connection, leaving every commit in the database file itself.
    pub(super) async fn close(self) -> Result<(), StoreError> {
        let Self::Sqlite(writer) = self;
        Ok(sqlite::close_writer(writer).await?)
    }
}

impl Conn<'_> {
    /// Marks where a job (or a script within one) starts, so that it can be undone alone.
    pub(super) async fn savepoint(&mut self, name: Savepoint) -> Result<(), StoreError> {
        let Self::Sqlite(conn) = self;
        Ok(sqlite::savepoint(conn, name).await?)
    }

    /// Undoes what the job (or script) did since its savepoint, and only that.
    pub(super) async fn roll_back_to(&mut self, name: Savepoint) -> Result<(), StoreError> {
        let Self::Sqlite(conn) = self;
        Ok(sqlite::roll_back_to(conn, name).await?)
    }
}
