//! The acceptance certificate of a stored quote (see [`crate::quotes::certificate`]).

use std::collections::HashMap;
use uuid::Uuid;

use super::change::event;
use super::{Attempt, QuoteService, landed, until_settled};
use crate::archive::{DocumentArchive, NewDocument};
use crate::outbox::ports::OutboxRepository;
use crate::quotes::certificate::{CERTIFIED, Certificate, CertificateFacts, Party, certificate};
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, Event, Quote};
use crate::quotes::ports::{QuoteRepository, SentDocument, StatusChange, Stored};

impl<R: QuoteRepository + OutboxRepository, D: SentDocument, A: DocumentArchive>
    QuoteService<R, D, A>
{
    /// The certificate of a quote that was sent (a draft has nothing to certify yet: refused
    /// as [`QuoteError::NotSent`]).
    #[tracing::instrument(name = "quote.certificate", skip(self))]
    pub async fn certificate(&self, id: Uuid) -> Result<Certificate, QuoteError> {
        Ok(self.certified(id).await?.1)
    }

    /// A sent quote as read today, its certificate, and the events it was made from (read
    /// once).
    async fn certified(&self, id: Uuid) -> Result<(Quote, Certificate, Vec<Event>), QuoteError> {
        let today = self.now().today;
        let stored = self.repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
        let events = super::history::with_expiry(&self.repo, &stored.quote, today).await?;
        let quote = super::as_of(stored, today).quote;
        if quote.status == Status::Draft {
            return Err(QuoteError::NotSent);
        }
        let deliveries = self.repo.deliveries(id).await?;
        let mut archived = HashMap::new();
        for sha256 in events.iter().filter_map(|e| e.document_sha256.as_deref()) {
            if !archived.contains_key(sha256) {
                let kept = self.archive.get(sha256).await?.is_some();
                archived.insert(sha256.to_string(), kept);
            }
        }
        let computation = &quote.computation;
        let catalogs = self.catalogs.current();
        let catalog = catalogs.priced_with(&computation.catalog.version, computation.quote_date);
        let bureau = Party {
            name: catalog.bureau.name.clone(),
            kvk: Some(catalog.bureau.kvk.clone()),
            contact_person: None,
            email: catalog.bureau.email.clone(),
        };
        let certificate = certificate(&CertificateFacts {
            quote: &quote,
            events: &events,
            deliveries: &deliveries,
            bureau,
            archived: &|sha256| archived.get(sha256).copied().unwrap_or(false),
        });
        Ok((quote, certificate, events))
    }
}

impl<R: QuoteRepository + OutboxRepository, D: SentDocument, A: DocumentArchive>
    QuoteService<R, D, A>
{
    /// The certificate's PDF, archived. Each certificate issued is a step (`acceptance
    /// certificate issued`, naming its hash), so `verify` knows it; the same history gives the
    /// same bytes, which are issued once.
    #[tracing::instrument(name = "quote.certificate_pdf", skip(self, actor))]
    pub async fn certificate_pdf(
        &self,
        id: Uuid,
        actor: &Actor,
    ) -> Result<(Vec<u8>, String), QuoteError> {
        let now = self.now();
        let (quote, certificate, events) = self.certified(id).await?;
        let pdf = self
            .documents
            .certificate_pdf(&quote, &certificate)
            .await
            .map_err(QuoteError::Render)?;
        let document = NewDocument::pdf(pdf);
        let sha256 = document.sha256.clone();
        let issued = events.into_iter().any(|e| {
            e.reason.as_deref() == Some(CERTIFIED) && e.document_sha256.as_ref() == Some(&sha256)
        });
        if issued {
            return Ok((document.bytes, sha256));
        }
        let bytes = document.bytes.clone();
        let documents = self.keep(document).await?;
        let repo = &self.repo;
        until_settled(quote.status, async || {
            let Stored { quote, version } =
                repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
            let stored = quote.status;
            let mut step = event(id, Some(stored), stored, now.at, actor, Some(CERTIFIED));
            step.document_sha256 = Some(sha256.clone());
            let change = StatusChange {
                documents: documents.clone(),
                ..StatusChange::recording(id, version, step)
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(stored));
            }
            Ok(Attempt::Done(()))
        })
        .await?;
        Ok((bytes, sha256))
    }

    /// The certificate's PDF for the employer, through the link of a quote they accepted.
    #[tracing::instrument(name = "quote.certificate_by_link", skip_all, fields(quote_id))]
    pub async fn certificate_by_link(
        &self,
        token: &str,
    ) -> Result<(Quote, Vec<u8>, String), QuoteError> {
        let id = self.linked(token).await?;
        let quote = super::get(&self.repo, id, self.now().today).await?;
        if quote.status != Status::Accepted {
            return Err(QuoteError::LinkClosed(quote.status));
        }
        let (pdf, sha256) = self.certificate_pdf(id, &Actor::employer()).await?;
        Ok((quote, pdf, sha256))
    }
}
