//! What an uploaded file is, by its content (never by its name or declared type): the image
//! kinds tldraw shows and this server stores; and the URLs they are served at.

use uuid::Uuid;

/// Where the asset store serves its files: an asset's URL is this and its id.
pub const SERVED_AT: &str = "/api/assets/";

/// The URL an asset is served at (`/api/assets/{id}`): what documents and questions name.
pub fn url_of(id: Uuid) -> String {
    format!("{SERVED_AT}{id}")
}

/// The asset a URL names, if it is exactly an asset's URL (`/api/assets/{id}`, nothing before
/// or after: no host, no query).
pub fn asset_id(url: &str) -> Option<Uuid> {
    let id = url.strip_prefix(SERVED_AT)?;
    // `Uuid::parse_str` also takes braces, `urn:uuid:` and the simple form: only the
    // hyphenated form is an asset's URL.
    (id.len() == 36).then(|| Uuid::parse_str(id).ok()).flatten()
}

/// An image kind the asset store takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
            ImageKind::Svg => "image/svg+xml",
        }
    }

    /// The kind named by a stored content type.
    pub fn from_content_type(content_type: &str) -> Option<ImageKind> {
        [
            ImageKind::Png,
            ImageKind::Jpeg,
            ImageKind::Gif,
            ImageKind::Webp,
            ImageKind::Svg,
        ]
        .into_iter()
        .find(|kind| kind.content_type() == content_type)
    }
}

/// The kind of image `bytes` hold, from their signature (or, for SVG, an `<svg>` root element
/// after the XML prolog); `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageKind::Jpeg);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(ImageKind::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(ImageKind::Webp);
    }
    is_svg(bytes).then_some(ImageKind::Svg)
}

/// The bytes of a `data:` URL (base64, or percent-encoded text such as an inline SVG); `None`
/// for anything else.
pub fn decode_data_url(src: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let (meta, payload) = src.strip_prefix("data:")?.split_once(',')?;
    if meta
        .split(';')
        .any(|part| part.trim().eq_ignore_ascii_case("base64"))
    {
        let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
        return base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok();
    }
    percent_decode(payload)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// UTF-8 text whose first element, after an optional byte-order mark, XML declaration,
/// comments and doctype, is `<svg`.
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    loop {
        rest = rest.trim_start();
        let skipped = [("<?", "?>"), ("<!--", "-->"), ("<!DOCTYPE", ">")]
            .into_iter()
            .find_map(|(open, close)| {
                let after = rest.strip_prefix(open)?;
                after.find(close).map(|end| &after[end + close.len()..])
            });
        match skipped {
            Some(after) => rest = after,
            None => break,
        }
    }
    rest.strip_prefix("<svg")
        .and_then(|after| after.chars().next())
        .is_some_and(|c| c.is_whitespace() || c == '>' || c == '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageKind::Png)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some(ImageKind::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(ImageKind::Webp));
        let svg = "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n\
            <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(sniff(svg.as_bytes()), Some(ImageKind::Svg));
        assert_eq!(sniff(b"<svg>"), Some(ImageKind::Svg));
    }

    #[test]
    fn anything_else_is_not_an_image_whatever_it_claims() {
        for bytes in [
            &b""[..],
            b"hello",
            b"<html><svg></svg></html>",
            b"<svgfoo>",
            b"<?xml version=\"1.0\"?><note/>",
            b"<!-- never closed <svg>",
            b"%PDF-1.7",
            b"RIFF\x24\0\0\0WAVEfmt ",
            b"\x89PNG",
            b"\xff\xfe<\0s\0v\0g\0",
        ] {
            assert_eq!(sniff(bytes), None, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn data_urls_give_their_bytes() {
        assert_eq!(
            decode_data_url("data:image/png;base64,iVBORw0K\nGgo="),
            Some(b"\x89PNG\r\n\x1a\n".to_vec())
        );
        assert_eq!(
            decode_data_url("data:image/svg+xml;utf8,%3Csvg%20xmlns='x'/%3E"),
            Some(b"<svg xmlns='x'/>".to_vec())
        );
        assert_eq!(decode_data_url("https://example.com/a.png"), None);
        assert_eq!(decode_data_url("data:image/png;base64,***"), None);
        assert_eq!(decode_data_url("data:text/plain,100%"), None);
        assert_eq!(decode_data_url("data:no-comma"), None);
    }

    #[test]
    fn only_an_assets_own_url_names_it() {
        let id = Uuid::parse_str("7d6f1e1a-0000-4000-8000-000000000000").unwrap();
        assert_eq!(
            url_of(id),
            "/api/assets/7d6f1e1a-0000-4000-8000-000000000000"
        );
        assert_eq!(asset_id(&url_of(id)), Some(id));
        assert_eq!(
            asset_id("/api/assets/7D6F1E1A-0000-4000-8000-000000000000"),
            Some(id)
        );
        for url in [
            "https://example.com/api/assets/7d6f1e1a-0000-4000-8000-000000000000",
            "/api/assets/7d6f1e1a-0000-4000-8000-000000000000?room=x",
            "/api/assets/7d6f1e1a000040008000000000000000",
            "/api/assets/{7d6f1e1a-0000-4000-8000-000000000000}",
            "/api/assets/../capsules",
            "/api/assets/",
            "data:image/png;base64,iVBORw0K",
            "",
        ] {
            assert_eq!(asset_id(url), None, "{url}");
        }
    }

    #[test]
    fn content_types_name_their_kind_back() {
        for kind in [
            ImageKind::Png,
            ImageKind::Jpeg,
            ImageKind::Gif,
            ImageKind::Webp,
            ImageKind::Svg,
        ] {
            assert_eq!(
                ImageKind::from_content_type(kind.content_type()),
                Some(kind)
            );
        }
        assert_eq!(ImageKind::from_content_type("text/html"), None);
    }
}
