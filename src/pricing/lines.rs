//! Pricing the lines of a tier: its components, what the line rules add or scale, the options,
//! and the bundle adjustment. Lines are drafted without words first (every tier is priced for the
//! alternatives); only the chosen tier's lines are written out.

use rust_decimal::Decimal;

use super::computation::{Line, LineKind, Totals};
use super::money::Money;
use super::timeline::Span;
use super::totals::{LineSum, totals};
use crate::catalog::model::{Component, LineRule, Quantity};
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
    pub(super) fn price(&self, tier: &'c Tier, span: &Span) -> (Vec<Line>, Totals) {
        let drafts = self.draft(tier, span);
        let totals = self.totals(&drafts);
        let lines = drafts
            .iter()
            .map(|d| d.line(self.catalog, self.language))
            .collect();
        (lines, totals)
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
