//! Any bytes a client could send as a text frame, through the decoder of the live protocol:
//! it never panics, answers only with `bad_message` or `unknown_type`, and echoes a string
//! `req` given at the top level of an object it can read.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pratico::domain::protocol::parse_client_message;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The socket hands over text frames only, which WebSocket guarantees are UTF-8.
    let text = String::from_utf8_lossy(data);
    let (req, parsed) = parse_client_message(&text);
    if let Err((code, message)) = &parsed {
        assert!(["bad_message", "unknown_type"].contains(code), "{code}");
        assert!(!message.is_empty());
    }
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&text)
        && let Some(Value::String(given)) = map.get("req")
    {
        assert_eq!(req.as_deref(), Some(given.as_str()));
    }
});
