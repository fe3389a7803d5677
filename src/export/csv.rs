//! CSV: one file per table (RFC 4180, UTF-8 with a byte-order mark so that Excel reads accents),
//! or all of them in a zip.

use std::io::Write;

use super::tables::{Cell, Table};
use crate::domain::rfc3339;

/// The byte-order mark that tells spreadsheets the file is UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn table(table: &Table) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    let written = writer
        .write_record(table.columns)
        .and_then(|()| {
            table
                .rows
                .iter()
                .try_for_each(|row| writer.write_record(row.iter().map(text)))
        })
        .and_then(|()| writer.flush().map_err(Into::into));
    written.expect("writing to memory does not fail");
    writer.into_inner().expect("flushed above")
}

/// Every table as `name.csv` in one zip.
pub fn zip(tables: &[Table]) -> zip::result::ZipResult<Vec<u8>> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for t in tables {
        archive.start_file(format!("{}.csv", t.name), options)?;
        archive.write_all(&table(t))?;
    }
    Ok(archive.finish()?.into_inner())
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => neutralise(s),
        Cell::Int(n) => n.to_string(),
        Cell::Float(x) => x.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Time(ms) => rfc3339(*ms),
        Cell::Empty => String::new(),
    }
}

/// Participants type their own names: a text a spreadsheet would run as a formula gets a
/// leading apostrophe (OWASP's advice against CSV injection).
fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_written_by_type_and_formulas_are_defused() {
        let t = Table {
            name: "t",
            columns: &["a", "b", "c", "d", "e"],
            rows: vec![vec![
                Cell::Text("=HYPERLINK(\"x\")".into()),
                Cell::Int(3),
                Cell::Float(2.5),
                Cell::Time(0),
                Cell::Text("Zoé, \"Zaza\"".into()),
            ]],
        };
        let bytes = table(&t);
        assert!(bytes.starts_with(BOM));
        assert_eq!(
            std::str::from_utf8(&bytes[3..]).unwrap(),
            "a,b,c,d,e\n\"'=HYPERLINK(\"\"x\"\")\",3,2.5,1970-01-01T00:00:00Z,\"Zoé, \"\"Zaza\"\"\"\n"
        );
    }
}
