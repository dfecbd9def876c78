//! The store holds bureaus apart: every statement names its bureau (checked over the store's
//! statement texts on both dialects), and on PostgreSQL the database itself does (row-level
//! security, forced, binding the service's role).

use super::{create_as, make_bureau};
use crate::helpers::{Backend, TestApp, quote_body, spawn_app_with};

/// Every statement of the store that reads or writes a bureau's table names the bureau (as `$1`,
/// or in every row of a multi-row statement), except the few that span bureaus by nature, which
/// are exactly the listed ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_names_its_bureau() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let tables = bureau_tables(&app).await;
    assert!(tables.len() >= 12, "{tables:?}");
    for sqlite in [true, false] {
        let mut spanning_seen = Vec::new();
        for (name, text) in offerte::store::statement_texts(sqlite) {
            let referenced = tables_named(text, &tables);
            if offerte::store::SPANNING.contains(&name) {
                spanning_seen.push(name);
                continue;
            }
            if referenced.is_empty() {
                continue;
            }
            let named = text.matches("bureau_id").count();
            assert!(
                named >= referenced.len(),
                "{name} reads {referenced:?} but names bureau_id {named} time(s):\n{text}"
            );
            // Multi-row statements name the bureau in each row: an INSERT's rows, or the
            // first column of an UPDATE's `VALUES` rows.
            assert!(
                text.starts_with("INSERT")
                    || text.contains("bureau_id = $1")
                    || (text.starts_with("UPDATE") && text.contains(".bureau_id = v.column1")),
                "{name} does not take its bureau as $1 (or as each row's first value):\n{text}"
            );
        }
        spanning_seen.sort_unstable();
        spanning_seen.dedup();
        let mut listed = offerte::store::SPANNING.to_vec();
        listed.sort_unstable();
        assert_eq!(spanning_seen, listed, "every listed statement exists");
    }
}

/// The bureau tables a statement reads or writes: each word after FROM, JOIN, UPDATE or INTO.
fn tables_named<'a>(text: &str, tables: &'a [String]) -> Vec<&'a str> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|pair| {
            ["FROM", "JOIN", "UPDATE", "INTO"]
                .iter()
                .any(|k| pair[0].eq_ignore_ascii_case(k))
        })
        .filter_map(|pair| tables.iter().find(|t| *t == pair[1]).map(String::as_str))
        .collect()
}

/// The tables that carry `bureau_id`, from the migrated schema.
async fn bureau_tables(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c \
         WHERE m.type = 'table' AND c.name = 'bureau_id' ORDER BY m.name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

/// On PostgreSQL the service's role, with no bureau set, selects no row of any bureau table;
/// with a bureau set, only that bureau's; and every such table forces row-level security.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_shows_the_service_role_no_row_without_a_bureau() {
    if !crate::helpers::backend_available(
        Backend::Postgres,
        "tenancy::postgres_shows_the_service_role_no_row_without_a_bureau",
    ) {
        return;
    }
    use sqlx::Connection;
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.webhook_url = Some("http://127.0.0.1:9/hooks/offerte".into());
        s.webhook_secret = Some(crate::webhooks::SECRET.into());
    })
    .await;
    let quote = app.create_quote(&quote_body("Rij B.V.")).await;
    app.move_to(quote["id"].as_str().unwrap(), "sent", None)
        .await;
    let b = make_bureau(&app, "golf", "GO").await;
    create_as(&app, &b.admin, "Golf B.V.").await;

    let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
    let tables: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity FROM pg_class AS c \
         JOIN pg_namespace AS n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS (SELECT 1 FROM \
         information_schema.columns AS i WHERE i.table_name = c.relname AND i.column_name = 'bureau_id') \
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() >= 12, "{tables:?}");
    for (table, enabled, forced) in &tables {
        assert!(
            *enabled && *forced,
            "{table}: row-level security on and forced"
        );
    }
    sqlx::raw_sql("SET ROLE offerte_service")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut seen_with_bureau = 0;
    for (table, _, _) in &tables {
        assert_eq!(
            count_rows(&mut conn, table, None).await.0,
            0,
            "{table} without a bureau"
        );
        let (all, others) = count_rows(&mut conn, table, Some("1")).await;
        assert_eq!(
            others, 0,
            "{table} with bureau 1 shows another bureau's rows"
        );
        seen_with_bureau += all;
    }
    assert!(
        seen_with_bureau > 0,
        "the default bureau's rows are seen with it set"
    );
}

/// Rows of `table` the connection's role sees in a transaction with `offerte.bureau` set to
/// `setting` (or not set), and how many of them belong to a bureau other than 1.
async fn count_rows(
    conn: &mut sqlx::PgConnection,
    table: &str,
    setting: Option<&str>,
) -> (i64, i64) {
    use sqlx::{Connection, Row};
    let mut tx = conn.begin().await.unwrap();
    if let Some(value) = setting {
        sqlx::query("SELECT set_config('offerte.bureau', $1, true)")
            .bind(value)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE bureau_id <> 1) FROM {table}"
    )))
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    (row.get::<i64, _>(0), row.get::<i64, _>(1))
}

on_both_backends!(a_database_from_before_bureaus_becomes_the_default_bureau);

/// A database made before bureaus existed (migrations up to 9) with a quote counter at 41 and a
/// stored catalog version: after the upgrade its rows are the default bureau's, the series goes
/// on at 42, and its catalog version is still the one in force.
async fn a_database_from_before_bureaus_becomes_the_default_bureau(backend: Backend) {
    use sqlx::Connection;
    let db = crate::helpers::TestDb::new(backend).await;
    let year = crate::helpers::this_year();
    let file = std::fs::read_to_string(crate::helpers::repo_dir().join("pricing/2024-01-01.toml"))
        .unwrap();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(file.as_bytes()));
    let counter =
        format!("INSERT INTO quote_counters (prefix, year, last) VALUES ('OFF', {year}, 41)");
    let version = "INSERT INTO catalog_versions (version, valid_from, sha256, source, published_by, \
                   published_at) VALUES ($1, '2024-01-01', $2, $3, 'before', '2024-01-01T00:00:00Z')";
    match backend {
        Backend::Sqlite => {
            let options =
                <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&db.url)
                    .unwrap()
                    .create_if_missing(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            sqlx::migrate!("./migrations/sqlite")
                .run_to(9, &mut conn)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(counter))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(version)
                .bind("2024.1")
                .bind(&sha)
                .bind(&file)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::migrate!("./migrations/postgres")
                .run_to(9, &mut conn)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(counter))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO catalog_versions (version, valid_from, sha256, source, published_by, \
                 published_at) VALUES ($1, '2024-01-01'::date, $2, $3, 'before', \
                 '2024-01-01T00:00:00Z'::timestamptz)",
            )
            .bind("2024.1")
            .bind(&sha)
            .bind(&file)
            .execute(&mut conn)
            .await
            .unwrap();
        }
    }
    let app = crate::helpers::spawn_app_on(backend, db, |_| {}).await;
    let quote = app.create_quote(&quote_body("Na De Upgrade B.V.")).await;
    assert_eq!(quote["number"], format!("OFF-{year}-00042"));
    let versions = app
        .call(
            reqwest::Method::GET,
            "/api/v1/catalog/versions",
            Some(&app.keys.finance),
            None,
        )
        .await
        .json();
    assert_eq!(versions.as_array().unwrap().len(), 1, "{versions}");
    assert_eq!(versions[0]["published_by"], "before", "{versions}");
}
