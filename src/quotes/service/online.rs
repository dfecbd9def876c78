//! The employer's side: the quote opened through its link, accepted or declined there. The link
//! works while the quote it was made for is sent and within its validity; once the quote is
//! revised (the new revision gets its own link), withdrawn, expired, accepted or declined, the
//! page says so. An unknown token is simply not found.

use sha2::{Digest, Sha256};

use super::change::event;
use super::send::{Mailing, email_job, token_sha256};
use super::{ATTEMPTS, Now, fetch, quote_jobs, stored};
use crate::outbox::webhooks::{EventType, Webhooks};
use crate::pricing::InputError;
use crate::quotes::error::QuoteError;
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Acceptance, Actor, Quote, text_200};
use crate::quotes::ports::{
    LetterKind, LetterRequest, QuoteRepository, SentDocument, StatusChange, Stored,
};
use crate::storage::StorageError;

/// The employer, who acts through a link and not with a key.
fn employer() -> Actor {
    Actor {
        role: "employer".into(),
        key_id: "link".into(),
    }
}

const VIEWED: &str = "viewed online";

/// The quote a token opens, in the status it has today, with its online acceptance if any. The
/// first view of a sent quote is recorded (an event "viewed online", and `quote.viewed`).
pub async fn open(
    repo: &impl QuoteRepository,
    hooks: &Webhooks,
    token: &str,
    now: Now,
) -> Result<(Quote, Option<Acceptance>), QuoteError> {
    let id = repo
        .find_link(&token_sha256(token))
        .await?
        .ok_or(QuoteError::LinkNotFound)?;
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
            let jobs = quote_jobs(hooks, EventType::QuoteViewed, &viewed, now.at)?;
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
                    &employer(),
                    Some(VIEWED),
                ),
                jobs,
                link: None,
            };
            match repo.change_status(change).await {
                // Someone else changed it meanwhile: their change stands, the view goes unrecorded.
                Ok(()) | Err(StorageError::Stale) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let accepted = super::acceptance(repo, &quote).await?;
    Ok((quote, accepted))
}

/// The employer accepts: `name` and the box ticked are required. Recorded in the `accepted`
/// event: the name, the time and the SHA-256 of the document the employer was shown (the PDF of
/// the sent version). The quote is final; a confirmation with the PDF goes to the employer and
/// to the bureau (when e-mail is configured).
#[expect(
    clippy::too_many_arguments,
    reason = "each is a different input of the answer; a struct would only rename them"
)]
pub async fn accept(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    mailing: Option<&Mailing>,
    hooks: &Webhooks,
    token: &str,
    name: &str,
    agree: bool,
    now: Now,
) -> Result<Quote, QuoteError> {
    let name = name.trim();
    let mut errors = Vec::new();
    if let Err(e) = text_200(name) {
        errors.push((
            "name",
            e.code.to_string(),
            e.message.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
    if !agree {
        errors.push((
            "agree",
            "required".into(),
            "tick the box to agree to the quote and its terms".into(),
        ));
    }
    if let Some((field, code, message)) = errors.into_iter().next() {
        return Err(QuoteError::Input(InputError::one(field, &code, message)));
    }
    let accepted = |quote: &Quote| {
        let mut event = event(
            quote.id,
            Some(Status::Sent),
            Status::Accepted,
            now.at,
            &employer(),
            None,
        );
        event.name = Some(name.to_string());
        event
    };
    decide(
        repo,
        documents,
        hooks,
        token,
        now,
        accepted,
        Status::Accepted,
        Some((mailing, name)),
    )
    .await
}

/// The employer declines, optionally saying why; the event records the SHA-256 of the document
/// declined.
pub async fn decline(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    hooks: &Webhooks,
    token: &str,
    reason: Option<&str>,
    now: Now,
) -> Result<Quote, QuoteError> {
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
            now.at,
            &employer(),
            Some(&reason),
        )
    };
    decide(
        repo,
        documents,
        hooks,
        token,
        now,
        declined,
        Status::Declined,
        None,
    )
    .await
}

/// Moves the quote a token opens from `sent` to `to`, recording the SHA-256 of the document the
/// employer was shown; with `confirm` (accepting) a confirmation e-mail is queued as well,
/// and the webhook event of the answer in any case.
#[expect(
    clippy::too_many_arguments,
    reason = "the two answers pass their parts through"
)]
async fn decide(
    repo: &impl QuoteRepository,
    documents: &impl SentDocument,
    hooks: &Webhooks,
    token: &str,
    now: Now,
    event_for: impl Fn(&Quote) -> crate::quotes::ports::NewEvent,
    to: Status,
    confirm: Option<(Option<&Mailing>, &str)>,
) -> Result<Quote, QuoteError> {
    let id = repo
        .find_link(&token_sha256(token))
        .await?
        .ok_or(QuoteError::LinkNotFound)?;
    for _ in 0..ATTEMPTS {
        let Stored { quote, version } = fetch(repo, id, now.today).await?;
        if quote.status != Status::Sent {
            return Err(QuoteError::LinkClosed(quote.status));
        }
        let mut event = event_for(&quote);
        let pdf = documents.pdf(&quote).await.map_err(QuoteError::Render)?;
        event.document_sha256 = Some(hex::encode(Sha256::digest(&pdf)));
        let mut jobs = Vec::new();
        if let Some((Some(mailing), name)) = confirm {
            let accepted = Quote {
                status: Status::Accepted,
                ..quote.clone()
            };
            let acceptance = Acceptance {
                name: name.to_string(),
                at: now.at,
            };
            let accepted_pdf = documents
                .accepted_pdf(&accepted, &acceptance)
                .await
                .map_err(QuoteError::Render)?;
            let letter = documents
                .letter(
                    &accepted,
                    &LetterRequest {
                        kind: LetterKind::Accepted,
                        link: None,
                        message: None,
                        accepted_by: Some((name, now.at)),
                    },
                )
                .map_err(QuoteError::Render)?;
            let to = vec![quote.employer.email.clone()];
            let cc = vec![letter.bureau_email.clone()];
            jobs.push(email_job(
                mailing,
                id,
                "accepted_confirmation",
                letter,
                (to, cc),
                &accepted_pdf,
                now,
            )?);
        }
        let answered = Quote {
            status: to,
            updated_at: now.at,
            decided_at: Some(now.at),
            ..quote.clone()
        };
        let kind = if to == Status::Accepted {
            EventType::QuoteAccepted
        } else {
            EventType::QuoteDeclined
        };
        jobs.extend(quote_jobs(hooks, kind, &answered, now.at)?);
        let change = StatusChange {
            id,
            expected: version,
            to,
            at: now.at,
            decided_at: Some(now.at),
            event,
            jobs,
            link: None,
        };
        match repo.change_status(change).await {
            Ok(()) => return stored(repo, id).await,
            Err(StorageError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(QuoteError::Busy(Status::Sent))
}
