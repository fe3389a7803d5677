//! Look-alikes (markup, SQL, spreadsheet formulas) in names, chat, answers and page names:
//! stored as given and escaped wherever they are shown.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{app, chat, deck_with_page_names, escaped, launch_deck, report, still_serves};
use crate::live_client::kind;

/// Participants whose names look like markup, SQL and spreadsheet formulas.
const PEOPLE: [(&str, &str); 4] = [
    ("<script>alert(1)</script>", "'); DROP TABLE room_events;--"),
    ("=HYPERLINK(\"http://evil.example\",\"clic\")", "+1+1"),
    ("-2+3", "@SUM(A1)"),
    ("x;=1+1", "<img src=x onerror=alert(1)>"),
];

/// Their chat messages and open answers, in the same order.
const SAID: [&str; 4] = [
    "<script>alert('chat')</script>",
    "'); DROP TABLE chat_messages;--",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

const ANSWERS: [&str; 4] = [
    "<script>alert('answer')</script>",
    "'); DELETE FROM room_events;--",
    "=HYPERLINK(\"http://evil.example\")",
    "-1+1",
];

const TRAINER_NAME: &str = "Ana <b>Martin</b>";
const PAGE_NAMES: [&str; 2] = ["<script>alert('page')</script>", "=1+1 & \"co\""];

/// A cell a spreadsheet could run: it starts like a formula (a `-` only if it is no number).
fn runnable(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell.parse::<f64>().is_err(),
        _ => false,
    }
}

#[tokio::test]
async fn hostile_lookalikes_are_stored_as_given_and_escaped_in_every_report() {
    let app = app().await;
    let token = app.signup(TRAINER_NAME).await;
    let questions = json!([
        {"kind": "open", "prompt": "<b>Pourquoi ?</b>"},
        {"kind": "single", "prompt": "=1+1", "choices": [
            {"text": "<i>deux</i>", "correct": true}, {"text": "@trois"}]}
    ]);
    let quiz = app
        .post(
            "/api/quizzes",
            &token,
            json!({"title": "<script>alert('quiz')</script>", "questions": questions}),
        )
        .await
        .expect(StatusCode::CREATED);
    let deck = deck_with_page_names(&PAGE_NAMES);
    let room = launch_deck(&app, &token, deck, json!({"quiz_id": quiz["id"]})).await;
    assert_eq!(room.pages[0].1, PAGE_NAMES[0]);
    let mut trainer = room.trainer(&app).await;
    let mut honest = room.participant(&app, "Honnête", "Martin").await;

    let mut people = Vec::new();
    for (first, last) in PEOPLE {
        let client = room.participant(&app, first, last).await;
        assert_eq!(client.welcome["you"]["first_name"], first);
        assert_eq!(client.welcome["you"]["last_name"], last);
        people.push(client);
        still_serves(&mut trainer, &mut honest, &format!("the join of {first}")).await;
    }
    for ((client, text), (first, last)) in people.iter_mut().zip(SAID).zip(PEOPLE) {
        client.command(chat(text)).await;
        let seen = trainer
            .recv_where(text, |m| {
                kind(m) == "chat_message" && m["participant_id"] == client.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text);
        assert_eq!(seen["author_name"], format!("{first} {last}"));
        still_serves(&mut trainer, &mut honest, &format!("the chat {text}")).await;
    }
    let late = room.participant(&app, "Léo", "Petit").await;
    let history: Vec<&str> = late.welcome["state"]["chat"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .filter(|t| SAID.contains(t))
        .collect();
    assert_eq!(history, SAID, "the chat keeps the texts as given");
    late.close().await;

    // An open question answered with look-alikes, then the page with a hostile name.
    trainer
        .command(json!({"type": "quiz_start", "quiz_id": quiz["id"]}))
        .await;
    trainer.command(json!({"type": "quiz_next"})).await;
    let question_id = quiz["questions"][0]["id"].as_str().unwrap();
    for (client, text) in people.iter_mut().zip(ANSWERS) {
        let answer = json!({"type": "quiz_answer", "question_id": question_id, "text": text});
        let accepted = client.request(answer).await;
        assert_eq!(
            kind(&accepted),
            "quiz_answer_accepted",
            "{text}: {accepted}"
        );
        let seen = trainer
            .recv_where(text, |m| {
                kind(m) == "quiz_open_answer"
                    && m["participant_id"] == client.participant_id.as_str()
            })
            .await;
        assert_eq!(seen["text"], text);
    }
    trainer.command(json!({"type": "quiz_reveal"})).await;
    // The second question only opens and closes: its choices reach the reports.
    trainer.command(json!({"type": "quiz_next"})).await;
    trainer.command(json!({"type": "quiz_reveal"})).await;
    trainer.command(json!({"type": "quiz_end"})).await;
    trainer.command(room.goto(1)).await;
    still_serves(&mut trainer, &mut honest, "the quiz").await;

    // room_events keep everything as given.
    let events = room.events(&app).await;
    for (first, last) in PEOPLE {
        assert!(
            events.iter().any(|e| e.kind == "participant_joined"
                && e.data.0["first_name"] == first
                && e.data.0["last_name"] == last),
            "{first} {last} is recorded as given"
        );
    }
    let answered: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "quiz_answered")
        .map(|e| e.data.0["answer"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(answered, ANSWERS);
    trainer.command(json!({"type": "end_session"})).await;

    // The JSON report: as given.
    let json_report: Value = report(&app, &room.id, &token, "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json_report["session"]["trainer_name"], TRAINER_NAME);
    for (first, last) in PEOPLE {
        assert!(
            json_report["attendance"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["first_name"] == first && a["last_name"] == last),
            "{first} {last} in {:#}",
            json_report["attendance"]
        );
    }
    let quiz_report = &json_report["quizzes"][0];
    assert_eq!(quiz_report["quiz_title"], quiz["title"]);
    let mut texts: Vec<&str> = quiz_report["questions"][0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer_text"].as_str().unwrap())
        .collect();
    let mut expected = ANSWERS.to_vec();
    texts.sort_unstable();
    expected.sort_unstable();
    assert_eq!(texts, expected);

    // The HTML report: everything people typed is escaped; the page runs nothing.
    let response = report(&app, &room.id, &token, "?format=html").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script"), "no script from user data");
    assert!(!html.contains("<img"), "no element from user data");
    assert!(!html.contains("<i>deux</i>") && !html.contains("<b>Martin</b>"));
    let mut shown: Vec<&str> = vec![TRAINER_NAME, PAGE_NAMES[0], PAGE_NAMES[1], "<i>deux</i>"];
    shown.extend(PEOPLE.iter().flat_map(|(f, l)| [*f, *l]));
    for text in shown {
        assert!(html.contains(&escaped(text)), "{text} shown escaped");
    }
    assert!(html.contains(&escaped("<script>alert('quiz')</script>")));
    assert!(html.contains(&escaped("<b>Pourquoi ?</b>")));

    // CSV: no cell a spreadsheet would run; the look-alikes otherwise as given.
    let zipped = report(&app, &room.id, &token, "?format=csv")
        .await
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(zipped.to_vec())).unwrap();
    let mut cells: Vec<String> = Vec::new();
    let mut raw_attendance = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(!runnable(cell), "{name}: a formula: {cell}");
                cells.push(cell.to_owned());
            }
        }
        if name == "attendance.csv" {
            raw_attendance = text;
        }
    }
    let mut defused: Vec<(&str, String)> = [
        "<script>alert(1)</script>",
        "'); DROP TABLE room_events;--",
        "<img src=x onerror=alert(1)>",
        "<i>deux</i>",
    ]
    .into_iter()
    .map(|as_given| (as_given, as_given.to_owned()))
    .collect();
    for formula in [
        PEOPLE[1].0,
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        ANSWERS[2],
        "-1+1",
        PAGE_NAMES[1],
        "@trois",
        "=1+1",
    ] {
        defused.push((formula, format!("'{formula}")));
    }
    for (given, written) in defused {
        assert!(cells.contains(&written), "{given} written as {written}");
    }
    // In a French spreadsheet `;` separates cells: a cell holding `;=` is quoted whole.
    assert!(raw_attendance.contains("\"x;=1+1\""), "{raw_attendance}");
    let one = report(&app, &room.id, &token, "?format=csv&table=attendance")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        one.trim_start_matches('\u{feff}'),
        raw_attendance.trim_start_matches('\u{feff}')
    );

    // XLSX: text cells, never formulas, holding exactly what was typed.
    let bytes = report(&app, &room.id, &token, "?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} holds no formula"
        );
        let range = book.worksheet_range(&name).unwrap();
        strings.extend(range.used_cells().filter_map(|(_, _, cell)| match cell {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    let mut typed: Vec<&str> = PEOPLE.iter().flat_map(|(f, l)| [*f, *l]).collect();
    typed.extend(ANSWERS);
    typed.extend(PAGE_NAMES);
    typed.extend(["@trois", "<i>deux</i>", "=1+1", TRAINER_NAME]);
    for text in typed {
        assert!(
            strings.iter().any(|s| s == text),
            "{text} is a text cell as given"
        );
    }
}

#[tokio::test]
async fn hostile_overlong_page_names_still_export_and_xlsx_cuts_them_at_excels_limit() {
    let app = app().await;
    let token = app.signup("Ana Martin").await;
    // Excel holds 32,767 UTF-16 units in a cell; an emoji takes two.
    let emoji = "😀".repeat(20_000);
    let accents = "é".repeat(40_000);
    let room = launch_deck(
        &app,
        &token,
        deck_with_page_names(&[&emoji, &accents]),
        json!({}),
    )
    .await;
    let mut trainer = room.trainer(&app).await;
    let mut honest = room.participant(&app, "Honnête", "Martin").await;
    trainer.command(room.goto(1)).await;
    still_serves(&mut trainer, &mut honest, "an overlong page name").await;

    let json_report: Value = report(&app, &room.id, &token, "")
        .await
        .json()
        .await
        .unwrap();
    let totals = json_report["pages"]["totals"].to_string();
    assert!(totals.contains(&emoji) && totals.contains(&accents));
    let html = report(&app, &room.id, &token, "?format=html")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&emoji) && html.contains(&accents));
    let csv = report(&app, &room.id, &token, "?format=csv&table=page_totals")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&emoji) && csv.contains(&accents));

    let bytes = report(&app, &room.id, &token, "?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("page_totals").unwrap();
    let names: Vec<String> = range.rows().skip(1).map(|row| row[2].to_string()).collect();
    let cut_emoji = "😀".repeat(16_383);
    let cut_accents = "é".repeat(32_767);
    assert!(names.contains(&cut_emoji), "emoji cut at a character");
    assert!(names.contains(&cut_accents));
    still_serves(&mut trainer, &mut honest, "the reports").await;
}
