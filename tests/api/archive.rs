//! The archive of documents as sent, as a bureau meets it: a quote sent and accepted, then the
//! service restarted with templates a later release changed. Every read of what went out (the
//! staff PDF, the employer's PDF, the reminder's attachment) is still the archived bytes, hash
//! equal to the recorded one; a damaged document is refused, never served; a PDF is recognised
//! by its bytes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::email::{form, link_path, servers::python, sink};
use crate::helpers::{Backend, TestApp, copy_dir, days_ago, quote_body, repo_dir, spawn_app_with};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PDF read over HTTP: status, the archive's headers, the bytes.
struct Pdf {
    status: StatusCode,
    archived: Option<String>,
    header_sha256: Option<String>,
    bytes: Vec<u8>,
}

async fn pdf(app: &TestApp, path: &str, key: Option<&str>) -> Pdf {
    let response = app
        .request(Method::GET, path, key)
        .send()
        .await
        .expect("an answer");
    let header = |name: &str| {
        let value = response.headers().get(name);
        value.and_then(|v| v.to_str().ok()).map(str::to_string)
    };
    Pdf {
        status: response.status(),
        archived: header("x-document-archived"),
        header_sha256: header("x-document-sha256"),
        bytes: response.bytes().await.expect("a body").to_vec(),
    }
}

/// The staff PDF of a quote.
async fn staff_pdf(app: &TestApp, id: &str) -> Pdf {
    let key = app.keys.sales.clone();
    pdf(
        app,
        &format!("/api/v1/quotes/{id}/document?format=pdf"),
        Some(&key),
    )
    .await
}

/// The SHA-256 recorded by the last event moving the quote to `to`.
async fn recorded(app: &TestApp, id: &str, to: &str) -> String {
    let events = app.events(id).await;
    let event = events
        .iter()
        .rev()
        .find(|e| e["to"] == to)
        .expect("the event");
    event["document_sha256"]
        .as_str()
        .expect("a hash")
        .to_string()
}

async fn verify(app: &TestApp, body: Vec<u8>, content_type: &str) -> crate::helpers::Reply {
    let key = app.keys.sales.clone();
    let request = app
        .request(Method::POST, "/api/v1/documents/verify", Some(&key))
        .header("content-type", content_type)
        .body(body);
    crate::helpers::send(request).await
}

async fn a_later_template_change_changes_no_document_that_went_out(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let templates = tempfile::tempdir().unwrap();
    copy_dir(&repo_dir().join("templates"), templates.path());
    let mut app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
        s.templates_dir = templates.path().to_path_buf();
        s.reminder_days = 0;
    })
    .await;

    // Quote A: sent and accepted online. Quote B: sent, valid five more days (reminded later).
    let a = app.create_quote(&quote_body("Archief B.V.")).await;
    let a = a["id"].as_str().unwrap().to_string();
    let mut body = quote_body("Herinnering B.V.");
    body["circumstances"]["quote_date"] = json!(days_ago(25).to_string());
    let b = app.create_quote(&body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // One at a time, so the e-mails arrive in this order: A, B, then A's confirmation.
    let send = async |id: &str| {
        let path = format!("/api/v1/quotes/{id}/send");
        app.post(&path, &json!({}))
            .await
            .expect_status(StatusCode::ACCEPTED);
    };
    send(&a).await;
    let a_link = link_path(&smtp.file("1.eml"));
    send(&b).await;
    smtp.file("2.eml");
    let a_sent = recorded(&app, &a, "sent").await;
    let b_sent = recorded(&app, &b, "sent").await;
    let sent_pdf = staff_pdf(&app, &a).await;
    assert_eq!(
        sha256(&sent_pdf.bytes),
        a_sent,
        "the staff PDF is the one sent"
    );
    assert_eq!(sent_pdf.archived.as_deref(), Some("true"));
    assert_eq!(sent_pdf.header_sha256.as_deref(), Some(a_sent.as_str()));
    let reply = form(
        &app,
        &format!("{a_link}/accept"),
        &[("name", "M. Bakker"), ("agree", "yes")],
    )
    .await;
    assert_eq!(reply.status(), StatusCode::SEE_OTHER);
    let a_accepted = recorded(&app, &a, "accepted").await;
    let confirmation = attachment(&smtp.file("3.eml"));
    assert_eq!(
        sha256(&confirmation),
        a_accepted,
        "the confirmation carries it"
    );
    assert_ne!(
        a_accepted, a_sent,
        "the accepted document has the signature filled in"
    );

    // The certificate: what was sent and accepted, by whom, with which words, when.
    let certificate = app.get(&format!("/api/v1/quotes/{a}/certificate")).await;
    certificate.expect_status(StatusCode::OK);
    let certificate = certificate.json();
    assert_eq!(certificate["version"], 1);
    assert_eq!(certificate["status"], "accepted");
    assert_eq!(certificate["employer"]["name"], "Archief B.V.");
    assert_eq!(certificate["sent_document"]["sha256"], a_sent.as_str());
    assert_eq!(certificate["sent_document"]["archived"], true);
    assert_eq!(
        certificate["accepted_document"]["sha256"],
        a_accepted.as_str()
    );
    let acceptance = &certificate["acceptance"];
    assert_eq!(acceptance["name"], "M. Bakker");
    assert_eq!(
        acceptance["statement"],
        "Ik ga akkoord met deze offerte en de voorwaarden."
    );
    assert_eq!(acceptance["language"], "nl");
    assert_eq!(acceptance["client_address"], "127.0.0.1");
    let steps: Vec<&str> = certificate["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for step in ["created", "sent", "delivered", "accepted"] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    let sent_step = certificate["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "sent");
    assert!(
        sent_step.unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("hr@example.nl")
    );
    for step in certificate["steps"].as_array().unwrap() {
        let at = step["at"].as_str().unwrap();
        assert!(
            at.ends_with("+01:00") || at.ends_with("+02:00"),
            "a Dutch clock: {at}"
        );
    }
    // As a PDF: archived, issued once for one history, recognised by verify; the employer gets
    // the same bytes through the link.
    let key = app.keys.sales.clone();
    let path = format!("/api/v1/quotes/{a}/certificate?format=pdf");
    let first = pdf(&app, &path, Some(&key)).await;
    assert_eq!(first.status, StatusCode::OK);
    let text = pdf_text(&first.bytes);
    for shown in [
        "Bewijs van akkoord",
        "M. Bakker",
        "Ik ga akkoord met deze offerte",
        "Archief B.V.",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    assert!(
        text.replace('\u{200b}', "").contains(&a_accepted),
        "the accepted hash: {text}"
    );
    assert_pdfa(&first.bytes, "the certificate");
    assert_pdfa(&confirmation, "the accepted document");
    let again = pdf(&app, &path, Some(&key)).await;
    assert_eq!(
        again.bytes, first.bytes,
        "the same history, the same certificate"
    );
    let employer_copy = pdf(&app, &format!("{a_link}/certificate"), None).await;
    assert_eq!(employer_copy.bytes, first.bytes);
    let issued = app.events(&a).await;
    let issued = issued
        .iter()
        .filter(|e| e["reason"] == "acceptance certificate issued");
    assert_eq!(issued.count(), 1);
    let answer = verify(&app, first.bytes.clone(), "application/pdf")
        .await
        .json();
    assert_eq!(answer["kind"], "certificate", "{answer}");
    std::fs::create_dir_all("target/archive-test").unwrap();
    std::fs::write(
        format!("target/archive-test/certificate-{backend:?}.pdf"),
        &first.bytes,
    )
    .unwrap();

    let draft = app.create_quote(&quote_body("Nog niet B.V.")).await;
    let draft = draft["id"].as_str().unwrap();
    app.get(&format!("/api/v1/quotes/{draft}/certificate"))
        .await
        .expect_problem(StatusCode::CONFLICT);

    // A later release changes the document's template.
    let typ = templates.path().join("quote.typ");
    let mut source = std::fs::read_to_string(&typ).unwrap();
    source.push_str("\n#text(size: 6pt)[A line a later release added.]\n");
    std::fs::write(&typ, source).unwrap();
    app.restart_with(|s| {
        s.reminder_days = 7;
        s.sweep_seconds = 1;
    })
    .await;

    // A draft shows the change: it renders live.
    let draft = app.create_quote(&quote_body("Concept B.V.")).await;
    let draft = staff_pdf(&app, draft["id"].as_str().unwrap()).await;
    assert_eq!(draft.archived, None, "a draft is not archived");
    let text = pdf_text(&draft.bytes);
    assert!(text.contains("A line a later release added."), "{text}");

    // What went out does not change: the staff PDF, the employer's PDF (both the accepted one).
    let staff = staff_pdf(&app, &a).await;
    assert_eq!(staff.status, StatusCode::OK);
    assert_eq!(sha256(&staff.bytes), a_accepted);
    assert_eq!(staff.archived.as_deref(), Some("true"));
    let employer = pdf(&app, &format!("{a_link}/pdf"), None).await;
    assert_eq!(sha256(&employer.bytes), a_accepted);
    assert!(!pdf_text(&employer.bytes).contains("later release"));
    // B, still sent: its reminder carries the document as sent.
    assert_eq!(sha256(&staff_pdf(&app, &b).await.bytes), b_sent);
    let reminder = attachment(&smtp.file("4.eml"));
    assert_eq!(
        sha256(&reminder),
        b_sent,
        "the reminder attaches the document as sent"
    );

    // "Is this the document we sent?", answered from the bytes.
    let answer = verify(&app, employer.bytes.clone(), "application/pdf").await;
    answer.expect_status(StatusCode::OK);
    let answer = answer.json();
    assert_eq!(answer["match"], true, "{answer}");
    assert_eq!(answer["quote_id"], a.as_str());
    assert_eq!(answer["kind"], "accepted");
    assert_eq!(answer["version"], 1);
    let answer = verify(&app, sent_pdf.bytes.clone(), "application/pdf")
        .await
        .json();
    assert_eq!(
        (answer["match"].clone(), answer["kind"].clone()),
        (json!(true), json!("sent"))
    );
    let answer = verify(&app, draft.bytes.clone(), "application/pdf")
        .await
        .json();
    assert_eq!(answer["match"], false, "{answer}");
    assert_eq!(answer.get("quote_id"), None);

    // The same bytes from a second instance on the same database.
    let second = app.second_server().await;
    assert_eq!(sha256(&staff_pdf(&second, &a).await.bytes), a_accepted);
}

/// The text of a PDF (pdftotext), to see what it shows.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).replace('\n', " ")
}

/// Whether a PDF is well-formed and claims PDF/A-3 (qpdf and pdfinfo; skipped without them
/// unless `OFFERTE_TEST_REQUIRE_TOOLS` is set).
fn assert_pdfa(pdf: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let run = |tool: &str, args: &[&str]| {
        std::process::Command::new(tool)
            .args(args)
            .arg(&path)
            .output()
    };
    let (Ok(check), Ok(meta)) = (run("qpdf", &["--check"]), run("pdfinfo", &["-meta"])) else {
        assert!(
            std::env::var_os("OFFERTE_TEST_REQUIRE_TOOLS").is_none(),
            "qpdf and pdfinfo are needed (scripts/apt-install qpdf qpdf)"
        );
        eprintln!("SKIPPED: the PDF/A check of {what}: qpdf or pdfinfo is missing");
        return;
    };
    assert!(
        check.status.success(),
        "{what}: qpdf --check: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let meta = String::from_utf8_lossy(&meta.stdout);
    assert!(
        meta.contains("<pdfaid:part>3</pdfaid:part>") || meta.contains("pdfaid:part=\"3\""),
        "{what}: PDF/A-3: {meta}"
    );
}

/// The PDF attached to an e-mail.
pub(crate) fn attachment(raw: &[u8]) -> Vec<u8> {
    use mail_parser::{MessageParser, MimeHeaders};
    let message = MessageParser::default().parse(raw).expect("a mail");
    let pdf = message
        .attachments()
        .find(|a| a.content_type().is_some_and(|c| c.subtype() == Some("pdf")))
        .expect("a PDF attached");
    pdf.contents().to_vec()
}

/// Bytes in the archive that no longer match their hash are never served: a problem
/// `document-corrupt`, the metric counts it. A document missing from the archive (a quote sent
/// before there was one) gets a copy rendered now, marked as such.
async fn a_damaged_document_is_refused_and_a_missing_one_marked(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let mut ids = Vec::new();
    for company in ["Eerste B.V.", "Tweede B.V."] {
        let id = app.create_quote(&quote_body(company)).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.move_to(&id, "sent", None).await;
        ids.push(id);
    }
    let first = recorded(&app, &ids[0], "sent").await;
    let second = recorded(&app, &ids[1], "sent").await;
    // The first document's row gets the second's bytes.
    let changed = app
        .db
        .execute(&format!(
            "UPDATE documents SET bytes = (SELECT bytes FROM documents WHERE sha256 = '{second}') \
             WHERE sha256 = '{first}'"
        ))
        .await;
    assert_eq!(changed, 1);
    let reply = app
        .get(&format!("/api/v1/quotes/{}/document?format=pdf", ids[0]))
        .await;
    let problem = reply.expect_problem(StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(problem["type"], "urn:offerte:problem:document-corrupt");
    assert!(
        problem["detail"].as_str().unwrap().contains(&first),
        "{problem}"
    );
    let metrics = app.get("/metrics").await.text;
    let counted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("offerte_documents_corrupt_total "))
        .and_then(|n| n.parse::<u64>().ok())
        .expect("the metric");
    assert!(counted >= 1, "{counted}");

    // Gone from the archive: a copy rendered now, never passed off as the original.
    app.db
        .execute(&format!("DELETE FROM documents WHERE sha256 = '{second}'"))
        .await;
    let copy = staff_pdf(&app, &ids[1]).await;
    assert_eq!(copy.status, StatusCode::OK);
    assert_eq!(copy.archived.as_deref(), Some("false"));
    assert_eq!(copy.header_sha256, None);
    std::fs::create_dir_all("target/archive-test").unwrap();
    std::fs::write(
        format!("target/archive-test/copy-{backend:?}.pdf"),
        &copy.bytes,
    )
    .unwrap();
    let text = pdf_text(&copy.bytes);
    assert!(
        text.contains("niet het verzonden document"),
        "marked on its face: {text}"
    );
}

/// Bad bodies to verify: clear problems, nothing stored.
async fn verify_refuses_what_is_not_a_pdf(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let empty = verify(&app, Vec::new(), "application/pdf").await;
    let problem = empty.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "empty");
    let text = verify(&app, b"<html>not a pdf</html>".to_vec(), "application/pdf").await;
    let problem = text.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["code"], "not_pdf");
    let json = verify(&app, b"{}".to_vec(), "application/json").await;
    json.expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(50 * 1024 * 1024, b'0');
    let reply = verify(&app, huge, "application/pdf").await;
    reply.expect_problem(StatusCode::PAYLOAD_TOO_LARGE);
    // Without a key, or with finance's: refused.
    let anonymous = app
        .request(Method::POST, "/api/v1/documents/verify", None)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.7".to_vec());
    crate::helpers::send(anonymous)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    let counted: Value = app.get("/api/v1/quotes").await.json();
    assert_eq!(counted["total"], 0, "nothing stored");
}

on_both_backends!(
    a_later_template_change_changes_no_document_that_went_out,
    a_damaged_document_is_refused_and_a_missing_one_marked,
    verify_refuses_what_is_not_a_pdf,
);

/// Sending again, many at once while the outbox delivers (each e-mail's attachment read from
/// the archive in the database): every send is answered, none waits for a database connection
/// the worker holds.
async fn many_sends_at_once_are_all_answered(backend: Backend) {
    let Some(python) = python() else { return };
    let smtp = sink(&python, &["--port", "0"]);
    let app = spawn_app_with(backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = app
            .create_quote(&quote_body(&format!("Druk {i} B.V.")))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/quotes/{id}/send");
        app.post(&path, &json!({}))
            .await
            .expect_status(StatusCode::ACCEPTED);
        ids.push(id);
    }
    let sends = (0..64).map(|n| {
        let path = format!("/api/v1/quotes/{}/send", ids[n % ids.len()]);
        let key = app.keys.sales.clone();
        let request = app
            .request(Method::POST, &path, Some(&key))
            .json(&json!({}))
            .timeout(std::time::Duration::from_secs(20));
        async move { request.send().await.map(|r| r.status()) }
    });
    let answers = futures_util::future::join_all(sends).await;
    for answer in answers {
        let status = answer.expect("an answer within 20 s");
        assert!(
            status == StatusCode::ACCEPTED || status == StatusCode::CONFLICT,
            "{status}"
        );
    }
}

on_both_backends!(many_sends_at_once_are_all_answered);
