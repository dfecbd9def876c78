//! 200 concurrent creates over HTTP get 200 distinct, consecutive numbers: on SQLite through
//! one server, on PostgreSQL through two server instances on the same database.

use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use tokio::task::JoinSet;

use crate::helpers::{Backend, number, quote_body, send, spawn_app};

const CREATES: u32 = 200;

async fn concurrent_creates_get_consecutive_numbers(backend: Backend) {
    let first = spawn_app(backend).await;
    let mut servers = vec![&first];
    let second;
    if backend == Backend::Postgres {
        second = first.second_server().await;
        assert_ne!(second.address, first.address);
        servers.push(&second);
    }

    let mut requests = JoinSet::new();
    for i in 0..CREATES {
        let server = servers[i as usize % servers.len()];
        let request = server
            .request(
                reqwest::Method::POST,
                "/api/v1/quotes",
                Some(&server.keys.sales),
            )
            .json(&quote_body(&format!("Gelijktijdig {i} B.V.")));
        requests.spawn(async move { (i, send(request).await) });
    }
    let mut numbers = Vec::new();
    let mut ids = BTreeSet::new();
    while let Some(done) = requests.join_next().await {
        let (i, reply) = done.expect("the request task ran");
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "create {i}: {}",
            reply.text
        );
        let quote: Value = reply.json();
        assert_eq!(
            quote["employer"]["company_name"],
            format!("Gelijktijdig {i} B.V.")
        );
        numbers.push(quote["number"].as_str().unwrap().to_string());
        ids.insert(quote["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), CREATES as usize, "distinct ids");
    numbers.sort();
    let expected: Vec<String> = (1..=CREATES).map(number).collect();
    assert_eq!(numbers, expected, "200 distinct numbers without gaps");

    // Every server sees all of them.
    for server in &servers {
        let mut listed = BTreeSet::new();
        for page in 1..=2 {
            let page = server.list(&format!("?per_page=100&page={page}")).await;
            assert_eq!(page["total"], CREATES);
            for quote in page["items"].as_array().unwrap() {
                listed.insert(quote["number"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(listed, expected.iter().cloned().collect());
    }
    // The next one follows on.
    assert_eq!(
        servers[servers.len() - 1]
            .create_quote(&quote_body("Daarna B.V."))
            .await["number"],
        number(CREATES + 1)
    );
}

on_both_backends!(concurrent_creates_get_consecutive_numbers);

/// Creates are committed in groups; a group that fails as a whole (here: twenty requests with
/// one Idempotency-Key racing each other) is retried one by one. Every request still gets its
/// own answer, the key makes one quote, and the numbers have no gap.
async fn racing_idempotent_creates_make_one_quote(backend: Backend) {
    let app = spawn_app(backend).await;
    let same = quote_body("Eenmalig B.V.");
    let mut requests = JoinSet::new();
    for i in 0..40u32 {
        let (body, key) = if i % 2 == 0 {
            (same.clone(), Some("race-1"))
        } else {
            (quote_body(&format!("Anders {i} B.V.")), None)
        };
        let mut request = app
            .request(
                reqwest::Method::POST,
                "/api/v1/quotes",
                Some(&app.keys.sales),
            )
            .json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        requests.spawn(async move { (key.is_some(), send(request).await) });
    }
    let (mut keyed_ids, mut numbers) = (BTreeSet::new(), BTreeSet::new());
    let mut created_with_key = 0;
    while let Some(done) = requests.join_next().await {
        let (keyed, reply) = done.expect("the request task ran");
        let quote: Value = reply.json();
        if keyed {
            match reply.status {
                StatusCode::CREATED => created_with_key += 1,
                StatusCode::OK => assert_eq!(reply.header("idempotent-replayed"), Some("true")),
                other => panic!("keyed create answered {other}: {}", reply.text),
            }
            keyed_ids.insert(quote["id"].as_str().unwrap().to_string());
        } else {
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        }
        numbers.insert(quote["number"].as_str().unwrap().to_string());
    }
    assert_eq!(created_with_key, 1, "one keyed request made the quote");
    assert_eq!(keyed_ids.len(), 1, "every keyed request got the same quote");
    let expected: BTreeSet<String> = (1..=21).map(number).collect();
    assert_eq!(numbers, expected, "21 quotes, numbered without gaps");
    assert_eq!(app.list("?per_page=100").await["total"], 21);
    assert_eq!(
        app.create_quote(&quote_body("Daarna B.V.")).await["number"],
        number(22)
    );
}

on_both_backends!(racing_idempotent_creates_make_one_quote);
