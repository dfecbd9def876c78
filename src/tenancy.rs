//! The bureaus of the running service (wiring): each bureau's services, built from its own
//! storage handle, catalog, number prefix and settings, and the keys that open them.
//!
//! Every instance keeps them in memory and compares the bureaus' revisions every
//! [`REFRESH`] (one small read): a bureau made, suspended, given a key or a catalog version on
//! another instance is in force here within seconds; on the instance that made the change, at
//! once.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use crate::access::{Keys, Role};
use crate::archive::Archive;
use crate::bureaus::model::{Bureau, BureauStatus, KeyRefusal, ROTATION_OVERLAP_HOURS, StoredKey};
use crate::bureaus::ports::BureauRepository;
use crate::catalog::CatalogSet;
use crate::clock::Clock;
use crate::delivery::signature::{Secret, Signer};
use crate::documents::Renderer;
use crate::documents::letters::Letters;
use crate::documents::quotes::QuoteDocuments;
use crate::exports::service::ExportService;
use crate::outbox::service::OutboxService;
use crate::outbox::webhooks::{EventFilter, Subscription, Webhooks};
use crate::outbox::worker::{Endpoint, Endpoints, SharedEndpoints};
use crate::publishing::Publisher;
use crate::quotes::service::{ConsentLinks, Mailing, QuoteService};
use crate::requests::service::RequestService;
use crate::storage::{BureauId, ForBureau};
use crate::store::Store;

/// The quote operations as the running service has them.
pub type Quotes = QuoteService<Store, QuoteDocuments, Archive<Store>>;
/// The request operations as the running service has them.
pub type Requests = RequestService<Store>;
/// The finance exports as the running service has them.
pub type Exports = ExportService<Store>;
/// The outbox operations as the running service has them.
pub type Deliveries = OutboxService<Store>;

/// How often every instance compares the bureaus' revisions.
pub const REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// One bureau and its services, each working on the bureau's own rows only.
pub struct Tenant {
    pub bureau: Bureau,
    pub quotes: Arc<Quotes>,
    /// Its catalog versions in the database.
    pub publisher: Arc<Publisher<Store>>,
    pub requests: Arc<Requests>,
    pub deliveries: Arc<Deliveries>,
    pub exports: Arc<Exports>,
    /// Its quotes' documents (the renderer is shared, the catalog its own).
    pub documents: QuoteDocuments,
}

impl Tenant {
    /// The catalog versions the bureau prices with.
    pub fn catalogs(&self) -> Arc<CatalogSet> {
        self.quotes.catalogs()
    }

    pub fn id(&self) -> BureauId {
        self.bureau.id
    }

    pub fn is_suspended(&self) -> bool {
        self.bureau.status == BureauStatus::Suspended
    }
}

/// What every bureau's services are built from: the deployment's settings, as the fallback
/// of each bureau's own.
pub struct Shared {
    pub store: Store,
    pub pricing_dir: PathBuf,
    /// The default bureau's number prefix (`number_prefix`).
    pub number_prefix: String,
    pub mailing: Option<Mailing>,
    pub reminder_days: u32,
    pub consent_links: ConsentLinks,
    pub request_retention_days: u32,
    pub renderer: Arc<Renderer>,
    pub letters: Arc<Letters>,
    pub archive: Archive<Store>,
    pub clock: Arc<dyn Clock>,
    /// The webhook endpoints of the settings: the default bureau's (subscriptions, and what
    /// the worker posts with).
    pub webhooks: Vec<Subscription>,
    pub configured_endpoints: Endpoints,
    /// What the worker posts with, for every bureau: kept up to date here.
    pub endpoints: SharedEndpoints,
    /// Endpoints set through the API may be on private networks (`webhook_allow_private_networks`).
    pub private_networks: bool,
}

/// Who a key belongs to.
pub enum Identity {
    /// A key of `operator_keys`: manages bureaus, reads no quote.
    Operator { key_id: String },
    /// A key of a bureau.
    Bureau {
        tenant: Arc<Tenant>,
        role: Role,
        key_id: String,
    },
}

/// Why a presented key opens nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Revoked,
    Expired,
    /// The key's bureau is suspended (its slug).
    Suspended(String),
}

/// The bureaus in force, their keys, and how they were when last read.
#[derive(Default)]
struct Registry {
    tenants: HashMap<BureauId, Arc<Tenant>>,
    slugs: HashMap<String, BureauId>,
    keys: HashMap<[u8; 32], StoredKey>,
    marks: HashMap<BureauId, i64>,
}

/// Every bureau of the deployment.
pub struct Tenants {
    shared: Shared,
    operator_keys: Keys,
    /// `api_keys` of the settings: the default bureau's.
    configured_keys: Keys,
    registry: RwLock<Registry>,
    /// One refresh at a time (the timer's and an operation's).
    refreshing: tokio::sync::Mutex<()>,
}

impl Tenants {
    /// Loads every bureau and builds its services (an empty bureau gets the catalog folder).
    pub async fn open(
        shared: Shared,
        operator_keys: Keys,
        configured_keys: Keys,
    ) -> anyhow::Result<Tenants> {
        let tenants = Tenants {
            shared,
            operator_keys,
            configured_keys,
            registry: RwLock::default(),
            refreshing: tokio::sync::Mutex::new(()),
        };
        tenants.refresh().await?;
        Ok(tenants)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the bureaus' revisions and loads again what changed: a new bureau's services, a
    /// changed bureau's row, keys and catalog versions.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let _one = self.refreshing.lock().await;
        let store = &self.shared.store;
        let marks = store.bureau_marks().await?;
        let known = self.read().marks.clone();
        let changed: Vec<BureauId> = marks
            .iter()
            .filter(|(id, revision)| known.get(id) != Some(revision))
            .map(|(id, _)| *id)
            .collect();
        self.forget_gone(&marks);
        if changed.is_empty() {
            return Ok(());
        }
        let bureaus: HashMap<BureauId, Bureau> = store
            .bureaus()
            .await?
            .into_iter()
            .map(|b| (b.id, b))
            .collect();
        for id in changed {
            let Some(bureau) = bureaus.get(&id).cloned() else {
                continue;
            };
            let revision = bureau.revision;
            // Its row, keys, settings, endpoints or catalog changed: its services are built
            // again from what is stored now (requests in flight finish with the old ones).
            let tenant = Arc::new(self.build(bureau).await?);
            let keys = store.scoped(id).keys().await?;
            let mut registry = self
                .registry
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            registry.keys.retain(|_, key| key.bureau != id);
            registry
                .keys
                .extend(keys.into_iter().map(|key| (key.sha256, key)));
            registry.slugs.insert(tenant.bureau.slug.clone(), id);
            registry.tenants.insert(id, tenant);
            registry.marks.insert(id, revision);
        }
        Ok(())
    }

    /// A bureau's services. The default bureau takes the settings' number prefix and webhook
    /// endpoints; the others their own prefix and (for now) no endpoint.
    async fn build(&self, bureau: Bureau) -> anyhow::Result<Tenant> {
        let shared = &self.shared;
        let store = shared.store.scoped(bureau.id);
        let prefix = if bureau.id.is_default() {
            shared.number_prefix.clone()
        } else {
            bureau.number_prefix.clone()
        };
        let webhooks = self.endpoints_of(&bureau, &store).await?;
        let publisher = Arc::new(
            Publisher::open(
                store.clone(),
                &shared.pricing_dir,
                shared.clock.clone(),
                webhooks.clone(),
            )
            .await
            .with_context(|| {
                format!(
                    "loading the catalog of bureau `{}` (importing {} into an empty one)",
                    bureau.slug,
                    shared.pricing_dir.display()
                )
            })?,
        );
        let catalogs = publisher.catalogs().clone();
        let documents = QuoteDocuments {
            renderer: shared.renderer.clone(),
            letters: shared.letters.clone(),
            catalogs: catalogs.clone(),
        };
        let mailing = shared.mailing.as_ref().map(|m| Mailing {
            from: bureau.settings.mail_from.clone().or_else(|| m.from.clone()),
            public_url: m.public_url.clone(),
            reply_to: bureau.settings.reply_to.clone(),
        });
        let reminder_days = bureau
            .settings
            .reminder_days
            .unwrap_or(shared.reminder_days);
        let quotes = Arc::new(
            QuoteService::new(
                store.clone(),
                documents.clone(),
                shared.archive.for_bureau(bureau.id),
                catalogs.clone(),
                webhooks.clone(),
                prefix.clone(),
            )
            .with_mailing(mailing, reminder_days)
            .with_consent_links(shared.consent_links.clone())
            .with_clock(shared.clock.clone()),
        );
        let requests = Arc::new(
            RequestService::new(
                store.clone(),
                catalogs.clone(),
                webhooks,
                prefix,
                shared.request_retention_days,
            )
            .with_clock(shared.clock.clone()),
        );
        Ok(Tenant {
            quotes,
            publisher,
            requests,
            deliveries: Arc::new(OutboxService::new(store.clone(), shared.clock.clone())),
            exports: Arc::new(ExportService::new(store, catalogs, shared.clock.clone())),
            documents,
            bureau,
        })
    }

    /// Drops the bureaus no longer stored (erased), with their keys and endpoints.
    fn forget_gone(&self, marks: &[(BureauId, i64)]) {
        let stored: std::collections::HashSet<BureauId> = marks.iter().map(|(id, _)| *id).collect();
        let mut registry = self
            .registry
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let gone: Vec<BureauId> = registry
            .tenants
            .keys()
            .filter(|id| !stored.contains(id))
            .copied()
            .collect();
        for id in &gone {
            if let Some(tenant) = registry.tenants.remove(id) {
                registry.slugs.remove(&tenant.bureau.slug);
            }
            registry.marks.remove(id);
            registry.keys.retain(|_, key| key.bureau != *id);
        }
        drop(registry);
        if !gone.is_empty() {
            self.shared
                .endpoints
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|(owner, _), _| !gone.contains(owner));
        }
    }

    /// The archive of `bureau`'s documents.
    pub fn archive(&self, bureau: BureauId) -> Archive<Store> {
        self.shared.archive.for_bureau(bureau)
    }

    /// The bureau's webhook endpoints (the settings' for the default bureau, and those set
    /// through the API): its subscriptions, and the worker's entries for it replaced.
    async fn endpoints_of(&self, bureau: &Bureau, store: &Store) -> anyhow::Result<Webhooks> {
        let shared = &self.shared;
        let stored = store.endpoints().await?;
        let now = shared.clock.now().at;
        let mut subscriptions = Vec::new();
        let mut entries = Endpoints::new();
        if bureau.id.is_default() {
            subscriptions.extend(shared.webhooks.iter().cloned());
            entries.extend(
                shared
                    .configured_endpoints
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
        }
        for endpoint in &stored {
            let filter = EventFilter::parse(&endpoint.events)
                .with_context(|| format!("the events of webhook endpoint {}", endpoint.id))?;
            subscriptions.push(Subscription::new(&endpoint.url, filter));
            let secrets = endpoint
                .signing_secrets(now)
                .iter()
                .map(|s| Secret::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("the secrets of webhook endpoint {}", endpoint.id))?;
            // During a rotation's overlap both secrets sign; from its end the new one alone.
            let after_overlap = match (secrets.len(), endpoint.rotated_at) {
                (2, Some(at)) => Some((
                    at + chrono::Duration::hours(ROTATION_OVERLAP_HOURS),
                    Signer::new(vec![secrets[0].clone()])?,
                )),
                _ => None,
            };
            entries.insert(
                (bureau.id, endpoint.id.clone()),
                Endpoint {
                    url: reqwest::Url::parse(&endpoint.url)?,
                    signer: Signer::new(secrets)?,
                    after_overlap,
                    guarded: !shared.private_networks,
                },
            );
        }
        let mut map = shared
            .endpoints
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.retain(|(owner, _), _| *owner != bureau.id);
        map.extend(entries);
        Ok(Webhooks::new(subscriptions))
    }

    /// The bureau `id`, when there is one.
    pub fn get(&self, id: BureauId) -> Option<Arc<Tenant>> {
        self.read().tenants.get(&id).cloned()
    }

    /// The bureau with `slug`, when there is one.
    pub fn by_slug(&self, slug: &str) -> Option<Arc<Tenant>> {
        let registry = self.read();
        let id = registry.slugs.get(slug)?;
        registry.tenants.get(id).cloned()
    }

    /// The default bureau (always there: migration 0010 makes it).
    pub fn default_tenant(&self) -> Arc<Tenant> {
        self.get(BureauId::DEFAULT)
            .expect("the default bureau is loaded when the service starts")
    }

    /// Every bureau, by id.
    pub fn all(&self) -> Vec<Arc<Tenant>> {
        let mut all: Vec<Arc<Tenant>> = self.read().tenants.values().cloned().collect();
        all.sort_by_key(|t| t.id());
        all
    }

    /// Who `presented` belongs to at `now`.
    pub fn authenticate(&self, presented: &str, now: DateTime<Utc>) -> Result<Identity, Refusal> {
        if let Some(key) = self.operator_keys.find(presented) {
            return Ok(Identity::Operator { key_id: key.id() });
        }
        let (bureau, role, key_id) = if let Some(key) = self.configured_keys.find(presented) {
            (BureauId::DEFAULT, key.role, key.id())
        } else {
            let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
            let registry = self.read();
            let key = registry.keys.get(&digest).ok_or(Refusal::Unknown)?;
            key.usable_at(now).map_err(|refusal| match refusal {
                KeyRefusal::Revoked => Refusal::Revoked,
                KeyRefusal::Expired => Refusal::Expired,
            })?;
            (key.bureau, key.role, key.key_id())
        };
        let tenant = self.get(bureau).ok_or(Refusal::Unknown)?;
        if tenant.is_suspended() {
            return Err(Refusal::Suspended(tenant.bureau.slug.clone()));
        }
        Ok(Identity::Bureau {
            tenant,
            role,
            key_id,
        })
    }

    /// Whether a browser page of `origin` may call the API: one of a bureau's website origins.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.read()
            .tenants
            .values()
            .any(|t| t.bureau.settings.origins.iter().any(|o| o == origin))
    }

    /// The bureau of an online link (employer's or employee's), by its token.
    pub async fn for_link(
        &self,
        token: &str,
    ) -> Result<Option<Arc<Tenant>>, crate::storage::StorageError> {
        let hash = crate::quotes::service::token_sha256(token);
        let bureau = self.shared.store.link_bureau(&hash).await?;
        Ok(bureau.and_then(|id| self.get(id)))
    }
}
