//! Property tests of the computation: for random valid circumstances the totals always add up,
//! nothing but a bundle discount is negative, every amount has two decimals, the alternatives are
//! priced the same way and the same input always gives the same output. Run against the default
//! catalog (BTW rounded per total) and a copy of it that rounds per line.
//!
//! And the price models of issue 15: the payment schedule adds up to the totals to the cent
//! (excl. BTW, BTW, incl. BTW; both rounding modes; also for random schedules), the early-end
//! table never falls and ends at the totals, and no trajectory costs more than a package that
//! runs at least as long for the same circumstances.

use chrono::{Days, NaiveDate};
use offerte::catalog::DueEvent;
use offerte::catalog::{Catalog, CatalogSet, Intensity, Language, Readiness, Rounding, Schooling};
use offerte::pricing::{Circumstances, Computation, LineKind, Money, compute};
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

/// The default catalog without its length cap: each tier at its own price, as a reference.
fn uncapped() -> &'static CatalogSet {
    static SET: OnceLock<CatalogSet> = OnceLock::new();
    SET.get_or_init(|| {
        let text: String = default_text()
            .lines()
            .filter(|l| !l.starts_with("length_cap"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(text, default_text(), "the default catalog has a length cap");
        let set = CatalogSet::from_sources(vec![(FILE.to_string(), text)])
            .unwrap_or_else(|p| panic!("the uncapped copy must load: {p:?}"));
        assert!(only(&set).settings.length_cap.is_none());
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

    check_schedule(&c)?;
    check_early_end(&c)?;

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

/// The payment schedule adds up to the totals to the cent, one instalment absorbs the rounding,
/// and each is well formed.
fn check_schedule(c: &Computation) -> Result<(), TestCaseError> {
    let s = &c.payment_schedule;
    prop_assert!(!s.is_empty(), "every computation has a schedule");
    let sum = |f: fn(&offerte::pricing::Instalment) -> Money| s.iter().map(f).sum::<Money>();
    prop_assert_eq!(sum(|i| i.excl_vat), c.totals.excl_vat, "Σ instalments excl");
    prop_assert_eq!(sum(|i| i.vat), c.totals.vat, "Σ instalments BTW");
    prop_assert_eq!(sum(|i| i.incl_vat), c.totals.incl_vat, "Σ instalments incl");
    prop_assert_eq!(
        s.iter().filter(|i| i.absorbs_rounding).count(),
        1,
        "exactly one instalment absorbs the rounding"
    );
    let monthly = s.iter().filter(|i| i.due == DueEvent::Monthly).count();
    prop_assert!(
        monthly % c.tier.months as usize == 0,
        "a monthly share gives one instalment per month: {} for {} months",
        monthly,
        c.tier.months
    );
    for i in s {
        for (what, m) in [("excl", i.excl_vat), ("vat", i.vat), ("incl", i.incl_vat)] {
            two_decimals(&format!("instalment {what}"), m)?;
            not_negative(&format!("instalment {} {what}", i.label), m)?;
        }
        prop_assert_eq!(i.incl_vat, i.excl_vat + i.vat, "instalment {}", &i.label);
        prop_assert!(!i.label.trim().is_empty());
        prop_assert_eq!(
            i.due_date.is_none(),
            i.due == DueEvent::Acceptance,
            "a due date exactly where the event's date is known: {:?}",
            i
        );
        if let Some(due) = i.due_date {
            let days = (due - c.tier.starts_on).num_days();
            let last = (c.tier.ends_on - c.tier.starts_on).num_days() + i64::from(i.term_days);
            prop_assert!(
                (i64::from(i.term_days)..=last).contains(&days),
                "due between the start and the end plus the term: {:?}",
                i
            );
        }
    }
    Ok(())
}

/// One early-end row per month, never falling, the last one the totals.
fn check_early_end(c: &Computation) -> Result<(), TestCaseError> {
    let rows = &c.early_end;
    prop_assert_eq!(rows.len(), c.tier.months as usize, "one row per month");
    for (k, row) in rows.iter().enumerate() {
        prop_assert_eq!(row.after_month as usize, k + 1);
        two_decimals("early-end excl", row.excl_vat)?;
        two_decimals("early-end incl", row.incl_vat)?;
        not_negative("early-end excl", row.excl_vat)?;
        not_negative("early-end vat", row.vat)?;
        prop_assert_eq!(row.incl_vat, row.excl_vat + row.vat);
        prop_assert!(row.excl_vat <= c.totals.excl_vat && row.incl_vat <= c.totals.incl_vat);
    }
    for pair in rows.windows(2) {
        prop_assert!(
            pair[1].excl_vat >= pair[0].excl_vat && pair[1].incl_vat >= pair[0].incl_vat,
            "the early-end table falls: {:?}",
            pair
        );
    }
    let last = rows.last().expect("at least one month");
    prop_assert_eq!(
        (last.excl_vat, last.vat, last.incl_vat),
        (c.totals.excl_vat, c.totals.vat, c.totals.incl_vat),
        "the last row is the totals"
    );
    Ok(())
}

/// The months `tier` runs in case `c` (the until-the-end tier: the months left).
fn months_of(catalog: &Catalog, c: &Computation, tier: &str) -> u32 {
    match catalog.tier(tier).expect("a tier").duration {
        offerte::catalog::TierDuration::Months(m) => m,
        offerte::catalog::TierDuration::UntilWaitingPeriodEnd => c.timeline.months_available,
    }
}

/// No trajectory costs more (excl. and incl. BTW) than a package that runs at least as long, for
/// the same circumstances. A package that fits is compared at the price the quote shows for it;
/// one that does not fit (it would run past the waiting period) at its own price, read from the
/// catalog without the cap for a start on the first sick day, where it fits (the default
/// catalog's line rules read neither the start week nor the months available, so the start
/// changes nothing else of a fixed-length package).
fn check_no_more_for_less(input: &Circumstances) -> Result<(), TestCaseError> {
    let Ok(c) = compute(per_total(), input, today()) else {
        return Ok(());
    };
    let catalog = only(per_total());
    for a in &c.alternatives {
        let months = months_of(catalog, &c, &a.code);
        prop_assert_eq!(months, a.months);
        for other in &catalog.tiers {
            if other.code == a.code || months_of(catalog, &c, &other.code) < months {
                continue;
            }
            let (excl, incl) = match c.alternatives.iter().find(|x| x.code == other.code) {
                Some(x) => (x.excl_vat, x.incl_vat),
                None => {
                    let longer = Circumstances {
                        tier: Some(other.code.clone()),
                        start_date: Some(input.first_sick_day),
                        ..input.clone()
                    };
                    let own = compute(uncapped(), &longer, today()).map_err(|e| {
                        TestCaseError::fail(format!("{} with room: {e}", other.code))
                    })?;
                    (own.totals.excl_vat, own.totals.incl_vat)
                }
            };
            prop_assert!(
                a.excl_vat <= excl && a.incl_vat <= incl,
                "{} ({} months) costs {}/{}, more than {} ({} months) at {}/{}",
                &a.code,
                months,
                a.excl_vat,
                a.incl_vat,
                &other.code,
                months_of(catalog, &c, &other.code),
                excl,
                incl
            );
        }
    }
    Ok(())
}

/// Circumstances that start in the last 40 weeks before the waiting period ends (down to its
/// last day), where the until-the-end tier runs shortest.
fn late_starts() -> impl Strategy<Value = Circumstances> {
    (circumstances(only(per_total())), 1u64..=280).prop_map(|(mut input, days_before)| {
        let end = input.waiting_period_end.unwrap_or_else(|| {
            offerte::pricing::clock::statutory_waiting_period_end(input.first_sick_day)
                .expect("a date")
        });
        let start = (end - Days::new(days_before)).max(input.first_sick_day);
        input.start_date = Some(start);
        input
    })
}

/// A payment schedule as catalog text: 1 to 5 instalments on random events, some as fixed
/// amounts, the shares (at least one) cut from 100% at random hundredths.
fn schedules() -> impl Strategy<Value = String> {
    let instalment = (
        select(vec![
            "acceptance",
            "start",
            "after_months",
            "end",
            "monthly",
        ]),
        1u32..=30,
        prop::option::of(1u32..=500_000),
    );
    (
        prop::collection::vec(instalment, 1..=5),
        prop::collection::btree_set(1u32..10_000, 0..=4),
        0u32..=60,
    )
        .prop_map(|(mut parts, cuts, term_days)| {
            // Monthly instalments are shares; the last instalment is a share, so there is one.
            for (on, _, amount) in parts.iter_mut() {
                if *on == "monthly" {
                    *amount = None;
                }
            }
            if let Some(last) = parts.last_mut() {
                last.2 = None;
            }
            let shares = parts.iter().filter(|p| p.2.is_none()).count();
            let mut bounds: std::collections::BTreeSet<u32> =
                cuts.into_iter().take(shares - 1).collect();
            // Fewer random cuts than shares: cut the rest at the highest hundredths below 100%
            // not cut yet (each share stays above 0).
            let mut next = 9_999;
            while bounds.len() < shares - 1 {
                bounds.insert(next);
                next -= 1;
            }
            let mut bounds: Vec<u32> = bounds.into_iter().collect();
            bounds.push(10_000);
            let mut shares = bounds
                .iter()
                .scan(0u32, |from, to| {
                    let share = to - *from;
                    *from = *to;
                    Some(share)
                })
                .collect::<Vec<_>>()
                .into_iter();
            let lines: Vec<String> = parts
                .iter()
                .map(|(on, months, amount)| {
                    let months = if *on == "after_months" {
                        format!(", months = {months}")
                    } else {
                        String::new()
                    };
                    match amount {
                        Some(cents) => format!(
                            "  {{ on = \"{on}\"{months}, amount = \"{}.{:02}\" }},",
                            cents / 100,
                            cents % 100
                        ),
                        None => {
                            let share = shares.next().unwrap_or(0);
                            format!(
                                "  {{ on = \"{on}\"{months}, share = \"{}.{:02}\" }},",
                                share / 100,
                                share % 100
                            )
                        }
                    }
                })
                .collect();
            format!(
                "[payment]\nterm_days = {term_days}\ninstalments = [\n{}\n]\n",
                lines.join("\n")
            )
        })
}

/// The default catalog with `schedule` as the payment schedule of every tier, rounding BTW per
/// line or per total.
fn with_schedule(schedule: &str, per_line: bool) -> Result<CatalogSet, String> {
    let text = default_text();
    let start = text.find("\n[payment]\n").expect("a [payment] table") + 1;
    let end = start + text[start..].find("\n]\n").expect("its end") + 3;
    let mut text = format!("{}{}{}", &text[..start], schedule, &text[end..]);
    let own = text
        .find("\n[tiers.payment]\n")
        .expect("a tier's own schedule")
        + 1;
    let own_end = own + text[own..].find("\n]\n").expect("its end") + 3;
    text.replace_range(own..own_end, "");
    if per_line {
        text = text.replace("rounding = \"per_total\"", "rounding = \"per_line\"");
    }
    CatalogSet::from_sources(vec![(FILE.to_string(), text)]).map_err(|p| format!("{p:?}"))
}

#[test]
fn the_default_catalog_prices_lines_the_same_whatever_the_waiting_period() {
    // The premise of `check_no_more_for_less`.
    for rule in &only(per_total()).line_rules {
        let condition = rule.when.to_string();
        for field in ["start_week", "months_available"] {
            assert!(!condition.contains(field), "{}: {condition}", rule.id);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_schedules_add_up_to_the_cent(
        schedule in schedules(),
        per_line in any::<bool>(),
        inputs in prop::collection::vec(circumstances(only(per_total())), 4),
    ) {
        let set = with_schedule(&schedule, per_line)
            .map_err(|e| TestCaseError::fail(format!("{schedule}\n{e}")))?;
        for input in &inputs {
            if let Ok(c) = compute(&set, input, today()) {
                check_schedule(&c).map_err(|e| TestCaseError::fail(format!("{schedule}\n{e}")))?;
            }
        }
    }

    #[test]
    fn no_trajectory_costs_more_than_a_longer_package(input in circumstances(only(per_total()))) {
        check_no_more_for_less(&input)?;
    }

    #[test]
    fn no_late_trajectory_costs_more_than_a_longer_package(input in late_starts()) {
        check_no_more_for_less(&input)?;
        check(per_total(), &input)?;
        check(per_line(), &input)?;
    }

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
