//! Quotes over HTTP on both backends: create and read back, numbers, the lifecycle, expiry,
//! revisions, the idempotency key, pagination and filters, restarts and catalog changes.

use chrono::{Days, NaiveDate};
use offerte::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, circumstances, copy_dir, days_ago, number, problem_fields, quote_body,
    repo_dir, spawn_app, spawn_app_with, this_year, today,
};

const STATUSES: [&str; 7] = [
    "draft",
    "sent",
    "accepted",
    "declined",
    "withdrawn",
    "expired",
    "superseded",
];

/// The moves the lifecycle allows from each status.
fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "draft" => &["sent", "withdrawn"],
        "sent" => &["accepted", "declined", "withdrawn"],
        _ => &[],
    }
}

fn id_of(quote: &Value) -> String {
    quote["id"].as_str().expect("an id").to_string()
}

fn date(value: &Value) -> NaiveDate {
    value
        .as_str()
        .and_then(|s| s.get(..10))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {value}"))
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

async fn create_and_read_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = quote_body("Bakkerij De Korenschoof B.V.");
    let reply = app.post("/api/v1/quotes", &body).await;
    reply.expect_status(StatusCode::CREATED);
    let created = reply.json();
    let id = id_of(&created);
    uuid::Uuid::parse_str(&id).expect("ids are UUIDs");
    let location = reply.header("location").expect("a Location header");
    assert_eq!(location, format!("/api/v1/quotes/{id}"));

    // Read back through the Location: exactly what the create answered.
    let read = app.get(location).await;
    read.expect_status(StatusCode::OK);
    assert_eq!(read.json(), created);

    assert_eq!(created["number"], number(1));
    assert_eq!(created["display_number"], number(1));
    assert_eq!(created["revision"], 1);
    assert_eq!(created["status"], "draft");
    assert_eq!(created["employer"], body["employer"]);
    assert_eq!(created["employee"], body["employee"]);
    assert_eq!(
        created["created_by"],
        json!({"role": "sales", "key_id": app.keys.id(Role::Sales)})
    );
    // The stored circumstances are the input with the dates made explicit.
    let mut expected = body["circumstances"].clone();
    for (name, value) in [
        ("start_date", today().to_string()),
        ("quote_date", today().to_string()),
        ("schooling", "none".into()),
        ("intensity", "standard".into()),
        ("language", "nl".into()),
    ] {
        expected[name] = json!(value);
    }
    assert_eq!(created["circumstances"], expected);
    // The frozen computation is what a preview of the same case gives, and it adds up.
    let computation = &created["computation"];
    assert_eq!(computation, &app.preview(&expected).await);
    assert_eq!(computation["tier"]["code"], "m6");
    assert_eq!(computation["totals"]["excl_vat"], "2500.00");
    assert_eq!(computation["totals"]["incl_vat"], "3025.00");
    let validity = today().checked_add_days(Days::new(30)).unwrap();
    assert_eq!(created["valid_until"], validity.to_string());

    let events = app.events(&id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["from"], Value::Null);
    assert_eq!(events[0]["to"], "draft");
    assert_eq!(events[0]["role"], "sales");
    assert_eq!(events[0]["quote_id"], id);

    // Consecutive numbers: OFF-<year>-00002, -00003 (the third made with the admin key).
    let second = app.create_quote(&quote_body("Tweede B.V.")).await;
    assert_eq!(second["number"], number(2));
    let reply = app
        .call(
            Method::POST,
            "/api/v1/quotes",
            Some(&app.keys.admin),
            Some(&quote_body("Derde B.V.")),
        )
        .await;
    reply.expect_status(StatusCode::CREATED);
    let third = reply.json();
    assert_eq!(third["number"], format!("OFF-{}-00003", this_year()));
    assert_eq!(third["created_by"]["role"], "admin");
    assert_eq!(third["created_by"]["key_id"], app.keys.id(Role::Admin));
    // The first one is untouched by the others.
    assert_eq!(app.quote(&id).await, created);
}

async fn full_lifecycle(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = id_of(&app.create_quote(&quote_body("Levenscyclus B.V.")).await);
    let sent = app.move_to(&id, "sent", None).await;
    assert_eq!(sent["decided_at"], Value::Null);

    let reply = app
        .call(
            Method::POST,
            &format!("/api/v1/quotes/{id}/transitions"),
            Some(&app.keys.admin),
            Some(&json!({"to": "accepted", "reason": "signed on 12 May"})),
        )
        .await;
    reply.expect_status(StatusCode::OK);
    let accepted = reply.json();
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["decided_at"].is_string(), "{accepted}");
    assert_eq!(accepted["computation"], sent["computation"]);

    let events = app.events(&id).await;
    let steps: Vec<(Value, Value, Value, Value)> = events
        .iter()
        .map(|e| {
            (
                e["from"].clone(),
                e["to"].clone(),
                e["role"].clone(),
                e["key_id"].clone(),
            )
        })
        .collect();
    let sales = json!(app.keys.id(Role::Sales));
    let admin = json!(app.keys.id(Role::Admin));
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("draft"), json!("sales"), sales.clone()),
            (json!("draft"), json!("sent"), json!("sales"), sales),
            (json!("sent"), json!("accepted"), json!("admin"), admin),
        ]
    );
    assert_eq!(events[2]["reason"], "signed on 12 May");
    let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| {
            let a: chrono::DateTime<chrono::Utc> = w[0].parse().unwrap();
            let b: chrono::DateTime<chrono::Utc> = w[1].parse().unwrap();
            a <= b
        }),
        "{times:?}"
    );

    // An accepted quote can no longer change at all.
    app.patch(
        &format!("/api/v1/quotes/{id}"),
        &json!({"employer": quote_body("Ander B.V.")["employer"]}),
    )
    .await
    .expect_conflict("accepted", &[]);
    app.patch(
        &format!("/api/v1/quotes/{id}"),
        &json!({"circumstances": circumstances()}),
    )
    .await
    .expect_conflict("accepted", &[]);
    for to in STATUSES {
        app.transition(&id, to, Some("a reason"))
            .await
            .expect_conflict("accepted", &[]);
    }
    app.post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
        .await
        .expect_conflict("accepted", &[]);
    assert_eq!(app.quote(&id).await, accepted);
    assert_eq!(app.events(&id).await, events);
}

/// Puts a new quote in `status` (through the API) and returns its id.
async fn quote_in(app: &TestApp, status: &str) -> String {
    let mut body = quote_body(&format!("Status {status} B.V."));
    if status == "expired" {
        body["circumstances"]["quote_date"] = json!(days_ago(40).to_string());
    }
    let id = id_of(&app.create_quote(&body).await);
    match status {
        "draft" => {}
        "sent" => {
            app.move_to(&id, "sent", None).await;
        }
        "accepted" | "declined" => {
            app.move_to(&id, "sent", None).await;
            app.move_to(&id, status, Some("the employer decided")).await;
        }
        "withdrawn" => {
            app.move_to(&id, "withdrawn", None).await;
        }
        "expired" => {
            app.move_to(&id, "sent", None).await;
            assert_eq!(app.quote(&id).await["status"], "expired");
        }
        "superseded" => {
            let reply = app
                .post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
                .await;
            reply.expect_status(StatusCode::CREATED);
        }
        other => panic!("no way to reach {other}"),
    }
    assert_eq!(app.quote(&id).await["status"], status);
    id
}

async fn every_illegal_move_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    // The allowed move from sent to withdrawn (the others are taken in `quote_in`).
    let id = quote_in(&app, "sent").await;
    app.move_to(&id, "withdrawn", Some("no longer needed"))
        .await;

    let mut refused = 0;
    for from in STATUSES {
        let id = quote_in(&app, from).await;
        let before = app.quote(&id).await;
        let events = app.events(&id).await;
        for to in STATUSES.iter().filter(|to| !allowed(from).contains(to)) {
            // With and without a reason: the state is checked first.
            app.transition(&id, to, None)
                .await
                .expect_conflict(from, allowed(from));
            app.transition(&id, to, Some("because"))
                .await
                .expect_conflict(from, allowed(from));
            refused += 1;
        }
        assert_eq!(app.quote(&id).await, before, "{from}");
        assert_eq!(app.events(&id).await, events, "{from}");
    }
    // 7 × 7 pairs, 5 of them allowed.
    assert_eq!(refused, 44);
}

async fn declining_needs_a_reason_but_the_state_comes_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let draft = quote_in(&app, "draft").await;
    app.transition(&draft, "declined", None)
        .await
        .expect_conflict("draft", &["sent", "withdrawn"]);

    let sent = quote_in(&app, "sent").await;
    for reason in [None, Some(""), Some("   ")] {
        let reply = app.transition(&sent, "declined", reason).await;
        let problem = reply.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_fields(&problem), vec!["reason"], "{problem}");
    }
    assert_eq!(app.quote(&sent).await["status"], "sent");
    let declined = app
        .move_to(&sent, "declined", Some("budget went to another bureau"))
        .await;
    assert!(declined["decided_at"].is_string());
    let events = app.events(&sent).await;
    let last = events.last().unwrap();
    assert_eq!(last["from"], "sent");
    assert_eq!(last["to"], "declined");
    assert_eq!(last["reason"], "budget went to another bureau");
}

async fn only_drafts_can_be_edited(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_quote(&quote_body("Bewerk B.V.")).await;
    let id = id_of(&created);
    let path = format!("/api/v1/quotes/{id}");

    // A new employer: the computation stays as it was.
    let employer = json!({"company_name": "Bewerkt B.V.", "contact_person": "A. Jansen",
                          "email": "a.jansen@bewerkt.nl"});
    let reply = app.patch(&path, &json!({"employer": employer})).await;
    reply.expect_status(StatusCode::OK);
    let edited = reply.json();
    assert_eq!(edited["employer"], employer);
    assert_eq!(edited["employee"], created["employee"]);
    assert_eq!(edited["computation"], created["computation"]);
    assert_eq!(edited["number"], created["number"]);
    assert_eq!(edited["status"], "draft");

    // New circumstances: priced again (job ready → the 3-month package).
    let mut changed = circumstances();
    changed["readiness"] = json!("job_ready");
    let reply = app.patch(&path, &json!({"circumstances": changed})).await;
    reply.expect_status(StatusCode::OK);
    let repriced = reply.json();
    assert_eq!(repriced["computation"]["tier"]["code"], "m3");
    assert_eq!(repriced["computation"]["totals"]["excl_vat"], "1975.00");
    assert_ne!(repriced["computation"], created["computation"]);
    assert_eq!(
        repriced["computation"],
        app.preview(&repriced["circumstances"]).await
    );
    assert_eq!(repriced["employer"], employer);
    assert_eq!(app.quote(&id).await, repriced);
    let edits = app
        .events(&id)
        .await
        .iter()
        .filter(|e| e["from"] == "draft" && e["to"] == "draft")
        .count();
    assert_eq!(edits, 2);

    // Once sent, no more edits.
    let sent = app.move_to(&id, "sent", None).await;
    app.patch(&path, &json!({"employer": quote_body("X")["employer"]}))
        .await
        .expect_conflict("sent", &["accepted", "declined", "withdrawn"]);
    assert_eq!(app.quote(&id).await, sent);
    let withdrawn = quote_in(&app, "withdrawn").await;
    app.patch(&format!("/api/v1/quotes/{withdrawn}"), &json!({}))
        .await
        .expect_conflict("withdrawn", &[]);
    // An edit of a quote that does not exist.
    app.patch(
        &format!("/api/v1/quotes/{}", uuid::Uuid::new_v4()),
        &json!({}),
    )
    .await
    .expect_problem(StatusCode::NOT_FOUND);
}

async fn sent_quotes_expire_after_their_validity(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = quote_body("Verlopen B.V.");
    body["circumstances"]["quote_date"] = json!(days_ago(40).to_string());
    let created = app.create_quote(&body).await;
    let id = id_of(&created);
    assert_eq!(created["valid_until"], days_ago(10).to_string());
    // A draft does not expire.
    assert_eq!(app.quote(&id).await["status"], "draft");

    let other = id_of(&app.create_quote(&body).await);
    let fresh = id_of(&app.create_quote(&quote_body("Geldig B.V.")).await);
    app.move_to(&fresh, "sent", None).await;
    app.move_to(&id, "sent", None).await;
    app.move_to(&other, "sent", None).await;

    // Every read applies the expiry: the events ...
    let events = app.events(&other).await;
    let last = events.last().unwrap();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("sent"), &json!("expired"))
    );
    // ... and the list, whose status filter agrees.
    assert_eq!(ids(&app.list("?status=sent").await), vec![fresh.clone()]);
    assert_eq!(
        ids(&app.list("?status=expired").await),
        vec![other.clone(), id.clone()]
    );

    let read = app.quote(&id).await;
    assert_eq!(read["status"], "expired");
    assert_eq!(read["computation"], created["computation"]);
    let events = app.events(&id).await;
    let last = events.last().unwrap();
    assert_eq!(last["from"], "sent");
    assert_eq!(last["to"], "expired");
    assert_eq!(last["role"], "system");
    assert_eq!(
        events.iter().filter(|e| e["to"] == "expired").count(),
        1,
        "expired once: {events:?}"
    );
    // Expired is final.
    app.transition(&id, "accepted", None)
        .await
        .expect_conflict("expired", &[]);
    // A quote still within its validity stays sent.
    assert_eq!(app.quote(&fresh).await["status"], "sent");
}

async fn revisions_supersede_and_stay_readable(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.create_quote(&quote_body("Revisie B.V.")).await;
    let first_id = id_of(&first);
    let number = first["number"].as_str().unwrap().to_string();
    let sent = app.move_to(&first_id, "sent", None).await;

    let reply = app
        .post(&format!("/api/v1/quotes/{first_id}/revisions"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    let second = reply.json();
    let second_id = id_of(&second);
    assert_ne!(second_id, first_id);
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/quotes/{second_id}").as_str())
    );
    assert_eq!(second["number"], number);
    assert_eq!(second["revision"], 2);
    assert_eq!(second["display_number"], format!("{number}-2"));
    assert_eq!(second["status"], "draft");
    assert_eq!(second["supersedes"], first_id);
    assert_eq!(second["employer"], first["employer"]);

    let old = app.quote(&first_id).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"], second_id);
    assert_eq!(old["computation"], sent["computation"]);
    assert_eq!(old["display_number"], number);

    // Lists show the latest revision; the old one under its status.
    assert_eq!(ids(&app.list("").await), vec![second_id.clone()]);
    assert_eq!(
        ids(&app.list(&format!("?number={number}")).await),
        vec![second_id.clone()]
    );
    let superseded = app.list("?status=superseded").await;
    assert_eq!(ids(&superseded), vec![first_id.clone()]);
    assert_eq!(superseded["total"], 1);

    // A revision with new circumstances is priced again.
    let mut changed = circumstances();
    changed["readiness"] = json!("needs_time");
    let reply = app
        .post(
            &format!("/api/v1/quotes/{second_id}/revisions"),
            &json!({"circumstances": changed}),
        )
        .await;
    reply.expect_status(StatusCode::CREATED);
    let third = reply.json();
    assert_eq!(third["revision"], 3);
    assert_eq!(third["display_number"], format!("{number}-3"));
    assert_eq!(third["computation"]["tier"]["code"], "m9");
    assert_eq!(app.quote(&second_id).await["status"], "superseded");
    assert_eq!(ids(&app.list("").await), vec![id_of(&third)]);
    assert_eq!(app.list("?status=superseded").await["total"], 2);

    // A superseded revision cannot be revised again, nor moved.
    app.post(&format!("/api/v1/quotes/{first_id}/revisions"), &json!({}))
        .await
        .expect_conflict("superseded", &[]);
    app.transition(&first_id, "accepted", None)
        .await
        .expect_conflict("superseded", &[]);

    let events = app.events(&first_id).await;
    let last = events.last().unwrap();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("sent"), &json!("superseded"))
    );
    let events = app.events(&id_of(&third)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["to"], "draft");

    // Revisions use no new number.
    let next = app.create_quote(&quote_body("Volgende B.V.")).await;
    assert_eq!(next["number"], crate::helpers::number(2));
}

async fn idempotency_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = quote_body("Idempotent B.V.");
    let create = |body: &Value, key: &str| {
        app.request(Method::POST, "/api/v1/quotes", Some(&app.keys.sales))
            .header("idempotency-key", key)
            .json(body)
    };

    let first = crate::helpers::send(create(&body, &key)).await;
    first.expect_status(StatusCode::CREATED);
    assert_eq!(first.header("idempotent-replayed"), None);
    let quote = first.json();

    let again = crate::helpers::send(create(&body, &key)).await;
    again.expect_status(StatusCode::OK);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json(), quote);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(app.list("").await["total"], 1);

    let other = crate::helpers::send(create(&quote_body("Ander B.V."), &key)).await;
    let problem = other.expect_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&problem), vec!["Idempotency-Key"]);
    assert_eq!(app.list("").await["total"], 1);

    // Another key, or none, makes another quote.
    let fresh = crate::helpers::send(create(&body, &uuid::Uuid::new_v4().to_string())).await;
    fresh.expect_status(StatusCode::CREATED);
    assert_eq!(fresh.json()["number"], number(2));
    assert_eq!(app.create_quote(&body).await["number"], number(3));
    assert_eq!(app.create_quote(&body).await["number"], number(4));
    assert_eq!(app.list("").await["total"], 4);
}

async fn pagination_and_filters(backend: Backend) {
    let app = spawn_app(backend).await;
    let names = [
        "Alpha Bouw B.V.",
        "Bravo Zorg",
        "ALPHABET Holding",
        "Charlie & Co",
        "Delta 100% Schoon",
    ];
    let mut made = Vec::new();
    for name in names {
        made.push(app.create_quote(&quote_body(name)).await);
    }
    let all: Vec<String> = made.iter().rev().map(id_of).collect(); // newest first

    let page = app.list("").await;
    assert_eq!(ids(&page), all);
    assert_eq!(
        (&page["page"], &page["per_page"], &page["total"]),
        (&json!(1), &json!(20), &json!(5))
    );
    let mut seen = Vec::new();
    for (n, expected) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let page = app.list(&format!("?per_page=2&page={n}")).await;
        assert_eq!(page["total"], 5, "page {n}");
        assert_eq!(page["page"], n);
        assert_eq!(page["per_page"], 2);
        assert_eq!(ids(&page).len(), expected, "page {n}");
        seen.extend(ids(&page));
    }
    assert_eq!(
        seen, all,
        "the pages together hold every quote once, newest first"
    );

    app.move_to(&id_of(&made[1]), "sent", None).await;
    assert_eq!(ids(&app.list("?status=sent").await), vec![id_of(&made[1])]);
    assert_eq!(app.list("?status=draft").await["total"], 4);
    assert_eq!(app.list("?status=accepted").await["total"], 0);

    assert_eq!(
        ids(&app.list(&format!("?number={}", number(3))).await),
        vec![id_of(&made[2])]
    );
    assert_eq!(app.list("?number=OFF-1999-00001").await["total"], 0);

    let alpha = vec![id_of(&made[2]), id_of(&made[0])];
    assert_eq!(ids(&app.list("?employer=alpha").await), alpha);
    assert_eq!(ids(&app.list("?employer=ALPHA").await), alpha);
    assert_eq!(
        ids(&app.list("?employer=bouw%20b.v").await),
        vec![id_of(&made[0])]
    );
    // `%` and `_` are taken literally.
    assert_eq!(
        ids(&app.list("?employer=100%25").await),
        vec![id_of(&made[4])]
    );
    assert_eq!(app.list("?employer=%25").await["total"], 1);
    assert_eq!(app.list("?employer=_").await["total"], 0);
    assert_eq!(app.list("?employer=zulu").await["total"], 0);

    let day = date(&made[0]["created_at"]);
    let before = day.checked_sub_days(Days::new(1)).unwrap();
    let after = day.checked_add_days(Days::new(1)).unwrap();
    assert_eq!(app.list(&format!("?created_from={day}")).await["total"], 5);
    assert_eq!(app.list(&format!("?created_to={day}")).await["total"], 5);
    assert_eq!(
        app.list(&format!("?created_from={before}&created_to={day}"))
            .await["total"],
        5
    );
    assert_eq!(
        app.list(&format!("?created_from={after}")).await["total"],
        0
    );
    assert_eq!(app.list(&format!("?created_to={before}")).await["total"], 0);

    let page = app
        .list(&format!(
            "?employer=alpha&status=draft&created_from={day}&per_page=1&page=2"
        ))
        .await;
    assert_eq!(page["total"], 2);
    assert_eq!(ids(&page), vec![id_of(&made[0])]);
}

async fn a_restart_loses_nothing(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let one = id_of(&app.create_quote(&quote_body("Herstart B.V.")).await);
    let two = id_of(&app.create_quote(&quote_body("Blijft B.V.")).await);
    app.move_to(&one, "sent", None).await;
    let reply = app
        .post(&format!("/api/v1/quotes/{two}/revisions"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    let three = id_of(&reply.json());

    let mut before = Vec::new();
    for id in [&one, &two, &three] {
        before.push((app.quote(id).await, app.events(id).await));
    }
    let list_before = (app.list("").await, app.list("?status=superseded").await);
    let old_address = app.address.clone();

    app.restart().await;
    if app.address != old_address {
        // The old server is gone.
        let old = reqwest::Client::new()
            .get(format!("{old_address}/healthz"))
            .send()
            .await;
        assert!(old.is_err(), "the old server still answers: {old:?}");
    }

    let mut after = Vec::new();
    for id in [&one, &two, &three] {
        after.push((app.quote(id).await, app.events(id).await));
    }
    assert_eq!(after, before);
    assert_eq!(
        (app.list("").await, app.list("?status=superseded").await),
        list_before
    );
    // Numbering goes on where it was.
    assert_eq!(
        app.create_quote(&quote_body("Na herstart B.V.")).await["number"],
        number(3)
    );
}

async fn a_catalog_change_does_not_change_a_quote(backend: Backend) {
    let folder = tempfile::tempdir().unwrap();
    let pricing = folder.path().join("pricing");
    copy_dir(&repo_dir().join("pricing"), &pricing);
    let mut app = spawn_app_with(backend, |s| s.pricing_dir = pricing.clone()).await;

    let mut body = quote_body("Catalogus B.V.");
    body["circumstances"] = json!({"first_sick_day": days_ago(200).to_string(),
                                   "start_date": today().to_string(),
                                   "quote_date": today().to_string(),
                                   "readiness": "ready_with_support"});
    let created = app.create_quote(&body).await;
    let id = id_of(&created);
    app.move_to(&id, "sent", None).await;
    let before = app.quote(&id).await;
    let events = app.events(&id).await;
    let preview_before = app.preview(&body["circumstances"]).await;
    assert_eq!(preview_before, before["computation"]);
    assert_eq!(before["computation"]["totals"]["excl_vat"], "2500.00");

    // The catalog owner changes prices and a text in the same version.
    let file = pricing.join("2024-01-01.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut changed = text.clone();
    for (from, to) in [
        ("bundle_price = \"2500.00\"", "bundle_price = \"2600.00\""),
        ("unit_price = \"395.00\"", "unit_price = \"425.00\""),
        ("nl = \"Pakket 6 maanden\"", "nl = \"Pakket zes maanden\""),
    ] {
        assert!(
            changed.contains(from),
            "the seed catalog no longer has {from}"
        );
        changed = changed.replacen(from, to, 1);
    }
    std::fs::write(&file, &changed).unwrap();
    // The database holds the catalog: a changed folder file is reported, not applied.
    app.restart().await;
    assert_eq!(app.preview(&body["circumstances"]).await, preview_before);
    // Published as a new version, in force today, it prices at once, without a restart.
    let next = changed
        .replacen("version = \"2024.1\"", "version = \"2099.9\"", 1)
        .replacen(
            "valid_from = 2024-01-01",
            &format!("valid_from = {}", today()),
            1,
        );
    let admin = app.keys.admin.clone();
    let published = app
        .request(
            reqwest::Method::POST,
            "/api/v1/catalog/versions",
            Some(&admin),
        )
        .header("content-type", "application/toml")
        .body(next)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), reqwest::StatusCode::CREATED);

    assert_eq!(app.quote(&id).await, before, "the stored quote changed");
    assert_eq!(app.events(&id).await, events);
    let preview_after = app.preview(&body["circumstances"]).await;
    assert_eq!(preview_after["totals"]["excl_vat"], "2600.00");
    assert_eq!(preview_after["tier"]["name"], "Pakket zes maanden");
    assert_ne!(
        preview_after["catalog"]["hash"],
        before["computation"]["catalog"]["hash"]
    );
    // A new quote gets the new prices; the old one keeps its own.
    let new = app.create_quote(&body).await;
    assert_eq!(new["computation"], preview_after);
    assert_eq!(app.quote(&id).await["computation"], preview_before);
}

on_both_backends!(
    create_and_read_back,
    full_lifecycle,
    every_illegal_move_is_a_conflict,
    declining_needs_a_reason_but_the_state_comes_first,
    only_drafts_can_be_edited,
    sent_quotes_expire_after_their_validity,
    revisions_supersede_and_stay_readable,
    idempotency_key,
    pagination_and_filters,
    a_restart_loses_nothing,
    a_catalog_change_does_not_change_a_quote,
);
