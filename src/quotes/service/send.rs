//! Sending a quote by e-mail: the quote moves to `sent` (or, sent already, goes out again), the
//! PDF of exactly that version is rendered once and archived (a re-send or a reminder takes the
//! archived bytes), its hash recorded and the archived document attached, a fresh link for the employer
//! is made (only its SHA-256 is kept), and the e-mail is queued in the outbox, all in the one
//! write that moves the quote. The outbox delivers it after the answer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::change::event;
use super::{Attempt, Now, QuoteService, fetch, landed, quote_jobs, stored, until_settled};
use crate::archive::DocumentArchive;
use crate::outbox::model::{Delivery, EmailJob, NewJob, StoredAttachment};
use crate::outbox::ports::OutboxRepository;
use crate::outbox::webhooks::EventType;
use crate::quotes::error::QuoteError;
use crate::quotes::input::SendOrder;
use crate::quotes::lifecycle::{Status, check_transition};
use crate::quotes::model::{Actor, Quote};
use crate::quotes::ports::{
    Letter, LetterKind, LetterRequest, NewLink, QuoteRepository, SentDocument, StatusChange, Stored,
};

/// How quotes go out by e-mail.
#[derive(Debug, Clone)]
pub struct Mailing {
    /// The sender; `None`: the bureau's address from the catalog.
    pub from: Option<String>,
    /// The base of the employer's link (`{public_url}/q/{token}`).
    pub public_url: String,
    /// Where replies go; `None`: the bureau's address from the catalog.
    pub reply_to: Option<String>,
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

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Sends a draft (or a sent quote again) to the employer, or to `body.to`.
    #[tracing::instrument(name = "quote.send", skip(self, order, actor))]
    pub async fn send(
        &self,
        id: Uuid,
        order: &SendOrder,
        actor: &Actor,
    ) -> Result<Quote, QuoteError> {
        let mailing = self
            .mailing
            .as_ref()
            .ok_or(QuoteError::EmailNotConfigured)?;
        let now = self.now();
        let repo = &self.repo;
        until_settled(Status::Draft, async || {
            let Stored { quote, version } = fetch(repo, id, now.today).await?;
            let from = quote.status;
            if from != Status::Sent {
                check_transition(from, Status::Sent, None)?;
            }
            let sent = Quote {
                status: Status::Sent,
                updated_at: now.at,
                ..quote
            };
            let to = order
                .to()
                .map_or_else(|| sent.employer.email.clone(), str::to_string);
            let outgoing = Outgoing {
                kind: LetterKind::Quote,
                topic: "quote_sent",
                message: order.message(),
                to: vec![to],
                cc: order.cc().to_vec(),
            };
            let (sha256, documents) = self.pdf_to_send(from == Status::Sent, &sent).await?;
            let LinkedMail { job, token_hash } =
                self.mail_with_link(mailing, &sent, &sha256, outgoing, now)?;
            let reason = format!("sent by e-mail to {}", job.recipient);
            let mut jobs = vec![job];
            jobs.extend(quote_jobs(
                &self.webhooks,
                EventType::QuoteSent,
                &sent,
                now.at,
            )?);
            let mut event = event(id, Some(from), Status::Sent, now.at, actor, Some(&reason));
            event.document_sha256 = Some(sha256);
            let change = StatusChange {
                jobs,
                link: Some(NewLink::employer(token_hash)),
                documents,
                ..StatusChange::recording(id, version, event)
            };
            if !landed(repo.change_status(change).await)? {
                return Ok(Attempt::Stale(from));
            }
            Ok(Attempt::Done(stored(repo, id, now.today).await?))
        })
        .await
    }

    /// Sends one reminder for every sent, unanswered quote whose validity ends within the
    /// reminder days (with a fresh link), once per quote. Returns how many it queued.
    #[tracing::instrument(name = "quote.send_reminders", skip(self))]
    pub async fn send_reminders(&self) -> Result<u64, QuoteError> {
        let Some(mailing) = &self.mailing else {
            return Ok(0);
        };
        if self.reminder_days == 0 {
            return Ok(0);
        }
        let now = self.now();
        let repo = &self.repo;
        let until = now
            .today
            .checked_add_days(chrono::Days::new(u64::from(self.reminder_days)))
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
            let outgoing = Outgoing {
                kind: LetterKind::Reminder,
                topic: REMINDER,
                message: None,
                to: vec![quote.employer.email.clone()],
                cc: Vec::new(),
            };
            let (sha256, documents) = self.pdf_to_send(true, &quote).await?;
            let LinkedMail { job, token_hash } =
                self.mail_with_link(mailing, &quote, &sha256, outgoing, now)?;
            let reason = format!("reminder sent to {}", job.recipient);
            let mut reminded = event(
                id,
                Some(Status::Sent),
                Status::Sent,
                now.at,
                &Actor::system(),
                Some(&reason),
            );
            reminded.document_sha256 = Some(sha256);
            let change = StatusChange {
                jobs: vec![job],
                link: Some(NewLink::employer(token_hash)),
                documents,
                ..StatusChange::recording(id, version, reminded)
            };
            // Answered or changed meanwhile: no reminder.
            if landed(repo.change_status(change).await)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The outbox job of one e-mail about a quote (to, cc): the letter, the archived PDF (by its
/// SHA-256) attached under the document's name, from the configured sender (else the bureau),
/// replies to the bureau.
pub(crate) fn email_job(
    mailing: &Mailing,
    quote_id: Uuid,
    topic: &str,
    letter: Letter,
    (to, cc): (Vec<String>, Vec<String>),
    pdf_sha256: &str,
    now: Now,
) -> Result<NewJob, QuoteError> {
    let sender = mailing.from.clone().unwrap_or(letter.bureau_email.clone());
    let mail = EmailJob {
        message_id: message_id(&sender),
        from: sender,
        to,
        cc,
        reply_to: Some(mailing.reply_to.clone().unwrap_or(letter.bureau_email)),
        subject: letter.subject,
        text: letter.text,
        html: letter.html,
        attachments: vec![StoredAttachment::archived(
            letter.attachment_name,
            "application/pdf",
            pdf_sha256,
        )],
        // The employee's address is kept no longer than the delivery.
        forget_recipients: topic == super::consent::CONSENT_TOPIC,
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

/// An e-mail about a quote that carries its PDF and a link for the employer.
struct Outgoing<'a> {
    kind: LetterKind,
    /// The outbox topic (`quote_sent`, `reminder`).
    topic: &'a str,
    /// The salesperson's words, if any.
    message: Option<&'a str>,
    to: Vec<String>,
    cc: Vec<String>,
}

/// The e-mail job of an [`Outgoing`] and the SHA-256 of the link token it carries (what is
/// stored of the token).
struct LinkedMail {
    job: NewJob,
    token_hash: String,
}

impl<R: QuoteRepository, D: SentDocument, A: DocumentArchive> QuoteService<R, D, A> {
    /// Makes a fresh link and writes the letter carrying the archived PDF `pdf_sha256`; queues
    /// nothing yet: the job goes into the change that records the sending.
    fn mail_with_link(
        &self,
        mailing: &Mailing,
        quote: &Quote,
        pdf_sha256: &str,
        outgoing: Outgoing<'_>,
        now: Now,
    ) -> Result<LinkedMail, QuoteError> {
        let (token, token_hash) = new_token();
        let link = format!("{}/q/{token}", mailing.public_url);
        let letter = self
            .documents
            .letter(
                quote,
                &LetterRequest {
                    kind: outgoing.kind,
                    link: Some(&link),
                    message: outgoing.message,
                    accepted_by: None,
                },
            )
            .map_err(QuoteError::Render)?;
        let job = email_job(
            mailing,
            quote.id,
            outgoing.topic,
            letter,
            (outgoing.to, outgoing.cc),
            pdf_sha256,
            now,
        )?;
        Ok(LinkedMail { job, token_hash })
    }
}

impl<R: QuoteRepository + OutboxRepository, D: SentDocument, A: DocumentArchive>
    QuoteService<R, D, A>
{
    /// What the outbox did with a quote's e-mails (and webhooks), oldest first.
    #[tracing::instrument(name = "quote.deliveries", skip(self))]
    pub async fn deliveries(&self, id: Uuid) -> Result<Vec<Delivery>, QuoteError> {
        self.repo.fetch(id).await?.ok_or(QuoteError::NotFound(id))?;
        Ok(self.repo.deliveries(id).await?)
    }
}

/// The outbox topic of reminders (one per quote).
const REMINDER: &str = "reminder";
