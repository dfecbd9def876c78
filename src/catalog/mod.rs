//! The catalog: the bureau's price list and policy as data, one TOML file per version in
//! `pricing/`. Pure: reading files is the only I/O here, and it stays in [`CatalogSet::load_dir`].

pub mod contrast;
mod file;
mod live;
mod load;
pub mod model;
pub mod rules;
pub mod select;
pub mod terms;
pub mod vocabulary;

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use live::Catalogs;
pub use model::{Catalog, Item, Logo, Rounding, Tier, TierDuration, Unit};
pub use terms::DueEvent;
pub use vocabulary::{Intensity, Language, Readiness, Schooling, Text};

/// One mistake in a catalog file, with the key path where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file name, relative to the catalog folder.
    pub file: String,
    /// Dotted key path, e.g. `tiers[2].lines[0].item`; empty for the file as a whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

/// Why a catalog folder could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Io(#[from] anyhow::Error),
    #[error("the catalog has {} problem(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every catalog version, ordered by `valid_from`.
#[derive(Debug, Clone)]
pub struct CatalogSet {
    versions: Vec<Arc<Catalog>>,
}

impl CatalogSet {
    /// A catalog file as [`CatalogSet::from_sources`] takes it: its file name and its text.
    pub fn read_source(path: &Path) -> anyhow::Result<(String, String)> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading catalog file {}", path.display()))?;
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        Ok((name, text))
    }

    /// Reads and checks every `*.toml` file in `dir`.
    pub fn load_dir(dir: &Path) -> Result<CatalogSet, CatalogError> {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("reading the catalog folder {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("reading the catalog folder {}", dir.display()))?
                .path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(Self::read_source(&path)?);
            }
        }
        let mut set = Self::from_sources(files).map_err(CatalogError::Invalid)?;
        let mut problems = set.attach_logos(|name| {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(format!("no file `{name}` in the catalog folder"));
            }
            std::fs::read(&path).map_err(|e| format!("`{name}` cannot be read: {e}"))
        });
        // Versions checked as files (a folder, a file being published), not the stored ones:
        // a colour stored before this rule keeps pricing.
        problems.extend(set.versions.iter().flat_map(|c| contrast::problems(c)));
        if problems.is_empty() {
            Ok(set)
        } else {
            Err(CatalogError::Invalid(problems))
        }
    }

    /// Reads each version's logo (`bureau.logo`, a name) through `read` and checks it as an
    /// image; every problem found, by the version's file.
    pub fn attach_logos(&mut self, read: impl Fn(&str) -> Result<Vec<u8>, String>) -> Vec<Problem> {
        let mut problems = Vec::new();
        for catalog in &mut self.versions {
            let Some(logo) = catalog.bureau.logo.clone() else {
                continue;
            };
            match read(&logo)
                .and_then(|bytes| Logo::new(bytes).map_err(|e| format!("`{logo}`: {e}")))
            {
                Ok(image) => Arc::make_mut(catalog).bureau.logo_image = Some(image),
                Err(message) => problems.push(Problem {
                    file: catalog.file.clone(),
                    path: "bureau.logo".into(),
                    message,
                }),
            }
        }
        problems
    }

    /// Builds the set from `(file name, text)` pairs; reports every problem in every file.
    pub fn from_sources(mut files: Vec<(String, String)>) -> Result<CatalogSet, Vec<Problem>> {
        files.sort();
        let mut problems = Vec::new();
        let mut versions: Vec<Arc<Catalog>> = Vec::new();
        if files.is_empty() {
            problems.push(Problem {
                file: String::new(),
                path: String::new(),
                message: "no catalog files (*.toml) found".into(),
            });
        }
        for (name, text) in &files {
            match load::build(name, text) {
                Ok(catalog) => {
                    for earlier in &versions {
                        let clash = |path: &str, what: String| Problem {
                            file: name.clone(),
                            path: path.into(),
                            message: format!(
                                "{what} as {}: two versions would overlap",
                                earlier.file
                            ),
                        };
                        if earlier.valid_from == catalog.valid_from {
                            problems.push(clash(
                                "valid_from",
                                format!("starts on the same day ({})", catalog.valid_from),
                            ));
                        }
                        if earlier.version == catalog.version {
                            problems.push(clash(
                                "version",
                                format!("has the same version name `{}`", catalog.version),
                            ));
                        }
                    }
                    versions.push(Arc::new(catalog));
                }
                Err(mut found) => problems.append(&mut found),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        versions.sort_by_key(|c| c.valid_from);
        Ok(CatalogSet { versions })
    }

    /// The version in force on `date`: the newest whose `valid_from` is on or before it.
    pub fn in_force(&self, date: NaiveDate) -> Option<&Arc<Catalog>> {
        self.versions.iter().rev().find(|c| c.valid_from <= date)
    }

    /// The version with this name.
    pub fn version(&self, name: &str) -> Option<&Arc<Catalog>> {
        self.versions.iter().find(|c| c.version == name)
    }

    /// The version a quote was priced with (`name`), or, if that file is gone, the one in force
    /// on its quote date, else the first.
    pub fn priced_with(&self, name: &str, quote_date: NaiveDate) -> &Arc<Catalog> {
        self.version(name)
            .or_else(|| self.in_force(quote_date))
            .unwrap_or(&self.versions[0])
    }

    pub fn versions(&self) -> &[Arc<Catalog>] {
        &self.versions
    }

    /// The earliest date any version is valid from.
    pub fn earliest(&self) -> NaiveDate {
        self.versions[0].valid_from
    }

    /// The version that follows `catalog` (the next price change), if any.
    pub fn next_after(&self, catalog: &Catalog) -> Option<&Arc<Catalog>> {
        self.versions
            .iter()
            .find(|c| c.valid_from > catalog.valid_from)
    }

    /// The names of every version, oldest first (for messages).
    pub fn names(&self) -> String {
        self.versions
            .iter()
            .map(|c| c.version.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
