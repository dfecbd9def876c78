//! The public "offerte aanvragen" flow over HTTP: the form's endpoint (validation, consent,
//! honeypot, CORS, rate limit) and the sales side (list, read, convert, reject), erasure and
//! the retention purge, on both backends where storage matters.

use chrono::{Days, Utc};
use offerte::requests::model::{QuoteRequest, RequestStatus};
use offerte::requests::ports::RequestRepository;
use offerte::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    Backend, Reply, TestApp, problem_fields, quote_body, send, spawn_app, spawn_app_with,
};

const PATH: &str = "/api/v1/quote-requests";
const BUREAU: &str = "https://www.bureau.example";

/// A valid body for the public form.
fn request_body(company: &str) -> Value {
    let mut body = quote_body(company);
    body["consent"] = json!(true);
    body["website"] = json!("");
    body
}

/// Sends the public form without a key.
async fn submit(app: &TestApp, body: &Value) -> Reply {
    app.call(Method::POST, PATH, None, Some(body)).await
}

/// Lists requests with the sales key; it must answer 200.
async fn list(app: &TestApp, query: &str) -> Value {
    let reply = app.get(&format!("{PATH}{query}")).await;
    reply.expect_status(StatusCode::OK);
    reply.json()
}

/// The id of the stored request with this reference.
async fn id_of(app: &TestApp, reference: &str) -> String {
    let page = list(app, "?per_page=100").await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["reference"] == reference)
        .unwrap_or_else(|| panic!("no stored request {reference}: {page}"))["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

/// Submits a valid request; returns its reference and id.
pub(crate) async fn submitted(app: &TestApp, company: &str) -> (String, String) {
    let reply = submit(app, &request_body(company)).await;
    reply.expect_status(StatusCode::CREATED);
    let reference = reply.json()["reference"]
        .as_str()
        .expect("a reference")
        .to_string();
    let id = id_of(app, &reference).await;
    (reference, id)
}

async fn happy_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = request_body("Bakkerij De Korenschoof B.V.");
    let reply = submit(&app, &body).await;
    reply.expect_status(StatusCode::CREATED);
    let receipt = reply.json();
    let reference = receipt["reference"].as_str().expect("a reference");
    assert!(
        reference.starts_with("AV-") && reference.len() == 11,
        "{receipt}"
    );
    assert_eq!(receipt["indicative"], true);
    let result = &receipt["result"];
    assert_eq!(result["indicative"], true);
    assert_eq!(result["tier"]["code"], "m6", "{result}");
    assert_eq!(result["excl_vat"], result["tier"]["excl_vat"]);
    assert_eq!(result["incl_vat"], result["tier"]["incl_vat"]);
    let alternatives = result["alternatives"].as_array().expect("alternatives");
    assert!(alternatives.len() >= 2, "{result}");
    assert_eq!(
        alternatives
            .iter()
            .filter(|a| a["recommended"] == true)
            .count(),
        1
    );
    // The same price a salesperson's preview gives.
    let preview = app.preview(&body["circumstances"]).await;
    assert_eq!(result["excl_vat"], preview["totals"]["excl_vat"]);
    assert_eq!(result["incl_vat"], preview["totals"]["incl_vat"]);
    assert!(receipt["message"].as_str().unwrap().contains(reference));

    // Sales sees it.
    let page = list(&app, "").await;
    assert_eq!(page["total"], 1, "{page}");
    let listed = &page["items"][0];
    assert_eq!(listed["reference"], reference);
    assert_eq!(listed["status"], "new");
    assert_eq!(listed["employer"], body["employer"]);
    assert_eq!(listed["employee"], body["employee"]);
    for field in ["first_sick_day", "readiness"] {
        assert_eq!(listed["circumstances"][field], body["circumstances"][field]);
    }
    assert_eq!(listed["indicative"], *result);
    let id = listed["id"].as_str().unwrap();
    let read = app.get(&format!("{PATH}/{id}")).await;
    read.expect_status(StatusCode::OK);
    assert_eq!(read.json(), *listed);

    // Filters and pagination.
    submitted(&app, "Tweede B.V.").await;
    assert_eq!(list(&app, "?status=new").await["total"], 2);
    assert_eq!(list(&app, "?status=rejected").await["total"], 0);
    let today = crate::helpers::today_utc();
    assert_eq!(
        list(&app, &format!("?from={today}&to={today}")).await["total"],
        2
    );
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(list(&app, &format!("?from={tomorrow}")).await["total"], 0);
    let first = list(&app, "?per_page=1&page=1").await;
    let second = list(&app, "?per_page=1&page=2").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    app.get(&format!("{PATH}?per_page=0"))
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&format!("{PATH}?colour=red"))
        .await
        .expect_problem(StatusCode::BAD_REQUEST);

    // The staff side needs a key.
    app.call(Method::GET, PATH, None, None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    app.call(
        Method::GET,
        &format!("{PATH}/{}", Uuid::new_v4()),
        Some(&app.keys.sales),
        None,
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_validation_failure_names_its_field_and_stores_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let with = |pointer: &str, value: Value| {
        let mut body = request_body("Fout B.V.");
        *body.pointer_mut(pointer).expect("a field") = value;
        body
    };
    let mut diagnosis = request_body("Fout B.V.");
    diagnosis["diagnosis"] = json!("burn-out");
    let mut medical = request_body("Fout B.V.");
    medical["circumstances"]["diagnosis"] = json!("burn-out");
    let mut employee_medical = request_body("Fout B.V.");
    employee_medical["employee"]["complaints"] = json!("back pain");
    let mut no_consent = request_body("Fout B.V.");
    no_consent.as_object_mut().unwrap().remove("consent");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "consent false",
            with("/consent", json!(false)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent",
        ),
        (
            "consent missing",
            no_consent,
            StatusCode::BAD_REQUEST,
            "consent",
        ),
        (
            "KvK of 7 digits",
            with("/employer/kvk_number", json!("1234567")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.kvk_number",
        ),
        (
            "KvK with letters",
            with("/employer/kvk_number", json!("1234567a")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.kvk_number",
        ),
        (
            "phone with letters",
            with("/employer/phone", json!("call me maybe")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.phone",
        ),
        (
            "phone too short",
            with("/employer/phone", json!("123")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.phone",
        ),
        (
            "email without @",
            with("/employer/email", json!("hr.example.nl")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.email",
        ),
        (
            "email with a space",
            with("/employer/email", json!("h r@example.nl")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.email",
        ),
        (
            "company name too long",
            with("/employer/company_name", json!("x".repeat(201))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.company_name",
        ),
        (
            "empty contact person",
            with("/employer/contact_person", json!(" ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employer.contact_person",
        ),
        (
            "a BSN as reference",
            with("/employee/reference", json!("111222333")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employee.reference",
        ),
        (
            "hours out of range",
            with("/employee/hours_per_week", json!(61)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "employee.hours_per_week",
        ),
        (
            "unknown field diagnosis",
            diagnosis,
            StatusCode::BAD_REQUEST,
            "diagnosis",
        ),
        (
            "diagnosis in circumstances",
            medical,
            StatusCode::BAD_REQUEST,
            "circumstances.diagnosis",
        ),
        (
            "complaints of the employee",
            employee_medical,
            StatusCode::BAD_REQUEST,
            "employee.complaints",
        ),
        (
            "a bad date",
            with("/circumstances/first_sick_day", json!("2026-02-30")),
            StatusCode::BAD_REQUEST,
            "circumstances.first_sick_day",
        ),
        (
            "website not a string",
            with("/website", json!(42)),
            StatusCode::BAD_REQUEST,
            "website",
        ),
    ];
    for (reason, body, status, field) in cases {
        let reply = submit(&app, &body).await;
        assert_eq!(reply.status, status, "{reason}: {}", reply.text);
        let problem = reply.expect_problem(status);
        assert!(
            problem_fields(&problem).iter().any(|f| f == field),
            "{reason}: expected field {field}: {problem}"
        );
        // Nothing from the body comes back unescaped: the answer is JSON, never HTML.
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
    // Not JSON, or not a JSON content type.
    let reply = send(
        app.request(Method::POST, PATH, None)
            .header("content-type", "text/plain")
            .body("employer=x"),
    )
    .await;
    reply.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Larger than the body limit.
    let mut big = request_body("Groot B.V.");
    big["website"] = json!("");
    big["employer"]["company_name"] = json!("x".repeat(70_000));
    submit(&app, &big)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        list(&app, "").await["total"],
        0,
        "nothing refused is stored"
    );
}

async fn honeypot(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = request_body("Spam B.V.");
    body["website"] = json!("https://spam.example");
    let reply = submit(&app, &body).await;
    reply.expect_status(StatusCode::CREATED);
    let receipt = reply.json();
    assert!(receipt["reference"].as_str().unwrap().starts_with("AV-"));
    assert_eq!(receipt["indicative"], true);
    assert!(receipt["result"]["incl_vat"].is_string(), "{receipt}");
    assert_eq!(
        list(&app, "").await["total"],
        0,
        "a honeypot request is not stored"
    );
    // An empty (or absent) website is a person.
    let mut absent = request_body("Mens B.V.");
    absent.as_object_mut().unwrap().remove("website");
    submit(&app, &absent)
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(list(&app, "").await["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_configured_origins_only() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.cors_origins = vec![BUREAU.into()]).await;
    let preflight = |origin: &'static str| {
        send(
            app.request(Method::OPTIONS, PATH, None)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type"),
        )
    };
    let allowed = preflight(BUREAU).await;
    assert!(
        allowed.status.is_success(),
        "{}: {}",
        allowed.status,
        allowed.text
    );
    assert_eq!(allowed.header("access-control-allow-origin"), Some(BUREAU));
    let methods = allowed
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(headers.contains("content-type"), "{headers}");

    let refused = preflight("https://evil.example").await;
    assert!(
        !refused.status.is_success(),
        "a foreign preflight got {}",
        refused.status
    );
    assert_eq!(refused.header("access-control-allow-origin"), None);

    // The request itself.
    let reply = send(
        app.request(Method::POST, PATH, None)
            .header("origin", BUREAU)
            .json(&request_body("Cors B.V.")),
    )
    .await;
    reply.expect_status(StatusCode::CREATED);
    assert_eq!(reply.header("access-control-allow-origin"), Some(BUREAU));
    let foreign = send(
        app.request(Method::POST, PATH, None)
            .header("origin", "https://evil.example")
            .json(&request_body("Evil B.V.")),
    )
    .await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);

    // Without configured origins, no origin is allowed.
    let closed = spawn_app(Backend::Sqlite).await;
    let reply = send(
        closed
            .request(Method::OPTIONS, PATH, None)
            .header("origin", BUREAU)
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_turns_to_429_and_recovers() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.rate_limit_burst = 3;
        s.rate_limit_per_minute = 60;
    })
    .await;
    for i in 0..3 {
        submit(&app, &request_body(&format!("Burst {i} B.V.")))
            .await
            .expect_status(StatusCode::CREATED);
    }
    let limited = submit(&app, &request_body("Te veel B.V.")).await;
    let problem = limited.expect_problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["type"], "urn:offerte:problem:too-many-requests");
    assert_eq!(
        limited.header("retry-after"),
        Some("1"),
        "{:?}",
        limited.headers
    );
    // Bad requests count too (a flood of garbage is a flood).
    submit(&app, &json!({}))
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);

    // Only the public form is limited: staff endpoints, health, the embed files are not.
    for _ in 0..10 {
        list(&app, "").await;
        app.call(Method::GET, "/healthz", None, None)
            .await
            .expect_status(StatusCode::OK);
        app.call(Method::GET, "/embed/offerte-form.js", None, None)
            .await
            .expect_status(StatusCode::OK);
        app.call(Method::GET, "/api/v1/catalog", None, None)
            .await
            .expect_status(StatusCode::OK);
    }
    app.post("/api/v1/quotes", &quote_body("Staff B.V."))
        .await
        .expect_status(StatusCode::CREATED);

    // One token a second comes back.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    submit(&app, &request_body("Weer B.V."))
        .await
        .expect_status(StatusCode::CREATED);
    submit(&app, &request_body("Weer te veel B.V."))
        .await
        .expect_problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(list(&app, "").await["total"], 4);
}

async fn conversion(backend: Backend) {
    let app = spawn_app(backend).await;
    let (reference, id) = submitted(&app, "Omzetten B.V.").await;
    let reply = app.post(&format!("{PATH}/{id}/quote"), &json!({})).await;
    reply.expect_status(StatusCode::CREATED);
    let quote = reply.json();
    let quote_id = quote["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/quotes/{quote_id}").as_str())
    );
    assert_eq!(quote["status"], "draft");
    let request = app.get(&format!("{PATH}/{id}")).await.json();
    assert_eq!(quote["employer"], request["employer"]);
    assert_eq!(quote["employee"], request["employee"]);
    assert_eq!(
        quote["computation"]["tier"]["code"],
        request["indicative"]["tier"]["code"]
    );
    assert_eq!(
        quote["computation"]["totals"]["incl_vat"],
        request["indicative"]["incl_vat"]
    );
    // Linked both ways: the request names the quote, the quote's record names the request.
    assert_eq!(request["status"], "converted");
    assert_eq!(request["quote_id"], quote_id);
    assert!(request["decided_at"].is_string());
    assert_eq!(app.quote(quote_id).await, quote);
    let events = app.events(quote_id).await;
    let note = format!("made from quote request {reference}");
    assert!(
        events.iter().any(|e| e["reason"] == note.as_str()),
        "{events:?}"
    );

    // A second conversion, and a rejection of a converted request, are conflicts.
    let again = app.post(&format!("{PATH}/{id}/quote"), &json!({})).await;
    again.expect_conflict("converted", &[]);
    app.post(&format!("{PATH}/{id}/reject"), &json!({}))
        .await
        .expect_conflict("converted", &[]);
    assert_eq!(app.list("").await["total"], 1, "one quote only");

    // Rejecting, with a reason; a rejected request is not converted.
    let (_, other) = submitted(&app, "Afwijzen B.V.").await;
    let rejected = app
        .post(
            &format!("{PATH}/{other}/reject"),
            &json!({"reason": "outside our region"}),
        )
        .await;
    rejected.expect_status(StatusCode::OK);
    let rejected = rejected.json();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "outside our region");
    app.post(&format!("{PATH}/{other}/quote"), &json!({}))
        .await
        .expect_conflict("rejected", &[]);
    let (_, third) = submitted(&app, "Zonder reden B.V.").await;
    app.post(&format!("{PATH}/{third}/reject"), &json!({}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(list(&app, "?status=rejected").await["total"], 2);
    assert_eq!(list(&app, "?status=converted").await["total"], 1);

    // Unknown ids.
    app.post(&format!("{PATH}/{}/quote", Uuid::new_v4()), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    app.post(&format!("{PATH}/not-a-uuid/reject"), &json!({}))
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    // Finance may not convert.
    app.call(
        Method::POST,
        &format!("{PATH}/{third}/quote"),
        Some(&app.keys.finance),
        None,
    )
    .await
    .expect_problem(StatusCode::FORBIDDEN);
}

async fn erasure(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, id) = submitted(&app, "Vergeet Mij B.V.").await;
    let path = format!("{PATH}/{id}");
    app.call(Method::DELETE, &path, Some(&app.keys.sales), None)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    app.call(Method::DELETE, &path, None, None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    let erased = app
        .call(Method::DELETE, &path, Some(&app.keys.admin), None)
        .await;
    erased.expect_status(StatusCode::NO_CONTENT);
    assert!(erased.text.is_empty());
    app.get(&path).await.expect_problem(StatusCode::NOT_FOUND);
    assert_eq!(list(&app, "").await["total"], 0);
    app.call(Method::DELETE, &path, Some(&app.keys.admin), None)
        .await
        .expect_problem(StatusCode::NOT_FOUND);

    // Erasing a converted request keeps the quote.
    let (_, converted) = submitted(&app, "Klant B.V.").await;
    let quote = app
        .post(&format!("{PATH}/{converted}/quote"), &json!({}))
        .await
        .json();
    app.call(
        Method::DELETE,
        &format!("{PATH}/{converted}"),
        Some(&app.keys.admin),
        None,
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    app.quote(quote["id"].as_str().unwrap()).await;
}

/// A copy of `template` made `days` ago under a new id and reference, written straight to the
/// database.
async fn insert_old(
    store: &Store,
    template: &QuoteRequest,
    days: u64,
    status: RequestStatus,
) -> Uuid {
    let at = Utc::now().checked_sub_days(Days::new(days)).unwrap();
    let id = Uuid::now_v7();
    let record = QuoteRequest {
        id,
        reference: offerte::requests::model::new_reference(),
        status,
        consent_at: at,
        created_at: at,
        updated_at: at,
        ..template.clone()
    };
    store
        .create_request(&record, &[])
        .await
        .expect("an old request");
    id
}

async fn retention_purge(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, recent) = submitted(&app, "Recent B.V.").await;
    let template: QuoteRequest =
        serde_json::from_value(app.get(&format!("{PATH}/{recent}")).await.json())
            .expect("a request");
    let store = Store::connect(&app.db.url).await.expect("the database");
    let old_new = insert_old(&store, &template, 200, RequestStatus::New).await;
    let old_rejected = insert_old(&store, &template, 181, RequestStatus::Rejected).await;
    let young = insert_old(&store, &template, 179, RequestStatus::New).await;
    // An old request that became a quote is kept (the quote is the business record).
    let old_converted = insert_old(&store, &template, 400, RequestStatus::New).await;
    app.post(&format!("{PATH}/{old_converted}/quote"), &json!({}))
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(list(&app, "").await["total"], 5);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_offerte"))
        .args(["purge", "--database-url", &app.db.url])
        .env("OFFERTE_REQUEST_RETENTION_DAYS", "180")
        .env_remove("DATABASE_URL")
        .output()
        .expect("offerte purge runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("deleted 2 quote request(s) older than 180 days"),
        "{stdout}"
    );
    for gone in [old_new, old_rejected] {
        app.get(&format!("{PATH}/{gone}"))
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    for kept in [young.to_string(), old_converted.to_string(), recent.clone()] {
        app.get(&format!("{PATH}/{kept}"))
            .await
            .expect_status(StatusCode::OK);
    }

    // The server's own sweep does the same with its configured retention.
    let another_old = insert_old(&store, &template, 10, RequestStatus::New).await;
    let mut app = app;
    app.restart_with(|s| {
        s.request_retention_days = 5;
        s.sweep_seconds = 1;
    })
    .await;
    let mut gone = false;
    for _ in 0..50 {
        if app.get(&format!("{PATH}/{another_old}")).await.status == StatusCode::NOT_FOUND {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(gone, "the sweep deletes requests past the retention");
    app.get(&format!("{PATH}/{recent}"))
        .await
        .expect_status(StatusCode::OK);
}

on_both_backends!(happy_path, honeypot, conversion, erasure, retention_purge);
