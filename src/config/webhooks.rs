//! Webhook endpoints in the settings: `webhook_url` + `webhook_secret` (every event) and
//! `[[webhooks]]` in `offerte.toml`, checked when the settings load: secrets in the Standard
//! Webhooks `whsec_<base64>` form (one, or two while rotating), http(s) URLs, known events.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::RawSettings;
use crate::delivery::signature::{Secret, SecretError};
use crate::outbox::webhooks::{EventFilter, EventFilterError, display_url};

/// Why a URL parser refused a URL (`url::ParseError`, named through reqwest's re-export).
type UrlError = <reqwest::Url as std::str::FromStr>::Err;

/// One webhook endpoint of `offerte.toml`, as given:
///
/// ```toml
/// [[webhooks]]
/// url = "https://crm.bureau.example/hooks/offerte"
/// secrets = ["whsec_...new...", "whsec_...old..."]   # or: secret = "whsec_..."
/// events = ["quote.*"]                                 # default: every event
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    pub url: String,
    /// One secret (`whsec_<base64>`).
    #[serde(default)]
    pub secret: Option<String>,
    /// Or two, while the receiver rotates (a delivery is signed with both).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Event names, groups (`quote.*`, `quote_request.*`) or `*`; default every event.
    #[serde(default = "every_event")]
    pub events: Vec<String>,
}

fn every_event() -> Vec<String> {
    vec!["*".into()]
}

/// A webhook endpoint, checked: where to POST, what to sign with, what it wants.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub url: WebhookUrl,
    /// One, or two while the receiver rotates.
    pub secrets: Vec<Secret>,
    pub events: EventFilter,
}

/// An endpoint's URL, http(s) with a host. As configured, it may carry a token (a password, a
/// query parameter): `Debug` shows it as [`display_url`] does, without them.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(reqwest::Url);

impl WebhookUrl {
    /// The URL with its token, for the request (and the endpoint's id); not for a log.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl From<WebhookUrl> for reqwest::Url {
    fn from(url: WebhookUrl) -> reqwest::Url {
        url.0
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&display_url(self.0.as_str()), f)
    }
}

/// Why the webhook settings were refused. `key` names the setting (`webhooks[0].url`); no
/// message repeats a secret or a URL's token.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "webhook_url (OFFERTE_WEBHOOK_URL) is set but webhook_secret (OFFERTE_WEBHOOK_SECRET) is \
         not: deliveries must be signed; make a secret with `offerte webhook-secret`"
    )]
    UnsignedUrl,
    #[error("webhook_secret (OFFERTE_WEBHOOK_SECRET) is set but webhook_url is not")]
    SecretWithoutUrl,
    #[error("webhooks[{index}].events")]
    Events {
        index: usize,
        #[source]
        source: EventFilterError,
    },
    #[error("{key}: not a URL")]
    NotAUrl {
        key: String,
        #[source]
        source: UrlError,
    },
    #[error("{key}: a webhook URL must be http:// or https:// with a host")]
    NotHttp { key: String },
    #[error(
        "{key}: {count} secrets given; an endpoint signs with one, or two while the receiver \
         rotates"
    )]
    SecretCount { key: String, count: usize },
    #[error("{key}[{index}]")]
    Secret {
        key: String,
        index: usize,
        #[source]
        source: SecretError,
    },
    #[error(
        "two webhook endpoints have the URL {}: give one endpoint several events instead",
        display_url(.url.as_str())
    )]
    SameUrl { url: WebhookUrl },
}

/// The webhook endpoints, checked: `webhook_url` with `webhook_secret` (every event), then each
/// of `webhooks`. A secret not in the `whsec_<base64>` form, a URL that is not http(s), an
/// unknown event or two endpoints with one URL are refused with the reason (the secret itself is
/// never repeated).
pub(super) fn endpoints(raw: &RawSettings) -> Result<Vec<WebhookEndpoint>, WebhookError> {
    let mut endpoints = Vec::new();
    if let Some(url) = raw.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
        let secrets: Vec<String> = raw
            .webhook_secret
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if secrets.is_empty() {
            return Err(WebhookError::UnsignedUrl);
        }
        endpoints.push(endpoint(
            "webhook_url (OFFERTE_WEBHOOK_URL)",
            "webhook_secret (OFFERTE_WEBHOOK_SECRET)",
            url,
            &secrets,
            EventFilter::all(),
        )?);
    } else if raw.webhook_secret.is_some() {
        return Err(WebhookError::SecretWithoutUrl);
    }
    for (index, hook) in raw.webhooks.iter().enumerate() {
        let mut secrets: Vec<String> = hook.secret.iter().cloned().collect();
        secrets.extend(hook.secrets.iter().cloned());
        let events = EventFilter::parse(&hook.events)
            .map_err(|source| WebhookError::Events { index, source })?;
        endpoints.push(endpoint(
            &format!("webhooks[{index}].url"),
            &format!("webhooks[{index}].secrets"),
            &hook.url,
            &secrets,
            events,
        )?);
    }
    for (i, a) in endpoints.iter().enumerate() {
        if endpoints[..i].iter().any(|b| b.url == a.url) {
            return Err(WebhookError::SameUrl { url: a.url.clone() });
        }
    }
    Ok(endpoints)
}

/// One endpoint's URL and secrets, checked; `url_key` and `secret_key` name them in errors.
fn endpoint(
    url_key: &str,
    secret_key: &str,
    url: &str,
    secrets: &[String],
    events: EventFilter,
) -> Result<WebhookEndpoint, WebhookError> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|source| WebhookError::NotAUrl {
        key: url_key.to_owned(),
        source,
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(WebhookError::NotHttp {
            key: url_key.to_owned(),
        });
    }
    if !(1..=2).contains(&secrets.len()) {
        return Err(WebhookError::SecretCount {
            key: secret_key.to_owned(),
            count: secrets.len(),
        });
    }
    let secrets = secrets
        .iter()
        .enumerate()
        .map(|(index, s)| {
            Secret::parse(s).map_err(|source| WebhookError::Secret {
                key: secret_key.to_owned(),
                index,
                source,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WebhookEndpoint {
        url: WebhookUrl(parsed),
        secrets,
        events,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::tests::{env, with_causes};
    use crate::config::{Overrides, Settings};

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn webhook_endpoints_come_from_the_environment_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        std::fs::write(
            &file,
            format!(
                "[[webhooks]]\nurl = \"https://crm.example/in\"\nsecrets = [\"{SECRET}\", \"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\"]\nevents = [\"quote.*\"]\n\n[[webhooks]]\nurl = \"http://127.0.0.1:9000/hook\"\nsecret = \"{SECRET}\"\n"
            ),
        )
        .unwrap();
        let (s, _) = Settings::load(
            Some(&file),
            &env(&[
                ("OFFERTE_WEBHOOK_URL", "https://all.example/hook"),
                ("OFFERTE_WEBHOOK_SECRET", SECRET),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        let endpoints = s.webhooks;
        assert_eq!(endpoints.len(), 3);
        assert_eq!(endpoints[0].url.as_str(), "https://all.example/hook");
        use crate::outbox::webhooks::EventType;
        assert!(endpoints[0].events.matches(EventType::RequestCreated));
        assert_eq!(endpoints[1].secrets.len(), 2);
        assert!(!endpoints[1].events.matches(EventType::RequestCreated));
        assert!(endpoints[1].events.matches(EventType::QuoteExpired));
        assert!(
            endpoints[2].events.matches(EventType::RequestCreated),
            "default: every event"
        );
    }

    #[test]
    fn webhook_mistakes_stop_the_start_with_the_reason() {
        let load = |pairs: &[(&str, &str)]| {
            with_causes(
                Settings::load(None, &env(pairs), &Overrides::default())
                    .map(|_| ())
                    .unwrap_err(),
            )
        };
        let url = ("OFFERTE_WEBHOOK_URL", "https://crm.example/hook");
        let three = format!("{SECRET},{SECRET},{SECRET}");
        let cases = [
            (
                vec![url, ("OFFERTE_WEBHOOK_SECRET", "plain-shared-secret")],
                "whsec_",
            ),
            (vec![url], "webhook_secret"),
            (
                vec![url, ("OFFERTE_WEBHOOK_SECRET", "whsec_c2hvcnQ=")],
                "5 bytes",
            ),
            (
                vec![url, ("OFFERTE_WEBHOOK_SECRET", three.as_str())],
                "3 secrets",
            ),
            (
                vec![
                    ("OFFERTE_WEBHOOK_URL", "ftp://crm.example/"),
                    ("OFFERTE_WEBHOOK_SECRET", SECRET),
                ],
                "http",
            ),
            (
                vec![("OFFERTE_WEBHOOK_SECRET", SECRET)],
                "webhook_url is not",
            ),
        ];
        for (pairs, reason) in cases {
            let error = load(&pairs);
            assert!(error.contains(reason), "{pairs:?}: {error}");
            assert!(!error.contains("plain-shared-secret"), "{error}");
        }
        // Two secrets, comma-separated, while rotating.
        let (s, _) = Settings::load(
            None,
            &env(&[
                url,
                ("OFFERTE_WEBHOOK_SECRET", &format!("{SECRET}, {SECRET}")),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(s.webhooks[0].secrets.len(), 2);

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        for (text, reason) in [
            (
                "[[webhooks]]\nurl = \"https://a.example/\"\nsecret = \"x\"\n",
                "webhooks[0].secrets[0]",
            ),
            (
                &format!(
                    "[[webhooks]]\nurl = \"https://a.example/\"\nsecret = \"{SECRET}\"\nevents = [\"quote.sentt\"]\n"
                ),
                "webhooks[0].events: `quote.sentt` matches no event",
            ),
            (
                &format!(
                    "[[webhooks]]\nurl = \"https://a.example/\"\nsecret = \"{SECRET}\"\n[[webhooks]]\nurl = \"https://a.example/\"\nsecret = \"{SECRET}\"\n"
                ),
                "two webhook endpoints",
            ),
            (
                "[[webhooks]]\nurl = \"https://a.example/\"\nsecrett = \"x\"\n",
                "secrett",
            ),
        ] {
            std::fs::write(&file, text).unwrap();
            let error = with_causes(
                Settings::load(Some(&file), &env(&[]), &Overrides::default())
                    .map(|_| ())
                    .unwrap_err(),
            );
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
