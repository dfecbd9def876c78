//! Table tests of the pricing core through its public API, with the real `pricing/` folder and a
//! fixed `today`: the four seed prices, the direction of intensity and schooling, the legal
//! clock, fallbacks, overrides, options and refused input.

use chrono::NaiveDate;
use offerte::catalog::{Catalog, CatalogSet};
use offerte::pricing::{
    Circumstances, Computation, InputError, LineKind, Money, Selection, compute,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The `today` of every computation here; inputs give their dates explicitly anyway.
fn today() -> NaiveDate {
    d("2025-02-20")
}

fn d(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("bad date {text}: {e}"))
}

fn money(text: &str) -> Money {
    Money::round(text.parse::<Decimal>().expect("a decimal"))
}

fn catalogs() -> &'static CatalogSet {
    static SET: OnceLock<CatalogSet> = OnceLock::new();
    SET.get_or_init(|| {
        CatalogSet::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing"))
            .unwrap_or_else(|e| panic!("the default catalog must load: {e}"))
    })
}

fn default_catalog() -> &'static Arc<Catalog> {
    catalogs()
        .in_force(d("2024-01-01"))
        .expect("a catalog in force on 2024-01-01")
}

/// A standard case: sick since Monday 2025-01-06, start in week 9, plenty of time left.
fn base() -> Value {
    json!({
        "first_sick_day": "2025-01-06",
        "start_date": "2025-03-03",
        "quote_date": "2025-02-20",
        "readiness": "job_ready",
        "schooling": "none",
        "intensity": "standard",
    })
}

/// `base()` with some fields replaced (a `null` removes the field).
fn with(changes: Value) -> Value {
    let mut value = base();
    let object = value.as_object_mut().expect("an object");
    for (key, change) in changes.as_object().expect("an object of changes") {
        if change.is_null() {
            object.remove(key);
        } else {
            object.insert(key.clone(), change.clone());
        }
    }
    value
}

fn parse(value: &Value) -> Result<Circumstances, InputError> {
    Circumstances::from_json(value.to_string().as_bytes())
}

/// Prices an input that must be accepted.
fn quote(value: &Value) -> Computation {
    let input = parse(value).unwrap_or_else(|e| panic!("input {value} refused at parse: {e}"));
    compute(catalogs(), &input, today()).unwrap_or_else(|e| panic!("input {value} refused: {e:?}"))
}

/// The reasons an input that must be refused (when parsing or when pricing) was refused.
fn refused(value: &Value) -> InputError {
    match parse(value) {
        Err(e) => e,
        Ok(input) => match compute(catalogs(), &input, today()) {
            Err(e) => e,
            Ok(c) => panic!("input {value} was accepted as {}", c.tier.code),
        },
    }
}

fn explanation_codes(c: &Computation) -> Vec<&str> {
    c.explanation.iter().map(|e| e.code.as_str()).collect()
}

fn warning_codes(c: &Computation) -> Vec<&str> {
    c.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn alternative_codes(c: &Computation) -> Vec<&str> {
    c.alternatives.iter().map(|a| a.code.as_str()).collect()
}

const SEEDS: &[(&str, &str, &str, &str, &str)] = &[
    // readiness, tier, excl. BTW, BTW, incl. BTW
    ("job_ready", "m3", "1975.00", "414.75", "2389.75"),
    ("ready_with_support", "m6", "2500.00", "525.00", "3025.00"),
    ("needs_time", "m9", "3025.00", "635.25", "3660.25"),
    (
        "needs_orientation",
        "tot_einde",
        "3550.00",
        "745.50",
        "4295.50",
    ),
];

#[test]
fn the_four_seed_prices_exactly_in_both_languages() {
    for &(readiness, tier, excl, vat, incl) in SEEDS {
        for language in ["nl", "en"] {
            let case = format!("{readiness} in {language}");
            let c = quote(&with(
                json!({ "readiness": readiness, "language": language }),
            ));
            assert_eq!(c.tier.code, tier, "{case}: tier");
            assert_eq!(c.tier.selected_by, Selection::Rule, "{case}: selected by");
            assert_eq!(c.tier.recommended, tier, "{case}: recommended");
            assert_eq!(c.totals.excl_vat, money(excl), "{case}: excl. BTW");
            assert_eq!(c.totals.vat, money(vat), "{case}: BTW");
            assert_eq!(c.totals.incl_vat, money(incl), "{case}: incl. BTW");

            // The wire form: strings with exactly two decimals, never numbers.
            let json = serde_json::to_value(&c).expect("serializes");
            assert_eq!(json["totals"]["excl_vat"], json!(excl), "{case}: JSON excl");
            assert_eq!(json["totals"]["vat"], json!(vat), "{case}: JSON vat");
            assert_eq!(json["totals"]["incl_vat"], json!(incl), "{case}: JSON incl");
            assert_eq!(json["tier"]["code"], json!(tier), "{case}: JSON tier");
            assert!(
                json["tier"]["months"].is_u64(),
                "{case}: months is an integer"
            );
            assert!(
                json["timeline"]["start_week"].is_u64(),
                "{case}: start_week"
            );

            // Standard circumstances: every line at 21%, one breakdown entry.
            assert!(
                c.lines.iter().all(|l| l.vat_rate == Decimal::from(21)),
                "{case}: every line at 21%: {:?}",
                c.lines
            );
            assert_eq!(c.totals.vat_breakdown.len(), 1, "{case}: one BTW rate");
            assert_eq!(
                json["totals"]["vat_breakdown"][0]["rate"],
                json!("21"),
                "{case}"
            );
            assert_eq!(
                json["totals"]["vat_breakdown"][0]["base"],
                json!(excl),
                "{case}"
            );
            assert_eq!(
                json["totals"]["vat_breakdown"][0]["vat"],
                json!(vat),
                "{case}"
            );
        }
    }
}

#[test]
fn dutch_and_english_differ_in_words_not_in_amounts() {
    for &(readiness, tier, ..) in SEEDS {
        let nl = quote(&with(json!({ "readiness": readiness, "language": "nl" })));
        let en = quote(&with(json!({ "readiness": readiness, "language": "en" })));
        let texts = &default_catalog().tier(tier).expect("seed tier").name;
        assert_eq!(nl.tier.name, texts.nl, "{readiness}: Dutch tier name");
        assert_eq!(en.tier.name, texts.en, "{readiness}: English tier name");
        assert_ne!(nl.tier.name, en.tier.name, "{readiness}: tier names differ");
        assert_ne!(nl.tier.description, en.tier.description, "{readiness}");
        assert_eq!(nl.lines.len(), en.lines.len(), "{readiness}: same lines");
        for (a, b) in nl.lines.iter().zip(&en.lines) {
            assert_eq!(
                (&a.code, a.quantity, a.unit_price, a.amount, a.vat_rate),
                (&b.code, b.quantity, b.unit_price, b.amount, b.vat_rate),
                "{readiness}: line {}",
                a.code
            );
            assert_ne!(a.name, b.name, "{readiness}: line {} has one name", a.code);
        }
        assert_eq!(nl.totals, en.totals, "{readiness}: totals");
        assert_ne!(
            nl.explanation[0].message, en.explanation[0].message,
            "{readiness}: explanation"
        );
    }
}

/// The until-the-end tier is priced by the months left (catalog: EUR 1,450 + 175 a month, at least
/// 1,800, at most 3,550): 3,550 whenever 12 months or more are left (every standard case), exactly
/// the 3-, 6- and 9-month packages' prices with 3, 6 and 9 months left, the floor with one month.
/// (Until issue 15 it cost 3,550 however little time was left, more than the 9-month package.)
#[test]
fn until_the_end_is_priced_by_the_months_left() {
    let cases = [
        // start date, waiting-period end (None: statutory 2027-01-03), months left, excl., incl.
        ("2025-02-24", None, 23, "3550.00", "4295.50"),
        ("2025-06-02", None, 20, "3550.00", "4295.50"),
        ("2025-12-01", None, 14, "3550.00", "4295.50"),
        ("2026-01-04", None, 12, "3550.00", "4295.50"),
        ("2026-02-04", None, 11, "3375.00", "4083.75"),
        ("2026-04-04", None, 9, "3025.00", "3660.25"),
        ("2026-06-01", None, 8, "2850.00", "3448.50"),
        ("2026-07-04", None, 6, "2500.00", "3025.00"),
        ("2026-10-04", None, 3, "1975.00", "2389.75"),
        ("2026-11-16", None, 2, "1800.00", "2178.00"),
        ("2027-01-02", None, 1, "1800.00", "2178.00"),
        ("2025-03-03", Some("2028-06-30"), 40, "3550.00", "4295.50"),
    ];
    let mut months = std::collections::BTreeSet::new();
    for (start, wpe, left, excl, incl) in cases {
        let mut changes = json!({ "readiness": "needs_orientation", "start_date": start });
        if let Some(wpe) = wpe {
            changes["waiting_period_end"] = json!(wpe);
        }
        let c = quote(&with(changes));
        let case = format!("start {start}, end {wpe:?}");
        assert_eq!(c.tier.code, "tot_einde", "{case}");
        assert!(c.tier.until_waiting_period_end, "{case}");
        assert_eq!(c.tier.months, left, "{case}: months left");
        assert_eq!(c.totals.excl_vat, money(excl), "{case}: excl");
        assert_eq!(c.totals.incl_vat, money(incl), "{case}: incl");
        assert_eq!(c.tier.starts_on, d(start), "{case}: starts");
        assert_eq!(
            c.tier.ends_on,
            d(wpe.unwrap_or("2027-01-03")),
            "{case}: ends"
        );
        assert_eq!(c.tier.months, c.timeline.months_available, "{case}: months");
        assert!(
            explanation_codes(&c).contains(&"months_left"),
            "{case}: the explanation says how the price follows the months"
        );
        months.insert(c.tier.months);
    }
    assert!(
        months.len() >= 6,
        "the cases must cover many different month counts: {months:?}"
    );
    assert!(months.contains(&1), "a one-month remainder: {months:?}");
}

/// For every tier, priced both as the chosen tier and as an alternative, `light < standard <
/// intensive` and `none < training < retraining`.
#[test]
fn intensity_and_schooling_move_the_price_in_the_expected_direction() {
    let orders: [(&str, [&str; 3]); 2] = [
        ("intensity", ["light", "standard", "intensive"]),
        ("schooling", ["none", "training", "retraining"]),
    ];
    for &(readiness, tier, ..) in SEEDS {
        for (field, values) in &orders {
            let computed: Vec<Computation> = values
                .iter()
                .map(|v| {
                    let mut changes = json!({ "readiness": readiness });
                    changes[*field] = json!(v);
                    quote(&with(changes))
                })
                .collect();
            for (c, value) in computed.iter().zip(values) {
                assert_eq!(c.tier.code, tier, "{readiness}, {field} {value}: tier");
            }
            for pair in computed.windows(2).zip(values.windows(2)) {
                let ([low, high], [low_name, high_name]) = pair else {
                    unreachable!()
                };
                let case = format!("{tier}: {field} {low_name} < {high_name}");
                assert!(
                    low.totals.excl_vat < high.totals.excl_vat,
                    "{case}: {} vs {}",
                    low.totals.excl_vat,
                    high.totals.excl_vat
                );
                assert!(low.totals.incl_vat < high.totals.incl_vat, "{case}: incl");
                // The same holds for every tier shown side by side.
                for (a, b) in low.alternatives.iter().zip(&high.alternatives) {
                    assert_eq!(a.code, b.code, "{case}: same alternatives");
                    assert!(
                        a.excl_vat < b.excl_vat,
                        "{case}: alternative {}: {} vs {}",
                        a.code,
                        a.excl_vat,
                        b.excl_vat
                    );
                }
                assert_eq!(low.alternatives.len(), 4, "{case}: all four tiers fit");
            }
        }
    }
}

#[test]
fn training_is_exempt_from_btw_with_a_reason() {
    let none = quote(&with(json!({ "schooling": "none" })));
    let cases = [
        ("training", vec!["sollicitatietraining"], "450.00"),
        (
            "retraining",
            vec!["omscholing", "sollicitatietraining"],
            "1950.00",
        ),
    ];
    for (schooling, codes, exempt_base) in cases {
        let c = quote(&with(json!({ "schooling": schooling })));
        let exempt: Vec<_> = c.lines.iter().filter(|l| l.vat_rate.is_zero()).collect();
        let mut exempt_codes: Vec<&str> = exempt.iter().map(|l| l.code.as_str()).collect();
        exempt_codes.sort_unstable();
        assert_eq!(exempt_codes, codes, "{schooling}: exempt lines");
        for line in &exempt {
            let reason = line.vat_exempt_reason.as_deref().unwrap_or_default();
            assert!(
                !reason.trim().is_empty(),
                "{schooling}: {} has a reason",
                line.code
            );
            assert_eq!(
                line.source,
                format!("rule:{schooling}"),
                "{schooling}: source"
            );
        }
        let json = serde_json::to_value(&c).expect("serializes");
        let breakdown = json["totals"]["vat_breakdown"]
            .as_array()
            .expect("a breakdown");
        assert_eq!(breakdown.len(), 2, "{schooling}: two rates: {breakdown:?}");
        assert_eq!(
            breakdown[0]["rate"],
            json!("21"),
            "{schooling}: highest first"
        );
        assert_eq!(breakdown[1]["rate"], json!("0"), "{schooling}: rate 0");
        assert_eq!(
            breakdown[1]["base"],
            json!(exempt_base),
            "{schooling}: base"
        );
        assert_eq!(breakdown[1]["vat"], json!("0.00"), "{schooling}: no BTW");
        assert!(
            breakdown[1]["exempt_reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "{schooling}: breakdown reason"
        );
    }
    // Training adds exactly the exempt training: excl. BTW rises by 450.00, BTW stays.
    let training = quote(&with(json!({ "schooling": "training" })));
    assert_eq!(
        training.totals.excl_vat - none.totals.excl_vat,
        money("450.00")
    );
    assert_eq!(training.totals.vat, none.totals.vat);
}

#[test]
fn the_waiting_period_end_and_the_start_week() {
    // first sick day, start, explicit end, end used, extended, start week, early, late
    type Case = (
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        bool,
        u32,
        bool,
        bool,
    );
    let cases: [Case; 13] = [
        // Ordinary dates: Monday 2025-01-06 → Sunday 2027-01-03.
        (
            "2025-01-06",
            "2025-01-06",
            None,
            "2027-01-03",
            false,
            1,
            true,
            false,
        ),
        (
            "2025-01-06",
            "2025-02-23",
            None,
            "2027-01-03",
            false,
            7,
            true,
            false,
        ),
        (
            "2025-01-06",
            "2025-02-24",
            None,
            "2027-01-03",
            false,
            8,
            false,
            false,
        ),
        (
            "2025-01-06",
            "2025-03-03",
            None,
            "2027-01-03",
            false,
            9,
            false,
            false,
        ),
        (
            "2025-01-06",
            "2026-01-04",
            None,
            "2027-01-03",
            false,
            52,
            false,
            false,
        ),
        (
            "2025-01-06",
            "2026-01-05",
            None,
            "2027-01-03",
            false,
            53,
            false,
            true,
        ),
        (
            "2025-01-06",
            "2027-01-02",
            None,
            "2027-01-03",
            false,
            104,
            false,
            true,
        ),
        // A leap day: 2024-02-29 + 104 weeks − 1 day.
        (
            "2024-02-29",
            "2024-04-25",
            None,
            "2026-02-25",
            false,
            9,
            false,
            false,
        ),
        (
            "2024-02-29",
            "2026-02-24",
            None,
            "2026-02-25",
            false,
            104,
            false,
            true,
        ),
        // Over the turn of a year, from a Tuesday.
        (
            "2024-12-31",
            "2025-03-04",
            None,
            "2026-12-28",
            false,
            10,
            false,
            false,
        ),
        // An explicit end equal to the statutory one is no extension.
        (
            "2025-01-06",
            "2025-03-03",
            Some("2027-01-03"),
            "2027-01-03",
            false,
            9,
            false,
            false,
        ),
        // A later end (loonsanctie), and the latest accepted (104 extra weeks).
        (
            "2025-01-06",
            "2027-03-01",
            Some("2027-12-31"),
            "2027-12-31",
            true,
            113,
            false,
            true,
        ),
        (
            "2025-01-06",
            "2025-03-03",
            Some("2028-12-31"),
            "2028-12-31",
            true,
            9,
            false,
            false,
        ),
    ];
    for (first, start, wpe, end, extended, week, early, late) in cases {
        let label = format!("first {first} start {start} wpe {wpe:?}");
        let mut changes = json!({
            "first_sick_day": first,
            "start_date": start,
            "quote_date": first.max("2024-01-01"),
        });
        if let Some(wpe) = wpe {
            changes["waiting_period_end"] = json!(wpe);
        }
        let c = quote(&with(changes));
        let t = &c.timeline;
        assert_eq!(t.first_sick_day, d(first), "{label}");
        assert_eq!(t.waiting_period_end, d(end), "{label}: end");
        assert_eq!(t.waiting_period_extended, extended, "{label}: extended");
        assert_eq!(t.start_week, week, "{label}: start week");
        assert_eq!(t.trajectory_starts_on, d(start), "{label}: starts");
        assert!(
            t.trajectory_ends_on <= t.waiting_period_end,
            "{label}: ends in time"
        );
        let warnings = warning_codes(&c);
        assert_eq!(
            warnings.contains(&"early_start"),
            early,
            "{label}: {warnings:?}"
        );
        assert_eq!(
            warnings.contains(&"late_start"),
            late,
            "{label}: {warnings:?}"
        );
        assert_eq!(
            explanation_codes(&c).contains(&"waiting_period"),
            extended,
            "{label}: the explanation reports the extension"
        );
        let last = t.milestones.last().expect("milestones");
        assert_eq!(
            (last.code.as_str(), last.date),
            ("einde_wachttijd", d(end)),
            "{label}"
        );
        if !extended {
            assert_eq!(t.statutory_waiting_period_end, d(end), "{label}");
        }
    }
}

#[test]
fn refused_inputs_name_the_field() {
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "an explicit end before the statutory one",
            json!({ "waiting_period_end": "2027-01-02" }),
            "waiting_period_end",
            "before_statutory_end",
        ),
        (
            "an explicit end more than 104 weeks later",
            json!({ "waiting_period_end": "2029-01-01" }),
            "waiting_period_end",
            "too_late",
        ),
        (
            "a start on the last day of the waiting period",
            json!({ "start_date": "2027-01-03" }),
            "start_date",
            "after_waiting_period",
        ),
        (
            "a start after the waiting period",
            json!({ "start_date": "2027-02-01" }),
            "start_date",
            "after_waiting_period",
        ),
        (
            "a start on the last day of an extended waiting period",
            json!({ "waiting_period_end": "2027-06-30", "start_date": "2027-06-30" }),
            "start_date",
            "after_waiting_period",
        ),
        (
            "a start on the leap-day case's last day",
            json!({ "first_sick_day": "2024-02-29", "start_date": "2026-02-25" }),
            "start_date",
            "after_waiting_period",
        ),
        (
            "a start before the first sick day",
            json!({ "start_date": "2025-01-05" }),
            "start_date",
            "before_first_sick_day",
        ),
        (
            "an unknown tier",
            json!({ "tier": "m12" }),
            "tier",
            "unknown_tier",
        ),
        (
            "a tier that runs past the waiting period",
            json!({ "start_date": "2026-05-01", "tier": "m9" }),
            "tier",
            "not_eligible",
        ),
        (
            "an unknown option",
            json!({ "options": ["vakantie"] }),
            "options[0]",
            "unknown_item",
        ),
        (
            "the same option twice",
            json!({ "options": ["loopbaantest", "loopbaantest"] }),
            "options[1]",
            "duplicate",
        ),
        (
            "a quote date before any catalog",
            json!({
                "first_sick_day": "2023-06-05",
                "start_date": "2023-08-07",
                "quote_date": "2023-12-31",
            }),
            "quote_date",
            "no_catalog",
        ),
        (
            "a first sick day after the quote date",
            json!({ "quote_date": "2025-01-05" }),
            "first_sick_day",
            "after_quote_date",
        ),
        (
            "a diagnosis",
            json!({ "diagnosis": "burn-out" }),
            "diagnosis",
            "unknown_field",
        ),
        (
            "complaints",
            json!({ "complaints": "rugklachten" }),
            "complaints",
            "unknown_field",
        ),
        (
            "an expected duration of 0 months",
            json!({ "expected_duration_months": 0 }),
            "expected_duration_months",
            "range",
        ),
        (
            "an expected duration of 25 months",
            json!({ "expected_duration_months": 25 }),
            "expected_duration_months",
            "range",
        ),
        (
            "no readiness",
            json!({ "readiness": null }),
            "readiness",
            "missing_field",
        ),
        (
            "an unknown readiness",
            json!({ "readiness": "sick" }),
            "readiness",
            "invalid_value",
        ),
        (
            "a date that does not exist",
            json!({ "first_sick_day": "2025-02-29" }),
            "first_sick_day",
            "invalid_value",
        ),
    ];
    for (what, changes, field, code) in cases {
        let input = with(changes);
        let error = refused(&input);
        let found: Vec<(&str, &str)> = error
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(found, vec![(field, code)], "{what}: {input}");
        assert!(
            error.errors.iter().all(|e| !e.message.trim().is_empty()),
            "{what}: every error has a message"
        );
    }
}

#[test]
fn the_expected_duration_out_of_range_is_refused_by_compute_too() {
    // A caller that builds the circumstances itself (not through `from_json`) is checked as well.
    let mut input = parse(&base()).expect("valid");
    for months in [0, 25] {
        input.expected_duration_months = Some(months);
        let error = compute(catalogs(), &input, today()).expect_err("out of range");
        assert_eq!(
            error.errors[0].field, "expected_duration_months",
            "{months}"
        );
    }
    for months in [1, 24] {
        input.expected_duration_months = Some(months);
        assert!(compute(catalogs(), &input, today()).is_ok(), "{months}");
    }
}

#[test]
fn too_little_time_left_falls_back_to_until_the_end() {
    // Waiting period ends 2027-01-03. Nine months from 2026-04-04 end on 2027-01-03 exactly:
    // that still fits; a day later it does not.
    let fits = quote(&with(
        json!({ "readiness": "needs_time", "start_date": "2026-04-04" }),
    ));
    assert_eq!(fits.tier.code, "m9");
    assert_eq!(fits.tier.ends_on, d("2027-01-03"));
    assert_eq!(fits.tier.selected_by, Selection::Rule);
    assert_eq!(alternative_codes(&fits), ["m3", "m6", "m9", "tot_einde"]);
    assert!(!explanation_codes(&fits).contains(&"not_eligible"));

    let cases = [
        // readiness, start, recommended, alternatives left
        // and the price: with 9, 6 and 3 months left, that of the package that no longer fits
        (
            "needs_time",
            "2026-04-05",
            "m9",
            vec!["m3", "m6", "tot_einde"],
            "3025.00",
        ),
        (
            "ready_with_support",
            "2026-08-01",
            "m6",
            vec!["m3", "tot_einde"],
            "2500.00",
        ),
        (
            "job_ready",
            "2026-11-01",
            "m3",
            vec!["tot_einde"],
            "1975.00",
        ),
    ];
    for (readiness, start, recommended, alternatives, price) in cases {
        let c = quote(&with(
            json!({ "readiness": readiness, "start_date": start }),
        ));
        let case = format!("{readiness} from {start}");
        assert_eq!(c.tier.code, "tot_einde", "{case}: tier");
        assert_eq!(
            c.tier.selected_by,
            Selection::Fallback,
            "{case}: selected by"
        );
        assert_eq!(c.tier.recommended, recommended, "{case}: recommended");
        assert_eq!(c.tier.ends_on, d("2027-01-03"), "{case}: ends");
        assert_eq!(alternative_codes(&c), alternatives, "{case}: alternatives");
        let codes = explanation_codes(&c);
        assert!(codes.contains(&"fallback"), "{case}: {codes:?}");
        assert!(codes.contains(&"not_eligible"), "{case}: {codes:?}");
        let json = serde_json::to_value(&c).expect("serializes");
        assert_eq!(json["tier"]["selected_by"], json!("fallback"), "{case}");
        let alt = c
            .alternatives
            .iter()
            .find(|a| a.selected)
            .expect("selected");
        assert_eq!(alt.code, "tot_einde", "{case}");
        assert!(!alt.recommended, "{case}: the fallback was not recommended");
        assert_eq!(c.totals.excl_vat, money(price), "{case}: price");
    }
}

#[test]
fn the_salesperson_may_choose_another_eligible_tier() {
    let c = quote(&with(json!({ "readiness": "job_ready", "tier": "m9" })));
    assert_eq!(c.tier.code, "m9");
    assert_eq!(c.tier.selected_by, Selection::Override);
    assert_eq!(c.tier.recommended, "m3");
    assert_eq!(c.totals.excl_vat, money("3025.00"));
    assert!(explanation_codes(&c).contains(&"override"));
    let json = serde_json::to_value(&c).expect("serializes");
    assert_eq!(json["tier"]["selected_by"], json!("override"));
    for a in &c.alternatives {
        assert_eq!(a.selected, a.code == "m9", "{}: selected", a.code);
        assert_eq!(a.recommended, a.code == "m3", "{}: recommended", a.code);
    }

    // Choosing the recommended tier is no override.
    let same = quote(&with(json!({ "readiness": "job_ready", "tier": "m3" })));
    assert_eq!(same.tier.selected_by, Selection::Rule);
    assert!(!explanation_codes(&same).contains(&"override"));

    // An override to until-the-end where the rule's tier would not fit.
    let late = quote(&with(
        json!({ "readiness": "needs_time", "start_date": "2026-06-01", "tier": "tot_einde" }),
    ));
    assert_eq!(late.tier.code, "tot_einde");
    assert_eq!(late.tier.selected_by, Selection::Override);
}

#[test]
fn options_add_lines_on_top() {
    let c = quote(&with(
        json!({ "options": ["arbeidsdeskundig_onderzoek", "linkedin_training"] }),
    ));
    let options: Vec<(&str, Money, Decimal)> = c
        .lines
        .iter()
        .filter(|l| l.source == "option")
        .map(|l| (l.code.as_str(), l.amount, l.vat_rate))
        .collect();
    assert_eq!(
        options,
        vec![
            (
                "arbeidsdeskundig_onderzoek",
                money("750.00"),
                Decimal::from(21)
            ),
            ("linkedin_training", money("175.00"), Decimal::ZERO),
        ]
    );
    // 1975 + 750 + 175; BTW 414.75 + 157.50 (the LinkedIn training is exempt).
    assert_eq!(c.totals.excl_vat, money("2900.00"));
    assert_eq!(c.totals.vat, money("572.25"));
    assert_eq!(c.totals.incl_vat, money("3472.25"));
    assert_eq!(
        explanation_codes(&c)
            .iter()
            .filter(|e| **e == "option")
            .count(),
        2
    );
    // A monthly item as an option is priced for the months of the trajectory.
    let monthly = quote(&with(
        json!({ "readiness": "ready_with_support", "options": ["bemiddeling"] }),
    ));
    let line = monthly
        .lines
        .iter()
        .find(|l| l.source == "option")
        .expect("option line");
    assert_eq!(line.quantity, Decimal::from(6));
    assert_eq!(line.amount, money("390.00"));
}

#[test]
fn the_expected_duration_picks_a_longer_tier() {
    let cases = [
        // readiness, expected months, tier, rule
        ("job_ready", 3, "m3", "job-ready"),
        ("job_ready", 4, "m6", "job-ready-longer"),
        ("job_ready", 6, "m6", "job-ready-longer"),
        ("ready_with_support", 6, "m6", "ready-with-support"),
        ("ready_with_support", 7, "m9", "support-longer"),
        ("needs_time", 9, "m9", "needs-time"),
        ("needs_time", 10, "tot_einde", "needs-time-longer"),
        ("needs_orientation", 1, "tot_einde", "needs-orientation"),
        ("needs_orientation", 24, "tot_einde", "needs-orientation"),
    ];
    for (readiness, months, tier, rule) in cases {
        let case = format!("{readiness} expecting {months} months");
        let c = quote(&with(
            json!({ "readiness": readiness, "expected_duration_months": months }),
        ));
        assert_eq!(c.tier.code, tier, "{case}: tier");
        assert_eq!(c.tier.selected_by, Selection::Rule, "{case}");
        let matched = c
            .explanation
            .iter()
            .find(|e| e.code == "tier_rule")
            .expect("a tier rule explanation");
        assert_eq!(matched.rule.as_deref(), Some(rule), "{case}: rule");
        assert!(
            matched
                .condition
                .as_deref()
                .is_some_and(|c| c.contains("readiness")),
            "{case}"
        );
    }
}

#[test]
fn a_bundle_discount_is_the_only_negative_line() {
    for &(readiness, ..) in SEEDS {
        let c = quote(&with(json!({ "readiness": readiness })));
        let sum: Money = c.lines.iter().map(|l| l.amount).sum();
        assert_eq!(sum, c.totals.excl_vat, "{readiness}: lines add up");
        for line in &c.lines {
            if line.amount.is_negative() {
                assert_eq!(
                    line.kind,
                    LineKind::BundleAdjustment,
                    "{readiness}: {}",
                    line.code
                );
            }
        }
        assert!(
            c.lines
                .iter()
                .filter(|l| l.kind == LineKind::BundleAdjustment)
                .count()
                <= 1,
            "{readiness}: at most one adjustment"
        );
    }
}

#[test]
fn malformed_json_blames_no_field() {
    for text in [
        "nope",
        "{ first_sick_day",
        r#"{"first_sick_day": "2025-01-06", "readiness": }"#,
        r#"{"first_sick_day": "2025-01-06""#,
        "",
        r#"{"first_sick_day": "2025-01-06", "readiness": "job_ready"} x"#,
    ] {
        let error = Circumstances::from_json(text.as_bytes()).expect_err(text);
        let found: Vec<(&str, &str)> = error
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(found, vec![("", "malformed_json")], "{text:?}: {error:?}");
    }
}

// The example catalogs of other price models (pricing/examples/<name>/), one case each, priced to
// the cent by hand.

fn example(name: &str) -> CatalogSet {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pricing/examples")
        .join(name);
    CatalogSet::load_dir(&dir).unwrap_or_else(|e| panic!("example {name} must load: {e}"))
}

fn quote_with(set: &CatalogSet, value: &Value) -> Computation {
    let input = parse(value).unwrap_or_else(|e| panic!("input {value} refused at parse: {e}"));
    compute(set, &input, today()).unwrap_or_else(|e| panic!("input {value} refused: {e:?}"))
}

/// (code, quantity, amount) of every line.
fn line_amounts(c: &Computation) -> Vec<(&str, String, Money)> {
    c.lines
        .iter()
        .map(|l| (l.code.as_str(), l.quantity.to_string(), l.amount))
        .collect()
}

/// (excl, vat, incl) of every instalment.
fn instalment_amounts(c: &Computation) -> Vec<(Money, Money, Money)> {
    c.payment_schedule
        .iter()
        .map(|i| (i.excl_vat, i.vat, i.incl_vat))
        .collect()
}

#[test]
fn example_start_fee_and_price_per_quarter_begun() {
    // Until the end, 11 months left: the start fee and 4 quarters begun (3 + 3 + 3 + 2 months).
    let set = example("startfee-per-period");
    let c = quote_with(
        &set,
        &with(json!({ "readiness": "needs_time", "start_date": "2026-03-02" })),
    );
    assert_eq!(c.tier.code, "tot_einde");
    assert_eq!(c.tier.months, 11);
    assert_eq!(
        line_amounts(&c),
        [
            ("startfee", "1".to_string(), money("1000.00")),
            ("periode", "4".to_string(), money("5000.00")),
        ]
    );
    assert_eq!(c.lines[1].period_months, Some(3));
    assert_eq!(
        (c.totals.excl_vat, c.totals.vat, c.totals.incl_vat),
        (money("6000.00"), money("1260.00"), money("7260.00"))
    );
    // The start fee on acceptance (no date yet), the rest over 11 months, the last month taking
    // the rounding: 5000 / 11 = 454.55 ten times and 454.50.
    let s = &c.payment_schedule;
    assert_eq!(s.len(), 12);
    assert_eq!((s[0].label.as_str(), s[0].due_date), ("Startfee", None));
    assert_eq!(
        instalment_amounts(&c)[0],
        (money("1000.00"), money("210.00"), money("1210.00"))
    );
    for i in &s[1..11] {
        assert_eq!(
            (i.excl_vat, i.vat, i.incl_vat, i.absorbs_rounding),
            (money("454.55"), money("95.46"), money("550.01"), false),
            "{}",
            i.label
        );
    }
    assert_eq!(
        (
            s[11].excl_vat,
            s[11].vat,
            s[11].incl_vat,
            s[11].absorbs_rounding
        ),
        (money("454.50"), money("95.40"), money("549.90"), true)
    );
    assert_eq!(s[11].label, "Begeleiding, maand 11 van 11");
    assert_eq!(s[11].due_date, Some(d("2027-01-16")), "2 January + 14 days");
    // Ending after month 1 costs the start fee and one quarter; after month 4 two quarters.
    assert_eq!(c.early_end[0].excl_vat, money("2250.00"));
    assert_eq!(c.early_end[0].incl_vat, money("2722.50"));
    assert_eq!(c.early_end[3].excl_vat, money("3500.00"));
    assert_eq!(c.early_end[10].incl_vat, money("7260.00"));
}

#[test]
fn example_hourly_coaching_topped_up_to_the_minimum() {
    // Three months, light: 4 + 9 + 2 hours at 89 = 1335, topped up to the minimum of 1475.
    let set = example("hourly");
    let c = quote_with(&set, &with(json!({ "intensity": "light" })));
    assert_eq!(c.tier.code, "uren3");
    assert_eq!(
        line_amounts(&c),
        [
            ("intake", "4".to_string(), money("356.00")),
            ("coaching", "9".to_string(), money("801.00")),
            ("rapportage", "2".to_string(), money("178.00")),
            ("minimum_adjustment", "1".to_string(), money("140.00")),
        ]
    );
    assert_eq!(c.lines[3].kind, LineKind::MinimumAdjustment);
    assert_eq!(c.lines[3].name, "Aanvulling tot het minimumtarief");
    assert_eq!(
        (c.totals.excl_vat, c.totals.vat, c.totals.incl_vat),
        (money("1475.00"), money("309.75"), money("1784.75"))
    );
    assert!(explanation_codes(&c).contains(&"minimum"));
    // Monthly in advance, 30 days: 491.67 twice and 491.66.
    assert_eq!(
        instalment_amounts(&c),
        [
            (money("491.67"), money("103.25"), money("594.92")),
            (money("491.67"), money("103.25"), money("594.92")),
            (money("491.66"), money("103.25"), money("594.91")),
        ]
    );
    assert_eq!(c.payment_schedule[0].due_date, Some(d("2025-04-02")));
    // Ending after month 1: intake and reports in full, 3 coaching hours, a third of the top-up,
    // BTW per line (74.76 + 56.07 + 37.38 + 9.80).
    assert_eq!(
        (c.early_end[0].excl_vat, c.early_end[0].vat),
        (money("847.67"), money("178.01"))
    );
    // Standard intensity needs no top-up.
    let standard = quote_with(&set, &base());
    assert_eq!(standard.totals.excl_vat, money("1869.00"));
    assert!(standard.lines.iter().all(|l| l.kind == LineKind::Item));
}

#[test]
fn example_success_fee_outside_the_totals() {
    // Three months: 350 + 12 hours at 85 + 3 months at 95 = 1655, package price 1775.
    let set = example("success-fee");
    let c = quote_with(&set, &base());
    assert_eq!(c.tier.code, "m3");
    assert_eq!(
        (c.totals.excl_vat, c.totals.vat, c.totals.incl_vat),
        (money("1775.00"), money("372.75"), money("2147.75"))
    );
    let fee = c.success_fee.as_ref().expect("a success fee");
    assert_eq!(fee.code, "plaatsing");
    assert_eq!(
        (fee.excl_vat, fee.vat, fee.incl_vat),
        (money("750.00"), money("157.50"), money("907.50"))
    );
    assert!(fee.condition.contains("arbeidsovereenkomst"));
    // Not in the lines, the schedule or the early-end table.
    assert!(c.lines.iter().all(|l| l.code != "plaatsing"));
    let scheduled: Money = c.payment_schedule.iter().map(|i| i.incl_vat).sum();
    assert_eq!(scheduled, c.totals.incl_vat);
    assert_eq!(
        c.early_end.last().map(|r| r.incl_vat),
        Some(c.totals.incl_vat)
    );
    // Half on acceptance, half after 3 months: the end of this 3-month trajectory, + 14 days.
    assert_eq!(
        instalment_amounts(&c),
        [
            (money("887.50"), money("186.38"), money("1073.88")),
            (money("887.50"), money("186.37"), money("1073.87")),
        ]
    );
    assert_eq!(c.payment_schedule[1].due_date, Some(d("2025-06-16")));
    let json = serde_json::to_value(&c).expect("serializes");
    assert_eq!(json["success_fee"]["incl_vat"], json!("907.50"));
    assert_eq!(json["payment_schedule"][1]["due"], json!("after_months"));
    assert_eq!(json["payment_schedule"][1]["after_months"], json!(3));
    // The default catalog has no success fee: the field is absent.
    assert!(
        serde_json::to_value(quote(&base()))
            .expect("json")
            .get("success_fee")
            .is_none()
    );
}

/// In the pricing table, a length cap (and a minimum top-up) is a row of its own kind, not a
/// bundle adjustment: light guidance's 9-month package is capped at the until-the-end price.
#[test]
fn adjustments_are_rows_of_their_own_kind() {
    use offerte::exports::pricing::{Part, RowKind, build};
    let export = build(
        catalogs(),
        default_catalog(),
        offerte::catalog::Language::Nl,
        &Part::ALL,
    )
    .expect("built");
    let rows = export.variations.as_ref().expect("variations");
    let capped: Vec<_> = rows
        .iter()
        .filter(|r| r.variation.as_deref() == Some("light") && r.tier == "m9")
        .collect();
    let cap = capped
        .iter()
        .find(|r| r.kind == RowKind::LengthCap)
        .expect("a length-cap row for light m9");
    assert_eq!(cap.item.as_deref(), Some("length_cap"));
    assert!(cap.excl_vat < Money::ZERO, "a cap lowers the price");
    let kinds: Vec<RowKind> = capped.iter().map(|r| r.kind).collect();
    assert_eq!(kinds.last(), Some(&RowKind::Total));
    for row in rows.iter().filter(|r| r.kind == RowKind::BundleAdjustment) {
        assert_eq!(row.item.as_deref(), Some("bundle_adjustment"), "{row:?}");
    }
    let mut csv = Vec::new();
    offerte::exports::write::pricing(
        &export,
        offerte::exports::ExportFormat::Csv,
        offerte::exports::Dialect::Intl,
        Part::Variations,
        "Werkpad",
        &mut csv,
    )
    .expect("written");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("light,m9,") && l.contains(",length_cap,length_cap,")),
        "{csv}"
    );
}

/// The pricing table export shows the new forms: per-period lines, the price by months left,
/// and success fees in a block of their own, outside the totals.
#[test]
fn the_pricing_table_shows_periods_and_success_fees() {
    use offerte::exports::pricing::{Part, RowKind, build};
    use offerte::exports::{Dialect, ExportFormat, write};

    let set = example("success-fee");
    let catalog = &set.versions()[0];
    let export = build(&set, catalog, offerte::catalog::Language::Nl, &Part::ALL).expect("built");
    let fees = export.success_fees.as_ref().expect("a success-fee block");
    assert_eq!(fees.len(), 3, "one per tier");
    for fee in fees {
        assert_eq!(fee.item, "plaatsing");
        assert_eq!(
            (fee.excl_vat, fee.vat, fee.incl_vat),
            (money("750.00"), money("157.50"), money("907.50"))
        );
    }
    let totals: Vec<Money> = export
        .tiers
        .as_ref()
        .expect("tiers")
        .iter()
        .filter(|r| r.kind == RowKind::Total)
        .map(|r| r.excl_vat)
        .collect();
    // m3 and m6 at their package prices, until the end (23 months) at its cap: no fee in them.
    assert_eq!(
        totals,
        [money("1775.00"), money("2750.00"), money("4200.00")]
    );
    let names: Vec<String> = export
        .tables()
        .into_iter()
        .map(|(_, s, _)| s.name)
        .collect();
    assert_eq!(names, ["Pakketten", "Varianten", "Prijslijst", "Succesfee"]);
    let mut csv = Vec::new();
    write::pricing(
        &export,
        ExportFormat::Csv,
        Dialect::Intl,
        Part::SuccessFees,
        "x",
        &mut csv,
    )
    .expect("written");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(
        // The texts follow the export's language (Dutch here), the separators the dialect.
        csv.starts_with("Pakket,Pakketnaam,Onderdeel,Omschrijving,Voorwaarde,"),
        "{csv}"
    );
    assert!(csv.contains(",750.00,157.50,907.50"), "{csv}");

    // Per period: the start-fee example's tiers show the quarters as a quantity of periods.
    let set = example("startfee-per-period");
    let export = build(
        &set,
        &set.versions()[0],
        offerte::catalog::Language::En,
        &[Part::Tiers],
    )
    .expect("built");
    let periods: Vec<(String, String)> = export
        .tiers
        .expect("tiers")
        .iter()
        .filter(|r| r.item.as_deref() == Some("periode"))
        .map(|r| (r.tier.clone(), r.quantity.expect("a quantity").to_string()))
        .collect();
    // 3 months: one quarter; 6: two; until the end from week 9 (23 months): eight begun.
    assert_eq!(
        periods,
        [
            ("kwartaal".to_string(), "1".to_string()),
            ("halfjaar".to_string(), "2".to_string()),
            ("tot_einde".to_string(), "8".to_string()),
        ]
    );
    assert!(export.success_fees.is_none());

    // The default catalog has no success fee: no such block, and the parts it always had.
    let default = default_catalog();
    let export = build(
        catalogs(),
        default,
        offerte::catalog::Language::Nl,
        &Part::ALL,
    )
    .expect("built");
    assert!(export.success_fees.is_none());
    let names: Vec<String> = export
        .tables()
        .into_iter()
        .map(|(_, s, _)| s.name)
        .collect();
    assert_eq!(names, ["Pakketten", "Varianten", "Prijslijst"]);
    // Asked for alone, the block is there, empty.
    let alone = build(
        catalogs(),
        default,
        offerte::catalog::Language::Nl,
        &[Part::SuccessFees],
    )
    .expect("built");
    assert_eq!(alone.success_fees, Some(Vec::new()));
}

// For finance: the catalog diff and the expected invoicing (pure; HTTP and CLI wiring is in
// docs/wiring-notes.md).

fn default_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/2024-01-01.toml"))
        .expect("the default catalog")
}

fn set_of(text: String) -> CatalogSet {
    CatalogSet::from_sources(vec![("2024-01-01.toml".to_string(), text)])
        .unwrap_or_else(|p| panic!("{p:#?}"))
}

#[test]
fn the_catalog_diff_shows_old_new_difference_and_percentage() {
    use offerte::exports::catalog_diff::{Change, diff};

    let old = set_of(default_text());
    let new_text = default_text()
        .replacen(
            "bundle_price = \"2500.00\"",
            "bundle_price = \"2600.00\"",
            1,
        )
        .replacen("unit_price = \"89.00\"", "unit_price = \"92.00\"", 1)
        + "\n[[items]]\ncode = \"taaltraining\"\nunit = \"piece\"\nunit_price = \"600.00\"\nvat = \"standard\"\n\
           name = { nl = \"Taaltraining\", en = \"Language training\" }\n\
           description = { nl = \"Nederlands op de werkvloer.\", en = \"Dutch at work.\" }\n";
    let new = set_of(new_text);
    let d = diff(
        &old,
        &old.versions()[0],
        &new,
        &new.versions()[0],
        offerte::catalog::Language::Nl,
    )
    .expect("compared");
    let row = |variation: Option<&str>, tier: &str| {
        d.tiers
            .iter()
            .find(|r| r.variation.as_deref() == variation && r.tier == tier)
            .unwrap_or_else(|| panic!("{variation:?} {tier}"))
    };
    // Standard case: only the 6-month package moved, by its bundle price.
    let m6 = row(None, "m6");
    assert_eq!(m6.change, Change::Changed);
    assert_eq!(
        (m6.old_excl_vat, m6.new_excl_vat),
        (Some(money("2500.00")), Some(money("2600.00")))
    );
    assert_eq!(m6.difference, Some(money("100.00")));
    assert_eq!(m6.percentage, Some("4.00".parse().unwrap()));
    assert_eq!(
        (m6.old_incl_vat, m6.new_incl_vat),
        (Some(money("3025.00")), Some(money("3146.00")))
    );
    for tier in ["m3", "m9", "tot_einde"] {
        assert_eq!(row(None, tier).change, Change::Unchanged, "{tier}");
        assert_eq!(row(None, tier).difference, Some(money("0.00")), "{tier}");
    }
    // Intensive guidance adds 1.5 coaching hours a month to the 3-month package: 4.5 hours, now
    // 3 euros dearer each.
    let intensive = row(Some("intensive"), "m3");
    assert_eq!(intensive.difference, Some(money("13.50")));
    assert_eq!(
        d.tiers.len(),
        4 * 5,
        "four tiers, standard and four variations"
    );
    // Items: coaching 89 -> 92 (+3.37%), the new item added, the rest unchanged.
    let coaching = d
        .items
        .iter()
        .find(|i| i.item == "coaching")
        .expect("coaching");
    assert_eq!(coaching.difference, Some(money("3.00")));
    assert_eq!(coaching.percentage, Some("3.37".parse().unwrap()));
    let added = d
        .items
        .iter()
        .find(|i| i.item == "taaltraining")
        .expect("added");
    assert_eq!((added.change, added.old_unit_price), (Change::Added, None));
    assert_eq!(
        d.items
            .iter()
            .filter(|i| i.change == Change::Unchanged)
            .count(),
        11
    );

    // Written as CSV (international) and JSON.
    let tables = d.tables();
    let mut csv = Vec::new();
    offerte::exports::tables::write(
        &d,
        &tables,
        offerte::exports::ExportFormat::Csv,
        offerte::exports::Dialect::Intl,
        "tiers",
        &Default::default(),
        &mut csv,
    )
    .expect("written");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(
        csv.contains(
            ",m6,Pakket 6 maanden,changed,2500.00,2600.00,100.00,4.00,3025.00,3146.00\r\n"
        ),
        "{csv}"
    );
    let json = serde_json::to_value(&d).expect("json");
    assert_eq!(json["tiers"][1]["percentage"], json!("4.00"));
    assert_eq!(json["items"][3]["new_unit_price"], json!("92.00"));
}

#[test]
fn expected_invoicing_by_month_from_accepted_schedules() {
    use offerte::exports::invoicing::{AcceptedQuote, expected};

    // m3 from 2026-12-01 (50% at the start, 50% at the end, 14 days), accepted before the start.
    let m3 = quote(&with(json!({
        "first_sick_day": "2026-01-05", "start_date": "2026-12-01", "quote_date": "2026-11-20"
    })));
    assert_eq!(m3.tier.code, "m3");
    // Until the end from 2026-12-01, 14 months (30% at the start, 70% over the months), accepted
    // late: the start instalment and the first month fall due at the acceptance + 14 days.
    let until_end = quote(&with(json!({
        "first_sick_day": "2026-01-05", "readiness": "needs_orientation",
        "start_date": "2026-12-01", "quote_date": "2026-11-20"
    })));
    assert_eq!(until_end.tier.months, 14);
    // A quote stored before schedules existed.
    let mut old = m3.clone();
    old.payment_schedule.clear();
    let quotes = [
        AcceptedQuote {
            number: "OFF-2026-00001-1",
            employer: "A",
            accepted_on: d("2026-11-25"),
            schedule: &m3.payment_schedule,
            totals: &m3.totals,
            consent: None,
        },
        AcceptedQuote {
            number: "OFF-2026-00002-1",
            employer: "=B",
            accepted_on: d("2026-12-20"),
            schedule: &until_end.payment_schedule,
            totals: &until_end.totals,
            consent: None,
        },
        AcceptedQuote {
            number: "OFF-2025-00099-3",
            employer: "C",
            accepted_on: d("2026-11-30"),
            schedule: &old.payment_schedule,
            totals: &old.totals,
            consent: None,
        },
    ];
    let all = expected(&quotes, None, None, offerte::catalog::Language::En);
    // Everything falls due once: the months add up to the three quotes.
    let total: Money = all.months.iter().map(|m| m.incl_vat).sum();
    assert_eq!(
        total,
        m3.totals.incl_vat + until_end.totals.incl_vat + old.totals.incl_vat
    );
    assert_eq!(
        all.instalments.len(),
        m3.payment_schedule.len() + until_end.payment_schedule.len() + 1
    );
    // Month by month without holes, from the first due date to the last.
    let months: Vec<&str> = all.months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(months.first(), Some(&"2026-12"));
    assert_eq!(
        months.last(),
        Some(&"2028-01"),
        "the last monthly instalment of until-the-end"
    );
    assert_eq!(months.len(), 14);
    // The m3 start instalment: 1 December + 14 days; its end instalment: 28 February + 14 days.
    let of = |number: &str| -> Vec<(NaiveDate, Money)> {
        all.instalments
            .iter()
            .filter(|r| r.number == number)
            .map(|r| (r.due_date, r.excl_vat))
            .collect()
    };
    assert_eq!(
        of("OFF-2026-00001-1"),
        [
            (d("2026-12-15"), money("987.50")),
            (d("2027-03-14"), money("987.50"))
        ]
    );
    // Accepted on 20 December: the start (due 15 December) and month 1 move to 3 January.
    let late = of("OFF-2026-00002-1");
    assert_eq!(late[0].0, d("2027-01-03"));
    assert_eq!(late[1].0, d("2027-01-03"));
    assert_eq!(late[2].0, d("2027-01-15"), "month 2: 1 January + 14 days");
    // The old quote: whole, 14 days after its acceptance, marked assumed.
    let assumed: Vec<_> = all.instalments.iter().filter(|r| r.assumed).collect();
    assert_eq!(assumed.len(), 1);
    assert_eq!(
        (assumed[0].due_date, assumed[0].incl_vat),
        (d("2026-12-14"), old.totals.incl_vat)
    );
    // Due dates in order.
    assert!(
        all.instalments
            .windows(2)
            .all(|w| w[0].due_date <= w[1].due_date)
    );

    // A period: only what falls due in it, every month of it listed.
    let q1 = expected(
        &quotes,
        Some(d("2027-01-01")),
        Some(d("2027-03-31")),
        offerte::catalog::Language::Nl,
    );
    let months: Vec<&str> = q1.months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(months, ["2027-01", "2027-02", "2027-03"]);
    assert!(
        q1.instalments
            .iter()
            .all(|r| r.due_date >= d("2027-01-01") && r.due_date <= d("2027-03-31"))
    );
    let march = &q1.months[2];
    assert_eq!(march.instalments, 2, "m3's end and until-the-end's month 4");
    // As CSV: the employer that looks like a formula is made inert.
    let mut csv = Vec::new();
    offerte::exports::tables::write(
        &q1,
        &q1.tables(),
        offerte::exports::ExportFormat::Csv,
        offerte::exports::Dialect::Nl,
        "instalments",
        &Default::default(),
        &mut csv,
    )
    .expect("written");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.contains(";'=B;"), "{csv}");
    assert!(!csv.contains(";=B;"), "{csv}");
}
