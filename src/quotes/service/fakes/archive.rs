//! The archive over the memory store: in the database, as the real store's default is (a
//! change stores the documents it names); and one outside it ([`MemoryArchive`]), as an object
//! store is.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{FixedClock, MemoryStore, lock};
use crate::archive::{DocumentArchive, NewDocument};
use crate::clock::Clock;
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

/// An archive outside the database, as an object store is: a document is stored by `put`
/// before the change that names it, at the time its clock shows. Clones share it.
#[derive(Clone)]
pub(crate) struct MemoryArchive {
    documents: Arc<Mutex<Stored>>,
    clock: Arc<FixedClock>,
}

/// SHA-256 → the bytes and when they were stored.
type Stored = HashMap<String, (Vec<u8>, DateTime<Utc>)>;

impl MemoryArchive {
    pub fn new(clock: Arc<FixedClock>) -> MemoryArchive {
        MemoryArchive {
            documents: Arc::default(),
            clock,
        }
    }

    /// The hashes stored, sorted.
    pub fn hashes(&self) -> Vec<String> {
        let mut hashes: Vec<String> = lock(&self.documents).keys().cloned().collect();
        hashes.sort();
        hashes
    }
}

impl DocumentArchive for MemoryArchive {
    fn in_database(&self) -> bool {
        false
    }

    async fn put(&self, document: &NewDocument) -> Result<(), StorageError> {
        let at = self.clock.now().at;
        let mut documents = lock(&self.documents);
        let stored = documents.entry(document.sha256.clone());
        stored.or_insert_with(|| (document.bytes.clone(), at));
        Ok(())
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(lock(&self.documents).get(sha256).map(|(b, _)| b.clone()))
    }

    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<String>, StorageError> {
        let documents = lock(&self.documents);
        let old = documents.iter().filter(|(_, (_, at))| *at < before);
        Ok(old.map(|(sha256, _)| sha256.clone()).collect())
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        lock(&self.documents).remove(sha256);
        Ok(())
    }
}
