//! The archive over the memory store: in the database, as the real store's default is (a
//! change stores the documents it names).

use chrono::{DateTime, Utc};

use super::MemoryStore;
use crate::archive::{DocumentArchive, NewDocument};
use crate::storage::StorageError;

impl<Q> DocumentArchive for MemoryStore<Q> {
    fn in_database(&self) -> bool {
        true
    }

    async fn put(&self, document: &NewDocument) -> Result<(), StorageError> {
        self.with(|s| {
            let stored = s.documents.entry(document.sha256.clone());
            stored.or_insert_with(|| document.bytes.clone());
        });
        Ok(())
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.with(|s| s.documents.get(sha256).cloned()))
    }

    async fn stored_before(&self, _: DateTime<Utc>) -> Result<Vec<String>, StorageError> {
        Ok(Vec::new())
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        self.with(|s| s.documents.remove(sha256));
        Ok(())
    }
}
