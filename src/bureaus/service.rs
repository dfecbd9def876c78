//! The bureau operations: the operator's (create, list with what each did, suspend, resume)
//! and a bureau's own keys (made once, kept as a hash, listed, revoked).

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use uuid::Uuid;

use super::error::BureauError;
use super::model::shown_slug;
use super::model::{Bureau, BureauStatus, NewBureau, SettingsChange, StoredKey, Usage};
use super::ports::BureauRepository;
use crate::access::Role;
use crate::clock::Clock;
use crate::pricing::InputError;
use crate::storage::{BureauId, ForBureau};
use crate::storage::{Constraint, StorageError};

/// The operations, over a repository of any bureau (each call takes the bureau's own).
pub struct BureauService<R> {
    repo: R,
    clock: Arc<dyn Clock>,
    /// Webhook endpoints on loopback, private, link-local and metadata addresses are allowed
    /// (`webhook_allow_private_networks`; tests).
    private_networks: bool,
}

/// A key as made: the secret (shown once, never stored) and what is kept.
#[derive(Debug)]
pub struct MadeKey {
    pub secret: String,
    pub key: StoredKey,
}

/// The longest label a key can carry.
pub const LABEL_MAX: usize = 200;

impl<R: BureauRepository + ForBureau> BureauService<R> {
    pub fn new(repo: R, clock: Arc<dyn Clock>) -> Self {
        BureauService {
            repo,
            clock,
            private_networks: false,
        }
    }

    /// Allows webhook endpoints on private networks (see `webhook_allow_private_networks`).
    pub fn with_private_networks(mut self, allowed: bool) -> Self {
        self.private_networks = allowed;
        self
    }

    /// Creates a bureau from the operator's fields, each checked.
    pub async fn create(
        &self,
        slug: &str,
        name: &str,
        number_prefix: &str,
    ) -> Result<Bureau, BureauError> {
        let new = NewBureau::parse(slug, name, number_prefix).map_err(BureauError::Invalid)?;
        match self.repo.create_bureau(&new, self.clock.now().at).await {
            Err(StorageError::Conflict(Constraint::BureauSlug)) => {
                Err(BureauError::SlugTaken(new.slug))
            }
            other => Ok(other?),
        }
    }

    /// Every bureau with what it did in the month holding `month`.
    pub async fn list(&self, month: NaiveDate) -> Result<Vec<(Bureau, Usage)>, BureauError> {
        let (from, before) = month_bounds(month);
        let usage = self.repo.usage(from, before).await?;
        let bureaus = self.repo.bureaus().await?;
        Ok(bureaus
            .into_iter()
            .map(|b| {
                let used = usage.get(&b.id).copied().unwrap_or_default();
                (b, used)
            })
            .collect())
    }

    /// The bureau with this slug.
    pub async fn find(&self, slug: &str) -> Result<Bureau, BureauError> {
        self.repo
            .bureaus()
            .await?
            .into_iter()
            .find(|b| b.slug == slug)
            .ok_or_else(|| BureauError::NotFound(shown_slug(slug)))
    }

    /// Suspends (or resumes) the bureau `slug`; the bureau as it is then.
    pub async fn set_status(
        &self,
        slug: &str,
        status: BureauStatus,
    ) -> Result<Bureau, BureauError> {
        let bureau = self.find(slug).await?;
        if bureau.status != status {
            self.repo
                .set_bureau_status(bureau.id, status, self.clock.now().at)
                .await?;
        }
        self.find(slug).await
    }

    /// Changes a bureau's own settings (each value checked); the bureau as it is then.
    pub async fn change_settings(
        &self,
        bureau: &Bureau,
        change: SettingsChange,
    ) -> Result<Bureau, BureauError> {
        let settings = bureau
            .settings
            .changed(change)
            .map_err(BureauError::Invalid)?;
        self.repo.set_bureau_settings(bureau.id, &settings).await?;
        self.find(&bureau.slug).await
    }

    /// Makes a key of `bureau` with `role`: the secret is answered once, only its hash kept.
    /// Staff keys read `ofk_…`, public keys `pk_…`.
    pub async fn new_key(
        &self,
        bureau: BureauId,
        role: Role,
        label: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        created_by: &str,
    ) -> Result<MadeKey, BureauError> {
        let now = self.clock.now().at;
        let mut errors = Vec::new();
        if let Some(end) = expires_at.filter(|end| *end <= now) {
            errors.push(crate::pricing::FieldError {
                field: "expires_at".into(),
                code: "in_the_past".into(),
                message: format!(
                    "{} has passed; an expiry lies in the future",
                    end.to_rfc3339()
                ),
            });
        }
        let label = label.map(str::trim).filter(|l| !l.is_empty());
        if label.is_some_and(|l| l.chars().count() > LABEL_MAX || l.chars().any(char::is_control)) {
            errors.push(crate::pricing::FieldError {
                field: "label".into(),
                code: "invalid_label".into(),
                message: format!("at most {LABEL_MAX} characters, no control characters"),
            });
        }
        if !errors.is_empty() {
            return Err(BureauError::Invalid(InputError { errors }));
        }
        let secret = new_secret(role);
        let key = StoredKey {
            id: Uuid::new_v4(),
            bureau,
            role,
            sha256: Sha256::digest(secret.as_bytes()).into(),
            label: label.map(str::to_string),
            created_at: now,
            created_by: created_by.to_string(),
            expires_at,
            revoked_at: None,
        };
        self.repo.for_bureau(bureau).insert_key(&key).await?;
        Ok(MadeKey { secret, key })
    }

    /// The keys of `bureau`, oldest first (hashes only).
    pub async fn keys(&self, bureau: BureauId) -> Result<Vec<StoredKey>, BureauError> {
        Ok(self.repo.for_bureau(bureau).keys().await?)
    }

    /// Revokes a key of `bureau` for good.
    pub async fn revoke_key(&self, bureau: BureauId, id: Uuid) -> Result<(), BureauError> {
        match self
            .repo
            .for_bureau(bureau)
            .revoke_key(id, self.clock.now().at)
            .await
        {
            Err(StorageError::NotFound) => Err(BureauError::KeyNotFound(id)),
            other => Ok(other?),
        }
    }
}

/// A fresh secret: 32 random bytes, hex, after the role's prefix.
fn new_secret(role: Role) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let prefix = match role {
        Role::Public => "pk_",
        _ => "ofk_",
    };
    format!("{prefix}{}", hex::encode(bytes))
}

/// The first instant of `month`'s month and of the next, in UTC.
pub fn month_bounds(month: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(month);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN));
    (at(first), at(next))
}

pub mod endpoints;
pub mod leaving;
#[cfg(test)]
mod tests;
