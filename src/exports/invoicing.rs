//! Expected invoicing: what falls due, month by month, from accepted quotes by their payment
//! schedules.
//!
//! An instalment falls due on its payment date (event + payment term). An instalment due on
//! acceptance, and any instalment whose date lies before the acceptance plus the term, falls due
//! at the acceptance plus the term: nothing is due before the employer said yes. A quote stored
//! before schedules existed (an empty schedule) is taken as one instalment of its whole total,
//! due at the acceptance plus the default term, and marked `assumed`. Months run from the first
//! to the last month with anything due (or over `from`..`to` when given), empty months included,
//! so a chart of the series has no holes. Pure: the caller reads the accepted quotes.

use chrono::{Datelike, Days, NaiveDate};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::register::{ConsentColumns, period_name};
use super::xlsx::Properties;
use super::{Cell, Column, ExportFormat, Kind, Row, Sheet, word};
use crate::catalog::Language;
use crate::catalog::terms::PaymentTerms;
use crate::pricing::{InputError, Instalment, Money, Totals};
use crate::quotes::consent::EmployeeConsent;
use crate::quotes::model::ScheduleEntry;

/// An accepted quote, as the invoicing needs it.
#[derive(Debug, Clone)]
pub struct AcceptedQuote<'a> {
    /// The quote's number with its revision, e.g. `OFF-2026-00042-2`.
    pub number: &'a str,
    pub employer: &'a str,
    pub accepted_on: NaiveDate,
    pub schedule: &'a [Instalment],
    /// For a quote without a schedule: the whole quote.
    pub totals: &'a Totals,
    /// The employee's consent to deducting the costs from the transitievergoeding.
    pub consent: Option<&'a EmployeeConsent>,
}

/// One instalment with the date it falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DueRow {
    #[schema(example = "OFF-2026-00042-2")]
    pub number: String,
    pub employer: String,
    pub instalment: String,
    pub due_date: NaiveDate,
    /// `YYYY-MM` of the due date.
    #[schema(example = "2026-12")]
    pub month: String,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
    /// True for a quote without a schedule, taken as due whole on acceptance.
    pub assumed: bool,
    /// The employee's consent to deducting the quote's costs from the transitievergoeding.
    #[serde(flatten)]
    pub consent: ConsentColumns,
}

/// What falls due in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthRow {
    #[schema(example = "2026-12")]
    pub month: String,
    /// Instalments due in the month.
    pub instalments: u32,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
}

/// The expected invoicing: per month, and every instalment behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invoicing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    pub language: Language,
    pub months: Vec<MonthRow>,
    /// By due date, then number, then order in the schedule.
    pub instalments: Vec<DueRow>,
}

/// The years a period may reach: a month row is written for every month between its ends, so
/// a mistyped year (0026, 9999) would otherwise ask for thousands of years of empty months.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;
/// The longest period, in months (ten years).
const LONGEST: u32 = 120;

/// The days a finance export covers, both ends optional: in order, within [`YEARS`], and at
/// most [`LONGEST`] months apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Period {
    /// Refuses ends outside the years, in the wrong order, or too far apart, naming the end.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period, InputError> {
        check_period(from, to)?;
        Ok(Period { from, to })
    }

    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }
}

/// `from` and `to` in order, within [`YEARS`], and at most [`LONGEST`] months apart.
fn check_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), InputError> {
    for (field, day) in [("from", from), ("to", to)] {
        if let Some(day) = day
            && !YEARS.contains(&day.year())
        {
            return Err(InputError::one(
                field,
                "out_of_range",
                format!(
                    "lies outside the years {} to {} ({day})",
                    YEARS.start(),
                    YEARS.end()
                ),
            ));
        }
    }
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(InputError::one(
                "to",
                "before_from",
                format!("lies before `from` ({from})"),
            ));
        }
        let months = (to.year() - from.year()) * 12 + to.month0() as i32 - from.month0() as i32;
        if months >= LONGEST as i32 {
            return Err(InputError::one(
                "to",
                "period_too_long",
                format!(
                    "lies more than {} years after `from` ({from}): ask for a shorter period",
                    LONGEST / 12
                ),
            ));
        }
    }
    Ok(())
}

/// What falls due between `from` and `to` (both included, both optional).
pub fn expected(
    quotes: &[AcceptedQuote<'_>],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    language: Language,
) -> Invoicing {
    let mut expected = Expected::new(from, to, language);
    for quote in quotes {
        expected.add(quote);
    }
    expected.finish()
}

/// The expected invoicing built one quote at a time: only the instalments due inside the period
/// are kept, so a month's export holds that month's instalments, not every accepted quote.
#[derive(Debug, Clone)]
pub struct Expected {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    language: Language,
    /// Due date, quote in order of adding, place in its schedule, the row.
    rows: Vec<(NaiveDate, usize, usize, DueRow)>,
    quotes: usize,
}

impl Expected {
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>, language: Language) -> Expected {
        Expected {
            from,
            to,
            language,
            rows: Vec::new(),
            quotes: 0,
        }
    }

    /// Adds the instalments of one accepted quote that fall due inside the period.
    pub fn add(&mut self, quote: &AcceptedQuote<'_>) {
        let (from, to) = (self.from, self.to);
        for (i, row) in due_rows(quote, self.language).into_iter().enumerate() {
            let inside =
                from.is_none_or(|f| row.due_date >= f) && to.is_none_or(|t| row.due_date <= t);
            if inside {
                self.rows.push((row.due_date, self.quotes, i, row));
            }
        }
        self.quotes += 1;
    }

    /// The instalments by due date, number and place in the schedule, and the months over the
    /// period (or from the first to the last due date), empty months included.
    pub fn finish(mut self) -> Invoicing {
        self.rows.sort_by(|a, b| {
            (a.0, &a.3.number, a.2)
                .cmp(&(b.0, &b.3.number, b.2))
                .then(a.1.cmp(&b.1))
        });
        let instalments: Vec<DueRow> = self.rows.into_iter().map(|(.., row)| row).collect();
        let first = self.from.or(instalments.first().map(|r| r.due_date));
        let last = self.to.or(instalments.last().map(|r| r.due_date));
        let mut months = Vec::new();
        if let (Some(first), Some(last)) = (first, last) {
            // The instalments are in date order: one pass takes each month's run of them.
            let mut next = 0;
            let mut month = first.with_day(1).unwrap_or(first);
            while month <= last {
                let key = month_key(month);
                let start = next;
                while next < instalments.len() && instalments[next].month == key {
                    next += 1;
                }
                let due = &instalments[start..next];
                months.push(MonthRow {
                    month: key,
                    instalments: due.len() as u32,
                    excl_vat: due.iter().map(|r| r.excl_vat).sum(),
                    vat: due.iter().map(|r| r.vat).sum(),
                    incl_vat: due.iter().map(|r| r.incl_vat).sum(),
                });
                match month.checked_add_months(chrono::Months::new(1)) {
                    Some(next_month) => month = next_month,
                    None => break,
                }
            }
        }
        Invoicing {
            from: self.from,
            to: self.to,
            language: self.language,
            months,
            instalments,
        }
    }
}

/// The expected invoicing of a stream of accepted quotes (as the quote service reads them).
pub async fn collect<S, E>(
    entries: S,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    language: Language,
) -> anyhow::Result<Invoicing>
where
    S: Stream<Item = Result<ScheduleEntry, E>>,
    E: Into<anyhow::Error>,
{
    let mut expected = Expected::new(from, to, language);
    let mut entries = std::pin::pin!(entries);
    while let Some(entry) = entries.next().await {
        let entry = entry.map_err(Into::into)?;
        expected.add(&AcceptedQuote::from(&entry));
    }
    Ok(expected.finish())
}

impl<'a> From<&'a ScheduleEntry> for AcceptedQuote<'a> {
    /// The acceptance day is the UTC day of the decision, as the quote register dates it (an
    /// accepted quote without a decision time counts from its last change).
    fn from(entry: &'a ScheduleEntry) -> AcceptedQuote<'a> {
        AcceptedQuote {
            number: &entry.display_number,
            employer: &entry.employer,
            accepted_on: entry.decided_at.unwrap_or(entry.updated_at).date_naive(),
            schedule: &entry.payment_schedule,
            totals: &entry.totals,
            consent: entry.employee_consent.as_ref(),
        }
    }
}

/// A part of the expected invoicing: the table of a CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoicingPart {
    /// Per month: how many instalments and how much falls due.
    Months,
    /// Every instalment with its quote, employer and due date.
    Instalments,
}

impl InvoicingPart {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoicingPart::Months => "months",
            InvoicingPart::Instalments => "instalments",
        }
    }
}

/// The download name: `facturering-<period>` (see [`period_name`]), `-termijnen` for the
/// instalments table alone (CSV), then the extension.
pub fn file_name(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: ExportFormat,
    part: InvoicingPart,
) -> String {
    let suffix = match (format, part) {
        (ExportFormat::Csv, InvoicingPart::Instalments) => "-termijnen",
        _ => "",
    };
    format!(
        "facturering-{}{suffix}.{}",
        period_name(from, to),
        format.extension()
    )
}

impl Invoicing {
    /// XLSX document properties: the title, the period, the bureau, the catalog versions.
    pub fn properties(&self, company: &str, catalog_versions: &str) -> Properties {
        Properties {
            title: word(self.language, "Verwachte facturering", "Expected invoicing").into(),
            subject: format!("facturering-{}", period_name(self.from, self.to)),
            company: company.to_string(),
            catalog_version: catalog_versions.to_string(),
            custom: Vec::new(),
        }
    }
}

fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The instalments of one quote with their due dates.
fn due_rows(quote: &AcceptedQuote<'_>, language: Language) -> Vec<DueRow> {
    let after = |days: u32| {
        quote
            .accepted_on
            .checked_add_days(Days::new(days.into()))
            .unwrap_or(quote.accepted_on)
    };
    let row = |label: String, due: NaiveDate, excl, vat, incl, assumed| DueRow {
        number: quote.number.to_string(),
        employer: quote.employer.to_string(),
        instalment: label,
        due_date: due,
        month: month_key(due),
        excl_vat: excl,
        vat,
        incl_vat: incl,
        assumed,
        consent: ConsentColumns::of(quote.consent),
    };
    if quote.schedule.is_empty() {
        let t = quote.totals;
        return vec![row(
            word(language, "Gehele offerte", "Whole quote").into(),
            after(PaymentTerms::DEFAULT_TERM_DAYS),
            t.excl_vat,
            t.vat,
            t.incl_vat,
            true,
        )];
    }
    quote
        .schedule
        .iter()
        .map(|i| {
            let earliest = after(i.term_days);
            let due = i.due_date.map_or(earliest, |d| d.max(earliest));
            row(i.label.clone(), due, i.excl_vat, i.vat, i.incl_vat, false)
        })
        .collect()
}

impl Invoicing {
    /// The tables for CSV and XLSX: `months` and `instalments`, by their part names.
    pub fn tables(&self) -> Vec<(&'static str, Sheet, Vec<Row>)> {
        let w = |nl, en| word(self.language, nl, en);
        let amount = |key: &str, nl, en| Column::new(key, w(nl, en), Kind::Money, 16.0);
        let months = Sheet {
            name: w("Per maand", "By month").into(),
            columns: vec![
                Column::new("month", w("Maand", "Month"), Kind::Text, 10.0),
                Column::new(
                    "instalments",
                    w("Termijnen", "Instalments"),
                    Kind::Integer,
                    11.0,
                ),
                amount("excl_vat", "Bedrag excl. btw", "Excl. VAT"),
                amount("vat", "Btw", "VAT"),
                amount("incl_vat", "Bedrag incl. btw", "Incl. VAT"),
            ],
        };
        let month_rows = self
            .months
            .iter()
            .map(|m| {
                Row::plain(vec![
                    Cell::Text(m.month.clone()),
                    Cell::Integer(i64::from(m.instalments)),
                    Cell::Money(m.excl_vat),
                    Cell::Money(m.vat),
                    Cell::Money(m.incl_vat),
                ])
            })
            .collect();
        let instalments = Sheet {
            name: w("Termijnen", "Instalments").into(),
            columns: vec![
                Column::new(
                    "number",
                    w("Offertenummer", "Quote number"),
                    Kind::Text,
                    20.0,
                ),
                Column::new("employer", w("Werkgever", "Employer"), Kind::UserText, 34.0),
                Column::new("instalment", w("Termijn", "Instalment"), Kind::Text, 28.0),
                Column::new("due_date", w("Vervaldatum", "Due date"), Kind::Date, 12.0),
                Column::new("month", w("Maand", "Month"), Kind::Text, 10.0),
                amount("excl_vat", "Bedrag excl. btw", "Excl. VAT"),
                amount("vat", "Btw", "VAT"),
                amount("incl_vat", "Bedrag incl. btw", "Incl. VAT"),
                Column::new("assumed", w("Aangenomen", "Assumed"), Kind::Text, 11.0),
            ]
            .into_iter()
            .chain(ConsentColumns::columns(self.language))
            .collect(),
        };
        let yes_no = |b: bool| Cell::Text(if b { w("ja", "yes") } else { w("nee", "no") }.into());
        let instalment_rows = self
            .instalments
            .iter()
            .map(|r| {
                let mut cells = vec![
                    Cell::Text(r.number.clone()),
                    Cell::Text(r.employer.clone()),
                    Cell::Text(r.instalment.clone()),
                    Cell::Date(r.due_date),
                    Cell::Text(r.month.clone()),
                    Cell::Money(r.excl_vat),
                    Cell::Money(r.vat),
                    Cell::Money(r.incl_vat),
                    yes_no(r.assumed),
                ];
                cells.extend(r.consent.cells());
                Row::plain(cells)
            })
            .collect();
        vec![
            ("months", months, month_rows),
            ("instalments", instalments, instalment_rows),
        ]
    }
}

#[cfg(test)]
mod tests;
