//! What a bureau is, without storage or HTTP.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::storage::BureauId;
use uuid::Uuid;

use crate::access::Role;
use crate::pricing::{FieldError, InputError};

vocabulary! {
    /// Whether a bureau's keys, form and links work. Suspending deletes nothing.
    pub BureauStatus {
        Active => "active",
        Suspended => "suspended",
    }
}

/// A bureau as stored: who it is, how its quotes are numbered, its own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bureau {
    pub id: BureauId,
    /// Its name in URLs and for operators: lowercase letters, digits and dashes.
    pub slug: String,
    pub name: String,
    /// Its quote numbers' prefix (`PREFIX-YEAR-SEQUENCE`, a series per prefix and year).
    pub number_prefix: String,
    pub status: BureauStatus,
    pub settings: BureauSettings,
    /// Goes up with every change of the bureau, its keys, settings or catalog: every instance
    /// loads a bureau again when its revision moved.
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub status_changed_at: Option<DateTime<Utc>>,
}

/// What a bureau sets for itself; unset values fall back to the deployment's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BureauSettings {
    /// The sender of its e-mail (`Name <address>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_from: Option<String>,
    /// Where employers' replies go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The website origins its form may be used from (CORS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// Days before a sent quote's validity ends that the one reminder goes out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_days: Option<u32>,
}

/// A bureau to create, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBureau {
    pub slug: String,
    pub name: String,
    pub number_prefix: String,
}

/// The longest slug, name and prefix.
pub const SLUG_MAX: usize = 40;
pub const NAME_MAX: usize = 200;
pub const PREFIX_MAX: usize = 12;

impl NewBureau {
    /// Checks every field, naming each one refused.
    pub fn parse(slug: &str, name: &str, number_prefix: &str) -> Result<NewBureau, InputError> {
        let mut errors = Vec::new();
        if let Err(message) = check_slug(slug) {
            errors.push(field_error("slug", "invalid_slug", message));
        }
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.chars().count() > NAME_MAX {
            errors.push(field_error(
                "name",
                "invalid_name",
                format!("a name of 1 to {NAME_MAX} characters"),
            ));
        } else if trimmed.chars().any(char::is_control) {
            errors.push(field_error(
                "name",
                "invalid_name",
                "control characters are not allowed".into(),
            ));
        }
        let prefix_ok = !number_prefix.is_empty()
            && number_prefix.len() <= PREFIX_MAX
            && number_prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !prefix_ok {
            errors.push(field_error(
                "number_prefix",
                "invalid_prefix",
                format!("1 to {PREFIX_MAX} capital letters or digits, e.g. `ACME`"),
            ));
        }
        if !errors.is_empty() {
            return Err(InputError { errors });
        }
        Ok(NewBureau {
            slug: slug.to_string(),
            name: trimmed.to_string(),
            number_prefix: number_prefix.to_string(),
        })
    }
}

/// A slug as quoted back in a message: cut short, so a 10 KB path does not come back whole.
pub fn shown_slug(slug: &str) -> String {
    let mut cut: String = slug.chars().take(SLUG_MAX + 1).collect();
    if cut.len() < slug.len() {
        cut.push('…');
    }
    cut
}

/// A slug: 2 to [`SLUG_MAX`] lowercase letters, digits and single dashes, starting and ending
/// with a letter or digit (so it is safe in a path, a file name and a log line as it is).
pub fn check_slug(slug: &str) -> Result<(), String> {
    let shape = format!(
        "2 to {SLUG_MAX} lowercase letters, digits and dashes, starting and ending with a letter or digit"
    );
    let bytes = slug.as_bytes();
    let ok = (2..=SLUG_MAX).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !slug.contains("--");
    if ok { Ok(()) } else { Err(shape) }
}

fn field_error(field: &str, code: &str, message: String) -> FieldError {
    FieldError {
        field: field.to_string(),
        code: code.to_string(),
        message,
    }
}

/// A key kept in the database: only the SHA-256 of its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub id: Uuid,
    pub bureau: BureauId,
    pub role: Role,
    pub sha256: [u8; 32],
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The key id of who made it.
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("id", &self.id)
            .field("bureau", &self.bureau)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl StoredKey {
    /// Whether it opens anything at `now`.
    pub fn usable_at(&self, now: DateTime<Utc>) -> Result<(), KeyRefusal> {
        if self.revoked_at.is_some() {
            return Err(KeyRefusal::Revoked);
        }
        match self.expires_at {
            Some(end) if end <= now => Err(KeyRefusal::Expired),
            _ => Ok(()),
        }
    }

    /// The short, non-secret id that events record (as for configured keys).
    pub fn key_id(&self) -> String {
        hex::encode(&self.sha256[..6])
    }
}

/// Why a known key opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    Revoked,
    Expired,
}

/// What a bureau did in a month, as an operator bills by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub quotes_created: i64,
    pub quotes_sent: i64,
    pub quotes_accepted: i64,
    pub requests: i64,
}

/// The most days before a validity ends that a reminder may go out.
pub const REMINDER_DAYS_MAX: u32 = 60;
/// The most website origins a bureau lists.
pub const ORIGINS_MAX: usize = 20;

/// A change of a bureau's settings: a field left out stays, `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub mail_from: Option<Option<String>>,
    pub reply_to: Option<Option<String>>,
    pub origins: Option<Vec<String>>,
    pub reminder_days: Option<Option<u32>>,
}

impl BureauSettings {
    /// These settings with `change` applied, every value checked (each refusal names its field).
    pub fn changed(&self, change: SettingsChange) -> Result<BureauSettings, InputError> {
        let mut next = self.clone();
        let mut errors = Vec::new();
        if let Some(value) = change.mail_from {
            if let Some(text) = &value
                && let Err(message) = check_address(text)
            {
                errors.push(field_error("mail_from", "invalid_address", message));
            }
            next.mail_from = value;
        }
        if let Some(value) = change.reply_to {
            if let Some(text) = &value
                && let Err(message) = check_address(text)
            {
                errors.push(field_error("reply_to", "invalid_address", message));
            }
            next.reply_to = value;
        }
        if let Some(origins) = change.origins {
            if origins.len() > ORIGINS_MAX {
                errors.push(field_error(
                    "origins",
                    "too_many",
                    format!("at most {ORIGINS_MAX} origins"),
                ));
            }
            for (i, origin) in origins.iter().enumerate() {
                if let Err(message) = check_origin(origin) {
                    errors.push(field_error(
                        &format!("origins[{i}]"),
                        "invalid_origin",
                        message,
                    ));
                }
            }
            next.origins = origins;
        }
        if let Some(days) = change.reminder_days {
            if days.is_some_and(|d| d > REMINDER_DAYS_MAX) {
                errors.push(field_error(
                    "reminder_days",
                    "out_of_range",
                    format!("0 (no reminder) to {REMINDER_DAYS_MAX} days"),
                ));
            }
            next.reminder_days = days;
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(InputError { errors })
        }
    }
}

/// An e-mail address, alone or as `Name <address>`: one `@` with text on both sides, no
/// spaces in the address, no control characters, at most 320 characters.
fn check_address(text: &str) -> Result<(), String> {
    let shape = || "an e-mail address, or `Name <address>`".to_string();
    if text.chars().count() > 320 || text.chars().any(char::is_control) {
        return Err(shape());
    }
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        (None, None) => text.trim(),
        _ => return Err(shape()),
    };
    match address.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.contains(char::is_whitespace)
                && !domain.contains('@') =>
        {
            Ok(())
        }
        _ => Err(shape()),
    }
}

/// A website origin as browsers send it: `https://host` or `http://host:port`, nothing after.
fn check_origin(text: &str) -> Result<(), String> {
    let shape = || {
        "an origin such as `https://www.bureau.example` (scheme, host, optional port; no path)"
            .to_string()
    };
    let url = url::Url::parse(text).map_err(|_| shape())?;
    let plain = matches!(url.scheme(), "https" | "http")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.path() == "/"
        && !text.ends_with('/');
    if plain { Ok(()) } else { Err(shape()) }
}

/// A webhook endpoint a bureau's admin set through the API.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredEndpoint {
    /// `ep_…`, from the URL (as for the endpoints of the settings).
    pub id: String,
    pub url: String,
    /// `whsec_…`: the newest first, the one before it while a rotation overlaps.
    pub secrets: Vec<String>,
    /// Event names, groups (`quote.*`) or `*`.
    pub events: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    /// Since when and why it is disabled (a 410 from the receiver).
    pub disabled: Option<(DateTime<Utc>, String)>,
}

impl std::fmt::Debug for StoredEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredEndpoint")
            .field("id", &self.id)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// How long the secret before a rotation still signs, so receivers can switch without a gap.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

impl StoredEndpoint {
    /// The secrets that sign at `now`: the newest, and the one before it during the overlap.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> &[String] {
        let overlap = self
            .rotated_at
            .is_some_and(|at| now - at < chrono::Duration::hours(ROTATION_OVERLAP_HOURS));
        let count = if overlap {
            self.secrets.len().min(2)
        } else {
            1
        };
        &self.secrets[..count.min(self.secrets.len())]
    }
}
