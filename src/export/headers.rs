//! Column headers of the CSV files and XLSX sheets, for people: in the trainer's language, and
//! saying which clock the times are on. Without a language asked, the columns keep their
//! machine names (`first_joined_at`), which scripts depend on.

use super::locale::{Lang, Locale};

/// A column's machine name, its English and French headers, and whether it holds times.
const HEADERS: &[(&str, &str, &str, bool)] = &[
    ("room_id", "Room id", "Identifiant de la salle", false),
    ("room_name", "Room", "Salle", false),
    (
        "capsule_id",
        "Capsule id",
        "Identifiant de la capsule",
        false,
    ),
    ("capsule_title", "Capsule", "Capsule", false),
    ("trainer_name", "Trainer", "Formateur", false),
    ("status", "Status", "État", false),
    ("started_at", "Started at", "Début", true),
    ("ended_at", "Ended at", "Fin", true),
    ("until", "Counted until", "Compté jusqu'à", true),
    ("duration_s", "Duration (s)", "Durée (s)", false),
    ("end_reason", "Ended by", "Fin due à", false),
    ("participant_count", "Participants", "Participants", false),
    (
        "participant_id",
        "Participant id",
        "Identifiant du participant",
        false,
    ),
    ("first_name", "First name", "Prénom", false),
    ("last_name", "Last name", "Nom", false),
    (
        "first_joined_at",
        "First joined at",
        "Première arrivée",
        true,
    ),
    ("last_left_at", "Last left at", "Dernier départ", true),
    (
        "present_s",
        "Time present (s)",
        "Temps de présence (s)",
        false,
    ),
    ("reconnections", "Reconnections", "Reconnexions", false),
    (
        "present_at_end",
        "Present at the end",
        "Présent à la fin",
        false,
    ),
    ("joined_at", "Joined at", "Arrivée", true),
    ("left_at", "Left at", "Départ", true),
    ("left_reason", "Why they left", "Motif du départ", false),
    ("page_index", "Page number", "Numéro de page", false),
    ("page_id", "Page id", "Identifiant de la page", false),
    ("page_name", "Page", "Page", false),
    ("navigation", "Navigation", "Navigation", false),
    ("from", "From", "De", true),
    ("to", "To", "À", true),
    ("views", "Views", "Vues", false),
    ("quiz_id", "Quiz id", "Identifiant du quiz", false),
    ("quiz_title", "Quiz", "Quiz", false),
    (
        "question_number",
        "Question number",
        "Numéro de question",
        false,
    ),
    (
        "question_id",
        "Question id",
        "Identifiant de la question",
        false,
    ),
    ("answered", "Answered", "A répondu", false),
    ("answer", "Answer", "Réponse", false),
    ("correct", "Correct", "Correct", false),
    (
        "response_s",
        "Response time (s)",
        "Temps de réponse (s)",
        false,
    ),
    ("points", "Points", "Points", false),
    ("kind", "Kind", "Type", false),
    ("prompt", "Question", "Question", false),
    ("opened_at", "Opened at", "Ouverte à", true),
    ("closed_at", "Closed at", "Fermée à", true),
    ("present", "Present", "Présents", false),
    ("not_answered", "Did not answer", "Sans réponse", false),
    (
        "percent_correct",
        "Correct (%)",
        "Réponses justes (%)",
        false,
    ),
    (
        "median_response_s",
        "Median response time (s)",
        "Temps de réponse médian (s)",
        false,
    ),
    ("choice_id", "Choice id", "Identifiant du choix", false),
    ("choice", "Choice", "Choix", false),
    ("count", "Count", "Nombre", false),
    ("reaction", "Reaction", "Réaction", false),
    ("cloud_id", "Word cloud id", "Identifiant du nuage", false),
    ("word", "Word", "Mot", false),
    ("question", "Question", "Question", false),
    ("asked_at", "Asked at", "Posée à", true),
    ("votes", "Votes", "Votes", false),
    ("answered", "Answered", "Répondue", false),
    ("pinned", "Pinned", "Épinglée", false),
    (
        "pending",
        "Awaiting approval",
        "En attente de validation",
        false,
    ),
    (
        "hidden",
        "Hidden by the trainer",
        "Masqué par le formateur",
        false,
    ),
    ("percent", "Percent", "Pourcentage", false),
    ("scoring", "Scoring", "Barème", false),
    ("rank", "Rank", "Rang", false),
    ("score", "Score", "Score", false),
    ("role", "Role", "Rôle", false),
    ("messages", "Messages", "Messages", false),
    ("characters", "Characters", "Caractères", false),
    ("minutes", "Minutes drawing", "Minutes de dessin", false),
    ("first_minute", "First minute", "Première minute", true),
    ("last_minute", "Last minute", "Dernière minute", true),
    ("created", "Created", "Créés", false),
    ("updated", "Changed", "Modifiés", false),
    ("deleted", "Deleted", "Supprimés", false),
    ("minute", "Minute", "Minute", true),
    (
        "drawers",
        "People drawing",
        "Personnes qui dessinent",
        false,
    ),
    ("code", "Code", "Code", false),
    ("message", "Message", "Message", false),
];

/// The header of `column` for people reading `locale`'s language: `First joined at (UTC+01:00)`.
/// A column without one keeps its machine name.
pub fn header(column: &str, locale: &Locale) -> String {
    let Some(&(_, en, fr, times)) = HEADERS.iter().find(|(name, ..)| *name == column) else {
        return column.to_owned();
    };
    let said = match locale.lang {
        Lang::En => en,
        Lang::Fr => fr,
    };
    match times {
        true => format!("{said} ({})", locale.zone()),
        false => said.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{Scope, build};
    use crate::export::tables::tables;

    #[test]
    fn every_column_of_every_table_has_a_header_in_both_languages() {
        let scope = Scope {
            room_id: uuid::Uuid::nil(),
            trainer_id: uuid::Uuid::nil(),
            live_now: None,
            scoring: None,
        };
        let report = build(&scope, []);
        for table in tables(&report) {
            for column in table.columns {
                assert!(
                    HEADERS.iter().any(|(name, ..)| name == column),
                    "no header for {}.{column}",
                    table.name
                );
            }
        }
        let paris = Locale::new(Lang::Fr, 60).unwrap();
        assert_eq!(
            header("first_joined_at", &paris),
            "Première arrivée (UTC+01:00)"
        );
        assert_eq!(header("present_s", &paris), "Temps de présence (s)");
        let utc = Locale::new(Lang::En, 0).unwrap();
        assert_eq!(header("first_joined_at", &utc), "First joined at (UTC)");
    }
}
