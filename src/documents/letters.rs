//! The e-mails that carry a quote (sent, reminded, accepted): `templates/letter.txt.hbs` and
//! `letter.html.hbs` with the words of `templates/letters.toml`, fed by the quote's document
//! view-model, so the e-mail says what the attached document says.

use anyhow::{Context, Result};
use handlebars::Handlebars;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

use super::Document;
use super::certificate::written;
use crate::catalog::Language;
use crate::clock::amsterdam;
use crate::quotes::consent::ConsentStatus;
use crate::quotes::ports::{Letter, LetterKind, LetterRequest};
use chrono::{DateTime, Utc};

/// What the online page shows besides the document.
pub struct OnlinePage<'a> {
    /// The quote's status today (`sent`: the forms are shown).
    pub status: &'a str,
    /// The path of the page (`/q/{token}`), the base of its links.
    pub base: &'a str,
    pub other_lang: &'a str,
    /// A refusal to show: `name`, `agree` or `closed` (and for the consent form `email`,
    /// `mail`).
    pub error: Option<&'a str>,
    /// The employee's consent, on an accepted quote's page.
    pub consent: Option<ConsentOnPage<'a>>,
}

/// The employee's consent as the employer's page shows it.
pub struct ConsentOnPage<'a> {
    pub status: ConsentStatus,
    /// When the employee answered.
    pub at: Option<DateTime<Utc>>,
    /// A link just made: its URL, its end, and whether it went out by e-mail.
    pub made: Option<(&'a str, DateTime<Utc>, bool)>,
}

/// What the employee's consent page shows besides the specification.
pub struct ConsentPanel<'a> {
    /// Pending: the forms are shown.
    pub status: ConsentStatus,
    /// When the employee answered.
    pub at: Option<DateTime<Utc>>,
    /// The path of the page (`/c/{token}`), the base of its links.
    pub base: &'a str,
    pub other_lang: &'a str,
    /// A refusal to show: `name`, `agree` or `closed`.
    pub error: Option<&'a str>,
}

/// The loaded letter templates and words.
pub struct Letters {
    text: Handlebars<'static>,
    html: Handlebars<'static>,
    words: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize)]
struct LetterData<'a> {
    lang: &'a str,
    t: &'a serde_json::Value,
    subject: String,
    is_reminder: bool,
    is_accepted: bool,
    /// To the employee: the consent link.
    is_consent: bool,
    contact_person: String,
    employer: String,
    number: &'a str,
    total: &'a str,
    valid_until: &'a str,
    bureau: &'a str,
    bureau_email: &'a str,
    bureau_phone: &'a str,
    colour: &'a str,
    link: Option<&'a str>,
    message: Option<&'a str>,
    accepted_by: Option<&'a str>,
    accepted_at: Option<String>,
}

/// `data` with what both pages' panels have: the page's language, its download, language
/// switch and decline links, and the field a refusal (`error`) is about (described by the
/// message, marked invalid, focused).
fn with_common(
    mut data: serde_json::Value,
    lang: &str,
    base: &str,
    other_lang: &str,
    error: Option<&str>,
) -> serde_json::Value {
    let common = serde_json::json!({
        "lang": lang,
        "error_name": error == Some("name"),
        "error_agree": error == Some("agree"),
        "pdf_url": format!("{base}/pdf?lang={lang}"),
        "other_language_url": format!("{base}?lang={other_lang}"),
        "other_lang": other_lang,
        "decline_url": format!("{base}/decline"),
    });
    if let (Some(data), serde_json::Value::Object(common)) = (data.as_object_mut(), common) {
        data.extend(common);
    }
    data
}

/// `panel` right after the document's `<body>` tag (at the top if there is none).
fn with_panel(document_html: &str, panel: &str) -> String {
    match document_html
        .find("<body")
        .and_then(|i| document_html[i..].find('>').map(|j| i + j + 1))
    {
        Some(at) => format!("{}{panel}{}", &document_html[..at], &document_html[at..]),
        None => format!("{panel}{document_html}"),
    }
}

impl Letters {
    /// Loads `letter.txt.hbs`, `letter.html.hbs` and `letters.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Letters> {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_template_file("letter", dir.join("letter.html.hbs"))
            .with_context(|| format!("loading {}", dir.join("letter.html.hbs").display()))?;
        for name in ["online", "consent"] {
            let path = dir.join(format!("{name}.html.hbs"));
            html.register_template_file(name, &path)
                .with_context(|| format!("loading {}", path.display()))?;
        }
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.register_escape_fn(handlebars::no_escape);
        text.register_template_file("letter", dir.join("letter.txt.hbs"))
            .with_context(|| format!("loading {}", dir.join("letter.txt.hbs").display()))?;
        let path = dir.join("letters.toml");
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let words: BTreeMap<String, serde_json::Value> =
            toml::from_str(&source).with_context(|| format!("parsing {}", path.display()))?;
        for lang in ["nl", "en"] {
            anyhow::ensure!(
                words.contains_key(lang),
                "{}: no [{lang}] table",
                path.display()
            );
        }
        Ok(Letters { text, html, words })
    }

    /// The online quote: the document's HTML with the employer's panel (state, download,
    /// language switch, the accept and decline forms) at the top of the page.
    /// A word of `letters.toml` in `lang` (`nl`, `en`), e.g. the sentence next to the box the
    /// employer ticks (`online_agree`).
    pub fn word(&self, lang: &str, key: &str) -> Option<&str> {
        self.words.get(lang)?.get(key)?.as_str()
    }

    /// The keys of `lang`'s words that start with `prefix`.
    pub fn words_starting<'a>(&'a self, lang: &str, prefix: &'a str) -> Vec<&'a str> {
        let words = self.words.get(lang).and_then(|w| w.as_object());
        let keys = words.into_iter().flat_map(|w| w.keys());
        keys.filter(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }

    pub fn online_page(
        &self,
        document: &Document,
        document_html: &str,
        page: &OnlinePage<'_>,
    ) -> Result<String> {
        let t = &self.words[document.lang];
        let status_text = t[format!("status_{}", page.status)]
            .as_str()
            .unwrap_or(page.status);
        let error = page
            .error
            .and_then(|e| t[format!("online_error_{e}")].as_str());
        let data = serde_json::json!({
            "t": t,
            "number": document.number,
            "colour": document.bureau.primary_colour,
            "bureau": document.bureau.name,
            "bureau_email": document.bureau.email,
            "bureau_phone": document.bureau.phone,
            "is_open": page.status == "sent",
            "is_accepted": page.status == "accepted",
            "is_declined": page.status == "declined",
            "status_text": status_text,
            "error": error,
            "accept_url": format!("{}/accept", page.base),
            "certificate_url": format!("{}/certificate", page.base),
            "consent": page.consent.as_ref().map(|c| self.consent_on_page(document.lang, page.base, c)),
        });
        let data = with_common(data, document.lang, page.base, page.other_lang, page.error);
        let panel = self
            .html
            .render("online", &data)
            .context("rendering the online panel")?;
        Ok(with_panel(document_html, &panel))
    }

    fn consent_on_page(
        &self,
        lang: &str,
        base: &str,
        consent: &ConsentOnPage<'_>,
    ) -> serde_json::Value {
        let t = &self.words[lang];
        let language = Language::parse(lang).unwrap_or_default();
        let when = |at: DateTime<Utc>| written(amsterdam(at), language);
        let status_text = match (consent.status, consent.at) {
            (ConsentStatus::Given, Some(at)) => {
                format!(
                    "{} {}",
                    t["online_consent_given"].as_str().unwrap_or_default(),
                    when(at)
                )
            }
            (ConsentStatus::Declined, Some(at)) => format!(
                "{} {}",
                t["online_consent_declined"].as_str().unwrap_or_default(),
                when(at)
            ),
            _ => t["online_consent_pending"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        };
        serde_json::json!({
            "status_text": status_text,
            "askable": consent.status != ConsentStatus::Given,
            "ask_url": format!("{base}/employee-consent"),
            "link": consent.made.map(|(url, _, _)| url),
            "expires": consent.made.map(|(_, end, _)| when(end)),
            "emailed": consent.made.is_some_and(|(_, _, emailed)| emailed),
        })
    }

    /// The employee's consent page: the specification's HTML with the consent panel (state,
    /// download, language switch, the consent and refusal forms) at the top.
    pub fn consent_page(
        &self,
        document: &Document,
        document_html: &str,
        page: &ConsentPanel<'_>,
    ) -> Result<String> {
        let t = &self.words[document.lang];
        let language = Language::parse(document.lang).unwrap_or_default();
        let error = page
            .error
            .and_then(|e| t[format!("consent_error_{e}")].as_str());
        let data = serde_json::json!({
            "t": t,
            "colour": document.bureau.primary_colour,
            "is_open": page.status == ConsentStatus::Pending,
            "is_given": page.status == ConsentStatus::Given,
            "answered_at": page.at.map(|at| written(amsterdam(at), language)),
            "error": error,
            "consent_url": format!("{}/consent", page.base),
        });
        let data = with_common(data, document.lang, page.base, page.other_lang, page.error);
        let panel = self
            .html
            .render("consent", &data)
            .context("rendering the consent panel")?;
        Ok(with_panel(document_html, &panel))
    }

    /// The letter for a quote's document (in the document's language).
    pub fn render(&self, document: &Document, request: &LetterRequest<'_>) -> Result<Letter> {
        let t = &self.words[document.lang];
        let employer = document.employer.as_ref();
        let number = document.number.as_str();
        let subject_key = match request.kind {
            LetterKind::Quote => "subject_quote",
            LetterKind::Reminder => "subject_reminder",
            LetterKind::Accepted => "subject_accepted",
            LetterKind::Consent => "subject_consent",
        };
        let subject_template = t[subject_key].as_str().unwrap_or_default();
        let mut plain = Handlebars::new();
        plain.register_escape_fn(handlebars::no_escape);
        let subject = plain
            .render_template(
                subject_template,
                &serde_json::json!({
                    "number": number,
                    "bureau": document.bureau.name,
                    "valid_until": document.valid_until,
                }),
            )
            .context("rendering the subject")?
            .replace(['\r', '\n'], " ");
        let data = LetterData {
            lang: document.lang,
            t,
            subject: subject.clone(),
            is_reminder: request.kind == LetterKind::Reminder,
            is_accepted: request.kind == LetterKind::Accepted,
            is_consent: request.kind == LetterKind::Consent,
            contact_person: employer
                .map(|e| e.contact_person.clone())
                .unwrap_or_default(),
            employer: employer.map(|e| e.company_name.clone()).unwrap_or_default(),
            number,
            total: &document.totals.incl_vat,
            valid_until: &document.valid_until,
            bureau: &document.bureau.name,
            bureau_email: &document.bureau.email,
            bureau_phone: &document.bureau.phone,
            colour: &document.bureau.primary_colour,
            link: request.link,
            message: request.message.filter(|m| !m.trim().is_empty()),
            accepted_by: request.accepted_by.map(|(name, _)| name),
            accepted_at: request
                .accepted_by
                .map(|(_, at)| at.format("%Y-%m-%d %H:%M UTC").to_string()),
        };
        Ok(Letter {
            subject,
            text: self
                .text
                .render("letter", &data)
                .context("rendering the letter (text)")?,
            html: self
                .html
                .render("letter", &data)
                .context("rendering the letter (HTML)")?,
            attachment_name: format!("{}.pdf", document.file_stem),
            bureau_email: document.bureau.email.clone(),
        })
    }
}
