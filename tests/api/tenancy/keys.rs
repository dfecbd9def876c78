//! Keys that open nothing (revoked, expired, public on a staff operation, of a suspended
//! bureau) and hostile bureaus: clear problems, nothing stored.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{create_as, form_request, make_bureau, operator};
use crate::helpers::{Backend, spawn_app_with};

on_both_backends!(keys_that_open_nothing, a_suspended_bureau_is_told_so);

/// Revoked and expired keys are answered 401 with the reason; a public key opens no staff
/// operation; hostile slugs and duplicates are refused, naming the field, nothing stored.
async fn keys_that_open_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let b = make_bureau(&app, "charlie", "CH").await;
    let keys = operator(&app, Method::GET, "/api/v1/bureaus/charlie/api-keys", None)
        .await
        .json();
    assert_eq!(keys.as_array().unwrap().len(), 2, "{keys}");
    assert!(!keys.to_string().contains(&b.admin), "no secret listed");

    // A public key: the form and the public catalog, nothing else.
    let request = form_request("Via Website B.V.");
    app.call(
        Method::POST,
        "/api/v1/quote-requests",
        Some(&b.public),
        Some(&request),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let theirs = app
        .call(Method::GET, "/api/v1/quote-requests", Some(&b.admin), None)
        .await
        .json();
    assert_eq!(
        theirs["total"], 1,
        "the request landed with charlie: {theirs}"
    );
    let defaults = app.get("/api/v1/quote-requests").await.json();
    assert_eq!(defaults["total"], 0, "not with the default bureau");
    for (method, path) in [
        (Method::GET, "/api/v1/quotes"),
        (Method::POST, "/api/v1/quotes/preview"),
        (Method::GET, "/api/v1/quote-requests"),
    ] {
        app.call(method, path, Some(&b.public), Some(&json!({})))
            .await
            .expect_problem(StatusCode::FORBIDDEN);
    }

    // Revoked.
    let made = app
        .call(
            Method::POST,
            "/api/v1/bureaus/charlie/api-keys",
            Some(&b.admin),
            Some(&json!({"role": "sales"})),
        )
        .await;
    made.expect_status(StatusCode::CREATED);
    let made = made.json();
    let sales = made["key"].as_str().unwrap();
    app.call(Method::GET, "/api/v1/quotes", Some(sales), None)
        .await
        .expect_status(StatusCode::OK);
    app.call(
        Method::DELETE,
        &format!(
            "/api/v1/bureaus/charlie/api-keys/{}",
            made["id"].as_str().unwrap()
        ),
        Some(&b.admin),
        None,
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    let refused = app
        .call(Method::GET, "/api/v1/quotes", Some(sales), None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    assert!(
        refused["detail"].as_str().unwrap().contains("revoked"),
        "{refused}"
    );

    // Expired: made to last two seconds.
    let end = chrono::Utc::now() + chrono::Duration::seconds(2);
    let short = app
        .call(
            Method::POST,
            "/api/v1/bureaus/charlie/api-keys",
            Some(&b.admin),
            Some(&json!({"role": "sales", "expires_at": end})),
        )
        .await;
    short.expect_status(StatusCode::CREATED);
    let short = short.json()["key"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let refused = app
        .call(Method::GET, "/api/v1/quotes", Some(&short), None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    assert!(
        refused["detail"].as_str().unwrap().contains("expired"),
        "{refused}"
    );

    // Hostile bureaus: nothing stored.
    let before = operator(&app, Method::GET, "/api/v1/bureaus", None)
        .await
        .json();
    let long = "a".repeat(10 * 1024);
    for (slug, field) in [
        ("../etc", "slug"),
        (long.as_str(), "slug"),
        ("Upper", "slug"),
        ("-dash", "slug"),
    ] {
        let reply = operator(
            &app,
            Method::POST,
            "/api/v1/bureaus",
            Some(&json!({"slug": slug, "name": "X", "number_prefix": "XX"})),
        )
        .await;
        let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(reply.text.len() < 2000, "the slug is not echoed whole");
    }
    operator(
        &app,
        Method::POST,
        "/api/v1/bureaus",
        Some(&json!({"slug": "charlie", "name": "Again", "number_prefix": "CH"})),
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    let reply = operator(
        &app,
        Method::POST,
        "/api/v1/bureaus",
        Some(&json!({"slug": "delta", "name": "", "number_prefix": "lower"})),
    )
    .await;
    let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "number_prefix"], "{problem}");
    let after = operator(&app, Method::GET, "/api/v1/bureaus", None)
        .await
        .json();
    assert_eq!(
        before.as_array().unwrap().len(),
        after.as_array().unwrap().len()
    );
    // A bureau's admin manages only its own keys; another bureau's slug is not there.
    app.call(
        Method::GET,
        "/api/v1/bureaus/default/api-keys",
        Some(&b.admin),
        None,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
    // Only an operator makes bureaus.
    app.call(
        Method::POST,
        "/api/v1/bureaus",
        Some(&b.admin),
        Some(&json!({"slug": "echo", "name": "E", "number_prefix": "E"})),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
}

/// A suspended bureau's keys and form are answered 403 saying so, its links (here the employee's
/// consent page) show a page asking to contact the bureau; nothing is deleted, and resuming
/// brings it all back.
async fn a_suspended_bureau_is_told_so(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let b = make_bureau(&app, "foxtrot", "FX").await;
    let quote = create_as(&app, &b.admin, "Geschorst B.V.").await;
    let id = quote["id"].as_str().unwrap();
    // A link of the bureau's: the employee's consent page of a sent quote.
    app.call(
        Method::POST,
        &format!("/api/v1/quotes/{id}/transitions"),
        Some(&b.admin),
        Some(&json!({"to": "sent"})),
    )
    .await
    .expect_status(StatusCode::OK);
    let link = app
        .call(
            Method::POST,
            &format!("/api/v1/quotes/{id}/employee-consent"),
            Some(&b.admin),
            Some(&json!({})),
        )
        .await;
    link.expect_status(StatusCode::CREATED);
    let url = link.json()["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/c/").unwrap()..];
    assert_eq!(page(&app, path).await.0, StatusCode::OK);
    operator(&app, Method::POST, "/api/v1/bureaus/foxtrot/suspend", None)
        .await
        .expect_status(StatusCode::OK);
    // Its links say to contact the bureau (by the name its catalog prints), in both languages.
    let (status, text) = page(&app, path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(
        text.contains("Neem contact op met") && text.contains("Please contact"),
        "{text}"
    );
    assert!(
        !text.contains("Geschorst B.V."),
        "nothing of the quote: {text}"
    );
    let problem = app
        .call(
            Method::GET,
            &format!("/api/v1/quotes/{id}"),
            Some(&b.admin),
            None,
        )
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    assert!(
        problem["detail"].as_str().unwrap().contains("suspended"),
        "{problem}"
    );
    let request = form_request("Via Website B.V.");
    app.call(
        Method::POST,
        "/api/v1/quote-requests",
        Some(&b.public),
        Some(&request),
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
    // The default bureau cannot be suspended.
    operator(&app, Method::POST, "/api/v1/bureaus/default/suspend", None)
        .await
        .expect_problem(StatusCode::CONFLICT);
    operator(&app, Method::POST, "/api/v1/bureaus/foxtrot/resume", None)
        .await
        .expect_status(StatusCode::OK);
    let back = app
        .call(
            Method::GET,
            &format!("/api/v1/quotes/{id}"),
            Some(&b.admin),
            None,
        )
        .await;
    back.expect_status(StatusCode::OK);
    assert_eq!(back.json()["number"], quote["number"], "nothing deleted");
    assert_eq!(
        page(&app, path).await.0,
        StatusCode::OK,
        "its link works again"
    );
}

/// A page of the service without a key: its status and text.
async fn page(app: &crate::helpers::TestApp, path: &str) -> (StatusCode, String) {
    let reply = app.call(Method::GET, path, None, None).await;
    (reply.status, reply.text)
}
