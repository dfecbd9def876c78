//! The archive in an S3-compatible object store (AWS S3, MinIO, moto, ...), through
//! `object_store`.
//!
//! Each document is one object, `PREFIX/SHA256.pdf` (the prefix and the `/` left out when the
//! location has none): the key is the document's hash, so a key is written once and never
//! changes. The `.pdf` is for people browsing the bucket (every archived document is a PDF
//! today); the document's content type is also stored as the object's `Content-Type`. A put is
//! a conditional create (`If-None-Match: *`): when the key exists, the same bytes are there
//! already and the put is done. A read does not check the hash: [`crate::archive::read`] does.
//!
//! Every call is bounded by the location's timeout (30 s unless set): a store that hangs gives
//! [`StorageError::Unavailable`], never a hung request. Transport failures and refusals of the
//! store are `Unavailable`; a hash that is not one (which no document of ours has) is `Data`.
//!
//! TLS for `https://` endpoints is rustls with *ring* as its crypto (installed as the process's
//! default rustls provider when an archive is made): no aws-lc, no OpenSSL.

use crate::storage::BureauId;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode,
    PutOptions, PutPayload, RetryConfig, StaticCredentialProvider,
};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{DocumentArchive, NewDocument};
use crate::storage::StorageError;

mod location;
pub use location::{DEFAULT_TIMEOUT, S3Credentials, S3Location, S3UrlError};

/// The ending of every object's key.
const SUFFIX: &str = ".pdf";

/// Why an S3 archive could not be made.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("the document store URL")]
    Url(#[from] S3UrlError),
    #[error("the S3 client for bucket `{bucket}` could not be made")]
    Client {
        bucket: String,
        #[source]
        source: object_store::Error,
    },
    #[error("the S3 bucket `{bucket}` cannot be listed")]
    Unreachable {
        bucket: String,
        #[source]
        source: StorageError,
    },
}

/// Documents in a bucket of an S3-compatible store (see the module docs). Clones share one
/// client.
#[derive(Debug, Clone)]
pub struct S3Archive {
    store: AmazonS3,
    bucket: String,
    prefix: Option<Path>,
    timeout: Duration,
}

impl S3Archive {
    /// [`S3Location::parse`], then [`S3Archive::new`]: no I/O.
    pub fn from_url(url: &str) -> Result<S3Archive, S3Error> {
        S3Archive::new(&S3Location::parse(url)?)
    }

    /// The archive at `location`, without any I/O (the first call finds out whether the store
    /// answers). Credentials: `location.credentials`, else the AWS environment variables.
    pub fn new(location: &S3Location) -> Result<S3Archive, S3Error> {
        // object_store's reqwest has rustls without a provider of its own: ring, for the whole
        // process (an error means one is installed already, which is as good).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = location.timeout;
        let options = ClientOptions::new()
            .with_allow_http(location.plain_http())
            .with_timeout(timeout)
            .with_connect_timeout(timeout.min(Duration::from_secs(5)));
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: 3,
            retry_timeout: timeout,
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&location.bucket)
            .with_client_options(options)
            .with_retry(retry);
        if let Some(endpoint) = &location.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(location.plain_http());
        }
        if let Some(region) = &location.region {
            builder = builder.with_region(region);
        }
        if let Some(credentials) = &location.credentials {
            // A provider, not the key fields: no session token of the environment mixes in.
            use secrecy::ExposeSecret;
            let credential = AwsCredential {
                key_id: credentials.access_key_id.clone(),
                secret_key: credentials.secret_access_key.expose_secret().to_string(),
                token: None,
            };
            builder = builder.with_credentials(Arc::new(StaticCredentialProvider::new(credential)));
        }
        let store = builder.build().map_err(|source| S3Error::Client {
            bucket: location.bucket.clone(),
            source,
        })?;
        let prefix = (!location.prefix.is_empty()).then(|| Path::from(location.prefix.as_str()));
        Ok(S3Archive {
            store,
            bucket: location.bucket.clone(),
            prefix,
            timeout,
        })
    }

    /// [`S3Archive::new`], then one listing of the prefix, so a missing bucket, wrong
    /// credentials or an unreachable store stop the start instead of the first document.
    pub async fn connect(location: &S3Location) -> Result<S3Archive, S3Error> {
        let archive = S3Archive::new(location)?;
        let listed = archive
            .bounded("listing the prefix", async {
                archive
                    .store
                    .list_with_delimiter(archive.prefix.as_ref())
                    .await
                    .map_err(|e| unavailable("listing", archive.prefix_text(), e))
            })
            .await;
        match listed {
            Ok(_) => Ok(archive),
            Err(source) => Err(S3Error::Unreachable {
                bucket: archive.bucket,
                source,
            }),
        }
    }

    /// The same store for `bureau`: the default bureau's documents directly under the prefix,
    /// another bureau's under `PREFIX/bureaus/ID/` (which the default bureau's orphan sweep
    /// never takes for its own: it reads only keys directly under its prefix).
    pub fn for_bureau(&self, bureau: BureauId) -> S3Archive {
        if bureau.is_default() {
            return self.clone();
        }
        let below = Path::from(format!("bureaus/{bureau}"));
        let prefix = match &self.prefix {
            Some(prefix) => Path::from_iter(prefix.parts().chain(below.parts())),
            None => below,
        };
        S3Archive {
            prefix: Some(prefix),
            ..self.clone()
        }
    }

    /// The object key of the document `sha256` (64 lowercase hex digits, else `Data`).
    pub fn key(&self, sha256: &str) -> Result<Path, StorageError> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(StorageError::Data(anyhow::anyhow!(
                "`{sha256}` is not a SHA-256 (64 lowercase hex digits)"
            )));
        }
        let name = format!("{sha256}{SUFFIX}");
        Ok(match &self.prefix {
            Some(prefix) => prefix.clone().join(name),
            None => Path::from(name),
        })
    }

    /// The hash a key of ours names, or `None` for any other object under the prefix.
    fn hash_of(&self, key: &Path) -> Option<String> {
        let name = key.filename()?;
        let sha256 = name.strip_suffix(SUFFIX)?;
        let ours = self.key(sha256).ok()?;
        (ours == *key).then(|| sha256.to_string())
    }

    fn prefix_text(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("{}/{prefix}/", self.bucket),
            None => format!("{}/", self.bucket),
        }
    }

    /// `work`, or `Unavailable` once the timeout has passed.
    async fn bounded<T>(
        &self,
        what: &str,
        work: impl Future<Output = Result<T, StorageError>>,
    ) -> Result<T, StorageError> {
        match tokio::time::timeout(self.timeout, work).await {
            Ok(done) => done,
            Err(_) => Err(StorageError::Unavailable(anyhow::anyhow!(
                "the object store did not answer within {:?} ({what} in bucket `{}`)",
                self.timeout,
                self.bucket
            ))),
        }
    }
}

/// A failure of the store (transport, refusal, server error): `Unavailable`, saying what was
/// asked.
fn unavailable(
    what: &str,
    key: impl std::fmt::Display,
    error: object_store::Error,
) -> StorageError {
    let context = format!("object store: {what} {key}");
    match error {
        object_store::Error::InvalidPath { .. } => {
            StorageError::Data(anyhow::Error::new(error).context(context))
        }
        _ => StorageError::Unavailable(anyhow::Error::new(error).context(context)),
    }
}

impl DocumentArchive for S3Archive {
    fn in_database(&self) -> bool {
        false
    }

    async fn put(&self, document: &NewDocument) -> Result<(), StorageError> {
        let key = self.key(&document.sha256)?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, document.content_type.into());
        let options = PutOptions {
            mode: PutMode::Create,
            attributes,
            ..PutOptions::default()
        };
        let payload = PutPayload::from(document.bytes.clone());
        self.bounded("put", async {
            match self.store.put_opts(&key, payload, options).await {
                Ok(_) => Ok(()),
                // The key is the hash: what is there has these bytes (a read checks that).
                Err(
                    object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. },
                ) => Ok(()),
                Err(e) => Err(unavailable("put", &key, e)),
            }
        })
        .await
    }

    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let key = self.key(sha256)?;
        self.bounded("get", async {
            let found = match self.store.get(&key).await {
                Ok(found) => found,
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(unavailable("get", &key, e)),
            };
            let bytes = found
                .bytes()
                .await
                .map_err(|e| unavailable("reading", &key, e))?;
            Ok(Some(bytes.to_vec()))
        })
        .await
    }

    async fn stored_before(&self, before: DateTime<Utc>) -> Result<Vec<String>, StorageError> {
        self.bounded("list", async {
            let objects: Vec<_> = self
                .store
                .list(self.prefix.as_ref())
                .try_collect()
                .await
                .map_err(|e| unavailable("listing", self.prefix_text(), e))?;
            let mut hashes: Vec<String> = objects
                .iter()
                .filter(|o| o.last_modified < before)
                .filter_map(|o| self.hash_of(&o.location))
                .collect();
            hashes.sort();
            Ok(hashes)
        })
        .await
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        let key = self.key(sha256)?;
        self.bounded("delete", async {
            match self.store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(unavailable("delete", &key, e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(url: &str) -> S3Archive {
        S3Archive::new(
            &S3Location::parse(url)
                .unwrap()
                .with_credentials("test", "test"),
        )
        .unwrap()
    }

    #[test]
    fn keys_are_the_hash_under_the_prefix() {
        let sha = "ab".repeat(32);
        let a = archive("s3://docs/prod/sent?endpoint=http://127.0.0.1:9");
        let key = a.key(&sha).unwrap();
        assert_eq!(key.as_ref(), format!("prod/sent/{sha}.pdf"));
        assert_eq!(a.hash_of(&key), Some(sha.clone()));
        assert_eq!(a.hash_of(&Path::from("prod/sent/notes.txt")), None);
        assert_eq!(
            a.hash_of(&Path::from(format!("prod/sent/x/{sha}.pdf"))),
            None
        );
        let root = archive("s3://docs?endpoint=http://127.0.0.1:9");
        assert_eq!(root.key(&sha).unwrap().as_ref(), format!("{sha}.pdf"));
        for bad in ["", "../x", &"AB".repeat(32), &"ab".repeat(31)] {
            assert!(matches!(a.key(bad), Err(StorageError::Data(_))), "{bad}");
        }
    }

    /// The service spawns work that calls the archive: its futures must be `Send`.
    #[test]
    fn calls_are_send() {
        fn send<T: Send>(_: &T) {}
        let a = archive("s3://docs?endpoint=http://127.0.0.1:9");
        let doc = NewDocument::pdf(b"%PDF".to_vec());
        send(&a.put(&doc));
        send(&a.get("x"));
        send(&a.stored_before(Utc::now()));
        send(&a.delete("x"));
    }

    #[test]
    fn from_url_names_the_mistake() {
        let e = S3Archive::from_url("s3://docs?regoin=x").unwrap_err();
        assert!(
            matches!(e, S3Error::Url(S3UrlError::UnknownParameter(_))),
            "{e}"
        );
        assert!(S3Archive::from_url("s3://docs?endpoint=http://127.0.0.1:9").is_ok());
    }
}
