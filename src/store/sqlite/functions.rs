//! SQL on Redis Functions' libraries: one row per library.

use rusqlite::params;

use super::Connection;
use crate::store::StoreError;
use crate::store::backend::Functions;

impl Functions for Connection {
    async fn function_libraries(&mut self) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut statement = self.prepare("select code from function_libraries order by name")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    async fn put_function_library(&mut self, name: &str, code: &[u8]) -> Result<(), StoreError> {
        let mut statement = self.prepare("insert or replace into function_libraries (name, code) values (?1, ?2)")?;
        statement.execute(params![name, code])?;
        Ok(())
    }

    async fn delete_function_library(&mut self, name: &str) -> Result<bool, StoreError> {
        let mut statement = self.prepare("delete from function_libraries where name = ?1")?;
        Ok(statement.execute([name])? > 0)
    }

    /// Scripts are the server's own, as in Redis: none is kept.
    async fn put_script(&mut self, _sha1: &str, _body: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }

    async fn script_body(&mut self, _sha1: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }

    async fn delete_scripts(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn delete_function_libraries(&mut self) -> Result<(), StoreError> {
        self.prepare("delete from function_libraries")?.execute([])?;
        Ok(())
    }
}
