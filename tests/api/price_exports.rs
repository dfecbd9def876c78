//! The finance exports of issue 15 over HTTP, on both backends, and their command-line twins:
//! the catalog diff (`/exports/pricing-diff`) against the library's own comparison of the same
//! files, and the expected invoicing (`/exports/invoicing`, `offerte export invoicing`) against
//! the payment schedules of the stored quotes, to the cent. Also the register's success-fee
//! block and the public catalog's new fields, with a catalog that has a success fee.

use calamine::Data;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use offerte::catalog::{CatalogSet, Language};
use offerte::exports::catalog_diff::{self, CatalogDiff, Change};
use offerte::exports::invoicing::Invoicing;
use offerte::exports::register::RegisterExport;
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

use crate::exports::{
    Book, csv_number, csv_optional, d, finance, money, read_csv, read_xlsx, xlsx_date, xlsx_money,
    xlsx_number, xlsx_text,
};
use crate::helpers::{
    Backend, TestApp, copy_dir, problem_fields, quote_body, repo_dir, spawn_app, spawn_app_with,
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A catalog folder with the default catalog (2024.1) and a version 2025.1 from 2025-01-01 in
/// which the 6-month package costs 2600 instead of 2500 and coaching 92 an hour instead of 89.
fn two_versions() -> TempDir {
    let dir = tempfile::tempdir().expect("a folder");
    copy_dir(&repo_dir().join("pricing"), dir.path());
    let text = std::fs::read_to_string(dir.path().join("2024-01-01.toml")).unwrap();
    let new = text
        .replacen("version = \"2024.1\"", "version = \"2025.1\"", 1)
        .replacen("valid_from = 2024-01-01", "valid_from = 2025-01-01", 1)
        .replacen(
            "bundle_price = \"2500.00\"",
            "bundle_price = \"2600.00\"",
            1,
        )
        .replacen("unit_price = \"89.00\"", "unit_price = \"92.00\"", 1);
    assert_ne!(new, text);
    std::fs::write(dir.path().join("2025-01-01.toml"), new).unwrap();
    dir
}

/// What the library says about the two versions of `dir`.
fn library_diff(dir: &Path, language: Language) -> CatalogDiff {
    let set = CatalogSet::load_dir(dir).expect("the two versions");
    let (old, new) = (
        set.version("2024.1").unwrap(),
        set.version("2025.1").unwrap(),
    );
    catalog_diff::diff(&set, old, &set, new, language).expect("compared")
}

async fn refused(app: &TestApp, path: &str, status: StatusCode, field: &str) {
    let reply = app
        .call(Method::GET, path, Some(&app.keys.finance), None)
        .await;
    let problem = reply.expect_problem(status);
    assert!(
        problem_fields(&problem).iter().any(|f| f == field),
        "{path}: {field} not named in {problem}"
    );
}

fn amount(m: Option<offerte::pricing::Money>) -> Option<Decimal> {
    m.map(|m| m.amount())
}

// ---------------------------------------------------------------------------------------------
// The catalog diff.

async fn pricing_diff_compares_two_versions(backend: Backend) {
    let dir = two_versions();
    let app = spawn_app_with(backend, |s| s.pricing_dir = dir.path().to_path_buf()).await;

    // JSON: exactly the library's comparison. Without `to`: the version after `from`.
    let json = finance(&app, "/api/v1/exports/pricing-diff?format=json&from=2024.1").await;
    json.expect_ok(
        "application/json",
        "prijsverschil-2024-01-01-2025-01-01.json",
    );
    let diff: CatalogDiff = json.json();
    assert_eq!(diff, library_diff(dir.path(), Language::Nl));
    // The same by dates (the versions in force then).
    let by_date = finance(
        &app,
        "/api/v1/exports/pricing-diff?format=json&from=2024-06-30&to=2025-01-01",
    )
    .await;
    assert_eq!(by_date.json::<CatalogDiff>(), diff);

    // To the cent: the 6-month package and coaching moved, nothing else in the standard case.
    let row = |variation: Option<&str>, tier: &str| {
        diff.tiers
            .iter()
            .find(|r| r.variation.as_deref() == variation && r.tier == tier)
            .unwrap_or_else(|| panic!("{variation:?} {tier}"))
    };
    let m6 = row(None, "m6");
    assert_eq!(m6.change, Change::Changed);
    assert_eq!(amount(m6.old_excl_vat), Some(d("2500.00")));
    assert_eq!(amount(m6.new_excl_vat), Some(d("2600.00")));
    assert_eq!(amount(m6.difference), Some(d("100.00")));
    assert_eq!(m6.percentage, Some(d("4.00")));
    assert_eq!(amount(m6.old_incl_vat), Some(d("3025.00")));
    assert_eq!(amount(m6.new_incl_vat), Some(d("3146.00")));
    for tier in ["m3", "m9", "tot_einde"] {
        assert_eq!(row(None, tier).change, Change::Unchanged, "{tier}");
    }
    // Intensive guidance: 4.5 coaching hours in the 3-month package, 3 euros dearer each.
    assert_eq!(
        amount(row(Some("intensive"), "m3").difference),
        Some(d("13.50"))
    );
    let coaching = diff.items.iter().find(|i| i.item == "coaching").unwrap();
    assert_eq!(amount(coaching.difference), Some(d("3.00")));
    assert_eq!(coaching.percentage, Some(d("3.37")));
    // Amounts are strings in the JSON.
    let raw: Value = serde_json::from_slice(&json.body).unwrap();
    assert_eq!(raw["tiers"][1]["new_excl_vat"], json!("2600.00"));
    assert_eq!(raw["tiers"][1]["percentage"], json!("4.00"));

    // CSV, both dialects, both parts, against the JSON in the dialect's language.
    for dialect in ["nl", "intl"] {
        let language = if dialect == "nl" {
            Language::Nl
        } else {
            Language::En
        };
        let diff = library_diff(dir.path(), language);
        let csv = finance(
            &app,
            &format!(
                "/api/v1/exports/pricing-diff?format=csv&from=2024.1&to=2025.1&dialect={dialect}"
            ),
        )
        .await;
        csv.expect_ok("text/csv", "prijsverschil-2024-01-01-2025-01-01.csv");
        let records = read_csv(&csv.body, dialect);
        assert_eq!(records.len(), diff.tiers.len() + 1, "{dialect}");
        assert_eq!(
            records[0][1],
            if dialect == "nl" { "Pakket" } else { "Tier" }
        );
        for (record, r) in records[1..].iter().zip(&diff.tiers) {
            let case = format!("{dialect} {:?} {}", r.variation, r.tier);
            assert_eq!(record.len(), 10, "{case}");
            assert_eq!(record[0], r.variation.clone().unwrap_or_default(), "{case}");
            assert_eq!(record[1], r.tier, "{case}");
            assert_eq!(record[2], r.tier_name, "{case}");
            assert_eq!(record[3], r.change.as_str(), "{case}");
            let n = |i: usize| csv_optional(&record[i], dialect);
            assert_eq!(n(4), amount(r.old_excl_vat), "{case}");
            assert_eq!(n(5), amount(r.new_excl_vat), "{case}");
            assert_eq!(n(6), amount(r.difference), "{case}");
            assert_eq!(n(7), r.percentage, "{case}");
            // A change in percent always shows two decimals ("4,00", not "4").
            let mark = if dialect == "nl" { ',' } else { '.' };
            assert!(
                record[7].is_empty()
                    || record[7]
                        .split_once(mark)
                        .is_some_and(|(_, d)| d.len() == 2),
                "{case}: {}",
                &record[7]
            );
            assert_eq!(n(8), amount(r.old_incl_vat), "{case}");
            assert_eq!(n(9), amount(r.new_incl_vat), "{case}");
        }
        let csv = finance(
            &app,
            &format!("/api/v1/exports/pricing-diff?format=csv&from=2024.1&to=2025.1&dialect={dialect}&part=items"),
        )
        .await;
        csv.expect_ok(
            "text/csv",
            "prijsverschil-2024-01-01-2025-01-01-prijslijst.csv",
        );
        let records = read_csv(&csv.body, dialect);
        assert_eq!(records.len(), diff.items.len() + 1, "{dialect}");
        for (record, item) in records[1..].iter().zip(&diff.items) {
            assert_eq!(record[0], item.item);
            assert_eq!(record[1], item.name);
            assert_eq!(record[2], item.change.as_str());
            assert_eq!(
                csv_optional(&record[3], dialect),
                amount(item.old_unit_price)
            );
            assert_eq!(
                csv_optional(&record[4], dialect),
                amount(item.new_unit_price)
            );
            assert_eq!(csv_optional(&record[5], dialect), amount(item.difference));
            assert_eq!(csv_optional(&record[6], dialect), item.percentage);
        }
    }

    // XLSX (the default format): both tables, amounts as numbers.
    let xlsx = finance(&app, "/api/v1/exports/pricing-diff?from=2024.1").await;
    xlsx.expect_ok(XLSX, "prijsverschil-2024-01-01-2025-01-01.xlsx");
    let Book { names, sheets, .. } = read_xlsx(&xlsx.body);
    assert_eq!(names, ["Pakketten", "Prijslijst"]);
    let cells = &sheets["Pakketten"];
    assert_eq!(cells.len(), diff.tiers.len() + 1);
    for (cells, r) in cells[1..].iter().zip(&diff.tiers) {
        let case = format!("xlsx {:?} {}", r.variation, r.tier);
        assert_eq!(xlsx_text(&cells[1]), r.tier, "{case}");
        let money_or_empty = |cell: &Data, m| match m {
            Some(m) => assert_eq!(Some(xlsx_money(cell, &case)), amount(Some(m)), "{case}"),
            None => assert_eq!(*cell, Data::Empty, "{case}"),
        };
        money_or_empty(&cells[4], r.old_excl_vat);
        money_or_empty(&cells[5], r.new_excl_vat);
        money_or_empty(&cells[6], r.difference);
        assert_eq!(xlsx_number(&cells[7], &case), r.percentage, "{case}");
        money_or_empty(&cells[9], r.new_incl_vat);
    }
    let core = crate::exports::xlsx_part(&xlsx.body, "docProps/core.xml");
    assert!(core.contains("<dc:title>Prijsverschil 2024.1 "), "{core}");

    // Refused: each names its field.
    let path = |q: &str| format!("/api/v1/exports/pricing-diff?{q}");
    // The version in force today is the newest: nothing follows it.
    refused(&app, &path(""), StatusCode::UNPROCESSABLE_ENTITY, "to").await;
    for (query, status, field) in [
        ("from=1999.9", StatusCode::UNPROCESSABLE_ENTITY, "from"),
        (
            "from=2024.1&to=2026.x",
            StatusCode::UNPROCESSABLE_ENTITY,
            "to",
        ),
        ("from=2023-12-31", StatusCode::UNPROCESSABLE_ENTITY, "from"),
        ("from=2025.1", StatusCode::UNPROCESSABLE_ENTITY, "to"),
        (
            "from=2024.1&part=everything",
            StatusCode::BAD_REQUEST,
            "part",
        ),
        ("from=2024.1&format=pdf", StatusCode::BAD_REQUEST, "format"),
        ("from=2024.1&dialect=fr", StatusCode::BAD_REQUEST, "dialect"),
        ("from=2024.1&colour=blue", StatusCode::BAD_REQUEST, "colour"),
    ] {
        refused(&app, &path(query), status, field).await;
    }
}

// ---------------------------------------------------------------------------------------------
// The expected invoicing.

/// One instalment as the test expects it from a stored quote.
#[derive(Debug, Clone, PartialEq)]
struct Due {
    number: String,
    employer: String,
    label: String,
    due_date: NaiveDate,
    amounts: [Decimal; 3],
}

/// Every instalment of the accepted quotes, each on its payment date and never before the
/// acceptance (the UTC day of `decided_at`) plus its term, by date, number and place.
fn expected_instalments(quotes: &[Value]) -> Vec<Due> {
    let mut rows = Vec::new();
    for quote in quotes {
        let decided: DateTime<Utc> = quote["decided_at"].as_str().unwrap().parse().unwrap();
        let schedule = quote["computation"]["payment_schedule"].as_array().unwrap();
        assert!(!schedule.is_empty(), "quotes now carry a schedule");
        for (i, instalment) in schedule.iter().enumerate() {
            let term = instalment["term_days"].as_u64().unwrap();
            let earliest = decided
                .date_naive()
                .checked_add_days(Days::new(term))
                .unwrap();
            let due_date = instalment["due_date"]
                .as_str()
                .map_or(earliest, |d| d.parse::<NaiveDate>().unwrap().max(earliest));
            rows.push((
                due_date,
                quote["display_number"].as_str().unwrap().to_string(),
                i,
                Due {
                    number: quote["display_number"].as_str().unwrap().into(),
                    employer: quote["employer"]["company_name"].as_str().unwrap().into(),
                    label: instalment["label"].as_str().unwrap().into(),
                    due_date,
                    amounts: ["excl_vat", "vat", "incl_vat"].map(|k| money(&instalment[k])),
                },
            ));
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    rows.into_iter().map(|(.., due)| due).collect()
}

fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The invoicing export against the expected instalments: rows, months without holes, sums.
/// The labels of the quotes in `translated` are in the other language (checked apart).
fn check_invoicing(export: &Invoicing, expected: &[Due], translated: &[&str]) {
    assert_eq!(export.instalments.len(), expected.len());
    for (row, due) in export.instalments.iter().zip(expected) {
        let case = format!("{} {}", due.number, due.label);
        assert_eq!(row.number, due.number, "{case}");
        assert_eq!(row.employer, due.employer, "{case}");
        if !translated.contains(&due.number.as_str()) {
            assert_eq!(row.instalment, due.label, "{case}");
        }
        assert_eq!(row.due_date, due.due_date, "{case}");
        assert_eq!(row.month, month_of(due.due_date), "{case}");
        assert_eq!(
            [row.excl_vat, row.vat, row.incl_vat].map(|m| m.amount()),
            due.amounts,
            "{case}"
        );
        assert!(!row.assumed, "{case}");
    }
    // Months: every month from the first to the last due date, each the sum of its instalments.
    let mut month = export.months.first().map(|m| m.month.clone());
    for m in &export.months {
        assert_eq!(Some(&m.month), month.as_ref(), "no holes");
        let due: Vec<&Due> = expected
            .iter()
            .filter(|d| month_of(d.due_date) == m.month)
            .collect();
        assert_eq!(m.instalments as usize, due.len(), "{}", m.month);
        for (i, total) in [m.excl_vat, m.vat, m.incl_vat].iter().enumerate() {
            let sum: Decimal = due.iter().map(|d| d.amounts[i]).sum();
            assert_eq!(total.amount(), sum, "{}", m.month);
        }
        let first: NaiveDate = format!("{}-01", m.month).parse().unwrap();
        month = first
            .checked_add_months(chrono::Months::new(1))
            .map(month_of);
    }
}

/// Creates, sends and accepts a quote; returns it as stored.
async fn accepted_quote(app: &TestApp, body: Value) -> Value {
    let quote = app.create_quote(&body).await;
    let id = quote["id"].as_str().unwrap().to_string();
    app.move_to(&id, "sent", None).await;
    app.move_to(&id, "accepted", None).await;
    app.quote(&id).await
}

/// Two accepted quotes and a sent, a declined and a draft one; returns the accepted ones as
/// stored.
async fn seed_accepted(app: &TestApp) -> Vec<Value> {
    // The 6-month package (50% at the start, 50% at the end).
    let m6 = accepted_quote(app, quote_body("Bakkerij De Korenschoof B.V.")).await;
    // Until the end of the waiting period (30% at the start, 70% over its months), in English,
    // for an employer whose name looks like a formula.
    let mut until_end = quote_body("=HYPERLINK(\"http://x\")");
    until_end["circumstances"]["readiness"] = json!("needs_orientation");
    until_end["circumstances"]["language"] = json!("en");
    let until_end = accepted_quote(app, until_end).await;
    assert_eq!(until_end["computation"]["tier"]["code"], "tot_einde");
    let instalments = until_end["computation"]["payment_schedule"]
        .as_array()
        .unwrap();
    assert!(instalments.len() > 3, "one per month: {instalments:?}");
    // Not accepted: not invoiced.
    let sent = app.create_quote(&quote_body("Verstuurd B.V.")).await;
    app.move_to(sent["id"].as_str().unwrap(), "sent", None)
        .await;
    let declined = app.create_quote(&quote_body("Afgewezen B.V.")).await;
    let id = declined["id"].as_str().unwrap();
    app.move_to(id, "sent", None).await;
    app.move_to(id, "declined", Some("too expensive")).await;
    app.create_quote(&quote_body("Concept B.V.")).await;
    vec![m6, until_end]
}

/// Runs `offerte export invoicing` on the test's database.
async fn cli_invoicing(app: &TestApp, dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_offerte"));
    command
        .current_dir(dir)
        .args(["export", "invoicing"])
        .args(args)
        .arg("--database-url")
        .arg(&app.db.url)
        .arg("--pricing-dir")
        .arg(repo_dir().join("pricing"))
        .env_remove("OFFERTE_PRICING_DIR")
        .env_remove("DATABASE_URL")
        .env_remove("OFFERTE_DATABASE_URL")
        .env_remove("OFFERTE_CONFIG");
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the command ran")
}

async fn invoicing_follows_the_accepted_schedules(backend: Backend) {
    let app = spawn_app(backend).await;
    let accepted = seed_accepted(&app).await;
    let expected = expected_instalments(&accepted);

    // JSON: every instalment of the accepted quotes, nothing of the others.
    let json = finance(&app, "/api/v1/exports/invoicing?format=json").await;
    json.expect_ok("application/json", "facturering-alle.json");
    let all: Invoicing = json.json();
    let english = accepted[1]["display_number"].as_str().unwrap();
    check_invoicing(&all, &expected, &[english]);
    // Everything falls due once: the instalments add up to the accepted quotes, to the cent.
    for (i, key) in ["excl_vat", "vat", "incl_vat"].iter().enumerate() {
        let quoted: Decimal = accepted
            .iter()
            .map(|q| money(&q["computation"]["totals"][key]))
            .sum();
        let due: Decimal = all
            .months
            .iter()
            .map(|m| [m.excl_vat, m.vat, m.incl_vat][i].amount())
            .sum();
        assert_eq!(due, quoted, "{key}");
    }
    // The 6-month package: 2500 excl. BTW in two halves.
    let m6: Vec<_> = all
        .instalments
        .iter()
        .filter(|r| r.number == accepted[0]["display_number"])
        .collect();
    assert_eq!(accepted[0]["computation"]["tier"]["code"], "m6");
    assert_eq!(m6.len(), 2);
    for row in &m6 {
        assert_eq!(
            [row.excl_vat, row.vat, row.incl_vat].map(|m| m.to_string()),
            ["1250.00", "262.50", "1512.50"]
        );
    }
    // Labels in the dialect's language: the English quote's own in intl, its Dutch translation
    // in nl (its start instalment worded as the Dutch 6-month quote's).
    let labels = |export: &Invoicing| -> Vec<String> {
        let mut labels: Vec<String> = export
            .instalments
            .iter()
            .filter(|r| r.number == english)
            .map(|r| r.instalment.clone())
            .collect();
        labels.sort();
        labels
    };
    let mut own: Vec<String> = accepted[1]["computation"]["payment_schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect();
    own.sort();
    let intl: Invoicing = finance(&app, "/api/v1/exports/invoicing?format=json&dialect=intl")
        .await
        .json();
    assert_eq!(labels(&intl), own, "intl: the English labels");
    let dutch = labels(&all);
    assert_eq!(dutch.len(), own.len());
    assert!(!dutch.iter().any(|l| own.contains(l)), "nl: {dutch:?}");
    assert!(dutch.contains(&m6[0].instalment), "nl: {dutch:?}");

    // A period: the month of the first instalment; only what falls due in it.
    let first = expected[0].due_date;
    let start = first.with_day(1).unwrap();
    let end = start
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    let month = finance(
        &app,
        &format!("/api/v1/exports/invoicing?format=json&from={start}&to={end}"),
    )
    .await;
    month.expect_ok(
        "application/json",
        &format!("facturering-{}.json", month_of(first)),
    );
    let month: Invoicing = month.json();
    let inside: Vec<Due> = expected
        .iter()
        .filter(|d| d.due_date >= start && d.due_date <= end)
        .cloned()
        .collect();
    assert!(!inside.is_empty());
    check_invoicing(&month, &inside, &[english]);
    assert_eq!(month.months.len(), 1);

    // CSV, both dialects, both parts.
    for dialect in ["nl", "intl"] {
        let export: Invoicing = finance(
            &app,
            &format!("/api/v1/exports/invoicing?format=json&dialect={dialect}"),
        )
        .await
        .json();
        let csv = finance(
            &app,
            &format!("/api/v1/exports/invoicing?format=csv&dialect={dialect}"),
        )
        .await;
        csv.expect_ok("text/csv", "facturering-alle.csv");
        let records = read_csv(&csv.body, dialect);
        assert_eq!(
            records[0][0],
            if dialect == "nl" { "Maand" } else { "Month" }
        );
        assert_eq!(records.len(), export.months.len() + 1);
        for (record, m) in records[1..].iter().zip(&export.months) {
            assert_eq!(record[0], m.month);
            assert_eq!(record[1], m.instalments.to_string());
            let amounts: Vec<Decimal> = (2..=4).map(|i| csv_number(&record[i], dialect)).collect();
            assert_eq!(amounts, [m.excl_vat, m.vat, m.incl_vat].map(|x| x.amount()));
        }
        let csv = finance(
            &app,
            &format!("/api/v1/exports/invoicing?format=csv&dialect={dialect}&part=instalments"),
        )
        .await;
        csv.expect_ok("text/csv", "facturering-alle-termijnen.csv");
        let records = read_csv(&csv.body, dialect);
        assert_eq!(records.len(), export.instalments.len() + 1);
        for (record, row) in records[1..].iter().zip(&export.instalments) {
            let employer = if row.employer.starts_with('=') {
                format!("'{}", row.employer)
            } else {
                row.employer.clone()
            };
            assert_eq!(record[0], row.number);
            assert_eq!(record[1], employer, "people's text made inert");
            assert_eq!(record[2], row.instalment);
            assert_eq!(record[3], row.due_date.to_string());
            assert_eq!(record[4], row.month);
            let amounts: Vec<Decimal> = (5..=7).map(|i| csv_number(&record[i], dialect)).collect();
            assert_eq!(
                amounts,
                [row.excl_vat, row.vat, row.incl_vat].map(|x| x.amount())
            );
            assert_eq!(record[8], if dialect == "nl" { "nee" } else { "no" });
        }
    }

    // XLSX (the default format): both tables, amounts numbers, due dates dates.
    let xlsx = finance(&app, "/api/v1/exports/invoicing").await;
    xlsx.expect_ok(XLSX, "facturering-alle.xlsx");
    let Book { names, sheets, .. } = read_xlsx(&xlsx.body);
    assert_eq!(names, ["Per maand", "Termijnen"]);
    assert_eq!(sheets["Per maand"].len(), all.months.len() + 1);
    for (cells, m) in sheets["Per maand"][1..].iter().zip(&all.months) {
        assert_eq!(xlsx_text(&cells[0]), m.month);
        assert_eq!(xlsx_money(&cells[4], &m.month), m.incl_vat.amount());
    }
    let cells = &sheets["Termijnen"];
    assert_eq!(cells.len(), all.instalments.len() + 1);
    for (cells, row) in cells[1..].iter().zip(&all.instalments) {
        assert_eq!(xlsx_text(&cells[1]), row.employer, "as typed, a string");
        assert_eq!(xlsx_date(&cells[3], &row.number), Some(row.due_date));
        assert_eq!(xlsx_money(&cells[5], &row.number), row.excl_vat.amount());
        assert_eq!(xlsx_money(&cells[7], &row.number), row.incl_vat.amount());
    }

    // The command line writes the same: JSON equal, the CSV byte for byte.
    let dir = tempfile::tempdir().expect("a folder");
    let output = cli_invoicing(
        &app,
        dir.path(),
        &["--format", "json", "--output", "f.json"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Invoicing =
        serde_json::from_slice(&std::fs::read(dir.path().join("f.json")).unwrap()).unwrap();
    assert_eq!(written, all);
    let output = cli_invoicing(
        &app,
        dir.path(),
        &[
            "--format",
            "csv",
            "--dialect",
            "intl",
            "--part",
            "instalments",
            "--from",
            &start.to_string(),
            "--to",
            &end.to_string(),
            "--output",
            "f.csv",
        ],
    )
    .await;
    assert!(output.status.success());
    let http = finance(
        &app,
        &format!(
            "/api/v1/exports/invoicing?format=csv&dialect=intl&part=instalments&from={start}&to={end}"
        ),
    )
    .await;
    assert_eq!(std::fs::read(dir.path().join("f.csv")).unwrap(), http.body);
    // Refused on the command line: exit code 2, no file left behind.
    for args in [
        vec![
            "--format",
            "csv",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--output",
            "bad.csv",
        ],
        vec!["--format", "csv", "--part", "weeks", "--output", "bad.csv"],
    ] {
        let output = cli_invoicing(&app, dir.path(), &args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!dir.path().join("bad.csv").exists(), "{args:?}");
        assert!(!dir.path().join(".bad.csv.part").exists(), "{args:?}");
    }

    // Refused over HTTP: each names its field.
    for (query, status, field) in [
        (
            "from=2026-11-30&to=2026-11-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "to",
        ),
        // A mistyped year would ask for thousands of years of empty months.
        ("from=0026-01-01", StatusCode::UNPROCESSABLE_ENTITY, "from"),
        ("to=9999-12-31", StatusCode::UNPROCESSABLE_ENTITY, "to"),
        (
            "from=2026-01-01&to=2036-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "to",
        ),
        ("from=gisteren", StatusCode::BAD_REQUEST, "from"),
        ("part=weeks", StatusCode::BAD_REQUEST, "part"),
        ("format=ods", StatusCode::BAD_REQUEST, "format"),
        ("status=accepted", StatusCode::BAD_REQUEST, "status"),
    ] {
        refused(
            &app,
            &format!("/api/v1/exports/invoicing?{query}"),
            status,
            field,
        )
        .await;
    }
}

on_both_backends!(
    pricing_diff_compares_two_versions,
    invoicing_follows_the_accepted_schedules
);

// ---------------------------------------------------------------------------------------------
// A catalog with a success fee: the register's block and the public catalog.

async fn success_fees_in_the_register_and_the_catalog(backend: Backend) {
    let example = repo_dir().join("pricing/examples/success-fee");
    let app = spawn_app_with(backend, |s| s.pricing_dir = example.clone()).await;
    let quote = app.create_quote(&quote_body("Plaatsing B.V.")).await;
    let fee = &quote["computation"]["success_fee"];
    assert!(fee.is_object(), "the example catalog has a success fee");

    let export: RegisterExport = finance(&app, "/api/v1/exports/quotes?format=json")
        .await
        .json();
    let row = &export.rows[0];
    assert_eq!(
        amount(row.success_fee_excl_vat),
        Some(money(&fee["excl_vat"]))
    );
    assert_eq!(amount(row.success_fee_vat), Some(money(&fee["vat"])));
    assert_eq!(
        amount(row.success_fee_incl_vat),
        Some(money(&fee["incl_vat"]))
    );
    // Contingent: not in the register's totals.
    assert_eq!(
        row.incl_vat.amount(),
        money(&quote["computation"]["totals"]["incl_vat"])
    );
    let csv = finance(&app, "/api/v1/exports/quotes?format=csv&dialect=intl").await;
    let records = read_csv(&csv.body, "intl");
    let header = &records[0];
    let at = |label: &str| header.iter().position(|h| h == label).unwrap();
    let incl = at("Incl. VAT");
    assert_eq!(
        header[incl + 1..incl + 4],
        [
            "Success fee excl. VAT",
            "Success fee VAT",
            "Success fee incl. VAT"
        ]
    );
    for (offset, key) in ["excl_vat", "vat", "incl_vat"].iter().enumerate() {
        assert_eq!(
            csv_number(&records[1][incl + 1 + offset], "intl"),
            money(&fee[key]),
            "{key}"
        );
    }

    // The public catalog shows each tier's success fee and payment terms.
    let catalog = app.call(Method::GET, "/api/v1/catalog", None, None).await;
    catalog.expect_status(StatusCode::OK);
    let catalog = catalog.json();
    let tiers = catalog["tiers"].as_array().unwrap();
    assert!(
        tiers
            .iter()
            .all(|t| t["success_fee"]["item"] == fee["code"]),
        "{catalog}"
    );
    assert!(
        tiers.iter().all(|t| t["payment"]["term_days"].is_u64()),
        "{catalog}"
    );
}

on_both_backends!(success_fees_in_the_register_and_the_catalog);

/// The public catalog of the default catalog and of the start-fee example: the until-the-end
/// price by the months left, per-period lines and the period length.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_catalog_shows_the_new_price_forms() {
    let app = spawn_app(Backend::Sqlite).await;
    let catalog = app
        .call(Method::GET, "/api/v1/catalog", None, None)
        .await
        .json();
    let until_end = catalog["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "tot_einde")
        .expect("the until-the-end tier");
    assert_eq!(
        until_end["bundle_by_months"],
        json!({"start": "1450.00", "per_month": "175.00", "at_least": "1800.00", "at_most": "3550.00"})
    );
    assert_eq!(until_end["payment"]["term_days"], 14);
    let shares: Vec<&Value> = until_end["payment"]["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["share"])
        .collect();
    assert_eq!(shares, [&json!("30"), &json!("70")]);

    let example = repo_dir().join("pricing/examples/startfee-per-period");
    let app = spawn_app_with(Backend::Sqlite, |s| s.pricing_dir = example.clone()).await;
    let catalog = app
        .call(Method::GET, "/api/v1/catalog", None, None)
        .await
        .json();
    let period = catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["unit"] == "period")
        .expect("an item priced per period");
    assert!(period["period_months"].as_u64().is_some(), "{period}");
    let per_period: Vec<&Value> = catalog["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["components"].as_array().unwrap())
        .filter(|c| c["quantity_kind"] == "per_period")
        .collect();
    assert!(!per_period.is_empty(), "{catalog}");
    assert!(
        per_period
            .iter()
            .all(|c| c["periods"] == "begun" || c["periods"] == "whole")
    );
}

/// Finance (and admin) may use the new exports; sales may not; no key is a 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_exports_are_for_finance() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/api/v1/exports/pricing-diff?format=csv&from=2024.1&to=2024.1",
        "/api/v1/exports/invoicing?format=csv",
    ] {
        let sales = crate::exports::download(&app, path, Some(&app.keys.sales)).await;
        assert_eq!(sales.status, StatusCode::FORBIDDEN, "{path}: sales");
        let none = crate::exports::download(&app, path, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{path}: no key");
        for key in [&app.keys.finance, &app.keys.admin] {
            let ok = crate::exports::download(&app, path, Some(key)).await;
            assert_eq!(ok.status, StatusCode::OK, "{path}");
        }
    }
    // One version only: nothing follows the one in force today.
    refused(
        &app,
        "/api/v1/exports/pricing-diff",
        StatusCode::UNPROCESSABLE_ENTITY,
        "to",
    )
    .await;
}
