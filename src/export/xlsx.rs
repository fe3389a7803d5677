//! XLSX: one sheet per table, typed cells (numbers, booleans, dates in UTC), a bold frozen
//! header with filters, columns fitted to their content.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::headers::header as column;
use super::locale::Locale;
use super::tables::{Cell, Table};

/// Excel holds at most this many UTF-16 units in a cell (a longer string is an error).
const MAX_CELL_UNITS: usize = 32_767;

/// Days from Excel's epoch (1899-12-30) to the Unix epoch.
const UNIX_EPOCH_IN_EXCEL_DAYS: f64 = 25_569.0;
const MS_PER_DAY: f64 = 86_400_000.0;

/// Every table as a sheet; `people` names the columns in their language and puts times on
/// their clock (without it: machine names and UTC).
pub fn workbook(tables: &[Table], people: Option<&Locale>) -> Result<Vec<u8>, XlsxError> {
    let offset_ms = people.map_or(0, |locale| i64::from(locale.offset_min) * 60_000);
    let header = Format::new().set_bold();
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut book = Workbook::new();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name)?;
        for (col, name) in table.columns.iter().enumerate() {
            let name = people.map_or_else(|| (*name).to_owned(), |locale| column(name, locale));
            sheet.write_string_with_format(0, col as u16, name, &header)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let c = col as u16;
                match cell {
                    // Always a string cell, never a formula, whatever it starts with.
                    Cell::Text(s) => sheet.write_string(r, c, within_cell_limit(s))?,
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64)?,
                    Cell::Float(x) => sheet.write_number(r, c, *x)?,
                    Cell::Bool(b) => sheet.write_boolean(r, c, *b)?,
                    Cell::Time(ms) => sheet.write_number_with_format(
                        r,
                        c,
                        UNIX_EPOCH_IN_EXCEL_DAYS + (ms + offset_ms) as f64 / MS_PER_DAY,
                        &time,
                    )?,
                    Cell::Empty => sheet,
                };
            }
        }
        sheet.autofit();
        sheet.set_freeze_panes(1, 0)?;
        let last_col = table.columns.len().saturating_sub(1) as u16;
        sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    }
    // Level 3 writes a large session's workbook about a third faster for a 10 % larger file.
    book.set_zip_compression_level(3);
    book.save_to_buffer()
}

/// `text` cut to what a cell holds, at a character boundary: a tldraw page's name, for one, has
/// no length limit, and a report must not fail over it (the CSV and JSON keep it whole).
fn within_cell_limit(text: &str) -> &str {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_UNITS {
            return &text[..at];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_excels_cell_limit_on_a_character_boundary() {
        assert_eq!(within_cell_limit("=1+1"), "=1+1");
        let accents = "é".repeat(MAX_CELL_UNITS + 10);
        assert_eq!(within_cell_limit(&accents).chars().count(), MAX_CELL_UNITS);
        let emoji = "😀".repeat(20_000);
        assert_eq!(within_cell_limit(&emoji), "😀".repeat(16_383));
        let table = Table {
            name: "t",
            columns: &["text"],
            rows: vec![vec![Cell::Text(emoji)], vec![Cell::Text("=SUM(A1)".into())]],
        };
        assert!(
            workbook(&[table], None).is_ok(),
            "a long text still makes a workbook"
        );
    }
}
