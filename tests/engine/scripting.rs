//! Lua scripts: Redis's conversions between Lua values and replies, its errors, its
//! sandbox and its libraries, each row's reply as Redis 7.0.15 gave it (SHA1s included),
//! unless a comment says why it differs.

use litekv::reply::Reply;

use crate::helpers::{TestEngine, WRONGTYPE, arity, bulk, bulks, err, int, ints, nil, ok, status};

fn array(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

#[tokio::test]
async fn lua_values_become_replies_as_in_redis() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["EVAL", "return 3.99", "0"], int(3)),
            (&["EVAL", "return -3.99", "0"], int(-3)),
            (&["EVAL", "return 1e300", "0"], int(i64::MIN)),
            (&["EVAL", "return 0/0", "0"], int(i64::MIN)),
            (&["EVAL", "return true", "0"], int(1)),
            (&["EVAL", "return false", "0"], nil()),
            (&["EVAL", "return nil", "0"], nil()),
            (&["EVAL", "return 'x'", "0"], bulk("x")),
            (&["EVAL", "return {1,2,3.7,nil,4}", "0"], ints(&[1, 2, 3])),
            (
                &["EVAL", "return {1,2,{3,{4}}}", "0"],
                array(vec![int(1), int(2), array(vec![int(3), ints(&[4])])]),
            ),
            (
                &["EVAL", "return {1,'a',{ok='fine'},{err='bad'},true,false}", "0"],
                array(vec![int(1), bulk("a"), status("fine"), err("bad"), int(1), nil()]),
            ),
            (&["EVAL", "return {ok='fine'}", "0"], status("fine")),
            (&["EVAL", "return {err='My bad'}", "0"], err("My bad")),
            (&["EVAL", "return redis.error_reply('oops')", "0"], err("ERR oops")),
            (&["EVAL", "return redis.error_reply('My bad')", "0"], err("My bad")),
            (&["EVAL", "return redis.status_reply('FINE')", "0"], status("FINE")),
            (&["EVAL", "return {double=3.5}", "0"], bulk("3.5")),
            (&["EVAL", "return {map={a=1}}", "0"], array(vec![bulk("a"), int(1)])),
            (&["EVAL", "return {set={a=true}}", "0"], bulks(&["a"])),
            (
                &["EVAL", "return {KEYS[1], ARGV[1], ARGV[2]}", "1", "a", "b", "c"],
                bulks(&["a", "b", "c"]),
            ),
            (&["EVAL", "return #KEYS + #ARGV", "0"], int(0)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn replies_become_lua_values_as_in_redis() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (
                &["EVAL", "return type(redis.call('get', 'nokey'))", "0"],
                bulk("boolean"),
            ),
            (&["EVAL", "return redis.call('ping')", "0"], status("PONG")),
            (&["EVAL", "return redis.call('ping').ok", "0"], bulk("PONG")),
            (&["EVAL", "return redis.call('set', 'k', 3.5)", "0"], ok()),
            (&["EVAL", "return redis.call('get', 'k')", "0"], bulk("3.5")),
            // Numbers reach commands as %.17g writes them.
            (
                &[
                    "EVAL",
                    "return redis.call('set', 'k', 1e15) and redis.call('get', 'k')",
                    "0",
                ],
                bulk("1000000000000000"),
            ),
            (
                &[
                    "EVAL",
                    "return redis.call('set', 'k', 0.1) and redis.call('get', 'k')",
                    "0",
                ],
                bulk("0.10000000000000001"),
            ),
            (
                &[
                    "EVAL",
                    "redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')",
                    "0",
                ],
                bulks(&["f", "v"]),
            ),
            (
                &[
                    "EVAL",
                    "return redis.call('zadd', 'z', 1.5, 'm') and redis.call('zscore', 'z', 'm')",
                    "0",
                ],
                bulk("1.5"),
            ),
            (
                &["EVAL", "local r = redis.pcall('incr', 'h') return r.err", "0"],
                bulk(WRONGTYPE),
            ),
            (
                &[
                    "EVAL",
                    "local ok, e = pcall(redis.call, 'incr', 'h') return {tostring(ok), e}",
                    "0",
                ],
                bulks(&["false", WRONGTYPE]),
            ),
            (
                &[
                    "EVAL",
                    "redis.setresp(3) local r = redis.call('hgetall', 'h') return r.map.f",
                    "0",
                ],
                bulk("v"),
            ),
            (
                &[
                    "EVAL",
                    "redis.setresp(3) local r = redis.call('zscore', 'z', 'm') return r.double * 2",
                    "0",
                ],
                int(3),
            ),
            (
                &["EVAL", "redis.setresp(3) return type(redis.call('get', 'nokey'))", "0"],
                bulk("nil"),
            ),
            (&["EVAL", "return redis.call('incr', 'counter')", "0"], int(1)),
            (
                &["EVAL", "return redis.call('publish', 'channel', 'message')", "0"],
                int(0),
            ),
            (&["EVAL", "return redis.call('expire', 'k', 100)", "0"], int(1)),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn errors_are_worded_as_redis_words_them() {
    let engine = TestEngine::new().await;
    engine.run(&["HSET", "h", "f", "v"]).await;
    engine
        .expect(&[
            (&["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"], err("NOSCRIPT No matching script. Please use EVAL.")),
            (&["EVALSHA_RO", "abc", "0"], err("NOSCRIPT No matching script. Please use EVAL.")),
            (&["EVAL", "return 1", "-1"], err("ERR Number of keys can't be negative")),
            (&["EVAL", "return 1", "2", "a"], err("ERR Number of keys can't be greater than number of args")),
            (&["EVAL", "return 1", "x"], err("ERR value is not an integer or out of range")),
            (&["EVAL", "return 1"], arity("eval")),
            // The redis library's functions given the wrong arguments, as Redis 7.0.15 answers.
            (
                &["EVAL", "return redis.sha1hex()", "0"],
                err("ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @user_script:1."),
            ),
            (&["EVAL", "return redis.error_reply()", "0"], err("ERR wrong number or type of arguments")),
            (&["EVAL", "return redis.status_reply(1)", "0"], err("ERR wrong number or type of arguments")),
            (
                &["EVAL", "return redis.set_repl()", "0"],
                err("ERR redis.set_repl() requires two arguments. script: 9504533b41060c143a92eb2f8878e77d33b6dc33, on @user_script:1."),
            ),
            (
                &["EVAL", "return redis.set_repl(9)", "0"],
                err("ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: f43d522179aeb2c4dadb59b026d11ed249ca02e0, on @user_script:1."),
            ),
            // Redis adds ", on @user_script:1.": here a `return` of the call left no frame to
            // find the line in (a Lua tail call; Redis's redis.call is C, which keeps it).
            (
                &["EVAL", "return redis.call('nosuch')", "0"],
                err("ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74"),
            ),
            (&["EVAL", "return redis.pcall('nosuch').err", "0"], bulk("ERR Unknown Redis command called from script")),
            (
                &["EVAL", "local r = redis.call('get') return r", "0"],
                err("ERR Wrong number of args calling Redis command from script script: 651641245e08520541e9732b1471db6a3c8565ef, on @user_script:1."),
            ),
            (
                &["EVAL", "local r = redis.call('incr', 'h') return r", "0"],
                err(&format!("{WRONGTYPE} script: 6a569e3043e748ea711a4c7b2f31e3a4e6b55261, on @user_script:1.")),
            ),
            (
                &["EVAL", "local r = redis.call('blpop', 's', 1) return r", "0"],
                err("ERR This Redis command is not allowed from script script: 5dd8b2914f2766960ac564c1919fd34836e36448, on @user_script:1."),
            ),
            (
                &["EVAL", "local r = redis.call('multi') return r", "0"],
                err("ERR This Redis command is not allowed from script script: f261b2ceb8b6f6370ba719365866ba91eb93ab32, on @user_script:1."),
            ),
            (
                &["EVAL", "error('boom')", "0"],
                err("ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1."),
            ),
            (
                &["EVAL", "error({err='X boom'})", "0"],
                err("X boom script: f0acf9d1ce814691e2b2cc3296a806e16e047e31, on @user_script:1."),
            ),
            (
                &["EVAL", "return syntax error here", "0"],
                err("ERR Error compiling script (new function): user_script:1: '<eof>' expected near 'error'"),
            ),
            (
                &["EVAL", "redis.setresp(4)", "0"],
                err("ERR RESP version must be 2 or 3. script: 68e72e4d8a428b9f599dce492315f2455a425a82, on @user_script:1."),
            ),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn scripts_run_in_redis_s_sandbox() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (
                &["EVAL", "x = 1", "0"],
                err("ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1."),
            ),
            (
                &["EVAL", "return y", "0"],
                err("ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: e278681ed961e2fb52881313e5c90fdd93749940, on @user_script:1."),
            ),
            (
                &["EVAL", "return os", "0"],
                err("ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: f03b5ad6e7d58786b6a5e879efbea4a4408f5c2f, on @user_script:1."),
            ),
            (
                &["EVAL", "return type(print)", "0"],
                err("ERR user_script:1: Script attempted to access nonexistent global variable 'print' script: 296aa29e565df267b5e30e498f3872c9f9e8e8cc, on @user_script:1."),
            ),
            (
                &["EVAL", "string.foo = 1", "0"],
                err("ERR user_script:1: Attempt to modify a readonly table script: 46f9bf166bc7e1ab2ed3b9de7b99c4e1e7dc1f7d, on @user_script:1."),
            ),
            (
                &["EVAL", "return rawset(_G, 'z', 1) and 1", "0"],
                err("ERR Attempt to modify a readonly table script: a6e488a189d58441d1d0ee7f6d14ab1e2763e873, on @user_script:1."),
            ),
            (&["EVAL", "return type(loadstring)", "0"], bulk("function")),
            (&["EVAL", "return _VERSION", "0"], bulk("Lua 5.1")),
            (&["EVAL", "return coroutine.wrap(function() coroutine.yield(5) end)()", "0"], int(5)),
            (&["EVAL", "local t = setmetatable({}, {__index=function() return 7 end}) return t.x", "0"], int(7)),
            // Metatables are read-only too: the globals', the libraries' and the strings' one.
            (
                &["EVAL", "setmetatable(_G, nil)", "0"],
                err("ERR Attempt to modify a readonly table script: 22fdd3b51da2d4bc6703d71d651cd782d8e5a35f, on @user_script:1."),
            ),
            (
                &["EVAL", "getmetatable(_G).__index = function() return 1 end", "0"],
                err("ERR user_script:1: Attempt to modify a readonly table script: cbc271bf87c1835eab8cd1fc040fd1b3a51bde06, on @user_script:1."),
            ),
            (
                &["EVAL", "local m = getmetatable('') m.__index = nil return 1", "0"],
                err("ERR user_script:1: Attempt to modify a readonly table script: 67b344ff140aed3747f37bc5d5562e26084a2df1, on @user_script:1."),
            ),
            (&["EVAL", "return getmetatable(string)", "0"], nil()),
            (&["EVAL", "return ('abc'):upper()", "0"], bulk("ABC")),
            // What one script leaves behind, the next does not see.
            (&["EVAL", "return #KEYS", "1", "a"], int(1)),
            (&["EVAL", "return KEYS[1]", "0"], nil()),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn redis_s_libraries_are_there() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["EVAL", "return redis.sha1hex('')", "0"], bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")),
            (&["EVAL", "return {redis.LOG_DEBUG, redis.LOG_WARNING}", "0"], ints(&[0, 3])),
            (&["EVAL", "return redis.log(redis.LOG_WARNING, 'hi')", "0"], nil()),
            (&["EVAL", "return redis.replicate_commands()", "0"], int(1)),
            (&["EVAL", "return cjson.encode({1,2,{a=1}})", "0"], bulk("[1,2,{\"a\":1}]")),
            (&["EVAL", "return cjson.encode({a={b={1,2,'x'}}, c=cjson.null})", "0"], bulk("{\"a\":{\"b\":[1,2,\"x\"]},\"c\":null}")),
            (&["EVAL", "return cjson.encode('a\"/\\n\\1')", "0"], bulk("\"a\\\"\\/\\n\\u0001\"")),
            (&["EVAL", "return cjson.encode({})", "0"], bulk("{}")),
            (&["EVAL", "return cjson.encode(1/3)", "0"], bulk("0.33333333333333")),
            (
                &["EVAL", "return cjson.encode({[1]=1,[30]=3})", "0"],
                err("ERR user_script:1: Cannot serialise table: excessively sparse array script: 192b3af9fff8485280fdaa0d9aacd2968bccc465, on @user_script:1."),
            ),
            (&["EVAL", "return cjson.decode('[1,2,{\"a\":null}]')[3].a == cjson.null", "0"], int(1)),
            (&["EVAL", "return cmsgpack.pack({a=1})", "0"], Reply::bulk(&b"\x81\xa1a\x01"[..])),
            (
                &["EVAL", "return {cmsgpack.unpack(cmsgpack.pack({1,2,3}, 'abc', -200, 1.5))}", "0"],
                array(vec![ints(&[1, 2, 3]), bulk("abc"), int(-200), int(1)]),
            ),
            (
                &["EVAL", "return {bit.tobit(0xffffffff), bit.bnot(0), bit.lshift(1,31), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(1, 33), bit.ror(1,1), bit.bswap(0x12345678), bit.tohex(-1, -4), bit.bxor(5,3,1), bit.bor(1,2,4)}", "0"],
                array(vec![int(-1), int(-1), int(-2147483648), int(15), int(-16), int(2), int(-2147483648), int(2018915346), bulk("FFFF"), int(7), int(7)]),
            ),
            (&["EVAL", "return struct.size('>i4I2bBhHlLfd')", "0"], int(40)),
            (&["EVAL", "return struct.unpack('>I2', struct.pack('>I2', 258))", "0"], int(258)),
            (&["EVAL", "return {struct.unpack('<i4s', struct.pack('<i4s', -5, 'hi'))}", "0"], array(vec![int(-5), bulk("hi"), int(8)])),
        ])
        .await;
    engine.close().await;
}

#[tokio::test]
async fn script_load_exists_and_flush_and_the_shebang_line() {
    let engine = TestEngine::new().await;
    engine
        .expect(&[
            (&["SCRIPT", "LOAD", "return 1"], bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db")),
            (&["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"], int(1)),
            (&["EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"], int(1)),
            (
                &["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffffffffffffffffffffffffffffffffffffffff"],
                ints(&[1, 0]),
            ),
            (&["SCRIPT", "FLUSH", "ASYNC"], ok()),
            (&["SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"], ints(&[0])),
            (&["SCRIPT", "FLUSH", "BAD"], err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")),
            (&["SCRIPT", "LOAD"], arity("script|load")),
            (
                &["SCRIPT", "LOAD", "return +"],
                err("ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'"),
            ),
            (&["SCRIPT", "NOPE"], err("ERR unknown subcommand 'NOPE'. Try SCRIPT HELP.")),
            // EVAL keeps what it ran, for EVALSHA.
            (&["EVAL", "return 2", "0"], int(2)),
            (&["EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0"], int(2)),
            (&["EVAL", "#!lua\nreturn 1", "0"], int(1)),
            (&["EVAL", "#!lua flags=allow-key-locking,no-cluster\nreturn redis.call('incr', 'n')", "0"], int(1)),
            (&["EVAL", "#!lua flags=bogus\nreturn 1", "0"], err("ERR Unexpected flag in script shebang: bogus")),
            (&["EVAL", "#!python\nreturn 1", "0"], err("ERR Unexpected engine in script shebang: #!python")),
            (
                &["EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'n')", "0"],
                bulk("1"),
            ),
            (
                &["EVAL", "#!lua flags=no-writes\nlocal r = redis.call('set','k','v') return r", "0"],
                err("ERR Write commands are not allowed from read-only scripts. script: e2d18a6ce38458f137e38e16b5a18ce33d80c5d9, on @user_script:2."),
            ),
            (
                &["EVAL_RO", "local r = redis.call('incr', 'n') return r", "0"],
                err("ERR Write commands are not allowed from read-only scripts. script: fb032e34fdcd46959e67738705cafa21976f1981, on @user_script:1."),
            ),
            (&["EVAL_RO", "return redis.call('get', 'n')", "0"], bulk("1")),
            (&["GET", "k"], nil()),
        ])
        .await;
    engine.close().await;
}

/// `unpack` of many values, as Redis's Lua allows: up to its C stack (8,000 slots), then
/// `too many results to unpack`; and a command called with thousands of arguments so.
#[tokio::test]
async fn unpack_of_many_values_works_as_in_redis() {
    let engine = TestEngine::new().await;
    let count = |n: usize| format!("local t = {{}} for i=1,{n} do t[i]=i end return #{{unpack(t)}}");
    let sadd = "local t = {} for i=1,7990 do t[i]=i end return redis.call('SADD', KEYS[1], unpack(t))";
    engine
        .expect(&[
            (&["EVAL", &count(7990), "0"], int(7990)),
            (
                &["EVAL", &count(8000), "0"],
                err("ERR user_script:1: too many results to unpack script: dc55155f11ea6961a08da74cb0926822c25ccf63, on @user_script:1."),
            ),
            (&["EVAL", sadd, "1", "big"], int(7990)),
            (&["SCARD", "big"], int(7990)),
        ])
        .await;
    engine.close().await;
}
