//! Webhooks as the domain sees them: the events, which endpoints want which ([`Webhooks`]),
//! and the outbox jobs a change queues for them. Pure: the services call [`Webhooks::jobs`]
//! with the record as the API returns it, and put the jobs into the write of the change; the
//! worker signs and POSTs them (`worker`), knowing the endpoints' URLs and secrets.
//!
//! One job per endpoint whose filter matches. Each job carries its `webhook-id` (the same on
//! every retry) and the exact body, `{"type", "timestamp", "data"}`, so what is delivered is
//! what was decided, whenever it goes out. Jobs about one quote (all its revisions: one
//! number) or one request share an order key: the worker does not take a job while an older
//! one with the same key is still queued for the same endpoint.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use uuid::Uuid;

use super::model::{JobKind, NewJob};

vocabulary! {
    /// Everything a webhook endpoint can be told.
    pub EventType {
        QuoteCreated => "quote.created",
        QuoteUpdated => "quote.updated",
        QuoteSent => "quote.sent",
        QuoteViewed => "quote.viewed",
        QuoteAccepted => "quote.accepted",
        QuoteDeclined => "quote.declined",
        QuoteExpired => "quote.expired",
        QuoteWithdrawn => "quote.withdrawn",
        QuoteRevised => "quote.revised",
        QuoteEmployeeConsentGiven => "quote.employee_consent_given",
        QuoteEmployeeConsentDeclined => "quote.employee_consent_declined",
        RequestCreated => "quote_request.created",
        RequestConverted => "quote_request.converted",
        RequestRejected => "quote_request.rejected",
        CatalogVersionPublished => "catalog.version_published",
    }
}

/// Which events an endpoint receives: exact names (`quote.sent`), a group (`quote.*`,
/// `quote_request.*`) or everything (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter(Vec<String>);

/// Why an endpoint's event list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventFilterError {
    #[error("no events given; use [\"*\"] for every event")]
    Empty,
    #[error(
        "`{0}` matches no event; known: {known}, or a group such as `quote.*`, or `*`",
        known = known_events()
    )]
    NoEvent(String),
}

/// The event names, comma-separated.
fn known_events() -> String {
    let known: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
    known.join(", ")
}

impl EventFilter {
    /// Every event.
    pub fn all() -> EventFilter {
        EventFilter(vec!["*".into()])
    }

    /// Checks each pattern: it must name an event, or a group that holds at least one. An empty
    /// list is refused (an endpoint that wants nothing is a mistake, not a setting).
    pub fn parse(patterns: &[String]) -> Result<EventFilter, EventFilterError> {
        if patterns.is_empty() {
            return Err(EventFilterError::Empty);
        }
        if let Some(pattern) = patterns
            .iter()
            .find(|p| !EventType::ALL.iter().any(|e| matches(p, *e)))
        {
            return Err(EventFilterError::NoEvent(pattern.clone()));
        }
        Ok(EventFilter(patterns.to_vec()))
    }

    pub fn matches(&self, event: EventType) -> bool {
        self.0.iter().any(|p| matches(p, event))
    }
}

fn matches(pattern: &str, event: EventType) -> bool {
    let name = event.as_str();
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) if prefix.ends_with('.') => name.starts_with(prefix),
        Some(_) => false,
        None => pattern == name,
    }
}

/// An endpoint's id: a digest of its URL, so the same URL is the same endpoint across
/// restarts and instances (its state, such as disabled after a 410, is stored under it) while
/// the URL itself, which may hold a token, is not the key.
pub fn endpoint_id(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    format!("ep_{}", hex::encode(&digest[..8]))
}

/// A URL as people may see it: scheme, host, port and path; no user, password or query (they
/// may hold secrets).
pub fn display_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = match rest.split_once('/') {
        Some((authority, path)) => {
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{host}/{path}")
        }
        None => rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_string(),
    };
    if scheme.is_empty() {
        rest
    } else {
        format!("{scheme}://{rest}")
    }
}

/// One endpoint as the domain needs it: where its jobs are addressed and what it wants.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// See [`endpoint_id`].
    pub endpoint: String,
    /// The URL without secrets (see [`display_url`]), for the delivery list.
    pub recipient: String,
    pub filter: EventFilter,
}

impl Subscription {
    pub fn new(url: &str, filter: EventFilter) -> Subscription {
        Subscription {
            endpoint: endpoint_id(url),
            recipient: display_url(url),
            filter,
        }
    }
}

/// The configured endpoints (none: no webhooks). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Webhooks(Arc<[Subscription]>);

/// What an event is about: the quote (for the delivery lists) and the order key (events with
/// the same key reach an endpoint in the order they were queued).
#[derive(Debug, Clone)]
pub struct Subject {
    pub quote_id: Option<Uuid>,
    pub order_key: String,
}

impl Subject {
    /// A quote: every revision of one number in one order.
    pub fn quote(id: Uuid, number: &str) -> Subject {
        Subject {
            quote_id: Some(id),
            order_key: format!("quote:{number}"),
        }
    }

    /// The catalog: its versions in the order they were published.
    pub fn catalog() -> Subject {
        Subject {
            quote_id: None,
            order_key: "catalog".into(),
        }
    }

    /// A quote request (`quote_id`: the quote made from it, if any).
    pub fn request(id: Uuid, quote_id: Option<Uuid>) -> Subject {
        Subject {
            quote_id,
            order_key: format!("quote_request:{id}"),
        }
    }
}

/// A webhook job's content: everything needed to deliver it again, byte for byte.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookJob {
    /// The endpoint's id ([`endpoint_id`]); its URL and secrets come from the configuration.
    pub endpoint: String,
    /// `webhook-id`: the same on every attempt.
    pub webhook_id: String,
    /// The event type (also the job's topic).
    pub event: String,
    /// The exact body that is signed and sent, kept as JSON in the job (not as a string: no
    /// second escaping pass over a quote's computation, and a smaller row) and read back
    /// byte for byte.
    pub body: Box<RawValue>,
}

/// The body of a delivery, as the Standard Webhooks spec suggests.
#[derive(Serialize)]
struct Payload<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: String,
    data: &'a T,
}

/// The `webhook-id` of a job: `msg_` and the job's id, so the id an admin sees in the delivery
/// list is the one the receiver logged.
pub fn webhook_id(job_id: Uuid) -> String {
    format!("msg_{}", job_id.simple())
}

impl Webhooks {
    pub fn new(subscriptions: Vec<Subscription>) -> Webhooks {
        Webhooks(subscriptions.into())
    }

    /// Whether any endpoint wants `event`.
    pub fn wants(&self, event: EventType) -> bool {
        self.0.iter().any(|s| s.filter.matches(event))
    }

    /// One job for each endpoint that wants `event`, whose `data` is the record as the API
    /// returns it after the change, dated `at`. Nothing when no endpoint wants it (and then
    /// nothing is serialized).
    pub fn jobs<T: Serialize>(
        &self,
        event: EventType,
        subject: &Subject,
        data: &T,
        at: DateTime<Utc>,
    ) -> Result<Vec<NewJob>, serde_json::Error> {
        if !self.wants(event) {
            return Ok(Vec::new());
        }
        let body = serde_json::value::to_raw_value(&Payload {
            kind: event.as_str(),
            timestamp: at.to_rfc3339_opts(SecondsFormat::Micros, true),
            data,
        })?;
        self.0
            .iter()
            .filter(|s| s.filter.matches(event))
            .map(|s| {
                let id = Uuid::now_v7();
                let job = WebhookJob {
                    endpoint: s.endpoint.clone(),
                    webhook_id: webhook_id(id),
                    event: event.as_str().into(),
                    body: body.clone(),
                };
                Ok(NewJob {
                    id,
                    kind: JobKind::Webhook,
                    quote_id: subject.quote_id,
                    topic: event.as_str().into(),
                    recipient: s.recipient.clone(),
                    payload: serde_json::to_string(&job)?,
                    created_at: at,
                    endpoint: Some(s.endpoint.clone()),
                    order_key: Some(subject.order_key.clone()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(patterns: &[&str]) -> Result<EventFilter, EventFilterError> {
        EventFilter::parse(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn filters_take_names_groups_and_everything() {
        let quotes = filter(&["quote.*"]).unwrap();
        assert!(quotes.matches(EventType::QuoteSent));
        assert!(quotes.matches(EventType::QuoteRevised));
        assert!(
            !quotes.matches(EventType::RequestCreated),
            "quote. is not quote_request."
        );
        let requests = filter(&["quote_request.*", "quote.accepted"]).unwrap();
        assert!(requests.matches(EventType::RequestConverted));
        assert!(requests.matches(EventType::QuoteAccepted));
        assert!(!requests.matches(EventType::QuoteSent));
        assert!(
            EventType::ALL
                .iter()
                .all(|e| EventFilter::all().matches(*e))
        );
        for bad in [&["quote.sentt"][..], &["quote*"], &["invoice.*"], &[]] {
            assert!(filter(bad).is_err(), "{bad:?}");
        }
        assert!(
            filter(&["quote.sentt"])
                .unwrap_err()
                .to_string()
                .contains("quote.sent,")
        );
    }

    #[test]
    fn event_names_round_trip_in_serde_too() {
        for &e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
            assert_eq!(serde_json::to_value(e).unwrap(), e.as_str());
        }
    }

    #[test]
    fn urls_are_shown_without_secrets_and_keyed_by_digest() {
        assert_eq!(
            display_url("https://user:pw@crm.example:8443/hooks/in?token=abc#x"),
            "https://crm.example:8443/hooks/in"
        );
        assert_eq!(
            display_url("http://127.0.0.1:9000"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            endpoint_id("https://crm.example/a"),
            endpoint_id("https://crm.example/a")
        );
        assert_ne!(
            endpoint_id("https://crm.example/a"),
            endpoint_id("https://crm.example/b")
        );
        assert!(endpoint_id("x").starts_with("ep_") && endpoint_id("x").len() == 19);
    }

    #[test]
    fn the_body_is_kept_byte_for_byte() {
        let hooks = Webhooks::new(vec![Subscription::new(
            "https://a.example/",
            EventFilter::all(),
        )]);
        let data = serde_json::json!({"name": "Bakkerij \"De Korenschoof\" \u{e9}\n", "n": 1.50});
        let at = Utc::now();
        let job = &hooks
            .jobs(
                EventType::QuoteCreated,
                &Subject::request(Uuid::nil(), None),
                &data,
                at,
            )
            .unwrap()[0];
        let stored: WebhookJob = serde_json::from_str(&job.payload).unwrap();
        let expected = serde_json::to_string(&Payload {
            kind: "quote.created",
            timestamp: at.to_rfc3339_opts(SecondsFormat::Micros, true),
            data: &data,
        })
        .unwrap();
        assert_eq!(stored.body.get(), expected);
        assert!(
            job.payload.contains(r#""body":{"type":"quote.created""#),
            "{}",
            job.payload
        );
    }

    #[test]
    fn one_job_per_endpoint_that_wants_the_event() {
        let hooks = Webhooks::new(vec![
            Subscription::new("https://a.example/hook?t=1", EventFilter::all()),
            Subscription::new(
                "https://b.example/hook",
                filter(&["quote_request.*"]).unwrap(),
            ),
        ]);
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::now_v7();
        let subject = Subject::quote(id, "OFF-2026-00001");
        let data = serde_json::json!({"id": id, "status": "sent"});
        let jobs = hooks
            .jobs(EventType::QuoteSent, &subject, &data, at)
            .unwrap();
        assert_eq!(jobs.len(), 1);
        let job = &jobs[0];
        assert_eq!(job.recipient, "https://a.example/hook");
        assert_eq!(job.topic, "quote.sent");
        assert_eq!(job.quote_id, Some(id));
        assert_eq!(job.order_key.as_deref(), Some("quote:OFF-2026-00001"));
        let stored: WebhookJob = serde_json::from_str(&job.payload).unwrap();
        assert_eq!(stored.webhook_id, webhook_id(job.id));
        assert!(!stored.webhook_id.contains('.'));
        let body: serde_json::Value = serde_json::from_str(stored.body.get()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"type": "quote.sent", "timestamp": "2026-11-22T10:00:00.500000Z", "data": data})
        );
        let both = hooks
            .jobs(
                EventType::RequestCreated,
                &Subject::request(id, None),
                &data,
                at,
            )
            .unwrap();
        assert_eq!(both.len(), 2);
        assert_ne!(both[0].id, both[1].id);
        assert!(
            Webhooks::default()
                .jobs(EventType::QuoteSent, &subject, &data, at)
                .unwrap()
                .is_empty()
        );
    }
}
