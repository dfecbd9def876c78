//! Which catalog version a caller means: one by its name, the one in force on a date, or the
//! one in force today. Every reader (quotes, the public catalog, the exports, the CLI) selects
//! through [`CatalogSet::select`], so each gives the same answer for the same question and says
//! the same thing when there is no such version.

use chrono::NaiveDate;
use std::sync::Arc;

use super::{Catalog, CatalogSet};

/// A request for one catalog version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The version with this name (`2024.1`).
    Named(String),
    /// The version in force on this date: the newest whose `valid_from` is on or before it.
    InForce(NaiveDate),
}

impl Selection {
    /// From a date and a version name of which at most one may be given; neither means the
    /// version in force `today`.
    pub fn new(
        date: Option<NaiveDate>,
        version: Option<&str>,
        today: NaiveDate,
    ) -> Result<Selection, SelectionError> {
        match (date, version) {
            (Some(_), Some(_)) => Err(SelectionError::Both),
            (None, Some(name)) => Ok(Selection::Named(name.to_string())),
            (date, None) => Ok(Selection::InForce(date.unwrap_or(today))),
        }
    }

    /// A version's name or, when the text is a date (`YYYY-MM-DD`) that names no version, the
    /// version in force on that date.
    pub fn name_or_date(text: &str, catalogs: &CatalogSet) -> Selection {
        match text.parse::<NaiveDate>() {
            Ok(date) if catalogs.version(text).is_none() => Selection::InForce(date),
            _ => Selection::Named(text.to_string()),
        }
    }
}

/// Why no version could be selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("give `date` or `version`, not both")]
    Both,
    #[error("no catalog version `{name}`; known: {known}")]
    UnknownVersion { name: String, known: String },
    #[error("no catalog version is in force on {date}; the earliest is valid from {earliest}")]
    NoneInForce {
        date: NaiveDate,
        earliest: NaiveDate,
    },
}

impl SelectionError {
    /// A stable, machine-readable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            SelectionError::Both => "conflict",
            SelectionError::UnknownVersion { .. } => "unknown_version",
            SelectionError::NoneInForce { .. } => "no_catalog",
        }
    }
}

impl CatalogSet {
    /// The version a selection names.
    pub fn select(&self, selection: &Selection) -> Result<&Arc<Catalog>, SelectionError> {
        match selection {
            Selection::Named(name) => {
                self.version(name)
                    .ok_or_else(|| SelectionError::UnknownVersion {
                        name: name.clone(),
                        known: self.names(),
                    })
            }
            Selection::InForce(date) => {
                self.in_force(*date)
                    .ok_or_else(|| SelectionError::NoneInForce {
                        date: *date,
                        earliest: self.earliest(),
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    fn two_versions() -> CatalogSet {
        let text = std::fs::read_to_string("pricing/2024-01-01.toml").expect("default catalog");
        let later = text
            .replacen("version = \"2024.1\"", "version = \"2026.1\"", 1)
            .replacen("valid_from = 2024-01-01", "valid_from = 2026-01-01", 1);
        assert_ne!(text, later, "the default catalog's version line moved");
        CatalogSet::from_sources(vec![
            ("2024-01-01.toml".into(), text),
            ("2026-01-01.toml".into(), later),
        ])
        .expect("valid catalogs")
    }

    #[test]
    fn a_selection_names_one_version_or_says_why_not() {
        let set = two_versions();
        let today = day("2025-06-01");
        // (date, version, the version selected or the refusal's code)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Result<&'a str, &'a str>);
        let cases: &[Case] = &[
            (None, None, Ok("2024.1")),
            (Some("2026-01-01"), None, Ok("2026.1")),
            (Some("2025-12-31"), None, Ok("2024.1")),
            (None, Some("2026.1"), Ok("2026.1")),
            (Some("2023-12-31"), None, Err("no_catalog")),
            (None, Some("1999.1"), Err("unknown_version")),
            (Some("2026-01-01"), Some("2026.1"), Err("conflict")),
        ];
        for (date, version, expected) in cases {
            let got = Selection::new(date.map(day), *version, today)
                .and_then(|s| set.select(&s).map(|c| c.version.clone()));
            match (got, expected) {
                (Ok(name), Ok(want)) => assert_eq!(&name, want, "{date:?} {version:?}"),
                (Err(e), Err(code)) => assert_eq!(e.code(), *code, "{date:?} {version:?}"),
                (got, want) => panic!("{date:?} {version:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn a_text_is_a_name_first_and_a_date_second() {
        let set = two_versions();
        assert_eq!(
            Selection::name_or_date("2026.1", &set),
            Selection::Named("2026.1".into())
        );
        assert_eq!(
            Selection::name_or_date("2025-03-01", &set),
            Selection::InForce(day("2025-03-01"))
        );
    }
}
