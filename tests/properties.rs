//! Property tests of the computation: for random valid circumstances the totals always add up,
//! nothing but a bundle discount is negative, every amount has two decimals, the alternatives are
//! priced the same way and the same input always gives the same output. Run against the default
//! catalog (BTW rounded per total) and a copy of it that rounds per line.

use chrono::{Days, NaiveDate};
use offerte::catalog::{Catalog, CatalogSet, Intensity, Language, Readiness, Rounding, Schooling};
use offerte::pricing::{Circumstances, LineKind, Money, compute};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

const FILE: &str = "2024-01-01.toml";

fn d(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn default_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pricing")
        .join(FILE);
    std::fs::read_to_string(path).expect("the default catalog file")
}

fn per_total() -> &'static CatalogSet {
    static SET: OnceLock<CatalogSet> = OnceLock::new();
    SET.get_or_init(|| {
        let set = CatalogSet::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"))
            .unwrap_or_else(|e| panic!("the default catalog must load: {e}"));
        assert_eq!(only(&set).settings.rounding, Rounding::PerTotal);
        set
    })
}

fn per_line() -> &'static CatalogSet {
    static SET: OnceLock<CatalogSet> = OnceLock::new();
    SET.get_or_init(|| {
        let text = default_text();
        let setting = "rounding = \"per_total\"";
        assert_eq!(text.matches(setting).count(), 1, "one rounding setting");
        let text = text.replace(setting, "rounding = \"per_line\"");
        let set = CatalogSet::from_sources(vec![(FILE.to_string(), text)])
            .unwrap_or_else(|p| panic!("the per-line copy must load: {p:?}"));
        assert_eq!(only(&set).settings.rounding, Rounding::PerLine);
        assert_ne!(
            only(&set).hash,
            only(per_total()).hash,
            "another file, another hash"
        );
        set
    })
}

fn only(set: &CatalogSet) -> &Catalog {
    assert_eq!(set.versions().len(), 1, "one catalog version");
    &set.versions()[0]
}

/// The `today` that fills in nothing: every generated input gives its dates.
fn today() -> NaiveDate {
    d("2025-06-15")
}

/// Random valid circumstances: first sick days from 2020 to 2030, an optional extension of the
/// waiting period (0 to 104 weeks), a start anywhere from the first sick day to the day before
/// the waiting period ends, a quote date on or after both the first sick day and 2024-01-01,
/// every readiness, schooling, intensity and language, and an optional expected duration, tier
/// and options drawn from the catalog.
fn circumstances(catalog: &Catalog) -> impl Strategy<Value = Circumstances> + use<> {
    let tiers: Vec<String> = catalog.tiers.iter().map(|t| t.code.clone()).collect();
    let items: Vec<String> = catalog.items.iter().map(|i| i.code.clone()).collect();
    let dates = (
        0u64..=3_990,
        prop::option::of(0u64..=728),
        any::<Index>(),
        0u64..=900,
    );
    let choices = (
        select(Readiness::ALL),
        select(Schooling::ALL),
        select(Intensity::ALL),
        select(Language::ALL),
        prop::option::of(1u32..=24),
        prop::option::of(select(tiers)),
        subsequence(items, 0..=3),
    );
    (dates, choices).prop_map(
        |(
            (first_offset, extension, start_at, quote_offset),
            (readiness, schooling, intensity, language, expected, tier, options),
        )| {
            let first = d("2020-01-01") + Days::new(first_offset);
            let statutory = first + Days::new(104 * 7 - 1);
            let end = extension.map(|days| statutory + Days::new(days));
            let last_start_offset = (end.unwrap_or(statutory) - first).num_days() as usize;
            let start = first + Days::new(start_at.index(last_start_offset) as u64);
            let quote = (first + Days::new(quote_offset)).max(d("2024-01-01"));
            Circumstances {
                first_sick_day: first,
                start_date: Some(start),
                quote_date: Some(quote),
                expected_duration_months: expected,
                readiness,
                schooling,
                intensity,
                waiting_period_end: end,
                tier,
                options,
                language,
            }
        },
    )
}

fn two_decimals(what: &str, m: Money) -> Result<(), TestCaseError> {
    let text = m.to_string();
    let decimals = text.split_once('.').map(|(_, d)| d.len());
    prop_assert_eq!(m.amount().scale(), 2, "{}: {}", what, text);
    prop_assert_eq!(decimals, Some(2), "{}: {}", what, text);
    Ok(())
}

fn not_negative(what: &str, m: Money) -> Result<(), TestCaseError> {
    prop_assert!(!m.is_negative(), "{} is negative: {}", what, m);
    Ok(())
}

/// Everything that must hold for one computation.
fn check(set: &CatalogSet, input: &Circumstances) -> Result<(), TestCaseError> {
    let result = compute(set, input, today());
    let c = match result {
        Ok(c) => c,
        Err(e) => {
            // The only reason to refuse these inputs: the chosen tier does not fit.
            prop_assert!(
                input.tier.is_some()
                    && e.errors
                        .iter()
                        .all(|f| f.field == "tier" && f.code == "not_eligible"),
                "refused: {:?}",
                e
            );
            return Ok(());
        }
    };
    let catalog = set
        .in_force(input.quote_date.expect("given"))
        .expect("in force");
    let t = &c.totals;

    // The lines.
    for line in &c.lines {
        two_decimals("unit price", line.unit_price)?;
        two_decimals("line amount", line.amount)?;
        if line.kind == LineKind::Item {
            not_negative(&format!("line {}", line.code), line.amount)?;
            prop_assert_eq!(
                line.amount,
                Money::round(line.quantity * line.unit_price.amount()),
                "line {} = quantity × unit price",
                &line.code
            );
        }
        prop_assert_eq!(
            line.vat_exempt_reason.is_some(),
            line.vat_rate.is_zero(),
            "line {}: an exemption reason exactly at 0%",
            &line.code
        );
    }
    prop_assert!(
        c.lines
            .iter()
            .filter(|l| l.kind == LineKind::BundleAdjustment)
            .count()
            <= 1
    );
    let lines: Money = c.lines.iter().map(|l| l.amount).sum();
    prop_assert_eq!(lines, t.excl_vat, "Σ lines = excl_vat");

    // The totals.
    for (what, m) in [
        ("excl_vat", t.excl_vat),
        ("vat", t.vat),
        ("incl_vat", t.incl_vat),
    ] {
        two_decimals(what, m)?;
        not_negative(what, m)?;
    }
    prop_assert_eq!(t.incl_vat, t.excl_vat + t.vat, "incl = excl + vat");
    let vat: Money = t.vat_breakdown.iter().map(|v| v.vat).sum();
    prop_assert_eq!(vat, t.vat, "Σ breakdown vat = vat");
    let base: Money = t.vat_breakdown.iter().map(|v| v.base).sum();
    prop_assert_eq!(base, t.excl_vat, "Σ breakdown base = excl_vat");

    // Each rate once, highest first, with the base and BTW its lines give under the catalog's
    // rounding.
    let mut by_rate: BTreeMap<Decimal, (Money, Money)> = BTreeMap::new();
    for line in &c.lines {
        let entry = by_rate.entry(line.vat_rate).or_default();
        entry.0 = entry.0 + line.amount;
        entry.1 = entry.1 + line.amount.vat_at(line.vat_rate);
    }
    let rates: Vec<Decimal> = t.vat_breakdown.iter().map(|v| v.rate).collect();
    let expected_rates: Vec<Decimal> = by_rate.keys().rev().copied().collect();
    prop_assert_eq!(rates, expected_rates, "one entry per rate, highest first");
    for v in &t.vat_breakdown {
        two_decimals("breakdown base", v.base)?;
        two_decimals("breakdown vat", v.vat)?;
        let (line_base, line_vat) = by_rate[&v.rate];
        prop_assert_eq!(v.base, line_base, "base at {}%", v.rate);
        let expected = match catalog.settings.rounding {
            Rounding::PerLine => line_vat,
            Rounding::PerTotal => v.base.vat_at(v.rate),
        };
        prop_assert_eq!(v.vat, expected, "BTW at {}%", v.rate);
    }

    // The alternatives: each adds up, the selected one is the quote, and each is what the quote
    // would be with that tier chosen.
    prop_assert_eq!(c.alternatives.iter().filter(|a| a.selected).count(), 1);
    for a in &c.alternatives {
        for (what, m) in [
            ("alternative excl_vat", a.excl_vat),
            ("alternative vat", a.vat),
            ("alternative incl_vat", a.incl_vat),
        ] {
            two_decimals(what, m)?;
            not_negative(what, m)?;
        }
        prop_assert_eq!(a.incl_vat, a.excl_vat + a.vat, "alternative {}", &a.code);
        prop_assert!(
            a.ends_on <= c.timeline.waiting_period_end,
            "{} fits",
            &a.code
        );
        if a.selected {
            prop_assert_eq!(&a.code, &c.tier.code);
            prop_assert_eq!(
                (a.excl_vat, a.vat, a.incl_vat),
                (t.excl_vat, t.vat, t.incl_vat)
            );
        }
        let chosen = Circumstances {
            tier: Some(a.code.clone()),
            ..input.clone()
        };
        let priced = compute(set, &chosen, today())
            .map_err(|e| TestCaseError::fail(format!("alternative {}: {e}", a.code)))?;
        prop_assert_eq!(
            (a.excl_vat, a.vat, a.incl_vat),
            (
                priced.totals.excl_vat,
                priced.totals.vat,
                priced.totals.incl_vat
            ),
            "alternative {} priced as if chosen",
            &a.code
        );
    }
    prop_assert!(
        c.alternatives
            .iter()
            .any(|a| a.code == catalog.until_end_tier().code),
        "until-the-end always fits"
    );
    prop_assert!(c.tier.ends_on <= c.timeline.waiting_period_end);

    // The same input, the same output, the same catalog hash.
    let again = compute(set, input, today())
        .map_err(|e| TestCaseError::fail(format!("second run refused: {e}")))?;
    prop_assert_eq!(&again, &c);
    prop_assert_eq!(
        serde_json::to_vec(&again).expect("serializes"),
        serde_json::to_vec(&c).expect("serializes")
    );
    prop_assert_eq!(&c.catalog.hash, &catalog.hash);
    prop_assert_eq!(&again.catalog.hash, &catalog.hash);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn totals_add_up_rounding_per_total(input in circumstances(only(per_total()))) {
        check(per_total(), &input)?;
    }

    #[test]
    fn totals_add_up_rounding_per_line(input in circumstances(only(per_line()))) {
        check(per_line(), &input)?;
    }

    #[test]
    fn the_same_input_from_json_gives_the_same_json(input in circumstances(only(per_total()))) {
        // Through the wire form: serialize the input, parse it back, price it twice.
        let bytes = serde_json::to_vec(&input).expect("serializes");
        let parsed = Circumstances::from_json(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&parsed, &input);
        let first = compute(per_total(), &parsed, today()).map(|c| serde_json::to_vec(&c).expect("json"));
        let second = compute(per_total(), &parsed, today()).map(|c| serde_json::to_vec(&c).expect("json"));
        prop_assert_eq!(first, second);
    }
}

/// The generator must mostly produce inputs that are priced, or the properties test little.
#[test]
fn most_generated_inputs_are_priced() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let strategy = circumstances(only(per_total()));
    let mut runner = TestRunner::deterministic();
    let (mut priced, mut fallbacks, mut extended, total) = (0, 0, 0, 400);
    for _ in 0..total {
        let input = strategy.new_tree(&mut runner).expect("a value").current();
        if let Ok(c) = compute(per_total(), &input, today()) {
            priced += 1;
            fallbacks += usize::from(c.tier.selected_by == offerte::pricing::Selection::Fallback);
            extended += usize::from(c.timeline.waiting_period_extended);
        }
    }
    assert!(priced * 10 >= total * 7, "only {priced} of {total} priced");
    assert!(fallbacks > 0, "no fallback among {priced}");
    assert!(extended > 0, "no extended waiting period among {priced}");
}
