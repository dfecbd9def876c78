//! The pricing-table export of the default catalog (every tier, every variation, the item list):
//! building it (each tier priced by the core) and writing it as CSV (Dutch and international)
//! and XLSX, each against a baseline measured in the same run: serializing the same export to
//! JSON. After criterion's groups the medians are printed side by side with their ratios.
//!
//! Run: `cargo bench --bench pricing_table`.

use criterion::Criterion;
use offerte::catalog::{CatalogSet, Language};
use offerte::exports::pricing::{Part, PricingExport, build};
use offerte::exports::{Dialect, ExportFormat, write};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use support::median;

mod support;

fn export(catalogs: &CatalogSet, language: Language) -> PricingExport {
    let catalog = &catalogs.versions()[0];
    build(catalogs, catalog, language, &Part::ALL).expect("the pricing table")
}

fn written(export: &PricingExport, format: ExportFormat, dialect: Dialect) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    write::pricing(export, format, dialect, Part::Tiers, "Bureau", &mut out).expect("written");
    out
}

fn main() {
    let catalogs = CatalogSet::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"))
        .expect("catalog");
    let nl = export(&catalogs, Language::Nl);
    let en = export(&catalogs, Language::En);
    let mut criterion = Criterion::default().configure_from_args();
    {
        let mut group = criterion.benchmark_group("pricing_table");
        group.bench_function("json_baseline", |b| {
            b.iter(|| serde_json::to_vec(black_box(&nl)).expect("json"))
        });
        group.bench_function("build", |b| {
            b.iter(|| export(black_box(&catalogs), Language::Nl))
        });
        group.bench_function("csv_nl", |b| {
            b.iter(|| written(black_box(&nl), ExportFormat::Csv, Dialect::Nl))
        });
        group.bench_function("csv_intl", |b| {
            b.iter(|| written(black_box(&en), ExportFormat::Csv, Dialect::Intl))
        });
        group.bench_function("xlsx", |b| {
            b.iter(|| written(black_box(&nl), ExportFormat::Xlsx, Dialect::Nl))
        });
        group.finish();
    }
    criterion.final_summary();

    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let baseline = median(7, 500, || drop(black_box(serde_json::to_vec(&nl))));
    let build = median(7, 50, || drop(black_box(export(&catalogs, Language::Nl))));
    let csv = median(7, 500, || {
        drop(black_box(written(&nl, ExportFormat::Csv, Dialect::Nl)))
    });
    let xlsx = median(7, 20, || {
        drop(black_box(written(&nl, ExportFormat::Xlsx, Dialect::Nl)))
    });
    let ratio = |d: Duration| d.as_secs_f64() / baseline.as_secs_f64();
    println!("\nside by side (medians of 7 rounds):");
    println!("  baseline  export to JSON     : {baseline:>10.2?}");
    println!(
        "  build     price every tier   : {build:>10.2?}  ({:.1}x baseline)",
        ratio(build)
    );
    println!(
        "  csv (nl)  tiers table        : {csv:>10.2?}  ({:.1}x baseline)",
        ratio(csv)
    );
    println!(
        "  xlsx      three sheets       : {xlsx:>10.2?}  ({:.1}x baseline)",
        ratio(xlsx)
    );
}
