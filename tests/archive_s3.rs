//! The S3 archive against a real S3-compatible server: moto in server mode, started by each test
//! on loopback (`tests/support/s3_server.py`; a Python with `moto[server]`, made by
//! `scripts/ci-venv 'moto[server]'`). Without that Python the tests are skipped with a notice,
//! unless `OFFERTE_TEST_REQUIRE_TOOLS` is set. Credentials are given to the archive explicitly,
//! never through the process's environment.

#[path = "support/servers.rs"]
mod servers;

use chrono::{Duration as Days, Utc};
use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3Builder;
use offerte::archive::s3::{S3Archive, S3Error, S3Location};
use offerte::archive::{self, ArchiveError, DocumentArchive, NewDocument};
use servers::S3Server;
use std::time::{Duration, Instant};

/// The moto server with bucket `documents`, or `None` (skip).
fn server() -> Option<S3Server> {
    Some(S3Server::start(&servers::s3_python()?, "documents"))
}

fn location(server: &S3Server, prefix: &str) -> S3Location {
    S3Location::parse(&server.url(prefix))
        .unwrap()
        .with_credentials(S3Server::ACCESS_KEY, S3Server::SECRET_KEY)
}

/// `StorageError::Unavailable` (the storage module is not public: named by its `Debug`).
fn unavailable(error: &impl std::fmt::Debug) -> bool {
    format!("{error:?}").starts_with("Unavailable(")
}

fn pdf(text: &str) -> NewDocument {
    NewDocument::pdf(format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes())
}

#[tokio::test]
async fn a_document_put_is_read_back_and_a_second_put_changes_nothing() {
    let Some(server) = server() else { return };
    let archive = S3Archive::connect(&location(&server, "sent/2026"))
        .await
        .unwrap();
    assert!(!archive.in_database());
    let quote = pdf("quote OFF-2026-0001");
    archive.put(&quote).await.unwrap();
    archive.put(&quote).await.expect("the same document again");
    assert_eq!(
        archive.get(&quote.sha256).await.unwrap(),
        Some(quote.bytes.clone())
    );
    assert_eq!(
        archive::read(&archive, &quote.sha256).await.unwrap(),
        Some(quote.bytes.clone())
    );
    let unknown = pdf("never stored");
    assert_eq!(archive.get(&unknown.sha256).await.unwrap(), None);
    assert!(
        archive::read(&archive, &unknown.sha256)
            .await
            .unwrap()
            .is_none()
    );

    // The same document in the bucket's root: another key, found there too.
    let root = S3Archive::connect(&location(&server, "")).await.unwrap();
    assert_eq!(
        root.key(&quote.sha256).unwrap().as_ref(),
        format!("{}.pdf", quote.sha256)
    );
    assert_eq!(root.get(&quote.sha256).await.unwrap(), None);
    root.put(&quote).await.unwrap();
    assert_eq!(root.get(&quote.sha256).await.unwrap(), Some(quote.bytes));
}

#[tokio::test]
async fn bytes_changed_in_the_bucket_are_refused_and_counted() {
    let Some(server) = server() else { return };
    let archive = S3Archive::connect(&location(&server, "sent"))
        .await
        .unwrap();
    let quote = pdf("quote OFF-2026-0002");
    archive.put(&quote).await.unwrap();

    // Someone overwrites the object, straight through the S3 API.
    let direct = AmazonS3Builder::new()
        .with_endpoint(server.endpoint())
        .with_allow_http(true)
        .with_region("eu-west-1")
        .with_bucket_name(&server.bucket)
        .with_access_key_id(S3Server::ACCESS_KEY)
        .with_secret_access_key(S3Server::SECRET_KEY)
        .build()
        .unwrap();
    let key = archive.key(&quote.sha256).unwrap();
    direct
        .put(&key, b"%PDF-1.7 tampered".to_vec().into())
        .await
        .unwrap();

    let before = archive::corrupt_reads();
    match archive::read(&archive, &quote.sha256).await {
        Err(ArchiveError::Corrupt { expected, found }) => {
            assert_eq!(expected, quote.sha256);
            assert_eq!(found, archive::sha256_hex(b"%PDF-1.7 tampered"));
        }
        other => panic!("not refused as corrupt: {other:?}"),
    }
    assert!(archive::corrupt_reads() > before);

    // A put is a conditional create: it does not write over what is there (so it cannot repair
    // it either; the read still refuses).
    archive.put(&quote).await.unwrap();
    assert!(matches!(
        archive::read(&archive, &quote.sha256).await,
        Err(ArchiveError::Corrupt { .. })
    ));
}

#[tokio::test]
async fn stored_before_lists_documents_by_hash_and_delete_removes_them() {
    let Some(server) = server() else { return };
    let archive = S3Archive::connect(&location(&server, "orphans"))
        .await
        .unwrap();
    let other = S3Archive::connect(&location(&server, "elsewhere"))
        .await
        .unwrap();
    let (a, b) = (pdf("a"), pdf("b"));
    archive.put(&a).await.unwrap();
    archive.put(&b).await.unwrap();
    other.put(&pdf("c")).await.unwrap();

    let later = Utc::now() + Days::minutes(5);
    let mut expected = vec![a.sha256.clone(), b.sha256.clone()];
    expected.sort();
    assert_eq!(archive.stored_before(later).await.unwrap(), expected);
    let earlier = Utc::now() - Days::minutes(5);
    assert!(archive.stored_before(earlier).await.unwrap().is_empty());

    archive.delete(&a.sha256).await.unwrap();
    assert_eq!(archive.get(&a.sha256).await.unwrap(), None);
    assert_eq!(
        archive.stored_before(later).await.unwrap(),
        vec![b.sha256.clone()]
    );
    archive
        .delete(&a.sha256)
        .await
        .expect("deleting what is gone");
    assert_eq!(other.stored_before(later).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_missing_bucket_stops_connect() {
    let Some(server) = server() else { return };
    let mut missing = location(&server, "");
    missing.bucket = "no-such-bucket".into();
    match S3Archive::connect(&missing).await {
        Err(S3Error::Unreachable { bucket, .. }) => assert_eq!(bucket, "no-such-bucket"),
        other => panic!("{other:?}"),
    }
}

/// A store that went down answers with an error within the archive's timeout.
#[tokio::test]
async fn a_stopped_server_is_an_error_not_a_hang() {
    let Some(mut server) = server() else { return };
    let timeout = Duration::from_secs(3);
    let archive = S3Archive::connect(&location(&server, "down").with_timeout(timeout))
        .await
        .unwrap();
    let quote = pdf("quote OFF-2026-0003");
    archive.put(&quote).await.unwrap();
    server.stop();
    let started = Instant::now();
    let got = archive.get(&quote.sha256).await.unwrap_err();
    assert!(unavailable(&got), "{got:?}");
    let put = archive.put(&pdf("another")).await.unwrap_err();
    assert!(unavailable(&put), "{put:?}");
    // Each call within the timeout (and some slack for a busy machine).
    assert!(
        started.elapsed() < 2 * timeout + Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// A store that takes the connection and never answers: the timeout ends the call.
#[tokio::test]
async fn a_silent_server_is_an_error_within_the_timeout() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let timeout = Duration::from_secs(2);
    let location = S3Location::parse(&format!("s3://documents?endpoint=http://127.0.0.1:{port}"))
        .unwrap()
        .with_credentials(S3Server::ACCESS_KEY, S3Server::SECRET_KEY)
        .with_timeout(timeout);
    let archive = S3Archive::new(&location).unwrap();
    let started = Instant::now();
    let error = archive.get(&pdf("x").sha256).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(unavailable(&error), "{error:?}");
    assert!(
        elapsed >= timeout / 2,
        "{elapsed:?}: answered before any timeout?"
    );
    assert!(elapsed < timeout + Duration::from_secs(3), "{elapsed:?}");
    // Ours ("did not answer within") or the client's own request timeout, whichever came first.
    let error = format!("{:#}", anyhow::Error::new(error));
    assert!(
        error.contains("did not answer within") || error.contains("timed out"),
        "{error}"
    );
    drop(silent);
}

/// An `https://` endpoint is spoken to in TLS (rustls with ring; no aws-lc, no OpenSSL): against
/// the plain-HTTP test server the handshake fails, as it should, instead of the client refusing
/// https or sending plain HTTP.
#[tokio::test]
async fn an_https_endpoint_is_spoken_to_in_tls() {
    let Some(server) = server() else { return };
    let location = S3Location::parse(&format!(
        "s3://documents?endpoint=https://127.0.0.1:{}",
        server.port()
    ))
    .unwrap()
    .with_credentials(S3Server::ACCESS_KEY, S3Server::SECRET_KEY)
    .with_timeout(Duration::from_secs(5));
    let archive = S3Archive::new(&location).unwrap();
    let error = archive.get(&pdf("x").sha256).await.unwrap_err();
    let error = format!("{:#}", anyhow::Error::new(error));
    assert!(error.contains("corrupt message"), "{error}");
}

/// Bureaus share a bucket and prefix: another bureau's documents are kept under
/// `PREFIX/bureaus/ID/`, where the default bureau neither finds nor sweeps them, and that bureau
/// lists (for its export) and deletes (when it is erased) its own.
#[tokio::test]
async fn each_bureau_keeps_its_documents_apart_under_the_prefix() {
    use offerte::storage::BureauId;
    let Some(server) = server() else { return };
    let default = S3Archive::connect(&location(&server, "sent"))
        .await
        .unwrap();
    let other = default.for_bureau(BureauId::new(7));
    let theirs = pdf("quote of bureau 7");
    let ours = pdf("quote of the default bureau");
    other.put(&theirs).await.unwrap();
    default.put(&ours).await.unwrap();
    assert_eq!(
        other.key(&theirs.sha256).unwrap().as_ref(),
        format!("sent/bureaus/7/{}.pdf", theirs.sha256)
    );
    // The default bureau's keys are where they always were.
    assert_eq!(
        default
            .for_bureau(BureauId::DEFAULT)
            .key(&ours.sha256)
            .unwrap(),
        default.key(&ours.sha256).unwrap()
    );
    // Neither finds the other's document.
    assert_eq!(default.get(&theirs.sha256).await.unwrap(), None);
    assert_eq!(other.get(&ours.sha256).await.unwrap(), None);
    // The default bureau's orphan sweep lists only its own keys; bureau 7 lists its own.
    let later = Utc::now() + Days::days(1);
    assert_eq!(
        default.stored_before(later).await.unwrap(),
        vec![ours.sha256.clone()]
    );
    assert_eq!(
        other.stored_before(later).await.unwrap(),
        vec![theirs.sha256.clone()]
    );
    // Erased with its bureau: gone, the default bureau's document stays.
    other.delete(&theirs.sha256).await.unwrap();
    assert!(other.stored_before(later).await.unwrap().is_empty());
    assert_eq!(default.get(&ours.sha256).await.unwrap(), Some(ours.bytes));
}
