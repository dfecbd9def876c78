//! The price list: BTW categories, items, and tiers with their lines.

use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashSet};

use super::Ctx;
use crate::catalog::file::{ComponentFile, Exact, ItemFile, MonthsPriceFile, TierFile, VatFile};
use crate::catalog::model::{
    Component, Item, MonthsPrice, PeriodCount, Quantity, Tier, TierDuration, Unit, VatCategory,
};
use crate::catalog::vocabulary::Intensity;

/// The unit of every item, by code: what components and rules check their references against.
pub(super) fn units(items: &[Item]) -> BTreeMap<String, Unit> {
    items.iter().map(|i| (i.code.clone(), i.unit)).collect()
}

/// The longest period an item may be priced per (months).
const MAX_PERIOD_MONTHS: u32 = 24;

impl Ctx<'_> {
    pub(super) fn vat(
        &mut self,
        files: BTreeMap<String, VatFile>,
    ) -> BTreeMap<String, VatCategory> {
        let mut vat = BTreeMap::new();
        for (code, category) in files {
            let path = format!("vat.{code}");
            let rate = category.rate.0;
            if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
                self.problem(
                    format!("{path}.rate"),
                    format!("a rate is a percentage from 0 to 100 (is {rate})"),
                );
            }
            match (&category.exempt_reason, rate.is_zero()) {
                (None, true) => self.problem(
                    format!("{path}.exempt_reason"),
                    "a 0% category needs the exemption reason that is printed on the quote",
                ),
                (Some(_), false) => self.problem(
                    format!("{path}.exempt_reason"),
                    "only a 0% (exempt) category has an exemption reason",
                ),
                (Some(reason), true) => self.text(&format!("{path}.exempt_reason"), reason),
                (None, false) => {}
            }
            vat.insert(
                code,
                VatCategory {
                    rate,
                    exempt_reason: category.exempt_reason,
                },
            );
        }
        vat
    }

    pub(super) fn items(
        &mut self,
        files: Vec<ItemFile>,
        vat: &BTreeMap<String, VatCategory>,
    ) -> Vec<Item> {
        let mut item_codes = HashSet::new();
        let mut items = Vec::new();
        for (i, item) in files.into_iter().enumerate() {
            let path = format!("items[{i}]");
            self.code(
                &format!("{path}.code"),
                &item.code,
                &mut item_codes,
                "item code",
            );
            self.text(&format!("{path}.name"), &item.name);
            self.text(&format!("{path}.description"), &item.description);
            self.non_negative(&format!("{path}.unit_price"), item.unit_price.0);
            if !vat.contains_key(&item.vat) {
                self.problem(
                    format!("{path}.vat"),
                    format!("unknown VAT category `{}`", item.vat),
                );
            }
            match (item.unit, item.period_months) {
                (Unit::Period, Some(m)) if (1..=MAX_PERIOD_MONTHS).contains(&m) => {}
                (Unit::Period, Some(m)) => self.problem(
                    format!("{path}.period_months"),
                    format!("must be 1 to {MAX_PERIOD_MONTHS} (is {m})"),
                ),
                (Unit::Period, None) => self.problem(
                    format!("{path}.period_months"),
                    "an item priced per period needs `period_months`: how long a period lasts",
                ),
                (_, Some(_)) => self.problem(
                    format!("{path}.period_months"),
                    "only an item with unit `period` has `period_months`",
                ),
                (_, None) => {}
            }
            items.push(Item {
                code: item.code,
                name: item.name,
                description: item.description,
                unit: item.unit,
                unit_price: item.unit_price.0,
                vat: item.vat,
                period_months: item.period_months,
            });
        }
        items
    }

    pub(super) fn tiers(
        &mut self,
        files: Vec<TierFile>,
        units: &BTreeMap<String, Unit>,
    ) -> Vec<Tier> {
        let mut codes = HashSet::new();
        let mut tiers = Vec::new();
        for (i, tier) in files.into_iter().enumerate() {
            let path = format!("tiers[{i}]");
            self.code(&format!("{path}.code"), &tier.code, &mut codes, "tier code");
            self.text(&format!("{path}.name"), &tier.name);
            self.text(&format!("{path}.description"), &tier.description);
            for (j, phase) in tier.phases.iter().enumerate() {
                self.text(&format!("{path}.phases[{j}]"), phase);
            }
            let duration = match (tier.months, tier.until_waiting_period_end) {
                (Some(m), None | Some(false)) if (1..=24).contains(&m) => TierDuration::Months(m),
                (Some(m), None | Some(false)) => {
                    self.problem(
                        format!("{path}.months"),
                        format!("must be 1 to 24 (is {m})"),
                    );
                    TierDuration::Months(m)
                }
                (None, Some(true)) => TierDuration::UntilWaitingPeriodEnd,
                _ => {
                    self.problem(
                        path.clone(),
                        "give exactly one of `months = N` or `until_waiting_period_end = true`",
                    );
                    TierDuration::UntilWaitingPeriodEnd
                }
            };
            if let Some(price) = tier.bundle_price {
                self.non_negative(&format!("{path}.bundle_price"), price.0);
            }
            let bundle_by_months = tier
                .bundle_by_months
                .map(|p| self.months_price(&format!("{path}.bundle_by_months"), p));
            if tier.bundle_price.is_some() && bundle_by_months.is_some() {
                self.problem(
                    path.clone(),
                    "give `bundle_price` or `bundle_by_months`, not both",
                );
            }
            if let Some(price) = tier.minimum_price {
                self.non_negative(&format!("{path}.minimum_price"), price.0);
            }
            let payment = tier
                .payment
                .map(|p| self.payment(&format!("{path}.payment"), p));
            let mut seen = HashSet::new();
            let mut lines = Vec::new();
            for (j, c) in tier.lines.into_iter().enumerate() {
                let line_path = format!("{path}.lines[{j}]");
                if !seen.insert(c.item.clone()) {
                    self.problem(
                        format!("{line_path}.item"),
                        format!("item `{}` is already in this tier", c.item),
                    );
                }
                lines.extend(self.component(&line_path, c, units));
            }
            if lines.is_empty() {
                self.problem(format!("{path}.lines"), "a tier needs at least one line");
            }
            let success_fee = tier
                .success_fee
                .map(|f| self.success_fee(&format!("{path}.success_fee"), f, units));
            tiers.push(Tier {
                code: tier.code,
                name: tier.name,
                description: tier.description,
                duration,
                lines,
                bundle_price: tier.bundle_price.map(|p| p.0),
                bundle_by_months,
                minimum_price: tier.minimum_price.map(|p| p.0),
                phases: tier.phases,
                payment,
                success_fee,
            });
        }
        let until_end = tiers
            .iter()
            .filter(|t| t.duration == TierDuration::UntilWaitingPeriodEnd)
            .count();
        if until_end != 1 {
            self.problem(
                "tiers",
                format!(
                    "exactly one tier must run until the end of the waiting period (found {until_end}); \
                     it is the fallback when a shorter tier does not fit"
                ),
            );
        }
        tiers
    }

    pub(super) fn component(
        &mut self,
        path: &str,
        c: ComponentFile,
        units: &BTreeMap<String, Unit>,
    ) -> Option<Component> {
        let unit = units.get(&c.item).copied();
        if unit.is_none() {
            self.problem(format!("{path}.item"), format!("unknown item `{}`", c.item));
        }
        let per_period = unit == Some(Unit::Period);
        if c.periods.is_some() && c.per_period.is_none() {
            self.problem(
                format!("{path}.periods"),
                "`periods` goes with `per_period`",
            );
        }
        let quantity = match (c.fixed, c.per_month, c.hours_per_month, c.per_period) {
            (None, None, None, Some(Exact(q))) => {
                if !per_period && unit.is_some() {
                    self.problem(
                        format!("{path}.per_period"),
                        format!("item `{}` is not priced per period", c.item),
                    );
                }
                self.non_negative(&format!("{path}.per_period"), q);
                return Some(Component {
                    item: c.item,
                    quantity: Quantity::Fixed(q),
                    periods: Some(c.periods.unwrap_or(PeriodCount::Begun)),
                });
            }
            (_, Some(_), _, None) | (_, _, Some(_), None) if per_period => {
                self.problem(
                    path,
                    format!(
                        "item `{}` is priced per period: give `per_period` (or `fixed`)",
                        c.item
                    ),
                );
                return None;
            }
            (Some(Exact(q)), None, None, None) => {
                self.non_negative(&format!("{path}.fixed"), q);
                Quantity::Fixed(q)
            }
            (None, Some(Exact(q)), None, None) => {
                self.non_negative(&format!("{path}.per_month"), q);
                Quantity::PerMonth(q)
            }
            (None, None, Some(hours), None) => {
                if unit.is_some_and(|u| u != Unit::Hour) {
                    self.problem(
                        format!("{path}.hours_per_month"),
                        format!("item `{}` is not priced per hour", c.item),
                    );
                }
                let by_intensity = [
                    (Intensity::Light, hours.light.0),
                    (Intensity::Standard, hours.standard.0),
                    (Intensity::Intensive, hours.intensive.0),
                ];
                for (intensity, h) in by_intensity {
                    self.non_negative(&format!("{path}.hours_per_month.{intensity}"), h);
                }
                Quantity::HoursPerMonth(by_intensity.into_iter().collect())
            }
            _ => {
                self.problem(
                    path,
                    "give exactly one of `fixed`, `per_month`, `hours_per_month` or `per_period`",
                );
                return None;
            }
        };
        Some(Component {
            item: c.item,
            quantity,
            periods: None,
        })
    }

    fn months_price(&mut self, path: &str, p: MonthsPriceFile) -> MonthsPrice {
        self.non_negative(&format!("{path}.start"), p.start.0);
        self.non_negative(&format!("{path}.per_month"), p.per_month.0);
        for (key, value) in [("at_least", p.at_least), ("at_most", p.at_most)] {
            if let Some(Exact(value)) = value {
                self.non_negative(&format!("{path}.{key}"), value);
            }
        }
        if let (Some(Exact(floor)), Some(Exact(cap))) = (p.at_least, p.at_most)
            && floor > cap
        {
            self.problem(
                format!("{path}.at_least"),
                format!("the floor ({floor}) lies above the cap ({cap})"),
            );
        }
        MonthsPrice {
            start: p.start.0,
            per_month: p.per_month.0,
            at_least: p.at_least.map(|e| e.0),
            at_most: p.at_most.map(|e| e.0),
        }
    }
}
