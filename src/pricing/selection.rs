//! Choosing what goes on the quote: the tier (rule, fallback or override), the line rules that
//! apply and the options the salesperson added.

use super::circumstances::Circumstances;
use super::computation::Selection;
use super::error::{FieldError, InputError};
use super::timeline::Clock;
use crate::catalog::model::LineRule;
use crate::catalog::rules::Facts;
use crate::catalog::{Catalog, Item, Tier};

pub(super) fn choose_tier<'c>(
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
pub(super) fn select_line_rules<'c>(catalog: &'c Catalog, facts: &Facts) -> Vec<&'c LineRule> {
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

pub(super) fn resolve_options<'c>(
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
