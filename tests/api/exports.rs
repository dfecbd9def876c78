//! Finance exports over HTTP: every export is read back (the `csv` crate, `calamine` for XLSX)
//! and each amount compared with the pricing core's own answer for the same case (the preview
//! endpoint) or with the stored quote; both CSV dialects; formula injection; filters, file names
//! and roles.

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, Days, NaiveDate, Utc};
use offerte::exports::pricing::{ItemRow, PricingExport, PricingRow, RowKind};
use offerte::exports::register::{RegisterExport, RegisterRow};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use crate::helpers::{Backend, TestApp, problem_fields, quote_body, spawn_app};

/// A download: status, headers and the raw body.
pub(crate) struct Download {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn expect_ok(&self, content_type: &str, file_name: &str) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert!(
            self.header("content-type").starts_with(content_type),
            "content-type {}",
            self.header("content-type")
        );
        assert_eq!(
            self.header("content-disposition"),
            format!("attachment; filename=\"{file_name}\"")
        );
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not the JSON export ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

pub(crate) async fn download(app: &TestApp, path: &str, key: Option<&str>) -> Download {
    let response = app
        .request(Method::GET, path, key)
        .send()
        .await
        .expect("the server answers");
    Download {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("a body").to_vec(),
    }
}

pub(crate) async fn finance(app: &TestApp, path: &str) -> Download {
    download(app, path, Some(&app.keys.finance)).await
}

pub(crate) fn d(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// An amount of the JSON computation.
pub(crate) fn money(value: &Value) -> Decimal {
    d(value
        .as_str()
        .unwrap_or_else(|| panic!("not an amount: {value}")))
}

pub(crate) fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

// ---------------------------------------------------------------------------------------------
// Reading the files back.

/// The records of a CSV in `dialect`, header first; checks the BOM and the separators.
pub(crate) fn read_csv(body: &[u8], dialect: &str) -> Vec<Vec<String>> {
    let (bom, delimiter) = match dialect {
        "nl" => (true, b';'),
        "intl" => (false, b','),
        other => panic!("no dialect {other}"),
    };
    assert_eq!(
        body.starts_with(b"\xEF\xBB\xBF"),
        bom,
        "{dialect}: a UTF-8 byte-order mark only in nl"
    );
    let text = std::str::from_utf8(body).expect("UTF-8");
    assert!(
        text.lines().count() <= 1 || text.contains("\r\n"),
        "{dialect}: records end in CRLF"
    );
    let body = if bom { &body[3..] } else { body };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(body);
    reader
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// A number of a CSV in `dialect`: decimal comma in nl, decimal point in intl, never a
/// thousands separator.
pub(crate) fn csv_number(text: &str, dialect: &str) -> Decimal {
    match dialect {
        "nl" => {
            assert!(!text.contains('.'), "nl: no point in {text:?}");
            d(&text.replace(',', "."))
        }
        _ => {
            assert!(!text.contains(','), "intl: no comma in {text:?}");
            d(text)
        }
    }
}

pub(crate) fn csv_optional(text: &str, dialect: &str) -> Option<Decimal> {
    (!text.is_empty()).then(|| csv_number(text, dialect))
}

/// An XLSX read back: the sheet names in order, each sheet's cells, the reader itself.
pub(crate) struct Book {
    pub names: Vec<String>,
    pub sheets: BTreeMap<String, Vec<Vec<Data>>>,
    pub reader: Xlsx<Cursor<Vec<u8>>>,
}

pub(crate) fn read_xlsx(body: &[u8]) -> Book {
    let mut reader: Xlsx<_> = Xlsx::new(Cursor::new(body.to_vec())).expect("an XLSX file");
    let names = reader.sheet_names();
    let mut sheets = BTreeMap::new();
    for name in &names {
        let range = reader.worksheet_range(name).expect("a worksheet");
        assert_eq!(
            range.start(),
            Some((0, 0)),
            "{name}: the table starts at A1"
        );
        sheets.insert(
            name.clone(),
            range.rows().map(<[Data]>::to_vec).collect::<Vec<_>>(),
        );
    }
    Book {
        names,
        sheets,
        reader,
    }
}

/// A file of the XLSX zip, as text.
pub(crate) fn xlsx_part(body: &[u8], path: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(body)).expect("a zip");
    let mut file = archive
        .by_name(path)
        .unwrap_or_else(|e| panic!("no {path} in the XLSX: {e}"));
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 XML");
    text
}

/// A cell that must be an amount stored as a number (never text), in cents.
pub(crate) fn xlsx_money(cell: &Data, what: &str) -> Decimal {
    match cell {
        Data::Float(value) => cents(Decimal::from_f64(*value).expect("a finite number")),
        Data::Int(value) => Decimal::from(*value),
        other => panic!("{what}: an amount must be a number, found {other:?}"),
    }
}

pub(crate) fn xlsx_number(cell: &Data, what: &str) -> Option<Decimal> {
    match cell {
        Data::Empty => None,
        Data::Float(value) => Some(
            Decimal::from_f64(*value)
                .expect("a finite number")
                .round_dp(6)
                .normalize(),
        ),
        Data::Int(value) => Some(Decimal::from(*value)),
        other => panic!("{what}: expected a number, found {other:?}"),
    }
}

pub(crate) fn xlsx_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        other => panic!("expected text, found {other:?}"),
    }
}

pub(crate) fn xlsx_date(cell: &Data, what: &str) -> Option<NaiveDate> {
    match cell {
        Data::Empty => None,
        Data::DateTime(value) => {
            assert!(!value.is_duration(), "{what}: a date, not a duration");
            Some(value.as_datetime().expect("a date").date())
        }
        other => panic!("{what}: a date must be a date cell, found {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The pricing table.

const SEED_TOTALS: [(&str, &str, &str, &str); 4] = [
    ("m3", "1975.00", "414.75", "2389.75"),
    ("m6", "2500.00", "525.00", "3025.00"),
    ("m9", "3025.00", "635.25", "3660.25"),
    ("tot_einde", "3550.00", "745.50", "4295.50"),
];

const TIERS: [&str; 4] = ["m3", "m6", "m9", "tot_einde"];

/// The rows one computation (preview JSON) must give: its lines and a total row.
fn expected_rows(c: &Value) -> Vec<(Option<String>, Decimal, Decimal, Decimal)> {
    let mut rows: Vec<(Option<String>, Decimal, Decimal, Decimal)> = c["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            let amount = money(&line["amount"]);
            let vat = cents(amount * d(line["vat_rate"].as_str().unwrap()) / Decimal::ONE_HUNDRED);
            (
                Some(line["code"].as_str().unwrap().to_string()),
                amount,
                vat,
                amount + vat,
            )
        })
        .collect();
    let totals = &c["totals"];
    rows.push((
        None,
        money(&totals["excl_vat"]),
        money(&totals["vat"]),
        money(&totals["incl_vat"]),
    ));
    rows
}

/// Every row of a tier or variation table against the computation of the same case, priced by
/// the preview endpoint with the export's standard circumstances.
async fn check_against_previews(
    app: &TestApp,
    export: &PricingExport,
    rows: &[PricingRow],
    variation: Option<&str>,
) {
    let mut tiers_seen = Vec::new();
    for tier in TIERS {
        let mut input = serde_json::to_value(&export.standard_circumstances).unwrap();
        input["tier"] = json!(tier);
        match variation {
            Some(v @ ("light" | "intensive")) => input["intensity"] = json!(v),
            Some(v @ ("training" | "retraining")) => input["schooling"] = json!(v),
            Some(other) => panic!("unknown variation {other}"),
            None => {}
        }
        let c = app.preview(&input).await;
        assert_eq!(c["catalog"]["version"], "2024.1");
        let mine: Vec<&PricingRow> = rows
            .iter()
            .filter(|r| r.tier == tier && r.variation.as_deref() == variation)
            .collect();
        let expected = expected_rows(&c);
        assert_eq!(mine.len(), expected.len(), "{tier} {variation:?}: rows");
        for (row, line) in mine.iter().zip(c["lines"].as_array().unwrap()) {
            let case = format!("{tier} {variation:?} {:?}", row.item);
            assert_eq!(row.item.as_deref(), line["code"].as_str(), "{case}");
            assert_eq!(row.description, line["name"], "{case}");
            assert_eq!(
                row.quantity,
                Some(d(line["quantity"].as_str().unwrap())),
                "{case}"
            );
            assert_eq!(
                row.unit.map(|u| u.as_str()),
                line["unit"].as_str(),
                "{case}"
            );
            assert_eq!(
                row.unit_price.map(|m| m.amount()),
                Some(money(&line["unit_price"])),
                "{case}"
            );
            assert_eq!(
                row.vat_rate,
                Some(d(line["vat_rate"].as_str().unwrap())),
                "{case}"
            );
        }
        for (row, (item, excl, vat, incl)) in mine.iter().zip(&expected) {
            let case = format!("{tier} {variation:?} {item:?}");
            assert_eq!(&row.item, item, "{case}");
            assert_eq!(row.kind == RowKind::Total, item.is_none(), "{case}");
            assert_eq!(row.excl_vat.amount(), *excl, "{case}: excl. BTW");
            assert_eq!(row.vat.amount(), *vat, "{case}: BTW");
            assert_eq!(row.incl_vat.amount(), *incl, "{case}: incl. BTW");
            assert_eq!(row.months, c["tier"]["months"], "{case}: months");
            assert_eq!(row.tier_name, c["tier"]["name"], "{case}");
        }
        tiers_seen.push(tier);
    }
    assert_eq!(tiers_seen, TIERS);
}

/// The cells a tier-table row must have, as the JSON export says, in the order of the columns.
fn pricing_fields(row: &PricingRow, with_variation: bool) -> Vec<String> {
    let mut fields = Vec::new();
    if with_variation {
        fields.push(row.variation.clone().unwrap_or_default());
    }
    let kind = match row.kind {
        RowKind::Item => "item",
        RowKind::BundleAdjustment => "bundle_adjustment",
        RowKind::MinimumAdjustment => "minimum_adjustment",
        RowKind::LengthCap => "length_cap",
        RowKind::Total => "total",
    };
    fields.extend([
        row.tier.clone(),
        row.tier_name.clone(),
        row.months.to_string(),
        kind.to_string(),
        row.item.clone().unwrap_or_default(),
        row.description.clone(),
        row.unit.map(|u| u.as_str().to_string()).unwrap_or_default(),
    ]);
    fields
}

/// A CSV tier table against the JSON rows: texts equal, every number equal.
fn check_pricing_csv(
    records: &[Vec<String>],
    rows: &[PricingRow],
    dialect: &str,
    variations: bool,
) {
    assert_eq!(
        records.len(),
        rows.len() + 1,
        "{dialect}: header + one record per row"
    );
    let offset = usize::from(variations);
    for (record, row) in records[1..].iter().zip(rows) {
        let case = format!("{dialect} {} {:?}", row.tier, row.item);
        assert_eq!(record.len(), 13 + offset, "{case}: columns");
        let texts: Vec<String> = [0, 1, 2, 3, 4, 5, 7]
            .iter()
            .map(|i| record[i + offset].clone())
            .collect();
        let mut expected = pricing_fields(row, variations);
        if variations {
            assert_eq!(record[0], expected.remove(0), "{case}: variation");
        }
        assert_eq!(texts, expected, "{case}");
        let number = |i: usize| csv_optional(&record[i + offset], dialect);
        assert_eq!(number(6), row.quantity, "{case}: quantity");
        assert_eq!(
            number(8),
            row.unit_price.map(|m| m.amount()),
            "{case}: unit price"
        );
        assert_eq!(number(9), row.vat_rate, "{case}: rate");
        assert_eq!(number(10), Some(row.excl_vat.amount()), "{case}: excl.");
        assert_eq!(number(11), Some(row.vat.amount()), "{case}: BTW");
        assert_eq!(number(12), Some(row.incl_vat.amount()), "{case}: incl.");
    }
}

/// An XLSX tier sheet against the JSON rows: texts equal, amounts numbers and equal.
fn check_pricing_sheet(cells: &[Vec<Data>], rows: &[PricingRow], variations: bool) {
    assert_eq!(cells.len(), rows.len() + 1, "header + one row per row");
    let offset = usize::from(variations);
    for (cells, row) in cells[1..].iter().zip(rows) {
        let case = format!("xlsx {:?} {} {:?}", row.variation, row.tier, row.item);
        let mut expected = pricing_fields(row, variations);
        if variations {
            assert_eq!(xlsx_text(&cells[0]), expected.remove(0), "{case}");
        }
        let texts: Vec<String> = [0, 1, 3, 4, 5, 7]
            .iter()
            .map(|i| xlsx_text(&cells[i + offset]))
            .collect();
        let expected_texts: Vec<String> = [0, 1, 3, 4, 5, 6]
            .iter()
            .map(|i| expected[*i].clone())
            .collect();
        assert_eq!(texts, expected_texts, "{case}");
        assert_eq!(
            xlsx_number(&cells[2 + offset], &case),
            Some(Decimal::from(row.months)),
            "{case}: months"
        );
        assert_eq!(
            xlsx_number(&cells[6 + offset], &case),
            row.quantity,
            "{case}"
        );
        match row.unit_price {
            Some(price) => assert_eq!(xlsx_money(&cells[8 + offset], &case), price.amount()),
            None => assert_eq!(cells[8 + offset], Data::Empty, "{case}"),
        }
        assert_eq!(
            xlsx_number(&cells[9 + offset], &case),
            row.vat_rate,
            "{case}"
        );
        assert_eq!(
            xlsx_money(&cells[10 + offset], &case),
            row.excl_vat.amount(),
            "{case}"
        );
        assert_eq!(
            xlsx_money(&cells[11 + offset], &case),
            row.vat.amount(),
            "{case}"
        );
        assert_eq!(
            xlsx_money(&cells[12 + offset], &case),
            row.incl_vat.amount(),
            "{case}"
        );
    }
}

fn check_items_csv(records: &[Vec<String>], items: &[ItemRow], dialect: &str) {
    assert_eq!(records.len(), items.len() + 1);
    for (record, item) in records[1..].iter().zip(items) {
        assert_eq!(record[0], item.code);
        assert_eq!(record[1], item.name);
        assert_eq!(record[2], item.description);
        assert_eq!(record[3], item.unit.as_str());
        assert_eq!(csv_number(&record[4], dialect), item.unit_price.amount());
        assert_eq!(csv_number(&record[5], dialect), item.vat_rate);
        assert_eq!(csv_number(&record[6], dialect), item.vat.amount());
        assert_eq!(
            csv_number(&record[7], dialect),
            item.unit_price_incl_vat.amount()
        );
        assert_eq!(
            record[8],
            item.vat_exempt_reason.clone().unwrap_or_default()
        );
    }
}

/// The pricing table of version 2024.1, in JSON, CSV (both dialects, every part) and XLSX,
/// against the computation of the same cases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pricing_exports_match_the_computation() {
    let app = spawn_app(Backend::Sqlite).await;

    let json = finance(&app, "/api/v1/exports/pricing?format=json&version=2024.1").await;
    json.expect_ok("application/json", "prijstabel-2024-01-01.json");
    let export: PricingExport = json.json();
    assert_eq!(export.catalog.version, "2024.1");
    // The documented standard circumstances: quote and start on valid_from, sick 8 weeks before.
    let standard = serde_json::to_value(&export.standard_circumstances).unwrap();
    assert_eq!(
        standard,
        json!({"first_sick_day": "2023-11-06", "start_date": "2024-01-01", "quote_date": "2024-01-01",
               "readiness": "ready_with_support", "schooling": "none", "intensity": "standard",
               "language": "nl"})
    );
    let tiers = export.tiers.as_ref().expect("the tiers part");
    let variations = export.variations.as_ref().expect("the variations part");
    let items = export.items.as_ref().expect("the items part");

    // The four packages at their seed prices.
    for (tier, excl, vat, incl) in SEED_TOTALS {
        let total = tiers
            .iter()
            .find(|r| r.tier == tier && r.kind == RowKind::Total)
            .unwrap_or_else(|| panic!("a total row for {tier}"));
        assert_eq!(total.excl_vat.to_string(), excl, "{tier}");
        assert_eq!(total.vat.to_string(), vat, "{tier}");
        assert_eq!(total.incl_vat.to_string(), incl, "{tier}");
    }
    // Every row, of the tiers and of each variation, against the computation.
    check_against_previews(&app, &export, tiers, None).await;
    let kinds: Vec<&str> = {
        let mut seen: Vec<&str> = Vec::new();
        for row in variations {
            let v = row.variation.as_deref().expect("a variation");
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen
    };
    assert_eq!(kinds, ["light", "intensive", "training", "retraining"]);
    for variation in kinds {
        check_against_previews(&app, &export, variations, Some(variation)).await;
    }
    // Retraining adds the exempt course budget: 0% lines appear in the variations.
    assert!(
        variations
            .iter()
            .any(|r| r.item.as_deref() == Some("omscholing") && r.vat_rate == Some(Decimal::ZERO))
    );
    assert_eq!(items.len(), 12, "every catalog item");
    let coaching = items.iter().find(|i| i.code == "coaching").unwrap();
    assert_eq!(coaching.unit_price.to_string(), "89.00");
    assert_eq!(coaching.unit_price_incl_vat.to_string(), "107.69");

    // CSV, both dialects: the default is the tier table; `part` selects the others. The intl
    // dialect speaks English, so it is compared with the English JSON.
    for dialect in ["nl", "intl"] {
        let json = finance(
            &app,
            &format!("/api/v1/exports/pricing?format=json&version=2024.1&dialect={dialect}"),
        )
        .await;
        let export: PricingExport = json.json();
        let csv = finance(
            &app,
            &format!("/api/v1/exports/pricing?format=csv&version=2024.1&dialect={dialect}"),
        )
        .await;
        csv.expect_ok("text/csv", "prijstabel-2024-01-01.csv");
        let records = read_csv(&csv.body, dialect);
        let header = if dialect == "nl" { "Pakket" } else { "Tier" };
        assert_eq!(records[0][0], header, "{dialect}");
        check_pricing_csv(&records, export.tiers.as_ref().unwrap(), dialect, false);

        let csv = finance(
            &app,
            &format!("/api/v1/exports/pricing?format=csv&version=2024.1&dialect={dialect}&part=variations"),
        )
        .await;
        csv.expect_ok("text/csv", "prijstabel-2024-01-01-varianten.csv");
        check_pricing_csv(
            &read_csv(&csv.body, dialect),
            export.variations.as_ref().unwrap(),
            dialect,
            true,
        );

        let csv = finance(
            &app,
            &format!(
                "/api/v1/exports/pricing?format=csv&version=2024.1&dialect={dialect}&part=items"
            ),
        )
        .await;
        csv.expect_ok("text/csv", "prijstabel-2024-01-01-prijslijst.csv");
        check_items_csv(
            &read_csv(&csv.body, dialect),
            export.items.as_ref().unwrap(),
            dialect,
        );
    }
    // The raw text of the nl dialect, as Excel with Dutch settings reads it.
    let csv = finance(&app, "/api/v1/exports/pricing?format=csv&version=2024.1").await;
    let text = String::from_utf8(csv.body.clone()).unwrap();
    assert!(
        text.contains("\r\nm3;Pakket 3 maanden;3;total;;Totaal Pakket 3 maanden;;;;;1975,00;414,75;2389,75\r\n"),
        "{text}"
    );

    // XLSX: one sheet per part, amounts as numbers, the header, the filter, the properties.
    let xlsx = finance(&app, "/api/v1/exports/pricing?format=xlsx&version=2024.1").await;
    xlsx.expect_ok(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "prijstabel-2024-01-01.xlsx",
    );
    let Book { names, sheets, .. } = read_xlsx(&xlsx.body);
    assert_eq!(names, ["Pakketten", "Varianten", "Prijslijst"]);
    check_pricing_sheet(&sheets["Pakketten"], tiers, false);
    check_pricing_sheet(&sheets["Varianten"], variations, true);
    let item_cells = &sheets["Prijslijst"];
    assert_eq!(item_cells.len(), items.len() + 1);
    for (cells, item) in item_cells[1..].iter().zip(items) {
        assert_eq!(xlsx_text(&cells[0]), item.code);
        assert_eq!(xlsx_money(&cells[4], &item.code), item.unit_price.amount());
        assert_eq!(xlsx_money(&cells[6], &item.code), item.vat.amount());
        assert_eq!(
            xlsx_money(&cells[7], &item.code),
            item.unit_price_incl_vat.amount()
        );
    }
    assert_eq!(xlsx_text(&sheets["Pakketten"][0][10]), "Bedrag excl. btw");
    let styles = xlsx_part(&xlsx.body, "xl/styles.xml");
    assert!(styles.contains("[$€-nl-NL] #,##0.00"), "the euro format");
    let sheet = xlsx_part(&xlsx.body, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "the header row is frozen: {}",
        &sheet[..sheet.len().min(800)]
    );
    assert!(
        sheet.contains(&format!(r#"<autoFilter ref="A1:M{}"/>"#, tiers.len() + 1)),
        "an autofilter over the table"
    );
    assert!(sheet.contains("<cols>"), "column widths");
    let core = xlsx_part(&xlsx.body, "docProps/core.xml");
    assert!(
        core.contains("<dc:title>Prijstabel 2024.1</dc:title>"),
        "{core}"
    );
    let custom = xlsx_part(&xlsx.body, "docProps/custom.xml");
    assert!(
        custom.contains("catalog_version") && custom.contains("2024.1"),
        "{custom}"
    );
    // One part as XLSX.
    let xlsx = finance(
        &app,
        "/api/v1/exports/pricing?format=xlsx&version=2024.1&part=items",
    )
    .await;
    xlsx.expect_ok(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "prijstabel-2024-01-01-prijslijst.xlsx",
    );
    assert_eq!(read_xlsx(&xlsx.body).names, ["Prijslijst"]);
}

/// Choosing the version: by date (default today), by name, not both; refused values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pricing_export_picks_the_version_and_refuses_bad_queries() {
    let app = spawn_app(Backend::Sqlite).await;
    // Default: the version in force today, as XLSX.
    let today = finance(&app, "/api/v1/exports/pricing").await;
    today.expect_ok(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "prijstabel-2024-01-01.xlsx",
    );
    let by_date = finance(&app, "/api/v1/exports/pricing?format=json&date=2025-06-30").await;
    by_date.expect_ok("application/json", "prijstabel-2024-01-01.json");
    assert_eq!(by_date.json::<PricingExport>().catalog.version, "2024.1");

    for (query, status, field) in [
        ("date=2023-12-31", StatusCode::UNPROCESSABLE_ENTITY, "date"),
        (
            "version=1999.9",
            StatusCode::UNPROCESSABLE_ENTITY,
            "version",
        ),
        (
            "version=2024.1&date=2025-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "version",
        ),
        ("format=pdf", StatusCode::BAD_REQUEST, "format"),
        ("part=everything", StatusCode::BAD_REQUEST, "part"),
        ("dialect=fr", StatusCode::BAD_REQUEST, "dialect"),
        ("date=31-12-2025", StatusCode::BAD_REQUEST, "date"),
        ("colour=blue", StatusCode::BAD_REQUEST, "colour"),
    ] {
        let reply = app
            .call(
                Method::GET,
                &format!("/api/v1/exports/pricing?{query}"),
                Some(&app.keys.finance),
                None,
            )
            .await;
        let problem = reply.expect_problem(status);
        let fields = problem_fields(&problem);
        assert!(
            fields.iter().any(|f| f == field),
            "{query}: {field} not named in {problem}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The quote register.

const HOSTILE: &str = "=HYPERLINK(\"http://x\")";

/// Makes quotes in every status, one with an exempt training line and one revised; returns the
/// final state of every revision, by display number.
async fn seed_register(app: &TestApp) -> BTreeMap<String, Value> {
    let mut made = Vec::new();
    let hostile = app.create_quote(&quote_body(HOSTILE)).await; // draft
    made.push(hostile["id"].as_str().unwrap().to_string());

    let mut training = quote_body("Bakkerij De Korenschoof B.V.");
    training["circumstances"]["schooling"] = json!("training");
    let accepted = app.create_quote(&training).await;
    let id = accepted["id"].as_str().unwrap().to_string();
    app.move_to(&id, "sent", None).await;
    app.move_to(&id, "accepted", None).await;
    made.push(id);

    let declined = app.create_quote(&quote_body("@Home Zorg B.V.")).await;
    let id = declined["id"].as_str().unwrap().to_string();
    app.move_to(&id, "sent", None).await;
    app.move_to(&id, "declined", Some("too expensive")).await;
    made.push(id);

    let revised = app.create_quote(&quote_body("+Plus Schoonmaak")).await;
    let id = revised["id"].as_str().unwrap().to_string();
    app.move_to(&id, "sent", None).await;
    let reply = app
        .post(&format!("/api/v1/quotes/{id}/revisions"), &json!({}))
        .await;
    reply.expect_status(StatusCode::CREATED);
    made.push(id);
    made.push(reply.json()["id"].as_str().unwrap().to_string());

    let withdrawn = app.create_quote(&quote_body("Garage -Noord")).await;
    let id = withdrawn["id"].as_str().unwrap().to_string();
    app.move_to(&id, "withdrawn", None).await;
    made.push(id);

    let mut quotes = BTreeMap::new();
    for id in made {
        let quote = app.quote(&id).await;
        quotes.insert(quote["display_number"].as_str().unwrap().to_string(), quote);
    }
    quotes
}

/// A register row against the stored quote.
fn check_register_row(row: &RegisterRow, quote: &Value) {
    let case = quote["display_number"].as_str().unwrap();
    assert_eq!(row.number, quote["number"], "{case}");
    assert_eq!(row.revision, quote["revision"], "{case}");
    assert_eq!(row.status.as_str(), quote["status"], "{case}");
    assert_eq!(row.employer, quote["employer"]["company_name"], "{case}");
    let c = &quote["computation"];
    assert_eq!(row.tier, c["tier"]["code"], "{case}");
    assert_eq!(row.catalog_version, c["catalog"]["version"], "{case}");
    assert_eq!(
        row.excl_vat.amount(),
        money(&c["totals"]["excl_vat"]),
        "{case}"
    );
    assert_eq!(row.vat.amount(), money(&c["totals"]["vat"]), "{case}");
    assert_eq!(
        row.incl_vat.amount(),
        money(&c["totals"]["incl_vat"]),
        "{case}"
    );
    let rates: Vec<String> = row.vat_by_rate.iter().map(|r| r.rate.to_string()).collect();
    assert_eq!(rates, ["21", "0"], "{case}: the rate columns");
    for amounts in &row.vat_by_rate {
        let stored = c["totals"]["vat_breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| d(v["rate"].as_str().unwrap()) == amounts.rate);
        let (base, vat) = stored.map_or((Decimal::ZERO, Decimal::ZERO), |v| {
            (money(&v["base"]), money(&v["vat"]))
        });
        assert_eq!(
            amounts.base.amount(),
            base,
            "{case}: base at {}%",
            amounts.rate
        );
        assert_eq!(
            amounts.vat.amount(),
            vat,
            "{case}: BTW at {}%",
            amounts.rate
        );
    }
    let date_of = |v: &Value| -> Option<NaiveDate> {
        v.as_str().map(|s| {
            s.parse::<chrono::DateTime<Utc>>()
                .expect("a timestamp")
                .date_naive()
        })
    };
    assert_eq!(
        Some(row.created_on),
        date_of(&quote["created_at"]),
        "{case}"
    );
    assert_eq!(row.decided_on, date_of(&quote["decided_at"]), "{case}");
    assert_eq!(
        row.valid_until.to_string(),
        quote["valid_until"].as_str().unwrap(),
        "{case}"
    );
}

/// A CSV register record against its JSON row.
fn check_register_csv(record: &[String], row: &RegisterRow, dialect: &str) {
    let case = format!("{dialect} {}-{}", row.number, row.revision);
    assert_eq!(record.len(), 23, "{case}: columns");
    assert_eq!(record[0], row.number, "{case}");
    assert_eq!(record[1], row.revision.to_string(), "{case}");
    assert_eq!(record[2], row.created_on.to_string(), "{case}");
    assert_eq!(record[3], row.status.as_str(), "{case}");
    // People's text that a spreadsheet would run is prefixed with `'`.
    let employer = if row.employer.starts_with(['=', '+', '-', '@']) {
        format!("'{}", row.employer)
    } else {
        row.employer.clone()
    };
    assert_eq!(record[4], employer, "{case}");
    assert_eq!(record[5], row.tier, "{case}");
    assert_eq!(record[6], row.catalog_version, "{case}");
    let amounts: Vec<Decimal> = (7..=13).map(|i| csv_number(&record[i], dialect)).collect();
    let expected = [
        row.excl_vat,
        row.vat_by_rate[0].base,
        row.vat_by_rate[0].vat,
        row.vat_by_rate[1].base,
        row.vat_by_rate[1].vat,
        row.vat,
        row.incl_vat,
    ]
    .map(|m| m.amount());
    assert_eq!(amounts, expected, "{case}: amounts");
    // The success fee block: empty when the quote has none (the default catalog has none).
    let fee = [
        row.success_fee_excl_vat,
        row.success_fee_vat,
        row.success_fee_incl_vat,
    ];
    for (i, amount) in (14..=16).zip(fee) {
        assert_eq!(
            csv_optional(&record[i], dialect),
            amount.map(|m| m.amount()),
            "{case}: success fee"
        );
    }
    assert_eq!(record[17], row.valid_until.to_string(), "{case}");
    assert_eq!(
        record[18],
        row.decided_on.map(|d| d.to_string()).unwrap_or_default(),
        "{case}"
    );
    // The employee's consent: its status (shown once accepted or asked), day, flag, first day.
    let c = &row.consent;
    let consent = [
        c.employee_consent.map(|c| c.as_str().to_string()),
        c.employee_consent_on.map(|d| d.to_string()),
        c.employee_consent
            .map(|_| c.started_before_consent.to_string()),
        c.deductible_from.map(|d| d.to_string()),
    ];
    for (i, expected) in (19..=22).zip(consent) {
        assert_eq!(record[i], expected.unwrap_or_default(), "{case}: consent");
    }
    if row.status.as_str() == "accepted" {
        assert!(
            c.employee_consent.is_some(),
            "{case}: an accepted quote shows consent"
        );
    }
}

async fn register_exports_match_the_quotes(backend: Backend) {
    let app = spawn_app(backend).await;
    let quotes = seed_register(&app).await;
    assert_eq!(quotes.len(), 6);

    // JSON: every revision, every status, by number and revision.
    let json = finance(&app, "/api/v1/exports/quotes?format=json").await;
    json.expect_ok("application/json", "offertes-alle.json");
    let export: RegisterExport = json.json();
    assert_eq!(
        export.vat_rates,
        [Decimal::from(21), Decimal::ZERO],
        "the rates of the catalog"
    );
    let displayed: Vec<String> = export
        .rows
        .iter()
        .map(|r| {
            if r.revision == 1 {
                r.number.clone()
            } else {
                format!("{}-{}", r.number, r.revision)
            }
        })
        .collect();
    assert_eq!(displayed, quotes.keys().cloned().collect::<Vec<_>>());
    for row in &export.rows {
        let key = if row.revision == 1 {
            row.number.clone()
        } else {
            format!("{}-{}", row.number, row.revision)
        };
        check_register_row(row, &quotes[&key]);
    }
    let statuses: Vec<&str> = export.rows.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "draft",
            "accepted",
            "declined",
            "superseded",
            "draft",
            "withdrawn"
        ]
    );
    // The training quote has an exempt line: its 0% base is the training.
    let accepted = &export.rows[1];
    assert_eq!(accepted.vat_by_rate[1].base.to_string(), "450.00");
    assert!(accepted.decided_on.is_some());

    // CSV, both dialects.
    for dialect in ["nl", "intl"] {
        let csv = finance(
            &app,
            &format!("/api/v1/exports/quotes?format=csv&dialect={dialect}"),
        )
        .await;
        csv.expect_ok("text/csv", "offertes-alle.csv");
        assert!(
            csv.header("content-length").is_empty(),
            "the register streams (chunked), it has no length up front"
        );
        let records = read_csv(&csv.body, dialect);
        assert_eq!(records.len(), export.rows.len() + 1);
        let header = if dialect == "nl" {
            "Werkgever"
        } else {
            "Employer"
        };
        assert_eq!(records[0][4], header);
        let rates = if dialect == "nl" {
            ["Grondslag 21%", "Btw 21%", "Grondslag 0%", "Btw 0%"]
        } else {
            ["Base 21%", "VAT 21%", "Base 0%", "VAT 0%"]
        };
        assert_eq!(records[0][8..12], rates);
        for (record, row) in records[1..].iter().zip(&export.rows) {
            check_register_csv(record, row, dialect);
        }
        assert_eq!(records[1][4], format!("'{HOSTILE}"), "{dialect}: inert");
    }

    // XLSX: amounts as numbers, dates as dates, the hostile name a plain string cell.
    let xlsx = finance(&app, "/api/v1/exports/quotes?format=xlsx").await;
    xlsx.expect_ok(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "offertes-alle.xlsx",
    );
    let Book {
        names,
        sheets,
        reader: mut workbook,
    } = read_xlsx(&xlsx.body);
    assert_eq!(names, ["Offertes"]);
    let cells = &sheets["Offertes"];
    assert_eq!(cells.len(), export.rows.len() + 1);
    assert_eq!(xlsx_text(&cells[0][4]), "Werkgever");
    for (cells, row) in cells[1..].iter().zip(&export.rows) {
        let case = format!("xlsx {}-{}", row.number, row.revision);
        assert_eq!(xlsx_text(&cells[0]), row.number, "{case}");
        assert_eq!(
            xlsx_number(&cells[1], &case),
            Some(Decimal::from(row.revision))
        );
        assert_eq!(xlsx_date(&cells[2], &case), Some(row.created_on), "{case}");
        assert_eq!(xlsx_text(&cells[3]), row.status.as_str(), "{case}");
        // Written as typed, as a string: never a formula.
        assert_eq!(xlsx_text(&cells[4]), row.employer, "{case}");
        assert_eq!(xlsx_text(&cells[5]), row.tier, "{case}");
        let amounts: Vec<Decimal> = (7..=13).map(|i| xlsx_money(&cells[i], &case)).collect();
        let expected = [
            row.excl_vat,
            row.vat_by_rate[0].base,
            row.vat_by_rate[0].vat,
            row.vat_by_rate[1].base,
            row.vat_by_rate[1].vat,
            row.vat,
            row.incl_vat,
        ]
        .map(|m| m.amount());
        assert_eq!(amounts, expected, "{case}");
        for cell in &cells[14..=16] {
            assert_eq!(*cell, Data::Empty, "{case}: no success fee");
        }
        assert_eq!(
            xlsx_date(&cells[17], &case),
            Some(row.valid_until),
            "{case}"
        );
        assert_eq!(xlsx_date(&cells[18], &case), row.decided_on, "{case}");
    }
    assert_eq!(xlsx_text(&cells[1][4]), HOSTILE);
    let formulas = workbook.worksheet_formula("Offertes").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula anywhere in the register"
    );
    let sheet = xlsx_part(&xlsx.body, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula element");
    let styles = xlsx_part(&xlsx.body, "xl/styles.xml");
    assert!(
        styles.contains(r#"quotePrefix="1""#),
        "formula-like names carry the quote prefix"
    );
    assert!(sheet.contains(&format!(
        r#"<autoFilter ref="A1:W{}"/>"#,
        export.rows.len() + 1
    )));
    let core = xlsx_part(&xlsx.body, "docProps/core.xml");
    assert!(
        core.contains("<dc:title>Offerteregister</dc:title>"),
        "{core}"
    );
    let custom = xlsx_part(&xlsx.body, "docProps/custom.xml");
    assert!(custom.contains("2024.1 (2024-01-01)"), "{custom}");
}

async fn register_filters_and_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let quotes = seed_register(&app).await;
    let today = crate::helpers::today_utc();
    let rows = |path: String| {
        let app = &app;
        async move {
            let reply = finance(app, &path).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            (reply.json::<RegisterExport>().rows, reply)
        }
    };
    let (accepted, reply) = rows("/api/v1/exports/quotes?format=json&status=accepted".into()).await;
    assert_eq!(
        reply.header("content-disposition"),
        "attachment; filename=\"offertes-alle-accepted.json\""
    );
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].employer, "Bakkerij De Korenschoof B.V.");
    let (superseded, _) = rows("/api/v1/exports/quotes?format=json&status=superseded".into()).await;
    assert_eq!(superseded.len(), 1);
    assert_eq!(superseded[0].employer, "+Plus Schoonmaak");

    let (all, _) = rows(format!(
        "/api/v1/exports/quotes?format=json&from={today}&to={today}"
    ))
    .await;
    assert_eq!(all.len(), quotes.len(), "made today (UTC)");
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
    let (none, reply) = rows(format!(
        "/api/v1/exports/quotes?format=json&from={tomorrow}"
    ))
    .await;
    assert!(none.is_empty());
    assert_eq!(
        reply.header("content-disposition"),
        format!("attachment; filename=\"offertes-vanaf-{tomorrow}.json\"")
    );
    let (none, _) = rows(format!("/api/v1/exports/quotes?format=json&to={yesterday}")).await;
    assert!(none.is_empty());

    // A calendar month is named by its month.
    let first = today.with_day(1).unwrap();
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    let csv = finance(
        &app,
        &format!("/api/v1/exports/quotes?format=csv&from={first}&to={last}"),
    )
    .await;
    csv.expect_ok(
        "text/csv",
        &format!("offertes-{:04}-{:02}.csv", today.year(), today.month()),
    );
    assert_eq!(read_csv(&csv.body, "nl").len(), quotes.len() + 1);
    // An empty register is a header.
    let csv = finance(
        &app,
        &format!("/api/v1/exports/quotes?format=csv&dialect=intl&from={tomorrow}"),
    )
    .await;
    assert_eq!(read_csv(&csv.body, "intl").len(), 1);

    for (query, status, field) in [
        (
            format!("from={today}&to={yesterday}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "to",
        ),
        ("status=lost".to_string(), StatusCode::BAD_REQUEST, "status"),
        ("from=gisteren".to_string(), StatusCode::BAD_REQUEST, "from"),
        ("format=ods".to_string(), StatusCode::BAD_REQUEST, "format"),
        (
            "employer=x".to_string(),
            StatusCode::BAD_REQUEST,
            "employer",
        ),
    ] {
        let reply = app
            .call(
                Method::GET,
                &format!("/api/v1/exports/quotes?{query}"),
                Some(&app.keys.finance),
                None,
            )
            .await;
        let problem = reply.expect_problem(status);
        assert!(
            problem_fields(&problem).iter().any(|f| f == field),
            "{query}: {field} not named in {problem}"
        );
    }
}

on_both_backends!(
    register_exports_match_the_quotes,
    register_filters_and_names
);

/// Finance (and admin) may export; sales may not; no key is a 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_for_finance() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in [
        "/api/v1/exports/pricing?format=csv",
        "/api/v1/exports/quotes?format=csv",
    ] {
        let sales = download(&app, path, Some(&app.keys.sales)).await;
        assert_eq!(sales.status, StatusCode::FORBIDDEN, "{path}: sales");
        let none = download(&app, path, None).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{path}: no key");
        for key in [&app.keys.finance, &app.keys.admin] {
            let ok = download(&app, path, Some(key)).await;
            assert_eq!(ok.status, StatusCode::OK, "{path}");
        }
    }
}
