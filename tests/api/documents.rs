//! Quote documents over HTTP: formats by parameter and by Accept header, languages, file names,
//! the PDF hash recorded when a quote is sent and byte-identical later renderings.

use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, quote_body, spawn_app};

async fn fetch(
    app: &crate::helpers::TestApp,
    path: &str,
    accept: Option<&str>,
) -> (u16, String, String, Vec<u8>) {
    let mut builder = app.request(Method::GET, path, Some(&app.keys.sales));
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    let response = builder.send().await.expect("a response");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    (
        status,
        content_type,
        disposition,
        response.bytes().await.expect("a body").to_vec(),
    )
}

async fn documents(backend: Backend) {
    let app = spawn_app(backend).await;
    let quote = app
        .create_quote(&quote_body("Bakkerij <De Korenschoof>"))
        .await;
    let id = quote["id"].as_str().unwrap();
    let number = quote["display_number"].as_str().unwrap();
    let base = format!("/api/v1/quotes/{id}/document");

    let (status, content_type, disposition, pdf) =
        fetch(&app, &format!("{base}?format=pdf"), None).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert!(
        disposition.contains(&format!("{number}.pdf")),
        "{disposition}"
    );
    assert!(pdf.starts_with(b"%PDF"));

    let (_, content_type, _, html) = fetch(&app, &base, Some("text/html")).await;
    assert!(
        content_type.starts_with("text/html"),
        "Accept chooses HTML: {content_type}"
    );
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("Bakkerij &lt;De Korenschoof&gt;"),
        "escaped employer name"
    );
    assert!(html.contains("lang=\"nl\"") && html.contains("Offerte"));

    let (_, _, _, english) = fetch(&app, &format!("{base}?format=html&lang=en"), None).await;
    let english = String::from_utf8(english).unwrap();
    assert!(
        english.contains("lang=\"en\"") && english.contains("Quote number"),
        "English on request"
    );
    assert!(
        english.contains("6-month package"),
        "tier texts in English too"
    );

    let (_, content_type, _, text) = fetch(&app, &format!("{base}?format=txt"), None).await;
    assert!(content_type.starts_with("text/plain"));
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(number) && text.contains("Bakkerij <De Korenschoof>"),
        "plain text as written"
    );

    // Sending records the PDF's hash; later renderings of the revision are byte-identical.
    app.move_to(id, "sent", None).await;
    let events = app.events(id).await;
    let sent = events
        .iter()
        .find(|e| e["to"] == "sent")
        .expect("a sent event");
    let recorded = sent["document_sha256"]
        .as_str()
        .expect("the PDF hash on the sent event");
    let (_, _, _, again) = fetch(&app, &format!("{base}?format=pdf"), None).await;
    let (_, _, _, once_more) = fetch(&app, &format!("{base}?format=pdf"), None).await;
    assert_eq!(again, once_more, "two renderings are identical");
    assert_eq!(
        hex::encode(Sha256::digest(&again)),
        recorded,
        "the sent PDF is the one served later"
    );

    let (status, ..) = fetch(&app, &format!("{base}?format=doc"), None).await;
    assert_eq!(status, 400, "unknown format");
    let (status, ..) = fetch(
        &app,
        "/api/v1/quotes/00000000-0000-0000-0000-000000000000/document",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

async fn preview_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .request(Method::POST, "/api/v1/quotes/preview/document?format=html&lang=en", Some(&app.keys.sales))
        .json(&json!({"first_sick_day": crate::helpers::days_ago(200).to_string(), "readiness": "job_ready"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let html = reply.text().await.unwrap();
    assert!(html.contains("Preview calculation, not a quote"));
    assert!(html.contains("3-month package"));
}

on_both_backends!(documents, preview_document);
