//! What the quote domain needs from the world around it, in one place: a database that stores
//! and reads quotes ([`QuoteRepository`]) and a renderer for the document that is sent
//! ([`SentDocument`]). The domain decides every rule; these only keep, find and render.
//!
//! Writes are conditional: each change names the version of the row the domain decided on, and
//! storage applies it only if the row still has that version ([`StorageError::Stale`] if not),
//! so a rule checked on a read holds when the write lands, without storage knowing the rule.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::BoxStream;
use std::sync::Arc;
use uuid::Uuid;

use super::certificate::Certificate;
use super::consent::ConsentRecord;
use super::lifecycle::{Status, StatusMatch};
use super::model::{
    Acceptance, Actor, Employee, Employer, Event, Quote, RegisterEntry, ScheduleEntry,
};
use super::proof::Evidence;
use crate::archive::NewDocument;
use crate::catalog::Language;
use crate::outbox::model::NewJob;
use crate::pricing::{Circumstances, Computation};
use crate::storage::{StorageError, Version};

/// A quote as stored, with the version a change must name.
#[derive(Debug, Clone)]
pub struct Stored {
    pub quote: Quote,
    pub version: Version,
}

/// The values of a new quote (or a new revision), or of a draft's new content.
pub struct NewQuote<'a> {
    pub id: Uuid,
    pub employer: &'a Employer,
    pub employee: &'a Employee,
    pub circumstances: &'a Circumstances,
    pub computation: &'a Computation,
    /// The computation in the other language.
    pub translated: &'a Computation,
    pub valid_until: NaiveDate,
    pub now: DateTime<Utc>,
    pub actor: &'a Actor,
}

/// A create: the quote, the counter its number comes from, and what it is keyed or linked to.
pub struct CreateQuote<'a> {
    pub quote: NewQuote<'a>,
    /// Numbers are `{prefix}-{year}-{sequence}`, gapless per prefix and year.
    pub prefix: &'a str,
    pub year: i32,
    /// An idempotency key and the hash of the request body it came with.
    pub idempotency: Option<(&'a str, &'a str)>,
    /// The quote request this quote is made from: moved in the same transaction.
    pub from_request: Option<RequestLink>,
    /// What the create sends (its webhook events), made from the number storage takes inside
    /// the create's transaction (the events carry the quote, number included) and queued in
    /// that transaction. `None`: nothing to send.
    pub jobs: Option<NumberedJobs>,
}

/// The jobs of a create, given its number. Called by storage inside the transaction, perhaps
/// more than once (a group of creates that fails is retried one by one, with new numbers).
pub type NumberedJobs = Arc<dyn Fn(&str) -> Result<Vec<NewJob>, serde_json::Error> + Send + Sync>;

/// A quote request that a create moves (only if it still has `from`), and the note recorded on
/// the new quote's history.
pub struct RequestLink {
    pub request_id: Uuid,
    pub from: &'static str,
    pub to: &'static str,
    pub note: String,
    /// What the move of the request sends (its webhook events), queued with it.
    pub jobs: Vec<NewJob>,
}

/// One row of a quote's history.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub quote_id: Uuid,
    pub from: Option<Status>,
    pub to: Status,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub reason: Option<String>,
    pub document_sha256: Option<String>,
    /// Who acted, by name (the employer accepting online).
    pub name: Option<String>,
    /// What the online acceptance is evidenced by besides the name.
    pub evidence: Option<Evidence>,
}

/// A decided move of one quote: applied only while the quote still has `expected`.
pub struct StatusChange {
    pub id: Uuid,
    pub expected: Version,
    pub to: Status,
    pub at: DateTime<Utc>,
    /// Set when the move decides the quote (accepted, declined).
    pub decided_at: Option<DateTime<Utc>>,
    pub event: NewEvent,
    /// What the change sends, queued in the same transaction.
    pub jobs: Vec<NewJob>,
    /// A new link, stored with the change.
    pub link: Option<NewLink>,
    /// Documents the event names, stored in the change's transaction (when the archive is the
    /// database; an object store has them before the change is written).
    pub documents: Vec<NewDocument>,
    /// The employee's consent as the row keeps it from now on.
    pub consent: Option<ConsentRecord>,
}

vocabulary! {
    /// Whom a link is for.
    pub LinkPurpose {
        /// The quote's page: read, accept, decline.
        Employer => "employer",
        /// The consent page: the cost specification, consent or decline.
        Employee => "employee",
    }
}

/// A link to store: what is kept of its token, whom it is for, until when it works (none: as
/// long as its quote can be answered) and the document it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub token_sha256: String,
    pub purpose: LinkPurpose,
    pub expires_at: Option<DateTime<Utc>>,
    pub document_sha256: Option<String>,
}

impl NewLink {
    /// The employer's link to a quote.
    pub fn employer(token_sha256: String) -> NewLink {
        NewLink {
            token_sha256,
            purpose: LinkPurpose::Employer,
            expires_at: None,
            document_sha256: None,
        }
    }
}

/// A stored link, found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub quote_id: Uuid,
    pub purpose: LinkPurpose,
    pub expires_at: Option<DateTime<Utc>>,
    pub document_sha256: Option<String>,
}

impl StatusChange {
    /// A change that records `event` and moves the quote to the event's status (the same one
    /// for a view, a reminder or a re-send), deciding nothing; it sends nothing and makes no
    /// link until those are set.
    pub fn recording(id: Uuid, expected: Version, event: NewEvent) -> StatusChange {
        StatusChange {
            id,
            expected,
            to: event.to,
            at: event.at,
            decided_at: None,
            event,
            jobs: Vec::new(),
            link: None,
            documents: Vec::new(),
            consent: None,
        }
    }
}

/// A new revision replacing `old` (which must still have `expected`).
pub struct Revision<'a> {
    pub old: Uuid,
    pub expected: Version,
    pub number: &'a str,
    pub revision: i64,
    pub new: NewQuote<'a>,
    pub events: [NewEvent; 2],
    /// What the revision sends, queued in its transaction.
    pub jobs: Vec<NewJob>,
}

/// The filters of the quote list besides the status, and the page.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub number: Option<String>,
    /// Matched, ignoring case, as a substring of the employer's name.
    pub employer: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// Which quotes a list holds: the stored rows that show a status (see [`StatusMatch`]), and
/// the other filters.
#[derive(Debug, Clone, Default)]
pub struct QuoteQuery {
    pub status: Option<StatusMatch>,
    /// Without a status: every row but those stored in this status.
    pub except: Option<Status>,
    pub filter: ListFilter,
}

/// Which revisions the register holds (the same status matching as [`QuoteQuery`]).
#[derive(Debug, Clone, Default)]
pub struct RegisterQuery {
    pub status: Option<StatusMatch>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

/// What the quote domain needs from a database.
pub trait QuoteRepository {
    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StorageError>;
    /// Stores a new draft (and its first event) with the next number; returns the number.
    async fn create(&self, create: CreateQuote<'_>) -> Result<String, StorageError>;
    /// The quote with this idempotency key, and the body hash it was made with.
    async fn find_by_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<(Uuid, String)>, StorageError>;
    async fn fetch(&self, id: Uuid) -> Result<Option<Stored>, StorageError>;
    /// The latest revisions matching, newest first, and how many match in all.
    async fn list(&self, query: &QuoteQuery) -> Result<(Vec<Quote>, i64), StorageError>;
    /// Every revision matching, by number and revision, read as the consumer takes them.
    fn register<'a>(
        &'a self,
        query: &RegisterQuery,
    ) -> BoxStream<'a, Result<RegisterEntry, StorageError>>;
    /// The payment schedule of every revision stored in `status`, by number and revision, from
    /// the computation in `language` (the quote's own or its translation), read as the consumer
    /// takes them.
    fn schedules<'a>(
        &'a self,
        status: Status,
        language: Language,
    ) -> BoxStream<'a, Result<ScheduleEntry, StorageError>>;
    /// Replaces a draft's content (with an event and the jobs it sends), if it still has
    /// `expected`.
    async fn replace(
        &self,
        expected: Version,
        new: NewQuote<'_>,
        event: NewEvent,
        jobs: Vec<NewJob>,
    ) -> Result<(), StorageError>;
    /// Moves a quote, if it still has `change.expected`.
    async fn change_status(&self, change: StatusChange) -> Result<(), StorageError>;
    /// Stores a new revision and supersedes the old one, in one transaction.
    async fn revise(&self, revision: Revision<'_>) -> Result<(), StorageError>;
    /// The highest revision of a number.
    async fn last_revision(&self, number: &str) -> Result<i64, StorageError>;
    /// Every stored event of a quote, oldest first.
    async fn events(&self, id: Uuid) -> Result<Vec<Event>, StorageError>;
    /// Every event that names the document with this SHA-256, oldest first.
    async fn document_events(&self, sha256: &str) -> Result<Vec<Event>, StorageError>;
    /// The link with this token (by its SHA-256).
    async fn find_link(&self, token_sha256: &str) -> Result<Option<Link>, StorageError>;
    /// The quotes stored in `status`, valid through a day from `from` to `to`, that have no
    /// outbox job about `topic` yet.
    async fn without_job(
        &self,
        status: Status,
        from: NaiveDate,
        to: NaiveDate,
        topic: &str,
    ) -> Result<Vec<Uuid>, StorageError>;
    /// The quotes stored in `status` whose validity ended before `day`, with their versions.
    async fn lapsed(
        &self,
        status: Status,
        day: NaiveDate,
    ) -> Result<Vec<(Uuid, Version)>, StorageError>;
}

/// Which e-mail a quote goes out with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterKind {
    Quote,
    Reminder,
    Accepted,
    /// To the employee: the consent link and the cost specification.
    Consent,
}

/// What a letter says besides the quote itself.
pub struct LetterRequest<'a> {
    pub kind: LetterKind,
    /// The link the employer opens the quote with.
    pub link: Option<&'a str>,
    /// The salesperson's own words.
    pub message: Option<&'a str>,
    /// Who accepted, and when.
    pub accepted_by: Option<(&'a str, DateTime<Utc>)>,
}

/// A rendered e-mail for a quote, in the quote's language.
pub struct Letter {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The PDF's file name (the document's own).
    pub attachment_name: String,
    /// The bureau's address (the default sender, and where copies go).
    pub bureau_email: String,
}

/// Renders a quote's documents exactly as they are sent: the PDF (the bytes whose SHA-256 is
/// recorded) and the e-mail that carries it.
pub trait SentDocument {
    async fn pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>>;
    /// The PDF with its signature block filled in by the online acceptance.
    async fn accepted_pdf(&self, quote: &Quote, acceptance: &Acceptance)
    -> anyhow::Result<Vec<u8>>;
    fn letter(&self, quote: &Quote, request: &LetterRequest<'_>) -> anyhow::Result<Letter>;
    /// The cost specification for the employee, in `quote`'s language.
    async fn specification_pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>>;
    /// The acceptance certificate's PDF, in `quote`'s language.
    async fn certificate_pdf(
        &self,
        quote: &Quote,
        certificate: &Certificate,
    ) -> anyhow::Result<Vec<u8>>;
}
