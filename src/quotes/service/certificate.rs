//! The acceptance certificate of a stored quote (see [`crate::quotes::certificate`]).

use std::collections::HashMap;
use uuid::Uuid;

use super::QuoteService;
use crate::archive::DocumentArchive;
use crate::outbox::ports::OutboxRepository;
use crate::quotes::certificate::{Certificate, CertificateFacts, Party, certificate};
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::ports::{QuoteRepository, SentDocument};

impl<R: QuoteRepository + OutboxRepository, D: SentDocument, A: DocumentArchive>
    QuoteService<R, D, A>
{
    /// The certificate of a quote that was sent (a draft has nothing to certify yet: refused
    /// as [`QuoteError::NotSent`]).
    #[tracing::instrument(name = "quote.certificate", skip(self))]
    pub async fn certificate(&self, id: Uuid) -> Result<Certificate, QuoteError> {
        let quote = super::get(&self.repo, id, self.now().today).await?;
        if quote.status == Status::Draft {
            return Err(QuoteError::NotSent);
        }
        let events = super::history::events(&self.repo, id, self.now().today).await?;
        let deliveries = self.repo.deliveries(id).await?;
        let mut archived = HashMap::new();
        for sha256 in events.iter().filter_map(|e| e.document_sha256.as_deref()) {
            if !archived.contains_key(sha256) {
                let kept = self.archive.get(sha256).await?.is_some();
                archived.insert(sha256.to_string(), kept);
            }
        }
        let computation = &quote.computation;
        let catalog = self
            .catalogs
            .priced_with(&computation.catalog.version, computation.quote_date);
        let bureau = Party {
            name: catalog.bureau.name.clone(),
            kvk: Some(catalog.bureau.kvk.clone()),
            contact_person: None,
            email: catalog.bureau.email.clone(),
        };
        Ok(certificate(&CertificateFacts {
            quote: &quote,
            events: &events,
            deliveries: &deliveries,
            bureau,
            archived: &|sha256| archived.get(sha256).copied().unwrap_or(false),
        }))
    }
}
