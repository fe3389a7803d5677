//! CSV: one file per table (RFC 4180, UTF-8 with a byte-order mark so that Excel reads accents),
//! or all of them in a zip.

use std::io::Write;

use super::headers::header;
use super::locale::Locale;
use super::tables::{Cell, Table};
use crate::domain::rfc3339;

/// The byte-order mark that tells spreadsheets the file is UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One table; `people` names its columns in their language and shows times on their clock
/// (without it: machine names and UTC).
pub fn table(table: &Table, people: Option<&Locale>) -> Vec<u8> {
    let mut out = BOM.to_vec();
    let header: Vec<String> = (table.columns.iter())
        .map(|c| people.map_or_else(|| (*c).to_owned(), |locale| header(c, locale)))
        .collect();
    record(&mut out, &header);
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|cell| text(cell, people)).collect();
        record(&mut out, &cells);
    }
    out
}

/// One line: fields separated by `,`, quoted when they must be (RFC 4180: a separator, a quote
/// or a line break inside; `""` for a line of one empty field), ended by `\n`.
fn record(out: &mut Vec<u8>, fields: &[String]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if needs_quotes(field) || (fields.len() == 1 && field.is_empty()) {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.push(b'\n');
}

/// RFC 4180's reasons to quote, and one more: spreadsheets set to a French (or German, …)
/// locale split unquoted CSV lines at `;`, so `Zoé;=cmd|…` would start a cell with a formula.
/// Quoted, it stays one text cell everywhere.
fn needs_quotes(field: &str) -> bool {
    field.contains([',', '"', '\r', '\n'])
        || field
            .split(';')
            .skip(1)
            .any(|cell| starts_like_a_formula(cell.trim_start()))
}

/// What OWASP lists as the start of a formula a spreadsheet would run.
fn starts_like_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Every table as `name.csv` in one zip.
pub fn zip(tables: &[Table], people: Option<&Locale>) -> zip::result::ZipResult<Vec<u8>> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for t in tables {
        archive.start_file(format!("{}.csv", t.name), options)?;
        archive.write_all(&table(t, people))?;
    }
    Ok(archive.finish()?.into_inner())
}

fn text(cell: &Cell, people: Option<&Locale>) -> String {
    match cell {
        Cell::Text(s) => neutralise(s),
        Cell::Int(n) => n.to_string(),
        Cell::Float(x) => x.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Time(ms) => people.map_or_else(|| rfc3339(*ms), |locale| locale.date_time(*ms)),
        Cell::Empty => String::new(),
    }
}

/// Participants type their own names: a text a spreadsheet would run as a formula gets a
/// leading apostrophe (OWASP's advice against CSV injection).
fn neutralise(s: &str) -> String {
    if starts_like_a_formula(s) {
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
        let bytes = table(&t, None);
        assert!(bytes.starts_with(BOM));
        assert_eq!(
            std::str::from_utf8(&bytes[3..]).unwrap(),
            "a,b,c,d,e\n\"'=HYPERLINK(\"\"x\"\")\",3,2.5,1970-01-01T00:00:00Z,\"Zoé, \"\"Zaza\"\"\"\n"
        );
    }

    fn one_row(cells: &[&str]) -> String {
        let t = Table {
            name: "t",
            columns: &["a", "b", "c"],
            rows: vec![cells.iter().map(|s| Cell::Text((*s).to_owned())).collect()],
        };
        String::from_utf8(table(&t, None)[3..].to_vec()).unwrap()
    }

    #[test]
    fn every_formula_start_is_defused_and_the_text_kept() {
        for (given, written) in [
            ("=1+1", "'=1+1"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("<script>alert(1)</script>", "<script>alert(1)</script>"),
            // `;--` could start a cell in a `;` locale: quoted whole, the text as given.
            (
                "'); DROP TABLE room_events;--",
                "\"'); DROP TABLE room_events;--\"",
            ),
            ("a=1", "a=1"),
        ] {
            assert_eq!(one_row(&[given, "", "z"]), format!("a,b,c\n{written},,z\n"));
        }
    }

    #[test]
    fn a_formula_after_a_semicolon_is_quoted_for_semicolon_locales() {
        assert_eq!(
            one_row(&["Zoé;=1+1", "x; @SUM(A1)", "Une adresse IP; Un nom"]),
            "a,b,c\n\"Zoé;=1+1\",\"x; @SUM(A1)\",Une adresse IP; Un nom\n"
        );
    }

    #[test]
    fn files_read_back_as_written() {
        let texts = ["=1", "a,b", "say \"hi\"", "two\nlines", "x;-y", "", "é😀"];
        let t = Table {
            name: "t",
            columns: &["text", "n"],
            rows: texts
                .iter()
                .map(|s| vec![Cell::Text((*s).to_owned()), Cell::Int(-4)])
                .collect(),
        };
        let bytes = table(&t, None);
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let read: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_owned(), r[1].to_owned())
            })
            .collect();
        let expected: Vec<(String, String)> = texts
            .iter()
            .map(|s| (neutralise(s), "-4".to_owned()))
            .collect();
        assert_eq!(read, expected);
        let single = Table {
            name: "t",
            columns: &["only"],
            rows: vec![vec![Cell::Empty]],
        };
        assert_eq!(&table(&single, None)[3..], b"only\n\"\"\n");
    }
}
