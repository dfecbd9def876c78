//! Every quote PDF is PDF/A-3a and PDF/UA-1 (tagged) and carries the quote's computation as an associated JSON file,
//! checked with real tools: `qpdf` (structure, attachments) and `pdfinfo` (the XMP claim).
//! Without a tool these tests skip with a message, unless `OFFERTE_TEST_REQUIRE_TOOLS` is set.
#![cfg(feature = "pdf")]

use chrono::NaiveDate;
use offerte::catalog::CatalogSet;
use offerte::documents::{Document, QuoteFacts, Renderer, view};
use offerte::pricing::{self, Circumstances, Computation};
use offerte::quotes::lifecycle::Status;
use offerte::quotes::model::{Employee, Employer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

const INPUT: &str = r#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22","readiness":"ready_with_support","schooling":"training"}"#;

fn compute(catalogs: &CatalogSet, json: &str) -> Computation {
    let input = Circumstances::from_json(json.as_bytes()).expect("valid input");
    pricing::compute(catalogs, &input, today()).expect("priced")
}

/// A stored quote's document (`OFF-2026-00042-1`), or a preview's when `quote` is false.
fn document(
    catalogs: &CatalogSet,
    c: &Computation,
    renderer: &Renderer,
    name: &str,
    quote: bool,
) -> Document {
    let employer = Employer {
        company_name: name.into(),
        kvk_number: Some("12345678".into()),
        contact_person: name.into(),
        email: "hr@korenschoof.example".into(),
        phone: None,
        address: None,
    };
    let employee = Employee {
        reference: "PV-0412".into(),
        hours_per_week: Some(32),
        job_title: Some(name.into()),
    };
    let facts = QuoteFacts {
        display_number: "OFF-2026-00042-1",
        revision: 1,
        status: Status::Sent,
        valid_until: NaiveDate::from_ymd_opt(2026, 12, 22).unwrap(),
        employer: &employer,
        employee: &employee,
    };
    let bureau = &catalogs.version(&c.catalog.version).unwrap().bureau;
    view::build(
        c,
        quote.then_some(&facts),
        bureau,
        renderer.labels(c.language),
    )
}

/// Runs `program args… file after…`; `None` (skipped, with a message) when the program is missing
/// and `OFFERTE_TEST_REQUIRE_TOOLS` is unset. Panics when it fails.
fn run(program: &str, package: &str, args: &[&str], file: &Path, after: &[&str]) -> Option<String> {
    match Command::new(program)
        .args(args)
        .arg(file)
        .args(after)
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!(
            "{program} {args:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) if std::env::var_os("OFFERTE_TEST_REQUIRE_TOOLS").is_some() => {
            panic!("{program} is required (Debian package {package})")
        }
        Err(_) => {
            eprintln!("SKIPPED: PDF/A checks need {program} (apt-get install {package})");
            None
        }
    }
}

/// Checks `pdf` with qpdf and pdfinfo: sound structure, the PDF/A-3a and PDF/UA-1 claims, the tags, and exactly one
/// attachment, `name`, with relationship Data; returns that attachment parsed as JSON (`None`
/// when the tools are missing).
fn check_pdfa(pdf: &[u8], name: &str) -> Option<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quote.pdf");
    std::fs::write(&path, pdf).unwrap();

    run("qpdf", "qpdf", &["--check"], &path, &[])?;
    let meta = run("pdfinfo", "poppler-utils", &["-meta"], &path, &[])?;
    let claims = |key: &str, value: &str| {
        meta.contains(&format!("<pdfaid:{key}>{value}</pdfaid:{key}>"))
            || meta.contains(&format!("pdfaid:{key}=\"{value}\""))
    };
    assert!(claims("part", "3"), "the XMP claims PDF/A part 3:\n{meta}");
    // Conformance A (accessible): tagged, with the text's Unicode; and PDF/UA-1 on top.
    assert!(
        claims("conformance", "A"),
        "the XMP claims conformance A:\n{meta}"
    );
    assert!(
        meta.contains("<pdfuaid:part>1</pdfuaid:part>") || meta.contains("pdfuaid:part=\"1\""),
        "the XMP claims PDF/UA-1:\n{meta}"
    );

    let list = run("qpdf", "qpdf", &["--list-attachments"], &path, &[])?;
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split(" -> ").next())
        .collect();
    assert_eq!(names, [name], "the attachments:\n{list}");
    // The file is associated with the document (the catalog's /AF) as its data.
    let json = run("qpdf", "qpdf", &["--json=2", "--json-key=qpdf"], &path, &[])?;
    assert!(
        json.contains(r#""/AFRelationship": "/Data""#),
        "the attachment's relationship is Data"
    );
    assert!(json.contains(r#""/AF": ["#), "the catalog lists it in /AF");
    // What a screen reader needs from the catalog: a structure tree (the tags), the mark that
    // the content is tagged, the document's language, and its title shown instead of the file
    // name.
    assert_tagged(&json);

    let shown = run(
        "qpdf",
        "qpdf",
        &[&format!("--show-attachment={name}")],
        &path,
        &[],
    )?;
    Some(serde_json::from_str(&shown).expect("the attachment is JSON"))
}

/// The document catalog of `qpdf --json` output marks a tagged PDF for screen readers: a
/// structure tree, `/MarkInfo << /Marked true >>`, a `/Lang`, and `/DisplayDocTitle true`.
fn assert_tagged(qpdf_json: &str) {
    let json: serde_json::Value = serde_json::from_str(qpdf_json).expect("qpdf --json");
    let objects = json["qpdf"][1].as_object().expect("qpdf objects");
    let catalog = objects
        .values()
        .filter_map(|o| o["value"].as_object())
        .find(|o| o.get("/Type").and_then(|t| t.as_str()) == Some("/Catalog"))
        .expect("a document catalog");
    assert!(catalog.contains_key("/StructTreeRoot"), "tags: {catalog:?}");
    let resolve = |v: &serde_json::Value| -> serde_json::Value {
        match v.as_str() {
            Some(r) if r.ends_with(" R") => objects[&format!("obj:{r}")]["value"].clone(),
            _ => v.clone(),
        }
    };
    assert_eq!(
        resolve(&catalog["/MarkInfo"])["/Marked"],
        true,
        "marked as tagged: {catalog:?}"
    );
    let lang = catalog["/Lang"].as_str().unwrap_or_default();
    assert!(
        lang.starts_with("u:") && lang.len() > 2,
        "a language: {catalog:?}"
    );
    assert_eq!(
        resolve(&catalog["/ViewerPreferences"])["/DisplayDocTitle"],
        true,
        "the title is shown: {catalog:?}"
    );
}

/// The attached JSON is the computation the page shows: same totals, same catalog.
fn assert_is_the_computation(attached: &serde_json::Value, c: &Computation) {
    let expected = serde_json::to_value(c).unwrap();
    assert_eq!(
        attached["totals"]["incl_vat"],
        expected["totals"]["incl_vat"]
    );
    assert_eq!(attached["catalog"]["version"], c.catalog.version.as_str());
    assert_eq!(attached["catalog"]["hash"], c.catalog.hash.as_str());
    assert_eq!(attached, &expected, "the whole computation");
}

#[test]
fn a_quote_pdf_is_pdfa_3a_and_pdfua_1_with_its_computation_attached() {
    let catalogs = CatalogSet::load_dir(&root().join("pricing")).expect("catalog");
    let renderer = Renderer::load(&root().join("templates")).expect("templates");
    let c = compute(&catalogs, INPUT);
    let doc = document(
        &catalogs,
        &c,
        &renderer,
        "Bakkerij De Korenschoof B.V.",
        true,
    );
    let pdf = renderer.pdf(&doc, today()).unwrap();
    assert_eq!(
        pdf,
        renderer.pdf(&doc, today()).unwrap(),
        "the same document and date give the same bytes"
    );
    let Some(attached) = check_pdfa(&pdf, "OFF-2026-00042-1.json") else {
        return;
    };
    assert_is_the_computation(&attached, &c);
}

#[test]
fn a_preview_pdf_is_pdfa_3a_and_pdfua_1_with_its_computation_attached() {
    let catalogs = CatalogSet::load_dir(&root().join("pricing")).expect("catalog");
    let renderer = Renderer::load(&root().join("templates")).expect("templates");
    let c = compute(&catalogs, &INPUT.replace('}', r#","language":"en"}"#));
    let doc = document(&catalogs, &c, &renderer, "X", false);
    let pdf = renderer.pdf(&doc, today()).unwrap();
    let name = format!("preview-{}.json", c.tier.code);
    let Some(attached) = check_pdfa(&pdf, &name) else {
        return;
    };
    assert_is_the_computation(&attached, &c);
}

#[test]
fn text_the_font_cannot_show_prints_as_a_replacement_and_the_rest_as_written() {
    // PDF/A forbids the .notdef glyph, so typst refuses text no font has: a name in a script
    // DejaVu Sans lacks (Chinese, emoji, private use) must not make the quote unrenderable.
    let catalogs = CatalogSet::load_dir(&root().join("pricing")).expect("catalog");
    let renderer = Renderer::load(&root().join("templates")).expect("templates");
    let c = compute(&catalogs, INPUT);
    let cases = [
        (
            "北京烤鸭有限公司 B.V.",
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd} B.V.",
        ),
        ("Bakkerij 🥖 B.V.", "Bakkerij \u{fffd} B.V."),
        ("X\u{e000}Y", "X\u{fffd}Y"),
        // A control character (a reason sent with U+0001 made the certificate fail).
        ("X\u{1}Y", "X\u{fffd}Y"),
        // What the font has stays as written.
        ("Zoë Łódź-Ærø İş Ωμέγα Щука", "Zoë Łódź-Ærø İş Ωμέγα Щука"),
    ];
    for (name, printed) in cases {
        let doc = document(&catalogs, &c, &renderer, name, true);
        let pdf = renderer
            .pdf(&doc, today())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        if check_pdfa(&pdf, "OFF-2026-00042-1.json").is_none() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quote.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let Some(text) = run("pdftotext", "poppler-utils", &[], &path, &["-"]) else {
            return;
        };
        assert!(text.contains(printed), "{name}: `{printed}` in\n{text}");
    }
}

/// The default catalog folder with `logo` (a file of the folder) as the bureau's logo.
fn catalogs_with_logo(logo: &str, bytes: &[u8]) -> (tempfile::TempDir, CatalogSet) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("pricing/2024-01-01.toml")).unwrap();
    let text = text.replacen("[bureau]\n", &format!("[bureau]\nlogo = \"{logo}\"\n"), 1);
    std::fs::write(dir.path().join("2024-01-01.toml"), text).unwrap();
    std::fs::write(dir.path().join(logo), bytes).unwrap();
    let catalogs = CatalogSet::load_dir(dir.path()).expect("a catalog with a logo");
    (dir, catalogs)
}

#[test]
fn logos_with_transparency_and_text_render_as_pdfa_and_pdfua() {
    let renderer = Renderer::load(&root().join("templates")).expect("templates");
    let png = std::fs::read(root().join("tests/fixtures/logo.png")).unwrap();
    let svg = br##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><rect width="80" height="20" fill="#1f4e79" opacity="0.5"/><text x="2" y="15" font-family="Arial" font-size="12">Logo</text></svg>"##;
    for (name, bytes) in [("logo.png", &png[..]), ("logo.svg", &svg[..])] {
        let (_dir, catalogs) = catalogs_with_logo(name, bytes);
        let c = compute(&catalogs, INPUT);
        let doc = document(&catalogs, &c, &renderer, "X", true);
        let pdf = renderer
            .pdf(&doc, today())
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        check_pdfa(&pdf, "OFF-2026-00042-1.json");
    }
}
