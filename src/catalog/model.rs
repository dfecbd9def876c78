//! The validated catalog: what the pricing engine reads. Built only by the loader
//! (`super::load`), so every code a tier or rule names exists and every number is sane.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::rules::Condition;
use super::terms::{EarlyEndTerms, PaymentTerms, SuccessFeeTerms};
use super::vocabulary::{Intensity, Text};

/// One catalog version: the price list and policy in force from `valid_from`.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The version's name, e.g. `2024.1`.
    pub version: String,
    pub valid_from: NaiveDate,
    /// SHA-256 (hex) of the catalog file's bytes: the exact price list a quote used.
    pub hash: String,
    /// The file it came from, relative to the catalog folder.
    pub file: String,
    pub bureau: Bureau,
    pub settings: QuoteSettings,
    pub vat: BTreeMap<String, VatCategory>,
    pub items: Vec<Item>,
    pub tiers: Vec<Tier>,
    pub tier_rules: Vec<TierRule>,
    pub line_rules: Vec<LineRule>,
    /// The payment schedule of every tier that has none of its own.
    pub payment: PaymentTerms,
    pub early_end: EarlyEndTerms,
    /// The success fee of every tier that has none of its own.
    pub success_fee: Option<SuccessFeeTerms>,
}

impl Catalog {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn tier(&self, code: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.code == code)
    }

    /// The tier that runs until the end of the waiting period (the loader guarantees one).
    pub fn until_end_tier(&self) -> &Tier {
        self.tiers
            .iter()
            .find(|t| t.duration == TierDuration::UntilWaitingPeriodEnd)
            .expect("the loader guarantees an until-the-end tier")
    }

    /// The payment schedule of `tier`: its own, or the catalog's.
    pub fn payment_for<'c>(&'c self, tier: &'c Tier) -> &'c PaymentTerms {
        tier.payment.as_ref().unwrap_or(&self.payment)
    }

    /// The success fee of `tier`: its own, or the catalog's, if any.
    pub fn success_fee_for<'c>(&'c self, tier: &'c Tier) -> Option<&'c SuccessFeeTerms> {
        tier.success_fee.as_ref().or(self.success_fee.as_ref())
    }

    pub fn vat_category(&self, code: &str) -> &VatCategory {
        self.vat
            .get(code)
            .expect("the loader guarantees every VAT category exists")
    }
}

/// A logo image as read from the catalog folder: PNG, JPEG or SVG.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    /// `image/png`, `image/jpeg` or `image/svg+xml`.
    pub media_type: &'static str,
    pub bytes: std::sync::Arc<[u8]>,
    /// The same image as a `data:` URI, for HTML; made once, when the catalog loads.
    pub data_uri: std::sync::Arc<str>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}, {} bytes)", self.media_type, self.bytes.len())
    }
}

/// Why a logo file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    #[error(
        "the logo is {} KiB; at most {} KiB (it is embedded in every document)",
        .bytes / 1024,
        Logo::MAX_BYTES / 1024
    )]
    TooLarge { bytes: usize },
    #[error("the logo must be a PNG, JPEG or SVG file")]
    NotAnImage,
}

impl Logo {
    /// The largest logo accepted: it is embedded in every document.
    pub const MAX_BYTES: usize = 512 * 1024;

    /// Reads the image type from the first bytes; an error for anything but PNG, JPEG or SVG,
    /// and for a file over [`Logo::MAX_BYTES`].
    pub fn new(bytes: Vec<u8>) -> Result<Logo, LogoError> {
        if bytes.len() > Logo::MAX_BYTES {
            return Err(LogoError::TooLarge { bytes: bytes.len() });
        }
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_lowercase();
        let media_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else if start.trim_start().starts_with('<') && start.contains("<svg") {
            "image/svg+xml"
        } else {
            return Err(LogoError::NotAnImage);
        };
        use base64::Engine;
        let data_uri = format!(
            "data:{media_type};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        Ok(Logo {
            media_type,
            bytes: bytes.into(),
            data_uri: data_uri.into(),
        })
    }
}

/// The bureau that issues the quotes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bureau {
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// KvK (Chamber of Commerce) number.
    pub kvk: String,
    /// BTW (VAT) identification number.
    pub btw_number: String,
    pub iban: String,
    pub email: String,
    pub phone: String,
    pub website: Option<String>,
    /// Path of a logo image, relative to the catalog folder.
    pub logo: Option<String>,
    /// The logo file itself, read when the catalog folder is loaded.
    #[serde(skip)]
    pub logo_image: Option<Logo>,
    /// Main colour of the letterhead, `#rrggbb`.
    pub primary_colour: String,
    /// Accent colour, `#rrggbb`.
    pub accent_colour: String,
}

/// How quotes made with this catalog behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteSettings {
    /// Days a quote stays valid after its quote date.
    pub validity_days: u32,
    pub rounding: Rounding,
    /// The VAT category of the bundle adjustment line.
    pub adjustment_vat: String,
    /// Texts of the bundle adjustment line (discount and surcharge).
    pub discount_name: Text,
    pub surcharge_name: Text,
    /// The text of the line that lifts a tier to its `minimum_price`.
    pub minimum_name: Option<Text>,
    /// When set, no tier costs more than a tier that runs at least as long for the same
    /// circumstances; this is the text of the line that brings it down.
    pub length_cap: Option<Text>,
}

/// Where BTW is rounded to cents. Line amounts are always rounded to cents first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// BTW is computed and rounded per line, then summed per rate.
    PerLine,
    /// BTW is computed once per rate on the sum of the lines, then rounded.
    PerTotal,
}

/// A BTW category: a rate and, for an exemption, the reason printed on the quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatCategory {
    /// Percentage, e.g. `21`.
    pub rate: Decimal,
    pub exempt_reason: Option<Text>,
}

/// The unit a line item is priced in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    OneOff,
    Month,
    Hour,
    Piece,
    /// A period of the item's `period_months` months.
    Period,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::OneOff => "one_off",
            Unit::Month => "month",
            Unit::Hour => "hour",
            Unit::Piece => "piece",
            Unit::Period => "period",
        }
    }
}

/// A cost component the bureau sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub unit: Unit,
    pub unit_price: Decimal,
    /// Key into [`Catalog::vat`].
    pub vat: String,
    /// For the unit `period`: how many months a period lasts.
    pub period_months: Option<u32>,
}

/// How long a tier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierDuration {
    Months(u32),
    UntilWaitingPeriodEnd,
}

/// How many units of an item a tier or rule puts on the quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quantity {
    /// This many, whatever the duration.
    Fixed(Decimal),
    /// This many for every month of the trajectory.
    PerMonth(Decimal),
    /// Hours per month, by intensity of guidance.
    HoursPerMonth(BTreeMap<Intensity, Decimal>),
}

/// Which periods of a trajectory a per-period line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodCount {
    /// Every period begun (a 7-month trajectory has three periods of 3 months).
    Begun,
    /// Whole periods only (a 7-month trajectory has two periods of 3 months).
    Whole,
}

impl PeriodCount {
    /// The periods of `period_months` in a trajectory of `months`.
    pub fn periods(self, months: u32, period_months: u32) -> u32 {
        let period_months = period_months.max(1);
        match self {
            PeriodCount::Begun => months.div_ceil(period_months),
            PeriodCount::Whole => months / period_months,
        }
    }
}

/// An item with its quantity, inside a tier or added by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub item: String,
    /// With `periods`: the quantity for each period (always [`Quantity::Fixed`]).
    pub quantity: Quantity,
    /// For an item priced per period: count the periods this way and put `quantity` on the
    /// quote for each.
    pub periods: Option<PeriodCount>,
}

/// A price that follows the months a tier runs (the until-the-end tier: the months left),
/// between a floor and a cap: `start + per_month × months`, at least `at_least`, at most
/// `at_most`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthsPrice {
    pub start: Decimal,
    pub per_month: Decimal,
    pub at_least: Option<Decimal>,
    pub at_most: Option<Decimal>,
}

impl MonthsPrice {
    /// The price for a tier that runs `months` months.
    pub fn price(&self, months: u32) -> Decimal {
        let mut price = self.start + self.per_month * Decimal::from(months);
        if let Some(floor) = self.at_least {
            price = price.max(floor);
        }
        if let Some(cap) = self.at_most {
            price = price.min(cap);
        }
        price
    }
}

/// A package tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub duration: TierDuration,
    pub lines: Vec<Component>,
    /// The package price for its standard composition, when it differs from the sum of parts.
    pub bundle_price: Option<Decimal>,
    /// The package price by the months the tier runs (instead of `bundle_price`).
    pub bundle_by_months: Option<MonthsPrice>,
    /// The least this tier costs excl. BTW; a line lifts a lower sum to it.
    pub minimum_price: Option<Decimal>,
    /// The phases of the trajectory, in plain words.
    pub phases: Vec<Text>,
    /// This tier's own payment schedule (else the catalog's).
    pub payment: Option<PaymentTerms>,
    /// This tier's own success fee (else the catalog's, if any).
    pub success_fee: Option<SuccessFeeTerms>,
}

impl Tier {
    /// The package price for a run of `months` months, if the tier has one.
    pub fn bundle_for(&self, months: u32) -> Option<Decimal> {
        self.bundle_price
            .or_else(|| self.bundle_by_months.map(|p| p.price(months)))
    }
}

/// A rule that recommends a tier. Tier rules are tried in order; the first match wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRule {
    pub id: String,
    pub when: Condition,
    pub tier: String,
    pub reason: Text,
}

/// A rule that adds or scales line items. Within a group the first match wins; groups apply
/// independently (schooling and intensity, say), in the order their first rule appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRule {
    pub id: String,
    pub group: String,
    pub when: Condition,
    pub add: Vec<Component>,
    pub scale: Vec<Scale>,
    pub reason: Text,
}

/// Multiply the quantity of an item already on the quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    pub item: String,
    pub factor: Decimal,
}
