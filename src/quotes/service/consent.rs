//! The employee's written consent to deducting the quoted costs from the transitievergoeding
//! (see [`crate::quotes::consent`] for the rule). Sales, or the employer on the page of an
//! accepted quote, asks for it: the service renders the cost specification for the employee,
//! archives it and makes a consent link (e-mailed to an address typed for it, which is kept no
//! longer than the delivery). The employee opens the link, reads the specification and consents
//! by name or declines. A link works until it expires and while its quote is sent or accepted;
//! a revision, a withdrawal, a decline or an expiry of the quote ends it.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::change::event;
use super::send::{email_job, new_token, token_sha256};
use super::{Attempt, QuoteService, fetch, landed, quote_jobs, stored, until_settled};
use crate::archive::{DocumentArchive, NewDocument};
use crate::outbox::model::NewJob;
use crate::outbox::webhooks::EventType;
use crate::quotes::consent::{
    CONSENT_ASKED, CONSENT_DECLINED, CONSENT_GIVEN, ConsentRecord, ConsentStatus, EmployeeConsent,
};
use crate::quotes::error::QuoteError;
use crate::quotes::input::Signature;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Actor, Quote};
use crate::quotes::ports::{
    LetterKind, LetterRequest, Link, LinkPurpose, NewLink, QuoteRepository, SentDocument,
    StatusChange, Stored,
};

/// The outbox topic of the e-mail that carries a consent link to the employee.
pub const CONSENT_TOPIC: &str = "employee_consent";

/// Where consent links point and how long they work.
#[derive(Debug, Clone)]
pub struct ConsentLinks {
    /// The base of the links (`{public_url}/c/{token}`).
    pub public_url: String,
    /// Days a link works.
    pub days: u32,
}

impl Default for ConsentLinks {
    fn default() -> Self {
        ConsentLinks {
            public_url: "http://localhost:8080".into(),
            days: 30,
        }
    }
}

/// A consent link as made: the only time its token is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The SHA-256 of the cost specification the link shows (archived).
    pub specification_sha256: String,
    /// The link went out by e-mail (queued).
    pub emailed: bool,
}

/// The employee's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentAnswer {
    /// Consent, signed with the typed name and the box ticked.
    Given(Signature),
    /// Declined, with an optional reason (at most 1000 characters kept).
    Declined(Option<String>),
}

/// What the consent page shows: the quote (its consent as it stands) and the link opened.
#[derive(Debug, Clone)]
pub struct ConsentPage {
    pub quote: Quote,
    pub link: Link,
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Sales asks the employee's consent for a sent or accepted quote; with `email`, the link
    /// goes out by e-mail (the address is not kept beyond the delivery).
    #[tracing::instrument(name = "quote.ask_consent", skip(self, actor, email))]
    pub async fn ask_consent(
        &self,
        id: Uuid,
        actor: &Actor,
        email: Option<&str>,
    ) -> Result<ConsentLink, QuoteError> {
        self.ask(id, actor, email, &[Status::Sent, Status::Accepted])
            .await
    }

    /// The employer asks the employee's consent from the page of the quote they accepted.
    #[tracing::instrument(name = "quote.ask_consent_online", skip_all, fields(quote_id))]
    pub async fn ask_consent_by_link(
        &self,
        token: &str,
        email: Option<&str>,
    ) -> Result<ConsentLink, QuoteError> {
        let id = self.linked(token).await?;
        self.ask(id, &Actor::employer(), email, &[Status::Accepted])
            .await
    }

    async fn ask(
        &self,
        id: Uuid,
        actor: &Actor,
        email: Option<&str>,
        askable: &[Status],
    ) -> Result<ConsentLink, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        if email.is_some() && self.mailing.is_none() {
            return Err(QuoteError::EmailNotConfigured);
        }
        until_settled(Status::Sent, async || {
            let Stored { quote, version } = fetch(repo, id, now.today).await?;
            if !askable.contains(&quote.status) {
                return Err(QuoteError::ConsentNotAskable(quote.status));
            }
            if quote
                .employee_consent
                .as_ref()
                .is_some_and(|c| c.is_given())
            {
                return Err(QuoteError::ConsentGiven);
            }
            let specification = self
                .documents
                .specification_pdf(&quote)
                .await
                .map_err(QuoteError::Render)?;
            let specification = NewDocument::pdf(specification);
            let sha256 = specification.sha256.clone();
            let (token, token_hash) = new_token();
            let url = format!("{}/c/{token}", self.consent_links.public_url);
            let expires_at = now.at + TimeDelta::days(i64::from(self.consent_links.days));
            let mut asked = event(
                id,
                Some(quote.status),
                quote.status,
                now.at,
                actor,
                Some(CONSENT_ASKED),
            );
            asked.document_sha256 = Some(sha256.clone());
            let jobs = match email {
                Some(address) => vec![self.consent_mail(&quote, address, &url, &sha256, now)?],
                None => Vec::new(),
            };
            let record = ConsentRecord {
                status: Some(ConsentStatus::Pending),
                asked_at: Some(now.at),
                at: None,
                specification_sha256: Some(sha256.clone()),
            };
            let change = StatusChange {
                link: Some(NewLink {
                    token_sha256: token_hash,
                    purpose: LinkPurpose::Employee,
                    expires_at: Some(expires_at),
                    document_sha256: Some(sha256.clone()),
                }),
                documents: self.keep(specification).await?,
                consent: Some(record),
                jobs,
                ..StatusChange::recording(id, version, asked)
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(quote.status));
            }
            Ok(Attempt::Done(ConsentLink {
                url: url.clone(),
                expires_at,
                specification_sha256: sha256,
                emailed: email.is_some(),
            }))
        })
        .await
    }

    /// The e-mail that brings the employee the link, with the specification attached; its
    /// address is forgotten once it is delivered (or given up on).
    fn consent_mail(
        &self,
        quote: &Quote,
        address: &str,
        link: &str,
        specification_sha256: &str,
        now: crate::clock::Now,
    ) -> Result<NewJob, QuoteError> {
        let mailing = self
            .mailing
            .as_ref()
            .ok_or(QuoteError::EmailNotConfigured)?;
        let letter = self
            .documents
            .letter(
                quote,
                &LetterRequest {
                    kind: LetterKind::Consent,
                    link: Some(link),
                    message: None,
                    accepted_by: None,
                },
            )
            .map_err(QuoteError::Render)?;
        let mail = (vec![address.to_string()], Vec::new());
        let job = email_job(
            mailing,
            quote.id,
            CONSENT_TOPIC,
            letter,
            mail,
            specification_sha256,
            now,
        )?;
        Ok(job)
    }

    /// The consent page a token opens: the quote while the link works.
    #[tracing::instrument(name = "quote.open_consent", skip_all, fields(quote_id))]
    pub async fn open_consent(&self, token: &str) -> Result<ConsentPage, QuoteError> {
        let now = self.now();
        let link = self.consent_link(token, now.at).await?;
        let Stored { quote, .. } = fetch(&self.repo, link.quote_id, now.today).await?;
        if !matches!(quote.status, Status::Sent | Status::Accepted) {
            return Err(QuoteError::LinkClosed(quote.status));
        }
        Ok(ConsentPage { quote, link })
    }

    /// The specification a consent link shows, as archived (`None`: not in the archive), with
    /// the page.
    pub async fn consent_specification(
        &self,
        token: &str,
    ) -> Result<(ConsentPage, Option<Vec<u8>>), QuoteError> {
        let page = self.open_consent(token).await?;
        let bytes = match page.link.document_sha256.as_deref() {
            Some(sha256) => self.archived(sha256).await?,
            None => None,
        };
        Ok((page, bytes))
    }

    /// The employee answers. Recorded once: when the consent was given or declined already,
    /// nothing changes and the quote is answered as it is.
    #[tracing::instrument(name = "quote.answer_consent", skip_all, fields(quote_id))]
    pub async fn answer_consent(
        &self,
        token: &str,
        answer: &ConsentAnswer,
    ) -> Result<Quote, QuoteError> {
        let now = self.now();
        let repo = &self.repo;
        let link = self.consent_link(token, now.at).await?;
        let id = link.quote_id;
        until_settled(Status::Sent, async || {
            let Stored { quote, version } = fetch(repo, id, now.today).await?;
            if !matches!(quote.status, Status::Sent | Status::Accepted) {
                return Err(QuoteError::LinkClosed(quote.status));
            }
            let answered = quote
                .employee_consent
                .as_ref()
                .is_some_and(|c| c.status != ConsentStatus::Pending);
            if answered {
                return Ok(Attempt::Done(quote));
            }
            let (status, reason, kind) = match answer {
                ConsentAnswer::Given(_) => (
                    ConsentStatus::Given,
                    CONSENT_GIVEN.to_string(),
                    EventType::QuoteEmployeeConsentGiven,
                ),
                ConsentAnswer::Declined(why) => (
                    ConsentStatus::Declined,
                    declined_reason(why.as_deref()),
                    EventType::QuoteEmployeeConsentDeclined,
                ),
            };
            let mut recorded = event(
                id,
                Some(quote.status),
                quote.status,
                now.at,
                &Actor::employee(),
                Some(&reason),
            );
            recorded.document_sha256 = link.document_sha256.clone();
            if let ConsentAnswer::Given(signature) = answer {
                recorded.name = Some(signature.name().to_string());
                recorded.evidence = signature.evidence().cloned();
            }
            let record = ConsentRecord {
                status: Some(status),
                at: Some(now.at),
                specification_sha256: link.document_sha256.clone(),
                ..quote
                    .employee_consent
                    .as_ref()
                    .map(|c| c.record())
                    .unwrap_or_default()
            };
            let updated = Quote {
                updated_at: now.at,
                employee_consent: EmployeeConsent::shown(
                    &record,
                    quote.status == Status::Accepted,
                    quote.computation.tier.starts_on,
                    Some(now.today),
                ),
                ..quote.clone()
            };
            let jobs = quote_jobs(&self.webhooks, kind, &updated, now.at)?;
            let change = StatusChange {
                consent: Some(record),
                jobs,
                ..StatusChange::recording(id, version, recorded)
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(quote.status));
            }
            Ok(Attempt::Done(stored(repo, id, now.today).await?))
        })
        .await
    }

    /// The employee's link of a token, while it works (an unknown token, or one for the
    /// employer, is simply not found).
    async fn consent_link(&self, token: &str, now: DateTime<Utc>) -> Result<Link, QuoteError> {
        let link = self
            .repo
            .find_link(&token_sha256(token))
            .await?
            .filter(|l| l.purpose == LinkPurpose::Employee)
            .ok_or(QuoteError::LinkNotFound)?;
        tracing::Span::current().record("quote_id", tracing::field::display(link.quote_id));
        if link.expires_at.is_some_and(|end| end <= now) {
            return Err(QuoteError::LinkExpired);
        }
        Ok(link)
    }
}

/// A decline's event reason: the words, with the employee's reason when one was given (trimmed,
/// at most 1000 characters).
fn declined_reason(why: Option<&str>) -> String {
    match why.map(str::trim).filter(|r| !r.is_empty()) {
        Some(why) => format!(
            "{CONSENT_DECLINED}: {}",
            why.chars().take(1000).collect::<String>()
        ),
        None => CONSENT_DECLINED.to_string(),
    }
}
