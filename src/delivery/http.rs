//! One webhook delivery attempt over HTTP, and the retry schedule around it.
//!
//! [`post`] makes one attempt and classifies the answer as the Standard Webhooks spec suggests;
//! it never retries by itself. The caller (the outbox) stores the [`Outcome`] and asks
//! [`next_delay`] when to try again.
//!
//! How answers are classified:
//! - `2xx`: [`Outcome::Delivered`].
//! - `410 Gone`: [`Outcome::Gone`]: the receiver asks us to stop; disable the endpoint.
//! - `5xx`, `408`, `429`, a timeout or a connection error: [`Outcome::Retry`], with the
//!   receiver's `Retry-After` when it sent one.
//! - `3xx` and the other `4xx`: [`Outcome::Rejected`]. The spec counts them as failures like any
//!   other, and they are still retried by the same schedule (a receiver mid-deploy may answer
//!   404 or 401 for a minute; deleting a subscription on one 404 would lose it for good). They are reported apart because they usually mean a wrong URL or credentials at
//!   the receiver, which an operator must fix, not an outage that will pass. Redirects are
//!   never followed: the spec asks senders to update the URL instead.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};

use super::signature::Signer;

/// The spec recommends 15 to 30 s; the shorter end keeps a slow receiver from holding a worker.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// How much of a failing receiver's answer is kept in the error, for the operator.
const BODY_EXCERPT_CHARS: usize = 200;

/// The three headers of a Standard Webhooks delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHeaders {
    /// `webhook-id`: the same on every retry of one event.
    pub id: String,
    /// `webhook-timestamp`: seconds since the epoch, of this attempt.
    pub timestamp: i64,
    /// `webhook-signature`: from [`Signer::sign`].
    pub signature: String,
}

impl WebhookHeaders {
    /// Signs `body` for one attempt at `timestamp` (a retry signs again with its own time).
    pub fn signed(signer: &Signer, id: &str, timestamp: i64, body: &[u8]) -> WebhookHeaders {
        WebhookHeaders {
            id: id.to_owned(),
            timestamp,
            signature: signer.sign(id, timestamp, body),
        }
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A `2xx` answer.
    Delivered { status: u16 },
    /// A passing failure: `5xx`, `408`, `429` (`status` set), or a timeout or connection error
    /// (`status` is `None`). `retry_after` is the receiver's `Retry-After`, when it sent one.
    Retry {
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
    /// `410 Gone`: the receiver wants no more deliveries; the endpoint should be disabled.
    Gone,
    /// A `3xx` or another `4xx`: retried by the same schedule, but reported as a problem at the
    /// receiver's end (wrong URL, authentication) that someone must fix.
    Rejected { status: u16, error: String },
}

/// The webhook client: a [`TIMEOUT`] per attempt and no redirects followed.
///
/// # Panics
/// Only when the TLS backend cannot be set up, which is a build problem, not a runtime one.
pub fn client() -> Client {
    builder()
        .build()
        .expect("the webhook HTTP client (rustls) can be built")
}

/// The same client for endpoints a bureau set through the API: it connects only to addresses
/// on the public internet, whatever a name resolves to at the time ([`super::guard`]); an
/// address in the URL itself is checked with [`super::guard::check_literal`] before each POST.
pub fn guarded_client() -> Client {
    super::guard::guard(builder())
        .build()
        .expect("the guarded webhook HTTP client (rustls) can be built")
}

fn builder() -> reqwest::ClientBuilder {
    Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("offerte-webhooks/", env!("CARGO_PKG_VERSION")))
}

/// POSTs `body` (JSON) with the Standard Webhooks headers to `url`, once.
pub async fn post(client: &Client, url: &Url, headers: &WebhookHeaders, body: &[u8]) -> Outcome {
    let sent = client
        .post(url.clone())
        .header(CONTENT_TYPE, "application/json")
        .header("webhook-id", &headers.id)
        .header("webhook-timestamp", headers.timestamp.to_string())
        .header("webhook-signature", &headers.signature)
        .body(body.to_vec())
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(e) => return transport_failure(e),
    };
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered {
            status: status.as_u16(),
        };
    }
    let response_headers = response.headers().clone();
    let excerpt = body_excerpt(response).await;
    classify(status, &response_headers, &excerpt, SystemTime::now())
}

/// A non-`2xx` answer, sorted by the rules in the module docs.
fn classify(status: StatusCode, headers: &HeaderMap, excerpt: &str, now: SystemTime) -> Outcome {
    let code = status.as_u16();
    let mut error = format!("HTTP {status}");
    if status.is_redirection() {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)");
        error.push_str(&format!(
            ": redirect to {location} not followed; update the webhook URL"
        ));
    } else if !excerpt.is_empty() {
        error.push_str(&format!(": {excerpt}"));
    }
    match status {
        StatusCode::GONE => Outcome::Gone,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => {
            retry(code, error, headers, now)
        }
        s if s.is_server_error() => retry(code, error, headers, now),
        s if s.is_client_error() || s.is_redirection() => Outcome::Rejected {
            status: code,
            error,
        },
        // 1xx that reached us, or a code outside the standard classes: nothing says it will
        // last, so it is a passing failure.
        _ => retry(code, error, headers, now),
    }
}

fn retry(code: u16, error: String, headers: &HeaderMap, now: SystemTime) -> Outcome {
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
    Outcome::Retry {
        status: Some(code),
        error,
        retry_after,
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past is
/// "now" (zero). Anything else is ignored.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A request that got no answer: the error chain, without the URL (it may carry a token).
fn transport_failure(e: reqwest::Error) -> Outcome {
    let kind = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut error = kind;
    let e = e.without_url();
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(cause) = source {
        error.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Outcome::Retry {
        status: None,
        error,
        retry_after: None,
    }
}

/// The start of a failing answer's body, as one line of printable text; reading stops after a
/// few hundred bytes, so a receiver cannot make us read megabytes.
async fn body_excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < BODY_EXCERPT_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .collect()
}

/// The spec's example schedule, cut to a day: the wait before attempt `n + 1` after `n`
/// attempts. Attempt 1 goes at once; then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h; further waits are
/// 10 h, the last one shortened so the final attempt falls exactly [`GIVE_UP_AFTER`] after the
/// first. `None`: give up (mark the delivery failed).
const STEPS: [Duration; 7] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
];

/// How long after its first attempt a delivery is given up.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The wait before the next attempt, given how many attempts were made (0 before the first):
/// `backoff(0)` is zero (at once), `backoff(1)` 5 s, ... `None` once a day is spent.
/// Pure; an outbox with several workers may add jitter on top.
pub fn backoff(attempts: u32) -> Option<Duration> {
    let mut spent = Duration::ZERO;
    for n in 0..=attempts {
        let step = STEPS
            .get(n as usize)
            .copied()
            .unwrap_or(STEPS[STEPS.len() - 1]);
        let left = GIVE_UP_AFTER.saturating_sub(spent);
        if left.is_zero() && n > 0 {
            return None;
        }
        let wait = step.min(left);
        if n == attempts {
            return Some(wait);
        }
        spent += wait;
    }
    unreachable!("the loop returns at n == attempts")
}

/// The wait before the next attempt after a [`Outcome::Retry`] or [`Outcome::Rejected`], given
/// the attempts made so far and the time since the first: [`backoff`], or the receiver's
/// `Retry-After` when that is longer (never sooner than asked), stretched by `spread`
/// thousandths (at most [`MAX_SPREAD`]: jobs that failed together, when a receiver or relay went
/// down, do not all come back in the same second), and never past [`GIVE_UP_AFTER`], so a
/// receiver cannot park a delivery for weeks. `None`: give up.
pub fn next_delay(
    attempts: u32,
    retry_after: Option<Duration>,
    since_first: Duration,
    spread: u32,
) -> Option<Duration> {
    let left = GIVE_UP_AFTER
        .checked_sub(since_first)
        .filter(|left| !left.is_zero())?;
    let wait = backoff(attempts)?.max(retry_after.unwrap_or_default());
    let wait = wait + wait * spread.min(MAX_SPREAD) / 1000;
    Some(wait.min(left))
}

/// The most a wait is stretched, in thousandths: 10 %.
pub const MAX_SPREAD: u32 = 100;

/// A job's own stretch of its waits (0 to [`MAX_SPREAD`] thousandths), from its id: fixed for
/// the job, so its schedule is predictable, and different between jobs.
pub fn spread_of(id: uuid::Uuid) -> u32 {
    let low = u32::try_from(id.as_u128() & 0xFFFF_FFFF).unwrap_or_default();
    low % (MAX_SPREAD + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const H: u64 = 3600;

    #[test]
    fn backoff_follows_the_specs_schedule_and_stops_after_a_day() {
        let expected = [0, 5, 5 * 60, 30 * 60, 2 * H, 5 * H, 10 * H];
        for (n, secs) in expected.iter().enumerate() {
            assert_eq!(
                backoff(n as u32),
                Some(Duration::from_secs(*secs)),
                "attempt {n}"
            );
        }
        // 17:35:05 spent; the last wait brings the final attempt to 24:00:00.
        assert_eq!(
            backoff(7),
            Some(Duration::from_secs(24 * H - (17 * H + 35 * 60 + 5)))
        );
        assert_eq!(backoff(8), None);
        assert_eq!(backoff(100), None);
        assert_eq!(backoff(u32::MAX), None);
        let total: Duration = (0..8).filter_map(backoff).sum();
        assert_eq!(total, GIVE_UP_AFTER);
    }

    #[test]
    fn next_delay_honours_retry_after_within_the_day() {
        let secs = Duration::from_secs;
        let zero = Duration::ZERO;
        assert_eq!(next_delay(1, None, zero, 0), Some(secs(5)));
        assert_eq!(
            next_delay(1, Some(secs(7)), zero, 0),
            Some(secs(7)),
            "longer: honoured"
        );
        assert_eq!(
            next_delay(2, Some(secs(7)), secs(5), 0),
            Some(secs(300)),
            "shorter: the schedule"
        );
        assert_eq!(
            next_delay(1, Some(secs(365 * 24 * H)), zero, 0),
            Some(GIVE_UP_AFTER),
            "bounded by the day"
        );
        assert_eq!(
            next_delay(6, None, secs(20 * H), 0),
            Some(secs(4 * H)),
            "a late worker"
        );
        assert_eq!(
            next_delay(3, None, GIVE_UP_AFTER, 0),
            None,
            "the day is spent"
        );
        assert_eq!(
            next_delay(8, Some(secs(7)), zero, 0),
            None,
            "the schedule is spent"
        );
    }

    #[test]
    fn the_spread_delays_by_at_most_a_tenth_and_never_past_the_day() {
        let secs = Duration::from_secs;
        let zero = Duration::ZERO;
        assert_eq!(
            next_delay(1, None, zero, 100),
            Some(Duration::from_millis(5500))
        );
        assert_eq!(next_delay(2, None, zero, 50), Some(secs(315)));
        assert_eq!(
            next_delay(2, None, zero, 5000),
            Some(secs(330)),
            "capped at 10 %"
        );
        assert_eq!(
            next_delay(2, Some(secs(600)), zero, 100),
            Some(secs(660)),
            "later than Retry-After asks, never sooner"
        );
        assert_eq!(
            next_delay(7, None, secs(17 * H + 35 * 60 + 5), 100),
            Some(backoff(7).unwrap()),
            "the last attempt stays at the end of the day"
        );
        // Spread over the jobs, fixed per job.
        let spreads: Vec<u32> = (0..1000).map(|_| spread_of(uuid::Uuid::now_v7())).collect();
        assert!(spreads.iter().all(|s| *s <= MAX_SPREAD));
        let distinct: std::collections::HashSet<_> = spreads.iter().collect();
        assert!(distinct.len() > 50, "{} distinct spreads", distinct.len());
        let id = uuid::Uuid::now_v7();
        assert_eq!(spread_of(id), spread_of(id));
    }

    fn headers(pairs: &[(reqwest::header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn answers_are_classified_as_the_spec_suggests() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let none = HeaderMap::new();
        let status = |code: u16| StatusCode::from_u16(code).unwrap();
        assert_eq!(classify(status(410), &none, "", now), Outcome::Gone);
        for code in [500, 502, 503, 504, 429, 408] {
            assert!(
                matches!(classify(status(code), &none, "", now), Outcome::Retry { status: Some(c), retry_after: None, .. } if c == code),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 422, 301, 302, 307, 308] {
            assert!(
                matches!(classify(status(code), &none, "", now), Outcome::Rejected { status: c, .. } if c == code),
                "{code}"
            );
        }
        let redirect = classify(
            status(302),
            &headers(&[(LOCATION, "https://x.test/new")]),
            "",
            now,
        );
        let Outcome::Rejected { error, .. } = redirect else {
            panic!("{redirect:?}")
        };
        assert!(
            error.contains("https://x.test/new") && error.contains("not followed"),
            "{error}"
        );
        let Outcome::Retry { error, .. } = classify(status(500), &none, "db down", now) else {
            panic!()
        };
        assert_eq!(error, "HTTP 500 Internal Server Error: db down");
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date means now"
        );
        for junk in ["", "-5", "1.5", "soon", "tomorrow 10:00"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
        let answer = classify(
            StatusCode::SERVICE_UNAVAILABLE,
            &headers(&[(RETRY_AFTER, "Sun, 06 Nov 1994 08:49:47 GMT")]),
            "",
            now,
        );
        assert!(
            matches!(answer, Outcome::Retry { retry_after: Some(d), .. } if d == Duration::from_secs(10)),
            "{answer:?}"
        );
    }
}
