//! Webhook endpoints in the settings: `webhook_url` + `webhook_secret` (every event) and
//! `[[webhooks]]` in `offerte.toml`, checked at start: secrets in the Standard Webhooks
//! `whsec_<base64>` form (one, or two while rotating), http(s) URLs, known events.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::Settings;
use crate::delivery::signature::Secret;
use crate::outbox::webhooks::{EventFilter, display_url};

/// One webhook endpoint of `offerte.toml`:
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

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secrets = usize::from(self.secret.is_some()) + self.secrets.len();
        f.debug_struct("WebhookSettings")
            .field("url", &display_url(&self.url))
            .field("secrets", &format_args!("{secrets} secret(s)"))
            .field("events", &self.events)
            .finish()
    }
}

/// A webhook endpoint, checked: where to POST, what to sign with, what it wants.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// As configured (may hold a token; shown only through `display_url`).
    pub url: reqwest::Url,
    /// One, or two while the receiver rotates.
    pub secrets: Vec<Secret>,
    pub events: EventFilter,
}

impl Settings {
    /// The webhook endpoints, checked: `webhook_url` with `webhook_secret` (every event), then
    /// each of `webhooks`. A secret not in the `whsec_<base64>` form, a URL that is not http(s),
    /// an unknown event or two endpoints with one URL are refused with the reason (the secret
    /// itself is never repeated).
    pub fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>> {
        let mut endpoints = Vec::new();
        if let Some(url) = self.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
            let what = "webhook_url (OFFERTE_WEBHOOK_URL)";
            let secrets: Vec<String> = self
                .webhook_secret
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            if secrets.is_empty() {
                bail!(
                    "{what} is set but webhook_secret (OFFERTE_WEBHOOK_SECRET) is not: deliveries \
                     must be signed; make a secret with `offerte webhook-secret`"
                );
            }
            endpoints.push(endpoint(
                what,
                "webhook_secret (OFFERTE_WEBHOOK_SECRET)",
                url,
                &secrets,
                EventFilter::all(),
            )?);
        } else if self.webhook_secret.is_some() {
            bail!("webhook_secret (OFFERTE_WEBHOOK_SECRET) is set but webhook_url is not");
        }
        for (i, hook) in self.webhooks.iter().enumerate() {
            let mut secrets: Vec<String> = hook.secret.iter().cloned().collect();
            secrets.extend(hook.secrets.iter().cloned());
            let events = EventFilter::parse(&hook.events)
                .map_err(|e| anyhow::anyhow!("webhooks[{i}].events: {e}"))?;
            endpoints.push(endpoint(
                &format!("webhooks[{i}].url"),
                &format!("webhooks[{i}].secrets"),
                &hook.url,
                &secrets,
                events,
            )?);
        }
        for (i, a) in endpoints.iter().enumerate() {
            if endpoints[..i].iter().any(|b| b.url == a.url) {
                bail!(
                    "two webhook endpoints have the URL {}: give one endpoint several events instead",
                    display_url(a.url.as_str())
                );
            }
        }
        Ok(endpoints)
    }
}

/// One endpoint's URL and secrets, checked; `url_key` and `secret_key` name them in errors.
fn endpoint(
    url_key: &str,
    secret_key: &str,
    url: &str,
    secrets: &[String],
    events: EventFilter,
) -> Result<WebhookEndpoint> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| anyhow::anyhow!("{url_key}: not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        bail!("{url_key}: a webhook URL must be http:// or https:// with a host");
    }
    if !(1..=2).contains(&secrets.len()) {
        bail!(
            "{secret_key}: {} secrets given; an endpoint signs with one, or two while the \
             receiver rotates",
            secrets.len()
        );
    }
    let secrets = secrets
        .iter()
        .enumerate()
        .map(|(n, s)| Secret::parse(s).map_err(|e| anyhow::anyhow!("{secret_key}[{n}]: {e}")))
        .collect::<Result<Vec<_>>>()?;
    Ok(WebhookEndpoint {
        url: parsed,
        secrets,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::config::tests::env;

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
        let endpoints = s.webhook_endpoints().unwrap();
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
            Settings::load(None, &env(pairs), &Overrides::default())
                .map(|_| ())
                .unwrap_err()
                .to_string()
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
        assert_eq!(s.webhook_endpoints().unwrap()[0].secrets.len(), 2);

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
            let error = Settings::load(Some(&file), &env(&[]), &Overrides::default())
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
