//! The SMTP relay from one URL (`OFFERTE_SMTP_URL`): checked once, when the settings load
//! ([`Relay::parse`], no connection and no runtime needed), and made a lettre transport when the
//! mailer is made ([`Relay::transport`]). These forms are accepted (the user and password
//! percent-encoded):
//!
//! | URL                                               | connection                           |
//! | ------------------------------------------------- | ------------------------------------ |
//! | `smtp://host[:port]`                              | plain SMTP, no TLS (default port 25) |
//! | `smtp://[user:pass@]host[:port]?tls=starttls`     | STARTTLS, required (default 587)     |
//! | `smtps://[user:pass@]host[:port]`                 | implicit TLS (default 465)           |
//!
//! `?tls=required` is accepted as lettre's own name for `starttls`; a path (`smtp://host/name`)
//! is the name sent in `EHLO`, as lettre's `from_url` has it. Refused, with the reason:
//! credentials on a plain connection (they would cross the network in clear), lettre's
//! `tls=opportunistic` (a man in the middle can silently strip it), any other query parameter
//! (a typo must not quietly mean "no TLS"). Plain SMTP is meant for a relay on loopback or a
//! local MTA, and for the tests.
//!
//! A TLS relay's certificate must chain to a public root (webpki-roots) or, when a CA file is
//! given (`OFFERTE_SMTP_CA_FILE`), to one of its certificates: an internal relay signed by the
//! bureau's own CA. The host name in the URL is the name the certificate must carry.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use reqwest::Url;

/// How long one SMTP command may take (lettre's default is a minute).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a URL parser refused a URL (`url::ParseError`, named through reqwest's re-export).
type UrlError = <Url as std::str::FromStr>::Err;

/// How the relay is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    StartTls,
    Implicit,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::StartTls => "STARTTLS",
            Mode::Implicit => "implicit TLS",
        }
    }
}

/// Why an SMTP URL or CA file was refused. No variant holds the URL, which may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the SMTP URL is not a URL")]
    NotAUrl(#[source] UrlError),
    #[error("the SMTP URL names no host")]
    NoHost,
    #[error("the SMTP URL gives `tls` twice")]
    TlsTwice,
    #[error("the SMTP URL has an unknown parameter `{0}` (only `tls=starttls` is known)")]
    UnknownParameter(String),
    #[error(
        "the SMTP URL has credentials on a plain connection, which would send them in clear; \
         use `?tls=starttls` or `smtps://`"
    )]
    CredentialsInClear,
    #[error(
        "`tls=opportunistic` falls back to plain text when an attacker strips STARTTLS; use \
         `tls=starttls`"
    )]
    Opportunistic,
    #[error("the SMTP URL has `tls={0}`; the one value known is `tls=starttls`")]
    UnknownTls(String),
    #[error("`smtps://` is TLS from the start; drop the `tls` parameter")]
    TlsOnSmtps,
    #[error("the SMTP URL's scheme is `{0}`; use `smtp://` or `smtps://`")]
    Scheme(String),
    #[error("the SMTP URL was refused by lettre")]
    Lettre(#[source] lettre::transport::smtp::Error),
    #[error("a CA file is for a TLS relay: use `?tls=starttls` or `smtps://`")]
    CaFileWithoutTls,
    #[error("the CA file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)")]
    NoCertificate,
    #[error("the CA file's certificates cannot be read")]
    Certificates(#[source] lettre::transport::smtp::Error),
    #[error("TLS with the CA file cannot be set up")]
    Tls(#[source] lettre::transport::smtp::Error),
}

/// An SMTP relay, checked: the URL parsed, its form accepted, a CA file's certificates read. No
/// connection yet: [`Relay::transport`] makes the pool (inside a Tokio runtime). `Debug` shows
/// only `host:port (mode)`: the URL's credentials never show.
#[derive(Clone)]
pub struct Relay {
    builder: AsyncSmtpTransportBuilder,
    name: String,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Relay").field(&self.name).finish()
    }
}

impl Relay {
    /// The relay at `url` (see the module docs), trusting `ca_pem`'s certificates besides the
    /// public roots. An error says what is wrong without repeating the URL.
    pub fn parse(url: &str, ca_pem: Option<&[u8]>) -> Result<Relay, RelayError> {
        let parsed = Url::parse(url.trim()).map_err(RelayError::NotAUrl)?;
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(RelayError::NoHost)?
            .to_owned();
        let mode = mode(&parsed)?;
        // lettre's `from_url` reads the same URL; it knows STARTTLS as `tls=required`.
        let mut lettre_url = parsed.clone();
        lettre_url.set_query((mode == Mode::StartTls).then_some("tls=required"));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(lettre_url.as_str())
            .map_err(RelayError::Lettre)?
            .timeout(Some(SMTP_TIMEOUT));
        if let Some(pem) = ca_pem {
            let parameters = trusting(&host, pem)?;
            builder = builder.tls(match mode {
                Mode::StartTls => Tls::Required(parameters),
                Mode::Implicit => Tls::Wrapper(parameters),
                Mode::Plain => return Err(RelayError::CaFileWithoutTls),
            });
        }
        let port = parsed.port().unwrap_or(match mode {
            Mode::Plain => 25,
            Mode::StartTls => 587,
            Mode::Implicit => 465,
        });
        Ok(Relay {
            builder,
            name: format!("{host}:{port} ({})", mode.name()),
        })
    }

    /// The relay as `host:port (mode)`, without credentials: safe to log.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The transport (a connection pool). Call it inside a Tokio runtime: the pool starts a task
    /// there.
    pub fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        self.builder.clone().build()
    }
}

/// The connection the URL asks for, or why it is refused.
fn mode(parsed: &Url) -> Result<Mode, RelayError> {
    let mut tls = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "tls" if tls.is_none() => tls = Some(value.into_owned()),
            "tls" => return Err(RelayError::TlsTwice),
            other => return Err(RelayError::UnknownParameter(other.to_owned())),
        }
    }
    let has_credentials = !parsed.username().is_empty() || parsed.password().is_some();
    match (parsed.scheme(), tls.as_deref()) {
        ("smtp", None) if has_credentials => Err(RelayError::CredentialsInClear),
        ("smtp", None) => Ok(Mode::Plain),
        ("smtp", Some("starttls" | "required")) => Ok(Mode::StartTls),
        ("smtp", Some("opportunistic")) => Err(RelayError::Opportunistic),
        ("smtp", Some(other)) => Err(RelayError::UnknownTls(other.to_owned())),
        ("smtps", None) => Ok(Mode::Implicit),
        ("smtps", Some(_)) => Err(RelayError::TlsOnSmtps),
        (scheme, _) => Err(RelayError::Scheme(scheme.to_owned())),
    }
}

/// TLS to `host` that also trusts the certificates in `pem`.
fn trusting(host: &str, pem: &[u8]) -> Result<TlsParameters, RelayError> {
    let holds_one =
        std::str::from_utf8(pem).is_ok_and(|t| t.contains("-----BEGIN CERTIFICATE-----"));
    if !holds_one {
        return Err(RelayError::NoCertificate);
    }
    let certificate = Certificate::from_pem(pem).map_err(RelayError::Certificates)?;
    TlsParameters::builder(host.to_owned())
        .add_root_certificate(certificate)
        .build_rustls()
        .map_err(RelayError::Tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_in_the_documented_forms_are_accepted() {
        let cases = [
            ("smtp://127.0.0.1:2525", "127.0.0.1:2525 (plain)"),
            ("smtp://localhost", "localhost:25 (plain)"),
            (
                "smtp://user:p%40ss@mail.example:587?tls=starttls",
                "mail.example:587 (STARTTLS)",
            ),
            (
                "smtp://u:p@mail.example?tls=required",
                "mail.example:587 (STARTTLS)",
            ),
            (
                "smtps://user:pass@mail.example",
                "mail.example:465 (implicit TLS)",
            ),
            (
                "smtps://mail.example:2465/bureau.example",
                "mail.example:2465 (implicit TLS)",
            ),
        ];
        for (url, relay) in cases {
            let named = Relay::parse(url, None).unwrap_or_else(|e| panic!("{url}: {e}"));
            let named = named.name();
            assert_eq!(named, relay);
            assert!(!named.contains("pass"));
        }
    }

    #[test]
    fn other_smtp_urls_are_refused_with_a_reason_and_no_password() {
        let cases = [
            ("smtp://user:secret@mail.example:25", "in clear"),
            ("smtp://mail.example?tls=opportunistic", "opportunistic"),
            ("smtp://mail.example?tls=startls", "tls=startls"),
            (
                "smtp://mail.example?tsl=starttls",
                "unknown parameter `tsl`",
            ),
            ("smtps://mail.example?tls=starttls", "drop the `tls`"),
            ("http://user:secret@mail.example", "scheme is `http`"),
            ("mail.example", "not a URL"),
            ("smtp://", "no host"),
        ];
        for (url, reason) in cases {
            let Err(err) = Relay::parse(url, None) else {
                panic!("{url} was taken")
            };
            let err = err.to_string();
            assert!(err.contains(reason), "{url}: {err}");
            assert!(!err.contains("secret"), "{url}: {err}");
        }
    }

    #[test]
    fn a_ca_file_needs_tls_and_a_certificate() {
        let ca = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
        for (url, pem, reason) in [
            ("smtp://127.0.0.1:2525", "", "holds no PEM certificate"),
            (
                "smtp://127.0.0.1:2525?tls=starttls",
                "hello",
                "holds no PEM certificate",
            ),
            ("smtp://127.0.0.1:2525?tls=starttls", ca, "cannot be read"),
        ] {
            let Err(err) = Relay::parse(url, Some(pem.as_bytes())) else {
                panic!("{url} with {pem:?} was taken")
            };
            let err = err.to_string();
            assert!(err.contains(reason), "{url}: {err}");
        }
    }
}
