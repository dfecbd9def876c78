//! Amounts, quantities and dates as a reader of each language expects them
//! (Dutch `€ 1.975,00`, `22 november 2026`; English `€1,975.00`, `22 November 2026`).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::catalog::Language;
use crate::pricing::Money;

fn group(digits: &str, separator: char) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A decimal with the language's separators; `places` fixes the decimals, `None` keeps them.
fn number(value: Decimal, places: Option<u32>, language: Language) -> String {
    let text = match places {
        Some(p) => format!("{:.*}", p as usize, value.abs()),
        None => value.abs().normalize().to_string(),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (thousands, decimal) = match language {
        Language::Nl => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut out = group(whole, thousands);
    if !fraction.is_empty() {
        out.push(decimal);
        out.push_str(fraction);
    }
    out
}

pub fn money(amount: Money, language: Language) -> String {
    let value = amount.amount();
    let digits = number(value, Some(2), language);
    let negative = value.is_sign_negative() && !value.is_zero();
    match (language, negative) {
        (Language::Nl, false) => format!("€ {digits}"),
        (Language::Nl, true) => format!("€ -{digits}"),
        (Language::En, false) => format!("€{digits}"),
        (Language::En, true) => format!("-€{digits}"),
    }
}

pub fn quantity(value: Decimal, language: Language) -> String {
    let text = number(value, None, language);
    if value.is_sign_negative() && !value.is_zero() {
        format!("-{text}")
    } else {
        text
    }
}

pub fn percent(rate: Decimal, language: Language) -> String {
    format!("{}%", number(rate, None, language))
}

/// `22 november 2026` with the month names of the language (from the message catalog).
pub fn date(day: NaiveDate, month_names: &[String]) -> String {
    let month = month_names
        .get(day.month0() as usize)
        .map(String::as_str)
        .unwrap_or("?");
    format!("{} {} {}", day.day(), month, day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::round(s.parse().unwrap())
    }

    #[test]
    fn money_per_language() {
        assert_eq!(money(m("1975"), Language::Nl), "€ 1.975,00");
        assert_eq!(money(m("1975"), Language::En), "€1,975.00");
        assert_eq!(money(m("1234567.5"), Language::Nl), "€ 1.234.567,50");
        assert_eq!(money(m("-21"), Language::Nl), "€ -21,00");
        assert_eq!(money(m("-21"), Language::En), "-€21.00");
        assert_eq!(money(m("0.05"), Language::En), "€0.05");
        assert_eq!(money(m("999"), Language::Nl), "€ 999,00");
    }

    #[test]
    fn quantities_and_rates() {
        assert_eq!(quantity("10.5".parse().unwrap(), Language::Nl), "10,5");
        assert_eq!(quantity("10.50".parse().unwrap(), Language::En), "10.5");
        assert_eq!(quantity("1200".parse().unwrap(), Language::En), "1,200");
        assert_eq!(percent("21".parse().unwrap(), Language::Nl), "21%");
    }

    #[test]
    fn dates_use_month_names() {
        let names: Vec<String> = [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), &names),
            "22 november 2026"
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2027, 1, 3).unwrap(), &names),
            "3 januari 2027"
        );
    }
}
