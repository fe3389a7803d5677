//! A session report in the formats people take away: JSON, CSV (one file per table, or a zip
//! of them), XLSX (one sheet per table) and a printable HTML page. Pure: bytes in memory, for
//! the HTTP API and the `pratico report` command alike.

pub mod csv;
mod headers;
pub mod html;
pub mod locale;
mod svg;
pub mod tables;
pub mod xlsx;

use serde::{Deserialize, Serialize};

use crate::domain::report::SessionReport;
use locale::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
    Html,
}

/// A rendered report, ready to send or save.
pub struct Export {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// `atelier-2026-11-27-report.xlsx`: the room name is a slug, safe in a header.
    pub file_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no table `{0}`; the tables are: {tables}", tables = tables::NAMES.join(", "))]
    UnknownTable(String),
    #[error("`table` picks one CSV file; it does not apply to the {0:?} format")]
    TableWithoutCsv(Format),
    #[error("the XLSX file could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the zip file could not be written: {0}")]
    Zip(#[from] zip::result::ZipError),
}

impl ExportError {
    /// Whether the request asked for something that does not exist (rather than a failure).
    pub fn is_bad_request(&self) -> bool {
        matches!(self, Self::UnknownTable(_) | Self::TableWithoutCsv(_))
    }
}

/// Renders `report`; for CSV, `table` picks one file, and without it every table comes in a zip.
/// The HTML page is written in `locale`'s language and clock; CSV and XLSX too when `for_people`
/// (else they keep machine column names and UTC, for scripts).
pub fn render(
    report: &SessionReport,
    format: Format,
    table: Option<&str>,
    locale: &Locale,
    for_people: bool,
) -> Result<Export, ExportError> {
    let people = for_people.then_some(locale);
    if let Some(name) = table {
        if format != Format::Csv {
            return Err(ExportError::TableWithoutCsv(format));
        }
        if !tables::NAMES.contains(&name) {
            return Err(ExportError::UnknownTable(name.to_owned()));
        }
    }
    let stem = file_stem(report);
    let export = |bytes, content_type, suffix: &str| Export {
        bytes,
        content_type,
        file_name: format!("{stem}-{suffix}"),
    };
    Ok(match (format, table) {
        (Format::Json, _) => export(
            serde_json::to_vec(report).expect("reports serialise"),
            "application/json",
            "report.json",
        ),
        (Format::Csv, Some(name)) => {
            let all = tables::tables(report);
            let table = all.iter().find(|t| t.name == name).expect("checked above");
            export(
                csv::table(table, people),
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
            )
        }
        (Format::Csv, None) => export(
            csv::zip(&tables::tables(report), people)?,
            "application/zip",
            "report-csv.zip",
        ),
        (Format::Xlsx, _) => export(
            xlsx::workbook(&tables::tables(report), people)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "report.xlsx",
        ),
        (Format::Html, _) => export(
            html::page(report, locale).into_bytes(),
            "text/html; charset=utf-8",
            "report.html",
        ),
    })
}

/// `room-name-YYYY-MM-DD`, from the session's name and start.
fn file_stem(report: &SessionReport) -> String {
    let s = &report.session;
    let name: String = s
        .room_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let name = if name.is_empty() { "session" } else { &name };
    let date = crate::domain::rfc3339(s.started_at.0);
    format!("{name}-{}", date.get(..10).unwrap_or("undated"))
}

/// A value's serde name (`"session_ended"`), for enums shown as text.
fn serde_name(value: impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
