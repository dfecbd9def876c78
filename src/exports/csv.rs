//! CSV with the `csv` crate, one table per file, in two dialects (see [`Dialect`]). Records end
//! in CRLF (RFC 4180; Excel reads it in both dialects). Fields are quoted only when they must be.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Cell, Dialect, Kind, Sheet, neutralise};

/// The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only when it starts with one.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV table being written: the header is out, rows follow.
pub struct CsvTable<W: Write> {
    writer: csv::Writer<W>,
    dialect: Dialect,
    kinds: Vec<Kind>,
}

impl<W: Write> CsvTable<W> {
    /// Writes the BOM (dialect `nl`) and the header row.
    pub fn new(mut out: W, dialect: Dialect, sheet: &Sheet) -> io::Result<CsvTable<W>> {
        let delimiter = match dialect {
            Dialect::Nl => {
                out.write_all(BOM)?;
                b';'
            }
            Dialect::Intl => b',',
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(sheet.columns.iter().map(|c| c.label.as_str()))?;
        Ok(CsvTable {
            writer,
            dialect,
            kinds: sheet.columns.iter().map(|c| c.kind).collect(),
        })
    }

    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.kinds.len(), "one cell per column");
        let fields = cells
            .iter()
            .zip(&self.kinds)
            .map(|(cell, kind)| field(cell, *kind, self.dialect).into_owned());
        self.writer.write_record(fields)?;
        Ok(())
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// One field as text: numbers with the dialect's decimal mark (no thousands separator), dates
/// ISO, people's text neutralised.
pub fn field(cell: &Cell, kind: Kind, dialect: Dialect) -> Cow<'_, str> {
    let number = |text: String| -> Cow<'_, str> {
        match dialect {
            Dialect::Nl => text.replace('.', ",").into(),
            Dialect::Intl => text.into(),
        }
    };
    match cell {
        Cell::Empty => "".into(),
        Cell::Text(text) if kind == Kind::UserText => neutralise(text),
        Cell::Text(text) => text.as_str().into(),
        Cell::Money(money) => number(money.to_string()),
        Cell::Number(value) if kind == Kind::Percentage => {
            // Rounded where it is computed; here only shown with two decimals.
            let mut value = *value;
            value.rescale(2);
            number(value.to_string())
        }
        Cell::Number(value) => number(value.normalize().to_string()),
        Cell::Integer(value) => value.to_string().into(),
        Cell::Date(date) => date.format("%Y-%m-%d").to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::Column;
    use crate::pricing::Money;

    fn sheet() -> Sheet {
        Sheet {
            name: "t".into(),
            columns: vec![
                Column::new("employer", "Werkgever", Kind::UserText, 10.0),
                Column::new("amount", "Bedrag; excl.", Kind::Money, 10.0),
                Column::new("quantity", "Aantal", Kind::Number, 10.0),
                Column::new("date", "Datum", Kind::Date, 10.0),
            ],
        }
    }

    fn row() -> Vec<Cell> {
        vec![
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Money(Money::round("-1975.5".parse().unwrap())),
            Cell::Number("1.50".parse().unwrap()),
            Cell::Date("2026-11-22".parse().unwrap()),
        ]
    }

    fn write(dialect: Dialect) -> String {
        let mut table = CsvTable::new(Vec::new(), dialect, &sheet()).unwrap();
        table.row(&row()).unwrap();
        String::from_utf8(table.finish().unwrap()).unwrap()
    }

    #[test]
    fn dutch_dialect_has_a_bom_semicolons_and_decimal_commas() {
        assert_eq!(
            write(Dialect::Nl),
            "\u{feff}Werkgever;\"Bedrag; excl.\";Aantal;Datum\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\";-1975,50;1,5;2026-11-22\r\n"
        );
    }

    #[test]
    fn a_percentage_keeps_two_decimals_where_a_number_is_as_short_as_exact() {
        for (value, kind, nl, intl) in [
            ("4", Kind::Percentage, "4,00", "4.00"),
            ("-14.79", Kind::Percentage, "-14,79", "-14.79"),
            ("3.370", Kind::Percentage, "3,37", "3.37"),
            ("21.00", Kind::Number, "21", "21"),
            ("1.50", Kind::Number, "1,5", "1.5"),
        ] {
            let cell = Cell::Number(value.parse().unwrap());
            assert_eq!(field(&cell, kind, Dialect::Nl), nl, "{value}");
            assert_eq!(field(&cell, kind, Dialect::Intl), intl, "{value}");
        }
    }

    #[test]
    fn international_dialect_is_rfc_4180() {
        assert_eq!(
            write(Dialect::Intl),
            "Werkgever,Bedrag; excl.,Aantal,Datum\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",-1975.50,1.5,2026-11-22\r\n"
        );
    }
}
