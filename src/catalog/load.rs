//! Reading catalog files and checking them. Every mistake becomes a [`Problem`] naming the file
//! and the key path, so `offerte catalog check` and a refused start say the same thing.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

use super::Problem;
use super::file::{
    BureauFile, CatalogFile, ComponentFile, ConditionFile, Exact, QuoteFile, TierFile, ValueFile,
};
use super::model::{
    Bureau, Catalog, Component, Item, LineRule, Quantity, QuoteSettings, Scale, Tier, TierDuration,
    TierRule, Unit, VatCategory,
};
use super::rules::{Condition, Field, Test, Value, representative_facts};
use super::vocabulary::{Intensity, Text};

/// Builds one catalog version from a file's name and text, or reports every problem found.
pub fn build(file: &str, text: &str) -> Result<Catalog, Vec<Problem>> {
    let mut ctx = Ctx {
        file,
        problems: Vec::new(),
    };
    let parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err((path, message)) => {
            ctx.problem(path, message);
            return Err(ctx.problems);
        }
    };
    let catalog = ctx.catalog(parsed, text);
    match catalog {
        Some(catalog) if ctx.problems.is_empty() => Ok(catalog),
        _ => Err(ctx.problems),
    }
}

fn parse(text: &str) -> Result<CatalogFile, (String, String)> {
    let deserializer =
        toml::Deserializer::parse(text).map_err(|e| (String::new(), describe(&e, text)))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, describe(e.inner(), text))
    })
}

/// A toml error as one line with its line number.
fn describe(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim().replace('\n', " ");
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("{message} (line {line})")
        }
        None => message,
    }
}

struct Ctx<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            path: path.into(),
            message: message.into(),
        });
    }

    fn not_blank(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.problem(path, "must not be empty");
        }
    }

    fn text(&mut self, path: &str, text: &Text) {
        self.not_blank(&format!("{path}.nl"), &text.nl);
        self.not_blank(&format!("{path}.en"), &text.en);
    }

    fn non_negative(&mut self, path: &str, value: Decimal) {
        if value.is_sign_negative() && !value.is_zero() {
            self.problem(path, format!("must not be negative (is {value})"));
        }
    }

    fn code(&mut self, path: &str, code: &str, seen: &mut HashSet<String>, what: &str) {
        let valid = !code.is_empty()
            && code.len() <= 40
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            self.problem(
                path,
                format!("`{code}` is not a valid code: use 1-40 of a-z, 0-9, `_` and `-`"),
            );
        } else if !seen.insert(code.to_string()) {
            self.problem(path, format!("duplicate {what} `{code}`"));
        }
    }

    fn catalog(&mut self, file: CatalogFile, text: &str) -> Option<Catalog> {
        self.not_blank("version", &file.version);
        let valid_from = self.date("valid_from", &file.valid_from);
        let bureau = self.bureau(file.bureau);

        let mut vat = BTreeMap::new();
        for (code, category) in file.vat {
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

        let settings = self.settings(file.quote, &vat);

        let mut item_codes = HashSet::new();
        let mut items = Vec::new();
        for (i, item) in file.items.into_iter().enumerate() {
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
            items.push(Item {
                code: item.code,
                name: item.name,
                description: item.description,
                unit: item.unit,
                unit_price: item.unit_price.0,
                vat: item.vat,
            });
        }
        let units: BTreeMap<String, Unit> =
            items.iter().map(|i| (i.code.clone(), i.unit)).collect();

        let tiers = self.tiers(file.tiers, &units);
        let tier_codes: HashSet<&str> = tiers.iter().map(|t| t.code.as_str()).collect();

        let mut rule_ids = HashSet::new();
        let mut tier_rules = Vec::new();
        for (i, rule) in file.tier_rules.into_iter().enumerate() {
            let path = format!("tier_rules[{i}]");
            self.code(&format!("{path}.id"), &rule.id, &mut rule_ids, "rule id");
            if !tier_codes.contains(rule.tier.as_str()) {
                self.problem(
                    format!("{path}.tier"),
                    format!("unknown tier `{}`", rule.tier),
                );
            }
            self.text(&format!("{path}.reason"), &rule.reason);
            let when = self.when(&format!("{path}.when"), rule.when);
            tier_rules.push(TierRule {
                id: rule.id,
                when,
                tier: rule.tier,
                reason: rule.reason,
            });
        }
        if tier_rules.is_empty() {
            self.problem(
                "tier_rules",
                "a catalog needs at least one tier rule to recommend a tier",
            );
        }

        let mut line_rules = Vec::new();
        for (i, rule) in file.line_rules.into_iter().enumerate() {
            let path = format!("line_rules[{i}]");
            self.code(&format!("{path}.id"), &rule.id, &mut rule_ids, "rule id");
            self.not_blank(&format!("{path}.group"), &rule.group);
            self.text(&format!("{path}.reason"), &rule.reason);
            let when = self.when(&format!("{path}.when"), rule.when);
            let add = rule
                .add
                .into_iter()
                .enumerate()
                .filter_map(|(j, c)| self.component(&format!("{path}.add[{j}]"), c, &units))
                .collect::<Vec<_>>();
            let mut scale = Vec::new();
            for (j, s) in rule.scale.into_iter().enumerate() {
                if !units.contains_key(&s.item) {
                    self.problem(
                        format!("{path}.scale[{j}].item"),
                        format!("unknown item `{}`", s.item),
                    );
                }
                self.non_negative(&format!("{path}.scale[{j}].factor"), s.factor.0);
                scale.push(Scale {
                    item: s.item,
                    factor: s.factor.0,
                });
            }
            if add.is_empty() && scale.is_empty() {
                self.problem(
                    path,
                    "a line rule needs `add` or `scale` (it would do nothing)",
                );
            }
            line_rules.push(LineRule {
                id: rule.id,
                group: rule.group,
                when,
                add,
                scale,
                reason: rule.reason,
            });
        }

        if self.problems.is_empty() {
            self.reachability(&tier_rules, &line_rules);
        }

        Some(Catalog {
            version: file.version,
            valid_from: valid_from?,
            hash: hex::encode(Sha256::digest(text.as_bytes())),
            file: self.file.to_string(),
            bureau,
            settings,
            vat,
            items,
            tiers,
            tier_rules,
            line_rules,
        })
    }

    fn date(&mut self, path: &str, value: &toml::value::Datetime) -> Option<NaiveDate> {
        let date = match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
            }
            _ => None,
        };
        if date.is_none() {
            self.problem(
                path,
                format!("`{value}` is not a plain date such as 2024-01-01"),
            );
        }
        date
    }

    fn bureau(&mut self, b: BureauFile) -> Bureau {
        for (key, value) in [
            ("name", &b.name),
            ("street", &b.street),
            ("postal_code", &b.postal_code),
            ("city", &b.city),
            ("btw_number", &b.btw_number),
            ("iban", &b.iban),
            ("email", &b.email),
            ("phone", &b.phone),
        ] {
            self.not_blank(&format!("bureau.{key}"), value);
        }
        if b.kvk.len() != 8 || !b.kvk.chars().all(|c| c.is_ascii_digit()) {
            self.problem(
                "bureau.kvk",
                format!("a KvK number is 8 digits (is `{}`)", b.kvk),
            );
        }
        let mut colour = |key: &str, value: Option<String>, default: &str| -> String {
            let value = value.unwrap_or_else(|| default.to_string());
            let valid = value.len() == 7
                && value.starts_with('#')
                && value[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                self.problem(
                    format!("bureau.{key}"),
                    format!("`{value}` is not a colour like #1f4e79"),
                );
            }
            value
        };
        let primary_colour = colour("primary_colour", b.primary_colour, "#1f4e79");
        let accent_colour = colour("accent_colour", b.accent_colour, "#e07a1f");
        Bureau {
            name: b.name,
            street: b.street,
            postal_code: b.postal_code,
            city: b.city,
            kvk: b.kvk,
            btw_number: b.btw_number,
            iban: b.iban,
            email: b.email,
            phone: b.phone,
            website: b.website,
            logo: b.logo,
            logo_image: None,
            primary_colour,
            accent_colour,
        }
    }

    fn settings(&mut self, q: QuoteFile, vat: &BTreeMap<String, VatCategory>) -> QuoteSettings {
        if !(1..=365).contains(&q.validity_days) {
            self.problem(
                "quote.validity_days",
                format!("must be 1 to 365 days (is {})", q.validity_days),
            );
        }
        if !vat.contains_key(&q.adjustment_vat) {
            self.problem(
                "quote.adjustment_vat",
                format!("unknown VAT category `{}`", q.adjustment_vat),
            );
        }
        self.text("quote.discount_name", &q.discount_name);
        self.text("quote.surcharge_name", &q.surcharge_name);
        QuoteSettings {
            validity_days: q.validity_days,
            rounding: q.rounding,
            adjustment_vat: q.adjustment_vat,
            discount_name: q.discount_name,
            surcharge_name: q.surcharge_name,
        }
    }

    fn tiers(&mut self, files: Vec<TierFile>, units: &BTreeMap<String, Unit>) -> Vec<Tier> {
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
            tiers.push(Tier {
                code: tier.code,
                name: tier.name,
                description: tier.description,
                duration,
                lines,
                bundle_price: tier.bundle_price.map(|p| p.0),
                phases: tier.phases,
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

    fn component(
        &mut self,
        path: &str,
        c: ComponentFile,
        units: &BTreeMap<String, Unit>,
    ) -> Option<Component> {
        let unit = units.get(&c.item).copied();
        if unit.is_none() {
            self.problem(format!("{path}.item"), format!("unknown item `{}`", c.item));
        }
        let quantity = match (c.fixed, c.per_month, c.hours_per_month) {
            (Some(Exact(q)), None, None) => {
                self.non_negative(&format!("{path}.fixed"), q);
                Quantity::Fixed(q)
            }
            (None, Some(Exact(q)), None) => {
                self.non_negative(&format!("{path}.per_month"), q);
                Quantity::PerMonth(q)
            }
            (None, None, Some(hours)) => {
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
                    "give exactly one of `fixed`, `per_month` or `hours_per_month`",
                );
                return None;
            }
        };
        Some(Component {
            item: c.item,
            quantity,
        })
    }

    fn when(&mut self, path: &str, when: Option<ConditionFile>) -> Condition {
        match when {
            None => Condition::Always,
            Some(c) => self.condition(path, c),
        }
    }

    fn condition(&mut self, path: &str, c: ConditionFile) -> Condition {
        let shapes = [
            c.all.is_some(),
            c.any.is_some(),
            c.not.is_some(),
            c.field.is_some(),
        ]
        .into_iter()
        .filter(|s| *s)
        .count();
        if shapes != 1 {
            self.problem(
                path,
                "a condition needs exactly one of `all`, `any`, `not` or `field`",
            );
            return Condition::Always;
        }
        let list = |ctx: &mut Self, key: &str, parts: Vec<ConditionFile>| -> Vec<Condition> {
            if parts.is_empty() {
                ctx.problem(
                    format!("{path}.{key}"),
                    "an empty list: give at least one condition",
                );
            }
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| ctx.condition(&format!("{path}.{key}[{i}]"), p))
                .collect()
        };
        if let Some(parts) = c.all {
            return Condition::All(list(self, "all", parts));
        }
        if let Some(parts) = c.any {
            return Condition::Any(list(self, "any", parts));
        }
        if let Some(inner) = c.not {
            return Condition::Not(Box::new(self.condition(&format!("{path}.not"), *inner)));
        }
        let name = c.field.unwrap_or_default();
        let Some(field) = Field::parse(&name) else {
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
            self.problem(
                format!("{path}.field"),
                format!("unknown field `{name}`; known: {}", known.join(", ")),
            );
            return Condition::Always;
        };
        let values = match (c.equals, c.in_) {
            (Some(v), None) => Some(vec![v]),
            (None, Some(vs)) => Some(vs),
            (None, None) => None,
            (Some(_), Some(_)) => {
                self.problem(path, "give `equals` or `in`, not both");
                return Condition::Always;
            }
        };
        let test = match (values, c.at_least, c.at_most) {
            (Some(values), None, None) => Test::In(self.values(path, field, values)),
            (None, Some(min), None) => {
                Test::AtLeast(self.number(&format!("{path}.at_least"), field, min))
            }
            (None, None, Some(max)) => {
                Test::AtMost(self.number(&format!("{path}.at_most"), field, max))
            }
            (None, Some(min), Some(max)) => Test::Between(
                self.number(&format!("{path}.at_least"), field, min),
                self.number(&format!("{path}.at_most"), field, max),
            ),
            _ => {
                self.problem(path, "a leaf needs `equals`, `in`, or `at_least`/`at_most`");
                return Condition::Always;
            }
        };
        Condition::Leaf { field, test }
    }

    fn values(&mut self, path: &str, field: Field, values: Vec<ValueFile>) -> Vec<Value> {
        if values.is_empty() {
            self.problem(format!("{path}.in"), "an empty list can never match");
        }
        let allowed = field.allowed_texts();
        values
            .into_iter()
            .map(|v| match (v, &allowed) {
                (ValueFile::Text(t), Some(allowed)) => {
                    if !allowed.contains(&t.as_str()) {
                        self.problem(
                            path,
                            format!(
                                "`{t}` is not a value of {field}; known: {}",
                                allowed.join(", ")
                            ),
                        );
                    }
                    Value::Text(t)
                }
                (ValueFile::Number(n), None) => Value::Number(self.number(path, field, n)),
                (ValueFile::Text(t), None) => {
                    self.problem(path, format!("{field} is a number, not `{t}`"));
                    Value::Text(t)
                }
                (ValueFile::Number(n), Some(_)) => {
                    self.problem(path, format!("{field} is a word, not the number {n}"));
                    Value::Number(n)
                }
            })
            .collect()
    }

    fn number(&mut self, path: &str, field: Field, n: u32) -> u32 {
        match field.numeric_range() {
            None => self.problem(
                path,
                format!("{field} is a word: compare it with `equals` or `in`"),
            ),
            Some((lo, hi)) if !(lo..=hi).contains(&n) => self.problem(
                path,
                format!("{field} runs from {lo} to {hi}; {n} can never match"),
            ),
            Some(_) => {}
        }
        n
    }

    /// Reports rules that can never match (a contradiction, or earlier rules in the same group
    /// take every case), and cases no tier rule covers.
    fn reachability(&mut self, tier_rules: &[TierRule], line_rules: &[LineRule]) {
        let tier_group: Vec<(usize, &str, &Condition, String)> = tier_rules
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.id.as_str(), &r.when, format!("tier_rules[{i}].when")))
            .collect();
        let uncovered = self.group_reachability(&tier_group);
        if let Some(facts) = uncovered {
            self.problem(
                "tier_rules",
                format!(
                    "no tier rule matches a case with readiness = {}, schooling = {}, intensity = {}: \
                     end with a rule without `when`",
                    facts.readiness, facts.schooling, facts.intensity
                ),
            );
        }
        let mut groups: Vec<&str> = Vec::new();
        for rule in line_rules {
            if !groups.contains(&rule.group.as_str()) {
                groups.push(&rule.group);
            }
        }
        for group in groups {
            let members: Vec<_> = line_rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.group == group)
                .map(|(i, r)| (i, r.id.as_str(), &r.when, format!("line_rules[{i}].when")))
                .collect();
            self.group_reachability(&members);
        }
    }

    /// Checks one first-match-wins group; returns a case no rule in it matches, if any.
    fn group_reachability(
        &mut self,
        rules: &[(usize, &str, &Condition, String)],
    ) -> Option<super::rules::Facts> {
        let conditions: Vec<&Condition> = rules.iter().map(|r| r.2).collect();
        let grid = representative_facts(&conditions);
        let mut first_matches = vec![false; rules.len()];
        let mut ever_matches = vec![false; rules.len()];
        let mut uncovered = None;
        for facts in &grid {
            let mut winner = None;
            for (k, rule) in rules.iter().enumerate() {
                if rule.2.matches(facts) {
                    ever_matches[k] = true;
                    winner.get_or_insert(k);
                }
            }
            match winner {
                Some(k) => first_matches[k] = true,
                None => {
                    uncovered.get_or_insert(*facts);
                }
            }
        }
        for (k, (_, id, _, path)) in rules.iter().enumerate() {
            if !ever_matches[k] {
                self.problem(
                    path.clone(),
                    format!("rule `{id}` can never match: its condition contradicts itself"),
                );
            } else if !first_matches[k] {
                let earlier: Vec<String> =
                    rules[..k].iter().map(|r| format!("`{}`", r.1)).collect();
                self.problem(
                    path.clone(),
                    format!(
                        "rule `{id}` can never match: every case it matches is taken first by {}",
                        earlier.join(", ")
                    ),
                );
            }
        }
        uncovered
    }
}
