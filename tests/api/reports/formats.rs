//! The formats, pinned by snapshots of the scripted workshop. The same snapshots serve the
//! SQLite and the PostgreSQL runs: the report is the same on both.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use uuid::Uuid;

use super::{ROOM, fetch, trainer, workshop};
use crate::helpers::{TestApp, spawn_app};

/// A server holding the scripted workshop, its trainer's token and id.
async fn workshop_app() -> (TestApp, String, Uuid) {
    let app = spawn_app().await;
    let (token, ana) = trainer(&app, "Ana Martin").await;
    workshop(ana).store(&app).await;
    (app, token, ana)
}

/// The trainer's id changes each run: masked in snapshots.
fn mask(text: &str, trainer: Uuid) -> String {
    text.replace(&trainer.to_string(), "[trainer]")
}

#[tokio::test]
async fn json() {
    let (app, token, ana) = workshop_app().await;
    let (status, content_type, body) =
        fetch(&app, &format!("/api/sessions/{ROOM}/report"), &token).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/json")
    );
    // Compact on the wire; pretty (keys sorted) in the snapshot.
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_string_pretty(&report).unwrap();
    insta::assert_snapshot!(mask(&pretty, ana));
}

#[tokio::test]
async fn csv_one_table_or_every_table_in_a_zip() {
    let (app, token, ana) = workshop_app().await;
    let path = format!("/api/sessions/{ROOM}/report?format=csv&table=attendance");
    let (status, content_type, one) = fetch(&app, &path, &token).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "text/csv; charset=utf-8")
    );
    assert!(one.starts_with("\u{feff}participant_id,first_name".as_bytes()));

    let (status, content_type, zipped) = fetch(
        &app,
        &format!("/api/sessions/{ROOM}/report?format=csv"),
        &token,
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/zip")
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(zipped)).unwrap();
    let mut all = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        // Each file reads back as CSV, with as many fields on every line as in its header.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let width = reader.headers().unwrap().len();
        assert!(
            reader.records().all(|r| r.unwrap().len() == width),
            "{name}"
        );
        all.push_str(&format!(
            "== {name}\n{}",
            text.trim_start_matches('\u{feff}')
        ));
    }
    let attendance = all.split("== attendance.csv\n").nth(1).unwrap();
    assert!(
        String::from_utf8(one)
            .unwrap()
            .ends_with(attendance.split("== ").next().unwrap())
    );
    insta::assert_snapshot!(mask(&all, ana));

    for (query, code) in [
        ("format=csv&table=secrets", "bad_query"),
        ("format=xlsx&table=attendance", "bad_query"),
        ("format=pdf", "bad_query"),
    ] {
        app.get(&format!("/api/sessions/{ROOM}/report?{query}"), &token)
            .await
            .expect_error(StatusCode::BAD_REQUEST, code);
    }
}

/// A sheet as lines of typed cells: `s:` text, `n:` number, `b:` boolean, `t:` date-time.
fn dump(range: &calamine::Range<Data>) -> String {
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => format!("s:{s}"),
                    Data::Float(x) => format!("n:{x}"),
                    Data::Int(n) => format!("n:{n}"),
                    Data::Bool(b) => format!("b:{b}"),
                    Data::DateTime(t) => {
                        // Days since 1899-12-30, back to epoch milliseconds.
                        let ms = ((t.as_f64() - 25_569.0) * 86_400_000.0).round() as i64;
                        format!("t:{}", pratico::domain::rfc3339(ms))
                    }
                    Data::Empty => String::new(),
                    other => format!("?:{other:?}"),
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn xlsx_reads_back_with_typed_cells_and_frozen_headers() {
    let (app, token, ana) = workshop_app().await;
    let (status, content_type, body) = fetch(
        &app,
        &format!("/api/sessions/{ROOM}/report?format=xlsx"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );

    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body.clone())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, pratico::export::tables::NAMES);
    let mut all = String::new();
    for name in names {
        let range = book.worksheet_range(&name).unwrap();
        all.push_str(&format!("== {name}\n{}\n", dump(&range)));
    }
    insta::assert_snapshot!(mask(&all, ana));

    let mut archive = zip::ZipArchive::new(Cursor::new(body)).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet2.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        sheet.contains(r#"state="frozen""#),
        "the header row stays in view"
    );
}

#[tokio::test]
async fn html_is_one_printable_page_with_its_charts() {
    let (app, token, ana) = workshop_app().await;
    let response = app
        .request(
            reqwest::Method::GET,
            &format!("/api/sessions/{ROOM}/report?format=html"),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"));
    assert!(html.contains("@page { size: A4"));
    for chart in [
        "Attendance timeline",
        "Answers to question 1",
        "Answers to question 2",
        "Score ranking",
    ] {
        assert!(html.contains(&format!("<title>{chart}</title>")), "{chart}");
    }
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.contains(r#"<section class="sheet" id="attendance-sheet">"#));
    assert!(!html.contains("<script"), "the page runs nothing");
    insta::assert_snapshot!(mask(&html, ana));
}

#[tokio::test]
async fn the_printable_page_speaks_french_at_the_trainer_s_offset() {
    let (app, token, _) = workshop_app().await;
    let page = |query: &str| {
        let path = format!("/api/sessions/{ROOM}/report?format=html{query}");
        let (app, token) = (&app, &token);
        async move {
            let (status, _, body) = fetch(app, &path, token).await;
            (status, String::from_utf8(body).unwrap())
        }
    };
    let (status, english) = page("").await;
    assert_eq!(status, StatusCode::OK);
    let (status, french) = page("&lang=fr&utc_offset=60").await;
    assert_eq!(status, StatusCode::OK);
    // The session starts at 09:00 UTC on 27 November 2026: 10:00 in Paris.
    assert!(english.contains("<html lang=\"en\">") && english.contains("2026-11-27 from 09:00:00"));
    assert!(french.starts_with("<!doctype html><html lang=\"fr\">"));
    for phrase in [
        "le 27/11/2026 de 10:00:00",
        "UTC+01:00",
        "<h2>Feuille d’émargement</h2>",
        "<th>Prénom</th>",
        "<title>Chronologie des présences</title>",
        "<title>Réponses à la question 1</title>",
        "barème : rapidité",
        "<td>suivre le formateur</td>",
    ] {
        assert!(french.contains(phrase), "{phrase}");
    }
    for english_only in ["Attendance sheet", "First name", " UTC ·", "09:00:00"] {
        assert!(!french.contains(english_only), "{english_only}");
    }
    // West of UTC the clock goes back, and the offset is said.
    let (_, west) = page("&utc_offset=-300").await;
    assert!(west.contains("04:00:00") && west.contains("UTC−05:00"));

    for (query, what) in [
        ("&utc_offset=900", "utc_offset"),
        ("&utc_offset=-721", "utc_offset"),
        ("&utc_offset=east", "utc_offset"),
        ("&lang=de", "lang"),
    ] {
        let (status, body) = page(query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            body.contains("bad_query") && body.contains(what),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn reports_travel_compressed_unless_already_zipped() {
    let (app, token, _) = workshop_app().await;
    for (format, compressed) in [
        ("json", true),
        ("html", true),
        ("csv", false),
        ("xlsx", false),
    ] {
        let response = app
            .request(
                reqwest::Method::GET,
                &format!("/api/sessions/{ROOM}/report?format={format}"),
                Some(&token),
            )
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let encoding = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            encoding.as_deref() == Some("gzip"),
            compressed,
            "{format}: {encoding:?}"
        );
    }
}

#[tokio::test]
async fn csv_and_xlsx_asked_in_french_have_headers_for_people_and_times_on_the_trainer_s_clock() {
    let (app, token, _) = workshop_app().await;
    let path =
        format!("/api/sessions/{ROOM}/report?format=csv&table=session&lang=fr&utc_offset=60");
    let (status, _, body) = fetch(&app, &path, &token).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[1], "Salle");
    assert_eq!(&headers[6], "Début (UTC+01:00)");
    let session = reader.records().next().unwrap().unwrap();
    // The session starts at 09:00 UTC on 27 November 2026: 10:00 in Paris.
    assert_eq!(&session[6], "2026-11-27 10:00:00");

    let path = format!("/api/sessions/{ROOM}/report?format=xlsx&lang=en&utc_offset=-300");
    let (status, _, body) = fetch(&app, &path, &token).await;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(body)).unwrap();
    let attendance = dump(&book.worksheet_range("session").unwrap());
    let mut lines = attendance.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("s:Started at (UTC−05:00)"), "{header}");
    assert!(
        lines.next().unwrap().contains("t:2026-11-27T04:00:00"),
        "{attendance}"
    );
}
