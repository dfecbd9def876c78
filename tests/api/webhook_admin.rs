//! The admin side of webhooks: the delivery list (role, filters, paging, refused queries), the
//! retry of an unknown delivery, and the outbox's metrics.

use reqwest::{Method, StatusCode};

use crate::email::servers::python;
use crate::helpers::{Backend, problem_fields, quote_body, spawn_app_with};
use crate::webhooks::{SECRET, deliveries, deliveries_until, receiver};

async fn the_list_filters_pages_and_refuses_what_it_cannot_read(backend: Backend) {
    let Some(python) = python() else { return };
    let hook = receiver(&python, SECRET, &[]);
    let app = spawn_app_with(backend, |s| {
        s.webhook_url = Some(format!("http://127.0.0.1:{}/hook", hook.port));
        s.webhook_secret = Some(SECRET.into());
    })
    .await;
    let a = app.create_quote(&quote_body("Lijst A B.V.")).await;
    let a_id = a["id"].as_str().unwrap();
    app.move_to(a_id, "sent", None).await;
    app.create_quote(&quote_body("Lijst B B.V.")).await;
    deliveries_until(&app, "?status=sent", |l| l.len() == 3).await;

    let all = deliveries(&app, "").await;
    assert_eq!(all["total"], 3);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);
    let items = all["items"].as_array().unwrap();
    assert_eq!(items[0]["event"], "quote.created", "newest first");
    assert_ne!(items[0]["quote_id"], a["id"]);
    let page = deliveries(&app, "?per_page=2&page=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["total"], 3);
    let of_a = deliveries(&app, &format!("?quote_id={a_id}")).await;
    assert_eq!(of_a["total"], 2);
    let sent = deliveries(&app, "?event=quote.sent&status=sent").await;
    assert_eq!(sent["total"], 1);
    assert_eq!(sent["items"][0]["quote_id"], a["id"]);
    assert_eq!(deliveries(&app, "?status=failed").await["total"], 0);

    // Admins only; queries read or refused with the parameter named.
    let list = "/api/v1/webhook-deliveries";
    app.call(Method::GET, list, Some(&app.keys.sales), None)
        .await
        .expect_problem(StatusCode::FORBIDDEN);
    app.call(Method::GET, list, None, None)
        .await
        .expect_problem(StatusCode::UNAUTHORIZED);
    let admin = Some(app.keys.admin.as_str());
    for (query, status, field) in [
        ("?event=quote.sentt", StatusCode::BAD_REQUEST, "event"),
        ("?status=lost", StatusCode::BAD_REQUEST, "status"),
        ("?quote_id=42", StatusCode::BAD_REQUEST, "quote_id"),
        (
            "?per_page=101",
            StatusCode::UNPROCESSABLE_ENTITY,
            "per_page",
        ),
        ("?kind=email", StatusCode::BAD_REQUEST, ""),
    ] {
        let reply = app
            .call(Method::GET, &format!("{list}{query}"), admin, None)
            .await;
        let problem = reply.expect_problem(status);
        if !field.is_empty() {
            assert_eq!(problem_fields(&problem), [field], "{query}: {problem}");
        }
    }
    for id in ["00000000-0000-0000-0000-000000000000", "not-a-uuid"] {
        app.call(Method::POST, &format!("{list}/{id}/retry"), admin, None)
            .await
            .expect_problem(StatusCode::NOT_FOUND);
    }
    let reply = app
        .call(
            Method::POST,
            &format!("{list}/{}/retry", items[0]["id"].as_str().unwrap()),
            Some(&app.keys.sales),
            None,
        )
        .await;
    reply.expect_problem(StatusCode::FORBIDDEN);

    // Metrics: this process's attempts by outcome, the queue from the database.
    let metrics = app.call(Method::GET, "/metrics", None, None).await.text;
    for line in [
        "offerte_outbox_attempts_total{kind=\"webhook\",outcome=\"delivered\"} 3",
        "offerte_outbox_attempts_total{kind=\"webhook\",outcome=\"retry\"} 0",
        "offerte_outbox_queued{kind=\"webhook\"} 0",
        "offerte_outbox_oldest_queued_seconds{kind=\"webhook\"} 0",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
}

/// A queued delivery shows in the queue's depth and age.
async fn the_metrics_show_the_queue(backend: Backend) {
    // Nothing listens on the endpoint's port: the delivery stays queued between attempts.
    let down = crate::email::servers::ClosedPort::new();
    let app = spawn_app_with(backend, |s| {
        s.webhook_url = Some(format!("http://127.0.0.1:{}/hook", down.port));
        s.webhook_secret = Some(SECRET.into());
    })
    .await;
    app.create_quote(&quote_body("Wachtrij B.V.")).await;
    let list = deliveries_until(&app, "", |l| {
        l.len() == 1 && l[0]["attempts"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    let attempt = &list[0]["attempts"][0];
    assert!(attempt.get("status_code").is_none(), "{attempt}");
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{attempt}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let metrics = app.call(Method::GET, "/metrics", None, None).await.text;
    assert!(
        metrics.contains("offerte_outbox_queued{kind=\"webhook\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("offerte_outbox_attempts_total{kind=\"webhook\",outcome=\"retry\"} 1")
    );
    let age: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("offerte_outbox_oldest_queued_seconds{kind=\"webhook\"} "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(age >= 1.0, "{age}");
}

on_both_backends!(
    the_list_filters_pages_and_refuses_what_it_cannot_read,
    the_metrics_show_the_queue,
);
