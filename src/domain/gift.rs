//! Quiz import from Moodle's GIFT text format (<https://docs.moodle.org/en/GIFT_format>).
//!
//! Reads a file the way Moodle's own importer (`qformat_gift`) does. Kinds Pratico runs become
//! `QuestionInput`s (numerical as `numeric`, short answer and missing word as `short`); the
//! others (matching, description) and questions the quiz rules refuse are skipped with a
//! warning, so the rest of the file still imports. Only a malformed file, or one with nothing to
//! run, is an error.

use serde::Serialize;

use super::lang::Lang;
use super::quiz::QuestionKind::{Multiple, Numeric, Open, Short, Single, TrueFalse};
use super::quiz::{ChoiceInput, QuestionInput, QuizError, QuizRule, parse_questions};

#[derive(Debug, Clone, PartialEq, Serialize)]
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
    Matching,
    /// A numerical answer that is not a number nor a range.
    NotANumber(String),
    /// Every answer of a numerical or short answer question earns partial credit only.
    NoFullCredit,
    /// A question the quiz rules refuse: the field and the rule.
    Refused(String, QuizRule),
    /// Answers worth part of the points, left out: Pratico counts them wrong.
    PartialCreditLeftOut(usize),
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
            Matching => kind_skipped("matching question", "Question d'appariement"),
            NotANumber(text) if en => {
                format!("question skipped: `{text}` is not a number nor a range such as 1..5")
            }
            NotANumber(text) => format!(
                "question ignorée : `{text}` n'est ni un nombre ni un intervalle comme 1..5"
            ),
            NoFullCredit if en => "question skipped: no answer is fully right".into(),
            NoFullCredit => "question ignorée : aucune réponse n'est entièrement juste".into(),
            Refused(field, rule) if en => {
                format!("question skipped: {field}: {}", rule.said(lang))
            }
            Refused(field, rule) => format!("question ignorée : {field} : {}", rule.said(lang)),
            PartialCreditLeftOut(count) if en => format!(
                "{count} partly right answer(s) left out: Pratico counts an answer right or wrong"
            ),
            PartialCreditLeftOut(count) => format!(
                "{count} réponse(s) partiellement juste(s) laissée(s) de côté : Pratico compte \
                 une réponse juste ou fausse"
            ),
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
            Parsed::Question(question, None) => questions.push(*question),
            Parsed::Question(question, Some(problem)) => {
                questions.push(*question);
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
    Question(Box<QuestionInput>, Option<Problem>),
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
        let (kind, choices) = if answers.is_empty() {
            (Open, Vec::new()) // an essay
        } else if let Some(numerical) = answers.strip_prefix('#') {
            return Ok(numeric(prompt, numerical));
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
            return Ok(short(prompt, answers));
        };
        Ok(runnable(QuestionInput {
            choices,
            ..QuestionInput::new(kind, prompt)
        }))
    }
}

/// Full-credit answers are kept (an `=` answer without a weight, or at 100%); the others are
/// left out with a warning, since Pratico counts an answer right or wrong.
fn full_credit(answers: &str) -> (Vec<String>, Option<Problem>) {
    let (mut full, mut partial) = (Vec::new(), 0);
    for answer in answers.split('=').filter(|answer| !blank(answer)) {
        let weighted = answer.trim_start().starts_with('%');
        match weighted_raw(answer) {
            (weight, text) if !weighted || weight >= 100.0 => full.push(text),
            _ => partial += 1,
        }
    }
    (
        full,
        (partial > 0).then_some(Problem::PartialCreditLeftOut(partial)),
    )
}

/// A short answer (or a missing word with `=` answers only): the full-credit answers accepted.
fn short(prompt: String, answers: &str) -> Parsed {
    let (accepted, changed) = full_credit(answers);
    if accepted.is_empty() {
        return Parsed::Skipped(Problem::NoFullCredit);
    }
    let accepted = accepted.iter().map(|text| clean(text)).collect();
    with_change(
        runnable(QuestionInput {
            accepted,
            ..QuestionInput::new(Short, prompt)
        }),
        changed,
    )
}

/// A numerical question: `{#answer}`, `{#answer:tolerance}`, `{#min..max}`, or several
/// `=`-answers of which the first full-credit one is kept.
fn numeric(prompt: String, answers: &str) -> Parsed {
    let (kept, changed) = match answers.contains('=') {
        true => full_credit(answers),
        false => (vec![clean(without_feedback(answers))], None),
    };
    let Some(first) = kept.first() else {
        return Parsed::Skipped(Problem::NoFullCredit);
    };
    let not_a_number = || Parsed::Skipped(Problem::NotANumber(first.clone()));
    let number = |text: &str| text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    let mut question = QuestionInput::new(Numeric, prompt);
    if let Some((min, max)) = first.split_once("..") {
        let (Some(min), Some(max)) = (number(min), number(max)) else {
            return not_a_number();
        };
        (question.min, question.max) = (Some(min), Some(max));
    } else {
        let (answer, tolerance) = first.split_once(':').unwrap_or((first, "0"));
        let (Some(answer), Some(tolerance)) = (number(answer), number(tolerance)) else {
            return not_a_number();
        };
        (question.answer, question.tolerance) = (Some(answer), Some(tolerance.abs()));
    }
    let dropped = kept.len() - 1;
    let changed = match (changed, dropped) {
        (Some(Problem::PartialCreditLeftOut(n)), _) => {
            Some(Problem::PartialCreditLeftOut(n + dropped))
        }
        (None, 1..) => Some(Problem::PartialCreditLeftOut(dropped)),
        (changed, _) => changed,
    };
    with_change(runnable(question), changed)
}

fn with_change(parsed: Parsed, changed: Option<Problem>) -> Parsed {
    match parsed {
        Parsed::Question(question, _) => Parsed::Question(question, changed),
        skipped => skipped,
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
        Ok(_) => Parsed::Question(Box::new(question), None),
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
        image: None,
    }
}

/// An answer's `%weight%` (0 when absent) and its text, without its `#feedback`.
fn weighted(answer: &str) -> (f64, String) {
    let (weight, text) = weighted_raw(answer);
    (weight, clean(&text))
}

/// `weighted`, with the text's escapes still hidden.
fn weighted_raw(answer: &str) -> (f64, String) {
    let answer = answer.trim();
    let (weight, text) = answer
        .strip_prefix('%')
        .and_then(|rest| rest.split_once('%'))
        .and_then(|(weight, text)| Some((weight.trim().parse::<f64>().ok()?, text)))
        .filter(|(weight, _)| weight.is_finite())
        .unwrap_or((0.0, answer));
    (weight, without_feedback(text).trim().to_owned())
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
        assert_eq!(count(Short), moodle["short_answer"]);
        assert_eq!(count(Numeric), moodle["numerical"]);
        assert_eq!(count(Open), moodle["essay"]);
        assert_eq!(import.questions.len(), 40);
        let lines = |kind| {
            let warnings = import.warnings.iter().filter(|w| w.message.contains(kind));
            warnings.map(|w| w.line).collect::<Vec<_>>()
        };
        assert_eq!(lines("matching"), [55, 61, 177]);
        // Answers worth 50% or 75% of the points: the two numerical examples and "Nazereth".
        assert_eq!(lines("partly right"), [76, 123, 195, 202]);
        assert_eq!(import.warnings.len(), 7);
        let french = parse_gift(EXAMPLES, Lang::Fr).unwrap().warnings;
        assert_eq!(french[0].line, 55);
        assert!(
            french[0]
                .message
                .starts_with("Question d'appariement ignorée"),
            "{french:?}"
        );
        assert_eq!(parse_questions(import.questions).unwrap().len(), 40);
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
            "Short Who's buried in **Grant's tomb**?",
            // Weights: positive ones are correct, unless an `=` answer makes it single.
            "Multiple What two people are entombed in Grant's tomb? |-No one |+Grant \
             |+Grant's wife |-Grant's father",
            "Single Difficult question. |-wrong answer |-half credit answer |+full credit answer",
            // Missing words.
            "Single Grant is _____ in Grant's tomb. |-buried |+entombed |-living",
            "Single The American holiday of Thanksgiving is celebrated on the _____ Thursday of \
             November. |-second |-third |+fourth",
            "Short Two plus two equals _____.",
            "Short Jesus Christ was from _____.",
            "TrueFalse Grant is buried in Grant's tomb. |-True |+False",
        ] {
            assert!(shown.iter().any(|q| q == expected), "{expected}");
        }
        // The two pi questions end with a `.` after the block: a blank, as Moodle reads them.
        assert_eq!(shown.iter().filter(|q| q.contains("_____")).count(), 11);
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
            "Short Short",
        ];
        assert_eq!(shown(text), expected);
        let crlf = "\u{feff}Flat?\r\n{FALSE}\r\n";
        assert_eq!(shown(crlf), ["TrueFalse Flat? |-True |+False"]);
        let moodle_crlf = parse_gift(&EXAMPLES.replace('\n', "\r\n"), Lang::En);
        assert_eq!(moodle_crlf, parse_gift(EXAMPLES, Lang::En));
    }

    #[test]
    fn reads_numerical_and_short_answers() {
        let text = "Year? {#1822:2}\n\nRange? {#2.5..3.5}\n\nWhen? {#\n=1822:0 #yes\n\
                    =%50%1822:2 #close\n}\n\nCapital? {=Paris#yes =%50%paris =  Lutèce }\n\n\
                    Il fait {=beau} aujourd'hui.\n\nNeg? {#-3}";
        let import = parse_gift(text, Lang::En).unwrap();
        let q = &import.questions;
        assert_eq!(
            (q[0].kind, q[0].answer, q[0].tolerance),
            (Numeric, Some(1822.0), Some(2.0))
        );
        assert_eq!((q[1].min, q[1].max), (Some(2.5), Some(3.5)));
        assert_eq!((q[2].answer, q[2].tolerance), (Some(1822.0), Some(0.0)));
        assert_eq!(q[3].kind, Short);
        assert_eq!(q[3].accepted, ["Paris", "Lutèce"]);
        assert_eq!(q[4].prompt, "Il fait _____ aujourd'hui.");
        assert_eq!(q[4].accepted, ["beau"]);
        assert_eq!(q[5].answer, Some(-3.0));
        let warning = |w: &GiftWarning| format!("{}: {}", w.line, w.message);
        let warnings: Vec<_> = import.warnings.iter().map(warning).collect();
        let partly = "1 partly right answer(s) left out: Pratico counts an answer right or wrong";
        assert_eq!(warnings, [format!("5: {partly}"), format!("10: {partly}")]);
        assert_eq!(parse_questions(import.questions).unwrap().len(), 6);
        let skipped = parse_gift("A {=%50%x}\n\nB {#1..x}\n\nC {T}", Lang::Fr).unwrap();
        let warnings: Vec<_> = skipped.warnings.iter().map(warning).collect();
        assert_eq!(
            warnings,
            [
                "1: question ignorée : aucune réponse n'est entièrement juste",
                "3: question ignorée : `1..x` n'est ni un nombre ni un intervalle comme 1..5",
            ]
        );
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
            "// line 4: no question Pratico can run (2 skipped; line 2: question skipped: `abc` is \
             not a number nor a range such as 1..5)\nYear? {#abc}\n\nPi? {#=%50%3.14}",
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
