//! Exact money: euro amounts as `Decimal`, always rounded to cents half away from zero, and a
//! JSON string on the wire (`"1975.00"`), never a float.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};
use utoipa::ToSchema;

/// An amount in euros with exactly two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, ToSchema)]
#[schema(value_type = String, example = "1975.00", pattern = r"^-?\d+\.\d{2}$")]
pub struct Money(Decimal);

impl Money {
    /// Zero with two decimals, so an empty sum still prints as `0.00`.
    pub const ZERO: Money = Money(Decimal::from_parts(0, 0, 0, false, 2));

    /// Rounds to cents, half away from zero (2.345 → 2.35, −2.345 → −2.35).
    pub fn round(value: Decimal) -> Money {
        let mut cents = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        cents.rescale(2);
        Money(cents)
    }

    /// An amount of whole cents (`from_cents(197500)` is 1975.00).
    pub(crate) fn from_cents(cents: i128) -> Option<Money> {
        Decimal::try_from_i128_with_scale(cents, 2).ok().map(Money)
    }

    /// The amount in whole cents.
    pub(crate) fn cents(self) -> i128 {
        let mut value = self.0;
        value.rescale(2);
        value.mantissa()
    }

    /// The BTW on this amount at `rate` percent, rounded to cents.
    pub fn vat_at(self, rate: Decimal) -> Money {
        Money::round(self.0 * rate / Decimal::ONE_HUNDRED)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::wire::decimal(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let value: Decimal = text
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not an amount")))?;
        Ok(Money::round(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_to_two_decimals() {
        for (input, expected) in [
            ("2.345", "2.35"),
            ("2.344", "2.34"),
            ("-2.345", "-2.35"),
            ("80", "80.00"),
            ("0.005", "0.01"),
            ("-0.005", "-0.01"),
            ("1975", "1975.00"),
        ] {
            assert_eq!(Money::round(d(input)).to_string(), expected, "{input}");
        }
    }

    #[test]
    fn vat_is_rounded_per_call() {
        assert_eq!(
            Money::round(d("1975")).vat_at(d("21")).to_string(),
            "414.75"
        );
        assert_eq!(Money::round(d("0.05")).vat_at(d("21")).to_string(), "0.01");
        assert_eq!(
            Money::round(d("450")).vat_at(Decimal::ZERO).to_string(),
            "0.00"
        );
    }

    #[test]
    fn zero_and_empty_sums_have_two_decimals() {
        assert_eq!(Money::ZERO.to_string(), "0.00");
        let none: Money = std::iter::empty::<Money>().sum();
        assert_eq!(none.to_string(), "0.00");
        assert_eq!(Money::ZERO, Money::round(d("0")));
    }

    #[test]
    fn json_is_a_string() {
        let m = Money::round(d("3025"));
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"3025.00\"");
        let back: Money = serde_json::from_str("\"3025.00\"").unwrap();
        assert_eq!(back, m);
        assert!(serde_json::from_str::<Money>("3025").is_err());
    }
}
