//! How the printable report speaks: its language, and the time offset its clock times are in.
//!
//! The page people print and sign is written for them, and so are CSV and XLSX files when a
//! language is asked for; otherwise those, and JSON, keep UTC and machine names for scripts.
//! A fixed offset (the trainer's at the session's start) rather than a time-zone name: a session
//! lasts hours, and the browser that asks knows its offset.

use time::{OffsetDateTime, UtcOffset};

pub use crate::domain::lang::Lang;

/// The furthest offsets in use (UTC−12:00 to UTC+14:00), in minutes.
pub const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -720..=840;

#[derive(Debug, Clone, Copy, Default)]
pub struct Locale {
    pub lang: Lang,
    /// Minutes east of UTC.
    pub offset_min: i32,
}

impl Locale {
    /// `None` unless `offset_min` is within `OFFSET_RANGE`.
    pub fn new(lang: Lang, offset_min: i32) -> Option<Self> {
        OFFSET_RANGE
            .contains(&offset_min)
            .then_some(Self { lang, offset_min })
    }

    /// What an offset must be, said for an error message.
    pub fn offset_rule() -> String {
        let (low, high) = (OFFSET_RANGE.start(), OFFSET_RANGE.end());
        format!("minutes east of UTC, between {low} and {high}")
    }

    fn at(&self, ms: i64) -> OffsetDateTime {
        let offset = UtcOffset::from_whole_seconds(self.offset_min * 60).unwrap_or(UtcOffset::UTC);
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset)
    }

    /// `09:05:07`.
    pub fn clock(&self, ms: i64) -> String {
        let t = self.at(ms);
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }

    /// `2026-11-27 09:05:07`: how spreadsheets read a local time, in either language.
    pub fn date_time(&self, ms: i64) -> String {
        let t = self.at(ms);
        let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
        format!("{y}-{m:02}-{d:02} {}", self.clock(ms))
    }

    /// `09:05`: a minute, by its start.
    pub fn minute(&self, ms: i64) -> String {
        let t = self.at(ms);
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    /// `2026-11-27`, or `27/11/2026` in French.
    pub fn date(&self, ms: i64) -> String {
        let t = self.at(ms);
        let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
        match self.lang {
            Lang::En => format!("{y}-{m:02}-{d:02}"),
            Lang::Fr => format!("{d:02}/{m:02}/{y}"),
        }
    }

    /// `UTC`, `UTC+01:00`, `UTC−03:30`.
    pub fn zone(&self) -> String {
        let (sign, minutes) = match self.offset_min {
            0 => return "UTC".to_owned(),
            m if m > 0 => ('+', m),
            m => ('−', -m),
        };
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }

    pub fn words(&self) -> &'static Words {
        match self.lang {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }
}

impl Words {
    /// A navigation or scoring rule by its serde name, in this language (as is if unknown).
    pub fn value<'a>(&'a self, name: &'a str) -> &'a str {
        self.values
            .iter()
            .find(|(key, _)| *key == name)
            .map_or(name, |(_, said)| said)
    }
}

/// `template` with each `{name}` replaced by its value, in one pass: a value that holds
/// braces (a room or person name) is inserted as given, never read as a placeholder.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = values.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every phrase of the printable report; `{name}`s are filled by `fill`.
pub struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub meta: &'static str,
    pub live: &'static str,
    pub ended: &'static str,
    pub interrupted: &'static str,
    pub missing_events: &'static str,
    pub attendance: &'static str,
    pub nobody: &'static str,
    pub timeline_legend: &'static str,
    pub timeline_title: &'static str,
    pub attendance_columns: [&'static str; 6],
    pub yes: &'static str,
    pub no: &'static str,
    pub pages: &'static str,
    pub pages_columns: [&'static str; 4],
    pub timeline: &'static str,
    pub timeline_columns: [&'static str; 5],
    pub quiz: &'static str,
    pub quiz_meta: &'static str,
    pub rescored: &'static str,
    pub ranking: &'static str,
    pub ranking_title: &'static str,
    pub rank: &'static str,
    pub participant: &'static str,
    pub question_short: &'static str,
    pub score: &'static str,
    pub marks_legend: &'static str,
    pub question_meta: &'static str,
    pub percent_right: &'static str,
    pub median_time: &'static str,
    /// After a question's statistics: it was shown with an image (the report holds none).
    pub with_image: &'static str,
    /// After a question's statistics: some of its choices were shown with images.
    pub choice_images: &'static str,
    pub answers_to: &'static str,
    pub chat: &'static str,
    pub no_messages: &'static str,
    pub chat_columns: [&'static str; 3],
    pub trainer: &'static str,
    pub board: &'static str,
    pub no_drawing: &'static str,
    pub board_columns: [&'static str; 5],
    pub board_timeline: &'static str,
    pub board_timeline_columns: [&'static str; 5],
    pub qa: &'static str,
    pub qa_columns: [&'static str; 4],
    pub qa_marks: [&'static str; 4],
    pub clouds: &'static str,
    pub cloud_meta: &'static str,
    pub cloud_columns: [&'static str; 2],
    pub hidden: &'static str,
    pub reactions: &'static str,
    pub no_reactions: &'static str,
    pub reactions_columns: [&'static str; 2],
    /// Each reaction (in `Reaction::ALL`'s order) as people say it.
    pub reaction_names: [&'static str; 8],
    /// The serde names of navigations and scoring rules, and how this language says them.
    pub values: [(&'static str, &'static str); 4],
    pub sheet: &'static str,
    pub sheet_meta: &'static str,
    pub sheet_columns: [&'static str; 7],
}

pub const EN: Words = Words {
    lang: "en",
    title: "Session report — {title}",
    meta: "Room <b>{room}</b> · trainer <b>{trainer}</b> · {date} from {start} to {end} {zone} · {duration} · {count} participant(s) · {status}",
    live: "live: reported up to now",
    ended: "ended",
    interrupted: "interrupted: never ended",
    missing_events: "Missing events.",
    attendance: "Attendance",
    nobody: "Nobody joined.",
    timeline_legend: "Presence of {shown} of {count} participant(s) over the session ({zone}); pale bars: no leave recorded or still present.",
    timeline_title: "Attendance timeline",
    attendance_columns: [
        "Participant",
        "First joined",
        "Last left",
        "Time present",
        "Reconnections",
        "There at the end",
    ],
    yes: "yes",
    no: "no",
    pages: "Pages",
    pages_columns: ["#", "Page", "Views", "Time shown"],
    timeline: "Timeline",
    timeline_columns: ["From", "To", "Page", "Navigation", "Duration"],
    quiz: "Quiz: {title}",
    quiz_meta: "{count} question(s) · scoring: {scoring}{rescored}",
    rescored: " (recomputed; the quiz ran with {scoring})",
    ranking: "Ranking",
    ranking_title: "Score ranking",
    rank: "Rank",
    participant: "Participant",
    question_short: "Q{n}",
    score: "Score",
    marks_legend: "✓ right · ✗ wrong · • answered (not scored) · – there, no answer",
    question_meta: "{answered} answer(s) of {present} present{percent}{median}",
    percent_right: " · {percent} % right",
    median_time: " · median time {seconds} s",
    with_image: " · shown with an image",
    choice_images: " · choices shown with images",
    answers_to: "Answers to question {n}",
    chat: "Chat",
    no_messages: "No messages.",
    chat_columns: ["Author", "Messages", "Characters"],
    trainer: " (trainer)",
    board: "Board",
    no_drawing: "Nobody drew on the board.",
    board_columns: [
        "Person",
        "Minutes drawn ({zone})",
        "Created",
        "Changed",
        "Deleted",
    ],
    board_timeline: "Drawing, minute by minute",
    board_timeline_columns: [
        "Minute ({zone})",
        "People drawing",
        "Created",
        "Changed",
        "Deleted",
    ],
    qa: "Questions from the class",
    qa_columns: ["Question", "Asked by", "Votes", "Status"],
    qa_marks: ["answered", "pinned", "hidden", "not approved"],
    clouds: "Word clouds",
    cloud_meta: "{contributors} people sent {words} different words.",
    cloud_columns: ["Word", "Count"],
    hidden: " (hidden)",
    reactions: "Reactions",
    no_reactions: "Nobody reacted.",
    reactions_columns: ["Minute ({zone})", "Reactions"],
    reaction_names: [
        "👍 thumbs up",
        "👏 applause",
        "❤️ love",
        "😂 laughter",
        "😮 surprise",
        "😕 confused",
        "🐢 slower",
        "🐇 faster",
    ],
    values: [
        ("follow", "follow"),
        ("free", "free"),
        ("accuracy", "accuracy"),
        ("speed", "speed"),
    ],
    sheet: "Attendance sheet",
    sheet_meta: "{title} · {date} · {start} to {end} {zone} · trainer: {trainer}",
    sheet_columns: [
        "#",
        "Last name",
        "First name",
        "Arrived",
        "Left",
        "Time present",
        "Signature",
    ],
};

pub const FR: Words = Words {
    lang: "fr",
    title: "Rapport de session — {title}",
    meta: "Salle <b>{room}</b> · formateur <b>{trainer}</b> · le {date} de {start} à {end} {zone} · {duration} · {count} participant(s) · {status}",
    live: "en cours : rapport arrêté à maintenant",
    ended: "terminée",
    interrupted: "interrompue : jamais terminée",
    missing_events: "Événements manquants.",
    attendance: "Présence",
    nobody: "Personne n’a rejoint la session.",
    timeline_legend: "Présence de {shown} participant(s) sur {count} pendant la session ({zone}) ; barres pâles : aucun départ enregistré ou encore présent.",
    timeline_title: "Chronologie des présences",
    attendance_columns: [
        "Participant",
        "Arrivée",
        "Départ",
        "Temps présent",
        "Reconnexions",
        "Présent à la fin",
    ],
    yes: "oui",
    no: "non",
    pages: "Pages",
    pages_columns: ["N°", "Page", "Affichages", "Temps affiché"],
    timeline: "Déroulé",
    timeline_columns: ["De", "À", "Page", "Navigation", "Durée"],
    quiz: "Quiz : {title}",
    quiz_meta: "{count} question(s) · barème : {scoring}{rescored}",
    rescored: " (recalculé ; le quiz s’est déroulé avec {scoring})",
    ranking: "Classement",
    ranking_title: "Classement des scores",
    rank: "Rang",
    participant: "Participant",
    question_short: "Q{n}",
    score: "Score",
    marks_legend: "✓ juste · ✗ faux · • répondu (non noté) · – présent, sans réponse",
    question_meta: "{answered} réponse(s) sur {present} présent(s){percent}{median}",
    percent_right: " · {percent} % de bonnes réponses",
    median_time: " · temps médian {seconds} s",
    with_image: " · posée avec une image",
    choice_images: " · choix illustrés d'images",
    answers_to: "Réponses à la question {n}",
    chat: "Discussion",
    no_messages: "Aucun message.",
    chat_columns: ["Auteur", "Messages", "Caractères"],
    trainer: " (formateur)",
    board: "Tableau",
    no_drawing: "Personne n’a dessiné sur le tableau.",
    board_columns: [
        "Personne",
        "Minutes de dessin ({zone})",
        "Créés",
        "Modifiés",
        "Supprimés",
    ],
    board_timeline: "Dessin, minute par minute",
    board_timeline_columns: [
        "Minute ({zone})",
        "Personnes qui dessinent",
        "Créés",
        "Modifiés",
        "Supprimés",
    ],
    qa: "Questions de la classe",
    qa_columns: ["Question", "Posée par", "Votes", "État"],
    qa_marks: ["répondue", "épinglée", "masquée", "non validée"],
    clouds: "Nuages de mots",
    cloud_meta: "{contributors} personnes ont envoyé {words} mots différents.",
    cloud_columns: ["Mot", "Nombre"],
    hidden: " (masqué)",
    reactions: "Réactions",
    no_reactions: "Personne n’a réagi.",
    reactions_columns: ["Minute ({zone})", "Réactions"],
    reaction_names: [
        "👍 pouce levé",
        "👏 applaudissements",
        "❤️ j’adore",
        "😂 rire",
        "😮 surprise",
        "😕 perdu",
        "🐢 plus lentement",
        "🐇 plus vite",
    ],
    values: [
        ("follow", "suivre le formateur"),
        ("free", "libre"),
        ("accuracy", "justesse"),
        ("speed", "rapidité"),
    ],
    sheet: "Feuille d’émargement",
    sheet_meta: "{title} · le {date} · de {start} à {end} {zone} · formateur : {trainer}",
    sheet_columns: [
        "N°",
        "Nom",
        "Prénom",
        "Arrivée",
        "Départ",
        "Temps présent",
        "Signature",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// 2027-01-15T08:00:00Z
    const T: i64 = 1_800_000_000_000;

    #[test]
    fn times_are_shown_at_the_offset_asked_for() {
        let utc = Locale::default();
        assert_eq!(
            (utc.clock(T), utc.date(T), utc.zone()),
            ("08:00:00".into(), "2027-01-15".into(), "UTC".into())
        );
        let paris = Locale::new(Lang::Fr, 60).unwrap();
        assert_eq!(
            (paris.clock(T), paris.date(T), paris.zone()),
            ("09:00:00".into(), "15/01/2027".into(), "UTC+01:00".into())
        );
        // West of UTC, the date can be the day before.
        let marquesas = Locale::new(Lang::Fr, -9 * 60 - 30).unwrap();
        assert_eq!(
            (marquesas.clock(T), marquesas.date(T), marquesas.zone()),
            ("22:30:00".into(), "14/01/2027".into(), "UTC−09:30".into())
        );
        assert!(Locale::new(Lang::En, 841).is_none());
        assert!(Locale::new(Lang::En, -721).is_none());
    }

    #[test]
    fn templates_are_filled_by_name() {
        let filled = fill(
            EN.question_meta,
            &[
                ("answered", "3"),
                ("present", "4"),
                ("percent", ""),
                ("median", ""),
            ],
        );
        assert_eq!(filled, "3 answer(s) of 4 present");
        let named = fill(
            EN.sheet_meta,
            &[
                ("title", "{date}"),
                ("date", "2027-01-15"),
                ("trainer", "{x}"),
            ],
        );
        assert!(
            named.starts_with("{date} · 2027-01-15 · {start}"),
            "{named}"
        );
        assert!(named.ends_with("trainer: {x}"), "{named}");
        for words in [&EN, &FR] {
            assert!(
                words.timeline_legend.contains("{shown}")
                    && words.timeline_legend.contains("{zone}")
            );
        }
    }
}
