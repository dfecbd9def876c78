//! The computation: circumstances + catalog → tier, lines, totals, alternatives, explanation.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::circumstances::Circumstances;
use super::clock;
use super::computation::{
    Alternative, CatalogRef, ChosenTier, Computation, Explanation, Line, LineKind, Milestone,
    Selection, Timeline, Totals, VatLine, Warning,
};
use super::error::{FieldError, InputError};
use super::messages as msg;
use super::money::Money;
use crate::catalog::model::{Component, LineRule, Quantity};
use crate::catalog::rules::Facts;
use crate::catalog::{
    Catalog, CatalogSet, Intensity, Item, Language, Rounding, Text, Tier, TierDuration, Unit,
};

/// The earliest first sick day the service accepts.
const EARLIEST_FIRST_SICK_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
/// How far an explicit waiting-period end may lie past the statutory one: a loonsanctie
/// (up to 52 weeks) plus a voluntary extension (up to 52 weeks).
const MAX_EXTENSION_WEEKS: u64 = 104;

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

fn choose_tier<'c>(
    catalog: &'c Catalog,
    input: &Circumstances,
    clock: &Clock,
    recommended: &'c Tier,
) -> Result<(&'c Tier, Selection), InputError> {
    if let Some(code) = &input.tier {
        let tier = catalog.tier(code).ok_or_else(|| {
            let known: Vec<&str> = catalog.tiers.iter().map(|t| t.code.as_str()).collect();
            InputError::one(
                "tier",
                "unknown_tier",
                format!("unknown tier `{code}`; known: {}", known.join(", ")),
            )
        })?;
        let span = clock.span(tier);
        if !clock.fits(&span) {
            return Err(InputError::one(
                "tier",
                "not_eligible",
                format!(
                    "tier `{code}` would end on {}, after the end of the waiting period ({})",
                    span.ends_on, clock.wpe
                ),
            ));
        }
        let selection = if tier.code == recommended.code {
            Selection::Rule
        } else {
            Selection::Override
        };
        return Ok((tier, selection));
    }
    if clock.fits(&clock.span(recommended)) {
        Ok((recommended, Selection::Rule))
    } else {
        Ok((catalog.until_end_tier(), Selection::Fallback))
    }
}

/// Within each group the first matching rule applies; groups in order of first appearance.
fn select_line_rules<'c>(catalog: &'c Catalog, facts: &Facts) -> Vec<&'c LineRule> {
    let mut decided: Vec<&str> = Vec::new();
    let mut applied = Vec::new();
    for rule in &catalog.line_rules {
        if decided.contains(&rule.group.as_str()) {
            continue;
        }
        if rule.when.matches(facts) {
            decided.push(&rule.group);
            applied.push(rule);
        }
    }
    applied
}

fn resolve_options<'c>(
    catalog: &'c Catalog,
    codes: &[String],
) -> Result<Vec<&'c Item>, InputError> {
    let mut errors = Vec::new();
    let mut items: Vec<&Item> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let field = format!("options[{i}]");
        match catalog.item(code) {
            None => errors.push(FieldError {
                field,
                code: "unknown_item".into(),
                message: format!("unknown item `{code}`"),
            }),
            Some(item) if items.iter().any(|x| x.code == item.code) => errors.push(FieldError {
                field,
                code: "duplicate".into(),
                message: format!("item `{code}` is already in the options"),
            }),
            Some(item) => items.push(item),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(InputError { errors })
    }
}

/// When a tier would run.
struct Span {
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    months: u32,
}

/// The checked dates of a case.
struct Clock {
    first_sick_day: NaiveDate,
    statutory: NaiveDate,
    wpe: NaiveDate,
    start: NaiveDate,
    start_week: u32,
    months_available: u32,
}

impl Clock {
    fn new(
        input: &Circumstances,
        quote_date: NaiveDate,
        today: NaiveDate,
    ) -> Result<Clock, InputError> {
        let first = input.first_sick_day;
        let mut errors = Vec::new();
        let mut refuse = |field: &str, code: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                code: code.into(),
                message,
            })
        };
        if first < EARLIEST_FIRST_SICK_DAY {
            refuse(
                "first_sick_day",
                "out_of_range",
                format!("must be {EARLIEST_FIRST_SICK_DAY} or later"),
            );
        }
        if first > quote_date {
            refuse(
                "first_sick_day",
                "after_quote_date",
                format!(
                    "lies after the quote date ({quote_date}); a quote is for someone who is already sick"
                ),
            );
        }
        let statutory = clock::statutory_waiting_period_end(first).unwrap_or(NaiveDate::MAX);
        let latest = statutory
            .checked_add_days(Days::new(MAX_EXTENSION_WEEKS * 7))
            .unwrap_or(NaiveDate::MAX);
        let wpe = match input.waiting_period_end {
            Some(end) if end < statutory => {
                refuse(
                    "waiting_period_end",
                    "before_statutory_end",
                    format!(
                        "lies before the statutory end of the waiting period ({statutory}); only a later end can be given"
                    ),
                );
                statutory
            }
            Some(end) if end > latest => {
                refuse(
                    "waiting_period_end",
                    "too_late",
                    format!(
                        "lies more than {MAX_EXTENSION_WEEKS} weeks after the statutory end ({statutory})"
                    ),
                );
                statutory
            }
            Some(end) => end,
            None => statutory,
        };
        let start = input.start_date.unwrap_or(today);
        if start < first {
            refuse(
                "start_date",
                "before_first_sick_day",
                format!("lies before the first sick day ({first})"),
            );
        } else if start >= wpe {
            refuse(
                "start_date",
                "after_waiting_period",
                format!(
                    "the trajectory would start on {start}, on or after the end of the waiting period ({wpe}): \
                     that is no longer a second-track trajectory"
                ),
            );
        }
        if !errors.is_empty() {
            return Err(InputError { errors });
        }
        Ok(Clock {
            first_sick_day: first,
            statutory,
            wpe,
            start,
            start_week: clock::week_of_sickness(first, start),
            months_available: clock::months_covering(start, wpe),
        })
    }

    fn extended(&self) -> bool {
        self.wpe != self.statutory
    }

    fn span(&self, tier: &Tier) -> Span {
        match tier.duration {
            TierDuration::Months(months) => Span {
                starts_on: self.start,
                ends_on: clock::end_after_months(self.start, months).unwrap_or(NaiveDate::MAX),
                months,
            },
            TierDuration::UntilWaitingPeriodEnd => Span {
                starts_on: self.start,
                ends_on: self.wpe,
                months: self.months_available,
            },
        }
    }

    fn fits(&self, span: &Span) -> bool {
        span.ends_on <= self.wpe
    }

    fn warnings(&self, language: Language, quote_date: NaiveDate) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.start_week < 8 {
            warnings.push(Warning {
                code: "early_start".into(),
                message: msg::early_start(language, self.start_week),
            });
        }
        if self.start_week > 52 {
            warnings.push(Warning {
                code: "late_start".into(),
                message: msg::late_start(language, self.start_week),
            });
        }
        if self.start < quote_date {
            warnings.push(Warning {
                code: "started_before_quote".into(),
                message: msg::started_before_quote(language, self.start, quote_date),
            });
        }
        warnings
    }

    fn timeline(&self, language: Language, span: &Span) -> Timeline {
        let mut milestones: Vec<Milestone> = msg::MILESTONES
            .iter()
            .filter_map(|(week, code, nl, en)| {
                Some(Milestone {
                    week: *week,
                    date: clock::start_of_week(self.first_sick_day, *week)?,
                    code: (*code).into(),
                    label: msg::milestone_label(language, nl, en),
                })
            })
            .collect();
        milestones.push(Milestone {
            week: clock::week_of_sickness(self.first_sick_day, self.wpe),
            date: self.wpe,
            code: "einde_wachttijd".into(),
            label: msg::waiting_period_end_label(language),
        });
        Timeline {
            first_sick_day: self.first_sick_day,
            waiting_period_end: self.wpe,
            statutory_waiting_period_end: self.statutory,
            waiting_period_extended: self.extended(),
            start_week: self.start_week,
            trajectory_starts_on: span.starts_on,
            trajectory_ends_on: span.ends_on,
            months_available: self.months_available,
            milestones,
        }
    }
}

/// Prices tiers for one case: the same rules and options for every tier.
struct Pricer<'a> {
    catalog: &'a Catalog,
    intensity: Intensity,
    line_rules: &'a [&'a LineRule],
    options: &'a [&'a Item],
    language: Language,
}

/// A priced line before its words: what the totals need, and where its text comes from. Every
/// tier is priced (the alternatives); only the chosen tier's lines are written out.
struct Draft<'c> {
    what: Drafted<'c>,
    quantity: Decimal,
    unit_price: Money,
    vat_rate: Decimal,
    amount: Money,
    exempt_reason: Option<&'c Text>,
    source: Source<'c>,
}

enum Drafted<'c> {
    Item(&'c Item),
    /// The bundle adjustment of this tier.
    Adjustment(&'c Tier),
}

enum Source<'c> {
    Tier,
    Rule(&'c str),
    Option,
    Bundle,
}

impl Draft<'_> {
    fn line(&self, catalog: &Catalog, language: Language) -> Line {
        let settings = &catalog.settings;
        let (code, kind, name, description, unit) = match self.what {
            Drafted::Item(item) => (
                item.code.clone(),
                LineKind::Item,
                &item.name,
                item.description.get(language),
                item.unit,
            ),
            Drafted::Adjustment(tier) => (
                "bundle_adjustment".to_string(),
                LineKind::BundleAdjustment,
                if self.amount.is_negative() {
                    &settings.discount_name
                } else {
                    &settings.surcharge_name
                },
                tier.name.get(language),
                Unit::OneOff,
            ),
        };
        Line {
            code,
            kind,
            name: name.get(language).to_string(),
            description: description.to_string(),
            quantity: self.quantity,
            unit,
            unit_price: self.unit_price,
            vat_rate: self.vat_rate,
            amount: self.amount,
            vat_exempt_reason: self.exempt_reason.map(|r| r.get(language).to_string()),
            source: match self.source {
                Source::Tier => "tier".to_string(),
                Source::Rule(id) => format!("rule:{id}"),
                Source::Option => "option".to_string(),
                Source::Bundle => "bundle".to_string(),
            },
        }
    }
}

impl<'c> Pricer<'c> {
    /// The lines of the chosen tier, with their words, and the totals.
    fn price(&self, tier: &'c Tier, span: &Span) -> (Vec<Line>, Totals) {
        let drafts = self.draft(tier, span);
        let totals = self.totals(&drafts);
        let lines = drafts
            .iter()
            .map(|d| d.line(self.catalog, self.language))
            .collect();
        (lines, totals)
    }

    /// The totals of a tier (an alternative).
    fn totals(&self, drafts: &[Draft<'_>]) -> Totals {
        totals(
            drafts.iter().map(|d| LineSum {
                amount: d.amount,
                vat_rate: d.vat_rate,
                exempt_reason: d.exempt_reason.map(|r| r.get(self.language)),
            }),
            self.catalog.settings.rounding,
        )
    }

    fn draft(&self, tier: &'c Tier, span: &Span) -> Vec<Draft<'c>> {
        let mut lines: Vec<Draft<'c>> = tier
            .lines
            .iter()
            .map(|c| self.component_line(c, span.months, self.intensity, Source::Tier))
            .collect();
        for rule in self.line_rules {
            for scale in &rule.scale {
                for line in lines
                    .iter_mut()
                    .filter(|l| matches!(l.what, Drafted::Item(item) if item.code == scale.item))
                {
                    line.quantity = (line.quantity * scale.factor).normalize();
                    line.amount = Money::round(line.quantity * line.unit_price.amount());
                }
            }
            for c in &rule.add {
                lines.push(self.component_line(
                    c,
                    span.months,
                    self.intensity,
                    Source::Rule(&rule.id),
                ));
            }
        }
        for item in self.options {
            let quantity = if item.unit == Unit::Month {
                Decimal::from(span.months)
            } else {
                Decimal::ONE
            };
            lines.push(self.item_line(item, quantity, Source::Option));
        }
        if let Some(bundle) = tier.bundle_price {
            let standard: Money = tier
                .lines
                .iter()
                .map(|c| {
                    self.component_line(c, span.months, Intensity::Standard, Source::Tier)
                        .amount
                })
                .sum();
            let difference = Money::round(bundle) - standard;
            if difference != Money::ZERO {
                lines.push(self.adjustment_line(tier, difference));
            }
        }
        lines
    }

    fn component_line(
        &self,
        c: &Component,
        months: u32,
        intensity: Intensity,
        source: Source<'c>,
    ) -> Draft<'c> {
        let item = self
            .catalog
            .item(&c.item)
            .expect("the loader checked item references");
        let months = Decimal::from(months);
        let quantity = match &c.quantity {
            Quantity::Fixed(q) => *q,
            Quantity::PerMonth(q) => *q * months,
            Quantity::HoursPerMonth(hours) => hours[&intensity] * months,
        };
        self.item_line(item, quantity, source)
    }

    fn item_line(&self, item: &'c Item, quantity: Decimal, source: Source<'c>) -> Draft<'c> {
        let category = self.catalog.vat_category(&item.vat);
        let unit_price = Money::round(item.unit_price);
        Draft {
            what: Drafted::Item(item),
            quantity: quantity.normalize(),
            unit_price,
            vat_rate: category.rate.normalize(),
            amount: Money::round(quantity * unit_price.amount()),
            exempt_reason: category.exempt_reason.as_ref(),
            source,
        }
    }

    fn adjustment_line(&self, tier: &'c Tier, difference: Money) -> Draft<'c> {
        let category = self
            .catalog
            .vat_category(&self.catalog.settings.adjustment_vat);
        Draft {
            what: Drafted::Adjustment(tier),
            quantity: Decimal::ONE,
            unit_price: difference,
            vat_rate: category.rate.normalize(),
            amount: difference,
            exempt_reason: category.exempt_reason.as_ref(),
            source: Source::Bundle,
        }
    }
}

/// What the totals need of a line.
struct LineSum<'t> {
    amount: Money,
    vat_rate: Decimal,
    exempt_reason: Option<&'t str>,
}

/// Adds the lines up per BTW rate, rounding BTW per line or per total as the catalog says.
fn totals<'t>(lines: impl Iterator<Item = LineSum<'t>> + Clone, rounding: Rounding) -> Totals {
    let mut by_rate: BTreeMap<Decimal, VatLine> = BTreeMap::new();
    for line in lines.clone() {
        let entry = by_rate.entry(line.vat_rate).or_insert_with(|| VatLine {
            rate: line.vat_rate,
            base: Money::ZERO,
            vat: Money::ZERO,
            exempt_reason: None,
        });
        entry.base = entry.base + line.amount;
        if rounding == Rounding::PerLine {
            entry.vat = entry.vat + line.amount.vat_at(line.vat_rate);
        }
        if entry.exempt_reason.is_none() {
            entry.exempt_reason = line.exempt_reason.map(str::to_string);
        }
    }
    let vat_breakdown: Vec<VatLine> = by_rate
        .into_values()
        .rev()
        .map(|mut v| {
            if rounding == Rounding::PerTotal {
                v.vat = v.base.vat_at(v.rate);
            }
            v
        })
        .collect();
    let excl_vat: Money = lines.map(|l| l.amount).sum();
    let vat: Money = vat_breakdown.iter().map(|v| v.vat).sum();
    Totals {
        excl_vat,
        vat,
        incl_vat: excl_vat + vat,
        vat_breakdown,
    }
}
