//! The SMTP relay from one URL (`OFFERTE_SMTP_URL`), as a lettre transport. These forms are
//! accepted (the user and password percent-encoded):
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

use std::time::Duration;

use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use reqwest::Url;

/// How long one SMTP command may take (lettre's default is a minute).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

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

/// The transport for `url` (see the module docs), trusting `ca_pem`'s certificates besides the
/// public roots, and the relay as `host:port (mode)` without credentials, safe to log. An error
/// says what is wrong without repeating the URL, which may hold a password.
pub fn transport(
    url: &str,
    ca_pem: Option<&[u8]>,
) -> Result<(AsyncSmtpTransport<Tokio1Executor>, String), String> {
    let parsed = Url::parse(url.trim()).map_err(|e| format!("the SMTP URL is not a URL ({e})"))?;
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("the SMTP URL names no host")?
        .to_owned();
    let mode = mode(&parsed)?;
    // lettre's `from_url` reads the same URL; it knows STARTTLS as `tls=required`.
    let mut lettre_url = parsed.clone();
    lettre_url.set_query((mode == Mode::StartTls).then_some("tls=required"));
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(lettre_url.as_str())
        .map_err(|e| format!("the SMTP URL was refused by lettre ({e})"))?
        .timeout(Some(SMTP_TIMEOUT));
    if let Some(pem) = ca_pem {
        let parameters = trusting(&host, pem)?;
        builder = builder.tls(match mode {
            Mode::StartTls => Tls::Required(parameters),
            Mode::Implicit => Tls::Wrapper(parameters),
            Mode::Plain => {
                return Err(
                    "a CA file is for a TLS relay: use `?tls=starttls` or `smtps://`".into(),
                );
            }
        });
    }
    let port = parsed.port().unwrap_or(match mode {
        Mode::Plain => 25,
        Mode::StartTls => 587,
        Mode::Implicit => 465,
    });
    Ok((builder.build(), format!("{host}:{port} ({})", mode.name())))
}

/// The connection the URL asks for, or why it is refused.
fn mode(parsed: &Url) -> Result<Mode, String> {
    let mut tls = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "tls" if tls.is_none() => tls = Some(value.into_owned()),
            "tls" => return Err("the SMTP URL gives `tls` twice".into()),
            other => {
                return Err(format!(
                    "the SMTP URL has an unknown parameter `{other}` (only `tls=starttls` is known)"
                ));
            }
        }
    }
    let has_credentials = !parsed.username().is_empty() || parsed.password().is_some();
    match (parsed.scheme(), tls.as_deref()) {
        ("smtp", None) if has_credentials => Err(
            "the SMTP URL has credentials on a plain connection, which would send them in clear; \
             use `?tls=starttls` or `smtps://`"
                .into(),
        ),
        ("smtp", None) => Ok(Mode::Plain),
        ("smtp", Some("starttls" | "required")) => Ok(Mode::StartTls),
        ("smtp", Some("opportunistic")) => Err(
            "`tls=opportunistic` falls back to plain text when an attacker strips STARTTLS; use \
             `tls=starttls`"
                .into(),
        ),
        ("smtp", Some(other)) => Err(format!(
            "the SMTP URL has `tls={other}`; the one value known is `tls=starttls`"
        )),
        ("smtps", None) => Ok(Mode::Implicit),
        ("smtps", Some(_)) => {
            Err("`smtps://` is TLS from the start; drop the `tls` parameter".into())
        }
        (scheme, _) => Err(format!(
            "the SMTP URL's scheme is `{scheme}`; use `smtp://` or `smtps://`"
        )),
    }
}

/// TLS to `host` that also trusts the certificates in `pem`.
fn trusting(host: &str, pem: &[u8]) -> Result<TlsParameters, String> {
    let holds_one =
        std::str::from_utf8(pem).is_ok_and(|t| t.contains("-----BEGIN CERTIFICATE-----"));
    if !holds_one {
        return Err("the CA file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`)".into());
    }
    let certificate = Certificate::from_pem(pem)
        .map_err(|e| format!("the CA file's certificates cannot be read ({e})"))?;
    TlsParameters::builder(host.to_owned())
        .add_root_certificate(certificate)
        .build_rustls()
        .map_err(|e| format!("TLS with the CA file cannot be set up ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn smtp_urls_in_the_documented_forms_are_accepted() {
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
            let (_, named) = transport(url, None).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(named, relay);
            assert!(!named.contains("pass"));
        }
    }

    #[tokio::test]
    async fn other_smtp_urls_are_refused_with_a_reason_and_no_password() {
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
            let Err(err) = transport(url, None) else {
                panic!("{url} was taken")
            };
            assert!(err.contains(reason), "{url}: {err}");
            assert!(!err.contains("secret"), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn a_ca_file_needs_tls_and_a_certificate() {
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
            let Err(err) = transport(url, Some(pem.as_bytes())) else {
                panic!("{url} with {pem:?} was taken")
            };
            assert!(err.contains(reason), "{url}: {err}");
        }
    }
}
