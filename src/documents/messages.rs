//! The document texts per language, read from `templates/messages.toml`.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::Language;

/// The labels of one language.
#[derive(Debug, Clone)]
pub struct Labels {
    /// Every label, as the templates see them under `t`.
    pub values: serde_json::Value,
    pub month_names: Vec<String>,
}

impl Labels {
    /// A label's text (empty when missing; the templates' strict mode catches missing ones).
    pub fn text(&self, key: &str) -> String {
        self.values
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// Labels for both languages.
#[derive(Debug, Clone)]
pub struct Messages {
    nl: Labels,
    en: Labels,
}

impl Messages {
    pub fn load(path: &Path) -> Result<Messages> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut tables: BTreeMap<String, serde_json::Value> =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let mut take = |lang: &str| -> Result<Labels> {
            let values = tables
                .remove(lang)
                .with_context(|| format!("{}: no [{lang}] table", path.display()))?;
            let month_names: Vec<String> = values
                .get("months_names")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .filter(|m: &Vec<String>| m.len() == 12)
                .with_context(|| {
                    format!("{}: [{lang}].months_names needs 12 names", path.display())
                })?;
            Ok(Labels {
                values,
                month_names,
            })
        };
        let nl = take("nl")?;
        let en = take("en")?;
        let keys = |l: &Labels| {
            l.values
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        };
        if keys(&nl) != keys(&en) {
            bail!("{}: [nl] and [en] must have the same keys", path.display());
        }
        Ok(Messages { nl, en })
    }

    pub fn labels(&self, language: Language) -> &Labels {
        match language {
            Language::Nl => &self.nl,
            Language::En => &self.en,
        }
    }
}
