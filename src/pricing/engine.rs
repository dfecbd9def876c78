//! The computation: circumstances + catalog → tier, lines, totals, alternatives, explanation.

use chrono::NaiveDate;

use super::circumstances::Circumstances;
use super::computation::{
    Alternative, CatalogRef, ChosenTier, Computation, Explanation, Selection,
};
use super::error::InputError;
use super::lines::Pricer;
use super::messages as msg;
use super::selection::{choose_tier, resolve_options, select_line_rules};
use super::timeline::Clock;
use crate::catalog::rules::Facts;
use crate::catalog::{CatalogSet, TierDuration};

/// Prices a case with the catalog version in force on its quote date. `today` fills in the
/// start and quote dates when the input leaves them out.
pub fn compute(
    catalogs: &CatalogSet,
    input: &Circumstances,
    today: NaiveDate,
) -> Result<Computation, InputError> {
    input.check()?;
    let language = input.language;
    let quote_date = input.quote_date.unwrap_or(today);
    let catalog = catalogs.in_force(quote_date).ok_or_else(|| {
        InputError::one(
            "quote_date",
            "no_catalog",
            format!(
                "no catalog version is in force on {quote_date}; the earliest is valid from {}",
                catalogs.earliest()
            ),
        )
    })?;
    let clock = Clock::new(input, quote_date, today)?;
    let facts = Facts {
        readiness: input.readiness,
        schooling: input.schooling,
        intensity: input.intensity,
        expected_duration_months: input.expected_duration_months,
        start_week: clock.start_week,
        months_available: clock.months_available,
    };
    let mut explanation = Vec::new();
    if clock.extended() {
        explanation.push(explain(
            "waiting_period",
            msg::waiting_period_extended(language, clock.wpe, clock.statutory),
        ));
    }

    let rule = catalog
        .tier_rules
        .iter()
        .find(|r| r.when.matches(&facts))
        .ok_or_else(|| {
            InputError::one(
                "",
                "no_rule",
                "no tier rule of the catalog matches this case; ask the catalog owner",
            )
        })?;
    let recommended = catalog
        .tier(&rule.tier)
        .expect("the loader checked tier rule targets");
    explanation.push(Explanation {
        code: "tier_rule".into(),
        rule: Some(rule.id.clone()),
        condition: Some(rule.when.to_string()),
        message: msg::rule_matched(language, rule.reason.get(language), &rule.id),
    });

    for tier in &catalog.tiers {
        let span = clock.span(tier);
        if !clock.fits(&span) {
            explanation.push(explain(
                "not_eligible",
                msg::not_eligible(language, tier.name.get(language), span.ends_on, clock.wpe),
            ));
        }
    }

    let (chosen, selected_by) = choose_tier(catalog, input, &clock, recommended)?;
    match selected_by {
        Selection::Rule => {}
        Selection::Fallback => explanation.push(explain(
            "fallback",
            msg::fallback(
                language,
                recommended.name.get(language),
                clock.span(recommended).ends_on,
                clock.wpe,
                chosen.name.get(language),
            ),
        )),
        Selection::Override => explanation.push(explain(
            "override",
            msg::overridden(
                language,
                chosen.name.get(language),
                recommended.name.get(language),
            ),
        )),
    }

    let line_rules = select_line_rules(catalog, &facts);
    for rule in &line_rules {
        explanation.push(Explanation {
            code: "line_rule".into(),
            rule: Some(rule.id.clone()),
            condition: Some(rule.when.to_string()),
            message: msg::rule_matched(language, rule.reason.get(language), &rule.id),
        });
    }
    let options = resolve_options(catalog, &input.options)?;
    for item in &options {
        explanation.push(explain(
            "option",
            msg::option_added(language, item.name.get(language)),
        ));
    }
    if chosen.bundle_price.is_some() {
        explanation.push(explain(
            "bundle",
            msg::bundle(language, chosen.name.get(language)),
        ));
    }

    let pricer = Pricer {
        catalog,
        intensity: input.intensity,
        line_rules: &line_rules,
        options: &options,
        language,
    };
    let chosen_span = clock.span(chosen);
    let (lines, totals) = pricer.price(chosen, &chosen_span);

    let alternatives = catalog
        .tiers
        .iter()
        .filter_map(|tier| {
            let span = clock.span(tier);
            clock.fits(&span).then(|| {
                let t = pricer.totals(&pricer.draft(tier, &span));
                Alternative {
                    code: tier.code.clone(),
                    name: tier.name.get(language).to_string(),
                    months: span.months,
                    starts_on: span.starts_on,
                    ends_on: span.ends_on,
                    excl_vat: t.excl_vat,
                    vat: t.vat,
                    incl_vat: t.incl_vat,
                    recommended: tier.code == recommended.code,
                    selected: tier.code == chosen.code,
                }
            })
        })
        .collect();

    Ok(Computation {
        catalog: CatalogRef {
            version: catalog.version.clone(),
            valid_from: catalog.valid_from,
            hash: catalog.hash.clone(),
        },
        language,
        quote_date,
        tier: ChosenTier {
            code: chosen.code.clone(),
            name: chosen.name.get(language).to_string(),
            description: chosen.description.get(language).to_string(),
            months: chosen_span.months,
            starts_on: chosen_span.starts_on,
            ends_on: chosen_span.ends_on,
            until_waiting_period_end: chosen.duration == TierDuration::UntilWaitingPeriodEnd,
            selected_by,
            recommended: recommended.code.clone(),
            phases: chosen
                .phases
                .iter()
                .map(|p| p.get(language).to_string())
                .collect(),
        },
        lines,
        totals,
        alternatives,
        explanation,
        warnings: clock.warnings(language, quote_date),
        timeline: clock.timeline(language, &chosen_span),
    })
}

fn explain(code: &str, message: String) -> Explanation {
    Explanation {
        code: code.into(),
        rule: None,
        condition: None,
        message,
    }
}
