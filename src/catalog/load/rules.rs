//! Tier rules and line rules, and the conditions they are written with.

use std::collections::{BTreeMap, HashSet};

use super::Ctx;
use crate::catalog::file::{ConditionFile, LineRuleFile, TierRuleFile, ValueFile};
use crate::catalog::model::{LineRule, Scale, Tier, TierRule, Unit};
use crate::catalog::rules::{Condition, Field, Test, Value};

impl Ctx<'_> {
    pub(super) fn tier_rules(
        &mut self,
        files: Vec<TierRuleFile>,
        tiers: &[Tier],
        rule_ids: &mut HashSet<String>,
    ) -> Vec<TierRule> {
        let tier_codes: HashSet<&str> = tiers.iter().map(|t| t.code.as_str()).collect();
        let mut tier_rules = Vec::new();
        for (i, rule) in files.into_iter().enumerate() {
            let path = format!("tier_rules[{i}]");
            self.code(&format!("{path}.id"), &rule.id, rule_ids, "rule id");
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
        tier_rules
    }

    pub(super) fn line_rules(
        &mut self,
        files: Vec<LineRuleFile>,
        units: &BTreeMap<String, Unit>,
        rule_ids: &mut HashSet<String>,
    ) -> Vec<LineRule> {
        let mut line_rules = Vec::new();
        for (i, rule) in files.into_iter().enumerate() {
            let path = format!("line_rules[{i}]");
            self.code(&format!("{path}.id"), &rule.id, rule_ids, "rule id");
            self.not_blank(&format!("{path}.group"), &rule.group);
            self.text(&format!("{path}.reason"), &rule.reason);
            let when = self.when(&format!("{path}.when"), rule.when);
            let add = rule
                .add
                .into_iter()
                .enumerate()
                .filter_map(|(j, c)| self.component(&format!("{path}.add[{j}]"), c, units))
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
        line_rules
    }

    pub(super) fn when(&mut self, path: &str, when: Option<ConditionFile>) -> Condition {
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
}
