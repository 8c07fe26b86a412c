//! Redis Functions: FUNCTION LOAD of a library, FCALL and FCALL_RO of its functions, and
//! the rest of FUNCTION, each row's reply as Redis 7.0.15 gave it, unless a comment says why
//! it differs.

use bytes::Bytes;
use litekv::reply::Reply;

use crate::helpers::{TestEngine, arity, bulk, err, int, nil, ok};

const LIBRARY: &str = "#!lua name=mylib
redis.register_function('f1', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
redis.register_function{function_name='f2', callback=function(keys, args) return redis.call('GET', keys[1]) end,
  flags={'no-writes'}, description='reads'}";

const ERRORS: &str = "#!lua name=errs
redis.register_function('boom', function(keys, args) error('bad') end)
redis.register_function('ret', function(keys, args) return {keys[1], args[1], #keys, #args} end)
redis.register_function('kv', function(keys, args) return KEYS end)";

fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

fn library(body: &str) -> String {
    format!("#!lua name=x\n{body}")
}

#[tokio::test]
async fn libraries_load_and_their_functions_run_as_in_redis() {
    let engine = TestEngine::new().await;
    let registering = |message: &str| err(&format!("ERR Error registering functions: {message}"));
    engine
        .expect(&[
            (&["FUNCTION", "LOAD", LIBRARY], bulk("mylib")),
            (&["FUNCTION", "LOAD", LIBRARY], err("ERR Library 'mylib' already exists")),
            (&["FUNCTION", "LOAD", "return 1"], err("ERR Missing library metadata")),
            (&["FUNCTION", "LOAD", "#!lua name=other\nreturn 1"], err("ERR No functions registered")),
            (
                &["FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('f1', function() return 1 end)"],
                err("ERR Function f1 already exists"),
            ),
            (&["FUNCTION", "LOAD", "#!lua\nreturn 1"], err("ERR Library name was not given")),
            (&["FUNCTION", "LOAD", "#!js name=x\n"], err("ERR Engine 'js' not found")),
            (&["FUNCTION", "LOAD", "#!lua name=x foo=bar\n"], err("ERR Invalid metadata value given: foo=bar")),
            (
                &["FUNCTION", "LOAD", &library("redis.call('SET','a','b')")],
                registering("ERR user_function:2: Script attempted to access nonexistent global variable 'call'"),
            ),
            (
                &["FUNCTION", "LOAD", &library("syntax error here")],
                err("ERR Error compiling function: user_function:2: '=' expected near 'error'"),
            ),
            (
                &["FUNCTION", "LOAD", &library("redis.register_function('g', function() end)\nredis.register_function('g', function() end)")],
                registering("ERR Function already exists in the library"),
            ),
            (
                &["FUNCTION", "LOAD", &library("redis.register_function{function_name='g', callback=function() end, flags={'bogus'}}")],
                registering("ERR unknown flag given"),
            ),
            (
                &["FUNCTION", "LOAD", &library("redis.register_function('g', 5)")],
                registering("ERR second argument to redis.register_function must be a function"),
            ),
            (&["FUNCTION", "LOAD", "BOGUS", LIBRARY], err("ERR Unknown option given: BOGUS")),
            (&["FUNCTION", "LOAD"], arity("function|load")),
            (&["FCALL", "f1", "1", "k", "v"], ok()),
            (&["FCALL", "f2", "1", "k"], bulk("v")),
            (
                &["FCALL_RO", "f1", "1", "k", "v"],
                err("ERR Can not execute a script with write flag using *_ro command."),
            ),
            (&["FCALL_RO", "f2", "1", "k"], bulk("v")),
            (&["FCALL", "nope", "0"], err("ERR Function not found")),
            (&["FCALL", "f1", "5", "k"], err("ERR Number of keys can't be greater than number of args")),
            (&["FCALL", "f1", "-1", "k"], err("ERR Number of keys can't be negative")),
            (&["FCALL", "f1", "x", "k"], err("ERR Bad number of keys provided")),
            (&["FUNCTION", "LOAD", ERRORS], bulk("errs")),
            (&["FCALL", "boom", "0"], err("ERR user_function:2: bad script: boom, on @user_function:2.")),
            (&["FCALL", "ret", "1", "a", "b"], array(vec![bulk("a"), bulk("b"), int(1), int(1)])),
            (
                &["FCALL", "kv", "0"],
                err("ERR user_function:4: Script attempted to access nonexistent global variable 'KEYS' script: kv, on @user_function:4."),
            ),
            (
                &["FUNCTION", "LOAD", "REPLACE", "#!lua name=errs\nredis.register_function('boom2', function() return 2 end)"],
                bulk("errs"),
            ),
            (&["FCALL", "boom", "0"], err("ERR Function not found")),
            (&["FCALL", "boom2", "0"], int(2)),
            // Redis ends with ", on @user_script:1.": a script's `return redis.call(...)` is a
            // tail call here, which leaves no line to name.
            (
                &["EVAL", "return redis.call(\"FUNCTION\", \"LIST\")", "0"],
                err("ERR This Redis command is not allowed from script script: 276d056e1df892455f4e800dcef0bf9da69ed8c7"),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn function_lists_dumps_and_removes_libraries_as_in_redis() {
    let engine = TestEngine::new().await;
    let described = |with_code: bool| {
        let mut fields = vec![
            bulk("library_name"),
            bulk("mylib"),
            bulk("engine"),
            bulk("LUA"),
            bulk("functions"),
            // Registration order: Redis lists a library's functions in its hash table's.
            array(vec![
                array(vec![
                    bulk("name"),
                    bulk("f1"),
                    bulk("description"),
                    nil(),
                    bulk("flags"),
                    array(vec![]),
                ]),
                array(vec![
                    bulk("name"),
                    bulk("f2"),
                    bulk("description"),
                    bulk("reads"),
                    bulk("flags"),
                    array(vec![Reply::status("no-writes")]),
                ]),
            ]),
        ];
        if with_code {
            fields.extend([bulk("library_code"), bulk(LIBRARY)]);
        }
        array(vec![array(fields)])
    };
    let stats = |libraries, functions| {
        array(vec![
            bulk("running_script"),
            nil(),
            bulk("engines"),
            array(vec![
                bulk("LUA"),
                array(vec![
                    bulk("libraries_count"),
                    int(libraries),
                    bulk("functions_count"),
                    int(functions),
                ]),
            ]),
        ])
    };
    engine
        .expect(&[
            (&["FUNCTION", "LIST"], array(vec![])),
            (&["FUNCTION", "LOAD", LIBRARY], bulk("mylib")),
            (&["FUNCTION", "LIST"], described(false)),
            (&["FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE"], described(true)),
            (&["FUNCTION", "LIST", "libraryname", "other*"], array(vec![])),
            (
                &["FUNCTION", "LIST", "LIBRARYNAME"],
                err("ERR library name argument was not given"),
            ),
            (&["FUNCTION", "LIST", "bogus"], err("ERR Unknown argument bogus")),
            (&["FUNCTION", "STATS"], stats(1, 2)),
            (&["FUNCTION", "DELETE", "nope"], err("ERR Library not found")),
            (&["FUNCTION", "KILL"], err("NOTBUSY No scripts in execution right now.")),
            (
                &["FUNCTION", "BOGUS"],
                err("ERR unknown subcommand 'BOGUS'. Try FUNCTION HELP."),
            ),
            (&["FUNCTION"], arity("function")),
            (
                &["FUNCTION", "FLUSH", "bogus"],
                err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"),
            ),
            (
                &["FUNCTION", "RESTORE", "garbage"],
                err("ERR DUMP payload version or checksum are wrong"),
            ),
            (
                &["FUNCTION", "RESTORE", "garbage", "BOGUS"],
                err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."),
            ),
        ])
        .await;
    // A dump restores what it held, by each policy. It is binary: sent as bytes.
    let Reply::Bulk(dump) = engine.run(&["FUNCTION", "DUMP"]).await else {
        panic!("FUNCTION DUMP answers a bulk string");
    };
    let restore = |policy: &[&str]| {
        let mut args = vec![
            Bytes::from_static(b"FUNCTION"),
            Bytes::from_static(b"RESTORE"),
            dump.clone(),
        ];
        args.extend(policy.iter().map(|word| Bytes::copy_from_slice(word.as_bytes())));
        let engine = engine.engine.clone();
        async move {
            engine
                .execute(engine.parse(args).expect("it parses"))
                .await
                .expect("the store answers")
        }
    };
    assert_eq!(restore(&[]).await, err("ERR Library 'mylib' already exists"));
    assert_eq!(restore(&["REPLACE"]).await, ok());
    engine
        .expect(&[
            (&["FUNCTION", "DELETE", "mylib"], ok()),
            (&["FCALL", "f1", "1", "k", "v"], err("ERR Function not found")),
        ])
        .await;
    assert_eq!(restore(&[]).await, ok());
    engine
        .expect(&[
            (&["FCALL", "f1", "1", "k", "v"], ok()),
            (&["FUNCTION", "FLUSH"], ok()),
            (&["FUNCTION", "STATS"], stats(0, 0)),
        ])
        .await;
    assert_eq!(restore(&["FLUSH"]).await, ok());
    engine
        .expect(&[
            (&["FUNCTION", "LIST"], described(false)),
            // As in Redis, a transaction may load a library and call it.
            (&["MULTI"], ok()),
            (
                &[
                    "FUNCTION",
                    "LOAD",
                    "#!lua name=m\nredis.register_function('m1', function() return 1 end)",
                ],
                Reply::status("QUEUED"),
            ),
            (&["FCALL", "m1", "0"], Reply::status("QUEUED")),
            (&["EXEC"], array(vec![bulk("m"), int(1)])),
        ])
        .await;
    engine.close().await;
}
