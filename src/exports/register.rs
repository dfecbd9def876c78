//! The quote register: one row per stored quote revision (every status, drafts and superseded
//! revisions included unless a filter says otherwise) with its amounts and BTW per rate.
//!
//! The BTW columns are fixed before the first row (the register streams): one base and one BTW
//! column for every rate of every loaded catalog version, highest first (21% and 0% with the
//! default catalog). Dates are UTC days, as the `from`/`to` filters count them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::xlsx::Properties;
use super::{Cell, Column, Kind, Row, Sheet, word};
use crate::catalog::{CatalogSet, Language};
use crate::clock::amsterdam;
use crate::pricing::Money;
use crate::quotes::consent::{ConsentStatus, EmployeeConsent};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::RegisterEntry;

/// Which quotes the register holds. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegisterFilter {
    /// Created on or after this day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Only quotes in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

impl RegisterFilter {
    /// The download name without extension: `offertes-2026-11` for a calendar month,
    /// `offertes-2026` for a year, else the days (`offertes-2026-11-01-tot-2026-11-15`,
    /// `offertes-vanaf-…`, `offertes-tot-…`, `offertes-alle`), then the status if any.
    pub fn file_stem(&self) -> String {
        let period = period_name(self.from, self.to);
        match self.status {
            Some(status) => format!("offertes-{period}-{status}"),
            None => format!("offertes-{period}"),
        }
    }
}

/// How a download names the period it covers: `2026-11` for a calendar month, `2026` for a
/// year, else the days (`2026-11-01-tot-2026-11-15`, `vanaf-…`, `tot-…`), `alle` for no bounds.
pub fn period_name(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (Some(from), Some(to)) if from.day() == 1 && Some(to) == last_of_month(from) => {
            format!("{:04}-{:02}", from.year(), from.month())
        }
        (Some(from), Some(to))
            if from.ordinal() == 1
                && to.year() == from.year()
                && to.month() == 12
                && to.day() == 31 =>
        {
            format!("{:04}", from.year())
        }
        (Some(from), Some(to)) => format!("{from}-tot-{to}"),
        (Some(from), None) => format!("vanaf-{from}"),
        (None, Some(to)) => format!("tot-{to}"),
        (None, None) => "alle".into(),
    }
}

/// The creation times a `from`..`to` day filter covers: from the start of `from` (UTC) up to,
/// not including, the start of the day after `to`.
pub fn created_range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start_of = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    (
        from.map(start_of),
        to.and_then(|d| d.succ_opt()).map(start_of),
    )
}

impl RegisterFilter {
    /// The creation times the filter covers (see [`created_range`]).
    pub fn created_range(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        created_range(self.from, self.to)
    }

    /// XLSX document properties of a register with this filter: the title, the filter, the
    /// bureau and every loaded catalog version.
    pub fn properties(
        &self,
        catalogs: &CatalogSet,
        language: Language,
        today: NaiveDate,
    ) -> Properties {
        Properties {
            title: word(language, "Offerteregister", "Quote register").into(),
            subject: self.file_stem(),
            company: catalogs
                .in_force(today)
                .map(|c| c.bureau.name.clone())
                .unwrap_or_default(),
            catalog_version: catalogs
                .versions()
                .iter()
                .map(|c| format!("{} ({})", c.version, c.valid_from))
                .collect::<Vec<_>>()
                .join(", "),
            custom: Vec::new(),
        }
    }
}

fn last_of_month(day: NaiveDate) -> Option<NaiveDate> {
    let next = day
        .with_day(1)?
        .checked_add_months(chrono::Months::new(1))?;
    next.pred_opt()
}

/// The base and BTW at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateAmounts {
    #[schema(value_type = String, example = "21")]
    pub rate: Decimal,
    /// The lines at this rate, excl. BTW.
    pub base: Money,
    pub vat: Money,
}

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegisterRow {
    #[schema(example = "OFF-2026-00042")]
    pub number: String,
    pub revision: i64,
    /// The day the revision was made (UTC).
    pub created_on: NaiveDate,
    pub status: Status,
    /// The employer's company name, as typed.
    pub employer: String,
    #[schema(example = "m6")]
    pub tier: String,
    #[schema(example = "2024.1")]
    pub catalog_version: String,
    pub excl_vat: Money,
    /// One entry per rate of the export (`vat_rates`), zero where the quote has none.
    pub vat_by_rate: Vec<RateAmounts>,
    pub vat: Money,
    pub incl_vat: Money,
    /// The fee due only on placement, excl. BTW, when the quote has one. Contingent: not in
    /// the amounts before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_fee_excl_vat: Option<Money>,
    /// The success fee's own BTW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_fee_vat: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_fee_incl_vat: Option<Money>,
    pub valid_until: NaiveDate,
    /// The day it was accepted or declined (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
    /// The employee's consent to deducting the costs from the transitievergoeding.
    #[serde(flatten)]
    pub consent: ConsentColumns,
}

/// The employee's consent to deducting a quote's costs from the transitievergoeding, as the
/// rows of finance's exports (the register, the expected invoicing) show it, so payroll deducts
/// only what may be deducted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentColumns {
    /// Shown once consent was asked or the quote accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_consent: Option<ConsentStatus>,
    /// The day (Dutch) the employee answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_consent_on: Option<NaiveDate>,
    /// The trajectory started before consent was given: costs made before it do not count.
    #[serde(default)]
    pub started_before_consent: bool,
    /// The first day whose costs may be deducted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductible_from: Option<NaiveDate>,
}

impl ConsentColumns {
    pub fn of(consent: Option<&EmployeeConsent>) -> ConsentColumns {
        ConsentColumns {
            employee_consent: consent.map(|c| c.status),
            employee_consent_on: consent
                .and_then(|c| c.at)
                .map(|at| amsterdam(at).date_naive()),
            started_before_consent: consent.is_some_and(|c| c.started_before_consent),
            deductible_from: consent.and_then(|c| c.deductible_from),
        }
    }

    /// The columns, in the exports' language.
    pub(crate) fn columns(language: Language) -> [Column; 4] {
        let w = |nl, en| word(language, nl, en);
        [
            Column::new(
                "employee_consent",
                w("Toestemming werknemer", "Employee consent"),
                Kind::Text,
                20.0,
            ),
            Column::new(
                "employee_consent_on",
                w("Toestemming op", "Consent on"),
                Kind::Date,
                14.0,
            ),
            Column::new(
                "started_before_consent",
                w("Gestart vóór toestemming", "Started before consent"),
                Kind::Text,
                22.0,
            ),
            Column::new(
                "deductible_from",
                w("Aftrekbaar vanaf", "Deductible from"),
                Kind::Date,
                16.0,
            ),
        ]
    }

    /// The cells under [`ConsentColumns::columns`]: the status and the flag as their wire
    /// words (`given`, `true`), empty where the quote shows no consent.
    pub(crate) fn cells(&self) -> [Cell; 4] {
        let Some(status) = self.employee_consent else {
            return [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty];
        };
        [
            Cell::Text(status.as_str().into()),
            Cell::from(self.employee_consent_on),
            Cell::Text(self.started_before_consent.to_string()),
            Cell::from(self.deductible_from),
        ]
    }
}

/// The register as JSON: the filters, the BTW rates of the columns, the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegisterExport {
    pub filters: RegisterFilter,
    /// Language of the texts.
    pub language: Language,
    #[schema(value_type = Vec<String>, example = json!(["21", "0"]))]
    pub vat_rates: Vec<Decimal>,
    pub rows: Vec<RegisterRow>,
}

/// The layout of a register: its language and BTW rate columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub language: Language,
    pub vat_rates: Vec<Decimal>,
}

impl Register {
    /// Every rate of every loaded catalog version, highest first.
    pub fn new(catalogs: &CatalogSet, language: Language) -> Register {
        let mut rates: Vec<Decimal> = catalogs
            .versions()
            .iter()
            .flat_map(|c| c.vat.values().map(|v| v.rate.normalize()))
            .collect();
        rates.sort_unstable_by(|a, b| b.cmp(a));
        rates.dedup();
        Register {
            language,
            vat_rates: rates,
        }
    }

    pub fn sheet(&self) -> Sheet {
        let w = |nl, en| word(self.language, nl, en);
        let mut columns = vec![
            Column::new("number", w("Nummer", "Number"), Kind::Text, 17.0),
            Column::new("revision", w("Revisie", "Revision"), Kind::Integer, 9.0),
            Column::new("created_on", w("Gemaakt op", "Created"), Kind::Date, 12.0),
            Column::new("status", w("Status", "Status"), Kind::Text, 11.0),
            Column::new("employer", w("Werkgever", "Employer"), Kind::UserText, 44.0),
            Column::new("tier", w("Pakket", "Tier"), Kind::Text, 10.0),
            Column::new(
                "catalog_version",
                w("Prijslijst", "Catalog"),
                Kind::Text,
                10.0,
            ),
            Column::new("excl_vat", w("Excl. btw", "Excl. VAT"), Kind::Money, 15.0),
        ];
        for rate in &self.vat_rates {
            columns.push(Column::new(
                format!("base_{rate}"),
                format!("{} {rate}%", w("Grondslag", "Base")),
                Kind::Money,
                15.0,
            ));
            columns.push(Column::new(
                format!("vat_{rate}"),
                format!("{} {rate}%", w("Btw", "VAT")),
                Kind::Money,
                13.0,
            ));
        }
        columns.extend([
            Column::new("vat", w("Btw totaal", "VAT total"), Kind::Money, 13.0),
            Column::new("incl_vat", w("Incl. btw", "Incl. VAT"), Kind::Money, 15.0),
            Column::new(
                "success_fee_excl_vat",
                w("Succesfee excl. btw", "Success fee excl. VAT"),
                Kind::Money,
                15.0,
            ),
            Column::new(
                "success_fee_vat",
                w("Succesfee btw", "Success fee VAT"),
                Kind::Money,
                13.0,
            ),
            Column::new(
                "success_fee_incl_vat",
                w("Succesfee incl. btw", "Success fee incl. VAT"),
                Kind::Money,
                15.0,
            ),
            Column::new(
                "valid_until",
                w("Geldig tot", "Valid until"),
                Kind::Date,
                12.0,
            ),
            Column::new(
                "decided_on",
                w("Geaccepteerd/afgewezen", "Accepted/declined"),
                Kind::Date,
                24.0,
            ),
        ]);
        columns.extend(ConsentColumns::columns(self.language));
        Sheet {
            name: w("Offertes", "Quotes").into(),
            columns,
        }
    }

    /// The row of one stored quote.
    pub fn row(&self, entry: RegisterEntry) -> RegisterRow {
        let vat_by_rate = self
            .vat_rates
            .iter()
            .map(|rate| {
                let at_rate = entry
                    .totals
                    .vat_breakdown
                    .iter()
                    .filter(|v| v.rate.normalize() == *rate);
                RateAmounts {
                    rate: *rate,
                    base: at_rate.clone().map(|v| v.base).sum(),
                    vat: at_rate.map(|v| v.vat).sum(),
                }
            })
            .collect();
        RegisterRow {
            number: entry.number,
            revision: entry.revision,
            created_on: entry.created_at.date_naive(),
            status: entry.status,
            employer: entry.employer,
            tier: entry.tier,
            catalog_version: entry.catalog_version,
            excl_vat: entry.totals.excl_vat,
            vat_by_rate,
            vat: entry.totals.vat,
            incl_vat: entry.totals.incl_vat,
            success_fee_excl_vat: entry.success_fee.as_ref().map(|f| f.excl_vat),
            success_fee_vat: entry.success_fee.as_ref().map(|f| f.vat),
            success_fee_incl_vat: entry.success_fee.as_ref().map(|f| f.incl_vat),
            valid_until: entry.valid_until,
            decided_on: entry.decided_at.map(|d| d.date_naive()),
            consent: ConsentColumns::of(entry.employee_consent.as_ref()),
        }
    }
}

impl RegisterRow {
    /// The cells under [`Register::sheet`]'s columns.
    pub fn cells(&self) -> Row {
        let money = |m: Option<Money>| m.map_or(Cell::Empty, Cell::Money);
        let mut cells = vec![
            Cell::Text(self.number.clone()),
            Cell::Integer(self.revision),
            Cell::Date(self.created_on),
            Cell::Text(self.status.as_str().into()),
            Cell::Text(self.employer.clone()),
            Cell::Text(self.tier.clone()),
            Cell::Text(self.catalog_version.clone()),
            Cell::Money(self.excl_vat),
        ];
        for amounts in &self.vat_by_rate {
            cells.push(Cell::Money(amounts.base));
            cells.push(Cell::Money(amounts.vat));
        }
        cells.extend([
            Cell::Money(self.vat),
            Cell::Money(self.incl_vat),
            money(self.success_fee_excl_vat),
            money(self.success_fee_vat),
            money(self.success_fee_incl_vat),
            Cell::Date(self.valid_until),
            Cell::from(self.decided_on),
        ]);
        cells.extend(self.consent.cells());
        Row::plain(cells)
    }
}

#[cfg(test)]
mod tests;
