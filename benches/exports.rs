//! The quote register export of 100,000 quotes through HTTP: wall time and peak memory.
//!
//! Seeds a fresh SQLite database (one transaction straight into the store's `quotes` table,
//! with real computations of the default catalog, about 13 KB of JSON per quote as the service
//! stores them), starts the real server in this process and downloads
//! `GET /api/v1/exports/quotes` in each format, reading the body chunk by chunk and throwing it
//! away. Peak memory is the process's high-water mark (`VmHWM`, reset before each download
//! through `/proc/self/clear_refs`) minus its resident size before the download: what the export
//! added, server and client together.
//!
//! Run: `cargo bench --bench exports` (release; `OFFERTE_BENCH_QUOTES=20000` for another count;
//! `OFFERTE_BENCH_DB=/tmp/bench.db` keeps the seeded database, and reuses it when it exists, e.g.
//! to time `offerte export quotes` on it as a process of its own).

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use offerte::access::{Role, new_key};
use offerte::app::Application;
use offerte::catalog::{CatalogSet, Language};
use offerte::config::{RawSettings, Settings};
use offerte::pricing::{Circumstances, compute};
use offerte::store::Store;
use std::path::Path;
use std::time::Instant;

const STATUSES: [&str; 7] = [
    "draft",
    "sent",
    "accepted",
    "declined",
    "withdrawn",
    "expired",
    "superseded",
];

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resets the high-water mark to the current resident size (Linux 4.0+).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The priced cases the seed cycles through: every readiness, with and without training.
fn cases(catalogs: &CatalogSet) -> Vec<(String, String, String, String, String)> {
    let mut out = Vec::new();
    for readiness in [
        "job_ready",
        "ready_with_support",
        "needs_time",
        "needs_orientation",
    ] {
        for schooling in ["none", "training", "retraining"] {
            let json = format!(
                r#"{{"first_sick_day":"2026-01-05","start_date":"2026-03-02","quote_date":"2026-02-20",
                   "readiness":"{readiness}","schooling":"{schooling}"}}"#
            );
            let input = Circumstances::from_json(json.as_bytes()).expect("input");
            let today = NaiveDate::from_ymd_opt(2026, 2, 20).expect("date");
            let c = compute(catalogs, &input, today).expect("priced");
            let mut other = input.clone();
            other.language = Language::En;
            let translated = compute(catalogs, &other, today).expect("priced");
            out.push((
                serde_json::to_string(&input.resolved(today)).expect("json"),
                serde_json::to_string(&c).expect("json"),
                serde_json::to_string(&translated).expect("json"),
                c.tier.code.clone(),
                serde_json::to_string(&c.totals).expect("json"),
            ));
        }
    }
    out
}

async fn seed(store: &Store, catalogs: &CatalogSet, count: usize) {
    let Some(pool) = store.sqlite_pool() else {
        panic!("the benchmark seeds SQLite")
    };
    let cases = cases(catalogs);
    let catalog = &catalogs.versions()[0];
    let employee = r#"{"reference":"PV-0412","hours_per_week":32}"#;
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 2, 8, 0, 0).unwrap();
    let span_seconds = 300 * 24 * 3600 / count as i64;
    let today = offerte::clock::Now::current().today;
    let mut tx = pool.begin().await.expect("a transaction");
    const SQL: &str = "INSERT INTO quotes (bureau_id, id, number, revision, status, language, employer_name, employer, employee, \
         circumstances, computation, computation_translated, catalog_version, catalog_hash, tier_code, \
         excl_vat, vat, incl_vat, valid_until, created_at, updated_at, created_by_role, created_by_key, \
         decided_at) VALUES (1, $1, $2, 1, $3, 'nl', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $17, 'sales', 'bench', $18)";
    for i in 0..count {
        let (circumstances, computation, translated, tier, totals) = &cases[i % cases.len()];
        let totals: offerte::pricing::Totals = serde_json::from_str(totals).expect("totals");
        let status = STATUSES[i % STATUSES.len()];
        let created = start + chrono::Duration::seconds(span_seconds * i as i64);
        let valid_until = if status == "sent" {
            // Still valid: the export's expiry pass has nothing to do.
            today.checked_add_days(Days::new(30)).unwrap()
        } else {
            created
                .date_naive()
                .checked_add_days(Days::new(30))
                .unwrap()
        };
        let decided =
            matches!(status, "accepted" | "declined").then(|| created + chrono::Duration::days(5));
        let company = format!("Werkgever {i:06} B.V.");
        let employer = serde_json::json!({"company_name": company, "contact_person": "J. de Vries",
                                          "email": "hr@example.nl"})
        .to_string();
        sqlx::query(SQL)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(format!("OFF-2026-{:06}", i + 1))
            .bind(status)
            .bind(&company)
            .bind(employer)
            .bind(employee)
            .bind(circumstances)
            .bind(computation)
            .bind(translated)
            .bind(&catalog.version)
            .bind(&catalog.hash)
            .bind(tier)
            .bind(totals.excl_vat.to_string())
            .bind(totals.vat.to_string())
            .bind(totals.incl_vat.to_string())
            .bind(valid_until)
            .bind(created)
            .bind(decided)
            .execute(&mut *tx)
            .await
            .expect("an insert");
    }
    tx.commit().await.expect("a commit");
}

struct Measured {
    what: String,
    rows: usize,
    bytes: u64,
    seconds: f64,
    peak_kib: Option<u64>,
}

async fn download(address: &str, key: &str, query: &str) -> (u64, f64, Option<u64>) {
    let client = reqwest::Client::new();
    let reset = reset_peak();
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let mut response = client
        .get(format!("{address}/api/v1/exports/quotes?{query}"))
        .bearer_auth(key)
        .send()
        .await
        .expect("an answer");
    assert!(response.status().is_success(), "{}", response.status());
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await.expect("a chunk") {
        bytes += chunk.len() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak = match (reset, before, status_kib("VmHWM:")) {
        (true, Some(before), Some(peak)) => Some(peak.saturating_sub(before)),
        _ => None,
    };
    (bytes, seconds, peak)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this too, without it: then a
    // small smoke run keeps the benchmark working without costing the test suite minutes.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let count: usize = std::env::var("OFFERTE_BENCH_QUOTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benchmarking { 100_000 } else { 700 });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogs = CatalogSet::load_dir(&root.join("pricing")).expect("catalog");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = std::env::var("OFFERTE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("bench.db"));
    let reuse = path.exists();
    let url = format!("sqlite://{}", path.display());
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::connect(&url).await.expect("the database");
        let started = Instant::now();
        if !reuse {
            seed(&store, &catalogs, count).await;
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "{} {count} quotes in {:.1} s ({} MB database {})",
            if reuse { "reused" } else { "seeded" },
            started.elapsed().as_secs_f64(),
            size / 1_000_000,
            path.display()
        );
        drop(store);

        let (key, entry) = new_key(Role::Finance);
        let settings = RawSettings {
            bind: "127.0.0.1:0".into(),
            database_url: url.clone(),
            pricing_dir: root.join("pricing"),
            templates_dir: root.join("templates"),
            api_keys: vec![entry],
            ..RawSettings::default()
        };
        let settings = Settings::from_raw(settings).expect("valid settings");
        let app = Application::build(settings).await.expect("the server");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        // A first small request warms the server (pool, statement cache).
        download(&address, &key, "format=csv&to=2026-01-01").await;

        let month = "from=2026-03-01&to=2026-03-31";
        let month_rows = (0..count)
            .filter(|i| {
                let day = Utc.with_ymd_and_hms(2026, 1, 2, 8, 0, 0).unwrap()
                    + chrono::Duration::seconds(300 * 24 * 3600 / count as i64 * *i as i64);
                day.date_naive().format("%Y-%m").to_string() == "2026-03"
            })
            .count();
        let mut results = Vec::new();
        for (what, query, rows) in [
            (
                "CSV (nl), one month",
                format!("format=csv&{month}"),
                month_rows,
            ),
            ("CSV (nl), all", "format=csv".to_string(), count),
            ("JSON, all", "format=json".to_string(), count),
            (
                "XLSX, one month",
                format!("format=xlsx&{month}"),
                month_rows,
            ),
            ("XLSX, all", "format=xlsx".to_string(), count),
        ] {
            let (bytes, seconds, peak_kib) = download(&address, &key, &query).await;
            results.push(Measured {
                what: what.into(),
                rows,
                bytes,
                seconds,
                peak_kib,
            });
        }
        handle.stop(true).await;

        println!(
            "\nresident before the downloads: {}",
            status_kib("VmRSS:").map(mib).unwrap_or_default()
        );
        println!("| export | rows | size | time | rows/s | peak memory added |");
        println!("|---|---:|---:|---:|---:|---:|");
        for m in results {
            println!(
                "| {} | {} | {:.1} MB | {:.2} s | {:.0} | {} |",
                m.what,
                m.rows,
                m.bytes as f64 / 1_000_000.0,
                m.seconds,
                m.rows as f64 / m.seconds,
                m.peak_kib.map(mib).unwrap_or_else(|| "n/a".into())
            );
        }
    });
}
