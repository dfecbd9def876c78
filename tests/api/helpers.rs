//! Starting the real server for a test: `Application::build` on `127.0.0.1:0` inside the test's
//! runtime, a fresh database per test (a SQLite file in a temporary folder, or a throw-away
//! PostgreSQL database made through `OFFERTE_TEST_POSTGRES_URL`), a key for every role and an
//! HTTP client. Also: a second server on the same database, and a restart on it.

use chrono::{Days, NaiveDate};
use offerte::access::{Role, new_key};
use offerte::app::Application;
use offerte::config::{RawSettings, Settings};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use uuid::Uuid;

/// The admin URL of the PostgreSQL server the tests make their databases on.
pub const POSTGRES_URL: &str = "OFFERTE_TEST_POSTGRES_URL";
/// When `1` (CI), the PostgreSQL half must run: a missing URL fails the tests.
pub const REQUIRE_POSTGRES: &str = "OFFERTE_TEST_REQUIRE_POSTGRES";

/// The storage a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Turns each `async fn case(backend: Backend)` into a module `case` with two tests, `sqlite`
/// and `postgres` (e.g. `quotes::lifecycle::postgres`).
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::backend_available(
                    $crate::helpers::Backend::Postgres,
                    concat!(module_path!(), "::postgres"),
                ) {
                    super::$case($crate::helpers::Backend::Postgres).await;
                }
            }
        }
    )+};
}

/// Whether the tests of `backend` can run here. Without `OFFERTE_TEST_POSTGRES_URL` the
/// PostgreSQL tests panic when `OFFERTE_TEST_REQUIRE_POSTGRES=1`, and otherwise say loudly that
/// they skipped and pass.
pub fn backend_available(backend: Backend, test: &str) -> bool {
    if backend == Backend::Sqlite || postgres_admin_url().is_some() {
        return true;
    }
    if std::env::var(REQUIRE_POSTGRES).is_ok_and(|v| v.trim() == "1") {
        panic!(
            "{REQUIRE_POSTGRES}=1 but {POSTGRES_URL} is not set: the PostgreSQL half of the suite \
             must run (scripts/postgres-up prints the URL)"
        );
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED: {test}: the PostgreSQL half of this test did not run because {POSTGRES_URL} \
         is not set (set it, e.g. from scripts/postgres-up, to run it)"
    );
    false
}

fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL)
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// The repository folder (the catalog, the committed spec).
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A database made for one test, removed when the last server using it is gone.
pub struct TestDb {
    pub url: String,
    _dir: Option<TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", dir.path().join("offerte.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url()
                    .unwrap_or_else(|| panic!("{POSTGRES_URL} is needed for PostgreSQL tests"));
                let name = format!("t_{}", Uuid::new_v4().simple());
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("connecting to {POSTGRES_URL}: {e}"));
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
                let _ = conn.close().await;
                let mut url = reqwest::Url::parse(&admin)
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL} is not a URL: {e}"));
                url.set_path(&name);
                TestDb {
                    url: url.to_string(),
                    _dir: None,
                    postgres: Some((admin, name)),
                }
            }
        }
    }

    /// Runs one statement on the test database directly, around the service (a test that
    /// damages what the service stored).
    /// Runs `sql` as the owner of the tables would (on PostgreSQL the tables' row-level
    /// security binds their owner too: the statement runs with every bureau in scope).
    pub async fn execute(&self, sql: &str) -> u64 {
        let sql = if self.postgres.is_some() {
            AssertSqlSafe(format!("SET offerte.bureau = '*'; {sql}"))
        } else {
            AssertSqlSafe(sql.to_string())
        };
        if self.postgres.is_some() {
            let mut conn = PgConnection::connect(&self.url)
                .await
                .expect("the database");
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .expect("the statement")
                .rows_affected()
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("the database");
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .expect("the statement")
                .rows_affected()
        }
    }

    /// Removes the database now, with the servers still connected (readiness tests).
    /// A number one query answers (`SELECT COUNT(*) …`), read as the owner of the tables would
    /// (on PostgreSQL with every bureau in scope).
    pub async fn scalar(&self, sql: &str) -> i64 {
        let sql = AssertSqlSafe(sql.to_string());
        if self.postgres.is_some() {
            let mut conn = PgConnection::connect(&self.url)
                .await
                .expect("the database");
            sqlx::raw_sql("SET offerte.bureau = '*'")
                .execute(&mut conn)
                .await
                .expect("the scope");
            sqlx::query_scalar(sql)
                .fetch_one(&mut conn)
                .await
                .expect("the query")
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("the database");
            sqlx::query_scalar(sql)
                .fetch_one(&mut conn)
                .await
                .expect("the query")
        }
    }

    pub async fn drop_postgres_now(&self) {
        let (admin, name) = self.postgres.as_ref().expect("a PostgreSQL test database");
        drop_database(admin, name).await;
    }
}

/// Drops a test database, terminating its sessions. A session of another role (a background
/// worker that just connected to the fresh database) cannot be terminated by the test role, so
/// the drop is retried for a few seconds before giving up.
async fn drop_database(admin: &str, name: &str) {
    let mut last_error = String::new();
    for _ in 0..25 {
        match PgConnection::connect(admin).await {
            Ok(mut conn) => {
                let dropped = sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
                let _ = conn.close().await;
                match dropped {
                    Ok(_) => return,
                    Err(e) => last_error = e.to_string(),
                }
            }
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let _ = writeln!(
        std::io::stderr(),
        "could not drop test database {name}: {last_error}"
    );
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
            // with a runtime of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(drop_database(&admin, &name));
            })
            .join();
        }
    }
}

/// The keys of a test server, one per role.
#[derive(Debug, Clone)]
pub struct Keys {
    pub sales: String,
    pub finance: String,
    pub admin: String,
    /// The configured `role:sha256hex` entries, in the order sales, finance, admin.
    pub entries: Vec<String>,
    /// A key of `operator_keys`.
    pub operator: String,
    pub operator_entry: String,
}

impl Keys {
    fn new() -> Keys {
        let (sales, sales_entry) = new_key(Role::Sales);
        let (finance, finance_entry) = new_key(Role::Finance);
        let (admin, admin_entry) = new_key(Role::Admin);
        let (operator, operator_entry) = new_key(Role::Operator);
        Keys {
            sales,
            finance,
            admin,
            entries: vec![sales_entry, finance_entry, admin_entry],
            operator,
            operator_entry,
        }
    }

    /// The key id the server records for a role's key (the first 12 hex digits of its hash).
    pub fn id(&self, role: Role) -> String {
        let entry = match role {
            Role::Sales => &self.entries[0],
            Role::Finance => &self.entries[1],
            Role::Admin => &self.entries[2],
            Role::Operator => &self.operator_entry,
            Role::Public => panic!("no public key is configured"),
        };
        entry.split_once(':').expect("role:hash").1[..12].to_string()
    }
}

struct Running {
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub backend: Backend,
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: Client,
    pub keys: Keys,
    /// As given: a test changes them for a second server or a restart.
    pub settings: RawSettings,
    pub db: Arc<TestDb>,
    server: Option<Running>,
}

/// Starts the real server on a fresh database with the repository's catalog.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with changed settings (e.g. another catalog folder).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut RawSettings)) -> TestApp {
    let db = TestDb::new(backend).await;
    spawn_app_on(backend, db, configure).await
}

/// Like [`spawn_app_with`], on a database prepared by the test (an older schema, say).
pub async fn spawn_app_on(
    backend: Backend,
    db: TestDb,
    configure: impl FnOnce(&mut RawSettings),
) -> TestApp {
    let db = Arc::new(db);
    let keys = Keys::new();
    let mut settings = RawSettings {
        bind: "127.0.0.1:0".into(),
        database_url: db.url.clone(),
        pricing_dir: repo_dir().join("pricing"),
        api_keys: keys.entries.clone(),
        operator_keys: vec![keys.operator_entry.clone()],
        ..RawSettings::default()
    };
    configure(&mut settings);
    let (address, server) = start(&settings).await;
    TestApp {
        backend,
        address,
        client: client(),
        keys,
        settings,
        db,
        server: Some(server),
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

async fn start(settings: &RawSettings) -> (String, Running) {
    let settings = Settings::from_raw(settings.clone())
        .unwrap_or_else(|e| panic!("the settings are refused: {:#}", anyhow::Error::new(e)));
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("the server did not start: {e:#}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    (address, Running { handle, task })
}

impl TestApp {
    /// Another server instance on the same database, with the same keys and settings.
    pub async fn second_server(&self) -> TestApp {
        self.second_server_with(|_| {}).await
    }

    /// Another server instance on the same database, with settings changed by `configure`.
    pub async fn second_server_with(&self, configure: impl FnOnce(&mut RawSettings)) -> TestApp {
        let mut settings = self.settings.clone();
        configure(&mut settings);
        let (address, server) = start(&settings).await;
        TestApp {
            backend: self.backend,
            address,
            client: client(),
            keys: self.keys.clone(),
            settings,
            db: self.db.clone(),
            server: Some(server),
        }
    }

    /// Stops the server gracefully and waits until it has stopped.
    pub async fn stop(&mut self) {
        if let Some(running) = self.server.take() {
            running.handle.stop(true).await;
            running
                .task
                .await
                .expect("the server task ends")
                .expect("the server stops cleanly");
        }
    }

    /// Stops the server and starts a new one on the same database (a new port).
    pub async fn restart(&mut self) {
        self.restart_with(|_| {}).await;
    }

    /// Stops the server and starts a new one on the same database with changed settings.
    pub async fn restart_with(&mut self, configure: impl FnOnce(&mut RawSettings)) {
        self.stop().await;
        configure(&mut self.settings);
        let (address, server) = start(&self.settings).await;
        self.address = address;
        self.server = Some(server);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request to `path`, with the key when given.
    pub fn request(&self, method: Method, path: &str, key: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match key {
            Some(key) => builder.bearer_auth(key),
            None => builder,
        }
    }

    /// Sends a request with an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let builder = self.request(method, path, key);
        let builder = match body {
            Some(body) => builder.json(body),
            None => builder,
        };
        send(builder).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, Some(&self.keys.sales), None)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(&self.keys.sales), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::PATCH, path, Some(&self.keys.sales), Some(body))
            .await
    }

    /// Creates a quote with the sales key; it must answer 201.
    pub async fn create_quote(&self, body: &Value) -> Value {
        let reply = self.post("/api/v1/quotes", body).await;
        reply.expect_status(StatusCode::CREATED);
        reply.json()
    }

    /// Reads a quote; it must answer 200.
    pub async fn quote(&self, id: &str) -> Value {
        let reply = self.get(&format!("/api/v1/quotes/{id}")).await;
        reply.expect_status(StatusCode::OK);
        reply.json()
    }

    /// The events of a quote; it must answer 200.
    pub async fn events(&self, id: &str) -> Vec<Value> {
        let reply = self.get(&format!("/api/v1/quotes/{id}/events")).await;
        reply.expect_status(StatusCode::OK);
        reply.json().as_array().expect("a list of events").clone()
    }

    /// Asks for a move with the sales key.
    pub async fn transition(&self, id: &str, to: &str, reason: Option<&str>) -> Reply {
        let mut body = json!({ "to": to });
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        self.post(&format!("/api/v1/quotes/{id}/transitions"), &body)
            .await
    }

    /// Moves a quote; it must answer 200 with the new status.
    pub async fn move_to(&self, id: &str, to: &str, reason: Option<&str>) -> Value {
        let reply = self.transition(id, to, reason).await;
        reply.expect_status(StatusCode::OK);
        let quote = reply.json();
        assert_eq!(quote["status"], to, "the move of {id} to {to}");
        quote
    }

    /// Prices circumstances through the preview endpoint; it must answer 200.
    pub async fn preview(&self, circumstances: &Value) -> Value {
        let reply = self.post("/api/v1/quotes/preview", circumstances).await;
        reply.expect_status(StatusCode::OK);
        reply.json()
    }

    /// Lists quotes with a query string (`""` for none); it must answer 200.
    pub async fn list(&self, query: &str) -> Value {
        let reply = self.get(&format!("/api/v1/quotes{query}")).await;
        reply.expect_status(StatusCode::OK);
        reply.json()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(running) = self.server.take() {
            // The stop command is sent at once; the returned future only waits for it.
            drop(running.handle.stop(false));
        }
    }
}

/// An answer, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

pub async fn send(builder: RequestBuilder) -> Reply {
    let response = builder.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    Reply {
        status,
        headers,
        text,
    }
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn expect_status(&self, status: StatusCode) {
        assert_eq!(
            self.status, status,
            "expected {status}, got {}: {}",
            self.status, self.text
        );
    }

    /// Checks a problem+json answer with this status; returns the problem.
    pub fn expect_problem(&self, status: StatusCode) -> Value {
        self.expect_status(status);
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("application/problem+json"),
            "content-type {content_type:?} for {status}: {}",
            self.text
        );
        let problem = self.json();
        assert_eq!(problem["status"], status.as_u16(), "{problem}");
        for member in ["type", "title", "detail"] {
            assert!(problem[member].is_string(), "no {member}: {problem}");
        }
        problem
    }

    /// Checks a 409 that names the current status and the allowed moves.
    pub fn expect_conflict(&self, current: &str, allowed: &[&str]) {
        let problem = self.expect_problem(StatusCode::CONFLICT);
        assert_eq!(problem["current_status"], current, "{problem}");
        assert_eq!(problem["allowed"], json!(allowed), "{problem}");
    }
}

/// The fields a problem names, in order.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Today where the service runs (it dates quotes by the local date).
pub fn today() -> NaiveDate {
    offerte::clock::Now::current().today
}

/// Today in UTC: the day filters of lists and exports (`from`, `to`, `created_from`, …) are UTC
/// days, which differ from the Dutch day (`today`) in the hour or two after midnight in Amsterdam.
pub fn today_utc() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub fn days_ago(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).expect("a date")
}

/// The year in quote numbers made today.
pub fn this_year() -> i32 {
    use chrono::Datelike;
    today().year()
}

/// `OFF-<this year>-<sequence padded to 5>`.
pub fn number(sequence: u32) -> String {
    format!("OFF-{}-{sequence:05}", this_year())
}

/// Circumstances that price today: sick for 200 days, ready with support (the 6-month package).
pub fn circumstances() -> Value {
    json!({
        "first_sick_day": days_ago(200).to_string(),
        "readiness": "ready_with_support",
    })
}

/// A valid body for `POST /api/v1/quotes`.
pub fn quote_body(company: &str) -> Value {
    json!({
        "employer": {
            "company_name": company,
            "kvk_number": "12345678",
            "contact_person": "J. de Vries",
            "email": "hr@example.nl",
            "phone": "030 123 45 67",
            "address": {"street": "Stationsplein 1", "postal_code": "3511 ED", "city": "Utrecht"}
        },
        "employee": {"reference": "PV-0412", "hours_per_week": 32, "job_title": "Baker"},
        "circumstances": circumstances(),
    })
}

/// Copies a folder's files (not recursive: the catalog folder is flat).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the target folder");
    for entry in std::fs::read_dir(from).expect("the source folder") {
        let entry = entry.expect("a folder entry");
        if entry.file_type().expect("a file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("a copy");
        }
    }
}
