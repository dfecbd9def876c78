//! The background worker: takes due jobs (leased, so two instances never work on one), sends
//! each, records what came of it. Woken at once when a job is queued in this process, and every
//! second otherwise (for retries, other instances' jobs and jobs left by a crash).

use crate::storage::BureauId;
use crate::storage::ForBureau;
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::FutureExt;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

use super::mail_job::{MailJobError, to_mail};
use super::model::{Attempt, ClaimedJob, Finished, JobKind, Outcome};
use super::ports::OutboxRepository;
use super::webhooks::WebhookJob;
use crate::archive::DocumentArchive;
use crate::delivery::http::{self, WebhookHeaders, next_delay};
use crate::delivery::mail::{Mail, MailError, Mailer};
use crate::delivery::signature::Signer;

/// How long a job is leased to the worker that took it: longer than any one attempt (SMTP and
/// HTTP time out well within it). A lease that runs out makes the job deliverable again.
const LEASE: TimeDelta = TimeDelta::seconds(120);
/// Jobs attempted side by side at most.
const IN_FLIGHT: usize = 32;
/// How often the worker looks without being woken.
const POLL: Duration = Duration::from_secs(1);

/// A webhook endpoint as the worker needs it: where to POST and how to sign.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: reqwest::Url,
    /// One secret, or two while the receiver rotates.
    pub signer: Signer,
    /// When a rotation's overlap ends, and the signer from then on (the new secret alone).
    pub after_overlap: Option<(DateTime<Utc>, Signer)>,
    /// Set through the API by a bureau: posted only to addresses on the public internet (the
    /// operator's own endpoints, from the settings, are trusted).
    pub guarded: bool,
}

impl Endpoint {
    /// The signer of an attempt at `at`: after a rotation's overlap, the new secret alone.
    pub fn signer_at(&self, at: DateTime<Utc>) -> &Signer {
        match &self.after_overlap {
            Some((until, alone)) if at >= *until => alone,
            _ => &self.signer,
        }
    }
}

/// What the worker sends with.
pub struct Senders {
    /// The SMTP relay; `None` when e-mail is not configured (e-mail jobs then wait).
    pub mailer: Option<Mailer>,
    /// The webhook endpoints by bureau and id (`webhooks::endpoint_id` of the URL), as the
    /// bureaus have them now.
    pub endpoints: SharedEndpoints,
    /// The webhook client: 15 s, no redirects (`delivery::http::client`).
    pub client: reqwest::Client,
    /// The same for guarded endpoints (`delivery::http::guarded_client`).
    pub guarded_client: reqwest::Client,
    /// Attempts by kind and outcome, for the metrics.
    pub counters: Arc<Counters>,
}

/// What one attempt came to, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Delivered,
    /// A passing failure: tried again later.
    Retry,
    /// Given up (or the endpoint is gone).
    Failed,
}

impl Counted {
    pub const ALL: [Counted; 3] = [Counted::Delivered, Counted::Retry, Counted::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Delivered => "delivered",
            Counted::Retry => "retry",
            Counted::Failed => "failed",
        }
    }

    fn of(outcome: &Outcome) -> Counted {
        match outcome {
            Outcome::Sent => Counted::Delivered,
            Outcome::Retry { .. } => Counted::Retry,
            Outcome::Failed { .. } => Counted::Failed,
        }
    }
}

/// Attempts of this process by kind of job and outcome.
#[derive(Debug, Default)]
pub struct Counters([[AtomicU64; 3]; 2]);

impl Counters {
    fn add(&self, kind: JobKind, counted: Counted) {
        self.0[kind as usize][counted as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, kind: JobKind, counted: Counted) -> u64 {
        self.0[kind as usize][counted as usize].load(Ordering::Relaxed)
    }
}

/// Works until the process ends (the caller spawns it).
///
/// Up to [`IN_FLIGHT`] jobs are attempted side by side, so a slow receiver (up to its 15 s
/// timeout) holds only its own job: whenever room frees up, more due jobs are taken. What came
/// of the attempts is recorded as they end, those that ended together in one transaction (under
/// load the worker's writes compete with the service's). Jobs that must keep their order are
/// never in flight together: the claim leaves a job while an older one with its order key and
/// endpoint is queued, and an attempt in flight is still queued.
pub async fn run<R: OutboxRepository + ForBureau, A: DocumentArchive + ForBureau>(
    repo: R,
    archive: A,
    senders: Senders,
    wake: Arc<Notify>,
) {
    let mut in_flight = FuturesUnordered::new();
    // Attempts that ended while the loop did its own database work.
    let mut ended: Vec<Option<Finished>> = Vec::new();
    loop {
        let room = IN_FLIGHT.saturating_sub(in_flight.len());
        if room > 0 {
            let claimed = alongside(claim(&repo, &archive, room), &mut in_flight, &mut ended);
            match claimed.await {
                Ok((jobs, disabled)) => {
                    for (job, mail) in jobs {
                        in_flight.push(work(&repo, &senders, disabled.clone(), job, mail));
                    }
                }
                Err(error) => tracing::warn!(error = %error, "outbox: could not take jobs"),
            }
        }
        if ended.is_empty() {
            if in_flight.is_empty() {
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
                continue;
            }
            tokio::select! {
                Some(first) = in_flight.next() => ended.push(first),
                () = wake.notified(), if room > 0 => {}
                () = tokio::time::sleep(POLL), if room > 0 => {}
            }
        }
        while let Some(Some(more)) = in_flight.next().now_or_never() {
            ended.push(more);
        }
        let done: Vec<Finished> = std::mem::take(&mut ended).into_iter().flatten().collect();
        if done.is_empty() {
            continue;
        }
        let recorded = alongside(
            repo.finish_jobs(&done, Utc::now()),
            &mut in_flight,
            &mut ended,
        );
        if let Err(error) = recorded.await {
            // Their leases run out and they are taken again: delivered twice at worst.
            tracing::warn!(error = %error, jobs = done.len(), "outbox: could not record attempts");
        }
    }
}

/// Awaits the loop's own database work (a claim, recording attempts) while the attempts in
/// flight go on: one of them may hold a database connection or the write turn (an e-mail's
/// attachments read from the archive, an endpoint disabled), and not polling it while the loop
/// waits for one would deadlock. Attempts that end meanwhile go into `ended`.
async fn alongside<T, F: Future<Output = Option<Finished>>>(
    work: impl Future<Output = T>,
    in_flight: &mut FuturesUnordered<F>,
    ended: &mut Vec<Option<Finished>>,
) -> T {
    let mut work = std::pin::pin!(work);
    loop {
        tokio::select! {
            value = &mut work => return value,
            Some(done) = in_flight.next(), if !in_flight.is_empty() => ended.push(done),
        }
    }
}

/// A claim: the jobs leased, each e-mail with its mail made (attachments read from the
/// archive), and the endpoints disabled now.
type Claimed = (Vec<(ClaimedJob, Option<MailOf>)>, Arc<Disabled>);
/// An e-mail job as a mail, or why it cannot be one.
type MailOf = Result<Mail, MailJobError>;

async fn claim<R: OutboxRepository + ForBureau, A: DocumentArchive + ForBureau>(
    repo: &R,
    archive: &A,
    limit: usize,
) -> Result<Claimed, crate::storage::StorageError> {
    let (jobs, disabled) = take(repo, limit).await?;
    let mut claimed = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mail = match job.kind {
            JobKind::Email => Some(to_mail(&job.payload, &archive.for_bureau(job.bureau)).await),
            JobKind::Webhook => None,
        };
        claimed.push((job, mail));
    }
    Ok((claimed, disabled))
}

/// Leases up to `limit` due jobs, with the endpoints disabled now (read only for the bureaus
/// with a webhook job among them).
async fn take<R: OutboxRepository + ForBureau>(
    repo: &R,
    limit: usize,
) -> Result<(Vec<ClaimedJob>, Arc<Disabled>), crate::storage::StorageError> {
    let now = Utc::now();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let jobs = repo.claim_jobs(now, now + LEASE, limit).await?;
    let mut disabled = HashMap::new();
    for job in jobs.iter().filter(|j| j.kind == JobKind::Webhook) {
        if let std::collections::hash_map::Entry::Vacant(entry) = disabled.entry(job.bureau) {
            entry.insert(repo.for_bureau(job.bureau).disabled_endpoints().await?);
        }
    }
    Ok((jobs, Arc::new(disabled)))
}

/// One attempt of one job; `None` when storage failed meanwhile (logged; the job's lease runs
/// out and it is taken again).
async fn work<R: OutboxRepository + ForBureau>(
    repo: &R,
    senders: &Senders,
    disabled: Arc<Disabled>,
    job: ClaimedJob,
    mail: Option<MailOf>,
) -> Option<Finished> {
    let mut attempt = Attempt {
        number: job.attempts,
        at: Utc::now(),
        status_code: None,
    };
    let outcome = match job.kind {
        JobKind::Email => match mail {
            Some(mail) => deliver_email(&job, senders, mail).await,
            None => Outcome::Failed {
                error: "an e-mail job without its mail".into(),
            },
        },
        JobKind::Webhook => {
            let repo = repo.for_bureau(job.bureau);
            let disabled = disabled.get(&job.bureau).cloned().unwrap_or_default();
            match deliver_webhook(&repo, &job, senders, &disabled, &mut attempt).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    tracing::warn!(job = %job.id, error = %error, "outbox: could not record a disabled endpoint");
                    return None;
                }
            }
        }
    };
    senders.counters.add(job.kind, Counted::of(&outcome));
    match &outcome {
        Outcome::Sent => {
            tracing::info!(job = %job.id, kind = job.kind.as_str(), "outbox: delivered")
        }
        Outcome::Retry { error, at } => {
            tracing::warn!(job = %job.id, kind = job.kind.as_str(), attempts = job.attempts, %error, retry_at = %at, "outbox: will retry")
        }
        Outcome::Failed { error } => {
            tracing::error!(job = %job.id, kind = job.kind.as_str(), attempts = job.attempts, %error, "outbox: gave up")
        }
    }
    // An e-mail whose addresses are not to be kept forgets them once it is done with.
    let forget_recipients = job.kind == JobKind::Email
        && !matches!(outcome, Outcome::Retry { .. })
        && serde_json::from_str::<Forget>(&job.payload).is_ok_and(|f| f.forget_recipients);
    Some(Finished {
        bureau: job.bureau,
        id: job.id,
        outcome,
        attempt,
        forget_recipients,
    })
}

/// The one member of an e-mail job that says whether its addresses are kept.
#[derive(serde::Deserialize)]
struct Forget {
    #[serde(default)]
    forget_recipients: bool,
}

/// The webhook endpoints by bureau and id.
pub type Endpoints = HashMap<(BureauId, String), Endpoint>;
/// The endpoints, replaced as bureaus change theirs.
pub type SharedEndpoints = Arc<std::sync::RwLock<Endpoints>>;

/// The disabled endpoints of the bureaus of a claim's webhook jobs, read with each claim:
/// since when, and why.
type Disabled = HashMap<BureauId, EndpointsDisabled>;
/// One bureau's disabled endpoints.
type EndpointsDisabled = HashMap<String, (DateTime<Utc>, String)>;

/// Delivers an e-mail job as read (`mail`: the job made a mail, attachments read).
async fn deliver_email(job: &ClaimedJob, senders: &Senders, mail: MailOf) -> Outcome {
    let Some(mailer) = &senders.mailer else {
        return retry(
            job,
            "e-mail is not configured (smtp_url)".into(),
            None,
            Utc::now(),
        );
    };
    let mail = match mail {
        Ok(mail) => mail,
        Err(error) if error.passes() => {
            return retry(
                job,
                format!("{:#}", anyhow::Error::new(error)),
                None,
                Utc::now(),
            );
        }
        // Stored with its causes, as `unreadable e-mail job: <what serde said>`.
        Err(error) => {
            return Outcome::Failed {
                error: format!("{:#}", anyhow::Error::new(error)),
            };
        }
    };
    match mailer.send(&mail).await {
        Ok(()) => Outcome::Sent,
        Err(MailError::Transient(error)) => retry(job, error, None, Utc::now()),
        Err(error @ MailError::Permanent(_)) => Outcome::Failed {
            error: error.to_string(),
        },
    }
}

/// One signed POST of a webhook job (its body and `webhook-id` as stored, a fresh timestamp
/// and signature with the endpoint's current secrets). A 410 disables the endpoint; a job for a
/// disabled or no longer configured endpoint fails at once.
async fn deliver_webhook<R: OutboxRepository>(
    repo: &R,
    job: &ClaimedJob,
    senders: &Senders,
    disabled: &EndpointsDisabled,
    attempt: &mut Attempt,
) -> Result<Outcome, crate::storage::StorageError> {
    let stored: WebhookJob = match serde_json::from_str(&job.payload) {
        Ok(stored) => stored,
        Err(e) => {
            return Ok(Outcome::Failed {
                error: format!("unreadable webhook job: {e}"),
            });
        }
    };
    if let Some((since, reason)) = disabled.get(&stored.endpoint) {
        return Ok(Outcome::Failed {
            error: format!(
                "the endpoint is disabled since {} ({reason}); retry a delivery to enable it",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        });
    }
    let endpoint = senders
        .endpoints
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&(job.bureau, stored.endpoint.clone()))
        .cloned();
    let Some(endpoint) = endpoint else {
        return Ok(Outcome::Failed {
            error: "the endpoint is no longer configured".into(),
        });
    };
    let client = if endpoint.guarded {
        if let Err(refused) = crate::delivery::guard::check_literal(&endpoint.url) {
            return Ok(Outcome::Failed {
                error: refused.to_string(),
            });
        }
        &senders.guarded_client
    } else {
        &senders.client
    };
    let body = stored.body.get().as_bytes();
    let headers = WebhookHeaders::signed(
        endpoint.signer_at(attempt.at),
        &stored.webhook_id,
        attempt.at.timestamp(),
        body,
    );
    let outcome = http::post(client, &endpoint.url, &headers, body).await;
    let now = Utc::now();
    Ok(match outcome {
        http::Outcome::Delivered { status } => {
            attempt.status_code = Some(status);
            Outcome::Sent
        }
        http::Outcome::Retry {
            status,
            error,
            retry_after,
        } => {
            attempt.status_code = status;
            retry(job, error, retry_after, now)
        }
        http::Outcome::Rejected { status, error } => {
            attempt.status_code = Some(status);
            retry(job, error, None, now)
        }
        http::Outcome::Gone => {
            attempt.status_code = Some(410);
            let reason = "it answered 410 Gone";
            repo.disable_endpoint(&stored.endpoint, now, reason).await?;
            tracing::warn!(endpoint = %stored.endpoint, "outbox: webhook endpoint disabled ({reason})");
            Outcome::Failed {
                error: format!("HTTP 410 Gone: the endpoint is disabled ({reason})"),
            }
        }
    })
}

/// The next attempt by the schedule (5 s, 5 min, 30 min, 2 h, ... up to a day after the round
/// began; each wait up to 10 % longer, by the job), never sooner than the receiver's
/// `Retry-After`; or the end.
fn retry(
    job: &ClaimedJob,
    error: String,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
) -> Outcome {
    let since_first = (now - job.round_started_at).to_std().unwrap_or_default();
    let spread = http::spread_of(job.id);
    match next_delay(job.round_attempts, retry_after, since_first, spread) {
        Some(wait) => Outcome::Retry {
            error,
            at: now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX),
        },
        None => Outcome::Failed {
            error: format!("gave up after {} attempts: {error}", job.attempts),
        },
    }
}

#[cfg(test)]
mod tests;
