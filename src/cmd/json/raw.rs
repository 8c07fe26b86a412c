//! Finding one value in a document's text without building the document: the path of a
//! static location (member names and indexes) is followed through the text, skipping what is
//! not on it, and the value's place in the text comes back. A read then parses only that
//! value, and a write splices the value's new text in place of the old.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::path::Step;

/// Where the value at `steps` is in `text` (a document's compact text), if it is there.
pub fn locate(text: &str, steps: &[Step]) -> Option<Range<usize>> {
    let mut value: &RawValue = serde_json::from_str(text).ok()?;
    for step in steps {
        let inner = value.get();
        let mut deserializer = serde_json::Deserializer::from_str(inner);
        value = match step {
            Step::Key(key) if inner.starts_with('{') => deserializer.deserialize_map(Member(key)).ok()??,
            Step::Index(index) if inner.starts_with('[') => deserializer.deserialize_seq(Element(*index)).ok()??,
            _ => return None,
        };
    }
    let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
    Some(start..start + value.get().len())
}

/// `text` with `range` replaced by `replacement`.
pub fn splice(text: &str, range: Range<usize>, replacement: &str) -> String {
    let mut spliced = String::with_capacity(text.len() - range.len() + replacement.len());
    spliced.push_str(&text[..range.start]);
    spliced.push_str(replacement);
    spliced.push_str(&text[range.end..]);
    spliced
}

/// Finds an object's member by name, skipping the others.
struct Member<'k>(&'k str);

impl<'de> Visitor<'de> for Member<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        // Every member is read to the end, which the deserializer checks; the last of a name
        // wins, as when the document is parsed whole.
        while let Some(Name(name)) = map.next_key()? {
            match name == self.0 {
                true => found = Some(map.next_value()?),
                false => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Finds an array's element by index, skipping the others.
struct Element(usize);

impl<'de> Visitor<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut index = 0;
        loop {
            if index == self.0 {
                match seq.next_element()? {
                    Some(element) => found = Some(element),
                    None => return Ok(None),
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(found);
            }
            index += 1;
        }
    }
}

/// A member name, borrowed from the text unless it has escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Name<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Borrowed(name)))
            }

            fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(name.to_owned())))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn at<'t>(text: &'t str, steps: &[Step]) -> Option<&'t str> {
        locate(text, steps).map(|range| &text[range])
    }

    #[test]
    fn a_static_location_is_found_in_the_text() {
        let text = r#"{"a":{"b":[10,{"c":"x\"y"}],"d\"e":null},"f":true}"#;
        let key = |name: &str| Step::Key(name.to_owned());
        assert_eq!(at(text, &[]), Some(text));
        assert_eq!(at(text, &[key("a"), key("b"), Step::Index(0)]), Some("10"));
        assert_eq!(
            at(text, &[key("a"), key("b"), Step::Index(1), key("c")]),
            Some(r#""x\"y""#)
        );
        assert_eq!(at(text, &[key("a"), key("d\"e")]), Some("null"));
        assert_eq!(at(text, &[key("f")]), Some("true"));
        assert_eq!(at(text, &[key("a"), key("b"), Step::Index(2)]), None);
        assert_eq!(at(text, &[key("f"), key("g")]), None);
        assert_eq!(at(text, &[key("missing")]), None);
        assert_eq!(at(text, &[Step::Index(0)]), None);
    }

    pub(in crate::cmd::json) mod fuzz {
        use proptest::prelude::*;
        use serde_json::Value;

        use super::super::super::path;
        use super::*;

        const NAMES: &[&str] = &["a", "b", "é", "a\"b", "", "x y", "0"];

        /// Documents of a few levels, with names and strings that need escapes.
        pub(in crate::cmd::json) fn documents() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                (-1e9f64..1e9).prop_map(Value::from),
                prop::sample::select(NAMES).prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                    prop::collection::vec((prop::sample::select(NAMES), inner), 0..5).prop_map(
                        |members| Value::Object(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                    ),
                ]
            })
        }

        pub(in crate::cmd::json) fn steps() -> impl Strategy<Value = Vec<Step>> {
            let step = prop_oneof![
                prop::sample::select(NAMES).prop_map(|name| Step::Key(name.to_owned())),
                (0usize..5).prop_map(Step::Index),
            ];
            prop::collection::vec(step, 0..4)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn the_text_walk_finds_what_the_parsed_walk_finds(document in documents(), steps in steps()) {
                let text = document.to_string();
                let found = locate(&text, &steps).map(|range| serde_json::from_str::<Value>(&text[range]).unwrap());
                prop_assert_eq!(found.as_ref(), path::get(&document, &steps));
            }

            #[test]
            fn a_splice_is_the_edit_of_the_parsed_document(document in documents(), steps in steps(), new in documents()) {
                let text = document.to_string();
                if let Some(range) = locate(&text, &steps) {
                    let mut edited = document.clone();
                    *path::get_mut(&mut edited, &steps).unwrap() = new.clone();
                    prop_assert_eq!(splice(&text, range, &new.to_string()), edited.to_string());
                }
            }

            #[test]
            fn any_text_is_walked_without_panicking(text in ".{0,64}", steps in steps()) {
                let _ = locate(&text, &steps);
            }
        }
    }

    #[test]
    fn a_splice_replaces_only_the_value() {
        let text = r#"{"a":1,"b":[2,3]}"#;
        let range = locate(text, &[Step::Key("b".into()), Step::Index(1)]).unwrap();
        assert_eq!(splice(text, range, "30"), r#"{"a":1,"b":[2,30]}"#);
    }
}
