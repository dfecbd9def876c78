//! Two instances on one database and 20 bureaus creating at once: every bureau's series of
//! quote numbers is gapless, one series per bureau (the group commit mixes bureaus in one
//! transaction; each row names its own).

use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use tokio::task::JoinSet;

use super::make_bureau;
use crate::helpers::{Backend, quote_body, send, spawn_app_with, this_year};

const BUREAUS: usize = 20;
const EACH: usize = 10;

on_both_backends!(twenty_bureaus_on_two_instances_keep_gapless_series);

async fn twenty_bureaus_on_two_instances_keep_gapless_series(backend: Backend) {
    let first = spawn_app_with(backend, |_| {}).await;
    let mut keys = Vec::new();
    for b in 0..BUREAUS {
        let made = make_bureau(&first, &format!("serie-{b:02}"), &format!("S{b:02}")).await;
        keys.push(made.admin);
    }
    // Started after the bureaus were made: it loads them at start.
    let second = first.second_server().await;
    let servers = [&first, &second];
    let mut requests = JoinSet::new();
    for i in 0..BUREAUS * EACH {
        let b = i % BUREAUS;
        let server = servers[(i / BUREAUS) % 2];
        let request = server
            .request(Method::POST, "/api/v1/quotes", Some(&keys[b]))
            .json(&quote_body(&format!("Serie {b} nr {i} B.V.")));
        requests.spawn(async move { (b, send(request).await) });
    }
    let mut numbers: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    while let Some(done) = requests.join_next().await {
        let (b, reply) = done.expect("the request task ran");
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let number = reply.json()["number"].as_str().unwrap().to_string();
        numbers.entry(b).or_default().push(number);
    }
    let year = this_year();
    for (b, mut got) in numbers {
        got.sort();
        let expected: Vec<String> = (1..=EACH)
            .map(|n| format!("S{b:02}-{year}-{n:05}"))
            .collect();
        assert_eq!(got, expected, "bureau {b}: its own gapless series");
    }
}
