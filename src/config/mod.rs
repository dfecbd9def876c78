//! Settings in two layers. [`RawSettings`] is what is given: built-in defaults, then an optional
//! `offerte.toml`, then `OFFERTE_`-prefixed environment variables (and `DATABASE_URL`), then
//! command-line flags. Unknown keys in the file are an error; unknown `OFFERTE_` variables are
//! reported. [`Settings`] is what the service uses: the raw settings parsed once, when they load
//! (API keys, webhook endpoints, the SMTP relay and its CA file, the public URL), so a mistake
//! stops the start with its reason and nothing parses a setting again.
//!
//! A setting is added in one place, the table below (and in docs/configuration.md).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::access::ApiKey;
use crate::delivery::relay::Relay;

mod database;
mod document_store;
mod error;
mod table;
mod webhooks;
pub use database::DatabaseUrl;
pub use document_store::DocumentStore;
pub use error::ConfigError;
pub use webhooks::{WebhookEndpoint, WebhookError, WebhookSettings, WebhookUrl};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

impl table::FromEnv for LogFormat {
    fn from_env(name: &str, value: &str) -> Result<Self, ConfigError> {
        match value {
            "json" => Ok(LogFormat::Json),
            "text" => Ok(LogFormat::Text),
            other => Err(ConfigError::NotALogFormat {
                name: name.to_owned(),
                value: other.to_owned(),
            }),
        }
    }
}

table::settings_table! {
    given {
        /// Address to listen on (`OFFERTE_BIND`).
        bind: String = "127.0.0.1:8080".into(), env "OFFERTE_BIND";
        /// `sqlite://path` or `postgres://...` (`DATABASE_URL` or `OFFERTE_DATABASE_URL`).
        database_url: String = "sqlite://data/offerte.db".into(), env "OFFERTE_DATABASE_URL"
            => parsed;
        /// The catalog folder (`OFFERTE_PRICING_DIR`).
        pricing_dir: PathBuf = "pricing".into(), env "OFFERTE_PRICING_DIR";
        /// The document templates folder (`OFFERTE_TEMPLATES_DIR`).
        templates_dir: PathBuf = "templates".into(), env "OFFERTE_TEMPLATES_DIR";
        /// Origins allowed to call the API from a browser (`OFFERTE_CORS_ORIGINS`,
        /// comma-separated).
        cors_origins: Vec<String> = Vec::new(), env "OFFERTE_CORS_ORIGINS";
        /// Largest accepted request body in bytes (`OFFERTE_BODY_LIMIT`).
        body_limit: usize = 64 * 1024, env "OFFERTE_BODY_LIMIT";
        /// API keys as `role:sha256hex` (`OFFERTE_API_KEYS`, comma-separated).
        api_keys: Vec<String> = Vec::new(), env "OFFERTE_API_KEYS" => parsed;
        /// Operator keys as `operator:sha256hex` (`OFFERTE_OPERATOR_KEYS`, comma-separated):
        /// they manage the bureaus of the deployment and read no bureau's quotes.
        operator_keys: Vec<String> = Vec::new(), env "OFFERTE_OPERATOR_KEYS" => parsed;
        /// Webhook endpoints that bureaus set through the API may be on loopback, private,
        /// link-local or metadata addresses (`OFFERTE_WEBHOOK_ALLOW_PRIVATE_NETWORKS`); off,
        /// they are refused when saved and when connecting. For tests and closed networks.
        webhook_allow_private_networks: bool = false, env "OFFERTE_WEBHOOK_ALLOW_PRIVATE_NETWORKS";
        /// Prefix of quote numbers (`OFFERTE_NUMBER_PREFIX`).
        number_prefix: String = "OFF".into(), env "OFFERTE_NUMBER_PREFIX";
        /// `text` or `json` (`OFFERTE_LOG_FORMAT`).
        log_format: LogFormat = LogFormat::Text, env "OFFERTE_LOG_FORMAT";
        /// Seconds between sweeps that expire quotes past their validity, queue reminders and
        /// delete old quote requests (`OFFERTE_SWEEP_SECONDS`).
        sweep_seconds: u64 = 3600, env "OFFERTE_SWEEP_SECONDS";
        /// Days a quote request not turned into a quote is kept before the sweep deletes it
        /// (`OFFERTE_REQUEST_RETENTION_DAYS`).
        request_retention_days: u32 = 180, env "OFFERTE_REQUEST_RETENTION_DAYS";
        /// Requests one client may send to the public form at once before the limit applies
        /// (`OFFERTE_RATE_LIMIT_BURST`); at least 1.
        rate_limit_burst: u32 = 20, env "OFFERTE_RATE_LIMIT_BURST";
        /// Requests per minute one client may send to the public form after the burst
        /// (`OFFERTE_RATE_LIMIT_PER_MINUTE`); 1 to 60000.
        rate_limit_per_minute: u32 = 10, env "OFFERTE_RATE_LIMIT_PER_MINUTE";
        /// A webhook endpoint that receives every event, signed to the Standard Webhooks spec
        /// (`OFFERTE_WEBHOOK_URL`); none by default. More endpoints: `webhooks`.
        webhook_url: Option<String> = None, env "OFFERTE_WEBHOOK_URL" => parsed;
        /// Its signing secret in the spec's `whsec_<base64>` form; two, comma-separated, while the
        /// receiver rotates (`OFFERTE_WEBHOOK_SECRET`).
        webhook_secret: Option<String> = None, env "OFFERTE_WEBHOOK_SECRET" => parsed;
        /// More webhook endpoints, each with its secrets and the events it wants (`[[webhooks]]`
        /// in `offerte.toml`).
        webhooks: Vec<WebhookSettings> = Vec::new() => parsed;
        /// The SMTP relay quotes are e-mailed through (`OFFERTE_SMTP_URL`): `smtp://host:port` (a
        /// plain relay, e.g. a local MTA on loopback), `smtp://user:pass@host:587?tls=starttls`, or
        /// `smtps://user:pass@host:465`. None: quotes are not e-mailed (`send` answers 409).
        smtp_url: Option<String> = None, env "OFFERTE_SMTP_URL" => parsed;
        /// A PEM file of certificate authorities the relay's certificate may also chain to
        /// (`OFFERTE_SMTP_CA_FILE`), for an internal relay signed by the bureau's own CA; the
        /// public roots stay trusted. Only with a TLS `smtp_url`.
        smtp_ca_file: Option<PathBuf> = None, env "OFFERTE_SMTP_CA_FILE" => parsed;
        /// The sender of e-mails (`OFFERTE_MAIL_FROM`); default the catalog bureau's e-mail
        /// address.
        mail_from: Option<String> = None, env "OFFERTE_MAIL_FROM";
        /// The base of links in e-mails (`OFFERTE_PUBLIC_URL`), e.g. `https://offerte.bureau.nl`;
        /// default `http://` and the bind address.
        public_url: Option<String> = None, env "OFFERTE_PUBLIC_URL" => parsed;
        /// Days before a sent quote's validity ends that one reminder goes out, if it is still
        /// unanswered (`OFFERTE_REMINDER_DAYS`); 0: no reminders.
        reminder_days: u32 = 7, env "OFFERTE_REMINDER_DAYS";
        /// Days a link for the employee's consent works (`OFFERTE_CONSENT_LINK_DAYS`), 1 to
        /// 365.
        consent_link_days: u32 = 30, env "OFFERTE_CONSENT_LINK_DAYS";
        /// Where the archive keeps the documents sent (`OFFERTE_DOCUMENT_STORE`): `database`
        /// (the quote database) or `s3://BUCKET/PREFIX?endpoint=URL&region=REGION`, an
        /// S3-compatible object store, with credentials from the AWS environment variables.
        document_store: String = document_store::DATABASE.into(), env "OFFERTE_DOCUMENT_STORE"
            => parsed;
    }
    parsed from raw {
        /// The database; `Debug` masks its password.
        database_url: DatabaseUrl = DatabaseUrl::from(raw.database_url.clone());
        /// The API keys (from `api_keys`).
        api_keys: Vec<ApiKey> = api_keys(raw)?;
        /// The operator keys (from `operator_keys`).
        operator_keys: Vec<ApiKey> = operator_keys(raw)?;
        /// The webhook endpoints: `webhook_url` with `webhook_secret`, then `webhooks`.
        webhooks: Vec<WebhookEndpoint> = webhooks::endpoints(raw)?;
        /// The SMTP relay (`smtp_url`, trusting `smtp_ca_file`, read now); none: no e-mail.
        smtp: Option<Relay> = smtp(raw)?;
        /// The base of links in e-mails, without a trailing slash: `public_url`, or `http://`
        /// and `bind`.
        public_url: String = public_base(raw);
        /// Where the archived documents live (from `document_store`).
        document_store: DocumentStore = DocumentStore::parse(&raw.document_store)?;
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub pricing_dir: Option<PathBuf>,
    pub document_store: Option<String>,
}

/// Environment variables the service reads besides the settings (they are not reported).
const OTHER_VARIABLES: &[&str] = &["OFFERTE_CONFIG", "OFFERTE_LOG"];

impl Settings {
    /// Loads the layers ([`RawSettings::load`]) and parses them ([`Settings::from_raw`]).
    /// Returns the settings and any warnings (unknown environment variables).
    pub fn load(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
        overrides: &Overrides,
    ) -> Result<(Settings, Vec<String>), ConfigError> {
        let (raw, warnings) = RawSettings::load(file, env, overrides)?;
        Ok((Settings::from_raw(raw)?, warnings))
    }
}

impl RawSettings {
    /// Loads the layers. `file` is the config file to read (an explicit one must exist;
    /// `offerte.toml` in the working folder is read when present). Returns the settings as
    /// given, unchecked, and any warnings (unknown environment variables).
    pub fn load(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
        overrides: &Overrides,
    ) -> Result<(RawSettings, Vec<String>), ConfigError> {
        let mut raw = match file {
            Some(path) => Self::from_file(path)?,
            None if Path::new("offerte.toml").is_file() => {
                Self::from_file(Path::new("offerte.toml"))?
            }
            None => RawSettings::default(),
        };
        let warnings = raw.apply_env(env)?;
        if let Some(bind) = &overrides.bind {
            raw.bind.clone_from(bind);
        }
        if let Some(url) = &overrides.database_url {
            raw.database_url.clone_from(url);
        }
        if let Some(dir) = &overrides.pricing_dir {
            raw.pricing_dir.clone_from(dir);
        }
        if let Some(store) = &overrides.document_store {
            raw.document_store.clone_from(store);
        }
        Ok((raw, warnings))
    }

    fn from_file(path: &Path) -> Result<RawSettings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        let deserializer =
            toml::Deserializer::parse(&text).map_err(|error| ConfigError::Syntax {
                path: path.to_owned(),
                error: Box::new(error),
            })?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| ConfigError::Value {
            path: path.to_owned(),
            key: e.path().to_string(),
            error: Box::new(e.into_inner()),
        })
    }

    /// `DATABASE_URL`, then every `OFFERTE_` variable in name order (so `OFFERTE_DATABASE_URL`
    /// beats `DATABASE_URL`); the unknown ones are the warnings.
    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<Vec<String>, ConfigError> {
        if let Some(url) = env.get("DATABASE_URL") {
            self.database_url.clone_from(url);
        }
        let mut warnings = Vec::new();
        for (name, value) in env.iter().filter(|(k, _)| k.starts_with("OFFERTE_")) {
            let known = self.apply_variable(name, value)?
                || OTHER_VARIABLES.contains(&name.as_str())
                || name.starts_with("OFFERTE_TEST_");
            if !known {
                warnings.push(format!("unknown configuration variable {name} (ignored)"));
            }
        }
        Ok(warnings)
    }

    /// Values that parse but cannot work.
    fn check(&self) -> Result<(), ConfigError> {
        if self.rate_limit_burst == 0 {
            return Err(ConfigError::RateLimitBurst);
        }
        if !(1..=60_000).contains(&self.rate_limit_per_minute) {
            return Err(ConfigError::RateLimitPerMinute);
        }
        if !(1..=365).contains(&self.consent_link_days) {
            return Err(ConfigError::ConsentLinkDays);
        }
        if self.smtp_ca_file.is_some() && self.smtp_url.is_none() {
            return Err(ConfigError::CaFileWithoutSmtpUrl);
        }
        Ok(())
    }
}

/// The configured API keys, parsed.
fn api_keys(raw: &RawSettings) -> Result<Vec<ApiKey>, ConfigError> {
    raw.api_keys
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            ApiKey::parse(entry).map_err(|source| ConfigError::ApiKey { index, source })
        })
        .collect()
}

/// The configured operator keys, parsed.
fn operator_keys(raw: &RawSettings) -> Result<Vec<ApiKey>, ConfigError> {
    raw.operator_keys
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            ApiKey::parse_operator(entry)
                .map_err(|source| ConfigError::OperatorKey { index, source })
        })
        .collect()
}

/// The SMTP relay, checked, with the CA file read; `None` without `smtp_url`.
fn smtp(raw: &RawSettings) -> Result<Option<Relay>, ConfigError> {
    let Some(url) = raw.smtp_url.as_deref() else {
        return Ok(None);
    };
    let ca = match &raw.smtp_ca_file {
        Some(path) => Some(
            std::fs::read(path).map_err(|source| ConfigError::ReadCaFile {
                path: path.clone(),
                source,
            })?,
        ),
        None => None,
    };
    Relay::parse(url, ca.as_deref())
        .map(Some)
        .map_err(ConfigError::SmtpUrl)
}

/// The base of links in e-mails, without a trailing slash.
fn public_base(raw: &RawSettings) -> String {
    raw.public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", raw.bind))
        .trim_end_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::database::masked_url;
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn debug_prints_no_secret() {
        let raw = RawSettings {
            database_url: "postgres://offerte:hunter2@db.example/offerte".into(),
            webhook_url: Some("https://crm.example/hook".into()),
            webhook_secret: Some("whsec_s3cr3tVALUEs3cr3tVALUEs3cr3tVALU".into()),
            webhooks: vec![WebhookSettings {
                url: "https://hook:pw-in-url@erp.example/in?token=tok-in-query".into(),
                secret: Some(SECRET.into()),
                secrets: vec!["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".into()],
                events: vec!["quote.*".into()],
            }],
            smtp_url: Some("smtps://mailer:pa55word@smtp.example:465".into()),
            api_keys: vec![format!("sales:{}", "ab".repeat(32))],
            ..RawSettings::default()
        };
        let settings = Settings::from_raw(raw).unwrap();
        let printed = format!("{settings:?}");
        for secret in [
            "hunter2",
            "s3cr3t-value",
            "s3cr3tVALUE",
            "abab",
            "pa55word",
            "MfKQ9r8",
            "second-secret",
            "C2FVsBQ",
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

    /// The documentation's check enumerates the file's keys this way.
    #[test]
    fn the_raw_defaults_serialise_with_every_key() {
        let value = serde_json::to_value(RawSettings::default()).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 25, "{keys:?}");
        for key in [
            "bind",
            "database_url",
            "api_keys",
            "webhooks",
            "smtp_ca_file",
            "document_store",
        ] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
    }

    /// An error with its causes, as `offerte` prints it at start.
    pub(super) fn with_causes(error: ConfigError) -> String {
        format!("{:#}", anyhow::Error::new(error))
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
