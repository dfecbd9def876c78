//! Why the settings did not load. Each message names the setting (its key or variable); a
//! cause from elsewhere (a file, a parser, the webhook or SMTP checks) is kept as the source, so
//! printed with its causes (`{:#}`, as `offerte` does at start) it reads `key: what is wrong`.
//! No message repeats a secret.

use std::path::PathBuf;

use super::webhooks::WebhookError;
use crate::access::ApiKeyError;
use crate::archive::s3::S3UrlError;
use crate::delivery::relay::RelayError;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading config file {}", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML. The parser's short message is shown (its `Display` would add a
    /// snippet of the file), so it is not the source. (Boxed, as below: it is large.)
    #[error("{}: {}", path.display(), error.message())]
    Syntax {
        path: PathBuf,
        error: Box<toml::de::Error>,
    },
    /// A key the settings do not know, or a value of the wrong type, at `key`.
    #[error("{}: {key}: {}", path.display(), error.message())]
    Value {
        path: PathBuf,
        key: String,
        error: Box<toml::de::Error>,
    },
    #[error("{name}: `{value}` is not a number")]
    NotANumber {
        name: String,
        value: String,
        #[source]
        source: std::num::ParseIntError,
    },
    #[error("{name}: `{value}` is not true or false")]
    NotABoolean { name: String, value: String },
    #[error("{name}: `{value}` is not a log format (text or json)")]
    NotALogFormat { name: String, value: String },
    #[error("consent_link_days must be 1 to 365")]
    ConsentLinkDays,
    #[error("rate_limit_burst must be at least 1")]
    RateLimitBurst,
    #[error("rate_limit_per_minute must be from 1 to 60000")]
    RateLimitPerMinute,
    #[error("smtp_ca_file is set but smtp_url is not: set both, or neither")]
    CaFileWithoutSmtpUrl,
    #[error("api_keys[{index}]")]
    ApiKey {
        index: usize,
        #[source]
        source: ApiKeyError,
    },
    #[error("operator_keys[{index}]")]
    OperatorKey {
        index: usize,
        #[source]
        source: ApiKeyError,
    },
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("smtp_ca_file: reading {}", path.display())]
    ReadCaFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("smtp_url")]
    SmtpUrl(#[source] RelayError),
    #[error("document_store: `{value}` is neither `database` nor an `s3://BUCKET/PREFIX` URL")]
    DocumentStore { value: String },
    #[error("document_store")]
    DocumentStoreUrl(#[source] S3UrlError),
}
