//! Pricing the lines of a tier: its components, what the line rules add or scale, the options,
//! the bundle adjustment and the minimum. Lines are drafted without words first (every tier is
//! priced for the alternatives and the length cap); only the chosen tier's lines are written out.

use rust_decimal::Decimal;

use super::computation::{Line, LineKind, Totals};
use super::money::Money;
use super::timeline::Span;
use super::totals::{LineSum, totals};
use crate::catalog::model::{Component, LineRule, PeriodCount, Quantity};
use crate::catalog::{Catalog, Intensity, Item, Language, Text, Tier, Unit};

/// Prices tiers for one case: the same rules and options for every tier.
pub(super) struct Pricer<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) intensity: Intensity,
    pub(super) line_rules: &'a [&'a LineRule],
    pub(super) options: &'a [&'a Item],
    pub(super) language: Language,
}

/// A priced line before its words: what the totals need, and where its text comes from. Every
/// tier is priced (the alternatives); only the chosen tier's lines are written out.
pub(super) struct Draft<'c> {
    what: Drafted<'c>,
    pub(super) quantity: Decimal,
    unit_price: Money,
    pub(super) vat_rate: Decimal,
    pub(super) amount: Money,
    exempt_reason: Option<&'c Text>,
    source: Source<'c>,
    /// How the line shrinks when the trajectory ends early.
    pub(super) scaling: Scaling,
}

/// How a line's quantity follows the months of the trajectory (for the early-end table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scaling {
    /// A fixed quantity, whatever the duration.
    Fixed,
    /// Quantity for every month (per month, hours per month).
    Monthly,
    /// Quantity for each of `periods` periods of `period_months` months.
    Periods { period_months: u32, periods: u32 },
    /// A bundle, minimum or length-cap adjustment.
    Adjustment,
}

enum Drafted<'c> {
    Item(&'c Item),
    /// The bundle adjustment of this tier.
    Bundle(&'c Tier),
    /// What lifts this tier to its minimum price.
    Minimum(&'c Tier),
    /// What brings the tier down to the price of this (at least as long) tier.
    LengthCap(&'c Tier),
}

enum Source<'c> {
    Tier,
    Rule(&'c str),
    Option,
    Bundle,
    Minimum,
    LengthCap,
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
            Drafted::Bundle(tier) => (
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
            Drafted::Minimum(tier) => (
                "minimum_adjustment".to_string(),
                LineKind::MinimumAdjustment,
                settings
                    .minimum_name
                    .as_ref()
                    .expect("the loader requires a minimum_name with a minimum_price"),
                tier.name.get(language),
                Unit::OneOff,
            ),
            Drafted::LengthCap(longer) => (
                "length_cap".to_string(),
                LineKind::LengthCap,
                settings
                    .length_cap
                    .as_ref()
                    .expect("a length cap line is drafted only when the catalog has one"),
                longer.name.get(language),
                Unit::OneOff,
            ),
        };
        let period_months = match self.what {
            Drafted::Item(item) => item.period_months,
            _ => None,
        };
        Line {
            code,
            kind,
            name: name.get(language).to_string(),
            description: description.to_string(),
            quantity: self.quantity,
            unit,
            period_months,
            unit_price: self.unit_price,
            vat_rate: self.vat_rate,
            amount: self.amount,
            vat_exempt_reason: self.exempt_reason.map(|r| r.get(language).to_string()),
            source: match self.source {
                Source::Tier => "tier".to_string(),
                Source::Rule(id) => format!("rule:{id}"),
                Source::Option => "option".to_string(),
                Source::Bundle => "bundle".to_string(),
                Source::Minimum => "minimum".to_string(),
                Source::LengthCap => "length_cap".to_string(),
            },
        }
    }
}

impl<'c> Pricer<'c> {
    /// The lines of the chosen tier, with their words.
    pub(super) fn lines(&self, drafts: &[Draft<'c>]) -> Vec<Line> {
        drafts
            .iter()
            .map(|d| d.line(self.catalog, self.language))
            .collect()
    }

    /// The totals of a tier (an alternative).
    pub(super) fn totals(&self, drafts: &[Draft<'_>]) -> Totals {
        totals(
            drafts.iter().map(|d| LineSum {
                amount: d.amount,
                vat_rate: d.vat_rate,
                exempt_reason: d.exempt_reason.map(|r| r.get(self.language)),
            }),
            self.catalog.settings.rounding,
        )
    }

    pub(super) fn draft(&self, tier: &'c Tier, span: &Span) -> Vec<Draft<'c>> {
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
            let (quantity, scaling) = match (item.unit, item.period_months) {
                (Unit::Month, _) => (Decimal::from(span.months), Scaling::Monthly),
                (Unit::Period, Some(period_months)) => {
                    let periods = PeriodCount::Begun.periods(span.months, period_months);
                    let scaling = Scaling::Periods {
                        period_months,
                        periods,
                    };
                    (Decimal::from(periods), scaling)
                }
                _ => (Decimal::ONE, Scaling::Fixed),
            };
            lines.push(self.item_line(item, quantity, Source::Option, scaling));
        }
        if let Some(bundle) = tier.bundle_for(span.months) {
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
                lines.push(self.adjustment(Drafted::Bundle(tier), difference, Source::Bundle));
            }
        }
        if let Some(minimum) = tier.minimum_price {
            let short = Money::round(minimum) - excl_vat(&lines);
            if short.amount() > Decimal::ZERO {
                lines.push(self.adjustment(Drafted::Minimum(tier), short, Source::Minimum));
            }
        }
        lines
    }

    /// Brings `drafts` (of a tier) down to `price` excl. BTW, the price of `longer`, a tier
    /// that runs at least as long.
    pub(super) fn cap_at(&self, drafts: &mut Vec<Draft<'c>>, longer: &'c Tier, price: Money) {
        let over = excl_vat(drafts) - price;
        if over.amount() > Decimal::ZERO {
            drafts.push(self.adjustment(Drafted::LengthCap(longer), -over, Source::LengthCap));
        }
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
        if let (Some(count), Quantity::Fixed(each)) = (c.periods, &c.quantity) {
            let period_months = item.period_months.unwrap_or(1);
            let periods = count.periods(months, period_months);
            let scaling = Scaling::Periods {
                period_months,
                periods,
            };
            return self.item_line(item, *each * Decimal::from(periods), source, scaling);
        }
        let months = Decimal::from(months);
        let (quantity, scaling) = match &c.quantity {
            Quantity::Fixed(q) => (*q, Scaling::Fixed),
            Quantity::PerMonth(q) => (*q * months, Scaling::Monthly),
            Quantity::HoursPerMonth(hours) => (hours[&intensity] * months, Scaling::Monthly),
        };
        self.item_line(item, quantity, source, scaling)
    }

    fn item_line(
        &self,
        item: &'c Item,
        quantity: Decimal,
        source: Source<'c>,
        scaling: Scaling,
    ) -> Draft<'c> {
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
            scaling,
        }
    }

    fn adjustment(&self, what: Drafted<'c>, difference: Money, source: Source<'c>) -> Draft<'c> {
        let category = self
            .catalog
            .vat_category(&self.catalog.settings.adjustment_vat);
        Draft {
            what,
            quantity: Decimal::ONE,
            unit_price: difference,
            vat_rate: category.rate.normalize(),
            amount: difference,
            exempt_reason: category.exempt_reason.as_ref(),
            source,
            scaling: Scaling::Adjustment,
        }
    }
}

impl Draft<'_> {
    pub(super) fn unit_price(&self) -> Money {
        self.unit_price
    }
}

/// The sum of the lines, excl. BTW.
pub(super) fn excl_vat(drafts: &[Draft<'_>]) -> Money {
    drafts.iter().map(|d| d.amount).sum()
}
