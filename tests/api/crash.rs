//! Crash tests against a real server process killed with SIGKILL:
//! - 200 concurrent creates, killed mid-way: after a restart on the same database every quote
//!   that was acknowledged with a 201 is there with identical totals, and no number appears twice;
//! - a queued e-mail (its relay down at first), killed before delivery: after a restart the
//!   e-mail arrives, once;
//! - queued webhook deliveries (the receiver refusing at first), killed: after a restart every
//!   event arrives, with the `webhook-id` it was queued with.

use serde_json::Value;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::helpers::{Backend, TestDb, quote_body, repo_dir};
use offerte::access::{Role, new_key};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// `GET path` with `key`, read as JSON.
    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, key: &str) -> T {
        let reply = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        reply.json().await.unwrap()
    }

    async fn start(db_url: &str, entry: &str) -> Server {
        Server::start_with(db_url, entry, &[]).await
    }

    /// With extra environment variables.
    async fn start_with(db_url: &str, entry: &str, env: &[(&str, String)]) -> Server {
        // Port 0: the server binds a port of the system's choosing and logs it (JSON, on
        // stderr); a port chosen here and bound later could be taken by another test meanwhile.
        let mut child = Command::new(env!("CARGO_BIN_EXE_offerte"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", db_url])
            .arg("--pricing-dir")
            .arg(repo_dir().join("pricing"))
            .env("OFFERTE_TEMPLATES_DIR", repo_dir().join("templates"))
            .env("OFFERTE_API_KEYS", entry)
            .env("OFFERTE_LOG", "error,offerte::cli::serve=info")
            .env("OFFERTE_LOG_FORMAT", "json")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the offerte binary starts");
        let Some(port) = listening_port(child.stderr.take().unwrap()) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not say which port it listens on");
        };
        // Owned at once, so the process is killed and reaped on every path (Drop).
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            let health = client.get(format!("{}/healthz", server.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not come up on {}", server.base);
    }
}

/// The port in the server's "listening" log line; the rest of its log is read and dropped on a
/// thread (so the pipe never fills). `None` when the log ends or 60 s pass without that line.
/// Sends every `(path, body)` as a POST at once, and kills the server with SIGKILL once `after`
/// of them were answered. What each came to: its status and body, `None` without an answer.
async fn kill_during(
    server: &mut Server,
    key: &str,
    requests: Vec<(String, Value)>,
    after: usize,
) -> Vec<Option<(u16, Value)>> {
    let client = reqwest::Client::new();
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (path, body) in requests {
        let (client, url, key, answered) = (
            client.clone(),
            format!("{}{path}", server.base),
            key.to_string(),
            answered.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let reply = client
                .post(url)
                .bearer_auth(&key)
                .json(&body)
                .send()
                .await
                .ok()?;
            let status = reply.status().as_u16();
            let body: Value = reply.json().await.ok()?;
            answered.fetch_add(1, Ordering::SeqCst);
            Some((status, body))
        }));
    }
    while answered.load(Ordering::SeqCst) < after {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("the process is gone");
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the task finished"));
    }
    answers
}

fn listening_port(stderr: std::process::ChildStderr) -> Option<u16> {
    use std::io::{BufRead, BufReader};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let port = serde_json::from_str::<Value>(&line)
                .ok()
                .and_then(|l| l["port"].as_u64())
                .and_then(|p| u16::try_from(p).ok());
            if let Some(port) = port {
                let _ = tx.send(port);
            }
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).ok()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn killed_mid_way_loses_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (key, entry) = new_key(Role::Sales);
    let mut server = Server::start(&db.url, &entry).await;
    let client = reqwest::Client::new();
    let creates = (0..200)
        .map(|i| {
            (
                "/api/v1/quotes".to_string(),
                quote_body(&format!("Werkgever {i}")),
            )
        })
        .collect();
    // SIGKILL once a fifth of the requests were answered.
    let answers = kill_during(&mut server, &key, creates, 40).await;
    let acknowledged: Vec<Value> = answers
        .into_iter()
        .flatten()
        .filter_map(|(status, body)| (status == 201).then_some(body))
        .collect();
    assert!(
        acknowledged.len() >= 40,
        "at least 40 creates were acknowledged"
    );
    assert!(
        acknowledged.len() < 200,
        "the kill came mid-way ({} of 200 acknowledged)",
        acknowledged.len()
    );

    let server = Server::start(&db.url, &entry).await;
    for quote in &acknowledged {
        let id = quote["id"].as_str().unwrap();
        let stored: Value = server.get_json(&format!("/api/v1/quotes/{id}"), &key).await;
        assert_eq!(
            stored["number"], quote["number"],
            "{id}: same number after the crash"
        );
        assert_eq!(
            stored["computation"]["totals"], quote["computation"]["totals"],
            "{id}: same totals"
        );
    }
    let mut numbers = HashSet::new();
    let mut page = 1;
    loop {
        let list: Value = client
            .get(format!(
                "{}/api/v1/quotes?per_page=100&page={page}",
                server.base
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        for item in items {
            assert!(
                numbers.insert(item["number"].as_str().unwrap().to_string()),
                "duplicate number {}",
                item["number"]
            );
        }
        if items.len() < 100 {
            break;
        }
        page += 1;
    }
    assert!(
        numbers.len() >= acknowledged.len(),
        "every acknowledged quote is listed"
    );
    eprintln!(
        "crash test ({backend:?}): {} of 200 acknowledged before SIGKILL, {} stored, all intact",
        acknowledged.len(),
        numbers.len()
    );
}

on_both_backends!(killed_mid_way_loses_nothing);

async fn a_queued_email_survives_a_kill(backend: Backend) {
    use crate::email::servers::{Server as Support, python};
    let Some(python) = python() else { return };
    let db = TestDb::new(backend).await;
    let (key, entry) = new_key(Role::Sales);
    // The relay's port refuses connections until the sink is told to open it.
    let smtp = Support::start(&python, "smtp_sink.py", &["--down-until", "up"]);
    let env = [(
        "OFFERTE_SMTP_URL",
        format!("smtp://127.0.0.1:{}", smtp.port),
    )];
    let mut server = Server::start_with(&db.url, &entry, &env).await;
    let client = reqwest::Client::new();
    let quote: Value = client
        .post(format!("{}/api/v1/quotes", server.base))
        .bearer_auth(&key)
        .json(&quote_body("Na de crash B.V."))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = quote["id"].as_str().unwrap().to_string();
    let sent = client
        .post(format!("{}/api/v1/quotes/{id}/send", server.base))
        .bearer_auth(&key)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 202);
    // The relay is down: the first attempt fails and the job waits for its retry. SIGKILL now.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("the process is gone");

    smtp.touch("up");
    let server = Server::start_with(&db.url, &entry, &env).await;
    smtp.file("1.eml");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(smtp.count("eml"), 1, "delivered once");
    let deliveries: Value = server
        .get_json(&format!("/api/v1/quotes/{id}/deliveries"), &key)
        .await;
    assert_eq!(deliveries[0]["status"], "sent", "{deliveries}");
}

on_both_backends!(a_queued_email_survives_a_kill);

/// Webhook deliveries queued (the receiver failing at first), then SIGKILL: after a restart
/// every event arrives, each with the `webhook-id` it was queued with.
async fn queued_webhooks_survive_a_kill(backend: Backend) {
    use crate::email::servers::python;
    use crate::webhooks::{SECRET, body, received, received_until, receiver};
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status");
    std::fs::write(&status, "503").unwrap();
    let hook = receiver(
        &python,
        SECRET,
        &["--status-file", status.to_str().unwrap()],
    );
    let db = TestDb::new(backend).await;
    let (key, entry) = new_key(Role::Sales);
    let env = [
        (
            "OFFERTE_WEBHOOK_URL",
            format!("http://127.0.0.1:{}/hook", hook.port),
        ),
        ("OFFERTE_WEBHOOK_SECRET", SECRET.to_string()),
    ];
    let mut server = Server::start_with(&db.url, &entry, &env).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for company in ["Gekild A B.V.", "Gekild B B.V."] {
        let quote: Value = client
            .post(format!("{}/api/v1/quotes", server.base))
            .bearer_auth(&key)
            .json(&quote_body(company))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = quote["id"].as_str().unwrap().to_string();
        for to in ["sent", "accepted"] {
            let moved = client
                .post(format!("{}/api/v1/quotes/{id}/transitions", server.base))
                .bearer_auth(&key)
                .json(&serde_json::json!({ "to": to }))
                .send()
                .await
                .unwrap();
            assert_eq!(moved.status().as_u16(), 200);
        }
        ids.push(id);
    }
    // The first attempts (one per quote: the rest wait for them) are refused. SIGKILL now.
    received(&hook, 2);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("the process is gone");
    let refused: HashSet<String> = received(&hook, 2)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();

    std::fs::write(&status, "200").unwrap();
    let _server = Server::start_with(&db.url, &entry, &env).await;
    let events_of = |got: &[Value]| -> HashSet<(String, String)> {
        got.iter()
            .filter(|r| r["status"] == 200)
            .map(|r| {
                let b = body(r);
                (
                    b["type"].as_str().unwrap().to_string(),
                    b["data"]["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let got = received_until(&hook, |got| events_of(got).len() >= 6);
    let events = events_of(&got);
    let delivered: Vec<&Value> = got.iter().filter(|r| r["status"] == 200).collect();
    for id in &ids {
        for kind in ["quote.created", "quote.sent", "quote.accepted"] {
            assert!(
                events.contains(&(kind.to_string(), id.clone())),
                "{kind} of {id} arrived after the restart: {events:?}"
            );
        }
    }
    let ids_delivered: HashSet<String> = delivered
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        refused.is_subset(&ids_delivered),
        "the refused deliveries came again with their webhook-id"
    );
    assert!(got.iter().all(|r| r["signature_ok"] == true));
}

on_both_backends!(queued_webhooks_survive_a_kill);

/// Sends (each renders and archives its PDF) killed mid-way: after a restart every quote whose
/// `sent` event was written has the document it names in the archive, its bytes hashing to the
/// recorded SHA-256. `env` chooses the archive (the database by default).
pub(crate) async fn sends_killed_mid_way_leave_no_event_without_its_document(
    backend: Backend,
    env: &[(&str, String)],
) {
    // Each send renders a PDF (some 80 ms in a debug build): enough to be killed mid-way.
    const QUOTES: usize = 30;
    let db = TestDb::new(backend).await;
    let (key, entry) = new_key(Role::Sales);
    let mut server = Server::start_with(&db.url, &entry, env).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..QUOTES {
        let reply = client
            .post(format!("{}/api/v1/quotes", server.base))
            .bearer_auth(&key)
            .json(&quote_body(&format!("Verzonden {i}")))
            .send()
            .await
            .unwrap();
        let body: Value = reply.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let sends = ids
        .iter()
        .map(|id| {
            let path = format!("/api/v1/quotes/{id}/transitions");
            (path, serde_json::json!({"to": "sent"}))
        })
        .collect();
    kill_during(&mut server, &key, sends, QUOTES / 6).await;

    let server = Server::start_with(&db.url, &entry, env).await;
    if env.iter().any(|(k, _)| *k == "OFFERTE_DOCUMENT_STORE") {
        // Nothing to delete: every document is in the object store, and is read from there.
        let in_database = db.execute("DELETE FROM documents").await;
        assert_eq!(
            in_database, 0,
            "with an object store, no document is in the database"
        );
    }
    let mut sent = 0;
    for id in &ids {
        let events: Vec<Value> = server
            .get_json(&format!("/api/v1/quotes/{id}/events"), &key)
            .await;
        let Some(event) = events.iter().find(|e| e["to"] == "sent") else {
            continue;
        };
        sent += 1;
        let recorded = event["document_sha256"].as_str().unwrap();
        let pdf = client
            .get(format!(
                "{}/api/v1/quotes/{id}/document?format=pdf",
                server.base
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), 200, "{id}");
        assert_eq!(pdf.headers()["x-document-archived"], "true", "{id}");
        let bytes = pdf.bytes().await.unwrap();
        assert_eq!(
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            recorded
        );
    }
    assert!(
        (QUOTES / 6..QUOTES).contains(&sent),
        "the kill came mid-way: {sent} of {QUOTES} sent"
    );
    eprintln!(
        "archive crash test ({backend:?}): {sent} of {QUOTES} sent before SIGKILL, every document there"
    );
}

async fn sends_killed_mid_way(backend: Backend) {
    sends_killed_mid_way_leave_no_event_without_its_document(backend, &[]).await;
}

/// The same with the archive in an S3-compatible object store (moto on loopback): the bytes
/// are stored before the event, so a kill between leaves at most an orphan object.
async fn sends_killed_mid_way_with_an_object_store(backend: Backend) {
    use crate::email::servers::{S3Server, s3_python};
    let Some(python) = s3_python() else { return };
    let s3 = S3Server::start(&python, "offerte-crash");
    let env = [
        ("OFFERTE_DOCUMENT_STORE", s3.url("archive")),
        ("AWS_ACCESS_KEY_ID", S3Server::ACCESS_KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY", S3Server::SECRET_KEY.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ];
    sends_killed_mid_way_leave_no_event_without_its_document(backend, &env).await;
}

on_both_backends!(
    sends_killed_mid_way,
    sends_killed_mid_way_with_an_object_store
);
