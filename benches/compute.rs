//! The cost of pricing one case, from input bytes to output bytes:
//! `Circumstances::from_json` → `compute` → `serde_json::to_vec`, for a typical case, against a
//! baseline that does only the JSON work (parse the same input, serialize a precomputed
//! computation). After criterion's groups the two are timed once more side by side and their
//! ratio is printed, so the figure reads "pricing costs N× plain JSON in and out". The same
//! run times the full path with the catalog taken from the shared, replaceable set the service
//! uses (`Catalogs::current`, as every request does since versions live in the database)
//! against the fixed set: what a hot-swappable catalog costs a priced case.
//!
//! Run: `cargo bench --bench compute`.

use chrono::NaiveDate;
use criterion::{Criterion, Throughput};
use offerte::catalog::{CatalogSet, Catalogs};
use offerte::pricing::{Circumstances, Computation, compute};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// A typical request: known dates, support needed, a short training, standard guidance and one
/// extra item, in Dutch.
const INPUT: &[u8] = br#"{
    "first_sick_day": "2025-01-06",
    "start_date": "2025-09-01",
    "quote_date": "2025-08-18",
    "expected_duration_months": 6,
    "readiness": "ready_with_support",
    "schooling": "training",
    "intensity": "standard",
    "options": ["arbeidsdeskundig_onderzoek"],
    "language": "nl"
}"#;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 8, 18).expect("a date")
}

/// The full path: bytes in, bytes out.
fn full(catalogs: &CatalogSet, input: &[u8]) -> Vec<u8> {
    let circumstances = Circumstances::from_json(input).expect("a valid input");
    let computation = compute(catalogs, &circumstances, today()).expect("priced");
    serde_json::to_vec(&computation).expect("serializes")
}

/// Only the JSON work of the same request: parse the input (plain serde, no checks) and
/// serialize an already computed result.
fn baseline(input: &[u8], precomputed: &Computation) -> Vec<u8> {
    let parsed: Circumstances = serde_json::from_slice(input).expect("a valid input");
    black_box(&parsed);
    serde_json::to_vec(precomputed).expect("serializes")
}

/// Mean time per call of `f` over `iterations` calls.
fn time_per_call(iterations: u32, mut f: impl FnMut() -> Vec<u8>) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    started.elapsed() / iterations
}

fn main() {
    let catalogs = CatalogSet::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"))
        .unwrap_or_else(|e| panic!("the default catalog must load: {e}"));
    let precomputed = compute(
        &catalogs,
        &Circumstances::from_json(INPUT).expect("a valid input"),
        today(),
    )
    .expect("priced");
    // Both produce the very same bytes, so the baseline does the same JSON work.
    let output = full(&catalogs, INPUT);
    assert_eq!(output, baseline(INPUT, &precomputed), "same output bytes");

    let mut criterion = Criterion::default().configure_from_args();
    {
        let mut group = criterion.benchmark_group("compute");
        group.throughput(Throughput::Elements(1));
        group.bench_function("full", |b| b.iter(|| full(&catalogs, black_box(INPUT))));
        group.bench_function("json_baseline", |b| {
            b.iter(|| baseline(black_box(INPUT), black_box(&precomputed)))
        });
        group.finish();
    }
    criterion.final_summary();

    // `cargo bench` passes `--bench`; `cargo test --benches` does not (criterion then runs
    // each benchmark once as a test, and the side-by-side timing is skipped too).
    let args: Vec<String> = std::env::args().collect();
    let benchmarking =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list");
    if !benchmarking {
        return;
    }
    const ITERATIONS: u32 = 20_000;
    const ROUNDS: usize = 7;
    let shared = Catalogs::new(catalogs.clone());
    let (mut fulls, mut baselines, mut swappable) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        swappable.push(time_per_call(ITERATIONS, || {
            full(&shared.current(), black_box(INPUT))
        }));
        fulls.push(time_per_call(ITERATIONS, || {
            full(&catalogs, black_box(INPUT))
        }));
        baselines.push(time_per_call(ITERATIONS, || {
            baseline(black_box(INPUT), black_box(&precomputed))
        }));
    }
    fulls.sort_unstable();
    baselines.sort_unstable();
    swappable.sort_unstable();
    let swappable_median = swappable[ROUNDS / 2];
    let (full_median, baseline_median) = (fulls[ROUNDS / 2], baselines[ROUNDS / 2]);
    println!(
        "\nside by side ({ROUNDS} rounds of {ITERATIONS} calls, medians; output {} bytes):",
        output.len()
    );
    println!("  full      from_json + compute + to_vec : {full_median:>10.2?} per case");
    println!("  baseline  serde parse + to_vec         : {baseline_median:>10.2?} per case");
    println!(
        "  ratio     full / baseline              : {:>10.2}",
        full_median.as_secs_f64() / baseline_median.as_secs_f64()
    );
    println!("  shared    full, Catalogs::current()    : {swappable_median:>10.2?} per case");
    println!(
        "  ratio     shared / full                : {:>10.3}",
        swappable_median.as_secs_f64() / full_median.as_secs_f64()
    );
}
