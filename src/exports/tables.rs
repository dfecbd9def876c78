//! Writing any export made of named tables (the catalog diff, the expected invoicing) in its
//! format: JSON as the typed value, a CSV as one of its tables, an XLSX with a sheet per table.

use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;

use super::csv::CsvTable;
use super::xlsx::{Properties, XlsxBook};
use super::{Dialect, ExportFormat, Row, Sheet};

/// Writes `value` (JSON) or its `tables` (CSV: the one named `csv_part`; XLSX: all).
pub fn write<T: Serialize, W: Write + Send>(
    value: &T,
    tables: &[(&str, Sheet, Vec<Row>)],
    format: ExportFormat,
    dialect: Dialect,
    csv_part: &str,
    properties: &Properties,
    mut out: W,
) -> Result<()> {
    match format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            out.write_all(b"\n")?;
        }
        ExportFormat::Csv => {
            let (_, sheet, rows) = tables
                .iter()
                .find(|(part, ..)| *part == csv_part)
                .with_context(|| format!("the export has no part `{csv_part}`"))?;
            let mut table = CsvTable::new(&mut out, dialect, sheet)?;
            for row in rows {
                table.row(&row.cells)?;
            }
            table.finish()?;
        }
        ExportFormat::Xlsx => {
            let mut book = XlsxBook::new(dialect, properties);
            for (_, sheet, rows) in tables {
                book.sheet(sheet)?;
                for row in rows {
                    book.row(row)?;
                }
            }
            book.finish(&mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}
