//! One deployment, many bureaus, as the operator and two bureaus meet it: the operator makes a
//! bureau and its keys; each bureau numbers its own quotes; bureau B's key on bureau A's ids is
//! answered exactly as an id that does not exist, for every operation of the served spec (a new
//! operation is covered without anyone remembering); B's lists and exports hold none of A's
//! rows; keys that are revoked, expired, public or of a suspended bureau open nothing. And the
//! store: every statement names its bureau, and on PostgreSQL the service's role sees no row
//! without a bureau set.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::catalog_versions::{new_version, post_toml};
use crate::helpers::{Backend, Reply, TestApp, quote_body, send, spawn_app_with, this_year};

mod endpoints;
mod keys;
mod leaving;
mod series;
mod settings;
mod store;

/// A bureau made by the operator, with an admin key and a public key.
pub(crate) struct Bureau {
    pub admin: String,
    pub public: String,
}

async fn operator(app: &TestApp, method: Method, path: &str, body: Option<&Value>) -> Reply {
    app.call(method, path, Some(&app.keys.operator), body).await
}

/// Makes bureau `slug` with prefix `prefix`, an admin key and a public key.
pub(crate) async fn make_bureau(app: &TestApp, slug: &str, prefix: &str) -> Bureau {
    let made = operator(
        app,
        Method::POST,
        "/api/v1/bureaus",
        Some(&json!({"slug": slug, "name": format!("Bureau {slug}"), "number_prefix": prefix})),
    )
    .await;
    made.expect_status(StatusCode::CREATED);
    let key = |role: &'static str| async move {
        let reply = operator(
            app,
            Method::POST,
            &format!("/api/v1/bureaus/{slug}/api-keys"),
            Some(&json!({"role": role, "label": format!("{role} of {slug}")})),
        )
        .await;
        reply.expect_status(StatusCode::CREATED);
        reply.json()["key"].as_str().unwrap().to_string()
    };
    Bureau {
        admin: key("admin").await,
        public: key("public").await,
    }
}

/// The website form's body for `company` (consent given, the honeypot empty).
pub(crate) fn form_request(company: &str) -> Value {
    let mut request = quote_body(company);
    request["consent"] = json!(true);
    request["website"] = json!("");
    request
}

async fn create_as(app: &TestApp, key: &str, company: &str) -> Value {
    let reply = app
        .call(
            Method::POST,
            "/api/v1/quotes",
            Some(key),
            Some(&quote_body(company)),
        )
        .await;
    reply.expect_status(StatusCode::CREATED);
    reply.json()
}

on_both_backends!(
    each_bureau_numbers_its_own_quotes,
    another_bureaus_ids_are_not_there,
);

/// Two bureaus' first quotes of the year are both number 1 of their own prefix; the operator's
/// list counts what each did this month.
async fn each_bureau_numbers_its_own_quotes(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let noord = make_bureau(&app, "noord", "RN").await;
    let zuid = make_bureau(&app, "zuid", "RN").await;
    let year = this_year();
    let first = create_as(&app, &noord.admin, "Eerste Noord B.V.").await;
    assert_eq!(first["number"], format!("RN-{year}-00001"));
    let second = create_as(&app, &noord.admin, "Tweede Noord B.V.").await;
    assert_eq!(second["number"], format!("RN-{year}-00002"));
    // The same prefix, its own series.
    let other = create_as(&app, &zuid.admin, "Eerste Zuid B.V.").await;
    assert_eq!(other["number"], format!("RN-{year}-00001"));
    // The default bureau too.
    let default = app.create_quote(&quote_body("Standaard B.V.")).await;
    assert!(
        default["number"]
            .as_str()
            .unwrap()
            .ends_with(&format!("-{year}-00001")),
        "{default}"
    );

    let list = operator(&app, Method::GET, "/api/v1/bureaus", None).await;
    list.expect_status(StatusCode::OK);
    let list = list.json();
    let count = |slug: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|b| b["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} in {list}"))["usage"]["quotes_created"]
            .clone()
    };
    assert_eq!(count("noord"), 2);
    assert_eq!(count("zuid"), 1);
    assert_eq!(count("default"), 1);
    // An operator key reads no quote.
    operator(&app, Method::GET, "/api/v1/quotes", None)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
}

/// Every operation of the served spec with a path parameter, called with bureau B's admin key
/// on bureau A's ids, is answered exactly as the same call on an id nobody has (a 404 where the
/// id is looked up); B's lists and exports name nothing of A.
async fn another_bureaus_ids_are_not_there(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_url = Some("http://127.0.0.1:9/hooks/offerte".into());
        s.webhook_secret = Some(crate::webhooks::SECRET.into());
        s.webhook_allow_private_networks = true;
    })
    .await;
    // Bureau A is the default bureau: a sent quote, a request, a webhook delivery, a version and
    // an asset of its own.
    let a_quote = app.create_quote(&quote_body("Alfa Geheim B.V.")).await;
    let a_id = a_quote["id"].as_str().unwrap().to_string();
    app.move_to(&a_id, "sent", None).await;
    let request = form_request("Alfa Aanvraag B.V.");
    let submitted = app
        .call(Method::POST, "/api/v1/quote-requests", None, Some(&request))
        .await;
    submitted.expect_status(StatusCode::CREATED);
    let a_reference = submitted.json()["reference"].as_str().unwrap().to_string();
    let requests = app.get("/api/v1/quote-requests").await.json();
    let a_request = requests["items"][0]["id"].as_str().unwrap().to_string();
    let deliveries = app
        .call(
            Method::GET,
            "/api/v1/webhook-deliveries",
            Some(&app.keys.admin),
            None,
        )
        .await
        .json();
    let a_delivery = deliveries["items"][0]["id"]
        .as_str()
        .expect("a webhook delivery of bureau A")
        .to_string();
    let a_version = "2099.7";
    let published = post_toml(
        &app,
        "/api/v1/catalog/versions",
        &app.keys.admin,
        new_version(
            a_version,
            crate::helpers::today() + chrono::Days::new(400),
            "401.00",
        ),
    )
    .await;
    published.expect_status(StatusCode::CREATED);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
    let asset = send(
        app.request(
            Method::PUT,
            "/api/v1/catalog/assets/alfa-only.svg",
            Some(&app.keys.admin),
        )
        .header("content-type", "image/svg+xml")
        .body(svg.to_vec()),
    )
    .await;
    asset.expect_status(StatusCode::CREATED);

    let endpoint = app
        .call(
            Method::POST,
            "/api/v1/webhook-endpoints",
            Some(&app.keys.admin),
            Some(&json!({"url": "http://127.0.0.1:9/alfa-hooks"})),
        )
        .await;
    endpoint.expect_status(StatusCode::CREATED);
    let a_endpoint = endpoint.json()["id"].as_str().unwrap().to_string();
    let b = make_bureau(&app, "bravo", "BR").await;
    create_as(&app, &b.admin, "Bravo Eigen B.V.").await;

    let spec = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .json();
    let mut compared = 0;
    let mut not_found = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            if operation["security"] == json!([]) {
                continue;
            }
            let fill = |id: &str, version: &str, name: &str, slug: &str| {
                let id_of = if path.starts_with("/api/v1/quote-requests") {
                    &a_request
                } else if path.starts_with("/api/v1/webhook-deliveries") {
                    &a_delivery
                } else if path.starts_with("/api/v1/webhook-endpoints") {
                    &a_endpoint
                } else {
                    &a_id
                };
                path.replace("{id}", if id.is_empty() { id_of } else { id })
                    .replace("{version}", version)
                    .replace("{name}", name)
                    .replace("{slug}", slug)
            };
            let theirs = fill("", a_version, "alfa-only.svg", "default");
            let nobody = fill(
                &uuid::Uuid::new_v4().to_string(),
                "2099.8",
                "nobody.svg",
                "nobody",
            );
            let body = operation.get("requestBody").map(|_| json!({}));
            let on_theirs = app
                .call(method.clone(), &theirs, Some(&b.admin), body.as_ref())
                .await;
            let on_nobody = app
                .call(method.clone(), &nobody, Some(&b.admin), body.as_ref())
                .await;
            let name = format!("{method} {path}");
            assert!(
                !on_theirs.status.is_success(),
                "{name}: bureau B reached A's {theirs}: {} {}",
                on_theirs.status,
                on_theirs.text
            );
            assert_eq!(
                (on_theirs.status, problem_type(&on_theirs)),
                (on_nobody.status, problem_type(&on_nobody)),
                "{name}: A's id is answered otherwise than an id nobody has:\n{}\n{}",
                on_theirs.text,
                on_nobody.text
            );
            // (The id asked for may be echoed in the 404; nothing else of A's.)
            for secret in ["Alfa Geheim", "Alfa Aanvraag", a_reference.as_str()] {
                assert!(
                    !on_theirs.text.contains(secret),
                    "{name} names {secret}: {}",
                    on_theirs.text
                );
            }
            compared += 1;
            if on_theirs.status == StatusCode::NOT_FOUND {
                not_found += 1;
            }
        }
    }
    assert!(compared >= 15, "only {compared} operations compared");
    assert!(
        not_found >= 12,
        "only {not_found} of {compared} answered 404"
    );

    // B's lists and exports: its own rows, none of A's.
    let mut listed = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        if path.contains('{') || get["security"] == json!([]) || path.starts_with("/api/v1/bureaus")
        {
            continue;
        }
        let reply = app.call(Method::GET, path, Some(&b.admin), None).await;
        if !reply.status.is_success() {
            // Operations that need a parameter (an export's version) say so; none of A's rows.
            assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
        }
        for secret in [
            a_id.as_str(),
            "Alfa Geheim",
            "Alfa Aanvraag",
            a_reference.as_str(),
            a_delivery.as_str(),
            a_version,
            "alfa-only",
            "alfa-hooks",
            a_endpoint.as_str(),
        ] {
            assert!(
                !reply.text.contains(secret),
                "B's GET {path} names A's {secret}: {}",
                reply.text
            );
        }
        listed += 1;
    }
    assert!(listed >= 8, "only {listed} lists read");
    let own = app
        .call(Method::GET, "/api/v1/quotes", Some(&b.admin), None)
        .await
        .json();
    assert_eq!(own["total"], 1, "B sees its own quote: {own}");
    let register = app
        .call(
            Method::GET,
            "/api/v1/exports/quotes?format=json",
            Some(&b.admin),
            None,
        )
        .await;
    assert!(register.text.contains("Bravo Eigen"), "{}", register.text);
}

fn problem_type(reply: &Reply) -> String {
    serde_json::from_str::<Value>(&reply.text)
        .ok()
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}
