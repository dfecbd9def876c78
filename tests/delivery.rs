//! The delivery parts against real servers on loopback: an SMTP server (`aiosmtpd`) that keeps
//! what it receives, and an HTTP receiver that verifies signatures with the Python
//! `standardwebhooks` package, an implementation independent of ours. Both are scripts in
//! `tests/support/`, started per test on a port the system picks.
//!
//! They need a Python with `aiosmtpd` and `standardwebhooks`: `OFFERTE_TEST_PYTHON`, or else
//! `target/ci-venv/bin/python` (`scripts/ci-venv aiosmtpd standardwebhooks` makes it). Without
//! one the tests are skipped with a notice, unless `OFFERTE_TEST_REQUIRE_TOOLS` is set.

use std::path::Path;
use std::time::{Duration, SystemTime};

use mail_parser::{MessageParser, MimeHeaders};
use offerte::delivery::http::{self, Outcome, WebhookHeaders};
use offerte::delivery::mail::{Attachment, Mail, MailError, Mailer};
use offerte::delivery::signature::{Secret, Signer, new_message_id};
use reqwest::Url;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

#[path = "support/servers.rs"]
mod servers;
use servers::{ClosedPort, Server, python};

fn now() -> i64 {
    let since = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_secs()).unwrap()
}

// --- e-mail -------------------------------------------------------------------------------

/// PDF-like bytes that exercise the transfer encoding: every byte value, CR LF and a lone
/// `.` line (SMTP's end of data), and a long run without line breaks.
fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend(0..=255u8);
    bytes.extend_from_slice(b"\r\n.\r\n..\r\n.\n");
    let mut x: u32 = 42;
    bytes.extend((0..200_000).map(|_| {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (x >> 24) as u8
    }));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn mail(to: &str) -> Mail {
    Mail {
        from: "Bureau Reïntegratie <offertes@bureau.example>".into(),
        to: vec![to.into()],
        cc: vec!["Jan de Vries <jan@werkgever.example>".into()],
        reply_to: Some("verkoop@bureau.example".into()),
        subject: "Offerte OFF-2026-00042-2 — tweede spoor".into(),
        text:
            "Beste Jan,\n\nIn de bijlage vindt u onze offerte.\n.\nEen regel met alleen een punt.\n"
                .into(),
        html: "<p>Beste Jan,</p><p>In de bijlage vindt u onze <b>offerte</b>.</p>".into(),
        attachments: vec![Attachment {
            filename: "Offerte OFF-2026-00042-2.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf_bytes(),
        }],
        message_id: Some("<off-2026-00042-2.sent.1@bureau.example>".into()),
    }
}

fn smtp(sink: &Server) -> Mailer {
    Mailer::from_url(&format!("smtp://127.0.0.1:{}", sink.port)).unwrap()
}

#[tokio::test]
async fn a_mail_with_a_pdf_arrives_with_the_attachment_bytes_intact() {
    let Some(python) = python() else { return };
    let sink = Server::start(&python, "smtp_sink.py", &[]);
    let sent = mail("hr@werkgever.example");
    smtp(&sink).send(&sent).await.unwrap();

    let raw = sink.file("1.eml");
    let received = MessageParser::default()
        .parse(&raw)
        .expect("an RFC 5322 message");
    assert_eq!(received.subject(), Some(sent.subject.as_str()));
    assert_eq!(
        received.message_id(),
        Some("off-2026-00042-2.sent.1@bureau.example")
    );
    let from = received.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.address(), Some("offertes@bureau.example"));
    assert_eq!(from.name(), Some("Bureau Reïntegratie"));
    let address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned)
    };
    assert_eq!(
        address(received.to()).as_deref(),
        Some("hr@werkgever.example")
    );
    assert_eq!(
        address(received.cc()).as_deref(),
        Some("jan@werkgever.example")
    );
    assert_eq!(
        address(received.reply_to()).as_deref(),
        Some("verkoop@bureau.example")
    );
    let text = received.body_text(0).unwrap().replace("\r\n", "\n");
    assert_eq!(text, sent.text, "the text part, lone dot line included");
    assert!(received.body_html(0).unwrap().contains("<b>offerte</b>"));

    let attachments: Vec<_> = received.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let pdf = attachments[0];
    assert_eq!(pdf.attachment_name(), Some("Offerte OFF-2026-00042-2.pdf"));
    let ctype = pdf.content_type().unwrap();
    assert_eq!(
        (ctype.ctype(), ctype.subtype()),
        ("application", Some("pdf"))
    );
    assert!(
        pdf.contents() == sent.attachments[0].bytes.as_slice(),
        "the attachment's {} bytes differ from the {} sent",
        pdf.contents().len(),
        sent.attachments[0].bytes.len()
    );

    let envelope = sink.json("1.envelope.json");
    assert_eq!(envelope["mail_from"], "offertes@bureau.example");
    assert_eq!(
        envelope["rcpt_tos"],
        serde_json::json!(["hr@werkgever.example", "jan@werkgever.example"]),
        "cc is a recipient of the envelope"
    );
}

#[tokio::test]
async fn a_451_is_transient_and_the_next_try_is_delivered() {
    let Some(python) = python() else { return };
    let sink = Server::start(&python, "smtp_sink.py", &["--fail-first", "1"]);
    let mailer = smtp(&sink);
    let sent = mail("hr@werkgever.example");

    let first = mailer.send(&sent).await;
    assert!(
        matches!(&first, Err(MailError::Transient(e)) if e.contains("451")),
        "{first:?}"
    );
    assert_eq!(sink.count("eml"), 0);

    mailer.send(&sent).await.unwrap();
    let received = sink.file("1.eml");
    let parsed = MessageParser::default().parse(&received).unwrap();
    assert_eq!(
        parsed.message_id(),
        Some("off-2026-00042-2.sent.1@bureau.example")
    );
    assert_eq!(sink.count("eml"), 1);
}

#[tokio::test]
async fn a_550_recipient_is_a_permanent_failure() {
    let Some(python) = python() else { return };
    let sink = Server::start(&python, "smtp_sink.py", &["--refuse-rcpt", "@gone.example"]);
    let result = smtp(&sink).send(&mail("nobody@gone.example")).await;
    assert!(
        matches!(&result, Err(MailError::Permanent(e)) if e.contains("550")),
        "{result:?}"
    );
    assert_eq!(sink.count("eml"), 0);
}

/// A certificate authority of one's own and a relay certificate it signed for `127.0.0.1` and
/// `localhost`, written as PEM files into `dir`: (CA file, relay chain, relay key).
fn own_ca(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Bureau interne CA (test)");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let relay = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("relay.pem"),
        dir.join("relay.key"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, relay.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

/// A relay with a certificate from the bureau's own CA: trusted with the CA file, over STARTTLS
/// (refusing mail without it) and over implicit TLS; refused as unknown without the CA file
/// (a transient failure: a certificate can be fixed while the outbox waits).
#[tokio::test]
async fn a_tls_relay_signed_by_an_own_ca_is_trusted_with_the_ca_file_only() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = own_ca(dir.path());
    let ca_pem = std::fs::read(&ca).unwrap();
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let relay = |tls| {
        let args = ["--tls", tls, "--cert", cert, "--key", key];
        Server::start(&python, "smtp_sink.py", &args)
    };
    for (tls, url) in [
        ("starttls", "smtp://127.0.0.1:{port}?tls=starttls"),
        ("implicit", "smtps://127.0.0.1:{port}"),
    ] {
        let sink = relay(tls);
        let url = url.replace("{port}", &sink.port.to_string());

        let untrusted = Mailer::from_url(&url).unwrap();
        let refused = untrusted.send(&mail("hr@werkgever.example")).await;
        assert!(
            matches!(&refused, Err(e) if e.is_transient()),
            "{tls}: {refused:?}"
        );
        assert_eq!(sink.count("eml"), 0, "{tls}: nothing taken without trust");

        let trusted = Mailer::from_url_trusting(&url, Some(&ca_pem)).unwrap();
        let sent = mail("hr@werkgever.example");
        trusted
            .send(&sent)
            .await
            .unwrap_or_else(|e| panic!("{tls}: {e}"));
        let raw = sink.file("1.eml");
        let received = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(received.subject(), Some(sent.subject.as_str()), "{tls}");
        let pdf = received.attachments().next().unwrap();
        assert!(
            pdf.contents() == sent.attachments[0].bytes.as_slice(),
            "{tls}"
        );
    }

    // The relay insists on STARTTLS: a plain connection's mail is refused, not taken in clear.
    let sink = relay("starttls");
    let plain = smtp(&sink).send(&mail("hr@werkgever.example")).await;
    assert!(plain.is_err(), "{plain:?}");
    assert_eq!(sink.count("eml"), 0);
    // A CA file is for TLS only.
    let err = Mailer::from_url_trusting(&format!("smtp://127.0.0.1:{}", sink.port), Some(&ca_pem))
        .unwrap_err()
        .to_string();
    assert!(err.contains("for a TLS relay"), "{err}");
}

#[tokio::test]
async fn a_relay_that_is_down_is_a_transient_failure() {
    let down = ClosedPort::new();
    let mailer = Mailer::from_url(&format!("smtp://127.0.0.1:{}", down.port)).unwrap();
    let result = mailer.send(&mail("hr@werkgever.example")).await;
    assert!(matches!(&result, Err(e) if e.is_transient()), "{result:?}");
}

// --- webhooks -----------------------------------------------------------------------------

fn receiver(python: &Path, args: &[&str]) -> (Server, Url) {
    let mut all = vec!["--secret", SECRET];
    all.extend_from_slice(args);
    let server = Server::start(python, "webhook_receiver.py", &all);
    let url = Url::parse(&format!("http://127.0.0.1:{}/hook", server.port)).unwrap();
    (server, url)
}

fn signer(secrets: &[&str]) -> Signer {
    Signer::new(secrets.iter().map(|s| Secret::parse(s).unwrap()).collect()).unwrap()
}

const BODY: &[u8] =
    br#"{"type":"quote.sent","timestamp":"2026-03-02T10:00:00Z","data":{"number":"OFF-2026-00042-2"}}"#;

async fn deliver(url: &Url, signer: &Signer, id: &str) -> Outcome {
    let headers = WebhookHeaders::signed(signer, id, now(), BODY);
    http::post(&http::client(), url, &headers, BODY).await
}

#[tokio::test]
async fn a_signed_webhook_is_verified_by_the_standardwebhooks_package() {
    let Some(python) = python() else { return };
    let (server, url) = receiver(&python, &[]);
    let id = new_message_id();
    let timestamp = now();
    let headers = WebhookHeaders::signed(&signer(&[SECRET]), &id, timestamp, BODY);

    let outcome = http::post(&http::client(), &url, &headers, BODY).await;
    assert_eq!(outcome, Outcome::Delivered { status: 200 });
    let got = server.json("1.json");
    assert_eq!(got["signature_ok"], true, "{got}");
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["timestamp"], timestamp.to_string());
    assert_eq!(got["body"], std::str::from_utf8(BODY).unwrap());
    assert_eq!(got["method"], "POST");
}

#[tokio::test]
async fn during_rotation_a_receiver_with_either_secret_verifies() {
    let Some(python) = python() else { return };
    // The receiver still has the old secret (SECRET); we sign with the new one and the old.
    let (server, url) = receiver(&python, &[]);
    let rotating = signer(&[OTHER_SECRET, SECRET]);
    assert_eq!(
        deliver(&url, &rotating, &new_message_id()).await,
        Outcome::Delivered { status: 200 }
    );
    assert_eq!(server.json("1.json")["signature_ok"], true);
    // The control: the new secret alone does not verify at this receiver.
    deliver(&url, &signer(&[OTHER_SECRET]), &new_message_id()).await;
    let got = server.json("2.json");
    assert_eq!(got["signature_ok"], false, "{got}");
}

#[tokio::test]
async fn a_500_is_retried_with_the_same_id_and_a_410_means_gone() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status_file = dir.path().join("status");
    let (server, url) = receiver(
        &python,
        &[
            "--fail-first",
            "1",
            "--status-file",
            status_file.to_str().unwrap(),
        ],
    );
    let signer = signer(&[SECRET]);
    let id = new_message_id();

    let first = deliver(&url, &signer, &id).await;
    assert!(
        matches!(&first, Outcome::Retry { status: Some(500), retry_after: None, error } if error.contains("500")),
        "{first:?}"
    );
    assert_eq!(
        deliver(&url, &signer, &id).await,
        Outcome::Delivered { status: 200 }
    );
    let (one, two) = (server.json("1.json"), server.json("2.json"));
    assert_eq!(one["id"], id.as_str());
    assert_eq!(two["id"], id.as_str(), "a retry keeps its webhook-id");
    assert_eq!(
        (one["signature_ok"].clone(), two["signature_ok"].clone()),
        (true.into(), true.into())
    );

    std::fs::write(&status_file, "410").unwrap();
    assert_eq!(
        deliver(&url, &signer, &new_message_id()).await,
        Outcome::Gone
    );
}

#[tokio::test]
async fn retry_after_is_honoured_on_503_and_429() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status_file = dir.path().join("status");
    let (_server, url) = receiver(
        &python,
        &[
            "--status-file",
            status_file.to_str().unwrap(),
            "--retry-after",
            "7",
        ],
    );
    let signer = signer(&[SECRET]);
    for status in [503u16, 429] {
        std::fs::write(&status_file, status.to_string()).unwrap();
        let outcome = deliver(&url, &signer, &new_message_id()).await;
        assert!(
            matches!(&outcome, Outcome::Retry { status: Some(s), retry_after: Some(d), .. } if *s == status && *d == Duration::from_secs(7)),
            "{status}: {outcome:?}"
        );
        let Outcome::Retry { retry_after, .. } = outcome else {
            unreachable!()
        };
        assert_eq!(
            http::next_delay(1, retry_after, Duration::ZERO, 0),
            Some(Duration::from_secs(7))
        );
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let status_file = dir.path().join("status");
    std::fs::write(&status_file, "302").unwrap();
    let (server, url) = receiver(&python, &["--status-file", status_file.to_str().unwrap()]);

    let outcome = deliver(&url, &signer(&[SECRET]), &new_message_id()).await;
    assert!(
        matches!(&outcome, Outcome::Rejected { status: 302, error } if error.contains("/moved") && error.contains("not followed")),
        "{outcome:?}"
    );
    // A followed redirect would have reached the receiver again, at /moved, before `post` returned.
    assert_eq!(server.json("1.json")["path"], "/hook");
    assert_eq!(server.count("json"), 1, "only the POST itself");
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_in_time_is_retried() {
    let Some(python) = python() else { return };
    let (_server, url) = receiver(&python, &["--delay", "3"]);
    // The production client waits 15 s; the same classification with a shorter wait.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let headers = WebhookHeaders::signed(&signer(&[SECRET]), &new_message_id(), now(), BODY);
    let outcome = http::post(&impatient, &url, &headers, BODY).await;
    assert!(
        matches!(&outcome, Outcome::Retry { status: None, error, .. } if error.contains("timed out")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_receiver_that_is_down_is_retried() {
    let down = ClosedPort::new();
    let url = Url::parse(&format!("http://127.0.0.1:{}/hook", down.port)).unwrap();
    let outcome = deliver(&url, &signer(&[SECRET]), &new_message_id()).await;
    assert!(
        matches!(&outcome, Outcome::Retry { status: None, retry_after: None, error } if error.contains("could not connect")),
        "{outcome:?}"
    );
}
