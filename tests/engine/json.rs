//! JSON documents. The tables are RedisJSON's documented examples (redis.io's page of each
//! command), run in order, with the replies the documentation prints; then what a document
//! key does with the generic commands, and the errors.

use litekv::reply::Reply;

use crate::helpers::{SYNTAX, TestEngine, WRONGTYPE, bulk, bulks, err, int, ints, nil, ok, status};

fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

#[tokio::test]
async fn set_get_mget_mset_and_merge_follow_redisjson_s_examples() {
    let engine = TestEngine::with_value_limit(1024).await;
    engine
        .expect(&[
            (&["JSON.SET", "doc", "$", r#"{"a":2}"#], ok()),
            (&["JSON.SET", "doc", "$.a", "3"], ok()),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"a":3}]"#)),
            (&["JSON.SET", "doc", "$.b", "8"], ok()),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"a":3,"b":8}]"#)),
            (&["JSON.SET", "doc", "$", r#"{"f1": {"a":1}, "f2":{"a":2}}"#], ok()),
            (&["JSON.SET", "doc", "$..a", "3"], ok()),
            (&["JSON.GET", "doc"], bulk(r#"{"f1":{"a":3},"f2":{"a":3}}"#)),
            (
                &["JSON.SET", "nonexistentkey", "$.x", "5"],
                err("ERR new objects must be created at the root"),
            ),
            (&["JSON.SET", "doc", "$.f1.a", "9", "NX"], nil()),
            (&["JSON.SET", "doc", "$.f1.z", "9", "XX"], nil()),
            (&["JSON.SET", "doc", "$.f1.z", "9", "NX"], ok()),
            (&["JSON.SET", "doc", "$.nothere.z", "9"], nil()),
            (
                &["JSON.SET", "doc", ".nothere.z", "9"],
                err("ERR Path '$.nothere.z' does not exist"),
            ),
            (
                &["JSON.SET", "doc", "$", "{"],
                err("EOF while parsing an object at line 1 column 1"),
            ),
            (&["JSON.SET", "doc", "$", "1", "NX", "XX"], err(SYNTAX)),
            // JSON.GET's examples: one path, several, and the layout options.
            (
                &[
                    "JSON.SET",
                    "doc",
                    "$",
                    r#"{"a":2, "b": 3, "nested": {"a": 4, "b": null}}"#,
                ],
                ok(),
            ),
            (&["JSON.GET", "doc", "$..b"], bulk("[3,null]")),
            (
                &["JSON.GET", "doc", "..a", "$..b"],
                bulk(r#"{"..a":[2,4],"$..b":[3,null]}"#),
            ),
            (
                &["JSON.GET", "doc", ".a", ".nested"],
                bulk(r#"{".a":2,".nested":{"a":4,"b":null}}"#),
            ),
            (
                &["JSON.GET", "doc", ".missing"],
                err("ERR Path '$.missing' does not exist"),
            ),
            (&["JSON.GET", "doc", "$.missing"], bulk("[]")),
            (
                &[
                    "JSON.GET", "doc", "INDENT", "\t", "NEWLINE", "\n", "SPACE", " ", ".nested",
                ],
                bulk("{\n\t\"a\": 4,\n\t\"b\": null\n}"),
            ),
            (&["JSON.GET", "missing"], nil()),
            // JSON.MGET's and JSON.MSET's.
            (
                &[
                    "JSON.SET",
                    "doc1",
                    "$",
                    r#"{"a":1, "b": 2, "nested": {"a": 3}, "c": null}"#,
                ],
                ok(),
            ),
            (
                &[
                    "JSON.SET",
                    "doc2",
                    "$",
                    r#"{"a":4, "b": 5, "nested": {"a": 6}, "c": null}"#,
                ],
                ok(),
            ),
            (
                &["JSON.MGET", "doc1", "doc2", "missing", "$..a"],
                array(vec![bulk("[1,3]"), bulk("[4,6]"), nil()]),
            ),
            (&["JSON.MGET", "doc1", "doc2", ".b"], bulks(&["2", "5"])),
            (
                &[
                    "JSON.MSET",
                    "doc1",
                    "$",
                    r#"{"a":1}"#,
                    "doc2",
                    "$",
                    r#"{"f":{"a":2}}"#,
                    "doc3",
                    "$",
                    r#"{"f1":{"a":0},"f2":{"a":0}}"#,
                ],
                ok(),
            ),
            (
                &[
                    "JSON.MSET",
                    "doc1",
                    "$",
                    r#"{"a":2}"#,
                    "doc2",
                    "$.f.a",
                    "3",
                    "doc3",
                    "$",
                    r#"{"f1":{"a":1},"f2":{"a":2}}"#,
                ],
                ok(),
            ),
            (&["JSON.GET", "doc1", "$"], bulk(r#"[{"a":2}]"#)),
            (&["JSON.GET", "doc2", "$"], bulk(r#"[{"f":{"a":3}}]"#)),
            (&["JSON.GET", "doc3"], bulk(r#"{"f1":{"a":1},"f2":{"a":2}}"#)),
            // All or nothing: the second write cannot land, so the first is not made either.
            (
                &["JSON.MSET", "doc1", "$", "7", "absent", "$.x", "1"],
                err("ERR new objects must be created at the root"),
            ),
            (&["JSON.GET", "doc1"], bulk(r#"{"a":2}"#)),
            // JSON.MERGE's.
            (&["JSON.SET", "doc", "$", r#"{"a":2}"#], ok()),
            (&["JSON.MERGE", "doc", "$.a", "3"], ok()),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"a":3}]"#)),
            (&["JSON.MERGE", "doc", "$.a", "null"], ok()),
            (&["JSON.GET", "doc", "$"], bulk("[{}]")),
            (&["JSON.SET", "doc", "$", r#"{"a":[2,4,6,8]}"#], ok()),
            (&["JSON.MERGE", "doc", "$.a", "[10,12]"], ok()),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"a":[10,12]}]"#)),
            (&["JSON.SET", "doc", "$", r#"{"f1": {"a":1}, "f2":{"a":2}}"#], ok()),
            (
                &[
                    "JSON.MERGE",
                    "doc",
                    "$",
                    r#"{"f1": null, "f2":{"a":3, "b":4}, "f3":[2,4,6]}"#,
                ],
                ok(),
            ),
            (
                &["JSON.GET", "doc", "$"],
                bulk(r#"[{"f2":{"a":3,"b":4},"f3":[2,4,6]}]"#),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn the_per_value_commands_follow_redisjson_s_examples() {
    let engine = TestEngine::with_value_limit(1024).await;
    engine
        .expect(&[
            (
                &["JSON.SET", "doc", ".", r#"{"a":"b","b":[{"a":2}, {"a":5}, {"a":"c"}]}"#],
                ok(),
            ),
            (&["JSON.NUMINCRBY", "doc", "$.a", "2"], bulk("[null]")),
            (&["JSON.NUMINCRBY", "doc", "$..a", "2"], bulk("[null,4,7,null]")),
            (&["JSON.NUMMULTBY", "doc", "$..a", "2"], bulk("[null,8,14,null]")),
            (&["JSON.NUMINCRBY", "doc", ".b[0].a", "0.5"], bulk("8.5")),
            (&["JSON.NUMINCRBY", "doc", "$.b[1].a", "1.0"], bulk("[15.0]")),
            (
                &["JSON.NUMINCRBY", "doc", ".a", "1"],
                err("WRONGTYPE wrong type of path value - expected number but found string"),
            ),
            (
                &["JSON.NUMINCRBY", "doc", "$.a", "x"],
                err("expected value at line 1 column 1"),
            ),
            (
                &[
                    "JSON.SET",
                    "doc",
                    "$",
                    r#"{"a":"foo", "nested": {"a": "hello"}, "nested2": {"a": 31}}"#,
                ],
                ok(),
            ),
            (&["JSON.STRLEN", "doc", "$..a"], array(vec![int(3), int(5), nil()])),
            (
                &["JSON.STRAPPEND", "doc", "$..a", r#""baz""#],
                array(vec![int(6), int(8), nil()]),
            ),
            (
                &["JSON.GET", "doc", "$"],
                bulk(r#"[{"a":"foobaz","nested":{"a":"hellobaz"},"nested2":{"a":31}}]"#),
            ),
            (
                &["JSON.STRAPPEND", "doc", "$..a", "baz"],
                err("expected value at line 1 column 1"),
            ),
            (
                &["JSON.STRAPPEND", "doc", ".a", "1"],
                err("ERR wrong type of value - expected a JSON string but found 1"),
            ),
            (
                &["JSON.SET", "doc", "$", r#"{"a":[3], "nested": {"a": {"b":2, "c": 1}}}"#],
                ok(),
            ),
            (&["JSON.OBJKEYS", "doc", "$..a"], array(vec![nil(), bulks(&["b", "c"])])),
            (&["JSON.OBJLEN", "doc", "$..a"], array(vec![nil(), int(2)])),
            (&["JSON.OBJLEN", "doc", ".nested.a"], int(2)),
            (&["JSON.OBJLEN", "doc", ".nothere"], nil()),
            (
                &[
                    "JSON.SET",
                    "doc",
                    "$",
                    r#"{"a":2, "nested": {"a": true}, "foo": "bar"}"#,
                ],
                ok(),
            ),
            (&["JSON.TYPE", "doc", "$..foo"], bulks(&["string"])),
            (&["JSON.TYPE", "doc", "$..a"], bulks(&["integer", "boolean"])),
            (&["JSON.TYPE", "doc", "$..dummy"], array(vec![])),
            (&["JSON.TYPE", "doc"], bulk("object")),
            (&["JSON.SET", "doc", "$", r#"{"bool": true}"#], ok()),
            (&["JSON.TOGGLE", "doc", "$.bool"], ints(&[0])),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"bool":false}]"#)),
            (&["JSON.TOGGLE", "doc", "$.bool"], ints(&[1])),
            (&["JSON.TOGGLE", "doc", ".bool"], bulk("false")),
            (
                &[
                    "JSON.SET",
                    "doc",
                    "$",
                    r#"{"obj":{"a":1, "b":2}, "arr":[1,2,3], "str": "foo", "bool": true, "int": 42, "float": 3.14}"#,
                ],
                ok(),
            ),
            (&["JSON.CLEAR", "doc", "$.*"], int(4)),
            (
                &["JSON.GET", "doc", "$"],
                bulk(r#"[{"obj":{},"arr":[],"str":"foo","bool":true,"int":0,"float":0}]"#),
            ),
            (
                &["JSON.SET", "doc", "$", r#"{"a": 1, "nested": {"a": 2, "b": 3}}"#],
                ok(),
            ),
            (&["JSON.DEL", "doc", "$..a"], int(2)),
            (&["JSON.GET", "doc", "$"], bulk(r#"[{"nested":{"b":3}}]"#)),
            (&["JSON.FORGET", "doc", "$.nested.b"], int(1)),
            (&["JSON.DEL", "doc", "$.nothere"], int(0)),
            (&["JSON.DEL", "doc"], int(1)),
            (&["EXISTS", "doc"], int(0)),
            (&["JSON.DEL", "doc"], int(0)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn arrays_follow_redisjson_s_examples() {
    let engine = TestEngine::with_value_limit(1024).await;
    let item = r#"{"name":"Noise-cancelling Bluetooth headphones","connection":{"wireless":true,"type":"Bluetooth"},"price":99.98,"stock":25,"colors":["black","silver"]}"#;
    engine
        .expect(&[
            (&["JSON.SET", "item:1", "$", item], ok()),
            (&["JSON.ARRAPPEND", "item:1", "$.colors", r#""blue""#], ints(&[3])),
            (
                &["JSON.GET", "item:1", "$.colors"],
                bulk(r#"[["black","silver","blue"]]"#),
            ),
            (&["JSON.ARRINDEX", "item:1", "$..colors", r#""silver""#], ints(&[1])),
            (
                &["JSON.ARRINDEX", "item:1", "$..colors", r#""silver""#, "2"],
                ints(&[-1]),
            ),
            (
                &["JSON.ARRINSERT", "item:1", "$.colors", "2", r#""yellow""#, r#""gold""#],
                ints(&[5]),
            ),
            (
                &["JSON.GET", "item:1", "$.colors"],
                bulk(r#"[["black","silver","yellow","gold","blue"]]"#),
            ),
            (
                &["JSON.ARRINSERT", "item:1", "$.colors", "9", r#""x""#],
                err("ERR index out of bounds"),
            ),
            (&["JSON.ARRLEN", "item:1", "$.colors"], ints(&[5])),
            (
                &["JSON.ARRLEN", "item:1", "$.*"],
                array(vec![nil(), nil(), nil(), nil(), int(5)]),
            ),
            (&["JSON.ARRLEN", "item:1", ".colors"], int(5)),
            (
                &["JSON.ARRLEN", "item:1", ".name"],
                err("WRONGTYPE wrong type of path value - expected array but found string"),
            ),
            (
                &["JSON.ARRLEN", "item:1", ".nothere"],
                err("ERR Path '$.nothere' does not exist"),
            ),
            (
                &["JSON.ARRPOP", "item:1", "$.colors", "0"],
                array(vec![bulk(r#""black""#)]),
            ),
            (&["JSON.ARRPOP", "item:1", ".colors"], bulk(r#""blue""#)),
            (
                &["JSON.ARRPOP", "item:1", "$.colors", "99"],
                array(vec![bulk(r#""gold""#)]),
            ),
            (&["JSON.SET", "key", "$", r#"{"max_level":[80, 90, 100, 120]}"#], ok()),
            (
                &[
                    "JSON.ARRAPPEND",
                    "key",
                    "$.max_level",
                    "140",
                    "160",
                    "180",
                    "200",
                    "220",
                    "240",
                    "260",
                    "280",
                ],
                ints(&[12]),
            ),
            (&["JSON.ARRTRIM", "key", "$.max_level", "4", "8"], ints(&[5])),
            (&["JSON.GET", "key", "$.max_level"], bulk("[[140,160,180,200,220]]")),
            (&["JSON.SET", "empty", "$", "[]"], ok()),
            (&["JSON.ARRPOP", "empty"], nil()),
            (
                &["JSON.ARRAPPEND", "missing", "$", "1"],
                err("ERR could not perform this operation on a key that doesn't exist"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn a_document_key_is_a_key_of_its_own_type() {
    let engine = TestEngine::with_value_limit(1024).await;
    engine.clock.advance(std::time::Duration::ZERO);
    engine
        .expect(&[
            (
                &[
                    "JSON.SET",
                    "doc",
                    "$",
                    r#"{"n":1,"big":123456789012345678901234567890}"#,
                ],
                ok(),
            ),
            (&["TYPE", "doc"], status("ReJSON-RL")),
            (&["OBJECT", "ENCODING", "doc"], bulk("raw")),
            (&["GET", "doc"], err(WRONGTYPE)),
            (&["SET", "string", "x"], ok()),
            (&["JSON.GET", "string"], err(WRONGTYPE)),
            (&["JSON.SET", "string", "$.a", "1"], err(WRONGTYPE)),
            (&["JSON.MGET", "string", "doc", "$.n"], array(vec![nil(), bulk("[1]")])),
            // Integers keep every digit.
            (&["JSON.GET", "doc", "$.big"], bulk("[123456789012345678901234567890]")),
            (&["JSON.TYPE", "doc", "$.big"], bulks(&["integer"])),
            (&["EXPIRE", "doc", "100"], int(1)),
            (&["JSON.NUMINCRBY", "doc", "$.n", "1"], bulk("[2]")),
            (&["TTL", "doc"], int(100)),
            (&["RENAME", "doc", "renamed"], ok()),
            (&["COPY", "renamed", "copied"], int(1)),
            (&["JSON.GET", "copied", "$.n"], bulk("[2]")),
            (
                &["SCAN", "0", "TYPE", "ReJSON-RL"],
                array(vec![bulk("0"), bulks(&["renamed", "copied"])]),
            ),
            // A document replaces nothing of another type; SET replaces a document.
            (&["JSON.SET", "string", "$", "[1]"], err(WRONGTYPE)),
            (&["SET", "copied", "now a string"], ok()),
            (&["TYPE", "copied"], status("string")),
            (&["DEL", "renamed", "string"], int(2)),
            (
                &["JSON.GET", "doc", "$["],
                err("ERR invalid JSONPath '$[': parser error at position 1"),
            ),
        ])
        .await;
    engine.close().await;
}
