//! `POST /api/v1/quotes/preview`: the same JSON as `offerte quote`, and the seed prices.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;

use crate::helpers::{Backend, problem_fields, repo_dir, spawn_app};

/// Cases with explicit start and quote dates, so the CLI and the server price the same day.
fn inputs() -> Vec<Value> {
    vec![
        json!({"first_sick_day": "2025-01-06", "start_date": "2025-09-01", "quote_date": "2025-08-15",
               "readiness": "ready_with_support"}),
        json!({"first_sick_day": "2025-03-03", "start_date": "2025-06-02", "quote_date": "2025-05-28",
               "readiness": "job_ready", "expected_duration_months": 5, "schooling": "training",
               "intensity": "intensive", "language": "en"}),
        json!({"first_sick_day": "2024-11-18", "start_date": "2025-10-06", "quote_date": "2025-09-30",
               "readiness": "needs_orientation", "waiting_period_end": "2027-05-30",
               "options": ["arbeidsdeskundig_onderzoek", "linkedin_training"], "intensity": "light"}),
        json!({"first_sick_day": "2025-02-10", "start_date": "2025-08-04", "quote_date": "2025-07-01",
               "readiness": "needs_time", "schooling": "retraining", "tier": "m6"}),
        // Early start (before week 8) and a start before the quote date: warnings.
        json!({"first_sick_day": "2026-01-05", "start_date": "2026-01-19", "quote_date": "2026-02-02",
               "readiness": "job_ready"}),
        // The recommended 9 months do not fit before the waiting period ends: the fallback.
        json!({"first_sick_day": "2025-01-06", "start_date": "2026-06-01", "quote_date": "2026-05-15",
               "readiness": "needs_time", "expected_duration_months": 9}),
    ]
}

fn cli_quote(input: &Value) -> (std::process::Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, serde_json::to_vec_pretty(input).unwrap()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_offerte"))
        .arg("quote")
        .arg("--input")
        .arg(&file)
        .arg("--pricing-dir")
        .arg(repo_dir().join("pricing"))
        .output()
        .expect("the offerte binary runs");
    let value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_equals_the_command_line() {
    let app = spawn_app(Backend::Sqlite).await;
    for input in inputs() {
        let (output, cli) = cli_quote(&input);
        assert!(
            output.status.success(),
            "offerte quote failed for {input}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let http = app.preview(&input).await;
        assert_eq!(http, cli, "preview and `offerte quote` differ for {input}");
    }
    // The cases above exercise what they claim to.
    let selections: Vec<Value> = {
        let mut v = Vec::new();
        for input in inputs() {
            v.push(app.preview(&input).await["tier"]["selected_by"].clone());
        }
        v
    };
    assert!(selections.contains(&json!("override")), "{selections:?}");
    assert!(selections.contains(&json!("fallback")), "{selections:?}");
    // Previews store nothing.
    assert_eq!(app.list("").await["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_and_command_line_refuse_the_same_field() {
    let app = spawn_app(Backend::Sqlite).await;
    let input = json!({"first_sick_day": "2025-01-06", "start_date": "2027-01-03",
                       "quote_date": "2026-12-01", "readiness": "job_ready"});
    let (output, _) = cli_quote(&input);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: start_date:"), "{stderr}");
    let reply = app.post("/api/v1/quotes/preview", &input).await;
    let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&problem), vec!["start_date"]);
}

/// An amount string ("-12.50") in cents.
fn cents(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("not an amount: {amount}"));
    let (euros, cents) = text.split_once('.').expect("two decimals");
    let value =
        euros.trim_start_matches('-').parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap();
    if text.starts_with('-') { -value } else { value }
}

/// The four packages of the seed price list, excl. BTW, priced through HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_prices() {
    let app = spawn_app(Backend::Sqlite).await;
    for (tier, excl) in [
        ("m3", "1975.00"),
        ("m6", "2500.00"),
        ("m9", "3025.00"),
        ("tot_einde", "3550.00"),
    ] {
        let input = json!({"first_sick_day": "2025-01-06", "start_date": "2025-06-02",
                           "quote_date": "2025-05-20", "readiness": "ready_with_support",
                           "tier": tier});
        let c = app.preview(&input).await;
        assert_eq!(c["tier"]["code"], tier);
        assert_eq!(c["totals"]["excl_vat"], excl, "{tier}: {}", c["totals"]);
        // Everything here carries 21% BTW, and the totals add up.
        let excl_cents = cents(&c["totals"]["excl_vat"]);
        assert_eq!(cents(&c["totals"]["vat"]), excl_cents * 21 / 100, "{tier}");
        assert_eq!(
            cents(&c["totals"]["incl_vat"]),
            excl_cents * 121 / 100,
            "{tier}"
        );
        let lines: i64 = c["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| cents(&l["amount"]))
            .sum();
        assert_eq!(
            lines,
            cents(&c["totals"]["excl_vat"]),
            "{tier}: the lines add up"
        );
    }
}
