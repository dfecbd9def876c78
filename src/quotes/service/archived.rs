//! The documents as sent: kept in the archive when they go out (the quote sent, the document the
//! employer accepted), served from it ever after, and recognised by their hash.
//!
//! A quote's PDF is rendered once, when it is first sent; a re-send, a reminder and every later
//! read take the archived bytes, so a later change of the templates never changes a document
//! that went out. Drafts are rendered as they are now.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::QuoteService;
use crate::archive::{self, ArchiveError, DocumentArchive, NewDocument, sha256_hex};
use crate::quotes::certificate::CERTIFIED;
use crate::quotes::consent::is_consent_reason;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Event, Quote};
use crate::quotes::ports::{QuoteRepository, SentDocument};
use crate::quotes::proof::DocumentKind;

/// Which PDF the reads of a quote serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Never sent (a draft): rendered as it is now.
    Live,
    /// The bytes as sent (or, accepted online, as accepted), their hash checked.
    Archived { sha256: String, bytes: Vec<u8> },
    /// Sent before documents were archived: only the hash of what was sent is known.
    Missing { sha256: String },
}

/// What a document is, found by its hash: the quote it belongs to and the step that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub quote_id: Uuid,
    pub number: String,
    pub revision: i64,
    pub kind: DocumentKind,
    pub at: DateTime<Utc>,
}

/// The hash of the document a quote's reads serve: the one accepted online, else the one last
/// sent; `None` for a quote never sent.
pub(crate) fn recorded_sha256(status: Status, events: &[Event]) -> Option<&str> {
    let accepted = (status == Status::Accepted)
        .then(|| {
            events
                .iter()
                .rev()
                .filter(|e| e.to == Status::Accepted && e.name.is_some() && !e.is_aside())
                .find_map(|e| e.document_sha256.as_deref())
        })
        .flatten();
    accepted.or_else(|| last_sent_sha256(events))
}

/// The hash of the document last sent (a re-send or a reminder records it again).
pub(crate) fn last_sent_sha256(events: &[Event]) -> Option<&str> {
    events
        .iter()
        .rev()
        .filter(|e| e.to == Status::Sent && !e.is_aside())
        .find_map(|e| e.document_sha256.as_deref())
}

impl From<ArchiveError> for QuoteError {
    fn from(error: ArchiveError) -> QuoteError {
        match error {
            ArchiveError::Corrupt { expected, .. } => QuoteError::DocumentCorrupt(expected),
            ArchiveError::Storage(e) => QuoteError::Storage(e),
        }
    }
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Keeps a new document: in the database it goes into the change that names it (returned,
    /// for the change's `documents`); an object store gets it now, before the change.
    pub(super) async fn keep(&self, document: NewDocument) -> Result<Vec<NewDocument>, QuoteError> {
        if self.archive.in_database() {
            return Ok(vec![document]);
        }
        self.archive.put(&document).await?;
        Ok(Vec::new())
    }

    /// The archived bytes of a document, their hash checked.
    pub(super) async fn archived(&self, sha256: &str) -> Result<Option<Vec<u8>>, QuoteError> {
        Ok(archive::read(&self.archive, sha256).await?)
    }

    /// The PDF a sending carries, by hash, and the documents its change must store: the
    /// archived one when the quote went out before, else (a draft, or a quote sent before the
    /// archive) rendered now from `quote` as it will be stored.
    pub(super) async fn pdf_to_send(
        &self,
        was_sent: bool,
        quote: &Quote,
    ) -> Result<(String, Vec<NewDocument>), QuoteError> {
        if was_sent {
            let events = self.repo.events(quote.id).await?;
            if let Some(sha256) = last_sent_sha256(&events)
                && self.archived(sha256).await?.is_some()
            {
                return Ok((sha256.to_string(), Vec::new()));
            }
        }
        let pdf = self
            .documents
            .pdf(quote)
            .await
            .map_err(QuoteError::Render)?;
        let document = NewDocument::pdf(pdf);
        let sha256 = document.sha256.clone();
        Ok((sha256, self.keep(document).await?))
    }

    /// The PDF the reads of `quote` serve (see [`Recorded`]).
    #[tracing::instrument(name = "quote.recorded_pdf", skip_all, fields(quote_id = %quote.id))]
    pub async fn recorded_pdf(&self, quote: &Quote) -> Result<Recorded, QuoteError> {
        if quote.status == Status::Draft {
            return Ok(Recorded::Live);
        }
        let events = self.repo.events(quote.id).await?;
        let Some(sha256) = recorded_sha256(quote.status, &events) else {
            return Ok(Recorded::Live);
        };
        Ok(match self.archived(sha256).await? {
            Some(bytes) => Recorded::Archived {
                sha256: sha256.to_string(),
                bytes,
            },
            None => Recorded::Missing {
                sha256: sha256.to_string(),
            },
        })
    }

    /// Removes the documents no step names that were stored more than a day ago: on an object
    /// store, a send that stored its document and then failed (or was killed) before its event
    /// was written leaves one. The database archive never has any. Returns how many it removed.
    #[tracing::instrument(name = "quote.sweep_orphans", skip(self))]
    pub async fn sweep_orphans(&self) -> Result<u64, QuoteError> {
        let before = self.now().at - chrono::TimeDelta::days(1);
        let mut removed = 0;
        for sha256 in self.archive.stored_before(before).await? {
            if self.repo.document_events(&sha256).await?.is_empty() {
                self.archive.delete(&sha256).await?;
                tracing::info!(sha256 = %sha256, "orphan document removed from the archive");
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Whether `pdf` is a document this service sent or had accepted: found by its hash among
    /// the recorded steps (the first step that names it).
    #[tracing::instrument(name = "quote.verify", skip_all)]
    pub async fn verify(&self, pdf: &[u8]) -> Result<Option<Verified>, QuoteError> {
        let sha256 = sha256_hex(pdf);
        let events = self.repo.document_events(&sha256).await?;
        let kind = |e: &Event| match (e.reason.as_deref(), e.to) {
            (Some(CERTIFIED), _) => Some(DocumentKind::Certificate),
            (Some(reason), _) if is_consent_reason(reason) => Some(DocumentKind::Specification),
            (_, Status::Sent) => Some(DocumentKind::Sent),
            (_, Status::Accepted) => Some(DocumentKind::Accepted),
            _ => None,
        };
        let Some((event, kind)) = events.iter().find_map(|e| kind(e).map(|k| (e, k))) else {
            return Ok(None);
        };
        let Some(stored) = self.repo.fetch(event.quote_id).await? else {
            return Ok(None);
        };
        Ok(Some(Verified {
            quote_id: event.quote_id,
            number: stored.quote.number,
            revision: stored.quote.revision,
            kind,
            at: event.at,
        }))
    }
}
