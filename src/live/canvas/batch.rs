//! The data messages (`patch`, `push_result`) of a short window, sent together.
//!
//! With dozens of strokes a second from each drawer, a frame per change and receiver is what
//! saturated the server (docs/benchmarks.md, canvas). Like tldraw's reference server, which
//! batches each session's data messages for 1000/60 ms, a window's messages go out as one
//! `data` frame per session; here, besides, every session that pushed nothing in the window
//! gets the very same frame, built once. A session's presence alone (a cursor moving) is
//! coalesced: a later one in the window replaces the earlier, unless the session pushed
//! something else in between.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::domain::canvas::{ServerMessage, To};
use crate::live::Frame;

/// The shortest time between two batches (the reference's 1000/60 ms). The first message after
/// a quiet window goes at once.
pub const WINDOW: Duration = Duration::from_micros(16_667);

#[derive(Default)]
pub struct Batch {
    /// The messages, serialised, in order; a presence replaced by a later one is `None`.
    items: Vec<Option<Item>>,
    /// The connected sessions every broadcast of the batch goes to (the room's shared list).
    sessions: Option<Arc<[Arc<str>]>>,
    /// Where each session's presence-only broadcast is in `items`.
    presence: HashMap<Arc<str>, usize>,
}

struct Item {
    text: String,
    target: Target,
}

enum Target {
    One(Arc<str>),
    /// Every session of the batch's list but this one.
    AllBut(Option<Arc<str>>),
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether a message to `to` may join the batch: a broadcast to another list of sessions
    /// (someone connected or left since the batch began) may not; flush the batch first.
    pub fn takes(&self, to: &To) -> bool {
        match (to, &self.sessions) {
            (To::Connected { sessions, .. }, Some(ours)) => Arc::ptr_eq(sessions, ours),
            _ => true,
        }
    }

    /// Adds a data message; the caller checked [`Batch::takes`].
    pub fn add(&mut self, to: To, message: &ServerMessage) {
        let text = serde_json::to_string(message).expect("messages serialise");
        let target = match to {
            To::One(session) => Target::One(session),
            To::Connected { sessions, except } => {
                self.sessions.get_or_insert(sessions);
                // A later presence of this pusher must not drop one that came before this
                // message (which may carry a patch of that presence too).
                if let Some(pusher) = &except {
                    self.presence.remove(pusher);
                }
                Target::AllBut(except)
            }
        };
        self.items.push(Some(Item { text, target }));
    }

    /// Adds a broadcast of nothing but `pusher`'s presence. If the batch already holds one,
    /// that one is dropped and `whole` (the presence as it is now, put whole: the dropped one
    /// may have been the base of a patch) goes in its place, at the end.
    pub fn add_presence(
        &mut self,
        to: To,
        pusher: Arc<str>,
        message: &ServerMessage,
        whole: impl FnOnce() -> Option<ServerMessage>,
    ) {
        let earlier = self.presence.get(&pusher).copied();
        let replacement = earlier.and_then(|_| whole());
        if let (Some(at), Some(_)) = (earlier, &replacement) {
            self.items[at] = None;
        }
        self.add(to, replacement.as_ref().unwrap_or(message));
        self.presence.insert(pusher, self.items.len() - 1);
    }

    /// The frames to send, one per session, and the batch emptied.
    pub fn flush(&mut self) -> Vec<(Arc<str>, Frame)> {
        let items: Vec<Item> = self.items.drain(..).flatten().collect();
        let sessions = self.sessions.take();
        self.presence.clear();
        // Sessions named by a message (pushers, receivers of their own results) get a frame of
        // their own; everyone else the shared one.
        let mut named: Vec<&Arc<str>> = Vec::new();
        let mut own: HashSet<&Arc<str>> = HashSet::new();
        for item in &items {
            let session = match &item.target {
                Target::One(session) => Some(session),
                Target::AllBut(except) => except.as_ref(),
            };
            if let Some(session) = session
                && own.insert(session)
            {
                named.push(session);
            }
        }
        let mut frames = Vec::new();
        if let Some(sessions) = &sessions {
            let common = items
                .iter()
                .filter(|item| matches!(item.target, Target::AllBut(_)));
            let shared = data_frame(common);
            frames.extend(
                (sessions.iter())
                    .filter(|s| !own.contains(s))
                    .map(|s| (Arc::clone(s), shared.clone())),
            );
        }
        for session in named {
            let listed =
                (sessions.as_ref()).is_some_and(|list| list.binary_search(session).is_ok());
            let mut mine = items
                .iter()
                .filter(|item| match &item.target {
                    Target::One(to) => to == session,
                    Target::AllBut(except) => listed && except.as_ref() != Some(session),
                })
                .peekable();
            if mine.peek().is_some() {
                frames.push((Arc::clone(session), data_frame(mine)));
            }
        }
        frames
    }
}

/// `{"type":"data","data":[...]}` around the messages.
fn data_frame<'a>(messages: impl Iterator<Item = &'a Item> + Clone) -> Frame {
    let len: usize = messages.clone().map(|m| m.text.len() + 1).sum();
    Frame::text(|buf| {
        buf.reserve(len + 32);
        buf.extend_from_slice(br#"{"type":"data","data":["#);
        for (i, message) in messages.enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(message.text.as_bytes());
        }
        buf.extend_from_slice(b"]}");
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;

    fn list(names: &[&str]) -> Arc<[Arc<str>]> {
        names.iter().map(|n| Arc::from(*n)).collect()
    }

    fn all_but(sessions: &Arc<[Arc<str>]>, except: Option<&str>) -> To {
        To::Connected {
            sessions: Arc::clone(sessions),
            except: except.map(Arc::from),
        }
    }

    fn patch(id: &str, value: Value, clock: i64) -> ServerMessage {
        ServerMessage::Patch {
            diff: Map::from_iter([(id.to_owned(), value)]),
            server_clock: clock,
        }
    }

    fn result(clock: i64) -> ServerMessage {
        ServerMessage::PushResult {
            client_clock: Some(json!(clock)),
            server_clock: clock,
            action: json!("commit"),
        }
    }

    /// Session `a`'s cursor moved to `x`, as a patch.
    fn cursor(x: i64) -> ServerMessage {
        let op = json!(["patch", {"cursor": ["put", {"x": x}]}]);
        patch("instance_presence:1", op, 1)
    }

    /// Session `a`'s presence put whole, as it is after the last move.
    fn whole() -> Option<ServerMessage> {
        let op = json!(["put", {"cursor": {"x": 3}}]);
        Some(patch("instance_presence:1", op, 1))
    }

    /// What each session got: the messages of its one `data` frame.
    fn received(frames: Vec<(Arc<str>, Frame)>) -> HashMap<String, Vec<Value>> {
        let mut got = HashMap::new();
        for (session, frame) in frames {
            let bytes = frame.as_bytes();
            // An unmasked text frame: a 2- or 4-byte header here.
            let payload = if bytes[1] == 126 {
                &bytes[4..]
            } else {
                &bytes[2..]
            };
            let message: Value = serde_json::from_slice(payload).unwrap();
            assert_eq!(message["type"], "data");
            let previous = got.insert(
                session.to_string(),
                message["data"].as_array().unwrap().clone(),
            );
            assert!(previous.is_none(), "{session} got two frames");
        }
        got
    }

    #[test]
    fn pushers_get_their_results_in_place_and_everyone_else_one_shared_frame() {
        let sessions = list(&["a", "b", "c", "d"]);
        let mut batch = Batch::default();
        batch.add(To::One("a".into()), &result(1));
        batch.add(
            all_but(&sessions, Some("a")),
            &patch("shape:a", json!(["put", {}]), 1),
        );
        batch.add(To::One("b".into()), &result(2));
        batch.add(
            all_but(&sessions, Some("b")),
            &patch("shape:b", json!(["put", {}]), 2),
        );
        let frames = batch.flush();
        let shared: Vec<&Frame> = frames
            .iter()
            .filter(|(s, _)| &**s == "c" || &**s == "d")
            .map(|(_, f)| f)
            .collect();
        assert_eq!(
            shared[0].as_bytes().as_ptr(),
            shared[1].as_bytes().as_ptr(),
            "c and d share one frame"
        );
        let got = received(frames);
        let clocks = |s: &str| -> Vec<(String, i64)> {
            got[s]
                .iter()
                .map(|m| {
                    (
                        m["type"].as_str().unwrap().to_owned(),
                        m["serverClock"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        let kinds = |v: &[(&str, i64)]| {
            v.iter()
                .map(|(k, c)| (k.to_string(), *c))
                .collect::<Vec<_>>()
        };
        assert_eq!(clocks("a"), kinds(&[("push_result", 1), ("patch", 2)]));
        assert_eq!(clocks("b"), kinds(&[("patch", 1), ("push_result", 2)]));
        assert_eq!(clocks("c"), kinds(&[("patch", 1), ("patch", 2)]));
        assert_eq!(clocks("d"), clocks("c"));
        assert!(batch.is_empty());
    }

    #[test]
    fn a_broadcast_to_another_list_of_sessions_does_not_join() {
        let before = list(&["a", "b"]);
        let after = list(&["a", "b", "c"]);
        let mut batch = Batch::default();
        assert!(batch.takes(&all_but(&after, None)));
        batch.add(
            all_but(&before, Some("a")),
            &patch("shape:a", json!(["remove"]), 1),
        );
        assert!(batch.takes(&all_but(&before, None)));
        assert!(batch.takes(&To::One("c".into())));
        assert!(!batch.takes(&all_but(&after, None)));
        let got = received(batch.flush());
        assert_eq!(
            got.len(),
            1,
            "a pushed and gets nothing, b gets the patch: {got:?}"
        );
        assert_eq!(got["b"].len(), 1);
    }

    #[test]
    fn a_sessions_later_presence_replaces_the_earlier_put_whole() {
        let sessions = list(&["a", "b", "c"]);
        let mut batch = Batch::default();
        batch.add_presence(all_but(&sessions, Some("a")), "a".into(), &cursor(1), whole);
        batch.add(
            all_but(&sessions, Some("b")),
            &patch("shape:b", json!(["put", {}]), 1),
        );
        batch.add_presence(all_but(&sessions, Some("a")), "a".into(), &cursor(2), whole);
        batch.add_presence(all_but(&sessions, Some("a")), "a".into(), &cursor(3), whole);
        let got = received(batch.flush());
        let put = json!({"type": "patch", "diff": {"instance_presence:1": ["put", {"cursor": {"x": 3}}]}, "serverClock": 1});
        let shape = json!({"type": "patch", "diff": {"shape:b": ["put", {}]}, "serverClock": 1});
        assert_eq!(got["c"], vec![shape.clone(), put.clone()]);
        assert_eq!(got["b"], vec![put]);
        assert_eq!(got["a"], vec![shape]);
    }

    #[test]
    fn a_presence_before_another_push_of_the_same_session_is_kept() {
        let sessions = list(&["a", "b"]);
        let mut batch = Batch::default();
        batch.add_presence(all_but(&sessions, Some("a")), "a".into(), &cursor(1), whole);
        let both = ServerMessage::Patch {
            diff: Map::from_iter([
                ("shape:a".to_owned(), json!(["put", {}])),
                (
                    "instance_presence:1".to_owned(),
                    json!(["patch", {"cursor": ["put", {"x": 2}]}]),
                ),
            ]),
            server_clock: 1,
        };
        batch.add(all_but(&sessions, Some("a")), &both);
        batch.add_presence(all_but(&sessions, Some("a")), "a".into(), &cursor(3), whole);
        let got = received(batch.flush());
        assert_eq!(got["b"].len(), 3, "nothing dropped: {:?}", got["b"]);
        assert_eq!(got["b"][2], serde_json::to_value(cursor(3)).unwrap());
    }

    #[test]
    fn the_first_presence_of_a_window_goes_as_it_came() {
        let sessions = list(&["a", "b"]);
        let mut batch = Batch::default();
        batch.add_presence(
            all_but(&sessions, Some("a")),
            "a".into(),
            &cursor(1),
            || panic!("not asked"),
        );
        let got = received(batch.flush());
        assert_eq!(got["b"], vec![serde_json::to_value(cursor(1)).unwrap()]);
    }
}
