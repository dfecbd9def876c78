//! Sending a quote by e-mail: the quote moves to `sent` (or, sent already, goes out again), the
//! PDF of exactly that version is rendered, hashed and attached, a fresh link for the employer
//! is made (only its SHA-256 is kept), and the e-mail is queued in the outbox, all in the one
//! write that moves the quote. The outbox delivers it after the answer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::change::event;
use super::{ATTEMPTS, Now, fetch, quote_jobs, stored};
use crate::outbox::model::{Delivery, EmailJob, NewJob, StoredAttachment};
use crate::outbox::ports::OutboxRepository;
use crate::outbox::webhooks::{EventType, Webhooks};
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::{Status, check_transition};
use crate::quotes::model::{Actor, Quote, SendBody};
use crate::quotes::ports::{
    Letter, LetterKind, LetterRequest, QuoteRepository, SentDocument, StatusChange, Stored,
};
use crate::storage::StorageError;

/// How quotes go out by e-mail.
#[derive(Debug, Clone)]
pub struct Mailing {
    /// The sender; `None`: the bureau's address from the catalog.
    pub from: Option<String>,
    /// The base of the employer's link (`{public_url}/q/{token}`).
    pub public_url: String,
}

/// A fresh link token: 128 random bits, URL-safe, and the SHA-256 (hex) that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_sha256(&token);
    (token, hash)
}

/// What is stored of a token.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Sends a draft (or a sent quote again) to the employer, or to `body.to`.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a different input of the send; a struct would only rename them"
)]
pub async fn send(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    mailing: Option<&Mailing>,
    hooks: &Webhooks,
    id: Uuid,
    body: &SendBody,
    actor: &Actor,
    now: Now,
) -> Result<Quote, QuoteError> {
    let mailing = mailing.ok_or(QuoteError::EmailNotConfigured)?;
    let mut last = Status::Draft;
    for _ in 0..ATTEMPTS {
        let Stored { quote, version } = fetch(repo, id, now.today).await?;
        let from = quote.status;
        last = from;
        if from != Status::Sent {
            check_transition(from, Status::Sent, None)?;
        }
        let sent = Quote {
            status: Status::Sent,
            updated_at: now.at,
            ..quote
        };
        let pdf = documents.pdf(&sent).await.map_err(QuoteError::Render)?;
        let sha256 = hex::encode(Sha256::digest(&pdf));
        let (token, token_hash) = new_token();
        let link = format!("{}/q/{token}", mailing.public_url);
        let letter = documents
            .letter(
                &sent,
                &LetterRequest {
                    kind: LetterKind::Quote,
                    link: Some(&link),
                    message: body.message.as_deref(),
                    accepted_by: None,
                },
            )
            .map_err(QuoteError::Render)?;
        let to = body
            .to
            .clone()
            .unwrap_or_else(|| sent.employer.email.clone());
        let job = email_job(
            mailing,
            id,
            "quote_sent",
            letter,
            (vec![to], body.cc.clone()),
            &pdf,
            now,
        )?;
        let reason = format!("sent by e-mail to {}", job.recipient);
        let mut jobs = vec![job];
        jobs.extend(quote_jobs(hooks, EventType::QuoteSent, &sent, now.at)?);
        let mut event = event(id, Some(from), Status::Sent, now.at, actor, Some(&reason));
        event.document_sha256 = Some(sha256);
        let change = StatusChange {
            id,
            expected: version,
            to: Status::Sent,
            at: now.at,
            decided_at: None,
            event,
            jobs,
            link: Some(token_hash),
        };
        match repo.change_status(change).await {
            Ok(()) => return stored(repo, id).await,
            Err(StorageError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(last))
}

/// The outbox job of one e-mail about a quote (to, cc): the letter, the PDF attached under the
/// document's name, from the configured sender (else the bureau), replies to the bureau.
pub(crate) fn email_job(
    mailing: &Mailing,
    quote_id: Uuid,
    topic: &str,
    letter: Letter,
    (to, cc): (Vec<String>, Vec<String>),
    pdf: &[u8],
    now: Now,
) -> Result<NewJob, QuoteError> {
    let sender = mailing.from.clone().unwrap_or(letter.bureau_email.clone());
    let mail = EmailJob {
        message_id: message_id(&sender),
        from: sender,
        to,
        cc,
        reply_to: Some(letter.bureau_email),
        subject: letter.subject,
        text: letter.text,
        html: letter.html,
        attachments: vec![StoredAttachment::new(
            letter.attachment_name,
            "application/pdf",
            pdf,
        )],
    };
    NewJob::email(quote_id, topic, &mail, now.at).map_err(|e| QuoteError::Render(e.into()))
}

/// `<random@sender's domain>`: the same on every delivery attempt of one e-mail.
pub(crate) fn message_id(sender: &str) -> String {
    let domain = sender
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or("offerte.invalid");
    format!("<{}@{domain}>", Uuid::now_v7().simple())
}

/// What the outbox did with a quote's e-mails (and webhooks), oldest first.
pub async fn deliveries<R: QuoteRepository + OutboxRepository>(
    repo: &R,
    id: Uuid,
) -> Result<Vec<Delivery>, QuoteError> {
    repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
    Ok(repo.deliveries(id).await?)
}

/// What a reminder sweep needs.
pub struct Reminders<'a> {
    pub mailing: &'a Mailing,
    /// Days before the end of a quote's validity that its one reminder goes out.
    pub days: u32,
}

/// Sends one reminder for every sent, unanswered quote whose validity ends within `days`
/// (with a fresh link), once per quote. Returns how many it queued.
pub async fn send_reminders<R: QuoteRepository>(
    repo: &R,
    documents: &impl SentDocument,
    reminders: &Reminders<'_>,
    now: Now,
) -> Result<u64, QuoteError> {
    if reminders.days == 0 {
        return Ok(0);
    }
    let until = now
        .today
        .checked_add_days(chrono::Days::new(u64::from(reminders.days)))
        .unwrap_or(now.today);
    let mut count = 0;
    for id in repo
        .without_job(Status::Sent, now.today, until, REMINDER)
        .await?
    {
        let Stored { quote, version } = fetch(repo, id, now.today).await?;
        if quote.status != Status::Sent {
            continue;
        }
        let pdf = documents.pdf(&quote).await.map_err(QuoteError::Render)?;
        let (token, token_hash) = new_token();
        let link = format!("{}/q/{token}", reminders.mailing.public_url);
        let letter = documents
            .letter(
                &quote,
                &LetterRequest {
                    kind: LetterKind::Reminder,
                    link: Some(&link),
                    message: None,
                    accepted_by: None,
                },
            )
            .map_err(QuoteError::Render)?;
        let to = vec![quote.employer.email.clone()];
        let job = email_job(
            reminders.mailing,
            id,
            REMINDER,
            letter,
            (to, Vec::new()),
            &pdf,
            now,
        )?;
        let reason = format!("reminder sent to {}", job.recipient);
        let change = StatusChange {
            id,
            expected: version,
            to: Status::Sent,
            at: now.at,
            decided_at: None,
            event: event(
                id,
                Some(Status::Sent),
                Status::Sent,
                now.at,
                &Actor::system(),
                Some(&reason),
            ),
            jobs: vec![job],
            link: Some(token_hash),
        };
        match repo.change_status(change).await {
            Ok(()) => count += 1,
            // Answered or changed meanwhile: no reminder.
            Err(StorageError::Stale) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(count)
}

/// The outbox topic of reminders (one per quote).
const REMINDER: &str = "reminder";
