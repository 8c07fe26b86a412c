//! Redis Functions' libraries, kept in the database beside the keys (FUNCTION LOAD, DELETE,
//! FLUSH, RESTORE write them in the writer's transaction, with the commands around them).

use bytes::Bytes;

use super::backend::Functions;
use super::{ReadView, StoreError, WriteTx};

impl ReadView<'_> {
    /// Every library's code, by name.
    pub async fn function_libraries(&mut self) -> Result<Vec<Bytes>, StoreError> {
        let codes = self.conn().await?.function_libraries().await?;
        Ok(codes.into_iter().map(Bytes::from).collect())
    }
}

impl WriteTx<'_> {
    /// Stores a library's code under its name, replacing one of that name.
    pub async fn put_function_library(&mut self, name: &str, code: &[u8]) -> Result<(), StoreError> {
        self.unchanging().put_function_library(name, code).await
    }

    /// Deletes the library `name`; whether there was one.
    pub async fn delete_function_library(&mut self, name: &str) -> Result<bool, StoreError> {
        self.unchanging().delete_function_library(name).await
    }

    /// Deletes every library.
    pub async fn delete_function_libraries(&mut self) -> Result<(), StoreError> {
        self.unchanging().delete_function_libraries().await
    }
}
