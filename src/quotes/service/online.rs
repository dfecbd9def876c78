//! The employer's side: the quote opened through its link, accepted or declined there. The link
//! works while the quote it was made for is sent and within its validity; once the quote is
//! revised (the new revision gets its own link), withdrawn, expired, accepted or declined, the
//! page says so. An unknown token is simply not found.

use uuid::Uuid;

use super::archived::last_sent_sha256;
use super::change::event;
use super::send::{Mailing, email_job, token_sha256};
use super::{Attempt, Now, QuoteService, fetch, landed, quote_jobs, stored, until_settled};
use crate::archive::{DocumentArchive, NewDocument};
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::EventType;
use crate::quotes::certificate::VIEWED;
use crate::quotes::error::QuoteError;
use crate::quotes::input::Signature;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Acceptance, Actor, Quote};
use crate::quotes::ports::{
    LetterKind, LetterRequest, LinkPurpose, NewEvent, QuoteRepository, SentDocument, StatusChange,
    Stored,
};

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// The quote a token opens, in the status it has today, with its online acceptance if any.
    /// The first view of a sent quote is recorded (an event "viewed online", and `quote.viewed`).
    #[tracing::instrument(name = "quote.open", skip_all, fields(quote_id))]
    pub async fn open(&self, token: &str) -> Result<(Quote, Option<Acceptance>), QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        let id = self.linked(token).await?;
        let Stored { quote, version } = fetch(repo, id, now.today).await?;
        if quote.status == Status::Sent {
            let seen = repo
                .events(id)
                .await?
                .iter()
                .any(|e| e.reason.as_deref() == Some(VIEWED));
            if !seen {
                let viewed = Quote {
                    updated_at: now.at,
                    ..quote.clone()
                };
                let jobs = quote_jobs(&self.webhooks, EventType::QuoteViewed, &viewed, now.at)?;
                let viewed_event = event(
                    id,
                    Some(Status::Sent),
                    Status::Sent,
                    now.at,
                    &Actor::employer(),
                    Some(VIEWED),
                );
                let change = StatusChange {
                    jobs,
                    ..StatusChange::recording(id, version, viewed_event)
                };
                // Someone else changed it meanwhile: their change stands, the view goes
                // unrecorded.
                landed(repo.change_status(change).await)?;
            }
        }
        let accepted = super::history::acceptance(repo, &quote).await?;
        Ok((quote, accepted))
    }

    /// The employer accepts with a signature (a name, the box ticked). Recorded in the
    /// `accepted` event: the name, the time and the SHA-256 of the document accepted (the PDF
    /// of the sent version with the signature block filled in, archived). The quote is final; a
    /// confirmation with that PDF goes to the employer and to the bureau (when e-mail is
    /// configured).
    #[tracing::instrument(name = "quote.accept", skip_all, fields(quote_id))]
    pub async fn accept(&self, token: &str, signature: &Signature) -> Result<Quote, QuoteError> {
        let at = self.now().at;
        let name = signature.name();
        let accepted = |quote: &Quote| {
            let mut event = event(
                quote.id,
                Some(Status::Sent),
                Status::Accepted,
                at,
                &Actor::employer(),
                None,
            );
            event.name = Some(name.to_string());
            event.evidence = signature.evidence().cloned();
            event
        };
        self.decide(token, accepted, Status::Accepted, Some(name))
            .await
    }

    /// The employer declines, optionally saying why; the event records the SHA-256 of the
    /// document declined.
    #[tracing::instrument(name = "quote.decline", skip_all, fields(quote_id))]
    pub async fn decline(&self, token: &str, reason: Option<&str>) -> Result<Quote, QuoteError> {
        let at = self.now().at;
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| r.chars().take(1000).collect::<String>())
            .unwrap_or_else(|| "declined online (no reason given)".into());
        let declined = |quote: &Quote| {
            event(
                quote.id,
                Some(Status::Sent),
                Status::Declined,
                at,
                &Actor::employer(),
                Some(&reason),
            )
        };
        self.decide(token, declined, Status::Declined, None).await
    }

    /// Moves the quote a token opens from `sent` to `to`. Accepting (`signed_by` the employer's
    /// name) archives the accepted document, records its SHA-256 and queues a confirmation
    /// e-mail; declining records the SHA-256 of the document sent. The webhook event of the
    /// answer goes out in any case.
    async fn decide(
        &self,
        token: &str,
        event_for: impl Fn(&Quote) -> NewEvent,
        to: Status,
        signed_by: Option<&str>,
    ) -> Result<Quote, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        let id = self.linked(token).await?;
        until_settled(Status::Sent, async || {
            let Stored { quote, version } = fetch(repo, id, now.today).await?;
            if quote.status != Status::Sent {
                return Err(QuoteError::LinkClosed(quote.status));
            }
            let mut event = event_for(&quote);
            let answered = Quote {
                status: to,
                updated_at: now.at,
                decided_at: Some(now.at),
                ..quote
            }
            .consent_seen_on(now.today);
            let mut documents = Vec::new();
            let mut jobs = Vec::new();
            match signed_by {
                // The document the employer accepted: the version sent, rendered with its
                // signature block filled in; archived, its hash in the event.
                Some(name) => {
                    let accepted = self.accepted_document(&answered, name, now).await?;
                    event.document_sha256 = Some(accepted.sha256.clone());
                    if let Some(mailing) = &self.mailing {
                        let sha256 = &accepted.sha256;
                        jobs.push(self.confirmation(mailing, &answered, name, sha256, now)?);
                    }
                    documents = self.keep(accepted).await?;
                }
                // Declined: the document sent.
                None => {
                    let events = repo.events(id).await?;
                    event.document_sha256 = last_sent_sha256(&events).map(str::to_string);
                }
            }
            let kind = if to == Status::Accepted {
                EventType::QuoteAccepted
            } else {
                EventType::QuoteDeclined
            };
            jobs.extend(quote_jobs(&self.webhooks, kind, &answered, now.at)?);
            let change = StatusChange {
                id,
                expected: version,
                to,
                at: now.at,
                decided_at: Some(now.at),
                event,
                jobs,
                link: None,
                documents,
                consent: None,
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(Status::Sent));
            }
            Ok(Attempt::Done(stored(repo, id, now.today).await?))
        })
        .await
    }

    /// The quote a link's token was made for (recorded in the operation's span).
    pub(super) async fn linked(&self, token: &str) -> Result<Uuid, QuoteError> {
        let id = self
            .repo
            .find_link(&token_sha256(token))
            .await?
            .filter(|l| l.purpose == LinkPurpose::Employer)
            .ok_or(QuoteError::LinkNotFound)?
            .quote_id;
        tracing::Span::current().record("quote_id", tracing::field::display(id));
        Ok(id)
    }

    /// The document of the `accepted` quote with the signature block filled in by `name`.
    async fn accepted_document(
        &self,
        accepted: &Quote,
        name: &str,
        now: Now,
    ) -> Result<NewDocument, QuoteError> {
        let acceptance = Acceptance {
            name: name.to_string(),
            at: now.at,
        };
        let pdf = self
            .documents
            .accepted_pdf(accepted, &acceptance)
            .await
            .map_err(QuoteError::Render)?;
        Ok(NewDocument::pdf(pdf))
    }

    /// The confirmation e-mail of an acceptance, to the employer with the bureau in copy, with
    /// the accepted document (archived as `accepted_sha256`).
    fn confirmation(
        &self,
        mailing: &Mailing,
        accepted: &Quote,
        name: &str,
        accepted_sha256: &str,
        now: Now,
    ) -> Result<NewJob, QuoteError> {
        let letter = self
            .documents
            .letter(
                accepted,
                &LetterRequest {
                    kind: LetterKind::Accepted,
                    link: None,
                    message: None,
                    accepted_by: Some((name, now.at)),
                },
            )
            .map_err(QuoteError::Render)?;
        let to = vec![accepted.employer.email.clone()];
        let cc = vec![letter.bureau_email.clone()];
        email_job(
            mailing,
            accepted.id,
            "accepted_confirmation",
            letter,
            (to, cc),
            accepted_sha256,
            now,
        )
    }
}
