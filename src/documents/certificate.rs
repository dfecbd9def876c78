//! The acceptance certificate as a document: its view-model for `templates/certificate.typ`, in
//! the quote's language, with every time written out on a Dutch clock.

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value, json};

use super::letters::Letters;
use crate::catalog::Language;
use crate::quotes::certificate::Certificate;

/// The certificate with the words and written-out times the template shows.
pub fn view(certificate: &Certificate, language: Language, letters: &Letters) -> Result<Value> {
    let lang = language.as_str();
    let word = |key: &str| letters.word(lang, key).map(str::to_string);
    let mut c = serde_json::to_value(certificate).context("the certificate as JSON")?;
    let when = |at: &Value| -> Result<Value> {
        let at: DateTime<FixedOffset> = serde_json::from_value(at.clone())?;
        Ok(json!(written(at, language)))
    };
    for key in ["sent_document", "accepted_document", "acceptance"] {
        if let Some(object) = c.get_mut(key).and_then(Value::as_object_mut) {
            let at = when(&object["at"])?;
            object.insert("at_text".into(), at);
        }
    }
    for step in c["steps"].as_array_mut().into_iter().flatten() {
        let at = when(&step["at"])?;
        let name = step["step"].as_str().unwrap_or_default().to_string();
        let text = word(&format!("step_{name}")).unwrap_or(name);
        let object = step.as_object_mut().context("a step")?;
        object.insert("at_text".into(), at);
        object.insert("step_text".into(), json!(text));
    }
    // Absent members are `none` in the template.
    for key in ["sent_document", "accepted_document", "acceptance"] {
        c.as_object_mut()
            .context("the certificate")?
            .entry(key)
            .or_insert(Value::Null);
    }
    for party in ["bureau", "employer"] {
        if let Some(object) = c.get_mut(party).and_then(Value::as_object_mut) {
            object.entry("kvk").or_insert(Value::Null);
            object.entry("contact_person").or_insert(Value::Null);
        }
    }
    for step in c["steps"].as_array_mut().into_iter().flatten() {
        if let Some(object) = step.as_object_mut() {
            object.entry("detail").or_insert(Value::Null);
            object.entry("document_sha256").or_insert(Value::Null);
        }
    }
    if let Some(object) = c.get_mut("acceptance").and_then(Value::as_object_mut) {
        for key in ["statement", "language", "client_address", "user_agent"] {
            object.entry(key).or_insert(Value::Null);
        }
    }
    let status = certificate.status.as_str();
    let mut t = Map::new();
    for key in letters.words_starting(lang, "certificate_") {
        t.insert(key.to_string(), json!(word(key)));
    }
    Ok(json!({
        "lang": lang,
        "t": t,
        "status": word(&format!("status_{status}")).unwrap_or(status.to_string()),
        "c": c,
    }))
}

/// A time as people in the Netherlands (or, in English, anyone) read it, with its offset.
fn written(at: DateTime<FixedOffset>, language: Language) -> String {
    match language {
        Language::Nl => at.format("%d-%m-%Y %H:%M:%S (UTC%:z)").to_string(),
        Language::En => at.format("%Y-%m-%d %H:%M:%S (UTC%:z)").to_string(),
    }
}
