//! The outbox's records: jobs (what to send and to whom), their attempts and outcomes, and
//! the deliveries a quote's history shows.

use crate::storage::BureauId;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::webhooks::EventType;

vocabulary! {
    /// What a job sends.
    pub JobKind {
        Email => "email",
        Webhook => "webhook",
    }
}

vocabulary! {
    /// Where a job is: waiting (or between attempts), delivered, or given up.
    pub JobStatus {
        Queued => "queued",
        Sent => "sent",
        Failed => "failed",
    }
}

/// A new job, as the change that causes it writes it.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Uuid,
    pub kind: JobKind,
    pub quote_id: Option<Uuid>,
    /// What it is about, for people: `quote_sent`, `reminder`, `accepted_confirmation` ...
    pub topic: String,
    /// To whom, for people: the addresses (or an endpoint without its secrets).
    pub recipient: String,
    /// The job's content (for e-mail an [`EmailJob`]) as JSON.
    pub payload: String,
    pub created_at: DateTime<Utc>,
    /// The webhook endpoint it goes to (webhook jobs only).
    pub endpoint: Option<String>,
    /// Jobs with the same key go to one endpoint in the order they were queued (webhook jobs:
    /// one quote number, or one request).
    pub order_key: Option<String>,
}

/// One e-mail as stored in a job: everything needed to send it again, attachments included, so
/// what is delivered is exactly what was decided (the PDF whose hash was recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailJob {
    pub from: String,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    #[serde(default)]
    pub attachments: Vec<StoredAttachment>,
    /// The same on every attempt, so a duplicate delivery is recognisable.
    pub message_id: String,
    /// The addresses are not kept once the e-mail is delivered (or given up on): the job's
    /// recipients and content are blanked then (the employee's address, asked for consent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forget_recipients: bool,
}

/// What a finished e-mail job's recipients read once they are forgotten.
pub const FORGOTTEN_RECIPIENT: &str = "(not kept)";

/// An attachment: a document in the archive, by its SHA-256 (read, and its hash checked, when
/// the e-mail is delivered), or its bytes as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAttachment {
    pub filename: String,
    pub content_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base64: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl StoredAttachment {
    pub fn new(filename: String, content_type: &str, bytes: &[u8]) -> StoredAttachment {
        StoredAttachment {
            filename,
            content_type: content_type.into(),
            base64: STANDARD.encode(bytes),
            sha256: None,
        }
    }

    /// The archived document `sha256`.
    pub fn archived(filename: String, content_type: &str, sha256: &str) -> StoredAttachment {
        StoredAttachment {
            filename,
            content_type: content_type.into(),
            base64: String::new(),
            sha256: Some(sha256.into()),
        }
    }

    /// The bytes carried in the job (an archived attachment carries none).
    pub fn bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        STANDARD.decode(&self.base64)
    }
}

impl NewJob {
    /// An e-mail job about a quote.
    pub fn email(
        quote_id: Uuid,
        topic: &str,
        mail: &EmailJob,
        now: DateTime<Utc>,
    ) -> Result<NewJob, serde_json::Error> {
        Ok(NewJob {
            id: Uuid::now_v7(),
            kind: JobKind::Email,
            quote_id: Some(quote_id),
            topic: topic.into(),
            recipient: mail
                .to
                .iter()
                .chain(&mail.cc)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            payload: serde_json::to_string(mail)?,
            created_at: now,
            endpoint: None,
            order_key: None,
        })
    }
}

/// A job taken by a worker: leased until it reports the outcome.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// The bureau whose job it is (one worker delivers for all).
    pub bureau: BureauId,
    pub id: Uuid,
    pub kind: JobKind,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// Attempts since the schedule began (the first, or an admin's retry), this one included.
    pub round_attempts: u32,
    /// When the retry schedule began: the job's creation, or an admin's retry.
    pub round_started_at: DateTime<Utc>,
}

/// What one attempt met, for the delivery's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Which attempt (1 for the first).
    pub number: u32,
    /// When it began.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered (webhooks).
    pub status_code: Option<u16>,
}

/// An attempt and what came of it, to record.
#[derive(Debug, Clone)]
pub struct Finished {
    pub bureau: BureauId,
    pub id: Uuid,
    pub outcome: Outcome,
    pub attempt: Attempt,
    /// Blank the job's recipients and content (see [`EmailJob::forget_recipients`]).
    pub forget_recipients: bool,
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Try again at `at`.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
}

/// One delivery as staff see it (`GET /api/v1/quotes/{id}/deliveries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    pub kind: JobKind,
    /// What it is about: `quote_sent`, `reminder`, `accepted_confirmation`, ...
    pub topic: String,
    /// The addresses it goes to.
    pub recipient: String,
    pub status: JobStatus,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (while queued).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered or given up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When the attempt began.
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when it did not answer (timeout, no connection).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 503)]
    pub status_code: Option<u16>,
    /// What went wrong; absent for a delivered attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "HTTP 503 Service Unavailable: down for maintenance")]
    pub error: Option<String>,
}

/// One webhook delivery: an event for one endpoint, with every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    /// The `webhook-id` header the receiver gets, the same on every attempt.
    #[schema(example = "msg_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b")]
    pub webhook_id: String,
    /// The event type.
    pub event: EventType,
    /// The endpoint's URL (without user, password or query).
    #[schema(example = "https://crm.bureau.example/hooks/offerte")]
    pub endpoint: String,
    /// `true` once the endpoint answered 410 Gone: nothing is sent to it until an admin retries
    /// one of its deliveries.
    pub endpoint_disabled: bool,
    /// The quote the event is about (for `quote_request.converted`: the quote made).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<Uuid>,
    /// `queued` (waiting, or between attempts), `sent` or `failed` (given up).
    pub status: JobStatus,
    /// What went wrong at the last attempt (absent once delivered at the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the event happened (and the delivery was queued).
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (while queued).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered or given up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// Which webhook deliveries a list holds.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<JobStatus>,
    pub event: Option<EventType>,
    pub quote_id: Option<Uuid>,
    pub limit: i64,
    pub offset: i64,
}

/// A job as the retry needs it.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub kind: JobKind,
    pub endpoint: Option<String>,
    pub status: JobStatus,
}

/// The queue of one kind of job, for the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    pub kind: JobKind,
    pub queued: i64,
    /// When the oldest queued job was queued (or retried by an admin).
    pub oldest: Option<DateTime<Utc>>,
}
