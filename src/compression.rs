//! The encodings the server compresses large answers in (the UI's files, a room's document),
//! each compressed once and kept by the caller.

use std::io::Write;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_ENCODING;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// The best encoding the request accepts: `br`, then `gzip` (either refused with `q=0`).
    pub fn accepted(request: &HeaderMap) -> Option<Self> {
        let offered = |name: &str| {
            request
                .get_all(ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    parts.next() == Some(name) && !parts.any(is_q_zero)
                })
        };
        [(Self::Brotli, "br"), (Self::Gzip, "gzip")]
            .into_iter()
            .find(|(_, name)| offered(name))
            .map(|(encoding, _)| encoding)
    }

    /// Its name in `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// `data` compressed; CPU-bound (hundreds of milliseconds for megabytes): call it off the
    /// async workers.
    pub fn compress(self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() / 3);
        match self {
            Self::Brotli => {
                // Quality 5: within a few percent of the best for JavaScript, at a fraction
                // of its time (the first request for a file waits for it).
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 5,
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut &data[..], &mut out, &params)
                    .expect("writing to memory cannot fail");
            }
            Self::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::default());
                encoder
                    .write_all(data)
                    .expect("writing to memory cannot fail");
                out = encoder.finish().expect("writing to memory cannot fail");
            }
        }
        out
    }
}

fn is_q_zero(param: &str) -> bool {
    param
        .strip_prefix("q=")
        .and_then(|q| q.trim().parse::<f32>().ok())
        == Some(0.0)
}
