//! Publishing catalog versions. A version is checked exactly as `offerte catalog check` checks
//! a folder (the stored versions and the new file together: overlaps, unreachable rules, the
//! logo), refused when its `valid_from` lies before today, and stored for good; only a version
//! not yet in force can be withdrawn. Every instance keeps its catalog set current by
//! [`Publisher::refresh`] (a cheap read of the stored versions' hashes, run every few seconds):
//! a version published on one instance prices on all of them within seconds, and takes effect
//! on its `valid_from`.
//!
//! On a database without versions the catalog folder is imported at start (the first run of a
//! fresh install); afterwards the database wins, and a folder file that differs from the stored
//! version of the same name is reported in the log, never applied.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::error::PublishError;
use super::model::{AssetInfo, IMPORTED_BY, StoredAsset, StoredVersion, VersionInfo, VersionState};
use super::ports::CatalogRepository;
use crate::catalog::{Catalog, CatalogSet, Catalogs, Logo, Problem, contrast};
use crate::clock::Clock;
use crate::outbox::webhooks::{EventType, Subject, Webhooks};
use crate::storage::{Constraint, StorageError};

/// The name the checks give a file being published.
const UPLOAD: &str = "upload.toml";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file that passed the checks: the set it would make and the new version in it.
pub struct Checked {
    pub set: Arc<CatalogSet>,
    pub version: Arc<Catalog>,
    pub sha256: String,
}

/// The publishing operations, with the catalog set every other service prices with.
pub struct Publisher<R> {
    repo: R,
    catalogs: Catalogs,
    clock: Arc<dyn Clock>,
    /// Who hears of a published version.
    webhooks: Webhooks,
    /// The (version, hash) pairs the set in force was built from.
    loaded: Mutex<Vec<(String, String)>>,
}

impl<R: CatalogRepository> Publisher<R> {
    /// Makes the database the source at start: imports the catalog folder when the database
    /// holds no version, says in the log where the folder and the database differ, and puts
    /// the stored versions in force.
    pub async fn open(
        repo: R,
        folder: &Path,
        clock: Arc<dyn Clock>,
        webhooks: Webhooks,
    ) -> anyhow::Result<Self> {
        let stored = repo.catalog_versions().await?;
        if stored.is_empty() {
            let (versions, assets) = read_folder(folder)?;
            tracing::info!(
                versions = versions.len(),
                folder = %folder.display(),
                "no catalog versions in the database: the catalog folder is imported"
            );
            match repo.insert_catalog(&versions, &assets, &[]).await {
                // Another instance imported it at the same moment: theirs stands.
                Ok(()) | Err(StorageError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        } else if let Ok((versions, _)) = read_folder(folder) {
            report_differences(&stored, &versions);
        }
        let stored = repo.catalog_versions().await?;
        let assets = repo.catalog_assets().await?;
        let set = build(&stored, &assets, None).map_err(failed_check)?;
        tracing::info!(
            versions = stored.len(),
            "catalog versions loaded from the database"
        );
        Ok(Publisher {
            repo,
            catalogs: Catalogs::new(set),
            clock,
            webhooks,
            loaded: Mutex::new(marks(&stored)),
        })
    }

    /// The set every service prices with.
    pub fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    /// Reads the stored versions' hashes and, when they differ from the set in force, builds
    /// the set again and puts it in force. Whether it changed.
    pub async fn refresh(&self) -> anyhow::Result<bool> {
        let marks = self.repo.catalog_marks().await?;
        if *self.loaded.lock().unwrap_or_else(PoisonError::into_inner) == marks {
            return Ok(false);
        }
        let stored = self.repo.catalog_versions().await?;
        let marks = self::marks(&stored);
        let assets = self.repo.catalog_assets().await?;
        let set = build(&stored, &assets, None).map_err(failed_check)?;
        tracing::info!(versions = stored.len(), "catalog versions loaded");
        self.catalogs.replace(set);
        *self.loaded.lock().unwrap_or_else(PoisonError::into_inner) = marks;
        Ok(true)
    }

    /// Checks a file as publishing would (nothing stored): every problem, or the set it makes.
    pub async fn check(&self, source: &str) -> Result<Checked, PublishError> {
        let stored = self.repo.catalog_versions().await?;
        let assets = self.repo.catalog_assets().await?;
        let set = build(&stored, &assets, Some(source)).map_err(PublishError::Invalid)?;
        let version = set
            .versions()
            .iter()
            .find(|c| c.file == UPLOAD)
            .cloned()
            .ok_or_else(|| PublishError::Invalid(Vec::new()))?;
        let colours = contrast::problems(&version);
        if !colours.is_empty() {
            return Err(PublishError::Invalid(colours));
        }
        let today = self.clock.now().today;
        if version.valid_from < today {
            return Err(PublishError::InThePast(version.valid_from));
        }
        Ok(Checked {
            set: Arc::new(set),
            version,
            sha256: sha256_hex(source.as_bytes()),
        })
    }

    /// Publishes a file by `key_id`: checked, stored, in force on every instance from its
    /// `valid_from`.
    #[tracing::instrument(name = "catalog.publish", skip(self, source))]
    pub async fn publish(&self, source: &str, key_id: &str) -> Result<VersionInfo, PublishError> {
        let checked = self.check(source).await?;
        let stored = StoredVersion {
            version: checked.version.version.clone(),
            valid_from: checked.version.valid_from,
            sha256: checked.sha256,
            source: source.to_string(),
            published_by: key_id.to_string(),
            published_at: self.clock.now().at,
        };
        let today = self.clock.now().today;
        let published = info(
            &stored,
            state(&stored, std::slice::from_ref(&stored), today),
        );
        let jobs = self
            .webhooks
            .jobs(
                EventType::CatalogVersionPublished,
                &Subject::catalog(),
                &published,
                stored.published_at,
            )
            .map_err(|e| PublishError::Storage(StorageError::Data(e.into())))?;
        let versions = std::slice::from_ref(&stored);
        match self.repo.insert_catalog(versions, &[], &jobs).await {
            Ok(()) => {}
            Err(StorageError::Conflict(Constraint::CatalogVersion)) => {
                return Err(PublishError::Taken);
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(version = %stored.version, valid_from = %stored.valid_from, "catalog version published");
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "catalog set not reloaded after a publish; the next refresh will");
        }
        Ok(published)
    }

    /// Stores an asset (a logo a version names, checked as the catalog check checks it) by
    /// `key_id`. The same bytes again change nothing (`false`); other bytes under a stored name
    /// are refused.
    #[tracing::instrument(name = "catalog.publish_asset", skip(self, bytes))]
    pub async fn publish_asset(
        &self,
        name: &str,
        bytes: Vec<u8>,
        key_id: &str,
    ) -> Result<(AssetInfo, bool), PublishError> {
        let valid_name = (1..=100).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(PublishError::BadAsset(
                "name",
                "use 1-100 of letters, digits, `.`, `_` and `-`, starting with a letter or digit"
                    .into(),
            ));
        }
        Logo::new(bytes.clone()).map_err(|e| PublishError::BadAsset("body", e.to_string()))?;
        let asset = StoredAsset {
            name: name.to_string(),
            sha256: sha256_hex(&bytes),
            bytes,
            published_by: key_id.to_string(),
            published_at: self.clock.now().at,
        };
        let stored = self.repo.catalog_assets().await?;
        if let Some(kept) = stored.iter().find(|a| a.name == name) {
            if kept.sha256 == asset.sha256 {
                return Ok((asset_info(kept), false));
            }
            return Err(PublishError::AssetTaken(name.to_string()));
        }
        match self
            .repo
            .insert_catalog(&[], std::slice::from_ref(&asset), &[])
            .await
        {
            Ok(()) => Ok((asset_info(&asset), true)),
            Err(StorageError::Conflict(_)) => Err(PublishError::AssetTaken(name.to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored asset.
    pub async fn assets(&self) -> Result<Vec<StoredAsset>, PublishError> {
        Ok(self.repo.catalog_assets().await?)
    }

    /// Every stored version, oldest first, with where it stands today.
    pub async fn list(&self) -> Result<Vec<VersionInfo>, PublishError> {
        let stored = self.repo.catalog_versions().await?;
        let today = self.clock.now().today;
        Ok(stored
            .iter()
            .map(|v| info(v, state(v, &stored, today)))
            .collect())
    }

    /// One stored version with its file.
    pub async fn get(&self, version: &str) -> Result<(StoredVersion, VersionInfo), PublishError> {
        let stored = self.repo.catalog_versions().await?;
        let found = stored
            .iter()
            .find(|v| v.version == version)
            .ok_or_else(|| PublishError::NotFound(version.to_string()))?;
        let today = self.clock.now().today;
        Ok((found.clone(), info(found, state(found, &stored, today))))
    }

    /// Withdraws a version not yet in force.
    #[tracing::instrument(name = "catalog.withdraw", skip(self))]
    pub async fn withdraw(&self, version: &str) -> Result<(), PublishError> {
        let (found, _) = self.get(version).await?;
        let today = self.clock.now().today;
        if !self
            .repo
            .delete_catalog_version(&found.version, today)
            .await?
        {
            return Err(PublishError::NotWithdrawable(found.version));
        }
        tracing::info!(version = %found.version, "catalog version withdrawn");
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "catalog set not reloaded after a withdrawal; the next refresh will");
        }
        Ok(())
    }
}

/// What identifies the stored versions: each name with its file's hash.
fn marks(stored: &[StoredVersion]) -> Vec<(String, String)> {
    stored
        .iter()
        .map(|v| (v.version.clone(), v.sha256.clone()))
        .collect()
}

fn failed_check(problems: Vec<Problem>) -> anyhow::Error {
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    anyhow::anyhow!(
        "the stored catalog versions fail the check: {}",
        list.join("; ")
    )
}

/// Says in the log where the catalog folder differs from the database (which wins).
fn report_differences(stored: &[StoredVersion], folder: &[StoredVersion]) {
    for file in folder {
        match stored.iter().find(|v| v.version == file.version) {
            Some(kept) if kept.sha256 != file.sha256 => tracing::warn!(
                version = %file.version,
                stored_sha256 = %kept.sha256,
                folder_sha256 = %file.sha256,
                "the catalog folder's file differs from the stored version of the same name: the database wins (publish a new version to change prices)"
            ),
            Some(_) => {}
            None => tracing::warn!(
                version = %file.version,
                "the catalog folder holds a version the database does not: not applied (publish it to use it)"
            ),
        }
    }
}

/// Where `version` stands on `today` among `all`.
fn state(version: &StoredVersion, all: &[StoredVersion], today: NaiveDate) -> VersionState {
    if version.valid_from > today {
        return VersionState::Future;
    }
    let in_force = all
        .iter()
        .filter(|v| v.valid_from <= today)
        .max_by_key(|v| v.valid_from);
    if in_force.is_some_and(|v| v.version == version.version) {
        VersionState::InForce
    } else {
        VersionState::Past
    }
}

fn asset_info(asset: &StoredAsset) -> AssetInfo {
    AssetInfo {
        name: asset.name.clone(),
        sha256: asset.sha256.clone(),
        size: asset.bytes.len(),
        published_by: asset.published_by.clone(),
        published_at: asset.published_at,
    }
}

fn info(version: &StoredVersion, state: VersionState) -> VersionInfo {
    VersionInfo {
        version: version.version.clone(),
        valid_from: version.valid_from,
        sha256: version.sha256.clone(),
        published_by: version.published_by.clone(),
        published_at: version.published_at,
        state,
    }
}

/// The set of the stored versions (and `upload`, a file being checked), their logos from the
/// stored assets: every problem of the catalog check, or the set.
fn build(
    stored: &[StoredVersion],
    assets: &[StoredAsset],
    upload: Option<&str>,
) -> Result<CatalogSet, Vec<Problem>> {
    let mut files: Vec<(String, String)> = stored
        .iter()
        .map(|v| (v.file_name(), v.source.clone()))
        .collect();
    if let Some(source) = upload {
        files.push((UPLOAD.to_string(), source.to_string()));
    }
    let mut set = match CatalogSet::from_sources(files) {
        Ok(set) => set,
        // A file that fails its own checks is not compared with the others there: say here
        // too where it clashes with a stored version.
        Err(mut problems) => {
            for clash in upload.map(|s| clashes(s, stored)).unwrap_or_default() {
                if !problems.contains(&clash) {
                    problems.push(clash);
                }
            }
            return Err(problems);
        }
    };
    let by_name: HashMap<&str, &StoredAsset> =
        assets.iter().map(|a| (a.name.as_str(), a)).collect();
    let problems = set.attach_logos(|name| {
        by_name.get(name).map(|a| a.bytes.clone()).ok_or_else(|| {
            format!("no asset `{name}`: publish it first (PUT /api/v1/catalog/assets/{name})")
        })
    });
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(problems)
    }
}

/// Where a file being published clashes with a stored version (the same name, the same
/// `valid_from`), read from its text alone, in the words of the catalog check.
fn clashes(source: &str, stored: &[StoredVersion]) -> Vec<Problem> {
    let Ok(table) = source.parse::<toml::Table>() else {
        return Vec::new();
    };
    let version = table.get("version").and_then(|v| v.as_str());
    let valid_from = table
        .get("valid_from")
        .and_then(|v| v.as_datetime())
        .and_then(|d| d.date)
        .and_then(|d| NaiveDate::from_ymd_opt(i32::from(d.year), d.month.into(), d.day.into()));
    let mut problems = Vec::new();
    for earlier in stored {
        let clash = |path: &str, what: String| Problem {
            file: UPLOAD.into(),
            path: path.into(),
            message: format!(
                "{what} as {}: two versions would overlap",
                earlier.file_name()
            ),
        };
        if valid_from == Some(earlier.valid_from) {
            let day = earlier.valid_from;
            problems.push(clash(
                "valid_from",
                format!("starts on the same day ({day})"),
            ));
        }
        if version == Some(earlier.version.as_str()) {
            let name = &earlier.version;
            problems.push(clash(
                "version",
                format!("has the same version name `{name}`"),
            ));
        }
    }
    problems
}

/// The catalog folder as stored versions and assets (the logos its files name), published by
/// `import` now.
fn read_folder(folder: &Path) -> anyhow::Result<(Vec<StoredVersion>, Vec<StoredAsset>)> {
    let set = CatalogSet::load_dir(folder)?;
    let now: DateTime<Utc> = Utc::now();
    let mut versions = Vec::new();
    let mut assets: Vec<StoredAsset> = Vec::new();
    for catalog in set.versions() {
        let (_, source) = CatalogSet::read_source(&folder.join(&catalog.file))?;
        versions.push(StoredVersion {
            version: catalog.version.clone(),
            valid_from: catalog.valid_from,
            sha256: sha256_hex(source.as_bytes()),
            source,
            published_by: IMPORTED_BY.into(),
            published_at: now,
        });
        if let Some(name) = &catalog.bureau.logo
            && !assets.iter().any(|a| &a.name == name)
        {
            let bytes = std::fs::read(folder.join(name))?;
            assets.push(StoredAsset {
                name: name.clone(),
                sha256: sha256_hex(&bytes),
                bytes,
                published_by: IMPORTED_BY.into(),
                published_at: now,
            });
        }
    }
    Ok((versions, assets))
}
