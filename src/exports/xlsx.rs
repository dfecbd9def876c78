//! XLSX with `rust_xlsxwriter`: one sheet per table, a bold frozen header row with an
//! autofilter, column widths, amounts as numbers in a euro format, dates as dates, and document
//! properties that name the catalog version.
//!
//! Sheets are written in "constant memory" mode: each row goes to a temporary file as soon as
//! the next one starts, and the finished workbook is zipped straight into the output writer, so
//! a register of any length needs the same memory. Strings are then stored inline in the cells
//! (no shared-string table), which Excel and LibreOffice read as usual.
//!
//! People's text that looks like a formula is written as a string cell (never a formula) with
//! Excel's quote prefix, the cell attribute behind a typed leading `'`: it shows as typed and
//! stays text even when the cell is edited.

use anyhow::{Context, Result};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use std::io::Write;

use super::{Cell, Dialect, Kind, Row, Sheet, looks_like_formula};

/// The euro amount format: `€ 1.975,00` under Dutch settings.
pub const EURO_FORMAT: &str = "[$€-nl-NL] #,##0.00";

/// What the document properties say.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    pub title: String,
    pub subject: String,
    pub company: String,
    /// The catalog version(s), as text.
    pub catalog_version: String,
    /// Further custom properties.
    pub custom: Vec<(String, String)>,
}

/// The cell formats, plain and bold (total rows). Text is indented one step, so it never
/// touches a right-aligned number in the column before it.
struct Formats {
    /// Over text columns and over number columns (right-aligned, like the numbers).
    header: [Format; 2],
    text: [Format; 2],
    /// Long text, wrapped.
    wrapped: [Format; 2],
    number: [Format; 2],
    percentage: [Format; 2],
    money: [Format; 2],
    date: [Format; 2],
    /// Text typed by people that looks like a formula.
    quoted: [Format; 2],
}

impl Formats {
    fn new(dialect: Dialect) -> Formats {
        // Top-aligned, so a row grown by wrapped text still reads as one line.
        let both = |format: Format| {
            let format = format.set_align(FormatAlign::Top);
            [format.clone(), format.set_bold()]
        };
        let date = match dialect {
            Dialect::Nl => "dd-mm-yyyy",
            Dialect::Intl => "yyyy-mm-dd",
        };
        let header = Format::new()
            .set_bold()
            .set_border_bottom(FormatBorder::Thin)
            .set_background_color(0xDDE7F0);
        Formats {
            header: [
                header.clone().set_align(FormatAlign::Left).set_indent(1),
                header.set_align(FormatAlign::Right),
            ],
            text: both(Format::new().set_align(FormatAlign::Left).set_indent(1)),
            wrapped: both(
                Format::new()
                    .set_align(FormatAlign::Left)
                    .set_indent(1)
                    .set_text_wrap(),
            ),
            number: both(Format::new()),
            percentage: both(Format::new().set_num_format("0.00")),
            money: both(Format::new().set_num_format(EURO_FORMAT)),
            date: both(Format::new().set_num_format(date)),
            quoted: both(
                Format::new()
                    .set_align(FormatAlign::Left)
                    .set_indent(1)
                    .set_quote_prefix(),
            ),
        }
    }
}

/// A workbook being written, sheet after sheet, row after row.
pub struct XlsxBook {
    workbook: Workbook,
    formats: Formats,
    /// Per sheet: the number of columns and of rows written (the header included).
    sheets: Vec<(u16, u32)>,
    /// The current sheet's columns: kind and whether wrapped.
    kinds: Vec<(Kind, bool)>,
    /// The current sheet's column widths.
    widths: Vec<f64>,
}

impl XlsxBook {
    pub fn new(dialect: Dialect, properties: &Properties) -> XlsxBook {
        let mut workbook = Workbook::new();
        let mut doc = DocProperties::new()
            .set_title(&properties.title)
            .set_subject(&properties.subject)
            .set_company(&properties.company)
            .set_keywords(format!("catalog {}", properties.catalog_version))
            .set_custom_property("catalog_version", properties.catalog_version.as_str());
        for (name, value) in &properties.custom {
            doc = doc.set_custom_property(name.as_str(), value.as_str());
        }
        workbook.set_properties(&doc);
        XlsxBook {
            workbook,
            formats: Formats::new(dialect),
            sheets: Vec::new(),
            kinds: Vec::new(),
            widths: Vec::new(),
        }
    }

    /// Starts a sheet: name, widths, the bold header row, frozen.
    pub fn sheet(&mut self, sheet: &Sheet) -> Result<()> {
        let columns = u16::try_from(sheet.columns.len()).context("too many columns")?;
        let worksheet = self
            .workbook
            .add_worksheet_with_constant_memory()
            .context("creating a worksheet (its temporary file)")?;
        worksheet.set_name(&sheet.name)?;
        for (i, column) in (0u16..).zip(&sheet.columns) {
            worksheet.set_column_width(i, column.width)?;
            let numeric = !matches!(column.kind, Kind::Text | Kind::UserText);
            let header = &self.formats.header[usize::from(numeric)];
            worksheet.write_string_with_format(0, i, &column.label, header)?;
        }
        worksheet.set_freeze_panes(1, 0)?;
        // Printed: A4 landscape, all columns on the width of a page, the header on every page,
        // page numbers in the footer.
        worksheet
            .set_paper_size(9)
            .set_landscape()
            .set_print_fit_to_pages(1, 0)
            .set_footer("&L&A&R&P / &N");
        worksheet.set_repeat_rows(0, 0)?;
        self.kinds = sheet.columns.iter().map(|c| (c.kind, c.wrap)).collect();
        self.widths = sheet.columns.iter().map(|c| c.width).collect();
        self.sheets.push((columns, 1));
        Ok(())
    }

    /// Writes the next row of the current sheet.
    pub fn row(&mut self, row: &Row) -> Result<()> {
        let index = self
            .sheets
            .len()
            .checked_sub(1)
            .context("no sheet started")?;
        let number = self.sheets[index].1;
        let bold = usize::from(row.bold);
        let worksheet = self.workbook.worksheet_from_index(index)?;
        for ((col, cell), (kind, wrap)) in (0u16..).zip(&row.cells).zip(&self.kinds) {
            let style = Style {
                kind: *kind,
                wrap: *wrap,
                bold,
            };
            write_cell(worksheet, &self.formats, number, col, cell, style).map_err(
                |e| match e {
                    rust_xlsxwriter::XlsxError::RowColumnLimitError => anyhow::anyhow!(
                        "more rows than a spreadsheet holds (1,048,576): export CSV or narrow the filters"
                    ),
                    e => e.into(),
                },
            )?;
        }
        // Spreadsheets do not all grow a row for wrapped text on opening: set its height.
        let lines = row
            .cells
            .iter()
            .zip(&self.kinds)
            .zip(&self.widths)
            .filter(|((_, (_, wrap)), _)| *wrap)
            .map(|((cell, _), width)| match cell {
                Cell::Text(text) => wrapped_lines(text, *width),
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        if lines > 1 {
            worksheet.set_row_height(number, 15.0 * f64::from(lines))?;
        }
        self.sheets[index].1 += 1;
        Ok(())
    }

    /// Adds the autofilters and zips the workbook into `out`.
    pub fn finish<W: Write + Send>(mut self, out: W) -> Result<()> {
        for (index, (columns, rows)) in self.sheets.iter().enumerate() {
            let worksheet = self.workbook.worksheet_from_index(index)?;
            worksheet.autofilter(0, 0, rows - 1, columns.saturating_sub(1))?;
        }
        self.workbook
            .save_to_writer(out)
            .context("writing the workbook")?;
        Ok(())
    }
}

/// About how many lines `text` takes in a wrapped column `width` characters wide (breaking
/// at spaces; a little narrower than the width for the indent and proportional letters).
fn wrapped_lines(text: &str, width: f64) -> u32 {
    // Widths are small positive numbers of characters.
    let room = (width - 3.0).max(8.0) as usize;
    let mut lines = 1u32;
    let mut used = 0usize;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        if used > 0 && used + 1 + length > room {
            lines += 1;
            used = length;
        } else {
            used += if used > 0 { 1 } else { 0 } + length;
        }
    }
    lines
}

/// How a cell is written: its column's kind, wrapping, and bold (index 1) or not.
#[derive(Clone, Copy)]
struct Style {
    kind: Kind,
    wrap: bool,
    bold: usize,
}

fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &Cell,
    style: Style,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let Style { kind, wrap, bold } = style;
    match cell {
        Cell::Empty if bold == 1 => {
            sheet.write_blank(row, col, &formats.text[bold])?;
        }
        Cell::Empty => {}
        Cell::Text(text) if kind == Kind::UserText && looks_like_formula(text) => {
            sheet.write_string_with_format(row, col, text, &formats.quoted[bold])?;
        }
        Cell::Text(text) if wrap => {
            sheet.write_string_with_format(row, col, text, &formats.wrapped[bold])?;
        }
        Cell::Text(text) => {
            sheet.write_string_with_format(row, col, text, &formats.text[bold])?;
        }
        Cell::Money(money) => {
            sheet.write_number_with_format(
                row,
                col,
                float(money.amount()),
                &formats.money[bold],
            )?;
        }
        Cell::Number(value) => {
            let format = match kind {
                Kind::Percentage => &formats.percentage[bold],
                _ => &formats.number[bold],
            };
            sheet.write_number_with_format(row, col, float(*value), format)?;
        }
        Cell::Integer(value) => {
            // Whole numbers here (revisions, months) are far below 2^53: exact as f64.
            let value = *value as f64;
            sheet.write_number_with_format(row, col, value, &formats.number[bold])?;
        }
        Cell::Date(date) => {
            sheet.write_date_with_format(row, col, *date, &formats.date[bold])?;
        }
    }
    Ok(())
}

/// The one place a `Decimal` becomes an `f64`: at the spreadsheet cell. Amounts of cents below
/// 2^53 convert to the nearest double, which Excel shows (and rounds back) exactly.
fn float(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}
