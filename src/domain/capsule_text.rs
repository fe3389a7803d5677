//! A tldraw document read from its JSON text, one record at a time.
//!
//! `tldraw::read_document` takes a `serde_json::Value`, whose tree costs 10–30 times the text
//! (a 14 MiB deck of 200,000 shapes took 400 MB). Here the envelope is read with borrowed
//! `RawValue`s, each record is parsed on its own (checked, policed, counted, then dropped) and
//! the normalised store snapshot `{"store": {id: record}, "schema": schema}` is written out as
//! text, records byte for byte as given. What is kept besides the input and the output is small:
//! the pages, a hash per record id (duplicates) and the shapes that sit inside other shapes.
//!
//! The rules are those of `tldraw::read_document` and `ContentPolicy::check`, with one
//! difference: a store holding the same key twice is refused (a `Value` kept the last).

use std::borrow::{Borrow, Cow};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasher;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::assets::{decode_data_url, sniff};
use super::content_policy::{ContentError, ContentPolicy};
use super::lang::Lang;
use super::tldraw::{EXPECTED_SHAPES, PageInfo, TldrawError, page_of, record_id};

/// Why an upload is refused (a 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Tldraw(#[from] TldrawError),
    #[error(transparent)]
    Content(#[from] ContentError),
}

impl ReadError {
    pub fn said(&self, lang: Lang) -> String {
        match self {
            Self::Tldraw(e) => e.said(lang),
            Self::Content(e) => e.said(lang),
        }
    }
}

/// A document read once: its normalised text, pages, and the images it holds inline.
#[derive(Debug)]
pub struct Scanned {
    /// `{"store": {…}, "schema": …}`, records as given.
    pub snapshot: String,
    pub pages: Vec<PageInfo>,
    /// Shapes in the store.
    pub shapes: usize,
    /// Asset records whose `props.src` is an image as a `data:` URL of at most the size given
    /// (to move into the asset store): their id and the record.
    pub inline_images: Vec<(String, Value)>,
}

fn invalid(what: impl fmt::Display) -> TldrawError {
    TldrawError::Invalid(what.to_string())
}

/// Reads an uploaded document (a store snapshot, an editor snapshot or a `.tldr` file, as
/// JSON or as its text in a JSON string), refused if it is not a tldraw 2+ document or breaks
/// `policy` (the record of smallest id is named, as `ContentPolicy::check` does).
pub fn scan(
    text: &str,
    policy: &ContentPolicy,
    max_image_bytes: usize,
) -> Result<Scanned, ReadError> {
    if let Some(inner) = quoted(text)? {
        return scan(&inner, policy, max_image_bytes);
    }
    let envelope = Envelope::read(text)?;
    let mut out = Writer::new(text.len(), &envelope);
    let mut ids = IdSet::default();
    let mut pages = Vec::new();
    let mut counts = Counts::default();
    let mut refused: Option<ContentError> = None;
    let mut inline_images = Vec::new();
    envelope.each(&mut |key, i, raw| {
        let record: Value = serde_json::from_str(raw.get())
            .map_err(|e| invalid(format_args!("a record is not JSON ({e})")))?;
        let id = record_id(&record).map_err(|e| match key {
            Some(key) => invalid(format!("store[\"{key}\"] {e}")),
            None => invalid(format!("records[{i}] {e}")),
        })?;
        if let Some(key) = key
            && key != id
        {
            return Err(invalid(format!("store[\"{key}\"] holds record \"{id}\"")).into());
        }
        if !ids.insert(id) {
            return Err(invalid(format!("two records have the id \"{id}\"")).into());
        }
        let field = |name| record.get(name).and_then(Value::as_str);
        match field("typeName") {
            Some("page") => pages.push((
                field("index").unwrap_or_default().to_owned(),
                id.to_owned(),
                field("name").unwrap_or_default().to_owned(),
            )),
            Some("shape") => counts.shape(id, field("parentId").unwrap_or_default()),
            Some("asset") if is_inline_image(&record, max_image_bytes) => {
                inline_images.push((id.to_owned(), record.clone()));
            }
            _ => {}
        }
        if let Err(e) = policy.check_record(&record)
            && refused.as_ref().is_none_or(|r| e.record_id < r.record_id)
        {
            refused = Some(e);
        }
        out.record(id, raw.get());
        Ok(())
    })?;
    if let Some(refused) = refused {
        return Err(refused.into());
    }
    let parents = if counts.nested.is_empty() {
        HashMap::new()
    } else {
        parents_of(&envelope, &counts.parent_ids)?
    };
    let pages = counts.pages(pages, &parents);
    if pages.is_empty() {
        return Err(TldrawError::NoPage.into());
    }
    Ok(Scanned {
        snapshot: out.finish(),
        pages,
        shapes: counts.shapes,
        inline_images,
    })
}

/// The same document with some records replaced (by id; the new record as JSON text): the
/// images of `Scanned::inline_images` once they are in the asset store.
pub fn replace_records(
    text: &str,
    replacements: &HashMap<String, String>,
) -> Result<String, ReadError> {
    if let Some(inner) = quoted(text)? {
        return replace_records(&inner, replacements);
    }
    let envelope = Envelope::read(text)?;
    let mut out = Writer::new(text.len(), &envelope);
    envelope.each(&mut |key, _, raw| {
        let id = match key {
            Some(key) => Cow::Borrowed(key),
            None => Cow::Owned(id_of(raw)?),
        };
        let record = replacements
            .get(id.as_ref())
            .map_or(raw.get(), String::as_str);
        out.record(&id, record);
        Ok(())
    })?;
    Ok(out.finish())
}

fn id_of(raw: &RawValue) -> Result<String, ReadError> {
    let record: Value = serde_json::from_str(raw.get()).map_err(invalid)?;
    Ok(record_id(&record).map_err(invalid)?.to_owned())
}

/// The text of a document given as a JSON string, if it is one.
fn quoted(text: &str) -> Result<Option<String>, ReadError> {
    if !text.trim_start().starts_with('"') {
        return Ok(None);
    }
    let inner: String = serde_json::from_str(text).map_err(invalid)?;
    if inner.trim_start().starts_with('"') {
        return Err(invalid("expected a JSON object").into());
    }
    Ok(Some(inner))
}

fn is_inline_image(record: &Value, max_bytes: usize) -> bool {
    let src = record.pointer("/props/src").and_then(Value::as_str);
    src.filter(|src| src.starts_with("data:"))
        .and_then(decode_data_url)
        .is_some_and(|bytes| bytes.len() <= max_bytes && sniff(&bytes).is_some())
}

/// The parents of the shapes that hold other shapes (a second walk, only for documents that
/// have groups or frames).
fn parents_of(
    envelope: &Envelope<'_>,
    wanted: &HashSet<String>,
) -> Result<HashMap<String, String>, ReadError> {
    let mut parents = HashMap::new();
    envelope.each(&mut |_, _, raw| {
        let record: Value = serde_json::from_str(raw.get()).map_err(invalid)?;
        let field = |name| record.get(name).and_then(Value::as_str);
        if let (Some("shape"), Some(id), Some(parent)) =
            (field("typeName"), field("id"), field("parentId"))
            && wanted.contains(id)
        {
            parents.insert(id.to_owned(), parent.to_owned());
        }
        Ok(())
    })?;
    Ok(parents)
}

/// Shapes per page: those right under a page counted as they come, those inside another
/// shape kept to walk up their chain once every record is known.
#[derive(Default)]
struct Counts {
    shapes: usize,
    on_page: HashMap<String, usize>,
    /// (shape, its parent shape).
    nested: Vec<(String, String)>,
    /// Every shape some shape sits in.
    parent_ids: HashSet<String>,
}

impl Counts {
    fn shape(&mut self, id: &str, parent: &str) {
        self.shapes += 1;
        if parent.starts_with("page:") {
            *self.on_page.entry(parent.to_owned()).or_default() += 1;
        } else {
            self.nested.push((id.to_owned(), parent.to_owned()));
            self.parent_ids.insert(parent.to_owned());
        }
    }

    /// Pages in slide order (by `index` byte-wise, then id), as `tldraw::pages_of` gives them.
    fn pages(
        &self,
        mut pages: Vec<(String, String, String)>,
        parents_of_parents: &HashMap<String, String>,
    ) -> Vec<PageInfo> {
        pages.sort_unstable();
        let mut counts: HashMap<&str, usize> = pages
            .iter()
            .map(|(_, id, _)| (id.as_str(), self.on_page.get(id).copied().unwrap_or(0)))
            .collect();
        let mut parents: HashMap<&str, &str> = (parents_of_parents.iter())
            .map(|(id, parent)| (id.as_str(), parent.as_str()))
            .collect();
        parents.extend(self.nested.iter().map(|(i, p)| (i.as_str(), p.as_str())));
        let mut memo = HashMap::new();
        for (shape, _) in &self.nested {
            if let Some(page) = page_of(shape, &parents, &counts, &mut memo) {
                *counts.get_mut(page).expect("page_of returns known pages") += 1;
            }
        }
        pages
            .iter()
            .map(|(_, id, name)| PageInfo {
                id: id.clone(),
                name: name.clone(),
                shape_count: counts[id.as_str()],
            })
            .collect()
    }
}

/// Record ids seen, as 64-bit hashes (with a random key): 8 bytes a record rather than the id.
/// Two distinct ids colliding among 10^6 records has a chance of about 10^-8.
#[derive(Default)]
struct IdSet {
    hasher: std::hash::RandomState,
    seen: HashSet<u64>,
}

impl IdSet {
    fn insert(&mut self, id: &str) -> bool {
        self.seen.insert(self.hasher.hash_one(id))
    }
}

/// The normalised snapshot, written as the records come.
struct Writer<'a> {
    out: String,
    first: bool,
    schema: &'a RawValue,
}

impl<'a> Writer<'a> {
    /// For a document of `size` bytes: the store is as long, a `.tldr` file's records gain their
    /// ids as keys (room for a quarter more, so that the text is not copied as it grows).
    fn new(size: usize, envelope: &Envelope<'a>) -> Self {
        let capacity = match envelope.records {
            Records::Store(_) => size + 64,
            Records::List(_) => size + size / 4 + 64,
        };
        let schema = envelope.schema;
        let mut out = String::with_capacity(capacity);
        out.push_str("{\"store\":{");
        Writer {
            out,
            first: true,
            schema,
        }
    }

    fn record(&mut self, id: &str, record: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out
            .push_str(&serde_json::to_string(id).expect("a string serialises"));
        self.out.push(':');
        self.out.push_str(record);
    }

    fn finish(mut self) -> String {
        self.out.push_str("},\"schema\":");
        self.out.push_str(self.schema.get());
        self.out.push('}');
        self.out
    }
}

/// A key borrowed from the text when it holds no escape.
#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl Borrow<str> for Key<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

type Object<'a> = BTreeMap<Key<'a>, &'a RawValue>;

/// Where the records are, and the schema.
struct Envelope<'a> {
    records: Records<'a>,
    schema: &'a RawValue,
}

enum Records<'a> {
    /// A `.tldr` file's `records` array.
    List(&'a RawValue),
    /// A store snapshot's `store` object, keyed by id.
    Store(&'a RawValue),
}

impl<'a> Envelope<'a> {
    fn read(text: &'a str) -> Result<Self, TldrawError> {
        let root: Object<'a> =
            serde_json::from_str(text).map_err(|_| invalid("expected a JSON object"))?;
        let (records, schema) = match root.get("records") {
            Some(records) => (Records::List(records), root.get("schema").copied()),
            None => {
                let doc = match root.get("document") {
                    Some(doc) => serde_json::from_str::<Object<'a>>(doc.get())
                        .map_err(|_| invalid("\"document\" must be an object"))?,
                    None => root,
                };
                if !doc.contains_key("store") && doc.contains_key("pages") {
                    return Err(TldrawError::Tldraw1);
                }
                let store = doc.get("store").ok_or_else(|| invalid(EXPECTED_SHAPES))?;
                if !store.get().starts_with('{') {
                    return Err(invalid("\"store\" must be an object keyed by record id"));
                }
                (Records::Store(store), doc.get("schema").copied())
            }
        };
        if let Records::List(list) = records
            && !list.get().starts_with('[')
        {
            return Err(invalid("\"records\" must be an array"));
        }
        match schema {
            Some(schema) if schema.get().starts_with('{') => Ok(Envelope { records, schema }),
            _ => Err(invalid("\"schema\" is missing or not an object")),
        }
    }

    /// Calls `f` with each record (its key in a store, its position, its text) in order; stops
    /// at the first error.
    fn each(&self, f: &mut RecordFn<'_, 'a>) -> Result<(), ReadError> {
        let mut walk = Walk { f, failed: None };
        let result = match self.records {
            Records::List(raw) => {
                serde_json::Deserializer::from_str(raw.get()).deserialize_seq(&mut walk)
            }
            Records::Store(raw) => {
                serde_json::Deserializer::from_str(raw.get()).deserialize_map(&mut walk)
            }
        };
        match (walk.failed, result) {
            (Some(failed), _) => Err(failed),
            (None, Err(e)) => Err(invalid(e).into()),
            (None, Ok(())) => Ok(()),
        }
    }
}

type RecordFn<'f, 'a> = dyn FnMut(Option<&str>, usize, &'a RawValue) -> Result<(), ReadError> + 'f;

struct Walk<'w, 'f, 'a> {
    f: &'w mut RecordFn<'f, 'a>,
    failed: Option<ReadError>,
}

impl Walk<'_, '_, '_> {
    fn stop<E: de::Error>(&mut self, error: ReadError) -> E {
        self.failed = Some(error);
        E::custom("stopped")
    }
}

impl<'de> Visitor<'de> for &mut Walk<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            if let Err(e) = (self.f)(None, i, raw) {
                return Err(self.stop(e));
            }
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut i = 0;
        let mut keys = IdSet::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let raw: &'de RawValue = map.next_value()?;
            if !keys.insert(&key.0) {
                let error = invalid(format!("two records have the id \"{}\"", key.0));
                return Err(self.stop(error.into()));
            }
            if let Err(e) = (self.f)(Some(&key.0), i, raw) {
                return Err(self.stop(e));
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::tldraw::read_document;

    fn policy() -> ContentPolicy {
        ContentPolicy::new("https://live.example.org")
    }

    fn schema() -> Value {
        json!({"schemaVersion": 2, "sequences": {}})
    }

    fn deck() -> Value {
        json!({"store": {
            "page:b": {"id": "page:b", "typeName": "page", "index": "a2", "name": "Deux"},
            "page:a": {"id": "page:a", "typeName": "page", "index": "a1", "name": "Un"},
            "shape:frame": {"id": "shape:frame", "typeName": "shape", "parentId": "page:b"},
            "shape:in": {"id": "shape:in", "typeName": "shape", "parentId": "shape:frame"},
            "shape:deeper": {"id": "shape:deeper", "typeName": "shape", "parentId": "shape:in"},
            "shape:top": {"id": "shape:top", "typeName": "shape", "parentId": "page:a"},
            "shape:lost": {"id": "shape:lost", "typeName": "shape", "parentId": "shape:nowhere"},
            "shape:c1": {"id": "shape:c1", "typeName": "shape", "parentId": "shape:c2"},
            "shape:c2": {"id": "shape:c2", "typeName": "shape", "parentId": "shape:c1"},
        }, "schema": schema()})
    }

    #[test]
    fn a_store_snapshot_reads_as_the_value_reader_reads_it() {
        let text = deck().to_string();
        let scanned = scan(&text, &policy(), 1024).unwrap();
        let expected = read_document(deck()).unwrap();
        assert_eq!(scanned.pages, expected.pages);
        assert_eq!(scanned.shapes, 7);
        let snapshot: Value = serde_json::from_str(&scanned.snapshot).unwrap();
        assert_eq!(snapshot, expected.snapshot);
    }

    #[test]
    fn a_tldr_file_and_an_editor_snapshot_give_the_same_store_snapshot() {
        let deck = deck();
        let records: Vec<&Value> = deck["store"].as_object().unwrap().values().collect();
        let tldr = json!({"tldrawFileFormatVersion": 1, "schema": schema(), "records": records});
        let editor = json!({"document": deck, "session": {"x": 1}});
        let quoted = Value::String(tldr.to_string());
        for given in [tldr, editor, quoted] {
            let scanned = scan(&given.to_string(), &policy(), 1024).unwrap();
            let expected = read_document(given).unwrap();
            assert_eq!(scanned.pages, expected.pages);
            let snapshot: Value = serde_json::from_str(&scanned.snapshot).unwrap();
            assert_eq!(snapshot, expected.snapshot);
        }
    }

    #[test]
    fn what_the_value_reader_refuses_is_refused_with_the_same_words() {
        let page = json!({"id": "page:a", "typeName": "page", "index": "a1", "name": "Un"});
        let cases = [
            json!([1]),
            json!({"pages": {}, "shapes": {}}),
            json!({"store": [], "schema": {}}),
            json!({"store": {"page:a": page}}),
            json!({"store": {"page:x": page}, "schema": {}}),
            json!({"records": [page, page], "schema": {}}),
            json!({"records": [{"id": "shape:1", "typeName": "shape"}], "schema": {}}),
            json!({"records": {}, "schema": {}}),
            json!({"store": {}, "schema": {}}),
            json!({"document": 3}),
            json!({"other": 3}),
        ];
        for case in cases {
            let expected = read_document(case.clone()).unwrap_err();
            let got = scan(&case.to_string(), &policy(), 1024).unwrap_err();
            assert_eq!(got, ReadError::Tldraw(expected), "{case}");
        }
        let twice = r#"{"store": {"page:a": {"id": "page:a", "typeName": "page", "index": "a1",
            "name": "Un"}, "page:a": {"id": "page:a", "typeName": "page", "index": "a1",
            "name": "Un"}}, "schema": {}}"#;
        let refused = scan(twice, &policy(), 1024).unwrap_err();
        assert!(refused.to_string().contains("two records"), "{refused}");
    }

    #[test]
    fn the_content_policy_names_the_record_of_smallest_id() {
        let mut deck = deck();
        let store = deck["store"].as_object_mut().unwrap();
        for id in ["shape:z", "shape:b"] {
            store.insert(
                id.into(),
                json!({"id": id, "typeName": "shape", "type": "embed", "parentId": "page:a",
                       "props": {"url": "https://example.com"}}),
            );
        }
        let expected = policy().check(&deck).unwrap_err();
        let got = scan(&deck.to_string(), &policy(), 1024).unwrap_err();
        assert_eq!(got, ReadError::Content(expected));
    }

    #[test]
    fn inline_images_are_found_and_replaced() {
        let gif = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
        let mut deck = deck();
        deck["store"]["asset:1"] =
            json!({"id": "asset:1", "typeName": "asset", "type": "image", "props": {"src": gif}});
        let text = deck.to_string();
        let scanned = scan(&text, &policy(), 1024).unwrap();
        assert_eq!(scanned.inline_images.len(), 1);
        assert_eq!(scanned.inline_images[0].0, "asset:1");
        assert!(scan(&text, &policy(), 10).unwrap().inline_images.is_empty());

        let new = json!({"id": "asset:1", "typeName": "asset", "type": "image",
                         "props": {"src": "/api/assets/x"}});
        let replaced =
            replace_records(&text, &HashMap::from([("asset:1".into(), new.to_string())])).unwrap();
        let replaced: Value = serde_json::from_str(&replaced).unwrap();
        assert_eq!(replaced["store"]["asset:1"], new);
        assert_eq!(replaced["store"]["shape:top"], deck["store"]["shape:top"]);
    }
}
