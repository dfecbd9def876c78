//! Catalog versions in the database, as finance and an admin meet them: a fresh service has
//! imported the catalog folder; a new price list is dry-run (its differences shown, nothing
//! stored), published, and prices from its `valid_from` at once, on this instance and on a
//! second one, without a restart; a broken or hostile file is refused with every problem and
//! changes nothing; a version not yet in force can be withdrawn, one in force cannot.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

use crate::helpers::{
    Backend, Reply, TestApp, days_ago, repo_dir, send, spawn_app, spawn_app_with, today,
};

/// The default catalog file, as in `pricing/`.
fn default_file() -> String {
    std::fs::read_to_string(repo_dir().join("pricing/2024-01-01.toml")).unwrap()
}

/// The default catalog as a new version `name`, valid from `valid_from`, intake at `intake`.
pub(crate) fn new_version(name: &str, valid_from: chrono::NaiveDate, intake: &str) -> String {
    default_file()
        .replacen("version = \"2024.1\"", &format!("version = \"{name}\""), 1)
        .replacen(
            "valid_from = 2024-01-01",
            &format!("valid_from = {valid_from}"),
            1,
        )
        .replacen(
            "unit_price = \"395.00\"",
            &format!("unit_price = \"{intake}\""),
            1,
        )
}

pub(crate) async fn post_toml(
    app: &TestApp,
    path: &str,
    key: &str,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let request = app
        .request(Method::POST, path, Some(key))
        .header("content-type", "application/toml")
        .body(body);
    send(request).await
}

/// The intake's unit price in a preview quoted on `day`.
async fn intake_on(app: &TestApp, day: chrono::NaiveDate) -> String {
    let preview = app
        .preview(&json!({
            "first_sick_day": days_ago(100).to_string(),
            "readiness": "ready_with_support",
            "quote_date": day.to_string(),
            "start_date": day.to_string(),
        }))
        .await;
    let lines = preview["lines"].as_array().unwrap();
    let intake = lines
        .iter()
        .find(|l| l["code"] == "intake")
        .expect("an intake line");
    intake["unit_price"].as_str().unwrap().to_string()
}

async fn versions(app: &TestApp) -> Vec<Value> {
    let key = app.keys.finance.clone();
    let reply = send(app.request(Method::GET, "/api/v1/catalog/versions", Some(&key))).await;
    reply.expect_status(StatusCode::OK);
    reply.json().as_array().unwrap().clone()
}

async fn a_published_version_prices_at_once(backend: Backend) {
    // A webhook endpoint that is not listening: the deliveries are queued, and listed.
    let app = spawn_app_with(backend, |s| {
        s.webhook_url = Some("http://127.0.0.1:9/hooks/offerte".into());
        s.webhook_secret = Some(crate::webhooks::SECRET.into());
    })
    .await;
    let (finance, admin) = (app.keys.finance.clone(), app.keys.admin.clone());
    let tomorrow = today() + chrono::Days::new(1);

    // A fresh service imported the folder: one version, in force, the file byte for byte.
    let listed = versions(&app).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["version"], "2024.1");
    assert_eq!(listed[0]["state"], "in_force");
    assert_eq!(listed[0]["published_by"], "import");
    let file = app
        .request(
            Method::GET,
            "/api/v1/catalog/versions/2024.1",
            Some(&finance),
        )
        .header("accept", "application/toml")
        .send()
        .await
        .unwrap();
    assert_eq!(file.headers()["content-type"], "application/toml");
    assert_eq!(file.text().await.unwrap(), default_file());

    // A dry run: the differences, nothing stored.
    let next = new_version("2099.1", tomorrow, "410.00");
    let dry = post_toml(
        &app,
        "/api/v1/catalog/versions?dry_run=true",
        &finance,
        next.clone(),
    )
    .await;
    dry.expect_status(StatusCode::OK);
    let dry = dry.json();
    assert_eq!(dry["version"], "2099.1");
    let diff = dry["diff"].to_string();
    assert!(diff.contains("410.00") && diff.contains("395.00"), "{diff}");
    assert_eq!(versions(&app).await.len(), 1, "a dry run stores nothing");

    // Publishing needs an admin key.
    let refused = post_toml(&app, "/api/v1/catalog/versions", &finance, next.clone()).await;
    refused.expect_problem(StatusCode::FORBIDDEN);
    let published = post_toml(&app, "/api/v1/catalog/versions", &admin, next.clone()).await;
    published.expect_status(StatusCode::CREATED);
    assert_eq!(
        published.header("location"),
        Some("/api/v1/catalog/versions/2099.1")
    );
    assert_eq!(published.json()["state"], "future");
    // The bureau's systems hear of it.
    let path = "/api/v1/webhook-deliveries?event=catalog.version_published";
    let deliveries = send(app.request(Method::GET, path, Some(&admin)))
        .await
        .json();
    let items = deliveries["items"]
        .as_array()
        .expect("a page of deliveries");
    assert_eq!(items.len(), 1, "{deliveries}");
    // At once, without a restart: tomorrow's quotes have the new price, today's the old one.
    assert_eq!(intake_on(&app, tomorrow).await, "410.00");
    assert_eq!(intake_on(&app, today()).await, "395.00");
    // A second instance on the same database prices with it within seconds.
    let second = app.second_server().await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if intake_on(&second, tomorrow).await == "410.00" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second instance did not see the version"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The same file again clashes with the stored version (its name and its day); two
    // publishes of one new version at the same moment: exactly one wins.
    let again = post_toml(&app, "/api/v1/catalog/versions", &admin, next).await;
    let problem = again.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::helpers::problem_fields(&problem),
        vec!["valid_from", "version"]
    );
    let racing = new_version("2099.5", tomorrow + chrono::Days::new(1), "420.00");
    let (a, b) = tokio::join!(
        post_toml(&app, "/api/v1/catalog/versions", &admin, racing.clone()),
        post_toml(&app, "/api/v1/catalog/versions", &admin, racing),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses[0], StatusCode::CREATED, "{statuses:?}");
    assert!(
        [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&statuses[1]),
        "{statuses:?}"
    );
    send(app.request(
        Method::DELETE,
        "/api/v1/catalog/versions/2099.5",
        Some(&admin),
    ))
    .await
    .expect_status(StatusCode::NO_CONTENT);

    // The version in force cannot be withdrawn; the future one can, and its prices go with it.
    let withdraw = |version: &str| {
        let path = format!("/api/v1/catalog/versions/{version}");
        send(app.request(Method::DELETE, &path, Some(&admin)))
    };
    withdraw("2024.1")
        .await
        .expect_problem(StatusCode::CONFLICT);
    withdraw("2099.1")
        .await
        .expect_status(StatusCode::NO_CONTENT);
    withdraw("2099.1")
        .await
        .expect_problem(StatusCode::NOT_FOUND);
    assert_eq!(intake_on(&app, tomorrow).await, "395.00");
    assert_eq!(versions(&app).await.len(), 1);
}

/// Broken and hostile files: a 4xx naming every problem; nothing stored; the version in force
/// still prices.
async fn a_bad_file_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.keys.admin.clone();
    let tomorrow = today() + chrono::Days::new(1);
    let publish = |body: Vec<u8>| post_toml(&app, "/api/v1/catalog/versions", &admin, body);

    // Every problem of a file at once: a clash with the stored version, a rule that can never
    // apply.
    let shadowed = "\n[[tier_rules]]\nid = \"shadowed\"\nwhen = { all = [ { field = \"readiness\", \
        equals = \"job_ready\" }, { field = \"expected_duration_months\", at_least = 5 } ] }\n\
        tier = \"m6\"\nreason = { nl = \"x\", en = \"x\" }\n";
    let clash = new_version(
        "2099.2",
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        "410.00",
    ) + shadowed;
    let problem = publish(clash.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = crate::helpers::problem_fields(&problem);
    assert!(fields.contains(&"valid_from".to_string()), "{problem}");
    assert!(
        fields.iter().any(|f| f.starts_with("tier_rules[")),
        "{problem}"
    );
    // An unknown key, a float price: each named with its key path.
    let unknown = new_version("2099.2", tomorrow, "410.00").replacen(
        "[[items]]",
        "[[items]]\ncolour = \"blue\"",
        1,
    );
    let problem = publish(unknown.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::helpers::problem_fields(&problem),
        vec!["items[0].colour"]
    );
    let float = new_version("2099.2", tomorrow, "410.00").replacen(
        "unit_price = \"245.00\"",
        "unit_price = 245.5",
        1,
    );
    let problem = publish(float.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("unit_price"), "{problem}");
    // A brand colour too light for text and buttons (WCAG 2.1 AA).
    let grey = new_version("2099.2", tomorrow, "410.00").replacen(
        "primary_colour = \"#1f4e79\"",
        "primary_colour = \"#cccccc\"",
        1,
    );
    let problem = publish(grey.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::helpers::problem_fields(&problem),
        vec!["bureau.primary_colour"]
    );
    assert!(problem.to_string().contains("#767676"), "{problem}");
    // A valid_from in the past.
    let past = new_version("2099.3", days_ago(3), "410.00");
    let problem = publish(past.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::helpers::problem_fields(&problem), vec!["valid_from"]);
    // A name that would leave its URL.
    let sneaky = new_version("../../etc", tomorrow, "410.00");
    let problem = publish(sneaky.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(crate::helpers::problem_fields(&problem).contains(&"version".to_string()));
    // Not UTF-8; nested too deep; too large; not TOML at all.
    let mut latin1 = new_version("2099.4", tomorrow, "410.00").into_bytes();
    latin1.extend_from_slice(b"\n# caf\xe9\n");
    publish(latin1)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let bomb = format!("x = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    publish(bomb.into_bytes())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let huge = vec![b'#'; 10 * 1024 * 1024];
    publish(huge)
        .await
        .expect_problem(StatusCode::PAYLOAD_TOO_LARGE);
    publish(b"this is = = not toml".to_vec())
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let json_body = app
        .request(Method::POST, "/api/v1/catalog/versions", Some(&admin))
        .header("content-type", "application/json")
        .body("{}");
    send(json_body)
        .await
        .expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert_eq!(versions(&app).await.len(), 1, "nothing stored");
    assert_eq!(intake_on(&app, tomorrow).await, "395.00");
}

on_both_backends!(
    a_published_version_prices_at_once,
    a_bad_file_changes_nothing
);

/// A logo is published as an asset first, then named by a version; an asset never changes.
async fn a_version_names_a_published_logo(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.keys.admin.clone();
    let tomorrow = today() + chrono::Days::new(1);
    let put = |name: &str, content_type: &str, body: &[u8]| {
        let request = app
            .request(
                Method::PUT,
                &format!("/api/v1/catalog/assets/{name}"),
                Some(&admin),
            )
            .header("content-type", content_type)
            .body(body.to_vec());
        send(request)
    };
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"><rect width="40" height="10" fill="#1f4e79"/></svg>"##;
    let with_logo = new_version("2099.6", tomorrow, "395.00").replacen(
        "[bureau]",
        "[bureau]\nlogo = \"logo-2099.svg\"",
        1,
    );
    let publish = || post_toml(&app, "/api/v1/catalog/versions", &admin, with_logo.clone());
    // Named before it exists: refused, naming the key.
    let problem = publish()
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::helpers::problem_fields(&problem),
        vec!["bureau.logo"]
    );
    // Stored once; the same bytes again change nothing; other bytes are refused.
    let stored = put("logo-2099.svg", "image/svg+xml", svg).await;
    stored.expect_status(StatusCode::CREATED);
    assert_eq!(stored.json()["size"], svg.len());
    put("logo-2099.svg", "image/svg+xml", svg)
        .await
        .expect_status(StatusCode::OK);
    put(
        "logo-2099.svg",
        "image/svg+xml",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .await
    .expect_problem(StatusCode::CONFLICT);
    put("notes.svg", "image/svg+xml", b"plain text, no image")
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    put("..%2Fescape.svg", "image/svg+xml", svg)
        .await
        .expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    put("logo.txt", "text/plain", b"x")
        .await
        .expect_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Now the version names a stored logo.
    publish().await.expect_status(StatusCode::CREATED);
}

on_both_backends!(a_version_names_a_published_logo);
