//! Why an input could not be priced: a list of field errors, each naming the field by its JSON
//! path, a stable code and a sentence for people. The HTTP layer turns this into problem+json.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One reason an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `circumstances.first_sick_day`; empty for the body as a whole.
    #[schema(example = "circumstances.first_sick_day")]
    pub field: String,
    /// Stable machine-readable reason, e.g. `missing_field`, `unknown_field`, `after_waiting_period`.
    #[schema(example = "missing_field")]
    pub code: String,
    /// The reason in plain words.
    #[schema(example = "this field is required")]
    pub message: String,
}

/// An input that cannot be priced, with every reason found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summary(.errors))]
pub struct InputError {
    pub errors: Vec<FieldError>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| {
            if e.field.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.field, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl InputError {
    pub fn one(field: impl Into<String>, code: &str, message: impl Into<String>) -> InputError {
        InputError {
            errors: vec![FieldError {
                field: field.into(),
                code: code.to_string(),
                message: message.into(),
            }],
        }
    }

    /// The same errors with their paths placed under `prefix` (`circumstances` + `tier` →
    /// `circumstances.tier`).
    pub fn under(mut self, prefix: &str) -> InputError {
        for e in &mut self.errors {
            e.field = join_path(prefix, &e.field);
        }
        self
    }

    /// Turns a serde error at a path into a field error, naming the offending field itself for
    /// unknown and missing fields. serde reports a missing field at the enclosing object;
    /// `serde_path_to_error` reports an unknown field at the field's own path (the key it read),
    /// so the name is only appended when the path does not already end with it.
    pub fn from_serde(path: &str, message: &str) -> InputError {
        let path = if path == "." { "" } else { path };
        let named = |prefix: &str| {
            message
                .strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(|name| {
                    if path == name || path.ends_with(&format!(".{name}")) {
                        path.to_string()
                    } else {
                        join_path(path, name)
                    }
                })
        };
        let (field, code, message) = if let Some(field) = named("unknown field `") {
            let message = format!(
                "unknown field; this service accepts only the documented fields (and never medical information) ({message})"
            );
            (field, "unknown_field", message)
        } else if let Some(field) = named("missing field `") {
            (field, "missing_field", "this field is required".to_string())
        } else if message.starts_with("invalid type") {
            (path.to_string(), "invalid_type", message.to_string())
        } else if message.starts_with("unknown variant") {
            (path.to_string(), "invalid_value", message.to_string())
        } else if path.is_empty() {
            (String::new(), "malformed_json", message.to_string())
        } else {
            (path.to_string(), "invalid_value", message.to_string())
        };
        InputError::one(field, code, message)
    }

    /// Converts `validator` errors, with paths under `prefix`.
    /// The errors of one field's check (none for a value that passed), named `field`.
    pub fn of_field(
        field: &str,
        checked: Result<(), validator::ValidationError>,
    ) -> Vec<FieldError> {
        let Err(e) = checked else {
            return Vec::new();
        };
        vec![FieldError {
            field: field.to_string(),
            code: e.code.to_string(),
            message: e
                .message
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_else(|| describe_validation(&e)),
        }]
    }

    /// Every error of the parts' own checks, each under its part's name, in the order of the
    /// fields (as [`InputError::from_validation`] orders them); `Ok` when there is none.
    pub fn collect(parts: Vec<Vec<FieldError>>) -> Result<(), InputError> {
        let mut errors: Vec<FieldError> = parts.into_iter().flatten().collect();
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        Err(InputError { errors })
    }

    /// The errors of a part's derived checks, under the part's name.
    pub fn of_part(
        part: &str,
        checked: Result<(), validator::ValidationErrors>,
    ) -> Vec<FieldError> {
        match checked {
            Ok(()) => Vec::new(),
            Err(e) => InputError::from_validation(&e).under(part).errors,
        }
    }

    pub fn from_validation(errors: &validator::ValidationErrors) -> InputError {
        let mut out = Vec::new();
        collect_validation("", errors, &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        InputError { errors: out }
    }
}

fn collect_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = join_path(prefix, field);
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| describe_validation(e));
                    out.push(FieldError {
                        field: path.clone(),
                        code: e.code.to_string(),
                        message,
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect_validation(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

fn describe_validation(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be from {min} to {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "out of range".into(),
        },
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("length must be from {min} to {max}"),
            (Some(min), None) => format!("length must be at least {min}"),
            (None, Some(max)) => format!("length must be at most {max}"),
            _ => "wrong length".into(),
        },
        "email" => "not a valid e-mail address".into(),
        other => format!("invalid ({other})"),
    }
}

fn join_path(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) if field.starts_with('[') => format!("{prefix}{field}"),
        (false, false) => format!("{prefix}.{field}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_fields_name_the_field_itself() {
        let e = InputError::from_serde(
            "circumstances",
            "unknown field `diagnosis`, expected one of `a`",
        );
        assert_eq!(e.errors[0].field, "circumstances.diagnosis");
        assert_eq!(e.errors[0].code, "unknown_field");
        // serde_path_to_error already puts the unknown key in the path: not named twice.
        for (path, field) in [
            ("diagnosis", "diagnosis"),
            ("circumstances.diagnosis", "circumstances.diagnosis"),
        ] {
            let e = InputError::from_serde(path, "unknown field `diagnosis`, expected one of `a`");
            assert_eq!(e.errors[0].field, field, "{path}");
        }
        let e = InputError::from_serde(".", "missing field `first_sick_day`");
        assert_eq!(e.errors[0].field, "first_sick_day");
        assert_eq!(e.errors[0].code, "missing_field");
    }

    #[test]
    fn under_prefixes_paths() {
        let e = InputError::one("tier", "unknown_tier", "x").under("circumstances");
        assert_eq!(e.errors[0].field, "circumstances.tier");
        let e = InputError::one("[2]", "unknown_item", "x").under("options");
        assert_eq!(e.errors[0].field, "options[2]");
    }
}
