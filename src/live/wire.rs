//! The server's side of the WebSocket wire (RFC 6455): frames encoded once, written without a
//! per-connection buffer.
//!
//! tungstenite formats every outgoing frame into a buffer of its own per connection, which
//! keeps the capacity of the largest frame it ever held (a `welcome` with a roster of 200 is
//! 26 KiB): at 10,000 connections, most of the server's memory. Frames from the server are
//! never masked, so a frame's bytes are the same for every connection: here a broadcast is
//! encoded once, header and all, and each connection writes the shared bytes straight from
//! its queue (several queued frames in one `writev`). tungstenite still reads: it unmasks,
//! reassembles fragments, checks UTF-8 and sizes; its own writes (the automatic pong and
//! close echo) are dropped by [`ReadOnly`], and the writer makes them instead.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

const OP_TEXT: u8 = 0x1;
const OP_CLOSE: u8 = 0x8;
const OP_PONG: u8 = 0xA;
/// The longest header of an unmasked frame: 2 bytes, then a 64-bit length.
const MAX_HEADER: usize = 10;

/// A whole frame, header included, ready to write; cheap to clone (the bytes are shared).
#[derive(Clone, Debug)]
pub struct Frame(Bytes);

impl Frame {
    /// A text frame holding `value` as JSON, serialised straight after room for its header.
    pub fn json(value: &impl serde::Serialize) -> Self {
        let mut buf = vec![0; MAX_HEADER];
        serde_json::to_writer(&mut buf, value).expect("messages serialise");
        Self::seal(OP_TEXT, buf)
    }

    /// A text frame whose payload `write` appends to the buffer it is given.
    pub fn text(write: impl FnOnce(&mut Vec<u8>)) -> Self {
        let mut buf = vec![0; MAX_HEADER];
        write(&mut buf);
        Self::seal(OP_TEXT, buf)
    }

    /// The answer to a client's ping: its payload back.
    pub fn pong(payload: &[u8]) -> Self {
        Self::with_payload(OP_PONG, payload)
    }

    /// A close frame with its code and reason (at most 123 bytes, as control frames allow).
    pub fn close(code: u16, reason: &str) -> Self {
        let mut payload = code.to_be_bytes().to_vec();
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        payload.extend_from_slice(&reason.as_bytes()[..end]);
        Self::with_payload(OP_CLOSE, &payload)
    }

    fn with_payload(opcode: u8, payload: &[u8]) -> Self {
        let mut buf = Vec::with_capacity(MAX_HEADER + payload.len());
        buf.extend_from_slice(&[0; MAX_HEADER]);
        buf.extend_from_slice(payload);
        Self::seal(opcode, buf)
    }

    /// Writes the header in front of the payload that follows `MAX_HEADER` bytes of room.
    fn seal(opcode: u8, mut buf: Vec<u8>) -> Self {
        let len = buf.len() - MAX_HEADER;
        let mut header = [0u8; MAX_HEADER];
        header[0] = 0x80 | opcode; // FIN: never fragmented
        let used = if len < 126 {
            header[1] = len as u8;
            2
        } else if let Ok(len) = u16::try_from(len) {
            header[1] = 126;
            header[2..4].copy_from_slice(&len.to_be_bytes());
            4
        } else {
            header[1] = 127;
            header[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            10
        };
        let start = MAX_HEADER - used;
        buf[start..MAX_HEADER].copy_from_slice(&header[..used]);
        Frame(Bytes::from(buf).slice(start..))
    }

    /// The frame as written on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Frames written in one system call, at most.
const WRITE_BURST: usize = 64;

/// Writes `frames` in order, as few system calls as the socket allows.
pub async fn write_frames<W: AsyncWrite + Unpin>(out: &mut W, frames: &[Frame]) -> io::Result<()> {
    if let [frame] = frames {
        return out.write_all(frame.as_bytes()).await;
    }
    for burst in frames.chunks(WRITE_BURST) {
        let mut slices = [IoSlice::new(&[]); WRITE_BURST];
        for (slice, frame) in slices.iter_mut().zip(burst) {
            *slice = IoSlice::new(frame.as_bytes());
        }
        let mut left = &mut slices[..burst.len()];
        while !left.is_empty() {
            let written = out.write_vectored(left).await?;
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut left, written);
        }
    }
    out.flush().await
}

/// The closing handshake: a moment for the client to answer our close frame, so that it reads
/// the close code and reason rather than a reset connection.
pub async fn closing_handshake<S>(stream: &mut S)
where
    S: futures_util::Stream<Item = Result<tungstenite::Message, tungstenite::Error>> + Unpin,
{
    use futures_util::StreamExt;
    let handshake = async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, tungstenite::Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), handshake).await;
}

/// The reading half of a connection, for tungstenite: what it would write is dropped (its
/// automatic pong and close echo), since all writing goes through the connection's writer.
pub struct ReadOnly<R>(pub R);

impl<R: AsyncRead + Unpin> AsyncRead for ReadOnly<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<R: Unpin> AsyncWrite for ReadOnly<R> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frame as a client decodes it: FIN and opcode, payload length, payload.
    fn decode(bytes: &[u8]) -> (u8, usize, &[u8]) {
        let (len, at) = match bytes[1] {
            126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (usize::from(n), 2),
        };
        (bytes[0], len, &bytes[at..])
    }

    #[test]
    fn lengths_take_the_shortest_header_at_each_boundary() {
        for (len, header) in [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)] {
            let frame = Frame::with_payload(OP_TEXT, &vec![b'x'; len]);
            let (first, decoded, payload) = decode(frame.as_bytes());
            assert_eq!(first, 0x81, "FIN and text");
            assert_eq!((decoded, payload.len()), (len, len));
            assert_eq!(
                frame.as_bytes().len(),
                header + len,
                "header of {len} bytes"
            );
        }
    }

    #[test]
    fn a_json_frame_holds_exactly_the_serialised_value() {
        let value = serde_json::json!({"type": "pong", "req": "é".repeat(100)});
        let frame = Frame::json(&value);
        let (_, len, payload) = decode(frame.as_bytes());
        assert_eq!(len, payload.len());
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(payload).unwrap(),
            value
        );
    }

    #[test]
    fn a_close_reason_is_cut_to_what_a_control_frame_holds_on_a_char_boundary() {
        let frame = Frame::close(4000, &"é".repeat(100));
        let (first, len, payload) = decode(frame.as_bytes());
        assert_eq!(first, 0x88);
        assert!(len <= 125);
        assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 4000);
        assert!(std::str::from_utf8(&payload[2..]).is_ok());
    }

    #[tokio::test]
    async fn a_burst_arrives_whole_and_in_order_through_short_writes() {
        let frames: Vec<Frame> = (0..200)
            .map(|i| Frame::json(&serde_json::json!({ "i": i, "pad": "x".repeat(i * 7) })))
            .collect();
        // A pipe smaller than the burst: writes are partial and wait for the reader.
        let (mut client, mut server) = tokio::io::duplex(1_000);
        let expected: Vec<u8> = frames.iter().flat_map(|f| f.as_bytes().to_vec()).collect();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut client, &mut got)
                .await
                .unwrap();
            got
        });
        write_frames(&mut server, &frames).await.unwrap();
        drop(server);
        assert_eq!(reader.await.unwrap(), expected);
    }
}
