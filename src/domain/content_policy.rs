//! Which URLs a tldraw document may hold (issue 20): those that keep a participant's browser on
//! this server. A capsule's document reaches every participant's browser, and tldraw follows
//! the URLs in it by itself: an embed frames any page (running its script), a bookmark, image or
//! video loads from any host (handing it every participant's address), and a `javascript:` link
//! breaks tldraw's own validation in every browser.
//!
//! Allowed:
//! - no URL (`""` or `null`, as tldraw writes it);
//! - an image of this server's asset store: `/api/assets/{id}`, relative or on the server's
//!   public origin, with a query or not;
//! - as the source of an image or video asset, a `data:image/…` or `data:video/…` URL: what
//!   tldraw writes for files dropped without an asset store and what `.tldr` files carry.
//!   `data:image/svg+xml` is one of them: tldraw shows an asset only through `<img>` (and
//!   `<video>`), where an SVG runs no script and loads nothing, and the UI's Content-Security-
//!   Policy would block whatever it tried.
//!
//! Refused outright: embed and bookmark shapes and bookmark assets, whose whole purpose is
//! another site. A link (a shape's `url`, a rich-text link's `href`) may point nowhere else than
//! an asset: a trainer's link to another site would send participants away from the session.
//!
//! Documents enter in two ways: a trainer's upload is refused with the first thing found
//! ([`ContentPolicy::check`]); a document stored before these rules (an old capsule, a room
//! launched from it) is cleaned ([`ContentPolicy::strip`]), so that old decks still launch.

use serde_json::Value;

use super::lang::Lang;

/// Record types whose whole purpose is another site.
const OUTSIDE_KINDS: [(&str, &str); 3] = [
    ("shape", "embed"),
    ("shape", "bookmark"),
    ("asset", "bookmark"),
];

/// Fields that hold a link (followed when clicked).
const LINK_FIELDS: [&str; 2] = ["url", "href"];
/// Fields that hold a file the browser loads by itself.
const SOURCE_FIELDS: [&str; 2] = ["src", "imageUrl"];

/// The rules, for one server (its public origin, where its asset URLs may point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentPolicy {
    /// `https://live.example.org`, without a trailing slash.
    own_origin: String,
}

/// What a record holds that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.said(Lang::En))]
pub struct ContentError {
    /// The record's id (`shape:…`, `asset:…`).
    pub record_id: String,
    /// Its type name and kind: `shape` `embed`, `asset` `image`.
    pub type_name: String,
    pub kind: String,
    /// What is wrong with it.
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// An embed or a bookmark.
    OutsideKind,
    /// A field (its path in the record, `props.url`) holding a URL the rules refuse.
    Url { field: String, url: String },
}

impl ContentError {
    /// The problem, said to a trainer in `lang`.
    pub fn said(&self, lang: Lang) -> String {
        let record = format!("{} \"{}\" ({})", self.type_name, self.record_id, self.kind);
        match (&self.problem, lang) {
            (Problem::OutsideKind, Lang::En) => format!(
                "{record}: embedded pages and bookmarks are not allowed, as they make every \
                 participant's browser load another site; remove it, or put a screenshot instead"
            ),
            (Problem::OutsideKind, Lang::Fr) => format!(
                "{record} : les pages intégrées et les signets ne sont pas acceptés, car ils font \
                 charger un autre site au navigateur de chaque participant ; retirez-le, ou \
                 mettez une capture d'écran à la place"
            ),
            (Problem::Url { field, url }, Lang::En) => format!(
                "{record}: {field} is {}, which is outside this server; a capsule may only \
                 hold images stored here (uploaded, or inline as data:image)",
                shown(url)
            ),
            (Problem::Url { field, url }, Lang::Fr) => format!(
                "{record} : {field} vaut {}, qui est hors de ce serveur ; une capsule ne peut \
                 contenir que des images stockées ici (envoyées, ou incluses en data:image)",
                shown(url)
            ),
        }
    }
}

/// A URL quoted for a message, cut if long (a `data:` URL can be megabytes).
fn shown(url: &str) -> String {
    const MAX: usize = 80;
    match url.char_indices().nth(MAX) {
        Some((end, _)) => format!("\"{}…\"", &url[..end]),
        None => format!("\"{url}\""),
    }
}

impl ContentPolicy {
    pub fn new(own_origin: &str) -> ContentPolicy {
        ContentPolicy {
            own_origin: own_origin.trim_end_matches('/').to_owned(),
        }
    }

    /// The first record of a store snapshot `{store, schema}` (by id, so the answer is the same
    /// every time) that the rules refuse.
    pub fn check(&self, snapshot: &Value) -> Result<(), ContentError> {
        let Some(store) = snapshot.get("store").and_then(Value::as_object) else {
            return Ok(());
        };
        let mut ids: Vec<&String> = store.keys().collect();
        ids.sort_unstable();
        ids.into_iter()
            .try_for_each(|id| self.check_record(&store[id.as_str()]))
    }

    /// Whether one record keeps to the rules.
    pub fn check_record(&self, record: &Value) -> Result<(), ContentError> {
        let error = |problem| ContentError {
            record_id: str_of(record, "id").to_owned(),
            type_name: str_of(record, "typeName").to_owned(),
            kind: str_of(record, "type").to_owned(),
            problem,
        };
        if is_outside_kind(record) {
            return Err(error(Problem::OutsideKind));
        }
        match self.refused_urls(record).into_iter().next() {
            Some((field, url)) => Err(error(Problem::Url { field, url })),
            None => Ok(()),
        }
    }

    /// A capsule without what the rules refuse, its pages read again if a record went (a page
    /// may have held only an embed).
    pub fn strip_document(&self, document: &mut super::tldraw::CapsuleDocument) {
        if self.strip(&mut document.snapshot) > 0 {
            document.pages = super::tldraw::pages_of(&document.snapshot);
        }
    }

    /// Takes out of a store snapshot what the rules refuse: embeds and bookmarks (with the
    /// bindings that hold on to them), assets loaded from elsewhere, and links to elsewhere
    /// (blanked). Returns how many records were removed or changed.
    pub fn strip(&self, snapshot: &mut Value) -> usize {
        let Some(store) = snapshot.get_mut("store").and_then(Value::as_object_mut) else {
            return 0;
        };
        let removed: Vec<String> = store
            .iter()
            .filter(|(_, record)| {
                is_outside_kind(record)
                    || (record["typeName"] == "asset" && !self.refused_urls(record).is_empty())
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &removed {
            store.remove(id);
        }
        let dangling: Vec<String> = store
            .iter()
            .filter(|(_, record)| {
                record["typeName"] == "binding"
                    && ["fromId", "toId"]
                        .iter()
                        .any(|end| removed.iter().any(|id| record[*end] == id.as_str()))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &dangling {
            store.remove(id);
        }
        let mut changed = 0;
        for record in store.values_mut() {
            let mut blanked = false;
            walk_mut(record, &mut |key, value| {
                if let Some(url) = value.as_str()
                    && self.refuses(key, url)
                {
                    *value = Value::String(String::new());
                    blanked = true;
                }
            });
            changed += usize::from(blanked);
        }
        removed.len() + dangling.len() + changed
    }

    /// The fields (paths) of a record holding URLs the rules refuse, with those URLs.
    fn refused_urls(&self, record: &Value) -> Vec<(String, String)> {
        let mut found = Vec::new();
        walk(record, &mut String::new(), &mut |path, key, value| {
            if let Some(url) = value.as_str()
                && self.refuses(key, url)
            {
                found.push((path.to_owned(), url.to_owned()));
            }
        });
        found
    }

    /// Whether the value of a field called `key` is a URL the rules refuse.
    fn refuses(&self, key: &str, url: &str) -> bool {
        if url.is_empty() || self.is_own_asset(url) {
            return false;
        }
        if LINK_FIELDS.contains(&key) {
            return true;
        }
        SOURCE_FIELDS.contains(&key) && !is_inline_media(url)
    }

    /// `/api/assets/{id}`, relative or on this server's origin, and a query or nothing after.
    fn is_own_asset(&self, url: &str) -> bool {
        let path = url.strip_prefix(self.own_origin.as_str()).unwrap_or(url);
        let Some(rest) = path.strip_prefix("/api/assets/") else {
            return false;
        };
        let (id, after) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
        id.len() == 36
            && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            && uuid::Uuid::parse_str(id).is_ok()
            && !after.contains(['\\', '#'])
            && !after.chars().any(char::is_control)
    }
}

/// A `data:` URL of an image or a video.
fn is_inline_media(url: &str) -> bool {
    let head = url.get(..11).unwrap_or(url).to_ascii_lowercase();
    head.starts_with("data:image/") || head.starts_with("data:video/")
}

fn is_outside_kind(record: &Value) -> bool {
    let (type_name, kind) = (str_of(record, "typeName"), str_of(record, "type"));
    OUTSIDE_KINDS.contains(&(type_name, kind))
}

fn str_of<'a>(record: &'a Value, field: &str) -> &'a str {
    record
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Calls `visit(path, key, value)` for every field of a record (nested ones too, such as a
/// rich-text link's `href`), but `meta`: the application's own data, which tldraw never shows.
fn walk(value: &Value, path: &mut String, visit: &mut impl FnMut(&str, &str, &Value)) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                if path.is_empty() && key == "meta" {
                    continue;
                }
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                visit(path, key, field);
                walk(field, path, visit);
                path.truncate(length);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, visit);
                path.truncate(length);
            }
        }
        _ => {}
    }
}

/// [`walk`], changing the values.
fn walk_mut(value: &mut Value, visit: &mut impl FnMut(&str, &mut Value)) {
    walk_fields_mut(value, true, visit);
}

fn walk_fields_mut(value: &mut Value, top: bool, visit: &mut impl FnMut(&str, &mut Value)) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if top && key == "meta" {
                    continue;
                }
                visit(key, field);
                walk_fields_mut(field, false, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_fields_mut(item, false, visit);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORIGIN: &str = "https://live.example.org";
    const ASSET: &str = "/api/assets/0193c2a4-5b6e-7f00-8a1b-2c3d4e5f6a7b";

    fn policy() -> ContentPolicy {
        ContentPolicy::new(ORIGIN)
    }

    fn shape(id: &str, kind: &str, props: Value) -> Value {
        json!({ "typeName": "shape", "id": id, "type": kind, "parentId": "page:p",
                "props": props, "meta": {} })
    }

    fn asset(id: &str, kind: &str, src: Value) -> Value {
        json!({ "typeName": "asset", "id": id, "type": kind,
                "props": { "src": src, "w": 1, "h": 1 }, "meta": {} })
    }

    fn link(href: &str) -> Value {
        json!({ "type": "doc", "content": [{ "type": "paragraph", "content": [
            { "type": "text", "text": "here", "marks": [{ "type": "link", "attrs": { "href": href } }] }
        ]}]})
    }

    #[test]
    fn own_assets_inline_media_and_no_url_are_allowed() {
        let own = format!("{ORIGIN}{ASSET}");
        let with_query = format!("{ASSET}?room=atelier&token=t");
        for record in [
            asset("asset:a", "image", json!(ASSET)),
            asset("asset:b", "image", json!(own)),
            asset("asset:c", "image", json!(with_query)),
            asset(
                "asset:d",
                "image",
                json!("data:image/png;base64,iVBORw0KGgo="),
            ),
            asset("asset:e", "image", json!("data:image/svg+xml;utf8,<svg/>")),
            asset("asset:f", "video", json!("data:video/mp4;base64,AAAA")),
            asset("asset:g", "image", json!(null)),
            shape(
                "shape:a",
                "geo",
                json!({ "url": "", "richText": link(ASSET) }),
            ),
            shape(
                "shape:b",
                "image",
                json!({ "url": "", "assetId": "asset:a" }),
            ),
            json!({ "typeName": "page", "id": "page:p", "name": "https://example.org",
                    "meta": { "url": "https://example.org" } }),
        ] {
            assert_eq!(policy().check_record(&record), Ok(()), "{record}");
        }
    }

    #[test]
    fn anything_from_elsewhere_is_refused_naming_the_record_and_the_field() {
        let refused = |record: Value, field: Option<&str>| {
            let error = policy().check_record(&record).unwrap_err();
            assert_eq!(error.record_id, record["id"], "{record}");
            match (field, &error.problem) {
                (None, Problem::OutsideKind) => {}
                (Some(expected), Problem::Url { field, .. }) => assert_eq!(field, expected),
                _ => panic!("{record}: {error}"),
            }
        };
        refused(
            shape(
                "shape:e",
                "embed",
                json!({ "url": "https://youtube.com/x" }),
            ),
            None,
        );
        refused(
            shape(
                "shape:f",
                "embed",
                json!({ "url": "data:text/html,<script>" }),
            ),
            None,
        );
        refused(shape("shape:b", "bookmark", json!({ "url": "" })), None);
        refused(asset("asset:b", "bookmark", json!(null)), None);
        let outside = [
            "https://images.example.com/a.png",
            "//evil.example/api/assets/0193c2a4-5b6e-7f00-8a1b-2c3d4e5f6a7b",
            "/\\evil.example/x",
            "https://live.example.org.evil.example/api/assets/0193c2a4-5b6e-7f00-8a1b-2c3d4e5f6a7b",
            "/api/assets/../../elsewhere",
            "data:text/html,<script>alert(1)</script>",
            "asset:abc",
            "javascript:alert(1)",
        ];
        for url in outside {
            refused(asset("asset:i", "image", json!(url)), Some("props.src"));
        }
        refused(
            shape("shape:g", "geo", json!({ "url": "javascript:alert(1)" })),
            Some("props.url"),
        );
        refused(
            shape("shape:t", "text", json!({ "url": "https://example.org" })),
            Some("props.url"),
        );
        refused(
            shape(
                "shape:n",
                "note",
                json!({ "richText": link("https://example.org") }),
            ),
            Some("props.richText.content[0].content[0].marks[0].attrs.href"),
        );
        // A link is followed, not shown: inline images are no links.
        refused(
            shape(
                "shape:a",
                "arrow",
                json!({ "url": "data:image/png;base64,AA" }),
            ),
            Some("props.url"),
        );
        let user =
            json!({ "typeName": "user", "id": "user:u", "imageUrl": "https://example.org/me.png" });
        refused(user, Some("imageUrl"));
    }

    #[test]
    fn a_document_is_refused_for_its_first_record_by_id_in_either_language() {
        let snapshot = json!({ "store": {
            "shape:b": shape("shape:b", "geo", json!({ "url": "https://b.example" })),
            "shape:a": shape("shape:a", "embed", json!({ "url": "https://a.example" })),
        }, "schema": {} });
        let error = policy().check(&snapshot).unwrap_err();
        assert_eq!(error.record_id, "shape:a");
        assert!(
            error
                .said(Lang::En)
                .starts_with("shape \"shape:a\" (embed): embedded pages")
        );
        assert!(error.said(Lang::Fr).contains("pages intégrées"));
        let long = "https://example.org/".to_owned() + &"x".repeat(500);
        let snapshot =
            json!({ "store": { "shape:c": shape("shape:c", "geo", json!({ "url": long })) } });
        let message = policy().check(&snapshot).unwrap_err().said(Lang::En);
        assert!(message.contains("props.url is \"https://example.org/xxx") && message.len() < 300);
    }

    #[test]
    fn strip_leaves_a_document_the_rules_accept_and_keeps_the_rest() {
        let mut snapshot = json!({ "store": {
            "page:p": { "typeName": "page", "id": "page:p", "name": "P", "index": "a1", "meta": {} },
            "shape:embed": shape("shape:embed", "embed", json!({ "url": "https://youtube.com/x" })),
            "shape:mark": shape("shape:mark", "bookmark", json!({ "url": "https://a.example", "assetId": "asset:mark" })),
            "asset:mark": asset("asset:mark", "bookmark", json!("https://a.example")),
            "asset:far": asset("asset:far", "image", json!("https://cdn.example/x.png")),
            "asset:own": asset("asset:own", "image", json!(ASSET)),
            "shape:geo": shape("shape:geo", "geo", json!({ "url": "javascript:alert(1)", "richText": link("https://a.example") })),
            "shape:img": shape("shape:img", "image", json!({ "url": "", "assetId": "asset:own" })),
            "binding:to-embed": { "typeName": "binding", "id": "binding:to-embed", "type": "arrow",
                                  "fromId": "shape:arrow", "toId": "shape:embed", "props": {}, "meta": {} },
        }, "schema": {} });
        assert_eq!(policy().strip(&mut snapshot), 6);
        assert_eq!(policy().check(&snapshot), Ok(()));
        let mut ids: Vec<&str> = snapshot["store"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, ["asset:own", "page:p", "shape:geo", "shape:img"]);
        let geo = &snapshot["store"]["shape:geo"]["props"];
        assert_eq!(geo["url"], "");
        assert_eq!(geo["richText"]["content"][0]["content"][0]["text"], "here");
        assert_eq!(policy().strip(&mut snapshot), 0, "nothing left to strip");
    }
}
