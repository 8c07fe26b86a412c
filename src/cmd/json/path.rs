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
    query: Query,
    legacy: bool,
}

/// How a path finds its values.
#[derive(Debug)]
enum Query {
    /// Member names and indexes only (`$.a.b[0]`, `$['a b']`): at most one value, found by
    /// following the steps, in the text as well as in a parsed document ([`super::raw`]).
    Static(Vec<Step>),
    /// Anything else, evaluated by `serde_json_path`.
    General(JsonPath),
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
        let query = match static_steps(&spelled) {
            Some(steps) => Query::Static(steps),
            None => Query::General(JsonPath::parse(&spelled).map_err(|error| {
                CmdError::new(format!(
                    "ERR invalid JSONPath '{given}': {} at position {}",
                    error.message(),
                    error.position()
                ))
            })?),
        };
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

    /// The steps to the one value a static path names.
    pub fn steps(&self) -> Option<&[Step]> {
        match &self.query {
            Query::Static(steps) => Some(steps),
            Query::General(_) => None,
        }
    }

    /// `ERR Path '...' does not exist`, naming the path as RedisJSON does (a legacy path in
    /// its JSONPath spelling).
    pub fn missing(&self) -> CmdError {
        CmdError::new(format!("ERR Path '{}' does not exist", self.spelled))
    }

    /// The locations of the values the path selects in `document`, in document order, each
    /// once.
    pub fn locate(&self, document: &Value) -> Vec<Location> {
        let query = match &self.query {
            Query::Static(steps) => return get(document, steps).map(|_| steps.clone()).into_iter().collect(),
            Query::General(query) => query,
        };
        let found = query.query_located(document);
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

/// The steps of a path of member names and indexes only, written as RFC 9535 allows: `.name`
/// (a name of letters, digits and `_`, not starting with a digit), `['name']` or `["name"]`
/// (without quotes, backslashes or control characters inside), `[index]` (digits, no sign, no
/// leading zero). Anything else is left to `serde_json_path`.
fn static_steps(spelled: &str) -> Option<Vec<Step>> {
    let shorthand = |name: &str| {
        name.chars()
            .next()
            .is_some_and(|first| first == '_' || first.is_alphabetic() || !first.is_ascii())
            && name.chars().all(|c| c == '_' || c.is_alphanumeric() || !c.is_ascii())
    };
    let mut rest = spelled.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if !shorthand(name) {
                return None;
            }
            steps.push(Step::Key(name.to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = &after[..end];
            let quoted = ['\'', '"']
                .into_iter()
                .find_map(|quote| inside.strip_prefix(quote)?.strip_suffix(quote));
            match quoted {
                Some(name) if !name.contains(['\'', '"', '\\']) && !name.chars().any(char::is_control) => {
                    steps.push(Step::Key(name.to_owned()));
                }
                Some(_) => return None,
                None if inside == "0"
                    || (!inside.starts_with('0')
                        && !inside.is_empty()
                        && inside.bytes().all(|b| b.is_ascii_digit())) =>
                {
                    steps.push(Step::Index(inside.parse().ok()?));
                }
                None => return None,
            }
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
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
    fn member_names_and_indexes_make_a_static_path_and_the_rest_a_general_one() {
        let steps = |path: &str| Path::parse(path.as_bytes()).unwrap().steps().map(<[Step]>::to_vec);
        let key = |name: &str| Step::Key(name.to_owned());
        assert_eq!(steps("$"), Some(vec![]));
        assert_eq!(steps("."), Some(vec![]));
        assert_eq!(
            steps("$.a.b_1[0]['c d'][\"e\"][10]"),
            Some(vec![
                key("a"),
                key("b_1"),
                Step::Index(0),
                key("c d"),
                key("e"),
                Step::Index(10)
            ])
        );
        assert_eq!(steps(".a[2]"), Some(vec![key("a"), Step::Index(2)]));
        for general in [
            "$..a",
            "$.*",
            "$[*]",
            "$[-1]",
            "$[0:2]",
            "$[?@.a]",
            "$['a\\'b']",
            "$[ 0 ]",
            "$.a[0,1]",
        ] {
            assert_eq!(steps(general), None, "{general}");
        }
        // Not RFC 9535 (a leading zero), so no static path either.
        assert!(Path::parse(b"$[01]").is_err());
        // Both find the same values.
        let document: Value = serde_json::from_str(r#"{"a": {"b c": [1, 2]}}"#).unwrap();
        let located = |path: &str| Path::parse(path.as_bytes()).unwrap().locate(&document);
        assert_eq!(located("$.a['b c'][1]"), located("$.a['b c'][-1]"));
        assert!(located("$.a.x").is_empty());
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

    mod fuzz {
        use proptest::prelude::*;

        use super::super::super::raw::tests::fuzz::{documents, steps};
        use super::*;

        /// A static path's text, names written as a dot where RFC 9535 allows, else quoted.
        fn spelled(steps: &[Step]) -> String {
            let mut text = "$".to_owned();
            for step in steps {
                match step {
                    Step::Index(index) => text.push_str(&format!("[{index}]")),
                    Step::Key(name) if static_steps(&format!("$.{name}")).is_some() => {
                        text.push_str(&format!(".{name}"))
                    }
                    Step::Key(name) => text.push_str(&format!("[{}]", serde_json::to_string(name).unwrap())),
                }
            }
            text
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn a_static_path_selects_what_the_general_evaluation_selects(document in documents(), steps in steps()) {
                let text = spelled(&steps);
                let general = JsonPath::parse(&text).unwrap();
                let expected: Vec<Location> = general
                    .query_located(&document)
                    .locations()
                    .map(|location| {
                        location
                            .iter()
                            .map(|step| match step {
                                PathElement::Name(name) => Step::Key((*name).to_owned()),
                                PathElement::Index(index) => Step::Index(*index),
                            })
                            .collect()
                    })
                    .collect();
                prop_assert_eq!(Path::parse(text.as_bytes()).unwrap().locate(&document), expected);
            }

            #[test]
            fn any_bytes_parse_as_a_path_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
                if let Ok(path) = Path::parse(&bytes) {
                    let _ = path.parent_and_key();
                }
            }
        }
    }

    #[test]
    fn removing_keeps_the_siblings_in_order() {
        let mut document: Value = serde_json::from_str(r#"{"a": 1, "b": 2, "c": 3}"#).unwrap();
        assert!(remove(&mut document, &[Step::Key("b".into())]));
        assert_eq!(document.to_string(), r#"{"a":1,"c":3}"#);
        assert!(!remove(&mut document, &[Step::Key("b".into())]));
    }
}
