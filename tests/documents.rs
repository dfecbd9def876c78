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

/// How many image objects a PDF holds (its object dictionaries are not compressed).
fn image_objects(pdf: &[u8]) -> usize {
    String::from_utf8_lossy(pdf)
        .replace("/Subtype /Image", "/Subtype/Image")
        .matches("/Subtype/Image")
        .count()
}

/// A catalog folder like the default one, with `logo` (a file of the folder) as the bureau's
/// logo.
fn catalogs_with_logo(logo: &str, bytes: &[u8]) -> (tempfile::TempDir, Result<CatalogSet, String>) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("pricing/2024-01-01.toml")).unwrap();
    let text = text.replacen("[bureau]\n", &format!("[bureau]\nlogo = \"{logo}\"\n"), 1);
    std::fs::write(dir.path().join("2024-01-01.toml"), text).unwrap();
    std::fs::write(dir.path().join(logo), bytes).unwrap();
    let loaded = CatalogSet::load_dir(dir.path()).map_err(|e| e.to_string());
    (dir, loaded)
}

#[test]
fn the_bureau_logo_is_drawn_in_html_and_pdf() {
    let png = std::fs::read(root().join("tests/fixtures/logo.png")).unwrap();
    let (_dir, loaded) = catalogs_with_logo("logo.png", &png);
    let catalogs = loaded.expect("a catalog with a PNG logo");
    let input =
        Circumstances::from_json(br#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","readiness":"ready_with_support","schooling":"training"}"#)
            .unwrap();
    let c = pricing::compute(&catalogs, &input, today()).unwrap();
    let renderer = renderer();
    let doc = view::build(
        &c,
        None,
        &catalogs.versions()[0].bureau,
        renderer.labels(c.language),
    );

    let html = String::from_utf8(renderer.render(&doc, Format::Html, today()).unwrap()).unwrap();
    assert!(
        html.contains(r#"<img class="logo" src="data:image/png;base64,iVBORw0KGgo"#),
        "the HTML embeds the PNG"
    );
    let pdf = renderer.render(&doc, Format::Pdf, today()).unwrap();
    assert_eq!(image_objects(&pdf), 1, "the PDF holds the logo image");

    // Without a logo, neither has an image.
    let plain = document(
        &compute(r#"{"first_sick_day":"2026-01-05","readiness":"ready_with_support"}"#),
        &employer("A"),
        &employee("B"),
        &renderer,
    );
    assert!(
        !String::from_utf8(renderer.render(&plain, Format::Html, today()).unwrap())
            .unwrap()
            .contains("<img")
    );
    let pdf = renderer.render(&plain, Format::Pdf, today()).unwrap();
    assert_eq!(image_objects(&pdf), 0);
}

#[test]
fn a_logo_that_is_no_image_or_too_large_is_refused() {
    let (_dir, loaded) = catalogs_with_logo("logo.png", b"not an image");
    let error = loaded.expect_err("text is no logo");
    assert!(
        error.contains("bureau.logo") && error.contains("PNG, JPEG or SVG"),
        "{error}"
    );

    let mut large = b"\x89PNG\r\n\x1a\n".to_vec();
    large.resize(600 * 1024, 0);
    let (_dir, loaded) = catalogs_with_logo("logo.png", &large);
    let error = loaded.expect_err("600 KiB is too large");
    assert!(
        error.contains("bureau.logo") && error.contains("at most 512 KiB"),
        "{error}"
    );

    let svg = br##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"><rect width="40" height="10" fill="#1f4e79"/></svg>"##;
    let (_dir, loaded) = catalogs_with_logo("logo.svg", svg);
    let catalogs = loaded.expect("an SVG logo");
    let logo = catalogs.versions()[0].bureau.logo_image.as_ref().unwrap();
    assert_eq!(logo.media_type, "image/svg+xml");
}

// The price models of issue 15 on the page: the payment schedule, the early-end table and the
// success fee, in both languages; the totals never apart from their table; no word broken in a
// narrow column.

fn document_with(catalogs: &CatalogSet, input: &str, renderer: &Renderer) -> Document {
    let input = Circumstances::from_json(input.as_bytes()).expect("valid input");
    let c = pricing::compute(catalogs, &input, today()).expect("priced");
    let facts = QuoteFacts {
        display_number: "OFF-2026-00042-2",
        revision: 2,
        status: Status::Draft,
        valid_until: NaiveDate::from_ymd_opt(2026, 12, 22).unwrap(),
        employer: &employer("Bakkerij De Korenschoof B.V."),
        employee: &employee("PV-0412"),
    };
    let bureau = catalogs.versions()[0].bureau.clone();
    view::build(&c, Some(&facts), &bureau, renderer.labels(c.language))
}

/// The documents to look at, by name: (catalog folder, input).
const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "success_fee_nl",
        "examples/success-fee",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"job_ready"}"#,
    ),
    (
        "success_fee_en",
        "examples/success-fee",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"job_ready","language":"en"}"#,
    ),
    (
        "until_end_monthly_nl",
        "",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-03-02","quote_date":"2026-11-22","readiness":"needs_orientation","schooling":"training"}"#,
    ),
    (
        "start_fee_periods_en",
        "examples/startfee-per-period",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"needs_time","language":"en"}"#,
    ),
    (
        "hourly_minimum_en",
        "examples/hourly",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"job_ready","intensity":"light","language":"en"}"#,
    ),
    (
        "many_lines_en",
        "",
        r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"needs_time","schooling":"retraining","language":"en","options":["intake","profiel","loopbaantest","coaching","bemiddeling","rapportage","nazorg","sollicitatietraining","linkedin_training","arbeidsdeskundig_onderzoek","proefplaatsing"]}"#,
    ),
];

fn sample(name: &str, renderer: &Renderer) -> Document {
    let (_, folder, input) = SAMPLES.iter().find(|s| s.0 == name).expect("a sample");
    let catalogs = if folder.is_empty() {
        catalogs()
    } else {
        CatalogSet::load_dir(&root().join("pricing").join(folder)).expect("a catalog")
    };
    document_with(&catalogs, input, renderer)
}

#[test]
fn schedule_early_end_and_success_fee_in_html_and_text_in_both_languages() {
    let renderer = renderer();
    for (name, words) in [
        (
            "success_fee_nl",
            [
                "Betalingsschema",
                "Bij eerdere beëindiging",
                "Succesfee bij plaatsing",
                "Stopt in maand",
            ],
        ),
        (
            "success_fee_en",
            [
                "Payment schedule",
                "If the trajectory ends early",
                "Success fee on placement",
                "Stops in month",
            ],
        ),
    ] {
        let doc = sample(name, &renderer);
        let html = renderer.html(&doc).unwrap();
        let text = renderer.text(&doc).unwrap();
        for word in words {
            assert!(html.contains(word), "{name}: HTML has {word}");
            assert!(text.contains(word), "{name}: text has {word}");
        }
        let fee = doc.success_fee.as_ref().expect("a success fee");
        assert!(
            html.contains(&fee.incl_vat) && text.contains(&fee.incl_vat),
            "{name}"
        );
        for i in &doc.schedule {
            assert!(html.contains(&i.incl_vat), "{name}: instalment {}", i.label);
            assert!(text.contains(&i.incl_vat), "{name}: instalment {}", i.label);
        }
        assert_eq!(doc.early_end.len(), 3, "{name}: one row per month");
        assert!(doc.early_end[2].last);
        assert_eq!(doc.early_end[2].incl_vat, doc.totals.incl_vat, "{name}");
        // The success fee is not in the total: total + fee is printed nowhere as the total.
        assert!(html.contains(&format!(
            r#"<tr class="sum total"><td colspan="5">{}</td><td class="num">{}</td></tr>"#,
            if name.ends_with("nl") {
                "Totaal incl. btw"
            } else {
                "Total incl. VAT"
            },
            doc.totals.incl_vat
        )));
    }
}

#[test]
fn the_html_keeps_the_totals_with_the_last_lines_and_units_whole() {
    let renderer = renderer();
    let doc = sample("many_lines_en", &renderer);
    let html = renderer.html(&doc).unwrap();
    // The last two lines and the totals share one row group that the print CSS keeps whole;
    // the totals are no <tfoot> (a browser repeats that on every printed page).
    let keep = html
        .find(r#"<tbody class="keep">"#)
        .expect("a kept row group");
    let total = html
        .find(r#"<tr class="sum total">"#)
        .expect("the total row");
    let kept = &html[keep..total];
    assert_eq!(
        kept.matches("<tr").count(),
        2 + 1 + doc.totals.vat_lines.len()
    );
    assert!(!html.contains("<tfoot>"));
    assert!(html.contains("tbody.keep { break-inside: avoid;"));
    // Units never break inside a word ("mont h", "one-/off"): their cells do not wrap.
    assert!(
        html.contains("td.unit, th.unit, .nowrap { white-space: nowrap; overflow-wrap: normal; }")
    );
    let unit_cells = html.matches(r#"<td class="unit">"#).count();
    assert_eq!(
        unit_cells,
        doc.lines.len(),
        "every unit cell is a nowrap cell"
    );
}

#[cfg(feature = "pdf")]
#[test]
fn the_pdf_shows_the_terms_and_keeps_totals_with_their_table() {
    let renderer = renderer();
    let out = root().join("target/document-samples");
    std::fs::create_dir_all(&out).unwrap();
    for (name, ..) in SAMPLES {
        let doc = sample(name, &renderer);
        let pdf = renderer.pdf(&doc, today()).unwrap();
        // Left for a look: `pdftoppm -png -r 60 target/document-samples/<name>.pdf`.
        std::fs::write(out.join(format!("{name}.pdf")), &pdf).unwrap();
        std::fs::write(
            out.join(format!("{name}.html")),
            renderer.html(&doc).unwrap(),
        )
        .unwrap();
        let Some(text) = pdftotext(&pdf) else {
            continue;
        };
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for i in &doc.schedule {
            assert!(flat.contains(&i.incl_vat), "{name}: instalment {}", i.label);
        }
        for row in &doc.early_end {
            assert!(
                flat.contains(&row.incl_vat),
                "{name}: month {}",
                row.after_month
            );
        }
        if let Some(fee) = &doc.success_fee {
            assert!(flat.contains(&fee.condition[..20]), "{name}: the condition");
        }
        // Every unit is printed whole on one line.
        for line in &doc.lines {
            assert!(
                text.lines().any(|l| l
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&line.unit)),
                "{name}: unit `{}` broken",
                line.unit
            );
        }
        // The page that has the total also has the line before it (the last two lines and the
        // totals are one unbreakable block).
        let pages: Vec<&str> = text.split('\u{c}').collect();
        let total_page = pages
            .iter()
            .position(|p| p.contains(&doc.totals.incl_vat) && p.contains(&doc.totals.excl_vat))
            .unwrap_or_else(|| panic!("{name}: the totals on a page"));
        let last_line = doc.lines.last().unwrap();
        assert!(
            pages[total_page].contains(&last_line.amount),
            "{name}: the last line ({}) is on the totals' page {}",
            last_line.amount,
            total_page + 1
        );
    }
}
