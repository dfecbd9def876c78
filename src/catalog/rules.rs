//! Selection rules as data: a condition tree over the facts of a case, evaluated by one small
//! recursive function. The catalog check uses the same evaluation to find rules that can never
//! match, so "never matches" means exactly what the engine would do.

use serde::Serialize;
use std::fmt;

use super::vocabulary::{Intensity, Readiness, Schooling};

/// A fact about a case that a rule may test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Readiness,
    Schooling,
    Intensity,
    /// Months the bureau expects the trajectory to take (may be absent).
    ExpectedDurationMonths,
    /// The week of sickness in which the trajectory starts (week 1 starts on the first sick day).
    StartWeek,
    /// Whole or partial months from the start date to the end of the waiting period.
    MonthsAvailable,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Readiness,
        Field::Schooling,
        Field::Intensity,
        Field::ExpectedDurationMonths,
        Field::StartWeek,
        Field::MonthsAvailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Readiness => "readiness",
            Field::Schooling => "schooling",
            Field::Intensity => "intensity",
            Field::ExpectedDurationMonths => "expected_duration_months",
            Field::StartWeek => "start_week",
            Field::MonthsAvailable => "months_available",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == text)
    }

    /// The wire names a text field accepts, or `None` for a numeric field.
    pub fn allowed_texts(self) -> Option<Vec<&'static str>> {
        fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Option<Vec<&'static str>> {
            Some(all.iter().map(|v| name(*v)).collect())
        }
        match self {
            Field::Readiness => names(Readiness::ALL, Readiness::as_str),
            Field::Schooling => names(Schooling::ALL, Schooling::as_str),
            Field::Intensity => names(Intensity::ALL, Intensity::as_str),
            _ => None,
        }
    }

    /// The smallest and largest value a numeric field can take in a valid case.
    pub fn numeric_range(self) -> Option<(u32, u32)> {
        match self {
            Field::ExpectedDurationMonths => Some((1, 24)),
            // A waiting period can be extended by up to 104 weeks (loonsanctie plus verlenging).
            Field::StartWeek => Some((1, 208)),
            Field::MonthsAvailable => Some((1, 48)),
            _ => None,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is known about a case when the rules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub readiness: Readiness,
    pub schooling: Schooling,
    pub intensity: Intensity,
    pub expected_duration_months: Option<u32>,
    pub start_week: u32,
    pub months_available: u32,
}

/// The value of one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FactValue {
    Text(&'static str),
    Number(Option<u32>),
}

impl Facts {
    fn get(&self, field: Field) -> FactValue {
        match field {
            Field::Readiness => FactValue::Text(self.readiness.as_str()),
            Field::Schooling => FactValue::Text(self.schooling.as_str()),
            Field::Intensity => FactValue::Text(self.intensity.as_str()),
            Field::ExpectedDurationMonths => FactValue::Number(self.expected_duration_months),
            Field::StartWeek => FactValue::Number(Some(self.start_week)),
            Field::MonthsAvailable => FactValue::Number(Some(self.months_available)),
        }
    }
}

/// A value a leaf compares with: a wire name of a text field, or a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Number(u32),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) => f.write_str(t),
            Value::Number(n) => write!(f, "{n}"),
        }
    }
}

/// The test a leaf applies to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// The field equals one of these values.
    In(Vec<Value>),
    /// The field is a number of at least this (an absent number never passes).
    AtLeast(u32),
    /// The field is a number of at most this (an absent number never passes).
    AtMost(u32),
    /// Both bounds, inclusive.
    Between(u32, u32),
}

/// A condition on the facts of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// No condition: always matches.
    Always,
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Leaf {
        field: Field,
        test: Test,
    },
}

impl Condition {
    /// Whether the facts satisfy this condition.
    pub fn matches(&self, facts: &Facts) -> bool {
        match self {
            Condition::Always => true,
            Condition::All(parts) => parts.iter().all(|c| c.matches(facts)),
            Condition::Any(parts) => parts.iter().any(|c| c.matches(facts)),
            Condition::Not(inner) => !inner.matches(facts),
            Condition::Leaf { field, test } => leaf_matches(facts.get(*field), test),
        }
    }

    /// Every number this condition compares `field` with (the edges of its behaviour).
    pub(crate) fn thresholds(&self, field: Field, out: &mut Vec<u32>) {
        match self {
            Condition::Always => {}
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|c| c.thresholds(field, out))
            }
            Condition::Not(inner) => inner.thresholds(field, out),
            Condition::Leaf { field: f, test } if *f == field => match test {
                Test::In(values) => out.extend(values.iter().filter_map(|v| match v {
                    Value::Number(n) => Some(*n),
                    Value::Text(_) => None,
                })),
                Test::AtLeast(n) | Test::AtMost(n) => out.push(*n),
                Test::Between(a, b) => out.extend([*a, *b]),
            },
            Condition::Leaf { .. } => {}
        }
    }
}

fn leaf_matches(fact: FactValue, test: &Test) -> bool {
    match (fact, test) {
        (FactValue::Text(actual), Test::In(values)) => values
            .iter()
            .any(|v| matches!(v, Value::Text(t) if t == actual)),
        (FactValue::Number(Some(actual)), Test::In(values)) => values
            .iter()
            .any(|v| matches!(v, Value::Number(n) if *n == actual)),
        (FactValue::Number(Some(actual)), Test::AtLeast(min)) => actual >= *min,
        (FactValue::Number(Some(actual)), Test::AtMost(max)) => actual <= *max,
        (FactValue::Number(Some(actual)), Test::Between(min, max)) => {
            (*min..=*max).contains(&actual)
        }
        _ => false,
    }
}

/// A compact, language-neutral rendering used in explanations: `readiness = job_ready and
/// expected_duration_months >= 4`.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join(f: &mut fmt::Formatter<'_>, parts: &[Condition], word: &str) -> fmt::Result {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                match part {
                    Condition::All(_) | Condition::Any(_) => write!(f, "({part})")?,
                    _ => write!(f, "{part}")?,
                }
            }
            Ok(())
        }
        match self {
            Condition::Always => f.write_str("always"),
            Condition::All(parts) => join(f, parts, "and"),
            Condition::Any(parts) => join(f, parts, "or"),
            Condition::Not(inner) => write!(f, "not ({inner})"),
            Condition::Leaf { field, test } => match test {
                Test::In(values) if values.len() == 1 => write!(f, "{field} = {}", values[0]),
                Test::In(values) => {
                    let list: Vec<String> = values.iter().map(Value::to_string).collect();
                    write!(f, "{field} in [{}]", list.join(", "))
                }
                Test::AtLeast(n) => write!(f, "{field} >= {n}"),
                Test::AtMost(n) => write!(f, "{field} <= {n}"),
                Test::Between(a, b) => write!(f, "{a} <= {field} <= {b}"),
            },
        }
    }
}

/// Every combination of facts that behaves differently under the given conditions: all values
/// of the text fields, and for each numeric field its bounds plus each threshold and its
/// neighbours. Conditions only compare with thresholds, so between two neighbouring
/// representatives nothing changes; checking these points is checking all cases.
pub fn representative_facts(conditions: &[&Condition]) -> Vec<Facts> {
    let numbers = |field: Field, optional: bool| -> Vec<Option<u32>> {
        let (lo, hi) = field.numeric_range().expect("numeric field");
        let mut found = Vec::new();
        for c in conditions {
            c.thresholds(field, &mut found);
        }
        let mut points = vec![lo, hi];
        for t in found {
            points.extend([t.saturating_sub(1), t, t.saturating_add(1)]);
        }
        points.retain(|p| (lo..=hi).contains(p));
        points.sort_unstable();
        points.dedup();
        let mut values: Vec<Option<u32>> = points.into_iter().map(Some).collect();
        if optional {
            values.push(None);
        }
        values
    };
    let expected = numbers(Field::ExpectedDurationMonths, true);
    let weeks: Vec<u32> = numbers(Field::StartWeek, false)
        .into_iter()
        .flatten()
        .collect();
    let months: Vec<u32> = numbers(Field::MonthsAvailable, false)
        .into_iter()
        .flatten()
        .collect();

    let mut all = Vec::new();
    for &readiness in Readiness::ALL {
        for &schooling in Schooling::ALL {
            for &intensity in Intensity::ALL {
                for &expected_duration_months in &expected {
                    for &start_week in &weeks {
                        for &months_available in &months {
                            all.push(Facts {
                                readiness,
                                schooling,
                                intensity,
                                expected_duration_months,
                                start_week,
                                months_available,
                            });
                        }
                    }
                }
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            readiness: Readiness::JobReady,
            schooling: Schooling::None,
            intensity: Intensity::Standard,
            expected_duration_months: None,
            start_week: 20,
            months_available: 10,
        }
    }

    fn leaf(field: Field, test: Test) -> Condition {
        Condition::Leaf { field, test }
    }

    #[test]
    fn leaves_compare_text_and_numbers() {
        let f = facts();
        assert!(
            leaf(
                Field::Readiness,
                Test::In(vec![Value::Text("job_ready".into())])
            )
            .matches(&f)
        );
        assert!(
            !leaf(
                Field::Readiness,
                Test::In(vec![Value::Text("needs_time".into())])
            )
            .matches(&f)
        );
        assert!(leaf(Field::StartWeek, Test::AtLeast(20)).matches(&f));
        assert!(!leaf(Field::StartWeek, Test::AtLeast(21)).matches(&f));
        assert!(leaf(Field::MonthsAvailable, Test::Between(10, 12)).matches(&f));
        // An absent expected duration passes no numeric test, and `not` turns that around.
        assert!(!leaf(Field::ExpectedDurationMonths, Test::AtMost(24)).matches(&f));
        assert!(
            Condition::Not(Box::new(leaf(
                Field::ExpectedDurationMonths,
                Test::AtMost(24)
            )))
            .matches(&f)
        );
    }

    #[test]
    fn all_any_not_combine() {
        let f = facts();
        let yes = leaf(Field::StartWeek, Test::AtLeast(1));
        let no = leaf(Field::StartWeek, Test::AtLeast(100));
        assert!(Condition::All(vec![yes.clone(), yes.clone()]).matches(&f));
        assert!(!Condition::All(vec![yes.clone(), no.clone()]).matches(&f));
        assert!(Condition::Any(vec![no.clone(), yes.clone()]).matches(&f));
        assert!(!Condition::Any(vec![no.clone()]).matches(&f));
        assert!(Condition::Not(Box::new(no)).matches(&f));
        assert!(Condition::Always.matches(&f));
    }

    #[test]
    fn display_reads_like_the_catalog() {
        let c = Condition::All(vec![
            leaf(
                Field::Readiness,
                Test::In(vec![Value::Text("job_ready".into())]),
            ),
            Condition::Any(vec![
                leaf(Field::ExpectedDurationMonths, Test::AtLeast(4)),
                leaf(Field::StartWeek, Test::AtMost(10)),
            ]),
        ]);
        assert_eq!(
            c.to_string(),
            "readiness = job_ready and (expected_duration_months >= 4 or start_week <= 10)"
        );
    }

    #[test]
    fn representatives_include_thresholds_and_neighbours() {
        let c = leaf(Field::StartWeek, Test::AtLeast(52));
        let points = representative_facts(&[&c]);
        let weeks: std::collections::BTreeSet<u32> = points.iter().map(|f| f.start_week).collect();
        assert_eq!(
            weeks.into_iter().collect::<Vec<_>>(),
            vec![1, 51, 52, 53, 208]
        );
    }
}
