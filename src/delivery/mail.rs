//! E-mail through an SMTP relay (`lettre`, tokio, rustls).
//!
//! [`Mailer::new`] takes a checked [`Relay`] (the settings hold one); [`Mailer::from_url`] takes
//! the relay as one URL (`OFFERTE_SMTP_URL`, the forms in [`super::relay`]), and a CA file's
//! certificates to trust besides the public roots.
//!
//! [`Mailer::send`] sends one [`Mail`] and says whether a failure is worth retrying
//! ([`MailError::Transient`]) or not ([`MailError::Permanent`]).

use std::fmt;

use lettre::message::header::ContentType;
use lettre::message::{Attachment as Part, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::relay::{Relay, RelayError};

/// A connection (pool) to one SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    relay: String,
}

/// One e-mail: text and HTML as alternatives, then the attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `address` or `Display Name <address>`; also the envelope sender.
    pub from: String,
    /// At least one.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// `<unique@domain>` (the angle brackets may be left off). Give the same id on every retry
    /// of one mail, so a duplicate delivery is recognisable; `None`: lettre makes one.
    pub message_id: Option<String>,
}

/// A file attached to a [`Mail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// A MIME type, such as `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why a mail was not sent, and whether trying again later may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Try again later: the relay answered 4xx, or could not be reached, timed out, or failed
    /// TLS (a relay's certificate or a network can be fixed while the outbox waits).
    #[error("transient: {0}")]
    Transient(String),
    /// Trying again will not help: the relay answered 5xx (such as an unknown recipient), or
    /// the mail itself is wrong (an address that is none, no recipient).
    #[error("permanent: {0}")]
    Permanent(String),
}

impl MailError {
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transient(_))
    }
}

/// Why a mailer could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("the mailer must be made inside a Tokio runtime (its pool runs there)")]
    NoRuntime(#[source] tokio::runtime::TryCurrentError),
    /// The relay's URL or CA file was refused (only from [`Mailer::from_url`] and
    /// [`Mailer::from_url_trusting`]; a [`Relay`] is checked already).
    #[error(transparent)]
    Relay(#[from] RelayError),
}

impl Mailer {
    /// A mailer for a checked relay. Connects only when sending. Call it inside a Tokio runtime:
    /// the connection pool starts a task there (outside one it is an error, not a panic).
    pub fn new(relay: &Relay) -> Result<Mailer, MailerError> {
        tokio::runtime::Handle::try_current().map_err(MailerError::NoRuntime)?;
        Ok(Mailer {
            transport: relay.transport(),
            relay: relay.name().to_owned(),
        })
    }

    /// A mailer for the relay at `url` (the forms in [`super::relay`]). The error never repeats
    /// the URL, which may hold a password. Inside a Tokio runtime, as [`Mailer::new`].
    pub fn from_url(url: &str) -> Result<Mailer, MailerError> {
        Mailer::from_url_trusting(url, None)
    }

    /// As [`Mailer::from_url`], the relay's certificate may also chain to a certificate
    /// authority in `ca_pem` (PEM, one or more certificates): a bureau's own CA for an internal
    /// relay. The public roots stay trusted.
    pub fn from_url_trusting(url: &str, ca_pem: Option<&[u8]>) -> Result<Mailer, MailerError> {
        Mailer::new(&Relay::parse(url, ca_pem)?)
    }

    /// The relay as `host:port (mode)`, without credentials: safe to log.
    pub fn relay(&self) -> &str {
        &self.relay
    }

    /// Sends one mail to its `to` and `cc` recipients.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = mail.to_message()?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("relay", &self.relay)
            .finish()
    }
}

/// Only a 5xx answer is final; anything else (4xx, no connection, a timeout, TLS) may pass.
fn classify(e: lettre::transport::smtp::Error) -> MailError {
    if e.is_permanent() {
        MailError::Permanent(format!("the relay refused the mail: {e}"))
    } else {
        MailError::Transient(format!("the relay did not take the mail: {e}"))
    }
}

impl Mail {
    /// The RFC 5322 message: `multipart/alternative` (text, HTML), inside `multipart/mixed`
    /// with the attachments when there are any. A bad address or content type is a
    /// [`MailError::Permanent`] naming the field (not the address: no personal data in logs).
    pub fn to_message(&self) -> Result<Message, MailError> {
        if self.to.is_empty() {
            return Err(MailError::Permanent("the mail has no `to` address".into()));
        }
        let mut builder = Message::builder()
            .from(mailbox("from", &self.from)?)
            .subject(one_line(&self.subject))
            .message_id(self.message_id.as_deref().map(message_id).transpose()?);
        for (i, to) in self.to.iter().enumerate() {
            builder = builder.to(mailbox(&format!("to[{i}]"), to)?);
        }
        for (i, cc) in self.cc.iter().enumerate() {
            builder = builder.cc(mailbox(&format!("cc[{i}]"), cc)?);
        }
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(mailbox("reply_to", reply_to)?);
        }
        let alternative = MultiPart::alternative_plain_html(self.text.clone(), self.html.clone());
        let body = if self.attachments.is_empty() {
            alternative
        } else {
            let mut mixed = MultiPart::mixed().multipart(alternative);
            for (i, a) in self.attachments.iter().enumerate() {
                mixed = mixed.singlepart(a.part(i)?);
            }
            mixed
        };
        builder
            .multipart(body)
            .map_err(|e| MailError::Permanent(format!("the mail cannot be built: {e}")))
    }
}

impl Attachment {
    fn part(&self, i: usize) -> Result<lettre::message::SinglePart, MailError> {
        if self.filename.trim().is_empty() || self.filename.chars().any(char::is_control) {
            return Err(MailError::Permanent(format!(
                "attachments[{i}] needs a file name without control characters"
            )));
        }
        let content_type = ContentType::parse(&self.content_type).map_err(|e| {
            MailError::Permanent(format!(
                "attachments[{i}] has content type `{}`, which is not a MIME type ({e})",
                self.content_type
            ))
        })?;
        Ok(Part::new(self.filename.clone()).body(self.bytes.clone(), content_type))
    }
}

fn mailbox(field: &str, text: &str) -> Result<Mailbox, MailError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::Permanent(format!("`{field}` is not an e-mail address ({e})")))
}

/// `<left@right>`, with the brackets added when missing; nothing that could break the header.
fn message_id(id: &str) -> Result<String, MailError> {
    let bare = id.trim();
    let bare = bare
        .strip_prefix('<')
        .and_then(|b| b.strip_suffix('>'))
        .unwrap_or(bare);
    let ok = bare
        .split_once('@')
        .is_some_and(|(l, r)| !l.is_empty() && !r.is_empty())
        && bare
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\' | ','));
    if ok {
        Ok(format!("<{bare}>"))
    } else {
        Err(MailError::Permanent(
            "`message_id` must look like `<unique@domain>` (printable ASCII, no spaces)".into(),
        ))
    }
}

/// A header is one line: control characters (a CR LF smuggling in a header) become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from: "Bureau Reïntegratie <offertes@bureau.example>".into(),
            to: vec!["hr@werkgever.example".into()],
            cc: vec!["Jan <jan@werkgever.example>".into()],
            reply_to: Some("verkoop@bureau.example".into()),
            subject: "Offerte OFF-2026-00042-2".into(),
            text: "Beste,\n\nIn de bijlage vindt u de offerte.\n".into(),
            html: "<p>Beste,</p><p>In de bijlage vindt u de offerte.</p>".into(),
            attachments: vec![Attachment {
                filename: "Offerte OFF-2026-00042-2.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7\n\x00\xff binary".to_vec(),
            }],
            message_id: Some("off-42-2.sent@bureau.example".into()),
        }
    }

    fn formatted(mail: &Mail) -> String {
        String::from_utf8(mail.to_message().unwrap().formatted()).unwrap()
    }

    #[test]
    fn a_mail_is_mixed_with_alternative_text_and_html_and_the_attachment() {
        let message = mail().to_message().unwrap();
        let recipients: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            recipients,
            ["hr@werkgever.example", "jan@werkgever.example"]
        );
        let text = String::from_utf8(message.formatted()).unwrap();
        for needle in [
            "Content-Type: multipart/mixed",
            "Content-Type: multipart/alternative",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/html; charset=utf-8",
            "Content-Type: application/pdf",
            "Content-Disposition: attachment; filename=\"Offerte OFF-2026-00042-2.pdf\"",
            "Message-ID: <off-42-2.sent@bureau.example>",
            "Reply-To: verkoop@bureau.example",
            "Subject: Offerte OFF-2026-00042-2",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        let alternative = text.find("multipart/alternative").unwrap();
        assert!(text.find("text/plain").unwrap() > alternative);
        assert!(text.find("text/html").unwrap() > text.find("text/plain").unwrap());
    }

    #[test]
    fn without_attachments_the_mail_is_just_the_alternative() {
        let mut m = mail();
        m.attachments.clear();
        let text = formatted(&m);
        assert!(text.contains("Content-Type: multipart/alternative"));
        assert!(!text.contains("multipart/mixed"));
    }

    #[test]
    fn bad_addresses_are_refused_with_the_field_named_not_the_address() {
        type Breakage = fn(&mut Mail);
        let cases: [(&str, Breakage); 6] = [
            ("from", |m| m.from = "not an address".into()),
            ("to[0]", |m| m.to[0] = "hr@@werkgever".into()),
            ("cc[0]", |m| m.cc[0] = "jan at werkgever.example".into()),
            ("reply_to", |m| m.reply_to = Some("".into())),
            ("no `to`", |m| m.to.clear()),
            ("to[1]", |m| {
                m.to.push("a@b.example\r\nBcc: x@evil.example".into())
            }),
        ];
        for (field, break_it) in cases {
            let mut m = mail();
            break_it(&mut m);
            let err = m.to_message().expect_err(field);
            assert!(!err.is_transient(), "{field}: {err}");
            assert!(err.to_string().contains(field), "{field}: {err}");
            assert!(!err.to_string().contains("werkgever"), "{field}: {err}");
        }
    }

    #[test]
    fn bad_attachments_and_message_ids_are_refused() {
        let mut m = mail();
        m.attachments[0].content_type = "pdf".into();
        assert!(
            m.to_message()
                .unwrap_err()
                .to_string()
                .contains("attachments[0]")
        );
        let mut m = mail();
        m.attachments[0].filename = "a\r\nb.pdf".into();
        assert!(
            m.to_message()
                .unwrap_err()
                .to_string()
                .contains("attachments[0]")
        );
        for id in ["no-at-sign", "<a b@c>", "@right", "left@", "a@b>\r\nBcc: x"] {
            let mut m = mail();
            m.message_id = Some(id.into());
            assert!(
                m.to_message()
                    .unwrap_err()
                    .to_string()
                    .contains("message_id"),
                "{id:?}"
            );
        }
        let mut m = mail();
        m.message_id = Some("<already@bracketed>".into());
        assert!(formatted(&m).contains("Message-ID: <already@bracketed>\r\n"));
        m.message_id = None;
        assert!(formatted(&m).contains("Message-ID: <"), "lettre makes one");
    }

    #[test]
    fn a_subject_cannot_smuggle_a_header() {
        let mut m = mail();
        m.subject = "Offerte\r\nBcc: x@evil.example".into();
        let text = formatted(&m);
        assert!(!text.lines().any(|l| l.starts_with("Bcc:")), "{text}");
        assert!(m.to_message().unwrap().envelope().to().len() == 2);
    }

    #[test]
    fn a_mailer_outside_a_runtime_is_an_error_not_a_panic() {
        let err = Mailer::from_url("smtp://127.0.0.1:2525").unwrap_err();
        assert!(matches!(err, MailerError::NoRuntime(_)), "{err:?}");
        assert!(err.to_string().contains("Tokio runtime"), "{err}");
    }
}
