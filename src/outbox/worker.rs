//! The background worker: takes due jobs (leased, so two instances never work on one), sends
//! each, records what came of it. Woken at once when a job is queued in this process, and every
//! second otherwise (for retries, other instances' jobs and jobs left by a crash).

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use super::ports::OutboxRepository;
use super::{ClaimedJob, EmailJob, JobKind, Outcome};
use crate::delivery::http::next_delay;
use crate::delivery::mail::{Attachment, Mail, MailError, Mailer};

/// How long a job is leased to the worker that took it: longer than any one attempt (SMTP and
/// HTTP time out well within it). A lease that runs out makes the job deliverable again.
const LEASE: TimeDelta = TimeDelta::seconds(120);
/// Jobs taken at once.
const BATCH: i64 = 8;
/// How often the worker looks without being woken.
const POLL: Duration = Duration::from_secs(1);

/// What the worker sends with.
pub struct Senders {
    /// The SMTP relay; `None` when e-mail is not configured (e-mail jobs then wait).
    pub mailer: Option<Mailer>,
}

/// Works until the process ends (the caller spawns it).
pub async fn run<R: OutboxRepository>(repo: R, senders: Senders, wake: Arc<Notify>) {
    loop {
        let worked = match run_once(&repo, &senders).await {
            Ok(n) => n,
            Err(error) => {
                tracing::warn!(error = %error, "outbox: could not take jobs");
                0
            }
        };
        if worked == 0 {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// Takes the due jobs once and delivers them; returns how many it took.
pub async fn run_once<R: OutboxRepository>(
    repo: &R,
    senders: &Senders,
) -> Result<usize, super::ports::StorageError> {
    let now = Utc::now();
    let jobs = repo.claim_jobs(now, now + LEASE, BATCH).await?;
    for job in &jobs {
        let outcome = deliver(job, senders).await;
        match &outcome {
            Outcome::Sent => {
                tracing::info!(job = %job.id, kind = job.kind.as_str(), "outbox: delivered")
            }
            Outcome::Retry { error, at } => {
                tracing::warn!(job = %job.id, attempts = job.attempts, %error, retry_at = %at, "outbox: will retry")
            }
            Outcome::Failed { error } => {
                tracing::error!(job = %job.id, attempts = job.attempts, %error, "outbox: gave up")
            }
        }
        repo.finish_job(job.id, &outcome, Utc::now()).await?;
    }
    Ok(jobs.len())
}

async fn deliver(job: &ClaimedJob, senders: &Senders) -> Outcome {
    match job.kind {
        JobKind::Email => {
            let Some(mailer) = &senders.mailer else {
                return retry(
                    job,
                    "e-mail is not configured (smtp_url)".into(),
                    Utc::now(),
                );
            };
            let mail = match to_mail(&job.payload) {
                Ok(mail) => mail,
                Err(error) => return Outcome::Failed { error },
            };
            match mailer.send(&mail).await {
                Ok(()) => Outcome::Sent,
                Err(MailError::Transient(error)) => retry(job, error, Utc::now()),
                Err(error @ MailError::Permanent(_)) => Outcome::Failed {
                    error: error.to_string(),
                },
            }
        }
        JobKind::Webhook => Outcome::Failed {
            error: "webhook jobs are not delivered by this version".into(),
        },
    }
}

/// The next attempt by the schedule (5 s, 5 min, 30 min, 2 h, ... up to a day after the
/// first), or the end.
fn retry(job: &ClaimedJob, error: String, now: DateTime<Utc>) -> Outcome {
    let since_first = (now - job.created_at).to_std().unwrap_or_default();
    match next_delay(job.attempts, None, since_first) {
        Some(wait) => Outcome::Retry {
            error,
            at: now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX),
        },
        None => Outcome::Failed {
            error: format!("gave up after {} attempts: {error}", job.attempts),
        },
    }
}

fn to_mail(payload: &str) -> Result<Mail, String> {
    let job: EmailJob =
        serde_json::from_str(payload).map_err(|e| format!("unreadable e-mail job: {e}"))?;
    let attachments = job
        .attachments
        .iter()
        .map(|a| {
            Ok(Attachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                bytes: a
                    .bytes()
                    .map_err(|e| format!("attachment {}: {e}", a.filename))?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Mail {
        from: job.from,
        to: job.to,
        cc: job.cc,
        reply_to: job.reply_to,
        subject: job.subject,
        text: job.text,
        html: job.html,
        attachments,
        message_id: Some(job.message_id),
    })
}
