//! Paths into a JSON document, in RedisJSON's two syntaxes: JSONPath (`$...`), which selects
//! any number of values and answers for each, and the legacy dotted path (`.a.b`, `a[0]`,
//! `.`), which answers for one value. Both are evaluated by `serde_json_path` (RFC 9535), a
//! legacy path as the JSONPath it spells (`.a` is `$.a`); the differences from RedisJSON's
//! own JSONPath dialect are listed in `docs/commands.md`.

use std::collections::HashSet;

use serde_json::Value;
use serde_json_path::{JsonPath, PathElement};

use crate::reply::CmdError;

/// A parsed path.
#[derive(Debug)]
pub struct Path {
    /// As the command named it, for replies keyed by path (JSON.GET with several).
    given: String,
    /// As JSONPath: the legacy form rewritten (`.a` is `$.a`).
    spelled: String,
    query: JsonPath,
    legacy: bool,
}

/// One step from a value to a value inside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Where a value sits in a document: the steps from the root.
pub type Location = Vec<Step>;

impl Path {
    /// The root, in the legacy syntax: a command's default path.
    pub fn root() -> Self {
        Self::parse(b".").expect("the root parses")
    }

    pub fn parse(text: &[u8]) -> Result<Self, CmdError> {
        let given = String::from_utf8_lossy(text).into_owned();
        let legacy = !given.starts_with('$');
        let spelled = match legacy {
            false => given.clone(),
            true if given == "." || given.is_empty() => "$".to_owned(),
            true if given.starts_with('.') || given.starts_with('[') => format!("${given}"),
            true => format!("$.{given}"),
        };
        let query = JsonPath::parse(&spelled).map_err(|error| {
            CmdError::new(format!(
                "ERR invalid JSONPath '{given}': {} at position {}",
                error.message(),
                error.position()
            ))
        })?;
        Ok(Self {
            given,
            spelled,
            query,
            legacy,
        })
    }

    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    pub fn is_root(&self) -> bool {
        self.spelled == "$"
    }

    pub fn given(&self) -> &str {
        &self.given
    }

    /// `ERR Path '...' does not exist`, naming the path as RedisJSON does (a legacy path in
    /// its JSONPath spelling).
    pub fn missing(&self) -> CmdError {
        CmdError::new(format!("ERR Path '{}' does not exist", self.spelled))
    }

    /// The locations of the values the path selects in `document`, in document order, each
    /// once.
    pub fn locate(&self, document: &Value) -> Vec<Location> {
        let found = self.query.query_located(document);
        let mut locations: Vec<Location> = Vec::with_capacity(found.len());
        let mut seen = HashSet::with_capacity(found.len());
        // Each once, in the order found (the crate's own dedup sorts them).
        for location in found.locations() {
            let location: Location = location
                .iter()
                .map(|step| match step {
                    PathElement::Name(name) => Step::Key((*name).to_owned()),
                    PathElement::Index(index) => Step::Index(*index),
                })
                .collect();
            if seen.insert(location.clone()) {
                locations.push(location);
            }
        }
        locations
    }

    /// Where a JSON.SET that matched nothing may add a value: the path of the object to add
    /// it to, and the key, when the path ends in a member name (`.name`, `['name']`).
    pub fn parent_and_key(&self) -> Option<(Path, String)> {
        let text = &self.spelled;
        let (parent, key) = if let Some(open) = text.strip_suffix("']").and_then(|rest| rest.rfind("['")) {
            (&text[..open], text[open + 2..text.len() - 2].to_owned())
        } else if let Some(open) = text.strip_suffix("\"]").and_then(|rest| rest.rfind("[\"")) {
            (&text[..open], text[open + 2..text.len() - 2].to_owned())
        } else {
            let dot = text.rfind('.')?;
            let key = &text[dot + 1..];
            let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            // `..name` selects at any depth: no single place to add to.
            if !plain || text[..dot].ends_with('.') {
                return None;
            }
            (&text[..dot], key.to_owned())
        };
        let parent = Path::parse(parent.as_bytes()).ok()?;
        Some((
            Path {
                legacy: self.legacy,
                ..parent
            },
            key,
        ))
    }
}

/// The value at `location`, if there is one.
pub fn get<'a>(document: &'a Value, location: &[Step]) -> Option<&'a Value> {
    location.iter().try_fold(document, |value, step| match (step, value) {
        (Step::Key(key), Value::Object(object)) => object.get(key),
        (Step::Index(index), Value::Array(array)) => array.get(*index),
        _ => None,
    })
}

pub fn get_mut<'a>(document: &'a mut Value, location: &[Step]) -> Option<&'a mut Value> {
    location.iter().try_fold(document, |value, step| match (step, value) {
        (Step::Key(key), Value::Object(object)) => object.get_mut(key),
        (Step::Index(index), Value::Array(array)) => array.get_mut(*index),
        _ => None,
    })
}

/// Removes the value at `location` from its parent (not the root); whether it was there.
pub fn remove(document: &mut Value, location: &[Step]) -> bool {
    let Some((last, parent)) = location.split_last() else {
        return false;
    };
    match (last, get_mut(document, parent)) {
        (Step::Key(key), Some(Value::Object(object))) => object.shift_remove(key).is_some(),
        (Step::Index(index), Some(Value::Array(array))) if *index < array.len() => {
            array.remove(*index);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locations(path: &str, document: &str) -> Vec<Location> {
        Path::parse(path.as_bytes())
            .unwrap()
            .locate(&serde_json::from_str(document).unwrap())
    }

    #[test]
    fn legacy_paths_are_the_jsonpath_they_spell() {
        let document = r#"{"a": {"b": [10, 20]}}"#;
        let b1 = vec![vec![Step::Key("a".into()), Step::Key("b".into()), Step::Index(1)]];
        assert_eq!(locations(".a.b[1]", document), b1);
        assert_eq!(locations("a.b[1]", document), b1);
        assert_eq!(locations("$.a.b[1]", document), b1);
        assert_eq!(locations(".", document), vec![Vec::<Step>::new()]);
        assert!(Path::parse(b".").unwrap().is_root());
        assert!(Path::parse(b".a").unwrap().is_legacy());
        assert!(!Path::parse(b"$.a").unwrap().is_legacy());
    }

    #[test]
    fn a_new_member_s_parent_is_the_path_before_its_name() {
        let (parent, key) = Path::parse(b"$.a.new").unwrap().parent_and_key().unwrap();
        assert_eq!((parent.spelled.as_str(), key.as_str()), ("$.a", "new"));
        let (parent, key) = Path::parse(b"$['a']['b c']").unwrap().parent_and_key().unwrap();
        assert_eq!((parent.spelled.as_str(), key.as_str()), ("$['a']", "b c"));
        assert!(Path::parse(b"$..a").unwrap().parent_and_key().is_none());
        assert!(Path::parse(b"$.a[0]").unwrap().parent_and_key().is_none());
    }

    #[test]
    fn removing_keeps_the_siblings_in_order() {
        let mut document: Value = serde_json::from_str(r#"{"a": 1, "b": 2, "c": 3}"#).unwrap();
        assert!(remove(&mut document, &[Step::Key("b".into())]));
        assert_eq!(document.to_string(), r#"{"a":1,"c":3}"#);
        assert!(!remove(&mut document, &[Step::Key("b".into())]));
    }
}
