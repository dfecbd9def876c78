//! The quote document: snapshots of HTML and text in both languages, hostile input rendered
//! safely in every format, PDF text matching the computation, byte-identical PDFs.

use chrono::NaiveDate;
use offerte::catalog::{CatalogSet, Language};
use offerte::documents::{Document, Format, QuoteFacts, Renderer, view};
use offerte::pricing::{self, Circumstances, Computation};
use offerte::quotes::lifecycle::Status;
use offerte::quotes::model::{Address, Employee, Employer};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalogs() -> CatalogSet {
    CatalogSet::load_dir(&root().join("pricing")).expect("default catalog")
}

fn renderer() -> Renderer {
    Renderer::load(&root().join("templates")).expect("templates")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn compute(json: &str) -> Computation {
    let input = Circumstances::from_json(json.as_bytes()).expect("valid input");
    pricing::compute(&catalogs(), &input, today()).expect("priced")
}

fn employer(name: &str) -> Employer {
    Employer {
        company_name: name.into(),
        kvk_number: Some("12345678".into()),
        contact_person: "J. de Vries".into(),
        email: "hr@korenschoof.example".into(),
        phone: Some("030 123 45 67".into()),
        address: Some(Address {
            street: "Stationsplein 1".into(),
            postal_code: "3511 ED".into(),
            city: "Utrecht".into(),
        }),
    }
}

fn employee(reference: &str) -> Employee {
    Employee {
        reference: reference.into(),
        hours_per_week: Some(32),
        job_title: Some("Baker".into()),
    }
}

fn document(
    c: &Computation,
    employer: &Employer,
    employee: &Employee,
    renderer: &Renderer,
) -> Document {
    let facts = QuoteFacts {
        display_number: "OFF-2026-00042-2",
        revision: 2,
        status: Status::Draft,
        valid_until: NaiveDate::from_ymd_opt(2026, 12, 22).unwrap(),
        employer,
        employee,
    };
    let catalogs = catalogs();
    let bureau = catalogs.version(&c.catalog.version).unwrap().bureau.clone();
    view::build(c, Some(&facts), &bureau, renderer.labels(c.language))
}

const CASES: &[(&str, &str)] = &[
    (
        "m3_training_nl",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"job_ready","schooling":"training"}"#,
    ),
    (
        "m6_intensive_en",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"ready_with_support","intensity":"intensive","language":"en"}"#,
    ),
    (
        "m9_retraining_nl",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"needs_time","schooling":"retraining"}"#,
    ),
    (
        "until_end_late_start_en",
        r#"{"first_sick_day":"2025-06-02","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"needs_orientation","language":"en"}"#,
    ),
];

#[test]
fn html_and_text_snapshots_in_both_languages() {
    let renderer = renderer();
    for (name, input) in CASES {
        let c = compute(input);
        let doc = document(
            &c,
            &employer("Bakkerij De Korenschoof B.V."),
            &employee("PV-0412"),
            &renderer,
        );
        insta::assert_snapshot!(format!("{name}_html"), renderer.html(&doc).unwrap());
        insta::assert_snapshot!(format!("{name}_txt"), renderer.text(&doc).unwrap());
    }
}

#[test]
fn preview_documents_have_no_employer_block() {
    let renderer = renderer();
    let c = compute(CASES[0].1);
    let bureau = catalogs().versions()[0].bureau.clone();
    let doc = view::build(&c, None, &bureau, renderer.labels(Language::Nl));
    let html = renderer.html(&doc).unwrap();
    assert!(html.contains("Voorbeeldberekening, geen offerte"));
    assert!(
        !html.contains("Akkoord opdrachtgever"),
        "a preview has no signature block"
    );
}

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "{{x}}",
    "#panic()",
    "*bold*",
    "a\u{202e}b",
    "_x_ $y$ [z] @w",
];

#[test]
fn hostile_text_renders_safely_in_html_and_text() {
    let renderer = renderer();
    let c = compute(CASES[0].1);
    let long = "W".repeat(500);
    for name in HOSTILE.iter().copied().chain([long.as_str()]) {
        let doc = document(&c, &employer(name), &employee(name), &renderer);
        let html = renderer.html(&doc).unwrap();
        assert!(
            !html.contains("<script>alert"),
            "{name}: script tag must be escaped"
        );
        if name.starts_with('<') {
            assert!(
                html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{name}: escaped form"
            );
        } else if name.contains('\u{202e}') {
            assert!(
                html.contains("\u{2068}a\u{202e}b\u{2069}"),
                "the override is isolated"
            );
        } else {
            assert!(html.contains(name), "{name}: printed as written in HTML");
        }
        let text = renderer.text(&doc).unwrap();
        assert!(text.contains(name), "{name}: printed as written in text");
    }
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.pdf");
    std::fs::write(&path, pdf).unwrap();
    match Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) if std::env::var_os("OFFERTE_TEST_REQUIRE_TOOLS").is_some() => {
            panic!("pdftotext is required (Debian package poppler-utils)")
        }
        Err(_) => {
            eprintln!("SKIPPED: PDF text checks need pdftotext (apt-get install poppler-utils)");
            None
        }
    }
}

fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_text_shows_number_lines_and_totals_as_computed() {
    let renderer = renderer();
    for (name, input) in CASES {
        let c = compute(input);
        let doc = document(
            &c,
            &employer("Bakkerij De Korenschoof B.V."),
            &employee("PV-0412"),
            &renderer,
        );
        let pdf = renderer.pdf(&doc, c.quote_date).unwrap();
        assert!(pdf.starts_with(b"%PDF"), "{name}");
        let Some(text) = pdftotext(&pdf) else { return };
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("OFF-2026-00042-2"), "{name}: number");
        for (line, view) in c.lines.iter().zip(&doc.lines) {
            assert_eq!(
                view.amount,
                offerte::documents::format::money(line.amount, c.language)
            );
            assert!(
                flat.contains(&view.amount),
                "{name}: line {} amount {}",
                line.code,
                view.amount
            );
        }
        for amount in [&doc.totals.excl_vat, &doc.totals.vat, &doc.totals.incl_vat] {
            assert!(flat.contains(amount.as_str()), "{name}: total {amount}");
        }
        // The totals on the page are the JSON totals, formatted for the language.
        let money = |m| offerte::documents::format::money(m, c.language);
        assert_eq!(doc.totals.excl_vat, money(c.totals.excl_vat), "{name}");
        assert_eq!(doc.totals.vat, money(c.totals.vat), "{name}");
        assert_eq!(doc.totals.incl_vat, money(c.totals.incl_vat), "{name}");
    }
}

#[cfg(feature = "pdf")]
#[test]
fn hostile_text_prints_as_written_in_the_pdf() {
    let renderer = renderer();
    let c = compute(CASES[1].1);
    let long = "W".repeat(500);
    for name in HOSTILE.iter().copied().chain([long.as_str()]) {
        let doc = document(&c, &employer(name), &employee(name), &renderer);
        let pdf = renderer
            .pdf(&doc, c.quote_date)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(
            pages(&pdf) <= 3,
            "{name}: layout stays within three pages ({} pages)",
            pages(&pdf)
        );
        let Some(text) = pdftotext(&pdf) else { return };
        let flat: String = text
            .split_whitespace()
            .collect::<String>()
            .replace('\u{200b}', "");
        let expected: String = name
            .split_whitespace()
            .collect::<String>()
            .replace(['\u{202e}'], "");
        if name.len() < 100 {
            assert!(
                flat.contains(&expected),
                "{name}: printed as written in the PDF"
            );
        } else {
            assert!(
                flat.matches('W').count() >= 500,
                "the long name is printed whole"
            );
        }
    }
}

#[cfg(feature = "pdf")]
#[test]
fn the_same_quote_renders_to_identical_pdf_bytes() {
    let renderer = renderer();
    let c = compute(CASES[2].1);
    let doc = document(
        &c,
        &employer("Bakkerij De Korenschoof B.V."),
        &employee("PV-0412"),
        &renderer,
    );
    let first = renderer.pdf(&doc, c.quote_date).unwrap();
    let second = renderer.pdf(&doc, c.quote_date).unwrap();
    assert_eq!(first, second, "two renderings differ");
    let other = Renderer::load(&root().join("templates"))
        .unwrap()
        .pdf(&doc, c.quote_date)
        .unwrap();
    assert_eq!(first, other, "a fresh engine renders the same bytes");
}

#[test]
fn every_format_renders() {
    let renderer = renderer();
    let c = compute(CASES[0].1);
    let doc = document(&c, &employer("X"), &employee("Y"), &renderer);
    for format in [Format::Html, Format::Txt] {
        assert!(
            !renderer
                .render(&doc, format, c.quote_date)
                .unwrap()
                .is_empty()
        );
    }
}
