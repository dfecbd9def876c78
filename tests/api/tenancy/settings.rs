//! A bureau's own settings through its admin key: checked field by field, in force at once
//! (its website origin may call the API from a browser; another bureau's origin may not reach
//! it through this one's settings).

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::make_bureau;
use crate::helpers::{Backend, problem_fields, send, spawn_app_with};

on_both_backends!(a_bureau_sets_its_own_sender_origins_and_reminders);

async fn a_bureau_sets_its_own_sender_origins_and_reminders(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let b = make_bureau(&app, "hotel", "HO").await;
    let read = app
        .call(Method::GET, "/api/v1/bureau", Some(&b.admin), None)
        .await;
    read.expect_status(StatusCode::OK);
    assert_eq!(read.json()["slug"], "hotel");

    let refused = app
        .call(
            Method::PATCH,
            "/api/v1/bureau",
            Some(&b.admin),
            Some(&json!({
                "mail_from": "geen adres",
                "origins": ["https://www.hotel.example/pad"],
                "reminder_days": 400
            })),
        )
        .await;
    let problem = refused.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem_fields(&problem),
        ["mail_from", "origins[0]", "reminder_days"]
    );
    let unchanged = app
        .call(Method::GET, "/api/v1/bureau", Some(&b.admin), None)
        .await
        .json();
    assert_eq!(unchanged["origins"], json!([]), "nothing stored");

    let changed = app
        .call(
            Method::PATCH,
            "/api/v1/bureau",
            Some(&b.admin),
            Some(&json!({
                "mail_from": "Hotel <offertes@hotel.example>",
                "origins": ["https://www.hotel.example"],
                "reminder_days": 5
            })),
        )
        .await;
    changed.expect_status(StatusCode::OK);
    let changed = changed.json();
    assert_eq!(changed["reminder_days"], 5);
    assert_eq!(changed["mail_from"], "Hotel <offertes@hotel.example>");

    // `null` clears one field; the others stay.
    let cleared = app
        .call(
            Method::PATCH,
            "/api/v1/bureau",
            Some(&b.admin),
            Some(&json!({"mail_from": null})),
        )
        .await
        .json();
    assert_eq!(cleared["mail_from"], json!(null));
    assert_eq!(cleared["reminder_days"], 5);

    // The origin may call the API from a browser now; another may not.
    let preflight = |origin: &'static str| {
        send(
            app.request(Method::OPTIONS, "/api/v1/quote-requests", None)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "content-type, authorization",
                ),
        )
    };
    let allowed = preflight("https://www.hotel.example").await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://www.hotel.example"),
        "{allowed:?}"
    );
    let other = preflight("https://www.elders.example").await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    // The default bureau's admin changes its own bureau, not hotel's.
    let own = app
        .call(Method::GET, "/api/v1/bureau", Some(&app.keys.admin), None)
        .await
        .json();
    assert_eq!(own["slug"], "default");
    assert_eq!(own["origins"], json!([]));
}
