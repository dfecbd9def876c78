//! A bureau's webhook endpoints, set by its admin: the URL is checked (http or https, and not
//! on a loopback, private, link-local or metadata address, by every address its name resolves
//! to), the secret is made here and shown once, a rotation keeps the old secret signing for a
//! day.

use super::BureauService;
use crate::bureaus::error::BureauError;
use crate::bureaus::model::StoredEndpoint;
use crate::bureaus::ports::BureauRepository;
use crate::delivery::guard;
use crate::delivery::signature::Secret;
use crate::outbox::webhooks::{EventFilter, endpoint_id};
use crate::pricing::{FieldError, InputError};
use crate::storage::{BureauId, ForBureau, StorageError};

/// The longest URL an endpoint may have.
pub const URL_MAX: usize = 2000;

/// An endpoint as made: what is kept, and its secret to show this once.
#[derive(Debug)]
pub struct MadeEndpoint {
    pub endpoint: StoredEndpoint,
    pub secret: String,
}

fn refused(field: &str, code: &str, message: String) -> BureauError {
    BureauError::Invalid(InputError {
        errors: vec![FieldError {
            field: field.into(),
            code: code.into(),
            message,
        }],
    })
}

impl<R: BureauRepository + ForBureau> BureauService<R> {
    /// Adds an endpoint of `bureau` for `events` (default every event).
    pub async fn add_endpoint(
        &self,
        bureau: BureauId,
        url: &str,
        events: Option<Vec<String>>,
    ) -> Result<MadeEndpoint, BureauError> {
        let events = events.unwrap_or_else(|| vec!["*".into()]);
        EventFilter::parse(&events)
            .map_err(|e| refused("events", "unknown_event", e.to_string()))?;
        let parsed = reqwest::Url::parse(url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .filter(|_| url.len() <= URL_MAX)
            .ok_or_else(|| {
                refused(
                    "url",
                    "invalid_url",
                    format!("an http or https URL with a host, at most {URL_MAX} characters"),
                )
            })?;
        if !self.private_networks {
            guard::check_url(&parsed)
                .await
                .map_err(|e| refused("url", "private_address", e.to_string()))?;
        }
        let (_, secret) = Secret::generate();
        let endpoint = StoredEndpoint {
            id: endpoint_id(parsed.as_str()),
            url: parsed.to_string(),
            secrets: vec![secret.clone()],
            events,
            created_at: self.clock.now().at,
            rotated_at: None,
            disabled: None,
        };
        match self
            .repo
            .for_bureau(bureau)
            .insert_endpoint(&endpoint)
            .await
        {
            Err(StorageError::Conflict(_)) => Err(BureauError::EndpointTaken(endpoint.id)),
            other => {
                other?;
                Ok(MadeEndpoint { endpoint, secret })
            }
        }
    }

    /// The endpoints of `bureau` set through the API, oldest first.
    pub async fn endpoints(&self, bureau: BureauId) -> Result<Vec<StoredEndpoint>, BureauError> {
        Ok(self.repo.for_bureau(bureau).endpoints().await?)
    }

    /// Removes an endpoint of `bureau`; its queued deliveries fail (no longer configured).
    pub async fn remove_endpoint(&self, bureau: BureauId, id: &str) -> Result<(), BureauError> {
        match self.repo.for_bureau(bureau).delete_endpoint(id).await {
            Err(StorageError::NotFound) => Err(BureauError::EndpointNotFound(id.to_string())),
            other => Ok(other?),
        }
    }

    /// A new secret for an endpoint of `bureau`, shown once; the one before still signs for
    /// [`crate::bureaus::model::ROTATION_OVERLAP_HOURS`].
    pub async fn rotate_endpoint(
        &self,
        bureau: BureauId,
        id: &str,
    ) -> Result<MadeEndpoint, BureauError> {
        let repo = self.repo.for_bureau(bureau);
        let mut endpoint = repo
            .endpoints()
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| BureauError::EndpointNotFound(id.to_string()))?;
        let (_, secret) = Secret::generate();
        let now = self.clock.now().at;
        endpoint.secrets = vec![secret.clone(), endpoint.secrets[0].clone()];
        endpoint.rotated_at = Some(now);
        match repo.rotate_endpoint(id, &endpoint.secrets, now).await {
            Err(StorageError::NotFound) => Err(BureauError::EndpointNotFound(id.to_string())),
            other => {
                other?;
                Ok(MadeEndpoint { endpoint, secret })
            }
        }
    }
}
