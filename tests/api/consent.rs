//! The employee's written consent, as the people involved meet it: the employer accepts online
//! and asks the employee's consent from the same page (the link e-mailed to an address typed
//! there), the employee reads the cost specification and consents by name; staff see `given`
//! with its time and the specification's hash, the certificate lists it, a second answer changes
//! nothing, and the address is not kept once the e-mail went out. A link dies with its quote's
//! revision, and when it expires; hostile answers change nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::archive::{attachment, pdf_text};
use crate::email::{deliveries_until, form, link_path, servers::python, sink, with_relay};
use crate::helpers::{Backend, TestApp, days_ago, quote_body, spawn_app_with};

const CONSENT_NL: &str =
    "Ik stem ermee in dat deze kosten in mindering worden gebracht op mijn transitievergoeding.";

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The path (`/c/{token}`) of a consent link's URL.
fn consent_path(url: &str) -> String {
    let start = url.find("/c/").expect("a consent link");
    let path = &url[start..];
    let token = &path[3..];
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    assert!(
        token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{token}"
    );
    path.to_string()
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .send()
        .await
        .unwrap()
}

/// A quote sent (staff API, no e-mail), its consent asked by sales: the quote's id and the link.
async fn sent_with_consent_link(app: &TestApp, company: &str) -> (String, Value) {
    let id = app.create_quote(&quote_body(company)).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.move_to(&id, "sent", None).await;
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/employee-consent"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    (id, reply.json())
}

async fn the_employee_consents_after_the_employer_accepts(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = with_relay(backend, smtp.port).await;
    let id = app.create_quote(&quote_body("Toestemming B.V.")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&format!("/api/v1/quotes/{id}/send"), &json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let employer = link_path(&smtp.file("1.eml"));
    let reply = form(
        &app,
        &format!("{employer}/accept"),
        &[("name", "M. Bakker"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    smtp.file("2.eml");
    // Accepted: the consent is pending, and the employer's page offers to ask it.
    let quote = app.quote(&id).await;
    assert_eq!(quote["employee_consent"]["status"], "pending", "{quote}");
    let page = get(&app, &employer).await.text().await.unwrap();
    assert!(page.contains("Toestemming van de werknemer"), "{page}");
    assert!(page.contains(&format!("{employer}/employee-consent")));

    // The employer makes the link and has it e-mailed to the employee.
    let reply = form(
        &app,
        &format!("{employer}/employee-consent"),
        &[("email", "p.jansen@example.org"), ("lang", "nl")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::OK);
    let page = reply.text().await.unwrap();
    let start = page
        .find("https://offerte.werkpad.example/c/")
        .expect("the link");
    let url: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let path = consent_path(&url);
    assert!(page.contains("ook per e-mail"), "{page}");
    let quote = app.quote(&id).await;
    let consent = &quote["employee_consent"];
    assert_eq!(consent["status"], "pending");
    assert!(consent["asked_at"].is_string(), "{consent}");
    let specification = consent["specification_sha256"]
        .as_str()
        .unwrap()
        .to_string();

    // The e-mail: to the employee, the link, the specification attached (the archived bytes).
    let mail = smtp.file("3.eml");
    let text = String::from_utf8_lossy(&mail);
    assert!(text.contains("p.jansen@example.org"));
    assert!(text.contains(&path), "the link in the e-mail");
    let attached = attachment(&mail);
    assert_eq!(sha256(&attached), specification);
    let shown = pdf_text(&attached);
    for expected in ["Kostenspecificatie", "Toestemming B.V.", "Stb. 2015, 171"] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }
    for absent in ["Betalingsschema", "Voorwaarden", "Akkoord opdrachtgever"] {
        assert!(!shown.contains(absent), "{absent} is not for the employee");
    }
    // Once delivered, the address is not kept.
    let deliveries = deliveries_until(&app, &id, |list| {
        list.iter()
            .any(|d| d["topic"] == "employee_consent" && d["status"] == "sent")
    })
    .await;
    let delivery = deliveries
        .iter()
        .find(|d| d["topic"] == "employee_consent")
        .unwrap();
    assert_eq!(delivery["recipient"], "(not kept)", "{delivery}");

    // The employee's page: the specification, the sentence, the forms; the PDF as archived.
    let page = get(&app, &path).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let page = page.text().await.unwrap();
    assert!(page.contains(CONSENT_NL), "{page}");
    assert!(page.contains("Kostenspecificatie"));
    let pdf = get(&app, &format!("{path}/pdf")).await;
    assert_eq!(pdf.headers()["x-document-sha256"], specification.as_str());
    assert_eq!(sha256(&pdf.bytes().await.unwrap()), specification);
    let english = get(&app, &format!("{path}?lang=en")).await;
    let english = english.text().await.unwrap();
    assert!(english.contains("I agree that these costs are deducted"));

    // Without the box, or without a name: back with the reason; nothing changes.
    let reply = form(&app, &format!("{path}/consent"), &[("name", "P. Jansen")]).await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert!(
        reply.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("e=agree")
    );
    let reply = form(
        &app,
        &format!("{path}/consent"),
        &[("name", "  "), ("agree", "yes")],
    )
    .await;
    assert!(
        reply.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("e=name")
    );
    // The page the refusal leads to: the message announced, tied to the field, which has the
    // focus.
    let location = reply.headers()["location"].to_str().unwrap().to_string();
    let refused = get(&app, &location).await.text().await.unwrap();
    assert!(
        refused.contains(r#"<p id="form-error" role="alert""#),
        "{refused}"
    );
    assert!(
        refused.contains(
            r#"autocomplete="name" aria-invalid="true" aria-describedby="form-error" autofocus"#
        ),
        "{refused}"
    );
    let long = "N".repeat(20 * 1024);
    let reply = form(
        &app,
        &format!("{path}/consent"),
        &[("name", long.as_str()), ("agree", "yes")],
    )
    .await;
    assert!(
        reply.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("e=name")
    );
    assert_eq!(
        app.quote(&id).await["employee_consent"]["status"],
        "pending"
    );

    // The employee consents, with markup in the name.
    let name = "<b>P. Jansen</b>";
    let reply = form(
        &app,
        &format!("{path}/consent"),
        &[("name", name), ("agree", "yes"), ("lang", "nl")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let quote = app.quote(&id).await;
    let consent = &quote["employee_consent"];
    assert_eq!(consent["status"], "given", "{quote}");
    assert!(consent["at"].is_string());
    assert_eq!(consent["specification_sha256"], specification.as_str());
    let events = app.events(&id).await;
    let given = events
        .iter()
        .find(|e| e["reason"] == "employee consent given")
        .expect("the consent event");
    assert_eq!(given["name"], name);
    assert_eq!(given["role"], "employee");
    assert_eq!(given["evidence"]["statement"], CONSENT_NL);
    assert_eq!(given["document_sha256"], specification.as_str());
    // The quote stays accepted; its accepted document is still the one the employer signed.
    assert_eq!(quote["status"], "accepted");

    // A second answer changes nothing.
    let count = events.len();
    let reply = form(&app, &format!("{path}/decline"), &[("reason", "toch niet")]).await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.events(&id).await.len(), count);
    assert_eq!(app.quote(&id).await["employee_consent"]["status"], "given");
    let page = get(&app, &path).await.text().await.unwrap();
    assert!(page.contains("U hebt toestemming gegeven op"), "{page}");
    assert!(!page.contains("name=\"agree\""), "no form once answered");
    // The employer's page says so, and offers no new link; the name appears nowhere raw.
    let employer_page = get(&app, &employer).await.text().await.unwrap();
    assert!(employer_page.contains("gegeven op"), "{employer_page}");
    assert!(!employer_page.contains("<b>P. Jansen"));
    // Sales cannot ask again once given.
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/employee-consent"), &json!({}))
        .await;
    reply.expect_problem(StatusCode::CONFLICT);

    // The certificate lists it, with its own hash and times.
    let certificate = app.get(&format!("/api/v1/quotes/{id}/certificate")).await;
    let certificate = certificate.json();
    let section = &certificate["employee_consent"];
    assert_eq!(section["status"], "given", "{certificate}");
    assert_eq!(section["name"], name);
    assert_eq!(section["statement"], CONSENT_NL);
    assert_eq!(section["specification"]["sha256"], specification.as_str());
    assert_eq!(section["specification"]["archived"], true);
    let steps: Vec<&str> = certificate["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for step in ["accepted", "consent_asked", "consent_given"] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    assert_eq!(
        certificate["accepted_document"]["sha256"],
        events
            .iter()
            .find(|e| e["to"] == "accepted" && e["from"] == "sent")
            .unwrap()["document_sha256"]
    );
    let key = app.keys.sales.clone();
    let pdf = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/quotes/{id}/certificate?format=pdf"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    let text = pdf_text(&pdf.bytes().await.unwrap());
    for shown in ["Toestemming werknemer", name, "Ik stem ermee in"] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    // The specification is recognised by its bytes.
    let key = app.keys.sales.clone();
    let verified = app
        .request(
            reqwest::Method::POST,
            "/api/v1/documents/verify",
            Some(&key),
        )
        .header("content-type", "application/pdf")
        .body(attached)
        .send()
        .await
        .unwrap();
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["kind"], "specification", "{verified}");
}

/// A link dies with its quote's revision and when it expires; a wrong token is not found; the
/// employer's and the employee's tokens open only their own pages.
async fn a_dead_link_changes_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (id, link) = sent_with_consent_link(&app, "Herzien B.V.").await;
    let path = consent_path(link["url"].as_str().unwrap());
    assert!(link["expires_at"].is_string());
    assert_eq!(link["emailed"], false);
    assert_eq!(get(&app, &path).await.status(), StatusCode::OK);
    // The employee's token is no employer link.
    let token = &path[3..];
    let employer = get(&app, &format!("/q/{token}")).await;
    assert_eq!(employer.status(), StatusCode::NOT_FOUND);
    let wrong = get(&app, "/c/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);

    // Revised: the link is dead, an answer changes nothing.
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    let dead = get(&app, &path).await;
    assert_eq!(dead.status(), StatusCode::GONE);
    assert!(dead.text().await.unwrap().contains("werkt niet meer"));
    let before = app.events(&id).await.len();
    let reply = form(
        &app,
        &format!("{path}/consent"),
        &[("name", "P. Jansen"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::GONE);
    assert_eq!(app.events(&id).await.len(), before);
    assert_eq!(
        app.quote(&id).await["employee_consent"]["status"],
        "pending"
    );

    // Expired: the same.
    let (other, link) = sent_with_consent_link(&app, "Verlopen B.V.").await;
    let path = consent_path(link["url"].as_str().unwrap());
    app.db
        .execute(
            "UPDATE quote_links SET expires_at = '2020-01-01T00:00:00Z' WHERE purpose = 'employee'",
        )
        .await;
    assert_eq!(get(&app, &path).await.status(), StatusCode::GONE);
    let reply = form(&app, &format!("{path}/decline"), &[]).await;
    assert_eq!(reply.status(), StatusCode::GONE);
    assert_eq!(
        app.quote(&other).await["employee_consent"]["status"],
        "pending"
    );

    // A draft's consent cannot be asked; a bad address is a 422 naming the field.
    let draft = app.create_quote(&quote_body("Concept B.V.")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = app
        .post(
            &format!("/api/v1/quotes/{draft}/employee-consent"),
            &json!({}),
        )
        .await;
    reply.expect_problem(StatusCode::CONFLICT);
    let reply = app
        .post(
            &format!("/api/v1/quotes/{other}/employee-consent"),
            &json!({"email": "geen adres"}),
        )
        .await;
    let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::helpers::problem_fields(&problem), vec!["email"]);
    // Without e-mail configured, an address cannot be used.
    let reply = app
        .post(
            &format!("/api/v1/quotes/{other}/employee-consent"),
            &json!({"email": "p@example.org"}),
        )
        .await;
    reply.expect_problem(StatusCode::CONFLICT);
}

/// A trajectory that started before consent: flagged on the quote, the certificate and the
/// register, with the first deductible day the day after consent.
async fn a_trajectory_started_before_consent_is_flagged(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let mut body = quote_body("Vroeg B.V.");
    body["circumstances"]["quote_date"] = json!(days_ago(20).to_string());
    body["circumstances"]["start_date"] = json!(days_ago(10).to_string());
    let id = app.create_quote(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.move_to(&id, "sent", None).await;
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/employee-consent"), &json!({}))
        .await;
    let path = consent_path(reply.json()["url"].as_str().unwrap());
    let pending = app.quote(&id).await;
    assert_eq!(pending["employee_consent"]["started_before_consent"], true);
    assert_eq!(pending["employee_consent"].get("deductible_from"), None);
    let reply = form(
        &app,
        &format!("{path}/consent"),
        &[("name", "P. Jansen"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let quote = app.quote(&id).await;
    let consent = &quote["employee_consent"];
    assert_eq!(consent["status"], "given");
    assert_eq!(consent["started_before_consent"], true);
    let tomorrow = crate::helpers::today() + chrono::Days::new(1);
    assert_eq!(
        consent["deductible_from"],
        tomorrow.to_string(),
        "{consent}"
    );
    let certificate = app
        .get(&format!("/api/v1/quotes/{id}/certificate"))
        .await
        .json();
    assert_eq!(
        certificate["employee_consent"]["started_before_consent"],
        true
    );

    // The register and the expected invoicing carry it.
    let register = app
        .request(
            reqwest::Method::GET,
            "/api/v1/exports/quotes?format=csv",
            Some(&app.keys.finance.clone()),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = register.lines().next().unwrap();
    for column in [
        "Toestemming werknemer",
        "Toestemming op",
        "Gestart vóór toestemming",
        "Aftrekbaar vanaf",
    ] {
        assert!(
            header.split(';').any(|c| c == column),
            "{column} in {header}"
        );
    }
    let row = register.lines().find(|l| l.contains("Vroeg B.V.")).unwrap();
    assert!(row.contains(";given;"), "{row}");
    assert!(row.contains(";true;"), "{row}");
    assert!(row.contains(&tomorrow.to_string()), "{row}");
}

on_both_backends!(
    the_employee_consents_after_the_employer_accepts,
    a_dead_link_changes_nothing,
    a_trajectory_started_before_consent_is_flagged,
);
