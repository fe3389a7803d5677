//! Names people type: room slugs, participants' names, e-mail addresses.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

pub const MIN_SLUG: usize = 3;
pub const MAX_SLUG: usize = 48;
const MAX_PERSON_NAME: usize = 64;
const MAX_EMAIL: usize = 254;
pub const MAX_TITLE: usize = 200;

/// The link-friendly form of a title: accents folded, lowercase `a-z0-9` words joined by `-`,
/// at most `MAX_SLUG` characters. Titles with too little to keep get a readable fallback.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode(title).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let slug = truncate_slug(&words.join("-"), MAX_SLUG);
    match slug.len() {
        0 => "session".to_owned(),
        n if n < MIN_SLUG => format!("{slug}-session"),
        _ => slug,
    }
}

/// `base` with the suffix `-n` (n ≥ 2), shortened so the whole stays within `MAX_SLUG`.
pub fn slug_with_suffix(base: &str, n: u32) -> String {
    if n < 2 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    format!("{}{suffix}", truncate_slug(base, MAX_SLUG - suffix.len()))
}

/// The first of `base`, `base-2`, `base-3`, … that is not in `taken`.
pub fn first_free_name(base: &str, taken: &std::collections::HashSet<String>) -> String {
    (1..)
        .map(|n| slug_with_suffix(base, n))
        .find(|name| !taken.contains(name))
        .expect("a finite set leaves some suffix free")
}

fn truncate_slug(slug: &str, max: usize) -> String {
    // Slugs are ASCII, so byte slicing is character slicing.
    let cut = &slug[..slug.len().min(max)];
    cut.trim_end_matches('-').to_owned()
}

/// Checks a room name a trainer chose: the same shape `slugify` produces.
pub fn parse_room_name(name: &str) -> Result<String, String> {
    let len = name.len();
    if !(MIN_SLUG..=MAX_SLUG).contains(&len) {
        return Err(format!("must be {MIN_SLUG} to {MAX_SLUG} characters long"));
    }
    let well_formed = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if !well_formed {
        return Err(
            "may hold only lowercase letters a-z, digits and single hyphens between them"
                .to_owned(),
        );
    }
    Ok(name.to_owned())
}

/// A capsule's or quiz's title: trimmed, 1–200 characters, no control characters.
pub fn parse_title(title: &str) -> Result<String, String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if title.chars().count() > MAX_TITLE {
        return Err(format!("must be at most {MAX_TITLE} characters"));
    }
    if title.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(title.to_owned())
}

/// A first or last name: trimmed, in Unicode's composed form (NFC: an `é` typed as `e` and a
/// combining accent is stored as `é`), 1–64 characters, no control characters, nothing
/// invisible that could disguise it (see `disguises`).
pub fn parse_person_name(name: &str) -> Result<String, String> {
    let name: String = name.trim().nfc().collect();
    let name = name.as_str();
    if name.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if name.chars().count() > MAX_PERSON_NAME {
        return Err(format!("must be at most {MAX_PERSON_NAME} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    if name.chars().any(disguises) {
        return Err("must not contain invisible or text-direction characters".to_owned());
    }
    let joiner = |c: Option<char>| c.is_some_and(|c| matches!(c, '\u{200C}' | '\u{200D}'));
    if joiner(name.chars().next()) || joiner(name.chars().last()) {
        return Err("must not begin or end with an invisible joiner".to_owned());
    }
    Ok(name.to_owned())
}

/// Characters that change how the text around them reads without showing themselves: the
/// bidirectional overrides, embeddings, isolates and marks (a name that shows reversed in the
/// trainer's list and the reports), and the zero-width or invisible ones (a name that looks
/// like another's, or like nothing). The zero-width joiner and non-joiner stay allowed inside
/// a name: Persian names and emoji sequences need them.
fn disguises(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// A name as people compare them: accents and case folded (`Zoé`, `ZOE` and `Zoe` + a
/// combining accent are one name), every letter kept (unlike a transliteration, which would make
/// two different Chinese names one).
pub fn fold(name: &str) -> String {
    let bare: String = name.nfd().filter(|c| !is_combining_mark(*c)).collect();
    bare.to_lowercase()
}

/// An e-mail address, trimmed and lowercased so that each person has one account.
pub fn parse_email(email: &str) -> Result<String, String> {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.split_once('@') else {
        return Err("must be an e-mail address such as name@example.org".to_owned());
    };
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= MAX_EMAIL
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err("must be an e-mail address such as name@example.org".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_punctuation() {
        assert_eq!(
            slugify("Économie d'énergie : les bases"),
            "economie-d-energie-les-bases"
        );
        assert_eq!(slugify("  Rust -- 101!  "), "rust-101");
        assert_eq!(slugify("Ça va ? Œuvre"), "ca-va-oeuvre");
    }

    #[test]
    fn slugs_have_a_readable_floor_and_a_ceiling() {
        assert_eq!(slugify("!!!"), "session");
        assert_eq!(slugify("Go"), "go-session");
        let long = slugify(&"mot ".repeat(40));
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
        assert!(parse_room_name(&long).is_ok());
    }

    #[test]
    fn suffixes_stay_within_the_limit() {
        assert_eq!(slug_with_suffix("atelier", 1), "atelier");
        assert_eq!(slug_with_suffix("atelier", 2), "atelier-2");
        let base = "a".repeat(MAX_SLUG);
        let named = slug_with_suffix(&base, 12);
        assert_eq!(named.len(), MAX_SLUG);
        assert!(named.ends_with("-12"));
    }

    #[test]
    fn the_first_free_suffix_is_taken() {
        let taken = ["atelier", "atelier-2", "atelier-4"]
            .map(String::from)
            .into();
        assert_eq!(first_free_name("atelier", &taken), "atelier-3");
        assert_eq!(first_free_name("autre", &taken), "autre");
    }

    #[test]
    fn room_names_are_checked() {
        assert!(parse_room_name("mon-atelier-2").is_ok());
        for bad in [
            "ab",
            "Mon-Atelier",
            "-atelier",
            "atelier-",
            "a--b",
            "été-2",
            "a b c",
        ] {
            assert!(parse_room_name(bad).is_err(), "{bad}");
        }
        assert!(parse_room_name(&"a".repeat(49)).is_err());
    }

    #[test]
    fn person_names_are_trimmed_and_bounded() {
        assert_eq!(parse_person_name("  Zoé ").unwrap(), "Zoé");
        assert!(parse_person_name("   ").is_err());
        assert!(parse_person_name("a\u{7}b").is_err());
        assert!(parse_person_name(&"é".repeat(64)).is_ok());
        assert!(parse_person_name(&"é".repeat(65)).is_err());
    }

    #[test]
    fn names_are_stored_composed_and_compared_folded() {
        assert_eq!(parse_person_name(" Zoe\u{301} ").unwrap(), "Zoé");
        assert_eq!(fold("ZOÉ"), fold("Zoe\u{301}"));
        assert_eq!(fold("Zoé"), "zoe");
        assert_ne!(fold("李"), fold("理"), "different names stay different");
    }

    #[test]
    fn names_cannot_hide_or_reverse_themselves() {
        for disguised in [
            "\u{202E}eoZ",
            "Zoé\u{2066}",
            "\u{200B}",
            "Zo\u{200B}é",
            "\u{FEFF}Zoé",
            "Zo\u{AD}é",
            "\u{200D}Zoé",
            "Zoé\u{200C}",
        ] {
            assert!(parse_person_name(disguised).is_err(), "{disguised:?}");
        }
        // Joiners inside a name are how some names and emoji are written.
        assert!(parse_person_name("Mohammad\u{200C}reza").is_ok());
        assert!(parse_person_name("Léa 👩\u{200D}💻").is_ok());
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(parse_email(" Ana@Example.ORG ").unwrap(), "ana@example.org");
        for bad in [
            "",
            "ana",
            "@example.org",
            "ana@example",
            "ana@.org",
            "a na@example.org",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
