//! Webhooks through the outbox, against a real receiver on loopback
//! (`tests/support/webhook_receiver.py`) that verifies every delivery with the Python
//! `standardwebhooks` package, an implementation independent of ours: every event arrives
//! signed with the record as the API returns it; a failing receiver gets the event again with
//! the same `webhook-id`, and a quote's events arrive in order while another quote's pass;
//! `Retry-After` is honoured; a 410 disables the endpoint until an admin retries; endpoints get
//! the events they filter for, signed with both secrets while rotating. (SIGKILL with queued
//! deliveries: `crash.rs`.)

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::email::servers::{Server, python};
use crate::email::{form, link_path, sink};
use crate::helpers::{Backend, TestApp, days_ago, quote_body, spawn_app_with};

pub(crate) const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// A receiver verifying with `secret`, answering as `args` say.
pub(crate) fn receiver(python: &Path, secret: &str, args: &[&str]) -> Server {
    let mut all = vec!["--port", "0", "--secret", secret];
    all.extend_from_slice(args);
    Server::start(python, "webhook_receiver.py", &all)
}

/// What the receiver got, in order of arrival, once it has at least `n` (20 s at most).
pub(crate) fn received(server: &Server, n: usize) -> Vec<Value> {
    received_until(server, |got| got.len() >= n)
}

/// What the receiver got, in order of arrival, once `done` holds for it (60 s at most: generous,
/// for a busy CI machine).
pub(crate) fn received_until(server: &Server, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got: Vec<Value> = (1..=server.count("json"))
            .map(|i| server.json(&format!("{i}.json")))
            .collect();
        if done(&got) {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "the receiver got only {}: {got:#?}",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A delivery's body.
pub(crate) fn body(record: &Value) -> Value {
    serde_json::from_str(record["body"].as_str().unwrap()).unwrap()
}

fn event_type(record: &Value) -> String {
    body(record)["type"].as_str().unwrap().to_string()
}

async fn hooked(backend: Backend, port: u16) -> TestApp {
    spawn_app_with(backend, |s| {
        s.webhook_url = Some(format!("http://127.0.0.1:{port}/hooks/offerte"));
        s.webhook_secret = Some(SECRET.into());
        s.sweep_seconds = 1;
    })
    .await
}

/// The admin's list of deliveries for a query string.
pub(crate) async fn deliveries(app: &TestApp, query: &str) -> Value {
    let reply = app
        .call(
            Method::GET,
            &format!("/api/v1/webhook-deliveries{query}"),
            Some(&app.keys.admin),
            None,
        )
        .await;
    reply.expect_status(StatusCode::OK);
    reply.json()
}

/// The admin's list once `done` holds for its items (60 s at most).
pub(crate) async fn deliveries_until(
    app: &TestApp,
    query: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let list = deliveries(app, query).await["items"]
            .as_array()
            .cloned()
            .unwrap();
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "deliveries stayed {list:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_string()
}

/// Every event type, through the API and the employer's pages, arrives signed, with the
/// record as the API answered the change; a honeypot request sends nothing.
async fn every_event_arrives_signed(backend: Backend) {
    let Some(python) = python() else { return };
    let hook = receiver(&python, SECRET, &[]);
    let smtp = sink(&python, &["--port", "0"]);
    let app = spawn_app_with(backend, |s| {
        s.webhook_url = Some(format!("http://127.0.0.1:{}/hooks/offerte", hook.port));
        s.webhook_secret = Some(SECRET.into());
        s.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
        s.sweep_seconds = 1;
    })
    .await;
    let mut expected: Vec<(&str, Value)> = Vec::new();

    // Requests: one created, converted; one rejected; a honeypot (nothing).
    let request = |company: &str| {
        json!({
            "employer": quote_body(company)["employer"], "employee": {"reference": "PV-1"},
            "circumstances": crate::helpers::circumstances(), "consent": true
        })
    };
    let mut bot = request("Bot B.V.");
    bot["website"] = json!("http://spam.example");
    for body in [request("Aanvraag B.V."), bot, request("Afgewezen B.V.")] {
        let reply = app
            .call(Method::POST, "/api/v1/quote-requests", None, Some(&body))
            .await;
        reply.expect_status(StatusCode::CREATED);
    }
    let list = app.get("/api/v1/quote-requests").await.json();
    let requests = list["items"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "the honeypot is not stored");
    let (rejected_id, converted_id) = (id_of(&requests[0]), id_of(&requests[1]));
    expected.push(("quote_request.created", requests[1].clone()));
    expected.push(("quote_request.created", requests[0].clone()));
    let reply = app
        .post(
            &format!("/api/v1/quote-requests/{converted_id}/quote"),
            &json!({}),
        )
        .await;
    reply.expect_status(StatusCode::CREATED);
    let from_request = reply.json();
    expected.push(("quote.created", from_request.clone()));
    let converted = app
        .get(&format!("/api/v1/quote-requests/{converted_id}"))
        .await
        .json();
    expected.push(("quote_request.converted", converted));
    let rejected = app
        .post(
            &format!("/api/v1/quote-requests/{rejected_id}/reject"),
            &json!({"reason": "buiten de regio"}),
        )
        .await
        .json();
    expected.push(("quote_request.rejected", rejected));

    // A quote: edited, sent, revised; the revision sent by e-mail, viewed and accepted online.
    let id = id_of(&from_request);
    let mut changes = quote_body("Aanvraag B.V.");
    changes["employee"] = json!({"reference": "PV-2", "hours_per_week": 24});
    changes.as_object_mut().unwrap().remove("circumstances");
    let reply = app.patch(&format!("/api/v1/quotes/{id}"), &changes).await;
    reply.expect_status(StatusCode::OK);
    expected.push(("quote.updated", reply.json()));
    expected.push(("quote.sent", app.move_to(&id, "sent", None).await));
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    let revision = reply.json();
    expected.push(("quote.revised", revision.clone()));
    let second = id_of(&revision);
    let reply = app
        .post(&format!("/api/v1/quotes/{second}/send"), &json!({}))
        .await;
    reply.expect_status(StatusCode::ACCEPTED);
    expected.push(("quote.sent", reply.json()));
    let link = link_path(&smtp.file("1.eml"));
    app.request(Method::GET, &link, None)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    expected.push(("quote.viewed", app.quote(&second).await));
    let answer = form(
        &app,
        &format!("{link}/accept"),
        &[("name", "J. de Vries"), ("agree", "yes")],
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    expected.push(("quote.accepted", app.quote(&second).await));

    // Withdrawn, declined, expired (validity over: the sweep stores it).
    let withdrawn = app.create_quote(&quote_body("Teruggetrokken B.V.")).await;
    expected.push(("quote.created", withdrawn.clone()));
    let w = id_of(&withdrawn);
    expected.push(("quote.withdrawn", app.move_to(&w, "withdrawn", None).await));
    let declined = app.create_quote(&quote_body("Afgeslagen B.V.")).await;
    expected.push(("quote.created", declined.clone()));
    let d = id_of(&declined);
    expected.push(("quote.sent", app.move_to(&d, "sent", None).await));
    expected.push((
        "quote.declined",
        app.move_to(&d, "declined", Some("te duur")).await,
    ));
    let mut old = quote_body("Verlopen B.V.");
    old["circumstances"]["quote_date"] = json!(days_ago(40).to_string());
    let lapsing = app.create_quote(&old).await;
    expected.push(("quote.created", lapsing.clone()));
    let e = id_of(&lapsing);
    let sent = app.move_to(&e, "sent", None).await;
    expected.push(("quote.sent", sent));
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.events(&e).await.last().unwrap().get("id").is_none() {
        assert!(Instant::now() < deadline, "the sweep stored the expiry");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    expected.push(("quote.expired", app.quote(&e).await));

    let got = received(&hook, expected.len());
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for record in &got {
        assert_eq!(record["signature_ok"], true, "{record}");
        assert_eq!(record["path"], "/hooks/offerte");
        assert!(record["id"].as_str().unwrap().starts_with("msg_"));
        assert!(!record["body"].as_str().unwrap().contains("Bot B.V."));
    }
    let mut types: Vec<String> = got.iter().map(event_type).collect();
    types.sort();
    let mut wanted: Vec<String> = expected.iter().map(|(t, _)| t.to_string()).collect();
    wanted.sort();
    assert_eq!(types, wanted, "every event once");
    for (kind, data) in &expected {
        let found = got.iter().map(body).find(|b| {
            b["type"] == *kind
                && b["data"]["id"] == data["id"]
                && b["data"]["updated_at"] == data["updated_at"]
        });
        let found = found.unwrap_or_else(|| panic!("no {kind} for {}", data["id"]));
        assert_eq!(
            &found["data"], data,
            "{kind}: the record as the API returns it"
        );
        let at = chrono::DateTime::parse_from_rfc3339(found["timestamp"].as_str().unwrap());
        assert!(at.is_ok(), "{found}");
    }
    // The admin sees each with the webhook-id the receiver logged.
    let listed = deliveries(&app, "?per_page=100").await;
    assert_eq!(listed["total"], expected.len());
    for record in &got {
        let item = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["webhook_id"] == record["id"])
            .unwrap_or_else(|| panic!("{record} listed"));
        assert_eq!(item["status"], "sent");
        assert_eq!(item["event"], event_type(record));
        assert_eq!(
            item["endpoint"],
            format!("http://127.0.0.1:{}/hooks/offerte", hook.port)
        );
        assert_eq!(item["attempts"][0]["status_code"], 200);
    }
}

/// A receiver that fails once gets the event again with the same `webhook-id`; the quote's
/// later events wait for it and arrive in order, while another quote's event passes.
async fn a_failing_receiver_gets_the_event_again_in_order(backend: Backend) {
    let Some(python) = python() else { return };
    let hook = receiver(&python, SECRET, &["--fail-first", "1"]);
    let app = hooked(backend, hook.port).await;
    let a = app.create_quote(&quote_body("Eerst B.V.")).await;
    let a_id = id_of(&a);
    let first = received(&hook, 1);
    assert_eq!(first[0]["status"], 500);
    // Another quote's event does not wait for this one's retry (5 s away).
    let b = app.create_quote(&quote_body("Tweede B.V.")).await;
    received(&hook, 2);
    let mut changes = json!({"employee": {"reference": "PV-9", "hours_per_week": 20}});
    app.patch(&format!("/api/v1/quotes/{a_id}"), &changes)
        .await
        .expect_status(StatusCode::OK);
    changes["employee"]["hours_per_week"] = json!(16);
    app.patch(&format!("/api/v1/quotes/{a_id}"), &changes)
        .await
        .expect_status(StatusCode::OK);
    app.move_to(&a_id, "sent", None).await;

    let got = received(&hook, 6);
    let seen: Vec<(String, String)> = got
        .iter()
        .map(|r| {
            (
                event_type(r),
                body(r)["data"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let b_id = id_of(&b);
    let expected = [
        ("quote.created", &a_id),
        ("quote.created", &b_id),
        ("quote.created", &a_id),
        ("quote.updated", &a_id),
        ("quote.updated", &a_id),
        ("quote.sent", &a_id),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, id)| (t.to_string(), id.to_string()))
        .collect();
    assert_eq!(
        seen, expected,
        "the retry first, then the quote's events in order"
    );
    assert_eq!(
        got[2]["id"], got[0]["id"],
        "the same webhook-id on the retry"
    );
    assert_eq!(got[2]["body"], got[0]["body"], "the same body");
    assert_ne!(got[2]["timestamp"], json!(null));
    assert!(got.iter().all(|r| r["signature_ok"] == true));
    assert_eq!(body(&got[4])["data"]["employee"]["hours_per_week"], 16);

    let list = deliveries_until(
        &app,
        &format!("?quote_id={a_id}&event=quote.created"),
        |l| l.len() == 1 && l[0]["status"] == "sent",
    )
    .await;
    let attempts = list[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{list:#?}");
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["status_code"], 500);
    assert!(
        attempts[0]["error"].as_str().unwrap().contains("500"),
        "{attempts:?}"
    );
    assert_eq!(attempts[1]["status_code"], 200);
    assert!(attempts[1].get("error").is_none());
    assert_eq!(list[0]["webhook_id"], got[0]["id"]);
}

/// A `Retry-After` longer than the schedule's next step is honoured.
async fn retry_after_is_honoured(backend: Backend) {
    let Some(python) = python() else { return };
    let hook = receiver(
        &python,
        SECRET,
        &["--fail-first", "1", "--retry-after", "120"],
    );
    let app = hooked(backend, hook.port).await;
    app.create_quote(&quote_body("Later B.V.")).await;
    let list = deliveries_until(&app, "", |l| {
        l.len() == 1 && l[0]["attempts"].as_array().is_some_and(|a| a.len() == 1)
    })
    .await;
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let wait = at(&list[0]["next_attempt_at"]) - at(&list[0]["attempts"][0]["at"]);
    assert_eq!(list[0]["status"], "queued");
    // 120 s asked, stretched by the delivery's own spread (up to 10 %).
    assert!(
        (115..=137).contains(&wait.num_seconds()),
        "the next attempt {wait} after the first, not 5 s: {list:#?}"
    );
    assert_eq!(list[0]["attempts"][0]["status_code"], 500);
}

/// A 410 fails the delivery and disables the endpoint: later events are not sent to it. An
/// admin's retry enables it again and delivers with the same `webhook-id`.
async fn gone_disables_the_endpoint_until_a_retry(backend: Backend) {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status");
    std::fs::write(&status, "410").unwrap();
    let hook = receiver(
        &python,
        SECRET,
        &["--status-file", status.to_str().unwrap()],
    );
    let app = hooked(backend, hook.port).await;
    let quote = app.create_quote(&quote_body("Weg B.V.")).await;
    let id = id_of(&quote);
    let gone = deliveries_until(&app, "", |l| l.len() == 1 && l[0]["status"] == "failed").await;
    assert_eq!(gone[0]["endpoint_disabled"], true);
    assert_eq!(gone[0]["attempts"][0]["status_code"], 410);
    app.move_to(&id, "sent", None).await;
    let list = deliveries_until(&app, "?status=failed", |l| l.len() == 2).await;
    let sent = &list[0];
    assert_eq!(sent["event"], "quote.sent");
    assert!(
        sent["last_error"].as_str().unwrap().contains("disabled"),
        "{sent}"
    );
    assert!(
        sent["attempts"][0].get("status_code").is_none(),
        "not sent: {sent}"
    );
    assert_eq!(hook.count("json"), 1, "nothing more reached the receiver");

    // Fixed at the receiver; the admin retries both (oldest first).
    std::fs::write(&status, "200").unwrap();
    let admin = Some(app.keys.admin.as_str());
    for delivery in [&gone[0], sent] {
        let path = format!(
            "/api/v1/webhook-deliveries/{}/retry",
            delivery["id"].as_str().unwrap()
        );
        let reply = app.call(Method::POST, &path, admin, None).await;
        reply.expect_status(StatusCode::ACCEPTED);
        let retried = reply.json();
        assert_eq!(retried["endpoint_disabled"], false);
        assert!(
            matches!(retried["status"].as_str(), Some("queued" | "sent")),
            "{retried}"
        );
    }
    let got = received(&hook, 3);
    assert_eq!(got[1]["id"], gone[0]["webhook_id"], "the same webhook-id");
    assert_eq!(got[2]["id"], sent["webhook_id"]);
    assert_eq!(
        (got[1]["status"].clone(), got[2]["status"].clone()),
        (json!(200), json!(200))
    );
    deliveries_until(&app, "?status=sent", |l| l.len() == 2).await;
}

/// Endpoints from `[[webhooks]]` get only the events they filter for; one with two secrets
/// (rotating) signs with both, and a receiver knowing only the old one verifies it.
async fn endpoints_get_what_they_filter_for(backend: Backend) {
    use offerte::config::WebhookSettings;
    let Some(python) = python() else { return };
    let requests = receiver(&python, SECRET, &[]);
    let rotating = receiver(&python, SECRET, &[]);
    let app = spawn_app_with(backend, |s| {
        s.webhooks = vec![
            WebhookSettings {
                url: format!("http://127.0.0.1:{}/requests", requests.port),
                secret: Some(SECRET.into()),
                secrets: Vec::new(),
                events: vec!["quote_request.*".into()],
            },
            WebhookSettings {
                url: format!("http://127.0.0.1:{}/quotes", rotating.port),
                secret: None,
                secrets: vec![NEW_SECRET.into(), SECRET.into()],
                events: vec!["quote.created".into(), "quote.withdrawn".into()],
            },
        ];
    })
    .await;
    let body = json!({
        "employer": quote_body("Filter B.V.")["employer"], "employee": {"reference": "PV-1"},
        "circumstances": crate::helpers::circumstances(), "consent": true
    });
    app.call(Method::POST, "/api/v1/quote-requests", None, Some(&body))
        .await
        .expect_status(StatusCode::CREATED);
    let quote = app.create_quote(&quote_body("Filter B.V.")).await;
    app.move_to(&id_of(&quote), "sent", None).await;
    app.move_to(&id_of(&quote), "withdrawn", None).await;

    let got = received(&requests, 1);
    assert_eq!(event_type(&got[0]), "quote_request.created");
    let got = received(&rotating, 2);
    let types: Vec<String> = got.iter().map(event_type).collect();
    assert_eq!(
        types,
        ["quote.created", "quote.withdrawn"],
        "not quote.sent"
    );
    for record in &got {
        assert_eq!(record["signature_ok"], true, "{record}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!((requests.count("json"), rotating.count("json")), (1, 2));
    let listed = deliveries(&app, "").await;
    assert_eq!(listed["total"], 3);
}

on_both_backends!(
    every_event_arrives_signed,
    a_failing_receiver_gets_the_event_again_in_order,
    retry_after_is_honoured,
    gone_disables_the_endpoint_until_a_retry,
    endpoints_get_what_they_filter_for,
);
