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

    /// The body of a script another server sharing the database loaded, by SHA1.
    pub async fn shared_script(&mut self, sha1: &str) -> Result<Option<Bytes>, StoreError> {
        Ok(self.conn().await?.script_body(sha1).await?.map(Bytes::from))
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

    /// Keeps a script for the other servers sharing the database (see
    /// [`ReadView::shared_script`]).
    pub async fn share_script(&mut self, sha1: &str, body: &[u8]) -> Result<(), StoreError> {
        self.unchanging().put_script(sha1, body).await
    }

    /// Forgets the scripts kept for the other servers (SCRIPT FLUSH).
    pub async fn forget_shared_scripts(&mut self) -> Result<(), StoreError> {
        self.unchanging().delete_scripts().await
    }
}
