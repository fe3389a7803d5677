//! Client messages too long for one frame arrive in parts: each part is prefixed `"<n>_"`, n
//! counting down to 0 on the last; a frame starting with `{` is a whole message.

/// A message put back together, or why the frames made no message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembled {
    /// One frame held the whole message.
    Whole(String),
    /// The parts of a chunked message, joined.
    Joined(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("a whole message arrived in the middle of a chunked one")]
    Interrupted,
    #[error("not a message and not a chunk")]
    NotAChunk,
    #[error("chunks received in the wrong order")]
    OutOfOrder,
    #[error("a chunked message longer than {0} bytes")]
    TooLong(usize),
}

#[derive(Debug, Default)]
pub struct Assembler {
    parts: Vec<String>,
    expected: usize,
    bytes: usize,
}

impl Assembler {
    /// Takes one frame; `Ok(None)` while a chunked message is incomplete. Parts beyond `max_bytes`
    /// in total are refused rather than kept.
    pub fn take(&mut self, frame: &str, max_bytes: usize) -> Result<Option<Assembled>, ChunkError> {
        if frame.starts_with('{') {
            let interrupted = self.expected > 0;
            self.reset();
            return if interrupted {
                Err(ChunkError::Interrupted)
            } else {
                Ok(Some(Assembled::Whole(frame.to_owned())))
            };
        }
        let parsed = frame
            .split_once('_')
            .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let Some((remaining, data)) = parsed else {
            self.reset();
            return Err(ChunkError::NotAChunk);
        };
        // Number("<digits>"): a count too large to hold can never match, as in the reference.
        let remaining: usize = remaining.parse().unwrap_or(usize::MAX);
        if self.expected == 0 {
            self.expected = remaining.saturating_add(1);
        } else if remaining != self.expected - self.parts.len() - 1 {
            self.reset();
            return Err(ChunkError::OutOfOrder);
        }
        self.bytes += data.len();
        if self.bytes > max_bytes {
            self.reset();
            return Err(ChunkError::TooLong(max_bytes));
        }
        self.parts.push(data.to_owned());
        if self.parts.len() < self.expected {
            return Ok(None);
        }
        let joined = self.parts.concat();
        self.reset();
        Ok(Some(Assembled::Joined(joined)))
    }

    fn reset(&mut self) {
        *self = Assembler::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_counting_down_make_one_message() {
        let mut a = Assembler::default();
        assert_eq!(a.take("2_{\"type\"", 100), Ok(None));
        assert_eq!(a.take("1_:\"pi", 100), Ok(None));
        assert_eq!(
            a.take("0_ng\"}", 100),
            Ok(Some(Assembled::Joined("{\"type\":\"ping\"}".into())))
        );
        assert_eq!(a.take("{}", 100), Ok(Some(Assembled::Whole("{}".into()))));
        assert_eq!(
            a.take("0_{}", 100),
            Ok(Some(Assembled::Joined("{}".into())))
        );
    }

    #[test]
    fn broken_sequences_are_errors_and_reset() {
        let mut a = Assembler::default();
        assert_eq!(a.take("1_{", 100), Ok(None));
        assert_eq!(a.take("{}", 100), Err(ChunkError::Interrupted));
        assert_eq!(a.take("1_{", 100), Ok(None));
        assert_eq!(a.take("1_{", 100), Err(ChunkError::OutOfOrder));
        assert_eq!(a.take("x_{", 100), Err(ChunkError::NotAChunk));
        assert_eq!(a.take("[1]", 100), Err(ChunkError::NotAChunk));
        assert_eq!(a.take("99999999999999999999999_ab", 100), Ok(None));
        let mut fresh = Assembler::default();
        assert_eq!(fresh.take("1_abc", 4), Ok(None));
        assert_eq!(fresh.take("0_de", 4), Err(ChunkError::TooLong(4)));
    }
}
