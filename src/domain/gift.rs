//! Quiz import from Moodle's GIFT text format (<https://docs.moodle.org/en/GIFT_format>).
//!
//! Reads a file the way Moodle's own importer (`qformat_gift`) does. Kinds Pratico runs become
//! `QuestionInput`s; the others (numerical, matching, description) and questions the quiz rules
//! refuse are skipped with a warning, so the rest of the file still imports. Only a malformed
//! file, or one with nothing to run, is an error.

use serde::Serialize;

use super::lang::Lang;
use super::quiz::QuestionKind::{Multiple, Open, Single, TrueFalse};
use super::quiz::{ChoiceInput, QuestionInput, QuizError, QuizRule, parse_questions};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GiftImport {
    pub questions: Vec<QuestionInput>,
    pub warnings: Vec<GiftWarning>,
}

/// A question left out of the import or changed, by the 1-based line where it starts, said in
/// the language the import was asked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "../api-types/")]
pub struct GiftWarning {
    pub line: usize,
    pub message: String,
}

/// Why a file can't be imported, by 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {}", problem.said(Lang::En))]
pub struct GiftError {
    pub line: usize,
    pub problem: Problem,
}

impl GiftError {
    /// `line 4: …`, for a trainer reading `lang`.
    pub fn said(&self, lang: Lang) -> String {
        let line = lang.pick("line", "ligne");
        let colon = lang.pick(":", " :");
        format!("{line} {}{colon} {}", self.line, self.problem.said(lang))
    }
}

fn error(line: usize, problem: Problem) -> GiftError {
    GiftError { line, problem }
}

/// What is wrong with a file, or with one of its questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Nothing to run: how many questions were left out, and the first of them.
    NothingToRun(usize, Option<Box<(usize, Problem)>>),
    Unclosed,
    BraceInside,
    SecondBlock,
    StrayClose,
    NoAnswers,
    /// A kind Pratico does not run.
    Description,
    Numerical,
    Matching,
    /// A question the quiz rules refuse: the field and the rule.
    Refused(String, QuizRule),
    /// A short answer, imported as an open question: typed answers are not checked.
    ShortAnswer,
}

impl Problem {
    pub fn said(&self, lang: Lang) -> String {
        use Problem::*;
        let en = lang == Lang::En;
        let kind_skipped = |en_kind: &str, fr_kind: &str| match lang {
            Lang::En => format!("skipped a {en_kind}: Pratico can't run this kind"),
            Lang::Fr => format!("{fr_kind} ignorée : Pratico ne sait pas en faire une question"),
        };
        match self {
            NothingToRun(0, _) | NothingToRun(_, None) if en => {
                "no question Pratico can run".into()
            }
            NothingToRun(0, _) | NothingToRun(_, None) => {
                "aucune question que Pratico puisse poser".into()
            }
            NothingToRun(count, Some(first)) => {
                let (line, why) = (first.0, first.1.said(lang));
                match lang {
                    Lang::En => {
                        format!("no question Pratico can run ({count} skipped; line {line}: {why})")
                    }
                    Lang::Fr => format!(
                        "aucune question que Pratico puisse poser ({count} ignorées ; ligne \
                         {line} : {why})"
                    ),
                }
            }
            Unclosed if en => "unclosed `{`".into(),
            Unclosed => "une accolade `{` n'est jamais fermée par `}`".into(),
            BraceInside if en => "`{` inside an answer block (write \\{ for a brace)".into(),
            BraceInside => {
                "`{` dans un bloc de réponses (écrivez \\{ pour une accolade dans le texte)".into()
            }
            SecondBlock if en => "a second answer block (write \\{ for a brace)".into(),
            SecondBlock => {
                "un second bloc de réponses (écrivez \\{ pour une accolade dans le texte)".into()
            }
            StrayClose if en => "`}` without `{` (write \\} for a brace)".into(),
            StrayClose => {
                "`}` sans `{` ouvrante (écrivez \\} pour une accolade dans le texte)".into()
            }
            NoAnswers if en => "the answer block has no answers".into(),
            NoAnswers => "le bloc de réponses ne contient aucune réponse".into(),
            Description => kind_skipped(
                "description (text without an answer block)",
                "Description (texte sans bloc de réponses)",
            ),
            Numerical => kind_skipped("numerical question", "Question numérique"),
            Matching => kind_skipped("matching question", "Question d'appariement"),
            Refused(field, rule) if en => {
                format!("question skipped: {field}: {}", rule.said(lang))
            }
            Refused(field, rule) => format!("question ignorée : {field} : {}", rule.said(lang)),
            ShortAnswer if en => "a short answer, imported as an open question: Pratico does not \
                                  check typed answers, so the accepted answers were left out"
                .into(),
            ShortAnswer => "Réponse courte importée comme question ouverte : Pratico ne corrige \
                            pas les réponses tapées, les réponses acceptées ont été laissées de \
                            côté"
                .into(),
        }
    }
}

/// Characters a backslash escapes (`\n` is a line break). While the syntax is read they stand as
/// private-use code points from `HIDDEN` on, so `str` searches only meet unescaped syntax.
const ESCAPED: &str = "\\:#={}~n";
const HIDDEN: u32 = 0xF_0000;

/// Text formats Moodle accepts as a `[format]` prefix.
const FORMATS: [&str; 4] = ["[html]", "[moodle]", "[plain]", "[markdown]"];

/// Imports a GIFT file: the questions Pratico can run, and a warning (in `lang`) for each one
/// left out or changed.
pub fn parse_gift(text: &str, lang: Lang) -> Result<GiftImport, GiftError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut questions, mut problems) = (Vec::new(), Vec::new());
    for block in blocks(text) {
        match block.parse()? {
            Parsed::Question(question, None) => questions.push(question),
            Parsed::Question(question, Some(problem)) => {
                questions.push(question);
                problems.push((block.line, problem));
            }
            Parsed::Skipped(problem) => problems.push((block.line, problem)),
        }
    }
    if questions.is_empty() {
        let first = problems.first().cloned().map(Box::new);
        let problem = Problem::NothingToRun(problems.len(), first);
        return Err(error(text.lines().count().max(1), problem));
    }
    let warnings = (problems.into_iter())
        .map(|(line, problem)| GiftWarning {
            line,
            message: problem.said(lang),
        })
        .collect();
    Ok(GiftImport {
        questions,
        warnings,
    })
}

/// One question's lines: escapes hidden, comment lines kept as empty lines so that an offset
/// still tells its line.
struct Block {
    line: usize,
    text: String,
}

/// What a block gives: a question (with what was changed to import it), or why it was left out.
enum Parsed {
    Question(QuestionInput, Option<Problem>),
    Skipped(Problem),
}

/// Splits a file into blank-line separated blocks, leaving out comment-only ones.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        let comment = line.starts_with("//");
        if line.is_empty() {
            blocks.extend(current.take());
        } else if let Some(block) = &mut current {
            block.text.push('\n');
            if !comment {
                block.text += &hide_escapes(line);
            }
        } else if !comment {
            current = Some(Block {
                line: index + 1,
                text: hide_escapes(line),
            });
        }
    }
    blocks.extend(current);
    // Pratico has no question bank, so category switches mean nothing here.
    blocks.retain(|block| !block.text.starts_with("$CATEGORY:"));
    blocks
}

impl Block {
    fn line_at(&self, offset: usize) -> usize {
        self.line + self.text[..offset].matches('\n').count()
    }

    fn parse(&self) -> Result<Parsed, GiftError> {
        let text = &self.text;
        let (title, start) = split_title(text);
        let Some((open, close)) = self.braces(start)? else {
            return Ok(Parsed::Skipped(Problem::Description));
        };
        let (before, after) = (&text[start..open], &text[close + 1..]);
        // Moodle's missing-word format: an answer block inside the sentence stands for a blank.
        let mut prompt = match after.trim() {
            "" => clean(before),
            _ => clean(&format!("{before}_____{after}")),
        };
        if prompt.is_empty() {
            prompt = clean(title);
        }
        let answers = &text[open + 1..close];
        let answers = &answers[..answers.rfind("####").unwrap_or(answers.len())];
        self.question(prompt, &answers.replace('\n', " "), open)
    }

    /// Offsets of the answer block's `{` and `}`, none for a description.
    fn braces(&self, start: usize) -> Result<Option<(usize, usize)>, GiftError> {
        let braces = self.text[start..].match_indices(['{', '}']);
        let mut braces = braces.map(|(offset, brace)| (start + offset, brace));
        let fail = |offset, problem| Err(error(self.line_at(offset), problem));
        match (braces.next(), braces.next(), braces.next()) {
            (None, ..) => Ok(None),
            (Some((open, "{")), Some((close, "}")), None) => Ok(Some((open, close))),
            (Some((open, "{")), None, _) => fail(open, Problem::Unclosed),
            (Some((_, "{")), Some((inner, "{")), _) => fail(inner, Problem::BraceInside),
            (Some((_, "{")), Some(_), Some((next, "{"))) => fail(next, Problem::SecondBlock),
            (Some((_, "{")), Some(_), Some((stray, _))) | (Some((stray, _)), ..) => {
                fail(stray, Problem::StrayClose)
            }
        }
    }

    /// Reads the answer block the way Moodle decides a question's kind, in the same order.
    fn question(&self, prompt: String, answers: &str, open: usize) -> Result<Parsed, GiftError> {
        let answers = answers.trim();
        let no_answers = || Err(error(self.line_at(open), Problem::NoAnswers));
        let mut changed = None;
        let (kind, choices) = if answers.is_empty() {
            (Open, Vec::new()) // an essay
        } else if answers.starts_with('#') {
            return Ok(Parsed::Skipped(Problem::Numerical));
        } else if answers.contains('~') {
            let single = answers.contains('=');
            let choices = choices(answers, single);
            if choices.is_empty() {
                return no_answers();
            }
            (if single { Single } else { Multiple }, choices)
        } else if answers.contains('=') && answers.contains("->") {
            return Ok(Parsed::Skipped(Problem::Matching));
        } else if let Some(truth) = truth(answers) {
            let choices = vec![choice("True", truth), choice("False", !truth)];
            (TrueFalse, choices)
        } else if answers.split('=').all(blank) {
            return no_answers();
        } else {
            // A short answer: Pratico doesn't grade free text, so it becomes an open question.
            changed = Some(Problem::ShortAnswer);
            (Open, Vec::new())
        };
        let question = QuestionInput {
            id: None,
            kind,
            prompt,
            choices,
            time_limit_s: None,
            points: None,
        };
        Ok(match runnable(question) {
            Parsed::Question(question, _) => Parsed::Question(question, changed),
            skipped => skipped,
        })
    }
}

/// Splits off a leading `::title::`: the title, and the offset where the question starts.
fn split_title(text: &str) -> (&str, usize) {
    let Some(rest) = text.strip_prefix("::") else {
        return ("", 0);
    };
    let end = rest.find("::");
    end.map_or(("", 2), |end| (&rest[..end], end + 4))
}

/// Keeps a question only if the quiz rules take it (2–10 choices, one correct answer, lengths…).
fn runnable(question: QuestionInput) -> Parsed {
    match parse_questions(vec![question.clone()]) {
        Ok(_) => Parsed::Question(question, None),
        Err(QuizError { field, rule }) => {
            let field = field.strip_prefix("questions[0].").unwrap_or(&field);
            Parsed::Skipped(Problem::Refused(field.to_owned(), rule))
        }
    }
}

/// Multiple-choice answers: with an `=` answer only that one is right, else the positive weights.
fn choices(answers: &str, single: bool) -> Vec<ChoiceInput> {
    let answers = answers.replace('=', "~=");
    let choices = answers.split('~').filter_map(|answer| {
        let marked = answer.trim().starts_with('=');
        let (weight, text) = weighted(answer.trim().trim_start_matches('='));
        let correct = if single { marked } else { weight > 0.0 };
        // Blank answers are dropped, as Moodle does when it saves the question.
        (!text.is_empty()).then(|| choice(&text, correct))
    });
    choices.collect()
}

fn choice(text: &str, correct: bool) -> ChoiceInput {
    ChoiceInput {
        id: None,
        text: text.to_owned(),
        correct,
    }
}

/// An answer's `%weight%` (0 when absent) and its text, without its `#feedback`.
fn weighted(answer: &str) -> (f64, String) {
    let answer = answer.trim();
    let (weight, text) = answer
        .strip_prefix('%')
        .and_then(|rest| rest.split_once('%'))
        .and_then(|(weight, text)| Some((weight.trim().parse::<f64>().ok()?, text)))
        .filter(|(weight, _)| weight.is_finite())
        .unwrap_or((0.0, answer));
    (weight, clean(without_feedback(text)))
}

fn blank(answer: &str) -> bool {
    weighted(answer).1.is_empty()
}

fn without_feedback(answer: &str) -> &str {
    answer.split_once('#').map_or(answer, |(text, _)| text)
}

fn truth(answers: &str) -> Option<bool> {
    match without_feedback(answers).trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Final text: `[format]` marker dropped (Pratico shows text as written), escapes restored.
fn clean(text: &str) -> String {
    let text = text.trim();
    let marked = FORMATS.iter().find_map(|format| text.strip_prefix(format));
    let text: String = marked.unwrap_or(text).chars().map(reveal).collect();
    text.trim().to_owned()
}

/// Swaps each escape for its placeholder code point (see `ESCAPED`).
fn hide_escapes(line: &str) -> String {
    let mut hidden = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek().and_then(|&next| ESCAPED.find(next)) {
            Some(index) if c == '\\' => {
                chars.next();
                hidden.extend(char::from_u32(HIDDEN + index as u32));
            }
            _ => hidden.push(c),
        }
    }
    hidden
}

fn reveal(c: char) -> char {
    let index = (c as u32).checked_sub(HIDDEN);
    match index.and_then(|index| ESCAPED.chars().nth(index as usize)) {
        Some('n') => '\n',
        Some(escaped) => escaped,
        None => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLES: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gift/moodle__examples.gift.txt"
    ));
    const MANIFEST: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gift/manifest.json"
    ));

    /// Each question in one line: kind, prompt, then its choices, `+` marking the correct ones.
    fn shown(text: &str) -> Vec<String> {
        let show = |question: &QuestionInput| {
            let mut shown = format!("{:?} {}", question.kind, question.prompt);
            for choice in &question.choices {
                let mark = if choice.correct { '+' } else { '-' };
                shown += &format!(" |{mark}{}", choice.text);
            }
            shown
        };
        let questions = parse_gift(text, Lang::En).unwrap().questions;
        questions.iter().map(show).collect()
    }

    #[test]
    fn imports_the_moodle_examples_as_the_manifest_counts_them() {
        let import = parse_gift(EXAMPLES, Lang::En).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(MANIFEST).unwrap();
        let moodle = &manifest["files"][0]["by_kind_moodle_import"];
        let count = |kind| import.questions.iter().filter(|q| q.kind == kind).count() as u64;
        assert_eq!(count(Single), moodle["mc_single"]);
        assert_eq!(count(Multiple), moodle["mc_multiple"]);
        assert_eq!(count(TrueFalse), moodle["true_false"]);
        let open = moodle["short_answer"].as_u64().unwrap() + moodle["essay"].as_u64().unwrap();
        assert_eq!(count(Open), open);
        assert_eq!(import.questions.len(), 32);
        let lines = |kind| {
            let warnings = import.warnings.iter().filter(|w| w.message.contains(kind));
            warnings.map(|w| w.line).collect::<Vec<_>>()
        };
        assert_eq!(lines("numerical"), [16, 70, 72, 74, 76, 85, 175, 202]);
        assert_eq!(lines("matching"), [55, 61, 177]);
        // Each short answer, imported as an open question, says so.
        assert_eq!(lines("short answer").len() as u64, moodle["short_answer"]);
        assert_eq!(import.warnings.len(), 11 + lines("short answer").len());
        let french = parse_gift(EXAMPLES, Lang::Fr).unwrap().warnings;
        assert_eq!(french[1].line, 16);
        assert!(
            french[1].message.starts_with("Question numérique ignorée"),
            "{french:?}"
        );
        assert_eq!(parse_questions(import.questions).unwrap().len(), 32);
    }

    #[test]
    fn reads_the_moodle_examples_as_written() {
        let shown = shown(EXAMPLES);
        for expected in [
            // Escaped characters.
            "Single Which answer equals 5? |-= 2 + 2 |+= 2 + 3 |-= 2 + 4",
            "Single Which of the following is NOT a control character for the GIFT import \
             format? |-~ |-= |-# |-{ |-} |+\\",
            // Markdown marker, feedback.
            "Open Who's buried in **Grant's tomb**?",
            // Weights: positive ones are correct, unless an `=` answer makes it single.
            "Multiple What two people are entombed in Grant's tomb? |-No one |+Grant \
             |+Grant's wife |-Grant's father",
            "Single Difficult question. |-wrong answer |-half credit answer |+full credit answer",
            // Missing words.
            "Single Grant is _____ in Grant's tomb. |-buried |+entombed |-living",
            "Single The American holiday of Thanksgiving is celebrated on the _____ Thursday of \
             November. |-second |-third |+fourth",
            "Open Two plus two equals _____.",
            "Open Jesus Christ was from _____.",
            "TrueFalse Grant is buried in Grant's tomb. |-True |+False",
        ] {
            assert!(shown.iter().any(|q| q == expected), "{expected}");
        }
        assert_eq!(shown.iter().filter(|q| q.contains("_____")).count(), 9);
    }

    #[test]
    fn reads_each_supported_form() {
        let text = r"// note
            Sun rises east.{T#no#yes}

            Time\: 10\:30\nOK? {=yes ~no}

            [html]<b>Hi</b>?{=a#yes ~b}

            Pick:{~%100%a ~%-100%b ~%50%c ~}

            ::Essay::Tell us.{}

            ::Named only::{####general feedback}

            $CATEGORY: tom

            Short {=Paris =%50%paris}";
        let expected = [
            "TrueFalse Sun rises east. |+True |-False",
            "Single Time: 10:30\nOK? |+yes |-no",
            "Single <b>Hi</b>? |+a |-b",
            "Multiple Pick: |+a |-b |+c",
            "Open Tell us.",
            "Open Named only",
            "Open Short",
        ];
        assert_eq!(shown(text), expected);
        let crlf = "\u{feff}Flat?\r\n{FALSE}\r\n";
        assert_eq!(shown(crlf), ["TrueFalse Flat? |-True |+False"]);
        let moodle_crlf = parse_gift(&EXAMPLES.replace('\n', "\r\n"), Lang::En);
        assert_eq!(moodle_crlf, parse_gift(EXAMPLES, Lang::En));
    }

    #[test]
    fn keeps_french_accents() {
        let text = "::Géographie::Quelle est la préfecture de l'Hérault ?\n{\n\
                    =Montpellier#Très bien !\n~Béziers\n~Sète\n}\n\n\
                    L'été commence en {=juin ~décembre} dans l'hémisphère Nord.";
        let expected = [
            "Single Quelle est la préfecture de l'Hérault ? |+Montpellier |-Béziers |-Sète",
            "Single L'été commence en _____ dans l'hémisphère Nord. |+juin |-décembre",
        ];
        assert_eq!(shown(text), expected);
        assert!(parse_questions(parse_gift(text, Lang::En).unwrap().questions).is_ok());
    }

    #[test]
    fn skips_what_the_quiz_rules_refuse() {
        let eleven: String = (1..=11).map(|i| format!("~{i} ")).collect();
        let text = format!("Q1 {{=0 {eleven}}}\n\nQ2 {{=a ~}}\n\nQ3 {{=a =b ~c}}\n\nQ4 {{=a ~b}}");
        let import = parse_gift(&text, Lang::En).unwrap();
        assert_eq!(import.questions.len(), 1);
        let warning = |w: &GiftWarning| format!("{}: {}", w.line, w.message);
        let warnings: Vec<_> = import.warnings.iter().map(warning).collect();
        assert_eq!(
            warnings,
            [
                "1: question skipped: choices: needs between 2 and 10 choices, got 12",
                "3: question skipped: choices: needs between 2 and 10 choices, got 1",
                "5: question skipped: choices: a single question has exactly one correct choice, \
                 got 2",
            ]
        );
    }

    /// Each case starts with a comment (which the parser ignores) holding the error it expects.
    #[test]
    fn errors_name_their_line() {
        for case in [
            "// line 1: no question Pratico can run",
            "// line 4: unclosed `{`\nQ1 {T}\n\nQ2 {\n=a\n~b",
            "// line 5: `}` without `{` (write \\} for a brace)\nQ1 {T}\n\nQ2\n=a} {~b}",
            "// line 3: a second answer block (write \\{ for a brace)\nQ {=a}\nthen {~b}",
            "// line 3: `{` inside an answer block (write \\{ for a brace)\nQ {=a\n~{b}",
            "// line 4: the answer block has no answers\nQ1 {T}\n\nQ2 {\n~ ~#only feedback\n}",
            "// line 4: the answer block has no answers\nQ1 {T}\n\nQ2 {=}",
            "// line 4: no question Pratico can run (2 skipped; line 2: skipped a numerical \
             question: Pratico can't run this kind)\nYear? {#1822}\n\nPi? {#3.14}",
        ] {
            let expected = case.lines().next().unwrap().trim_start_matches("// ");
            assert_eq!(
                parse_gift(case, Lang::En).unwrap_err().to_string(),
                expected
            );
        }
        let unclosed = parse_gift("Q1 {T}\n\nQ2 {\n=a\n~b", Lang::Fr).unwrap_err();
        assert_eq!(
            unclosed.said(Lang::Fr),
            "ligne 3 : une accolade `{` n'est jamais fermée par `}`"
        );
        assert_eq!(
            parse_gift("", Lang::En),
            Err(error(1, Problem::NothingToRun(0, None)))
        );
    }
}
