//! A bureau that leaves: the operator exports everything it owns in one download (its quotes,
//! requests, archived documents as sent, keys as hashes, endpoints without secrets), then, once
//! it is suspended, erases it: nothing of it is left in any table, its keys open nothing, and
//! the other bureaus are untouched.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{create_as, form_request, make_bureau, operator};
use crate::helpers::{Backend, quote_body, spawn_app_with};

on_both_backends!(a_bureau_is_exported_then_erased);

async fn a_bureau_is_exported_then_erased(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let staying = app.create_quote(&quote_body("Blijver B.V.")).await;
    let b = make_bureau(&app, "kilo", "KI").await;
    let quote = create_as(&app, &b.admin, "Vertrekker B.V.").await;
    let id = quote["id"].as_str().unwrap();
    let sent = app
        .call(
            Method::POST,
            &format!("/api/v1/quotes/{id}/transitions"),
            Some(&b.admin),
            Some(&json!({"to": "sent"})),
        )
        .await;
    sent.expect_status(StatusCode::OK);
    let pdf = app
        .call(
            Method::GET,
            &format!("/api/v1/quotes/{id}/document?format=pdf"),
            Some(&b.admin),
            None,
        )
        .await;
    let sent_sha = pdf.header("x-document-sha256").unwrap().to_string();
    let request = form_request("Aanvrager Kilo B.V.");
    app.call(
        Method::POST,
        "/api/v1/quote-requests",
        Some(&b.public),
        Some(&request),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let endpoint = app
        .call(
            Method::POST,
            "/api/v1/webhook-endpoints",
            Some(&b.admin),
            Some(&json!({"url": "https://1.1.1.1/kilo-hooks"})),
        )
        .await;
    endpoint.expect_status(StatusCode::CREATED);
    let endpoint_secret = endpoint.json()["secret"].as_str().unwrap().to_string();
    let bureau_id = app
        .db
        .scalar("SELECT id FROM bureaus WHERE slug = 'kilo'")
        .await;

    // The export: one download of everything.
    let export = operator(&app, Method::GET, "/api/v1/bureaus/kilo/export", None).await;
    export.expect_status(StatusCode::OK);
    assert_eq!(export.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = export
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows = |table: &str| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| l["table"] == table)
            .map(|l| l["row"].clone())
            .collect()
    };
    assert_eq!(rows("bureau")[0]["slug"], "kilo");
    assert!(
        rows("quotes")
            .iter()
            .any(|q| q["employer_name"] == "Vertrekker B.V."),
        "{lines:#?}"
    );
    assert_eq!(rows("quote_requests").len(), 1);
    assert_eq!(rows("api_keys").len(), 2, "the admin and the public key");
    assert!(!export.text.contains(&b.admin), "no key secret");
    assert!(!export.text.contains(&endpoint_secret), "no webhook secret");
    assert!(
        rows("catalog_versions")
            .iter()
            .any(|v| v["source"].as_str().is_some_and(|s| s.contains("[bureau]")))
    );
    let documents = rows("documents");
    let archived = documents
        .iter()
        .find(|d| d["sha256"] == sent_sha.as_str())
        .unwrap_or_else(|| panic!("the sent document {sent_sha} in {documents:#?}"));
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        archived["bytes"]["base64"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        sent_sha,
        "the bytes as sent"
    );
    assert!(
        !export.text.contains("Blijver"),
        "nothing of another bureau"
    );

    // Erased: only once suspended; never the default bureau.
    operator(&app, Method::DELETE, "/api/v1/bureaus/kilo", None)
        .await
        .expect_problem(StatusCode::CONFLICT);
    operator(&app, Method::DELETE, "/api/v1/bureaus/default", None)
        .await
        .expect_problem(StatusCode::CONFLICT);
    operator(&app, Method::POST, "/api/v1/bureaus/kilo/suspend", None)
        .await
        .expect_status(StatusCode::OK);
    operator(&app, Method::DELETE, "/api/v1/bureaus/kilo", None)
        .await
        .expect_status(StatusCode::NO_CONTENT);

    // Nothing of it left, in any table.
    for table in offerte::store::BUREAU_TABLES {
        let left = app
            .db
            .scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE bureau_id = {bureau_id}"
            ))
            .await;
        assert_eq!(left, 0, "{table} keeps rows of the erased bureau");
    }
    assert_eq!(
        app.db
            .scalar(&format!(
                "SELECT COUNT(*) FROM bureaus WHERE id = {bureau_id}"
            ))
            .await,
        0
    );
    app.call(Method::GET, "/api/v1/quotes", Some(&b.admin), None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    let list = operator(&app, Method::GET, "/api/v1/bureaus", None)
        .await
        .json();
    assert!(!list.to_string().contains("kilo"), "{list}");
    operator(&app, Method::GET, "/api/v1/bureaus/kilo/export", None)
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    // The other bureau is untouched.
    let still = app.quote(staying["id"].as_str().unwrap()).await;
    assert_eq!(still["employer"]["company_name"], "Blijver B.V.");
}
