//! Rendering one quote document: HTML and text (handlebars) and PDF (typst, warm engine),
//! each against a baseline measured in the same run: serializing the same view-model to JSON
//! (the PDF path does that too). After criterion's groups the medians are printed side by side
//! with their ratios.
//!
//! Run: `cargo bench --bench documents`.

use chrono::NaiveDate;
use criterion::Criterion;
use offerte::catalog::CatalogSet;
use offerte::documents::{Document, QuoteFacts, Renderer, view};
use offerte::pricing::{Circumstances, compute};
use offerte::quotes::lifecycle::Status;
use offerte::quotes::model::{Employee, Employer};
use std::hint::black_box;
use std::path::Path;
use support::median;

mod support;

const INPUT: &[u8] =
    br#"{"first_sick_day":"2026-01-05","start_date":"2026-12-01","quote_date":"2026-11-22",
    "readiness":"ready_with_support","schooling":"training"}"#;

/// The document of quote number `n`: employer name, number and reference differ per `n`, so a
/// render cannot reuse a previous one whole (typst keeps a cache of what it laid out before).
fn document(renderer: &Renderer, n: usize) -> Document {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogs = CatalogSet::load_dir(&root.join("pricing")).expect("catalog");
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let c = compute(
        &catalogs,
        &Circumstances::from_json(INPUT).expect("input"),
        today,
    )
    .expect("priced");
    let employer = Employer {
        company_name: format!("Bakkerij De Korenschoof {n} B.V."),
        kvk_number: Some("12345678".into()),
        contact_person: "J. de Vries".into(),
        email: "hr@korenschoof.example".into(),
        phone: None,
        address: None,
    };
    let employee = Employee {
        reference: format!("PV-{n:04}"),
        hours_per_week: Some(32),
        job_title: None,
    };
    let number = format!("OFF-2026-{n:05}");
    let facts = QuoteFacts {
        display_number: &number,
        revision: 1,
        status: Status::Sent,
        valid_until: today,
        employer: &employer,
        employee: &employee,
    };
    view::build(
        &c,
        Some(&facts),
        &catalogs.versions()[0].bureau,
        renderer.labels(c.language),
    )
}

/// How many different documents the PDF benchmark cycles through.
const DISTINCT: usize = 100;

fn main() {
    let renderer = Renderer::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))
        .expect("templates");
    let doc = document(&renderer, 42);
    // PDFs of new quotes: a different document every time, cycling through more than the
    // engine's cache keeps.
    let docs: Vec<Document> = (0..DISTINCT).map(|n| document(&renderer, n)).collect();
    let mut next = docs.iter().cycle();
    let date = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let mut criterion = Criterion::default().configure_from_args();
    {
        let mut group = criterion.benchmark_group("documents");
        group.bench_function("json_baseline", |b| {
            b.iter(|| serde_json::to_string(black_box(&doc)).expect("json"))
        });
        group.bench_function("html", |b| {
            b.iter(|| renderer.html(black_box(&doc)).expect("html"))
        });
        group.bench_function("text", |b| {
            b.iter(|| renderer.text(black_box(&doc)).expect("text"))
        });
        group.bench_function("pdf", |b| {
            b.iter(|| {
                let doc = next.next().expect("cycle");
                renderer.pdf(black_box(doc), date).expect("pdf")
            })
        });
        group.finish();
    }
    criterion.final_summary();

    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let baseline = median(7, 2000, || drop(black_box(serde_json::to_string(&doc))));
    let html = median(7, 2000, || drop(black_box(renderer.html(&doc))));
    let pdf = median(7, 30, || {
        let doc = next.next().expect("cycle");
        drop(black_box(renderer.pdf(doc, date)))
    });
    println!("\nside by side (medians of 7 rounds):");
    println!("  baseline  view-model to JSON : {baseline:>10.2?}");
    println!(
        "  html      handlebars         : {html:>10.2?}  ({:.1}x baseline)",
        html.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "  pdf       typst, warm        : {pdf:>10.2?}  ({:.1}x baseline, {:.1}x html)",
        pdf.as_secs_f64() / baseline.as_secs_f64(),
        pdf.as_secs_f64() / html.as_secs_f64()
    );
}
