//! Quotes by e-mail through the durable outbox, against a real SMTP server (`aiosmtpd`, from
//! `tests/support/smtp_sink.py`) on loopback: the message that arrives carries the PDF whose
//! SHA-256 the `sent` event recorded; a relay that is down at send time gets the mail once it is
//! up; two instances on one PostgreSQL deliver each job once; without a relay, `send` says so.

use mail_parser::{MessageParser, MimeHeaders};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, TestApp, quote_body, spawn_app, spawn_app_with};
#[path = "../support/servers.rs"]
pub(crate) mod servers;
use servers::{Server, python};

pub(crate) fn sink(python: &std::path::Path, args: &[&str]) -> Server {
    Server::start(python, "smtp_sink.py", args)
}

pub(crate) async fn with_relay(backend: Backend, port: u16) -> TestApp {
    spawn_app_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.public_url = Some("https://offerte.werkpad.example/".into());
    })
    .await
}

async fn draft(app: &TestApp, company: &str) -> String {
    app.create_quote(&quote_body(company)).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The deliveries of a quote once `done` says they are where the test wants them (60 s at most:
/// generous, for a busy CI machine; a passing test returns as soon as they are).
pub(crate) async fn deliveries_until(
    app: &TestApp,
    id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reply = app.get(&format!("/api/v1/quotes/{id}/deliveries")).await;
        reply.expect_status(StatusCode::OK);
        let list = reply.json().as_array().cloned().unwrap();
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "deliveries stayed {list:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_sent_quote_arrives_with_the_pdf_whose_hash_was_recorded(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = with_relay(backend, smtp.port).await;
    let id = draft(&app, "Mail B.V.").await;

    let reply = app
        .post(
            &format!("/api/v1/quotes/{id}/send"),
            &json!({"cc": ["directie@mail.example"], "message": "Zoals besproken.\nTot ziens!"}),
        )
        .await;
    reply.expect_status(StatusCode::ACCEPTED);
    let quote = reply.json();
    assert_eq!(quote["status"], "sent");
    let number = quote["display_number"].as_str().unwrap().to_string();

    let raw = smtp.file("1.eml");
    let message = MessageParser::default().parse(&raw).expect("a mail");
    assert!(
        message.subject().unwrap_or_default().contains(&number),
        "{:?}",
        message.subject()
    );
    let to: Vec<String> = message
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    assert_eq!(to, vec!["hr@example.nl".to_string()]);
    let text = message.body_text(0).unwrap().to_string();
    assert!(text.contains("Zoals besproken."), "{text}");
    assert!(
        text.contains("https://offerte.werkpad.example/q/"),
        "{text}"
    );
    assert!(message.body_html(0).is_some(), "an HTML part");
    let pdf = message
        .attachments()
        .find(|a| a.attachment_name() == Some(&format!("{number}.pdf")))
        .expect("the PDF under the document's name");
    let sha = hex::encode(Sha256::digest(pdf.contents()));

    let events = app.events(&id).await;
    let sent = events.iter().find(|e| e["to"] == "sent").unwrap();
    assert_eq!(
        sent["document_sha256"], sha,
        "the attached PDF is the one recorded"
    );
    assert!(
        sent["reason"].as_str().unwrap().contains("hr@example.nl"),
        "{sent}"
    );

    let list = deliveries_until(&app, &id, |l| l.iter().all(|d| d["status"] == "sent")).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["topic"], "quote_sent");
    assert_eq!(list[0]["attempts"], 1);
    assert!(
        list[0]["recipient"]
            .as_str()
            .unwrap()
            .contains("directie@mail.example")
    );
}

async fn a_relay_that_is_down_gets_the_mail_once_it_is_up(backend: Backend) {
    let Some(python) = python() else { return };
    // The relay's port is bound but refuses connections until the sink is told to open it.
    let smtp = sink(&python, &["--port", "0", "--down-until", "up"]);
    let app = with_relay(backend, smtp.port).await;
    let id = draft(&app, "Later B.V.").await;
    app.post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let failed_once = deliveries_until(&app, &id, |l| {
        l[0]["attempts"] == 1 && l[0]["last_error"].is_string()
    })
    .await;
    assert_eq!(failed_once[0]["status"], "queued", "{failed_once:?}");
    assert!(failed_once[0]["next_attempt_at"].is_string());

    // The relay comes up on that port; the retry (5 s after the first try) delivers.
    smtp.touch("up");
    smtp.file("1.eml");
    let done = deliveries_until(&app, &id, |l| l[0]["status"] == "sent").await;
    assert_eq!(done[0]["attempts"], 2, "{done:?}");
    assert!(done[0]["done_at"].is_string());
}

async fn without_a_relay_sending_is_refused_and_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = draft(&app, "Geen Mail B.V.").await;
    let problem = app
        .post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
        .await
        .expect_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"].as_str().unwrap().contains("smtp_url"),
        "{problem}"
    );
    assert_eq!(app.quote(&id).await["status"], "draft");
    let bad = app
        .post(
            &format!("/api/v1/quotes/{id}/send"),
            &json!({"to": "not-an-address"}),
        )
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "to", "{bad}");
}

/// Two instances share one PostgreSQL database and one relay: each e-mail arrives once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_each_job_once() {
    if !crate::helpers::backend_available(
        Backend::Postgres,
        "email::two_instances_deliver_each_job_once",
    ) {
        return;
    }
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let first = with_relay(Backend::Postgres, smtp.port).await;
    let second = first.second_server().await;
    const QUOTES: usize = 12;
    for i in 0..QUOTES {
        let server = if i % 2 == 0 { &first } else { &second };
        let id = draft(server, &format!("Dubbel {i} B.V.")).await;
        server
            .post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    smtp.file(&format!("{QUOTES}.eml"));
    // Both workers keep polling a while longer: nothing arrives twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.count("eml"), QUOTES);
    let mut ids = std::collections::BTreeSet::new();
    for n in 1..=QUOTES {
        let raw = smtp.file(&format!("{n}.eml"));
        let message = MessageParser::default().parse(&raw).unwrap();
        ids.insert(message.message_id().unwrap().to_string());
    }
    assert_eq!(ids.len(), QUOTES, "distinct Message-IDs");
}

on_both_backends!(
    a_sent_quote_arrives_with_the_pdf_whose_hash_was_recorded,
    a_relay_that_is_down_gets_the_mail_once_it_is_up,
    without_a_relay_sending_is_refused_and_nothing_changes,
);

/// The link in the e-mail (`https://.../q/<token>`) as a path on the test server.
pub(crate) fn link_path(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).unwrap();
    let text = message.body_text(0).unwrap().to_string();
    let start = text.find("/q/").expect("a link in the e-mail");
    let token: String = text[start + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    format!("/q/{token}")
}

pub(crate) async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn the_employer_reads_and_accepts_online(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = with_relay(backend, smtp.port).await;
    let id = draft(&app, "Online B.V.").await;
    app.post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let path = link_path(&smtp.file("1.eml"));

    // The page: the quote, the forms, and headers that keep the token to itself.
    let page = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(
        headers["x-robots-tag"]
            .to_str()
            .unwrap()
            .contains("noindex")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Online B.V."), "the document");
    assert!(html.contains(&format!("{path}/accept")), "the accept form");
    let viewed = app.events(&id).await;
    assert_eq!(
        viewed
            .iter()
            .filter(|e| e["reason"] == "viewed online")
            .count(),
        1
    );
    reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(
        app.events(&id)
            .await
            .iter()
            .filter(|e| e["reason"] == "viewed online")
            .count(),
        1,
        "the first view only"
    );
    // The PDF download.
    let pdf = reqwest::get(app.url(&format!("{path}/pdf"))).await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    // A wrong token: a plain 404.
    let wrong = reqwest::get(app.url("/q/AAAAAAAAAAAAAAAAAAAAAA"))
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert_eq!(wrong.text().await.unwrap(), "Not found");

    // Without a name, or without the box: back to the page with the reason; nothing changes.
    let reply = form(
        &app,
        &format!("{path}/accept"),
        &[("name", " "), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(reply.headers()["location"], format!("{path}?e=name"));
    let reply = form(&app, &format!("{path}/accept"), &[("name", "M. Bakker")]).await;
    assert_eq!(reply.headers()["location"], format!("{path}?e=agree"));
    assert_eq!(app.quote(&id).await["status"], "sent");

    let reply = form(
        &app,
        &format!("{path}/accept"),
        &[("name", "M. Bakker"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(reply.headers()["location"], path);
    let quote = app.quote(&id).await;
    assert_eq!(quote["status"], "accepted");
    let events = app.events(&id).await;
    let accepted = events.iter().find(|e| e["to"] == "accepted").unwrap();
    assert_eq!(accepted["name"], "M. Bakker");
    assert_eq!(accepted["role"], "employer");
    let sent = events.iter().find(|e| e["to"] == "sent").unwrap();
    assert!(accepted["document_sha256"].is_string(), "{accepted}");
    assert_ne!(
        accepted["document_sha256"], sent["document_sha256"],
        "the document accepted is the one sent with its signature block filled in"
    );
    // The document now carries the acceptance in its signature block (staff and employer).
    let text = app
        .get(&format!("/api/v1/quotes/{id}/document?format=txt"))
        .await
        .text;
    assert!(text.contains("M. Bakker"), "{text}");
    // The page now says so, and a second answer is refused.
    let html = reqwest::get(app.url(&path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains(&format!("{path}/accept")),
        "no forms once accepted"
    );
    let again = form(&app, &format!("{path}/decline"), &[("reason", "te duur")]).await;
    assert_eq!(again.headers()["location"], format!("{path}?e=closed"));
    assert_eq!(app.quote(&id).await["status"], "accepted");
    // The confirmation, with the PDF, to the employer and the bureau.
    let confirmation = MessageParser::default()
        .parse(&smtp.file("2.eml"))
        .unwrap()
        .into_owned();
    assert!(
        confirmation
            .subject()
            .unwrap()
            .contains(quote["display_number"].as_str().unwrap())
    );
    assert_eq!(confirmation.attachment_count(), 1);
    let cc: Vec<String> = confirmation
        .cc()
        .unwrap()
        .iter()
        .filter_map(|a| a.address().map(str::to_string))
        .collect();
    assert_eq!(cc, vec!["offerte@werkpad.example".to_string()]);
}

async fn a_revised_quote_closes_the_old_link(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = with_relay(backend, smtp.port).await;
    let id = draft(&app, "Herzien B.V.").await;
    app.post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let path = link_path(&smtp.file("1.eml"));
    app.post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
        .await
        .expect_status(StatusCode::CREATED);
    let html = reqwest::get(app.url(&path))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains(&format!("{path}/accept")),
        "no forms on a replaced revision"
    );
    assert!(html.contains("vervangen"), "the page says it was replaced");
    let reply = form(
        &app,
        &format!("{path}/accept"),
        &[("name", "X"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.headers()["location"], format!("{path}?e=closed"));
    assert_eq!(app.quote(&id).await["status"], "superseded");
}

on_both_backends!(
    the_employer_reads_and_accepts_online,
    a_revised_quote_closes_the_old_link,
);

async fn one_reminder_before_the_validity_ends(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
        s.sweep_seconds = 1;
        s.reminder_days = 7;
    })
    .await;
    // Valid for five more days: inside the reminder window.
    let mut body = quote_body("Herinnering B.V.");
    body["circumstances"]["quote_date"] = json!(crate::helpers::days_ago(25).to_string());
    let id = app.create_quote(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A fresh quote (valid 30 days) gets none.
    let fresh = draft(&app, "Vers B.V.").await;
    for quote in [&id, &fresh] {
        app.post(&format!("/api/v1/quotes/{quote}/send"), &json!({}))
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    let list = deliveries_until(&app, &id, |l| {
        l.iter()
            .any(|d| d["topic"] == "reminder" && d["status"] == "sent")
    })
    .await;
    // Several sweeps later: still one reminder, and none for the fresh quote.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let list_after = deliveries_until(&app, &id, |_| true).await;
    assert_eq!(
        list_after
            .iter()
            .filter(|d| d["topic"] == "reminder")
            .count(),
        1,
        "{list:?}"
    );
    let fresh_list = deliveries_until(&app, &fresh, |_| true).await;
    assert!(
        fresh_list.iter().all(|d| d["topic"] != "reminder"),
        "{fresh_list:?}"
    );
    assert_eq!(smtp.count("eml"), 3);
    let events = app.events(&id).await;
    assert!(events.iter().any(|e| {
        e["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("reminder sent"))
    }));
}

async fn accepting_races_a_withdrawal_and_a_second_accept(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = with_relay(backend, smtp.port).await;
    let mut mails = 0;
    for round in 0..3 {
        let id = draft(&app, &format!("Wedloop {round} B.V.")).await;
        app.post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
            .await
            .expect_status(StatusCode::ACCEPTED);
        mails += 1;
        let path = link_path(&smtp.file(&format!("{mails}.eml")));
        let accept = |name: &'static str| {
            let path = format!("{path}/accept");
            let app = &app;
            async move { form(app, &path, &[("name", name), ("agree", "yes")]).await }
        };
        let (first, second, withdraw) = tokio::join!(
            accept("A. Eerste"),
            accept("B. Tweede"),
            app.transition(&id, "withdrawn", None)
        );
        let won: Vec<bool> = [&first, &second]
            .iter()
            .map(|r| r.headers()["location"].to_str().unwrap() == path)
            .collect();
        let status = app.quote(&id).await["status"].as_str().unwrap().to_string();
        let winners =
            won.iter().filter(|w| **w).count() + usize::from(withdraw.status == StatusCode::OK);
        assert_eq!(
            winners, 1,
            "round {round}: exactly one wins (status {status})"
        );
        match status.as_str() {
            "accepted" => withdraw.expect_conflict("accepted", &[]),
            "withdrawn" => assert!(won.iter().all(|w| !w)),
            other => panic!("round {round}: {other}"),
        }
        // Give the confirmation (if any) its place in the sink's numbering before the next round.
        if status == "accepted" {
            mails += 1;
            smtp.file(&format!("{mails}.eml"));
        }
    }
}

on_both_backends!(
    one_reminder_before_the_validity_ends,
    accepting_races_a_withdrawal_and_a_second_accept,
);
