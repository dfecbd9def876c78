//! Finance exports: the pricing table of a catalog version and the quote register, as CSV (two
//! dialects), XLSX and JSON.
//!
//! Pure: rows are built from the pricing core and from quote records, and written to any
//! `std::io::Write`. The HTTP handlers and the command line feed them (the register from a
//! database stream, see [`write`]) and say where the bytes go.
//!
//! One shape for every table: typed rows (`serde` for JSON) that also turn into [`Cell`]s under
//! [`Column`]s, which the CSV and XLSX writers read. Amounts stay `Decimal` (as [`Money`]) up to
//! the writer; only the XLSX cell takes an `f64`.

pub mod catalog_diff;
pub mod csv;
pub mod invoicing;
pub mod pricing;
pub mod register;
pub(crate) mod service;
pub mod tables;
pub mod write;
pub mod xlsx;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::Language;
use crate::pricing::Money;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json => "json",
        }
    }
}

/// How numbers, separators and words are written.
///
/// `nl`: `;` between fields, decimal comma, UTF-8 with a byte-order mark (so Excel with Dutch
/// settings opens a CSV right), Dutch headers and texts, dates `dd-mm-jjjj` in XLSX.
/// `intl`: RFC 4180 (`,`, CRLF, quotes where needed), decimal point, no BOM, English headers and
/// texts. Dates in CSV are ISO `YYYY-MM-DD` in both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    #[default]
    Nl,
    Intl,
}

impl Dialect {
    /// The language of headers and catalog texts.
    pub fn language(self) -> Language {
        match self {
            Dialect::Nl => Language::Nl,
            Dialect::Intl => Language::En,
        }
    }
}

/// What a column holds; it decides how the writers format its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text from the catalog or the service itself.
    Text,
    /// Text that people typed (company names): neutralised against formula injection.
    UserText,
    /// Euros with two decimals.
    Money,
    /// A decimal number (quantities, rates), as short as it is exact: 1.5, 21.
    Number,
    /// A change in percent, always with two decimals: 4.00, -14.79.
    Percentage,
    /// A whole number (revisions, months).
    Integer,
    Date,
}

/// A column of an export table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The field name in JSON.
    pub key: String,
    /// The header in CSV and XLSX.
    pub label: String,
    pub kind: Kind,
    /// Width in XLSX, in characters.
    pub width: f64,
    /// Long text: wrapped in XLSX (the row grows) instead of cut off.
    pub wrap: bool,
}

impl Column {
    pub fn new(key: impl Into<String>, label: impl Into<String>, kind: Kind, width: f64) -> Self {
        Column {
            key: key.into(),
            label: label.into(),
            kind,
            width,
            wrap: false,
        }
    }

    /// The same column with its text wrapped in XLSX.
    pub fn wrapped(self) -> Column {
        Column { wrap: true, ..self }
    }
}

/// One cell of a row, typed; `Empty` for nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Money(Money),
    Number(Decimal),
    Integer(i64),
    Date(NaiveDate),
}

impl From<Option<NaiveDate>> for Cell {
    fn from(date: Option<NaiveDate>) -> Cell {
        date.map_or(Cell::Empty, Cell::Date)
    }
}

/// A row of cells; a total row is bold in XLSX.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub bold: bool,
}

impl Row {
    pub fn plain(cells: Vec<Cell>) -> Row {
        Row { cells, bold: false }
    }
}

/// A table: a named part of an export (one CSV file, one XLSX sheet).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet name in XLSX (at most 31 characters).
    pub name: String,
    pub columns: Vec<Column>,
}

/// Whether a spreadsheet would read `text` as a formula (or a DDE call): it starts with `=`,
/// `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip before those).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text typed by people, made inert for a spreadsheet: a leading `'` when it looks like a
/// formula. (XLSX keeps the text as written and marks the cell as text instead; see
/// [`xlsx`].)
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Words of the exports in both languages.
pub(crate) fn word(language: Language, nl: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::Nl => nl,
        Language::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_formula_starts_are_neutralised() {
        for (input, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+31 30 123", "'+31 30 123"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("Bakkerij De Korenschoof", "Bakkerij De Korenschoof"),
            ("A=B", "A=B"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), expected, "{input}");
        }
    }
}
