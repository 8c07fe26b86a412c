//! SQL on Redis Functions' libraries: one row per library.

use super::Connection;
use crate::store::StoreError;
use crate::store::backend::Functions;

impl Functions for Connection {
    async fn function_libraries(&mut self) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar("select code from function_libraries order by name")
            .fetch_all(self.reading())
            .await?)
    }

    async fn put_function_library(&mut self, name: &str, code: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "insert into function_libraries (name, code) values ($1, $2)
             on conflict (name) do update set code = excluded.code",
        )
        .bind(name)
        .bind(code)
        .execute(self.writing().await?)
        .await?;
        Ok(())
    }

    async fn delete_function_library(&mut self, name: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("delete from function_libraries where name = $1")
            .bind(name)
            .execute(self.writing().await?)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn put_script(&mut self, sha1: &str, body: &[u8]) -> Result<(), StoreError> {
        sqlx::query("insert into scripts (sha1, body) values ($1, $2) on conflict (sha1) do nothing")
            .bind(sha1)
            .bind(body)
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn script_body(&mut self, sha1: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar("select body from scripts where sha1 = $1")
            .bind(sha1)
            .fetch_optional(self.reading())
            .await?)
    }

    async fn delete_scripts(&mut self) -> Result<(), StoreError> {
        sqlx::query("delete from scripts")
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }

    async fn delete_function_libraries(&mut self) -> Result<(), StoreError> {
        sqlx::query("delete from function_libraries")
            .execute(self.writing().await?)
            .await?;
        Ok(())
    }
}
