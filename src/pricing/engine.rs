//! The computation: circumstances + catalog → tier, lines, totals, alternatives, explanation.

use chrono::NaiveDate;

use super::circumstances::Circumstances;
use super::computation::{
    Alternative, CatalogRef, ChosenTier, Computation, Explanation, Line, LineKind, Selection,
    Totals,
};
use super::error::InputError;
use super::lines::{self, Draft, Pricer};
use super::messages as msg;
use super::money::Money;
use super::selection::{choose_tier, resolve_options, select_line_rules};
use super::timeline::{Clock, Span};
use super::{early_end, schedule, success_fee};
use crate::catalog::rules::Facts;
use crate::catalog::select::Selection as CatalogSelection;
use crate::catalog::{CatalogSet, Language, Tier, TierDuration};

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
    let catalog = catalogs
        .select(&CatalogSelection::InForce(quote_date))
        .map_err(|e| InputError::one("quote_date", e.code(), e.to_string()))?;
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
    if chosen.bundle_price.is_some() || chosen.bundle_by_months.is_some() {
        explanation.push(explain(
            "bundle",
            msg::bundle(
                language,
                chosen.name.get(language),
                chosen.bundle_price.is_none(),
            ),
        ));
    }

    let pricer = Pricer {
        catalog,
        intensity: input.intensity,
        line_rules: &line_rules,
        options: &options,
        language,
    };
    let mut tiers = price_tiers(&pricer, &clock);
    let chosen_index = catalog
        .tiers
        .iter()
        .position(|t| t.code == chosen.code)
        .expect("the chosen tier is a tier of the catalog");
    let (chosen_span, chosen_drafts) = tiers[chosen_index]
        .take()
        .expect("the chosen tier fits, so it is priced");
    let lines = pricer.lines(&chosen_drafts);
    let totals = pricer.totals(&chosen_drafts);
    explain_price(
        &mut explanation,
        chosen,
        &chosen_span,
        &lines,
        &totals,
        language,
    );

    let alternatives = catalog
        .tiers
        .iter()
        .zip(&tiers)
        .enumerate()
        .filter_map(|(i, (tier, priced))| {
            let span = clock.span(tier);
            clock.fits(&span).then(|| {
                let t = match priced {
                    Some((_, drafts)) => pricer.totals(drafts),
                    None if i == chosen_index => totals.clone(),
                    None => unreachable!("every tier that fits is priced"),
                };
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
        payment_schedule: schedule::instalments(
            catalog.payment_for(chosen),
            &totals,
            &chosen_span,
            language,
        ),
        early_end: early_end::rows(
            &chosen_drafts,
            chosen_span.months,
            &catalog.early_end,
            catalog.settings.rounding,
            &totals,
        ),
        success_fee: success_fee::price(catalog, chosen, language),
        lines,
        totals,
        alternatives,
        explanation,
        warnings: clock.warnings(language, quote_date),
        timeline: clock.timeline(language, &chosen_span),
    })
}

/// Every tier drafted for this case, in catalog order: the tiers that fit, and with the length
/// cap every tier (a tier that does not fit still caps a shorter one). With the cap on, a tier
/// costs no more than the cheapest other tier that runs at least as long.
fn price_tiers<'c>(pricer: &Pricer<'c>, clock: &Clock) -> Vec<Option<(Span, Vec<Draft<'c>>)>> {
    let catalog = pricer.catalog;
    let cap = catalog.settings.length_cap.is_some();
    let mut tiers: Vec<Option<(Span, Vec<Draft<'c>>)>> = catalog
        .tiers
        .iter()
        .map(|tier| {
            let span = clock.span(tier);
            (cap || clock.fits(&span)).then(|| {
                let drafts = pricer.draft(tier, &span);
                (span, drafts)
            })
        })
        .collect();
    if cap {
        // Uncapped prices: the minimum over every tier at least as long is then the capped price
        // of each of them too, so capping in any order gives the same answer.
        let raw: Vec<(u32, Money)> = tiers
            .iter()
            .flatten()
            .map(|(span, drafts)| (span.months, lines::excl_vat(drafts)))
            .collect();
        for (i, priced) in tiers.iter_mut().enumerate() {
            let Some((span, drafts)) = priced else {
                continue;
            };
            let cheapest = raw
                .iter()
                .enumerate()
                .filter(|(j, (months, _))| *j != i && *months >= span.months)
                .min_by_key(|(_, (_, price))| *price);
            if let Some((j, (_, price))) = cheapest {
                pricer.cap_at(drafts, &catalog.tiers[j], *price);
            }
        }
    }
    tiers
}

/// Explains what set the chosen tier's price besides its lines: the months left, a minimum, a
/// length cap.
fn explain_price(
    explanation: &mut Vec<Explanation>,
    tier: &Tier,
    span: &Span,
    lines: &[Line],
    totals: &Totals,
    language: Language,
) {
    if tier.bundle_price.is_none()
        && let Some(policy) = &tier.bundle_by_months
    {
        explanation.push(explain(
            "months_left",
            msg::months_left(language, span.months, policy),
        ));
    }
    if lines.iter().any(|l| l.kind == LineKind::MinimumAdjustment) {
        let minimum = Money::round(tier.minimum_price.unwrap_or_default());
        explanation.push(explain("minimum", msg::minimum(language, minimum)));
    }
    if let Some(cap) = lines.iter().find(|l| l.kind == LineKind::LengthCap) {
        explanation.push(explain(
            "length_cap",
            msg::length_cap(language, &cap.description, totals.excl_vat),
        ));
    }
}

fn explain(code: &str, message: String) -> Explanation {
    Explanation {
        code: code.into(),
        rule: None,
        condition: None,
        message,
    }
}
