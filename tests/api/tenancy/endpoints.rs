//! A bureau's own webhook endpoints: added by its admin (the secret made by the service and
//! shown once), its events reach it signed (checked by the Python `standardwebhooks` package),
//! another bureau's never do, a rotation keeps deliveries verifiable; and addresses on the
//! host's networks are refused, naming the field, nothing stored.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{create_as, make_bureau};
use crate::email::servers::{Server, python};
use crate::helpers::{Backend, problem_fields, quote_body, spawn_app_with};
use crate::webhooks::{body, received_until};

on_both_backends!(
    a_bureaus_endpoint_gets_its_events_only,
    endpoints_on_private_networks_are_refused
);

async fn add(app: &crate::helpers::TestApp, key: &str, url: &str) -> crate::helpers::Reply {
    app.call(
        Method::POST,
        "/api/v1/webhook-endpoints",
        Some(key),
        Some(&json!({"url": url, "events": ["quote.*"]})),
    )
    .await
}

fn companies(got: &[Value]) -> Vec<String> {
    got.iter()
        .map(|r| {
            body(r)["data"]["employer"]["company_name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

async fn a_bureaus_endpoint_gets_its_events_only(backend: Backend) {
    let Some(python) = python() else { return };
    let secrets = tempfile::tempdir().unwrap();
    let secret_file = secrets.path().join("secret");
    let secret_path = secret_file.to_str().unwrap().to_string();
    let hook = Server::start(
        &python,
        "webhook_receiver.py",
        &["--port", "0", "--secret-file", &secret_path],
    );
    let app = spawn_app_with(backend, |s| s.webhook_allow_private_networks = true).await;
    let b = make_bureau(&app, "india", "IN").await;
    let made = add(
        &app,
        &b.admin,
        &format!("http://127.0.0.1:{}/hooks", hook.port),
    )
    .await;
    made.expect_status(StatusCode::CREATED);
    let made = made.json();
    let secret = made["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{made}");
    std::fs::write(&secret_file, secret).unwrap();
    let listed = app
        .call(
            Method::GET,
            "/api/v1/webhook-endpoints",
            Some(&b.admin),
            None,
        )
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert!(!listed.to_string().contains(secret), "no secret listed");
    // The same URL twice is a conflict.
    add(
        &app,
        &b.admin,
        &format!("http://127.0.0.1:{}/hooks", hook.port),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);

    // The default bureau's quote goes nowhere near india's endpoint; india's own arrives.
    app.create_quote(&quote_body("Standaard Geheim B.V.")).await;
    create_as(&app, &b.admin, "India Eerste B.V.").await;
    let got = received_until(&hook, |got| !got.is_empty());
    assert!(got.iter().all(|r| r["signature_ok"] == true), "{got:#?}");

    // Rotated: the new secret verifies the next delivery.
    let id = made["id"].as_str().unwrap();
    let rotated = app
        .call(
            Method::POST,
            &format!("/api/v1/webhook-endpoints/{id}/rotate"),
            Some(&b.admin),
            None,
        )
        .await;
    rotated.expect_status(StatusCode::OK);
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    std::fs::write(&secret_file, &new_secret).unwrap();
    create_as(&app, &b.admin, "India Tweede B.V.").await;
    let got = received_until(&hook, |got| {
        companies(got).iter().any(|c| c == "India Tweede B.V.")
    });
    assert!(got.iter().all(|r| r["signature_ok"] == true), "{got:#?}");
    assert!(
        companies(&got).iter().all(|c| c.starts_with("India")),
        "only india's events: {:?}",
        companies(&got)
    );

    // Removed: another bureau's admin cannot, india's can.
    app.call(
        Method::DELETE,
        &format!("/api/v1/webhook-endpoints/{id}"),
        Some(&app.keys.admin),
        None,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    app.call(
        Method::DELETE,
        &format!("/api/v1/webhook-endpoints/{id}"),
        Some(&b.admin),
        None,
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
}

async fn endpoints_on_private_networks_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    for url in [
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:8080/hooks",
        "http://127.0.0.1/hooks",
        "http://10.0.0.5/hooks",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "ftp://hooks.example/",
        "not a url",
    ] {
        let reply = add(&app, &app.keys.admin, url).await;
        let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_fields(&problem), ["url"], "{url}: {problem}");
    }
    let reply = app
        .call(
            Method::POST,
            "/api/v1/webhook-endpoints",
            Some(&app.keys.admin),
            Some(&json!({"url": "https://1.1.1.1/hooks", "events": ["quote.nothing"]})),
        )
        .await;
    let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&problem), ["events"], "{problem}");
    let listed = app
        .call(
            Method::GET,
            "/api/v1/webhook-endpoints",
            Some(&app.keys.admin),
            None,
        )
        .await
        .json();
    assert_eq!(listed, json!([]), "nothing stored");
    // Only an admin manages endpoints.
    add(&app, &app.keys.sales, "https://1.1.1.1/hooks")
        .await
        .expect_problem(StatusCode::FORBIDDEN);
}
