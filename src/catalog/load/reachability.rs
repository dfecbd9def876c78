//! Rules that can never match, and cases no tier rule covers: checked on a grid of
//! representative cases.

use super::Ctx;
use crate::catalog::model::{LineRule, TierRule};
use crate::catalog::rules::{Condition, Facts, representative_facts};

impl Ctx<'_> {
    /// Reports rules that can never match (a contradiction, or earlier rules in the same group
    /// take every case), and cases no tier rule covers.
    pub(super) fn reachability(&mut self, tier_rules: &[TierRule], line_rules: &[LineRule]) {
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
    fn group_reachability(&mut self, rules: &[(usize, &str, &Condition, String)]) -> Option<Facts> {
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
