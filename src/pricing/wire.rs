//! Fast JSON text for the numbers and dates of a computation. serde's defaults go through
//! `Display`/`Debug` and a formatting adapter (dates character by character, decimals through
//! a `String`); a computation holds about a hundred of them, and writing them was a fifth of the
//! time of a preview. These write the same text into a stack buffer and hand serde one `&str`.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serializer;

/// Room for any `Decimal`: 29 digits, a sign, a point and a leading zero.
const DECIMAL_MAX: usize = 40;

/// Writes `value` as `Decimal`'s `Display` does (`-12.50`, `0.05`, `21`) and returns the text.
pub(crate) fn decimal_text<'b>(value: &Decimal, buf: &'b mut [u8; DECIMAL_MAX]) -> &'b str {
    let scale = value.scale() as usize;
    let mantissa = value.mantissa().unsigned_abs();
    // The digits, lowest first; at least scale + 1 of them, so "0.05" gets its leading zero.
    let mut digits = [0u8; DECIMAL_MAX];
    let mut count = 0;
    // Amounts fit in 64 bits; 128-bit division is a library call, several times slower.
    if let Ok(mut small) = u64::try_from(mantissa) {
        while small > 0 {
            digits[count] = (small % 10) as u8;
            small /= 10;
            count += 1;
        }
    } else {
        let mut large = mantissa;
        while large > 0 {
            digits[count] = (large % 10) as u8;
            large /= 10;
            count += 1;
        }
    }
    count = count.max(scale + 1);
    let mut end = DECIMAL_MAX;
    for (i, digit) in digits[..count].iter().enumerate() {
        if i == scale && scale > 0 {
            end -= 1;
            buf[end] = b'.';
        }
        end -= 1;
        buf[end] = b'0' + digit;
    }
    if value.is_sign_negative() && !value.is_zero() {
        end -= 1;
        buf[end] = b'-';
    }
    std::str::from_utf8(&buf[end..]).expect("ASCII digits")
}

/// Serializes a `Decimal` as its JSON string (`"21"`, `"12.5"`).
pub(crate) fn decimal<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(decimal_text(value, &mut [0; DECIMAL_MAX]))
}

/// Serializes a date as `YYYY-MM-DD`, as chrono does.
pub(crate) fn date<S: Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    let year = value.year();
    if !(0..=9999).contains(&year) {
        return serializer.collect_str(&value.format("%Y-%m-%d"));
    }
    let (year, month, day) = (year as u32, value.month(), value.day());
    let text = [
        b'0' + (year / 1000) as u8,
        b'0' + (year / 100 % 10) as u8,
        b'0' + (year / 10 % 10) as u8,
        b'0' + (year % 10) as u8,
        b'-',
        b'0' + (month / 10) as u8,
        b'0' + (month % 10) as u8,
        b'-',
        b'0' + (day / 10) as u8,
        b'0' + (day % 10) as u8,
    ];
    serializer.serialize_str(std::str::from_utf8(&text).expect("ASCII digits"))
}

/// An optional date as [`date`] writes it (only called for `Some`: the fields skip `None`).
pub(crate) fn option_date<S: Serializer>(
    value: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(day) => date(day, serializer),
        None => serializer.serialize_none(),
    }
}

/// An optional decimal as [`decimal`] writes it.
pub(crate) fn option_decimal<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(number) => decimal(number, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn decimals_read_as_display_writes_them() {
        for text in [
            "0",
            "0.00",
            "1975.00",
            "-749.00",
            "0.05",
            "-0.05",
            "21",
            "12.5",
            "9",
            "100",
            "0.000001",
            "-0",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
        ] {
            let value = Decimal::from_str(text).unwrap();
            assert_eq!(
                decimal_text(&value, &mut [0; DECIMAL_MAX]),
                value.to_string(),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_decimal_reads_as_display(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            let mut buf = [0; DECIMAL_MAX];
            prop_assert_eq!(decimal_text(&value, &mut buf), value.to_string());
        }

        #[test]
        fn any_date_reads_as_chrono(days in 0i32..3_000_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            let mut ours = serde_json::Serializer::new(Vec::new());
            super::date(&date, &mut ours).unwrap();
            prop_assert_eq!(ours.into_inner(), serde_json::to_vec(&date).unwrap());
        }
    }
}
