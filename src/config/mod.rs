//! Typed, layered settings: built-in defaults, then an optional `offerte.toml`, then
//! `OFFERTE_`-prefixed environment variables (and `DATABASE_URL`), then command-line flags.
//! Unknown keys in the file are an error; unknown `OFFERTE_` variables are reported.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::access::ApiKey;
use crate::outbox::webhooks::display_url;

mod webhooks;
pub use webhooks::{WebhookEndpoint, WebhookSettings};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the service can be configured with. `Debug` prints no secret: the database URL's
/// password and the webhook secret are masked.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on (`OFFERTE_BIND`).
    pub bind: String,
    /// `sqlite://path` or `postgres://...` (`DATABASE_URL` or `OFFERTE_DATABASE_URL`).
    pub database_url: String,
    /// The catalog folder (`OFFERTE_PRICING_DIR`).
    pub pricing_dir: PathBuf,
    /// The document templates folder (`OFFERTE_TEMPLATES_DIR`).
    pub templates_dir: PathBuf,
    /// Origins allowed to call the API from a browser (`OFFERTE_CORS_ORIGINS`, comma-separated).
    pub cors_origins: Vec<String>,
    /// Largest accepted request body in bytes (`OFFERTE_BODY_LIMIT`).
    pub body_limit: usize,
    /// API keys as `role:sha256hex` (`OFFERTE_API_KEYS`, comma-separated).
    pub api_keys: Vec<String>,
    /// Prefix of quote numbers (`OFFERTE_NUMBER_PREFIX`).
    pub number_prefix: String,
    /// `text` or `json` (`OFFERTE_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Seconds between sweeps that expire quotes past their validity (`OFFERTE_SWEEP_SECONDS`).
    pub sweep_seconds: u64,
    /// Days a quote request not turned into a quote is kept before the sweep deletes it
    /// (`OFFERTE_REQUEST_RETENTION_DAYS`).
    pub request_retention_days: u32,
    /// Requests one client may send to the public form at once before the limit applies
    /// (`OFFERTE_RATE_LIMIT_BURST`).
    pub rate_limit_burst: u32,
    /// Requests per minute one client may send to the public form after the burst
    /// (`OFFERTE_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// A webhook endpoint that receives every event, signed to the Standard Webhooks spec
    /// (`OFFERTE_WEBHOOK_URL`); none by default. More endpoints: [`Settings::webhooks`].
    pub webhook_url: Option<String>,
    /// Its signing secret in the spec's `whsec_<base64>` form; two, comma-separated, while the
    /// receiver rotates (`OFFERTE_WEBHOOK_SECRET`). Never logged.
    pub webhook_secret: Option<String>,
    /// More webhook endpoints, each with its secrets and the events it wants (`[[webhooks]]`
    /// in `offerte.toml`).
    pub webhooks: Vec<WebhookSettings>,
    /// The SMTP relay quotes are e-mailed through (`OFFERTE_SMTP_URL`): `smtp://host:port` (a
    /// plain relay, e.g. a local MTA on loopback), `smtp://user:pass@host:587?tls=starttls`, or
    /// `smtps://user:pass@host:465`. None: quotes are not e-mailed (`send` answers 409).
    pub smtp_url: Option<String>,
    /// A PEM file of certificate authorities the relay's certificate may also chain to
    /// (`OFFERTE_SMTP_CA_FILE`), for an internal relay signed by the bureau's own CA; the public
    /// roots stay trusted. Only with a TLS `smtp_url`.
    pub smtp_ca_file: Option<PathBuf>,
    /// The sender of e-mails (`OFFERTE_MAIL_FROM`); default the catalog bureau's e-mail address.
    pub mail_from: Option<String>,
    /// The base of links in e-mails (`OFFERTE_PUBLIC_URL`), e.g. `https://offerte.bureau.nl`;
    /// default `http://` and the bind address.
    pub public_url: Option<String>,
    /// Days before a sent quote's validity ends that one reminder goes out, if it is still
    /// unanswered (`OFFERTE_REMINDER_DAYS`); 0: no reminders.
    pub reminder_days: u32,
}

/// A URL with its password (the part between `:` and `@` after the scheme) masked.
fn masked_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database_url", &masked_url(&self.database_url))
            .field("pricing_dir", &self.pricing_dir)
            .field("templates_dir", &self.templates_dir)
            .field("cors_origins", &self.cors_origins)
            .field("body_limit", &self.body_limit)
            .field("api_keys", &format_args!("{} key(s)", self.api_keys.len()))
            .field("number_prefix", &self.number_prefix)
            .field("log_format", &self.log_format)
            .field("sweep_seconds", &self.sweep_seconds)
            .field("request_retention_days", &self.request_retention_days)
            .field("rate_limit_burst", &self.rate_limit_burst)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("webhook_url", &self.webhook_url.as_deref().map(display_url))
            .field("webhook_secret", &secret(&self.webhook_secret))
            .field("webhooks", &self.webhooks)
            .field("smtp_url", &self.smtp_url.as_deref().map(masked_url))
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("reminder_days", &self.reminder_days)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/offerte.db".into(),
            pricing_dir: "pricing".into(),
            templates_dir: "templates".into(),
            cors_origins: Vec::new(),
            body_limit: 64 * 1024,
            api_keys: Vec::new(),
            number_prefix: "OFF".into(),
            log_format: LogFormat::Text,
            sweep_seconds: 3600,
            request_retention_days: 180,
            rate_limit_burst: 20,
            rate_limit_per_minute: 10,
            webhook_url: None,
            webhook_secret: None,
            webhooks: Vec::new(),
            smtp_url: None,
            smtp_ca_file: None,
            mail_from: None,
            public_url: None,
            reminder_days: 7,
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub pricing_dir: Option<PathBuf>,
}

/// Environment variables the service reads besides the settings (they are not reported).
const OTHER_VARIABLES: &[&str] = &["OFFERTE_CONFIG", "OFFERTE_LOG"];

impl Settings {
    /// Loads the layers. `file` is the config file to read (an explicit one must exist;
    /// `offerte.toml` in the working folder is read when present). Returns the settings and
    /// any warnings (unknown environment variables).
    pub fn load(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
        overrides: &Overrides,
    ) -> Result<(Settings, Vec<String>)> {
        let mut settings = match file {
            Some(path) => Self::from_file(path)?,
            None if Path::new("offerte.toml").is_file() => {
                Self::from_file(Path::new("offerte.toml"))?
            }
            None => Settings::default(),
        };
        let warnings = settings.apply_env(env)?;
        if let Some(bind) = &overrides.bind {
            settings.bind.clone_from(bind);
        }
        if let Some(url) = &overrides.database_url {
            settings.database_url.clone_from(url);
        }
        if let Some(dir) = &overrides.pricing_dir {
            settings.pricing_dir.clone_from(dir);
        }
        settings.keys()?;
        settings.check()?;
        settings.webhook_endpoints()?;
        Ok((settings, warnings))
    }

    fn from_file(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        let deserializer = toml::Deserializer::parse(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            anyhow::anyhow!("{}: {}: {}", path.display(), e.path(), e.inner().message())
        })
    }

    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        let list = |v: &str| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        if let Some(url) = env.get("DATABASE_URL") {
            self.database_url.clone_from(url);
        }
        for (name, value) in env.iter().filter(|(k, _)| k.starts_with("OFFERTE_")) {
            match name.as_str() {
                "OFFERTE_BIND" => self.bind.clone_from(value),
                "OFFERTE_DATABASE_URL" => self.database_url.clone_from(value),
                "OFFERTE_PRICING_DIR" => self.pricing_dir = value.into(),
                "OFFERTE_TEMPLATES_DIR" => self.templates_dir = value.into(),
                "OFFERTE_CORS_ORIGINS" => self.cors_origins = list(value),
                "OFFERTE_BODY_LIMIT" => self.body_limit = number(name, value)?,
                "OFFERTE_API_KEYS" => self.api_keys = list(value),
                "OFFERTE_NUMBER_PREFIX" => self.number_prefix.clone_from(value),
                "OFFERTE_LOG_FORMAT" => {
                    self.log_format = match value.as_str() {
                        "json" => LogFormat::Json,
                        "text" => LogFormat::Text,
                        other => bail!("{name}: `{other}` is not a log format (text or json)"),
                    }
                }
                "OFFERTE_SWEEP_SECONDS" => self.sweep_seconds = number(name, value)?,
                "OFFERTE_REQUEST_RETENTION_DAYS" => {
                    self.request_retention_days = number(name, value)?
                }
                "OFFERTE_RATE_LIMIT_BURST" => self.rate_limit_burst = number(name, value)?,
                "OFFERTE_RATE_LIMIT_PER_MINUTE" => {
                    self.rate_limit_per_minute = number(name, value)?
                }
                "OFFERTE_WEBHOOK_URL" => self.webhook_url = Some(value.clone()),
                "OFFERTE_WEBHOOK_SECRET" => self.webhook_secret = Some(value.clone()),
                "OFFERTE_SMTP_URL" => self.smtp_url = Some(value.clone()),
                "OFFERTE_SMTP_CA_FILE" => self.smtp_ca_file = Some(value.into()),
                "OFFERTE_MAIL_FROM" => self.mail_from = Some(value.clone()),
                "OFFERTE_PUBLIC_URL" => self.public_url = Some(value.clone()),
                "OFFERTE_REMINDER_DAYS" => self.reminder_days = number(name, value)?,
                other if OTHER_VARIABLES.contains(&other) || other.starts_with("OFFERTE_TEST_") => {
                }
                other => warnings.push(format!("unknown configuration variable {other} (ignored)")),
            }
        }
        Ok(warnings)
    }

    /// Values that parse but cannot work.
    pub fn check(&self) -> Result<()> {
        if self.rate_limit_burst == 0 {
            bail!("rate_limit_burst must be at least 1");
        }
        if !(1..=60_000).contains(&self.rate_limit_per_minute) {
            bail!("rate_limit_per_minute must be from 1 to 60000");
        }
        if self.smtp_ca_file.is_some() && self.smtp_url.is_none() {
            bail!("smtp_ca_file is set but smtp_url is not: set both, or neither");
        }
        Ok(())
    }

    /// The base of links in e-mails, without a trailing slash.
    pub fn public_base(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// The configured API keys, parsed.
    pub fn keys(&self) -> Result<Vec<ApiKey>> {
        self.api_keys
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                ApiKey::parse(entry).map_err(|e| anyhow::anyhow!("api_keys[{i}]: {e}"))
            })
            .collect()
    }
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T> {
    value
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{name}: `{value}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn debug_prints_no_secret() {
        let settings = Settings {
            database_url: "postgres://offerte:hunter2@db.example/offerte".into(),
            webhook_url: Some("https://crm.example/hook".into()),
            webhook_secret: Some("s3cr3t-value".into()),
            webhooks: vec![WebhookSettings {
                url: "https://hook:pw-in-url@erp.example/in?token=tok-in-query".into(),
                secret: Some(SECRET.into()),
                secrets: vec!["whsec_second-secret".into()],
                events: vec!["quote.*".into()],
            }],
            smtp_url: Some("smtps://mailer:pa55word@smtp.example:465".into()),
            api_keys: vec![format!("sales:{}", "ab".repeat(32))],
            ..Settings::default()
        };
        let printed = format!("{settings:?}");
        for secret in [
            "hunter2",
            "s3cr3t-value",
            "abab",
            "pa55word",
            "MfKQ9r8",
            "second-secret",
            "pw-in-url",
            "tok-in-query",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(
            printed.contains("postgres://offerte:***@db.example/offerte"),
            "{printed}"
        );
        assert_eq!(
            masked_url("sqlite://data/offerte.db"),
            "sqlite://data/offerte.db"
        );
    }

    /// An environment of these variables (also for the webhook settings' tests).
    pub(super) fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        std::fs::write(
            &file,
            "bind = \"0.0.0.0:9000\"\nnumber_prefix = \"WP\"\nbody_limit = 1000\n",
        )
        .unwrap();
        let (s, warnings) = Settings::load(
            Some(&file),
            &env(&[
                ("OFFERTE_BODY_LIMIT", "2000"),
                (
                    "OFFERTE_CORS_ORIGINS",
                    "https://a.example, https://b.example",
                ),
            ]),
            &Overrides {
                bind: Some("127.0.0.1:1".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert!(warnings.is_empty());
        assert_eq!(s.bind, "127.0.0.1:1", "flag beats file");
        assert_eq!(s.number_prefix, "WP", "file beats default");
        assert_eq!(s.body_limit, 2000, "environment beats file");
        assert_eq!(
            s.cors_origins,
            vec!["https://a.example", "https://b.example"]
        );
        assert_eq!(s.database_url, "sqlite://data/offerte.db", "default stays");
    }

    #[test]
    fn request_settings_have_defaults_and_layers() {
        let (s, _) = Settings::load(None, &env(&[]), &Overrides::default()).unwrap();
        assert_eq!(s.request_retention_days, 180);
        assert_eq!(s.rate_limit_burst, 20);
        assert_eq!(s.rate_limit_per_minute, 10);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        std::fs::write(
            &file,
            "request_retention_days = 30\nrate_limit_burst = 5\nrate_limit_per_minute = 2\n",
        )
        .unwrap();
        let (s, warnings) = Settings::load(
            Some(&file),
            &env(&[("OFFERTE_REQUEST_RETENTION_DAYS", "90")]),
            &Overrides::default(),
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.request_retention_days, 90, "environment beats file");
        assert_eq!((s.rate_limit_burst, s.rate_limit_per_minute), (5, 2));
        for bad in [
            ("OFFERTE_REQUEST_RETENTION_DAYS", "-1"),
            ("OFFERTE_RATE_LIMIT_BURST", "0"),
            ("OFFERTE_RATE_LIMIT_PER_MINUTE", "0"),
        ] {
            assert!(
                Settings::load(None, &env(&[bad]), &Overrides::default()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        std::fs::write(&file, "bnd = \"x\"\n").unwrap();
        let error = Settings::load(Some(&file), &env(&[]), &Overrides::default()).unwrap_err();
        assert!(error.to_string().contains("bnd"), "{error}");
        let (_, warnings) =
            Settings::load(None, &env(&[("OFFERTE_BIDN", "x")]), &Overrides::default()).unwrap();
        assert_eq!(
            warnings,
            vec!["unknown configuration variable OFFERTE_BIDN (ignored)"]
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(
            Settings::load(
                None,
                &env(&[("OFFERTE_BODY_LIMIT", "lots")]),
                &Overrides::default()
            )
            .is_err()
        );
        assert!(
            Settings::load(
                None,
                &env(&[("OFFERTE_API_KEYS", "boss:00")]),
                &Overrides::default()
            )
            .is_err()
        );
        assert!(
            Settings::load(
                None,
                &env(&[("OFFERTE_LOG_FORMAT", "xml")]),
                &Overrides::default()
            )
            .is_err()
        );
    }
}
