//! From the wire to the room: what a joined client's message asks of its room.

use uuid::Uuid;

use super::cloud::CloudCommand;
use super::decide::Command;
use super::qa::QaCommand;
use super::{LiveRoom, RoomError, RoomResult, Sender};
use crate::domain::protocol::{ClientMessage, ErrorCode};
use crate::domain::quiz::Answer;

/// A joined client's message, as its room takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// Decided by the room alone.
    Command(Command),
    /// Needs the database as well: the name must be free among every live room.
    Rename { name: String },
    /// Needs the database as well: the room and its chat are deleted.
    EndSession,
}

impl Incoming {
    /// Reads a message that reached the room from a joined connection, read from its socket
    /// at `received_at` (answers are timed by it).
    ///
    /// `ping`, `join` and `quiz_start` never get here: the socket answers a ping itself, a
    /// join has its own request, and a quiz's sheet is loaded before the room sees its start
    /// (`Command::QuizStart`); each is refused as a misplaced message.
    pub fn read(message: ClientMessage, received_at: i64) -> RoomResult<Self> {
        let command = match message {
            ClientMessage::Rename { name } => return Ok(Self::Rename { name }),
            ClientMessage::EndSession => return Ok(Self::EndSession),
            ClientMessage::Join(_) => {
                return Err(RoomError::new(ErrorCode::BadMessage, "already joined"));
            }
            ClientMessage::Ping | ClientMessage::QuizStart { .. } => {
                return Err(RoomError::new(
                    ErrorCode::BadMessage,
                    "`ping` and `quiz_start` are not the room's to read",
                ));
            }
            ClientMessage::ChatSend { text } => Command::ChatSend { text },
            ClientMessage::SetPage { page_id } => Command::SetPage { page_id },
            ClientMessage::GotoPage { page_id } => Command::GotoPage { page_id },
            ClientMessage::SetParams { params } => Command::SetParams { params },
            ClientMessage::Lock => Command::Lock,
            ClientMessage::Unlock => Command::Unlock,
            ClientMessage::Kick {
                participant_id,
                ban,
            } => Command::Kick {
                participant_id,
                ban,
            },
            ClientMessage::ChatDelete { message_id } => Command::ChatDelete { message_id },
            ClientMessage::QuizNext => Command::QuizNext,
            ClientMessage::QuizClose => Command::QuizClose,
            ClientMessage::QuizReveal => Command::QuizReveal,
            ClientMessage::QuizEnd => Command::QuizEnd,
            ClientMessage::React { reaction } => Command::React { reaction },
            ClientMessage::CloudStart { prompt, max_words } => {
                Command::Cloud(CloudCommand::Start { prompt, max_words })
            }
            ClientMessage::CloudSend { text } => Command::Cloud(CloudCommand::Send { text }),
            ClientMessage::CloudHide { word, hidden } => Command::Cloud(CloudCommand::Hide {
                word,
                hidden: hidden.unwrap_or(true),
            }),
            ClientMessage::CloudShow { shown } => Command::Cloud(CloudCommand::Show { shown }),
            ClientMessage::CloudEnd => Command::Cloud(CloudCommand::End),
            ClientMessage::QaAsk { text } => Command::Qa(QaCommand::Ask { text }),
            ClientMessage::QaVote { question_id } => Command::Qa(QaCommand::Vote { question_id }),
            ClientMessage::QaMark { question_id, mark } => {
                Command::Qa(QaCommand::Mark { question_id, mark })
            }
            ClientMessage::QuizAnswer {
                question_id,
                choice_ids,
                text,
                number,
                item_ids,
            } => Command::QuizAnswer {
                question_id,
                answer: answer(choice_ids, text, number, item_ids)?,
                received_at,
            },
        };
        Ok(Self::Command(command))
    }

    /// Whether `sender` may ask this of the room at all (the room's own commands are checked
    /// as they are decided).
    pub fn allowed(&self, sender: Sender) -> RoomResult<()> {
        match self {
            Self::Rename { .. } | Self::EndSession if sender != Sender::Trainer => {
                Err(RoomError::trainer_only())
            }
            _ => Ok(()),
        }
    }
}

/// A quiz answer is one of choices, a text, a number or an order, never two.
fn answer(
    choice_ids: Option<Vec<String>>,
    text: Option<String>,
    number: Option<f64>,
    item_ids: Option<Vec<String>>,
) -> RoomResult<Answer> {
    match (choice_ids, text, number, item_ids) {
        (Some(choice_ids), None, None, None) => Ok(Answer::Choices { choice_ids }),
        (None, Some(text), None, None) => Ok(Answer::Text { text }),
        (None, None, Some(number), None) => Ok(Answer::Number { number }),
        (None, None, None, Some(item_ids)) => Ok(Answer::Order { item_ids }),
        _ => Err(RoomError::new(
            ErrorCode::BadAnswer,
            "give one of `choice_ids`, `text`, `number` or `item_ids`",
        )),
    }
}

impl LiveRoom {
    /// The quiz a `quiz_start` from `sender` names, to be loaded before the room starts it:
    /// the trainer's choice, else the quiz chosen at launch. It is loaded among the quizzes
    /// of the room's trainer (`facts.trainer_id`).
    pub fn quiz_to_load(&self, sender: Sender, quiz_id: Option<Uuid>) -> RoomResult<Uuid> {
        if sender != Sender::Trainer {
            return Err(RoomError::trainer_only());
        }
        quiz_id
            .or(self.quiz_id)
            .ok_or_else(|| RoomError::new(ErrorCode::BadMessage, "quiz_start needs a `quiz_id`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::protocol::parse_client_message;
    use crate::domain::room::tests::room;

    fn read(frame: &str) -> RoomResult<Incoming> {
        Incoming::read(parse_client_message(frame).1.unwrap(), 42)
    }

    #[test]
    fn commands_come_off_the_wire_as_the_room_takes_them() {
        assert_eq!(
            read(r#"{"type":"goto_page","page_id":"page:b"}"#),
            Ok(Incoming::Command(Command::GotoPage {
                page_id: "page:b".into()
            }))
        );
        assert_eq!(
            read(r#"{"type":"quiz_answer","question_id":"q1","text":"oui"}"#),
            Ok(Incoming::Command(Command::QuizAnswer {
                question_id: "q1".into(),
                answer: Answer::Text { text: "oui".into() },
                received_at: 42,
            }))
        );
        assert_eq!(
            read(r#"{"type":"quiz_answer","question_id":"q1","number":-2.5}"#),
            Ok(Incoming::Command(Command::QuizAnswer {
                question_id: "q1".into(),
                answer: Answer::Number { number: -2.5 },
                received_at: 42,
            }))
        );
        assert_eq!(
            read(r#"{"type":"quiz_answer","question_id":"q1","item_ids":["b","a"]}"#),
            Ok(Incoming::Command(Command::QuizAnswer {
                question_id: "q1".into(),
                answer: Answer::Order {
                    item_ids: vec!["b".into(), "a".into()]
                },
                received_at: 42,
            }))
        );
        assert_eq!(
            read(r#"{"type":"rename","name":"salle"}"#),
            Ok(Incoming::Rename {
                name: "salle".into()
            })
        );
        assert_eq!(read(r#"{"type":"end_session"}"#), Ok(Incoming::EndSession));
    }

    #[test]
    fn an_answer_is_one_of_its_forms_never_two_nor_none() {
        for frame in [
            r#"{"type":"quiz_answer","question_id":"q1"}"#,
            r#"{"type":"quiz_answer","question_id":"q1","choice_ids":["a"],"text":"a"}"#,
            r#"{"type":"quiz_answer","question_id":"q1","number":2,"text":"2"}"#,
            r#"{"type":"quiz_answer","question_id":"q1","item_ids":["a"],"choice_ids":["a"]}"#,
        ] {
            assert_eq!(read(frame).unwrap_err().code, ErrorCode::BadAnswer);
        }
    }

    #[test]
    fn a_second_join_is_refused() {
        let join = r#"{"type":"join","as":"participant","first_name":"A","last_name":"B"}"#;
        assert_eq!(read(join).unwrap_err().code, ErrorCode::BadMessage);
    }

    #[test]
    fn only_the_trainer_renames_or_ends() {
        let end = Incoming::EndSession;
        assert_eq!(end.allowed(Sender::Trainer), Ok(()));
        let zoe = Sender::Participant(Uuid::now_v7());
        assert_eq!(end.allowed(zoe).unwrap_err().code, ErrorCode::Forbidden);
    }

    #[test]
    fn a_quiz_start_names_its_quiz_or_the_rooms() {
        let mut room = room(10);
        let zoe = Sender::Participant(Uuid::now_v7());
        let asked = Uuid::now_v7();
        assert_eq!(
            room.quiz_to_load(zoe, Some(asked)).unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            room.quiz_to_load(Sender::Trainer, None).unwrap_err().code,
            ErrorCode::BadMessage
        );
        let launched = Uuid::now_v7();
        room.quiz_id = Some(launched);
        assert_eq!(room.quiz_to_load(Sender::Trainer, None), Ok(launched));
        assert_eq!(room.quiz_to_load(Sender::Trainer, Some(asked)), Ok(asked));
    }
}
