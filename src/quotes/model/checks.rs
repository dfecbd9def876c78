//! The checks of the fields people type: printable text of bounded length, KvK numbers, phone
//! numbers, e-mail addresses, references that are not a BSN, messages.

use validator::ValidationError;

/// Any printable text of 1 to 200 characters (`<`, `{`, `#` are fine: rendering copes).
pub fn text_200(value: &str) -> Result<(), ValidationError> {
    let count = value.chars().count();
    if value.trim().is_empty() {
        return Err(ValidationError::new("required").with_message("must not be empty".into()));
    }
    if count > 200 {
        return Err(ValidationError::new("length")
            .with_message(format!("at most 200 characters (has {count})").into()));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new("printable")
            .with_message("must not contain control characters".into()));
    }
    Ok(())
}

pub(super) fn valid_kvk(value: &str) -> Result<(), ValidationError> {
    if value.len() == 8 && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new("kvk").with_message("a KvK number is exactly 8 digits".into()))
    }
}

pub(super) fn valid_phone(value: &str) -> Result<(), ValidationError> {
    let ok = (6..=20).contains(&value.chars().count())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && value.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("phone")
            .with_message("6 to 20 of digits, spaces, +, - and ()".into()))
    }
}

pub(crate) fn valid_email(value: &str) -> Result<(), ValidationError> {
    let ok = value.chars().count() <= 200
        && !value.chars().any(|c| c.is_control() || c.is_whitespace())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("email").with_message("not a valid e-mail address".into()))
    }
}

/// A reference must not be a citizen service number (BSN: 9 digits passing the 11-test).
pub(super) fn valid_reference(value: &str) -> Result<(), ValidationError> {
    text_200(value)?;
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    let only_digits = value
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '.');
    if only_digits && digits.len() == 9 {
        let sum: i64 = digits
            .iter()
            .enumerate()
            .map(|(i, d)| {
                if i == 8 {
                    -i64::from(*d)
                } else {
                    i64::from(*d) * (9 - i as i64)
                }
            })
            .sum();
        if sum % 11 == 0 {
            return Err(ValidationError::new("bsn").with_message(
                "this looks like a BSN; use the employer's own reference or initials instead"
                    .into(),
            ));
        }
    }
    Ok(())
}

pub(crate) fn valid_emails(values: &[String]) -> Result<(), ValidationError> {
    if values.len() > 10 {
        return Err(ValidationError::new("length").with_message("at most 10 addresses".into()));
    }
    values.iter().try_for_each(|v| valid_email(v))
}

pub(crate) fn valid_message(value: &str) -> Result<(), ValidationError> {
    let count = value.chars().count();
    if count > 2000 {
        return Err(ValidationError::new("length")
            .with_message(format!("at most 2000 characters (has {count})").into()));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(ValidationError::new("printable")
            .with_message("must not contain control characters other than line breaks".into()));
    }
    Ok(())
}
