//! Races between operations on one record, and reads beside a held write lock: what issue 12's
//! reshaping of the service layer guarantees.
//! - Sending records the SHA-256 of the very version it moves to `sent`: a PATCH landing while
//!   the PDF renders either comes first (and is in the document) or is refused (the quote is
//!   sent); the hash always matches the document the quote shows afterwards.
//! - Converting a request is one transaction: a rejection racing it leaves either a converted
//!   request with its quote or a rejected request and no quote, never a quote linked to nothing.
//! - Reads never write: the list, one quote, its events and the register answer while another
//!   connection holds SQLite's write lock, and show a lapsed quote as expired.
//! - Every SQL statement of the store prepares on both backends.

use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

use crate::helpers::{Backend, TestDb, days_ago, quote_body, spawn_app};
use crate::requests::submitted;

/// Rounds of each race: the windows are tens of milliseconds wide (a debug PDF render, a
/// create's commit), so the old code failed within the first few.
const ROUNDS: usize = 6;

async fn sending_hashes_the_version_it_sends(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut patched_first = 0;
    for round in 0..ROUNDS {
        let id = app
            .create_quote(&quote_body(&format!("Race {round} B.V.")))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let send = app.transition(&id, "sent", None);
        let patch = async {
            // Lands while the send renders its PDF (tens of ms in a debug build).
            tokio::time::sleep(Duration::from_millis(5 + 4 * round as u64)).await;
            app.patch(
                &format!("/api/v1/quotes/{id}"),
                &json!({"employer": {"company_name": format!("Renamed {round} B.V."),
                        "contact_person": "A. Jansen", "email": "hr@renamed.example"}}),
            )
            .await
        };
        let (sent, patched) = tokio::join!(send, patch);
        sent.expect_status(StatusCode::OK);
        match patched.status {
            StatusCode::OK => patched_first += 1,
            StatusCode::CONFLICT => {}
            other => panic!(
                "round {round}: the PATCH answered {other}: {}",
                patched.text
            ),
        }
        let quote = app.quote(&id).await;
        assert_eq!(quote["status"], "sent");
        let events = app.events(&id).await;
        let recorded = events
            .iter()
            .find(|e| e["to"] == "sent")
            .and_then(|e| e["document_sha256"].as_str())
            .expect("the sent event records the document's hash")
            .to_string();
        let pdf = app
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/quotes/{id}/document?format=pdf"),
                Some(&app.keys.sales),
            )
            .send()
            .await
            .expect("the document")
            .bytes()
            .await
            .expect("its bytes");
        assert_eq!(
            hex::encode(Sha256::digest(&pdf)),
            recorded,
            "round {round}: the recorded hash is of another document than the one sent \
             (PATCH answered {})",
            patched.status
        );
    }
    eprintln!("{patched_first} of {ROUNDS} PATCHes landed before the send");
}

async fn converting_and_rejecting_a_request_race_cleanly(backend: Backend) {
    let app = spawn_app(backend).await;
    for round in 0..ROUNDS {
        let company = format!("Verzoek {round} B.V.");
        let (_, id) = submitted(&app, &company).await;
        let (convert_path, empty) = (format!("/api/v1/quote-requests/{id}/quote"), json!({}));
        let convert = app.post(&convert_path, &empty);
        let reject = async {
            tokio::time::sleep(Duration::from_millis(round as u64)).await;
            app.post(
                &format!("/api/v1/quote-requests/{id}/reject"),
                &json!({"reason": "outside our region"}),
            )
            .await
        };
        let (converted, rejected) = tokio::join!(convert, reject);
        let request = app
            .get(&format!("/api/v1/quote-requests/{id}"))
            .await
            .json();
        let quotes = app
            .list(&format!("?employer={}", company.replace(' ', "%20")))
            .await;
        match request["status"].as_str() {
            Some("converted") => {
                converted.expect_status(StatusCode::CREATED);
                rejected.expect_conflict("converted", &[]);
                assert_eq!(quotes["total"], 1, "round {round}: {quotes}");
                assert_eq!(quotes["items"][0]["id"], request["quote_id"]);
            }
            Some("rejected") => {
                rejected.expect_status(StatusCode::OK);
                converted.expect_conflict("rejected", &[]);
                assert_eq!(
                    quotes["total"], 0,
                    "round {round}: a quote was made from a rejected request: {quotes}"
                );
            }
            other => panic!("round {round}: the request is {other:?}"),
        }
    }
}

/// SQLite only: PostgreSQL readers never wait for writers anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_answer_while_another_connection_holds_the_write_lock() {
    use sqlx::{Connection, Executor, SqliteConnection};
    let app = spawn_app(Backend::Sqlite).await;
    let mut body = quote_body("Verlopen B.V.");
    body["circumstances"]["quote_date"] = json!(days_ago(40).to_string());
    let id = app.create_quote(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.move_to(&id, "sent", None).await;

    let mut holder = SqliteConnection::connect(&app.db.url)
        .await
        .expect("a connection");
    holder
        .execute("BEGIN IMMEDIATE")
        .await
        .expect("the write lock");
    holder
        .execute("UPDATE quote_counters SET last = last")
        .await
        .expect("a write inside the lock");

    let within = |path: String| {
        let request = app.request(reqwest::Method::GET, &path, Some(&app.keys.admin));
        async move {
            let response = tokio::time::timeout(Duration::from_secs(5), request.send())
                .await
                .unwrap_or_else(|_| panic!("{path} waited for the write lock"))
                .expect("an answer");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.text().await.expect("a body")
        }
    };
    let list: serde_json::Value =
        serde_json::from_str(&within("/api/v1/quotes?status=expired".into()).await).unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let quote: serde_json::Value =
        serde_json::from_str(&within(format!("/api/v1/quotes/{id}")).await).unwrap();
    assert_eq!(quote["status"], "expired");
    let events: serde_json::Value =
        serde_json::from_str(&within(format!("/api/v1/quotes/{id}/events")).await).unwrap();
    let last = events.as_array().and_then(|e| e.last()).cloned().unwrap();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("sent"), &json!("expired"))
    );
    assert!(last.get("id").is_none(), "not stored yet: {last}");
    let register = within("/api/v1/exports/quotes?format=json&status=expired".into()).await;
    assert!(register.contains("Verlopen B.V."), "{register}");

    holder
        .execute("ROLLBACK")
        .await
        .expect("the lock is let go");
}

async fn every_statement_prepares(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = offerte::store::Store::connect(&db.url)
        .await
        .expect("the database");
    let prepared = store
        .prepare_all()
        .await
        .unwrap_or_else(|e| panic!("{:#}", anyhow::Error::new(e)));
    assert!(prepared >= 30, "only {prepared} statements");
}

on_both_backends!(
    sending_hashes_the_version_it_sends,
    converting_and_rejecting_a_request_race_cleanly,
    every_statement_prepares,
);

async fn the_sweep_stores_the_expiry_the_reads_showed(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.sweep_seconds = 3600).await;
    let mut body = quote_body("Sweep B.V.");
    body["circumstances"]["quote_date"] = json!(days_ago(40).to_string());
    let id = app.create_quote(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.move_to(&id, "sent", None).await;
    let shown = app.events(&id).await;
    let pending = shown.last().unwrap().clone();
    assert_eq!(pending["to"], "expired");
    assert!(pending.get("id").is_none(), "{pending}");

    // A server with a fast sweep on the same database stores it: same move, same moment.
    let sweeper = app.second_server_with(|s| s.sweep_seconds = 1).await;
    let mut stored = None;
    for _ in 0..50 {
        let events = sweeper.events(&id).await;
        if events.last().is_some_and(|e| e.get("id").is_some()) {
            stored = Some(events);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stored = stored.expect("the sweep stored the expiry within 10 s");
    assert_eq!(stored.len(), shown.len(), "{stored:?}");
    let last = stored.last().unwrap();
    for field in ["from", "to", "at", "role", "reason"] {
        assert_eq!(last[field], pending[field], "{field}");
    }
    assert_eq!(app.quote(&id).await["status"], "expired");
}

on_both_backends!(the_sweep_stores_the_expiry_the_reads_showed);
