//! Reading catalog files and checking them. Every mistake becomes a [`Problem`] naming the file
//! and the key path, so `offerte catalog check` and a refused start say the same thing.
//!
//! One file per part of a catalog: `prices` (BTW categories, items, tiers and their lines),
//! `bureau` (who issues the quotes and how they behave), `rules` (tier and line rules and
//! their conditions), `terms` (payment schedules, the early-end policy, success fees) and
//! `reachability` (rules that can never match, cases no rule covers).

mod bureau;
mod prices;
mod reachability;
mod rules;
mod terms;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use super::Problem;
use super::file::CatalogFile;
use super::model::Catalog;
use super::terms::PaymentTerms;
use super::vocabulary::Text;

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

    /// A version's name is part of URLs and file names: 1 to 40 of letters, digits, `.`, `_`
    /// and `-`, starting with a letter or digit.
    fn version_name(&mut self, version: &str) {
        let valid = (1..=40).contains(&version.len())
            && version.starts_with(|c: char| c.is_ascii_alphanumeric())
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid {
            self.problem(
                "version",
                "use 1-40 of letters, digits, `.`, `_` and `-`, starting with a letter or digit",
            );
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
        self.version_name(&file.version);
        let valid_from = self.date("valid_from", &file.valid_from);
        let bureau = self.bureau(file.bureau);
        let vat = self.vat(file.vat);
        let settings = self.settings(file.quote, &vat);
        let items = self.items(file.items, &vat);
        let units = prices::units(&items);
        let tiers = self.tiers(file.tiers, &units);
        let mut rule_ids = HashSet::new();
        let tier_rules = self.tier_rules(file.tier_rules, &tiers, &mut rule_ids);
        let line_rules = self.line_rules(file.line_rules, &units, &mut rule_ids);
        let payment = match file.payment {
            Some(p) => self.payment("payment", p),
            None => PaymentTerms::default_terms(),
        };
        let early_end = self.early_end(file.early_end);
        let success_fee = file
            .success_fee
            .map(|f| self.success_fee("success_fee", f, &units));
        if settings.minimum_name.is_none()
            && let Some(i) = tiers.iter().position(|t| t.minimum_price.is_some())
        {
            self.problem(
                format!("tiers[{i}].minimum_price"),
                "a minimum price needs `quote.minimum_name`: the text of the line that tops up to it",
            );
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
            payment,
            early_end,
            success_fee,
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
}
