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
    // Absent members are `none` in the template.
    absent_as_null(
        Some(&mut c),
        &[
            "sent_document",
            "accepted_document",
            "acceptance",
            "employee_consent",
        ],
    );
    for party in ["bureau", "employer"] {
        absent_as_null(c.get_mut(party), &["kvk", "contact_person"]);
    }
    let acceptance = ["statement", "language", "client_address", "user_agent"];
    absent_as_null(c.get_mut("acceptance"), &acceptance);
    let consent = [
        "asked_at",
        "at",
        "name",
        "statement",
        "language",
        "client_address",
        "specification",
        "deductible_from",
    ];
    absent_as_null(c.get_mut("employee_consent"), &consent);
    if let Some(object) = c.get_mut("employee_consent").and_then(Value::as_object_mut) {
        for (key, text) in [("asked_at", "asked_at_text"), ("at", "at_text")] {
            let at = match &object[key] {
                Value::Null => Value::Null,
                at => when(at)?,
            };
            object.insert(text.into(), at);
        }
        // The first deductible day, written as the times are.
        if let Some(day) = object["deductible_from"]
            .as_str()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        {
            let text = match language {
                Language::Nl => day.format("%d-%m-%Y"),
                Language::En => day.format("%Y-%m-%d"),
            };
            object.insert("deductible_from".into(), json!(text.to_string()));
        }
        let status = object["status"].as_str().unwrap_or_default().to_string();
        let text = word(&format!("certificate_consent_{status}")).unwrap_or(status);
        object.insert("status_text".into(), json!(text));
        if let Some(spec) = object
            .get_mut("specification")
            .and_then(Value::as_object_mut)
        {
            let at = when(&spec["at"])?;
            spec.insert("at_text".into(), at);
        }
    }
    for key in ["sent_document", "accepted_document", "acceptance"] {
        if let Some(object) = c.get_mut(key).and_then(Value::as_object_mut) {
            let at = when(&object["at"])?;
            object.insert("at_text".into(), at);
        }
    }
    for step in c["steps"].as_array_mut().into_iter().flatten() {
        absent_as_null(Some(step), &["detail", "document_sha256"]);
        let at = when(&step["at"])?;
        let name = step["step"].as_str().unwrap_or_default().to_string();
        let text = word(&format!("step_{name}")).unwrap_or(name);
        let object = step.as_object_mut().context("a step")?;
        object.insert("at_text".into(), at);
        object.insert("step_text".into(), json!(text));
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

/// Gives `value` (an object; anything else is left alone) a `null` for each of `keys` it lacks.
fn absent_as_null(value: Option<&mut Value>, keys: &[&str]) {
    if let Some(object) = value.and_then(Value::as_object_mut) {
        for key in keys {
            object.entry(*key).or_insert(Value::Null);
        }
    }
}

/// A time as people in the Netherlands (or, in English, anyone) read it, with its offset.
pub(crate) fn written(at: DateTime<FixedOffset>, language: Language) -> String {
    match language {
        Language::Nl => at.format("%d-%m-%Y %H:%M:%S (UTC%:z)").to_string(),
        Language::En => at.format("%Y-%m-%d %H:%M:%S (UTC%:z)").to_string(),
    }
}
