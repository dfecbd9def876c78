//! Keys and roles, walked over every operation of the served spec: no endpoint forgotten.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, send, spawn_app};

/// One operation of the spec.
struct Operation {
    method: Method,
    /// The path with `{id}` replaced by a random UUID.
    path: String,
    /// `security: []`
    public: bool,
    has_body: bool,
    responses: Vec<String>,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

async fn operations(app: &TestApp) -> Vec<Operation> {
    let reply = app.call(Method::GET, "/openapi.json", None, None).await;
    reply.expect_status(StatusCode::OK);
    let spec = reply.json();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                .unwrap_or_else(|_| panic!("{method} {path}: not a method"));
            let security = operation
                .get("security")
                .unwrap_or_else(|| panic!("{method} {path} declares no security at all"));
            let public = security == &json!([]);
            if !public {
                assert_eq!(
                    security,
                    &json!([{"api_key": []}]),
                    "{method} {path}: neither public nor the key scheme"
                );
            }
            let path = path
                .replace("{id}", &uuid::Uuid::new_v4().to_string())
                .replace("{version}", "2099.9")
                .replace("{name}", "logo.svg")
                .replace("{slug}", "default");
            assert!(!path.contains('{'), "{path}: a path parameter left");
            operations.push(Operation {
                method,
                path,
                public,
                has_body: operation.get("requestBody").is_some(),
                responses: operation["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default(),
            });
        }
    }
    operations
}

async fn call(app: &TestApp, op: &Operation, key: Option<&str>) -> Reply {
    let body = op.has_body.then(|| json!({}));
    app.call(op.method.clone(), &op.path, key, body.as_ref())
        .await
}

fn unauthorised(reply: &Reply) -> bool {
    matches!(
        reply.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_guarded_as_declared() {
    let app = spawn_app(Backend::Sqlite).await;
    let operations = operations(&app).await;
    let secured = operations.iter().filter(|o| !o.public).count();
    let public = operations.len() - secured;
    // The walk must not pass by finding nothing: 8 secured and 4 public operations today.
    assert!(
        secured >= 8,
        "only {secured} secured operations in the spec"
    );
    assert!(public >= 4, "only {public} public operations in the spec");

    let unknown = format!("ofk_{}", "0".repeat(64));
    for op in &operations {
        let name = op.name();
        if op.public {
            let reply = call(&app, op, None).await;
            assert!(
                !unauthorised(&reply),
                "{name} is public but answered {}",
                reply.status
            );
            continue;
        }
        for status in ["401", "403"] {
            assert!(
                op.responses.iter().any(|r| r == status),
                "{name} does not document {status}"
            );
        }

        let reply = call(&app, op, None).await;
        reply.expect_problem(StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer"),
            "{name} without a key"
        );
        call(&app, op, Some(&unknown))
            .await
            .expect_problem(StatusCode::UNAUTHORIZED);
        // Not a bearer token at all.
        let basic = send(
            app.request(op.method.clone(), &op.path, None)
                .header("authorization", "Basic b2ZmZXJ0ZTpvZmZlcnRl"),
        )
        .await;
        assert_eq!(basic.status, StatusCode::UNAUTHORIZED, "{name} with Basic");

        let sales = call(&app, op, Some(&app.keys.sales)).await;
        let finance = call(&app, op, Some(&app.keys.finance)).await;
        assert!(
            sales.status == StatusCode::FORBIDDEN || finance.status == StatusCode::FORBIDDEN,
            "{name}: neither the sales ({}) nor the finance ({}) key is refused with 403",
            sales.status,
            finance.status
        );
        for reply in [&sales, &finance] {
            assert_ne!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{name}: a valid key got 401"
            );
            if reply.status == StatusCode::FORBIDDEN {
                reply.expect_problem(StatusCode::FORBIDDEN);
            }
        }
        // The operator's operations (the bureaus) open to an operator key; every other to a
        // bureau's admin key, never to an operator's (it reads no bureau's quotes).
        let operator = call(&app, op, Some(&app.keys.operator)).await;
        let (allowed, who) = if op.path.starts_with("/api/v1/bureaus") {
            (operator, "operator")
        } else {
            operator.expect_problem(StatusCode::FORBIDDEN);
            (call(&app, op, Some(&app.keys.admin)).await, "admin")
        };
        assert!(
            !unauthorised(&allowed),
            "{name}: the {who} key got {}",
            allowed.status
        );
        assert!(
            !allowed.status.is_server_error(),
            "{name}: {}",
            allowed.text
        );
    }
}

/// A request that is wrong in more than its key: reason, method, path, content type, body.
type Broken = (&'static str, Method, String, Option<&'static str>, Vec<u8>);

/// The key is checked before anything else: a secured request without a key is a 401 whatever
/// else is wrong with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_checked_before_the_request() {
    let app = spawn_app(Backend::Sqlite).await;
    let id = uuid::Uuid::new_v4();
    let broken: Vec<Broken> = vec![
        (
            "malformed JSON",
            Method::POST,
            "/api/v1/quotes/preview".into(),
            Some("application/json"),
            b"{\"first_sick_day\": ".to_vec(),
        ),
        (
            "an unknown field",
            Method::POST,
            "/api/v1/quotes".into(),
            Some("application/json"),
            br#"{"diagnosis": "x"}"#.to_vec(),
        ),
        (
            "the wrong content type",
            Method::POST,
            "/api/v1/quotes".into(),
            Some("text/plain"),
            b"hello".to_vec(),
        ),
        (
            "no content type",
            Method::PATCH,
            format!("/api/v1/quotes/{id}"),
            None,
            b"{}".to_vec(),
        ),
        (
            "an oversized body",
            Method::POST,
            "/api/v1/quotes/preview".into(),
            Some("application/json"),
            vec![b' '; 70 * 1024],
        ),
        (
            "an id that is no UUID",
            Method::POST,
            "/api/v1/quotes/not-a-uuid/transitions".into(),
            Some("application/json"),
            b"{\"to\": 5}".to_vec(),
        ),
        (
            "an unknown query parameter",
            Method::GET,
            "/api/v1/quotes?per_page=0&colour=blue".into(),
            None,
            Vec::new(),
        ),
    ];
    for (reason, method, path, content_type, body) in broken {
        let mut builder = app.request(method.clone(), &path, None).body(body);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        let reply = send(builder).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with {reason} and no key: {}",
            reply.text
        );
        let problem: Value = reply.expect_problem(StatusCode::UNAUTHORIZED);
        assert!(
            problem.get("errors").is_none(),
            "a 401 names no field: {problem}"
        );
    }
}
