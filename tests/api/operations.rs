//! Operations: health, readiness, metrics, the OpenAPI document and Swagger UI.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Backend, backend_available, circumstances, repo_dir, spawn_app};

const REGENERATE: &str =
    "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`";

fn committed_spec() -> String {
    std::fs::read_to_string(repo_dir().join("openapi/openapi.json"))
        .expect("openapi/openapi.json is committed")
}

async fn health(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.call(Method::GET, "/healthz", None, None).await;
    reply.expect_status(StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");

    let reply = app.call(Method::GET, "/readyz", None, None).await;
    reply.expect_status(StatusCode::OK);
    let ready = reply.json();
    assert_eq!(ready["status"], "ready", "{ready}");
    let versions = std::fs::read_dir(repo_dir().join("pricing"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
        })
        .count();
    assert_eq!(ready["catalog_versions"], versions, "{ready}");
}

on_both_backends!(health);

/// Readiness includes the database: once the database is gone, `/readyz` answers 503 while
/// `/healthz` (liveness) still answers 200. Only PostgreSQL can lose its database under a
/// running server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_when_the_database_is_gone() {
    if !backend_available(
        Backend::Postgres,
        concat!(module_path!(), "::readyz_fails_when_the_database_is_gone"),
    ) {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    app.call(Method::GET, "/readyz", None, None)
        .await
        .expect_status(StatusCode::OK);
    app.db.drop_postgres_now().await;
    let reply = app.call(Method::GET, "/readyz", None, None).await;
    reply.expect_problem(StatusCode::SERVICE_UNAVAILABLE);
    app.call(Method::GET, "/healthz", None, None)
        .await
        .expect_status(StatusCode::OK);
}

/// The value of an unlabelled metric, or of the first sample starting with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(prefix) && l[prefix.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_and_computations() {
    let app = spawn_app(Backend::Sqlite).await;
    let before = app.call(Method::GET, "/metrics", None, None).await;
    before.expect_status(StatusCode::OK);
    assert!(
        before
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain")),
        "{:?}",
        before.headers
    );
    let computed = "offerte_quotes_computed_total";
    let preview_ok =
        r#"offerte_http_requests_total{method="POST",route="/api/v1/quotes/preview",status="200"}"#;
    assert_eq!(sample(&before.text, computed), Some(0.0), "{}", before.text);
    assert_eq!(sample(&before.text, preview_ok), None, "{}", before.text);

    app.preview(&circumstances()).await;

    let after = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(sample(&after.text, computed), Some(1.0), "{}", after.text);
    assert_eq!(sample(&after.text, preview_ok), Some(1.0), "{}", after.text);
    let latency = r#"offerte_http_request_duration_seconds_count{method="POST",route="/api/v1/quotes/preview"}"#;
    assert_eq!(sample(&after.text, latency), Some(1.0), "{}", after.text);
    // Routes are recorded by pattern, never by the raw path (which may hold ids).
    app.get("/api/v1/quotes/0190a8a4-0000-7000-8000-000000000000")
        .await;
    let text = app.call(Method::GET, "/metrics", None, None).await.text;
    assert!(text.contains(r#"route="/api/v1/quotes/{id}""#), "{text}");
    assert!(!text.contains("0190a8a4"), "{text}");
}

/// A documented path asked with a method it does not have answers 405 with the methods it has;
/// a path that does not exist stays a 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let app = spawn_app(Backend::Sqlite).await;
    let id = "0190a8a4-0000-7000-8000-000000000000";
    for (method, path, allow) in [
        (
            Method::DELETE,
            format!("/api/v1/quotes/{id}"),
            "GET, PATCH, HEAD",
        ),
        (Method::PUT, "/api/v1/quotes".to_string(), "GET, POST, HEAD"),
        // Also a quote id as far as paths go.
        (
            Method::PUT,
            "/api/v1/quotes/preview".to_string(),
            "POST, GET, PATCH, HEAD",
        ),
        (Method::POST, "/healthz".to_string(), "GET, HEAD"),
    ] {
        let reply = app
            .call(method.clone(), &path, Some(&app.keys.admin), None)
            .await;
        let problem = reply.expect_problem(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(problem["type"], "urn:offerte:problem:method-not-allowed");
    }
    app.call(
        Method::DELETE,
        "/api/v1/offers",
        Some(&app.keys.admin),
        None,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_spec_is_the_committed_file() {
    let app = spawn_app(Backend::Sqlite).await;
    let reply = app.call(Method::GET, "/openapi.json", None, None).await;
    reply.expect_status(StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        reply.headers
    );
    assert!(
        reply.text == committed_spec(),
        "GET /openapi.json differs from openapi/openapi.json"
    );
}

/// The drift test: the committed contract is what the code generates.
#[test]
fn committed_spec_is_up_to_date() {
    let generated = offerte::api::openapi_json();
    assert!(generated == committed_spec(), "{REGENERATE}");
    let spec: Value = serde_json::from_str(&generated).unwrap();
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        spec["openapi"]
    );
    let scheme = &spec["components"]["securitySchemes"]["api_key"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");
}

/// Every `src="..."` and `href="..."` value in an HTML page.
fn linked_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=", "href="] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            rest = &rest[1..];
            if let Some(end) = rest.find(quote) {
                urls.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    urls
}

fn is_external(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.contains("://") || lower.starts_with("//")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_loads_without_the_network() {
    let app = spawn_app(Backend::Sqlite).await;

    let reply = app.call(Method::GET, "/swagger-ui", None, None).await;
    assert!(reply.status.is_redirection(), "{}", reply.status);
    assert_eq!(reply.header("location"), Some("/swagger-ui/"));

    let page = app.call(Method::GET, "/swagger-ui/", None, None).await;
    page.expect_status(StatusCode::OK);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        page.headers
    );
    let urls = linked_urls(&page.text);
    assert!(
        urls.iter().any(|u| u.contains("swagger-ui-bundle.js")),
        "the page loads no Swagger UI script: {urls:?}"
    );
    assert!(
        urls.iter().any(|u| u.contains("swagger-initializer.js")),
        "the page loads no initializer: {urls:?}"
    );
    for url in &urls {
        assert!(!is_external(url), "the page links {url}");
        let path = match url.strip_prefix("./") {
            Some(relative) => format!("/swagger-ui/{relative}"),
            None if url.starts_with('/') => url.clone(),
            None => format!("/swagger-ui/{url}"),
        };
        let asset = app.call(Method::GET, &path, None, None).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
    }

    let init = app
        .call(
            Method::GET,
            "/swagger-ui/swagger-initializer.js",
            None,
            None,
        )
        .await;
    init.expect_status(StatusCode::OK);
    assert!(init.text.contains("\"/openapi.json\""), "{}", init.text);
    assert!(
        !init.text.contains("http://") && !init.text.contains("https://"),
        "the initializer names an external URL: {}",
        init.text
    );
    // Without this, Swagger UI loads a badge from validator.swagger.io (its built-in default),
    // sending it the spec's URL.
    let compact: String = init.text.split_whitespace().collect();
    assert!(
        compact.contains(r#""validatorUrl":"none""#),
        "the online validator is not switched off: {}",
        init.text
    );
}
