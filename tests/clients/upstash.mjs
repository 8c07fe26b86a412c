// Drives a running litekv through the official @upstash/redis client, with its default
// options (auto-pipelining, base64 responses, read-your-writes). Exits non-zero on the
// first mismatch. Reads UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN.
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";

const redis = Redis.fromEnv();
let checks = 0;

async function expect(name, promise, expected) {
  assert.deepStrictEqual(await promise, expected, name);
  checks += 1;
}

// For times measured against the wall clock, which moves while the script runs.
async function expectWithin(name, promise, low, high) {
  const value = await promise;
  assert.ok(low <= value && value <= high, `${name}: ${value} is not within ${low}..${high}`);
  checks += 1;
}

async function expectError(name, promise, pattern) {
  await assert.rejects(promise, pattern, name);
  checks += 1;
}

await redis.flushdb();

// Strings: values are JSON-encoded by the client and parsed back.
await expect("set an object", redis.set("user:1", { name: "Ada", langs: ["en"] }), "OK");
await expect("get an object", redis.get("user:1"), { name: "Ada", langs: ["en"] });
await expect("set a string", redis.set("greeting", "hello"), "OK");
await expect("get a string", redis.get("greeting"), "hello");
await expect("get missing", redis.get("missing"), null);
await expect("set nx on existing", redis.set("greeting", "x", { nx: true }), null);
await expect("set xx", redis.set("greeting", "hi", { xx: true }), "OK");
await expect("set with get", redis.set("greeting", "hey", { get: true }), "hi");
await expect("set ex", redis.set("session", "s", { ex: 100 }), "OK");
await expect("ttl", redis.ttl("session"), 100);
await expect("set px", redis.set("session", "s", { px: 5000 }), "OK");
await expectWithin("pttl", redis.pttl("session"), 4000, 5000);
await expect("set keepTtl", redis.set("session", "t", { keepTtl: true }), "OK");
await expectWithin("pttl kept", redis.pttl("session"), 4000, 5000);
const inAMinute = Math.floor(Date.now() / 1000) + 60;
await expect("set exat", redis.set("at", 1, { exat: inAMinute }), "OK");
await expect("expiretime", redis.exec(["EXPIRETIME", "at"]), inAMinute);
await expect("set pxat", redis.set("at", 1, { pxat: inAMinute * 1000 }), "OK");
await expect("pexpiretime", redis.exec(["PEXPIRETIME", "at"]), inAMinute * 1000);
await expect("setnx", redis.setnx("fresh", "v"), 1);
await expect("setnx again", redis.setnx("fresh", "v"), 0);
await expect("setex", redis.setex("temp", 30, "v"), "OK");
await expect("psetex", redis.psetex("temp", 30000, "v"), "OK");
await expect("getset", redis.getset("fresh", "w"), "v");
await expect("getdel", redis.getdel("fresh"), "w");
await expect("getex", redis.getex("temp", { ex: 10 }), "v");
await expect("ttl after getex", redis.ttl("temp"), 10);
await expect("mset", redis.mset({ a: 1, b: "two", c: { three: 3 } }), "OK");
await expect("mget", redis.mget("a", "b", "c", "nope"), [1, "two", { three: 3 }, null]);
await expect("msetnx refused", redis.msetnx({ a: 9, z: 9 }), 0);
await expect("msetnx", redis.msetnx({ y: 1, z: 2 }), 1);
await expect("append", redis.append("greeting", " there"), 9);
await expect("strlen", redis.strlen("greeting"), 9);
await expect("getrange", redis.getrange("greeting", 0, 2), "hey");
await expect("setrange", redis.setrange("greeting", 0, "HEY"), 9);
await expect("get after setrange", redis.get("greeting"), "HEY there");

// Counters.
await expect("incr", redis.incr("counter"), 1);
await expect("incrby", redis.incrby("counter", 10), 11);
await expect("decr", redis.decr("counter"), 10);
await expect("decrby", redis.decrby("counter", 4), 6);
await expect("incrbyfloat", redis.incrbyfloat("float", 1.5), 1.5);
await expect("incrbyfloat again", redis.incrbyfloat("float", 2), 3.5);
await expectError("incr on text", redis.incr("greeting"), /ERR value is not an integer or out of range/);

// Keys and expiry.
await expect("exists", redis.exists("a", "b", "nope"), 2);
await expect("touch", redis.touch("a", "nope"), 1);
await expect("type", redis.type("a"), "string");
await expect("type of missing", redis.type("nope"), "none");
await expect("expire", redis.expire("a", 100), 1);
await expect("expire nx", redis.expire("a", 200, "NX"), 0);
await expect("expire gt", redis.expire("a", 200, "GT"), 1);
await expect("ttl after expire", redis.ttl("a"), 200);
await expect("pexpire", redis.pexpire("a", 1500), 1);
await expectWithin("pttl after pexpire", redis.pttl("a"), 500, 1500);
await expect("expireat", redis.expireat("a", inAMinute), 1);
await expect("pexpireat", redis.pexpireat("a", inAMinute * 1000), 1);
await expect("persist", redis.persist("a"), 1);
await expect("ttl without expiry", redis.ttl("a"), -1);
await expect("ttl of missing", redis.ttl("nope"), -2);
await expect("rename", redis.rename("a", "renamed"), "OK");
await expect("renamenx refused", redis.renamenx("renamed", "b"), 0);
await expect("renamenx", redis.renamenx("renamed", "a"), 1);
await expect("copy", redis.copy("a", "a-copy"), "COPIED");
await expect("copy refused", redis.copy("a", "b"), "NOT_COPIED");
await expect("copy replace", redis.copy("a", "b", { replace: true }), "COPIED");
await expect("get copy", redis.get("b"), 1);
await expect("del", redis.del("a-copy", "nope"), 1);
await expect("unlink", redis.unlink("y", "z"), 2);
await expectError("rename missing", redis.rename("nope", "x"), /ERR no such key/);

// The keyspace.
await redis.flushdb();
await redis.mset({ "user:1": 1, "user:2": 2, "user:10": 10, "post:1": 1 });
await expect("keys", redis.keys("user:*").then((keys) => keys.sort()), ["user:1", "user:10", "user:2"]);
await expect("dbsize", redis.dbsize(), 4);
const scanned = [];
let cursor = "0";
do {
  const [next, keys] = await redis.scan(cursor, { match: "user:*", count: 2 });
  scanned.push(...keys);
  cursor = next;
} while (cursor !== "0");
await expect("scan with match", Promise.resolve(scanned.sort()), ["user:1", "user:10", "user:2"]);
await expect(
  "scan with type",
  redis.scan(0, { type: "string", count: 100 }).then(([next, keys]) => [next, keys.length]),
  ["0", 4],
);
await expect(
  "scan withType",
  redis.scan(0, { match: "post:*", withType: true }),
  ["0", [{ key: "post:1", type: "string" }]],
);
await expect("randomkey", redis.randomkey().then((key) => key !== null), true);
await expect("flushall", redis.flushall(), "OK");
await expect("dbsize after flush", redis.dbsize(), 0);

// Hashes: the client JSON-encodes values that are not strings and parses what comes back.
await expect("hset", redis.hset("profile", { name: "Ada", age: 36, langs: ["en", "fr"] }), 3);
await expect("hget a string", redis.hget("profile", "name"), "Ada");
await expect("hget a number", redis.hget("profile", "age"), 36);
await expect("hget an array", redis.hget("profile", "langs"), ["en", "fr"]);
await expect("hget missing", redis.hget("profile", "missing"), null);
await expect("hgetall", redis.hgetall("profile"), { name: "Ada", age: 36, langs: ["en", "fr"] });
await expect("hgetall missing", redis.hgetall("nothing"), null);
await expect("hmget", redis.hmget("profile", "name", "missing"), { name: "Ada", missing: null });
await expect("hkeys", redis.hkeys("profile"), ["age", "langs", "name"]);
await expect("hvals", redis.hvals("profile"), [36, ["en", "fr"], "Ada"]);
await expect("hlen", redis.hlen("profile"), 3);
await expect("hexists", redis.hexists("profile", "name"), 1);
await expect("hstrlen", redis.hstrlen("profile", "name"), 3);
await expect("hsetnx taken", redis.hsetnx("profile", "name", "Grace"), 0);
await expect("hsetnx", redis.hsetnx("profile", "email", "ada@example.com"), 1);
await expect("hmset", redis.hmset("other", { a: 1, b: 2 }), "OK");
await expect("hincrby", redis.hincrby("profile", "age", 1), 37);
await expect("hincrbyfloat", redis.hincrbyfloat("profile", "score", 1.5), 1.5);
await expect("hdel", redis.hdel("profile", "email", "score", "missing"), 2);
await expect(
  "hrandfield",
  redis.hrandfield("profile").then((field) => ["age", "langs", "name"].includes(field)),
  true,
);
await expect("hrandfield count", redis.hrandfield("profile", 5).then((fields) => [...fields].sort()), [
  "age",
  "langs",
  "name",
]);
await expect("hrandfield withvalues", redis.hrandfield("profile", 5, true), { name: "Ada", age: 37, langs: ["en", "fr"] });
await expect("hscan", redis.hscan("profile", 0, { match: "a*" }), ["0", ["age", 37]]);
await expect("type of a hash", redis.type("profile"), "hash");
await expect("set a string", redis.set("plain", "text"), "OK");
await expectError("hget on a string", redis.hget("plain", "x"), /WRONGTYPE/);
// Fields that expire on their own.
await expect("hset for expiry", redis.hset("fresh", { a: 1, b: 2, c: 3 }), 3);
await expect("hexpire", redis.hexpire("fresh", ["a", "missing"], 100), [1, -2]);
await expect("hexpire nx", redis.hexpire("fresh", "a", 50, "NX"), [0]);
await expect("hpexpire", redis.hpexpire("fresh", "b", 100000), [1]);
await expect("httl", redis.httl("fresh", ["a", "b", "c"]), [100, 100, -1]);
await expect("hpersist", redis.hpersist("fresh", ["a", "c"]), [1, -1]);
await expect("hgetex", redis.hgetex("fresh", { ex: 30 }, "c"), { c: 3 });
await expect("httl after hgetex", redis.httl("fresh", "c"), [30]);
await expect("hsetex", redis.hsetex("fresh", { expiration: { ex: 60 } }, { d: 4 }), 1);
await expect("hsetex fnx", redis.hsetex("fresh", { conditional: "FNX" }, { d: 5 }), 0);
await expect("httl after hsetex", redis.httl("fresh", "d"), [60]);
await expect("hgetdel", redis.hgetdel("fresh", "a", "d"), { a: 1, d: 4 });
await expect("hkeys after hgetdel", redis.hkeys("fresh"), ["b", "c"]);
await expect("hdel the last fields", redis.hdel("other", "a", "b"), 2);
await expect("a hash goes with its last field", redis.exists("other"), 0);

// Lists: a queue and its edits.
await expect("rpush", redis.rpush("queue", "job-1", "job-2", "job-3"), 3);
await expect("lpush", redis.lpush("queue", "job-0"), 4);
await expect("lpushx missing", redis.lpushx("nothing", "x"), 0);
await expect("rpushx", redis.rpushx("queue", "job-4"), 5);
await expect("llen", redis.llen("queue"), 5);
await expect("lrange", redis.lrange("queue", 0, -1), ["job-0", "job-1", "job-2", "job-3", "job-4"]);
await expect("lindex", redis.lindex("queue", -1), "job-4");
await expect("lpop", redis.lpop("queue"), "job-0");
await expect("rpop count", redis.rpop("queue", 2), ["job-4", "job-3"]);
await expect("lset", redis.lset("queue", 0, "first"), "OK");
await expect("linsert", redis.linsert("queue", "after", "first", "second"), 3);
await expect("lpos", redis.lpos("queue", "job-2"), 2);
await expect("lrem", redis.lrem("queue", 0, "second"), 1);
await expect("lmove", redis.lmove("queue", "done", "left", "right"), "first");
await expect("lmpop", redis.lmpop(2, ["nothing", "queue"], "LEFT", 5), ["queue", ["job-2"]]);
await expect("a list goes with its last element", redis.exists("queue"), 0);
await expect("ltrim", redis.ltrim("done", 0, 0), "OK");
await expect("type of a list", redis.type("done"), "list");

// Sets.
await expect("sadd", redis.sadd("colors", "red", "blue", "red"), 2);
await expect("smembers", redis.smembers("colors").then((members) => members.sort()), ["blue", "red"]);
await expect("sismember", redis.sismember("colors", "red"), 1);
await expect("smismember", redis.smismember("colors", ["red", "green"]), [1, 0]);
await expect("scard", redis.scard("colors"), 2);
await expect("sadd another", redis.sadd("warm", "red", "orange"), 2);
await expect("sinter", redis.sinter("colors", "warm"), ["red"]);
await expect("sunion", redis.sunion("colors", "warm").then((members) => members.sort()), ["blue", "orange", "red"]);
await expect("sdiff", redis.sdiff("colors", "warm"), ["blue"]);
await expect("sintercard", redis.sintercard(["colors", "warm"]), 1);
await expect("sinterstore", redis.sinterstore("both", "colors", "warm"), 1);
await expect("sunionstore", redis.sunionstore("any", "colors", "warm"), 3);
await expect("sdiffstore", redis.sdiffstore("only", "colors", "warm"), 1);
await expect("smove", redis.smove("warm", "colors", "orange"), 1);
await expect("srem", redis.srem("colors", "orange"), 1);
await expect("srandmember", redis.srandmember("both"), "red");
await expect("sscan", redis.sscan("any", 0, { match: "b*" }), ["0", ["blue"]]);
await expect("spop", redis.spop("only"), "blue");
await expect("a set goes with its last member", redis.exists("only"), 0);
await expect("type of a set", redis.type("colors"), "set");

// Sorted sets.
await expect("zadd", redis.zadd("board", { score: 10, member: "ada" }, { score: 7.5, member: "bob" }), 2);
await expect("zadd nx", redis.zadd("board", { nx: true }, { score: 1, member: "ada" }, { score: 3, member: "cy" }), 1);
await expect("zadd gt ch", redis.zadd("board", { gt: true, ch: true }, { score: 12, member: "ada" }, { score: 1, member: "bob" }), 1);
await expect("zincrby", redis.zincrby("board", 2, "cy"), 5);
await expect("zscore", redis.zscore("board", "ada"), 12);
await expect("zmscore", redis.zmscore("board", ["ada", "nobody"]), [12, null]);
await expect("zcard", redis.zcard("board"), 3);
await expect("zrank", redis.zrank("board", "ada"), 2);
await expect("zrevrank", redis.zrevrank("board", "ada"), 0);
await expect("zcount", redis.zcount("board", "(5", "+inf"), 2);
await expect("zrange", redis.zrange("board", 0, -1), ["cy", "bob", "ada"]);
await expect("zrange withscores", redis.zrange("board", 0, 0, { withScores: true }), ["cy", 5]);
await expect("zrange byscore rev limit", redis.zrange("board", "+inf", "-inf", { byScore: true, rev: true, offset: 0, count: 2 }), ["ada", "bob"]);
await expect("zadd lex", redis.zadd("names", { score: 0, member: "a" }, { score: 0, member: "b" }, { score: 0, member: "c" }), 3);
await expect("zrange bylex", redis.zrange("names", "[b", "+", { byLex: true }), ["b", "c"]);
await expect("zlexcount", redis.zlexcount("names", "-", "(c"), 2);
await expect("zremrangebylex", redis.zremrangebylex("names", "[a", "[a"), 1);
await expect("zunionstore", redis.zunionstore("sum", 2, ["board", "names"], { weights: [2, 1] }), 5);
await expect("zunion", redis.zunion(2, ["board", "names"], { withScores: true, aggregate: "max" }), ["b", 0, "c", 0, "cy", 5, "bob", 7.5, "ada", 12]);
await expect("zinterstore", redis.zinterstore("common", 2, ["board", "sum"]), 3);
await expect("zdiffstore", redis.zdiffstore("diff", 2, "sum", "board"), 2);
await expect("zpopmin", redis.zpopmin("sum"), ["b", 0]);
await expect("zpopmax", redis.zpopmax("sum", 2), ["ada", 24, "bob", 15]);
await expect("zremrangebyscore", redis.zremrangebyscore("sum", "-inf", "+inf"), 2);
await expect("a sorted set goes with its last member", redis.exists("sum"), 0);
await expect("zremrangebyrank", redis.zremrangebyrank("common", 0, 0), 1);
await expect("zrem", redis.zrem("common", "bob", "nobody"), 1);
// The client has no zrandmember of its own; its generic exec sends it.
await expect("zrandmember", redis.exec(["ZRANDMEMBER", "common"]), "ada");
await expect("zscan", redis.zscan("board", 0, { match: "a*" }), ["0", ["ada", 12]]);
await expect("type of a sorted set", redis.type("board"), "zset");
await expectError("lpush on a sorted set", redis.lpush("board", "x"), /WRONGTYPE/);

// Bitmaps, with Redis 8.2's BITOP operations, which the client types: bits 1 and 2 of bm1,
// bit 2 of bm2.
await expect("setbit", redis.setbit("bm1", 1, 1), 0);
await expect("setbit again", redis.setbit("bm1", 2, 1), 0);
await expect("setbit other", redis.setbit("bm2", 2, 1), 0);
await expect("bitop diff", redis.bitop("diff", "bd", "bm1", "bm2"), 1);
await expect("diff: bit 1", redis.bitcount("bd", 0, -1), 1);
await expect("bitop diff1", redis.bitop("diff1", "bd", "bm1", "bm2"), 1);
await expect("diff1: nothing", redis.bitcount("bd", 0, -1), 0);
await expect("bitop andor", redis.bitop("andor", "bd", "bm1", "bm2"), 1);
await expect("andor: bit 2", redis.bitpos("bd", 1), 2);
await expect("bitop one", redis.bitop("one", "bd", "bm1", "bm2"), 1);
await expect("one: bit 1", redis.bitpos("bd", 1), 1);

// Connection.
await expect("ping", redis.ping(), "PONG");
await expect("ping message", redis.ping(["hello"]), "hello");
await expect("echo", redis.echo("hi there"), "hi there");
await expect("time", redis.time().then(([seconds]) => Math.abs(seconds - Date.now() / 1000) < 60), true);

// Auto-pipelining: commands issued together go out as one /pipeline request (writes and
// reads in separate ones, so only writes are ordered among themselves here).
const writes = await Promise.all([redis.set("p", 1), redis.incr("p"), redis.incr("p")]);
await expect("auto-pipelined writes", Promise.resolve(writes), ["OK", 2, 3]);
const reads = await Promise.all([redis.get("p"), redis.get("nope"), redis.strlen("p")]);
await expect("auto-pipelined reads", Promise.resolve(reads), [3, null, 1]);

// Explicit pipelines and transactions.
await expect("pipeline", redis.pipeline().set("pl", "v").get("pl").del("pl").get("pl").exec(), ["OK", "v", 1, null]);
await expect("multi", redis.multi().incr("tx").incr("tx").get("tx").exec(), [1, 2, 2]);
await expectError("pipeline error", redis.pipeline().set("t", "text").incr("t").exec(), /ERR value is not an integer/);
await expect(
  "pipeline keepErrors",
  redis.pipeline().set("t", "text").incr("t").exec({ keepErrors: true }),
  [
    { result: "OK", error: undefined },
    { result: undefined, error: "ERR value is not an integer or out of range" },
  ],
);
await expectError("unknown command", redis.exec(["NOSUCH", "k"]), /ERR unknown command 'NOSUCH'/);

// Redis Functions: a library loaded, listed, called (read-write and read-only), and removed.
const library = `#!lua name=counters
redis.register_function("bump", function(keys, args) return redis.call("INCRBY", keys[1], args[1]) end)
redis.register_function{function_name="peek", callback=function(keys) return redis.call("GET", keys[1]) end,
  flags={"no-writes"}, description="reads a counter"}`;
await redis.functions.flush();
await expect("function load", redis.functions.load({ code: library }), "counters");
await expectError("function load again", redis.functions.load({ code: library }), /Library 'counters' already exists/);
await expect("function load replace", redis.functions.load({ code: library, replace: true }), "counters");
await expect("fcall", redis.functions.call("bump", ["fn:count"], ["5"]), 5);
await expect("fcall_ro", redis.functions.callRo("peek", ["fn:count"]), 5);
await expectError("fcall_ro of a writer", redis.functions.callRo("bump", ["fn:count"], ["1"]), /write flag/);
await expect("function list", redis.functions.list({ libraryName: "count*" }), [
  {
    libraryName: "counters",
    engine: "LUA",
    functions: [
      { name: "bump", description: undefined, flags: [] },
      { name: "peek", description: "reads a counter", flags: ["no-writes"] },
    ],
    libraryCode: undefined,
  },
]);
await expect("function stats", redis.functions.stats(), { engines: { LUA: { librariesCount: 1, functionsCount: 2 } } });
await expect("function delete", redis.functions.delete("counters"), "OK");
await expectError("fcall of a deleted function", redis.functions.call("bump", ["fn:count"], ["1"]), /Function not found/);

// JSON documents: the client JSON-encodes values and parses what JSON.GET answers.
await expect("json.set", redis.json.set("user:json", "$", { name: "Ada", langs: ["en"], visits: 1, active: true }), "OK");
await expect("json.get", redis.json.get("user:json"), { name: "Ada", langs: ["en"], visits: 1, active: true });
await expect("json.get path", redis.json.get("user:json", "$.name"), ["Ada"]);
await expect("json.get layout", redis.json.get("user:json", { indent: "  ", newline: "\n", space: " " }, "$.langs"), [["en"]]);
await expect("json.set nx", redis.json.set("user:json", "$.name", '"Bob"', { nx: true }), null);
await expect("json.type", redis.json.type("user:json", "$.visits"), ["integer"]);
await expect("json.numincrby", redis.json.numincrby("user:json", "$.visits", 2), [3]);
await expect("json.nummultby", redis.json.nummultby("user:json", "$.visits", 1.5), [4.5]);
await expect("json.strappend", redis.json.strappend("user:json", "$.name", '" L."'), [6]);
await expect("json.strlen", redis.json.strlen("user:json", "$.name"), [6]);
await expect("json.arrappend", redis.json.arrappend("user:json", "$.langs", '"fr"', '"de"'), [3]);
await expect("json.arrinsert", redis.json.arrinsert("user:json", "$.langs", 0, '"it"'), [4]);
await expect("json.arrindex", redis.json.arrindex("user:json", "$.langs", '"fr"'), [2]);
await expect("json.arrlen", redis.json.arrlen("user:json", "$.langs"), [4]);
await expect("json.arrpop", redis.json.arrpop("user:json", "$.langs", -1), ["de"]);
await expect("json.arrtrim", redis.json.arrtrim("user:json", "$.langs", 1, 2), [2]);
await expect("json.toggle", redis.json.toggle("user:json", "$.active"), [0]);
await expect("json.objkeys", redis.json.objkeys("user:json", "$"), [["name", "langs", "visits", "active"]]);
await expect("json.objlen", redis.json.objlen("user:json", "$"), [4]);
await expect("json.merge", redis.json.merge("user:json", "$", { active: null, city: "London" }), "OK");
await expect("json.resp", redis.json.resp("user:json", "$.langs"), [["[", "en", "fr"]]);
await expect("json.mset", redis.json.mset({ key: "doc:a", path: "$", value: { n: 1 } }, { key: "doc:b", path: "$", value: { n: 2 } }), "OK");
await expect("json.mget", redis.json.mget(["doc:a", "doc:b", "doc:none"], "$.n"), [[1], [2], null]);
await expect("json.clear", redis.json.clear("doc:a", "$.n"), 1);
await expect("json.forget", redis.json.forget("doc:b", "$.n"), 1);
await expect("json.del", redis.json.del("doc:a"), 1);
await expect("type of a document", redis.type("user:json"), "ReJSON-RL");
await expect("json.get of the merge", redis.json.get("user:json", "$.city", "$.active"), { "$.city": ["London"], "$.active": [] });

// HyperLogLog: unique visitors.
await expect("pfadd", redis.pfadd("visitors", "ada", "bob", "cy"), 1);
await expect("pfadd of one already counted", redis.pfadd("visitors", "ada"), 0);
await expect("pfcount", redis.pfcount("visitors"), 3);
await expect("pfadd elsewhere", redis.pfadd("visitors:b", "cy", "dee"), 1);
await expect("pfcount of a union", redis.pfcount("visitors", "visitors:b"), 4);
await expect("pfmerge", redis.pfmerge("visitors:all", "visitors", "visitors:b"), "OK");
await expect("pfcount merged", redis.pfcount("visitors:all"), 4);

// Geo, on a sorted set.
const palermo = { longitude: 13.361389, latitude: 38.115556, member: "Palermo" };
const catania = { longitude: 15.087269, latitude: 37.502669, member: "Catania" };
await expect("geoadd", redis.geoadd("sicily", palermo, catania), 2);
await expect("geoadd nx ch", redis.geoadd("sicily", { nx: true, ch: true }, palermo), 0);
await expect("geodist", redis.geodist("sicily", "Palermo", "Catania", "KM"), 166.2742);
await expect("geohash", redis.geohash("sicily", "Palermo", "Catania"), ["sqc8b49rny0", "sqdtr74hyu0"]);
await expect("geopos", redis.geopos("sicily", "Palermo"), [{ lng: 13.361389338970184, lat: 38.1155563954963 }]);
const fromSea = { type: "FROMLONLAT", coordinate: { lon: 15, lat: 37 } };
await expect(
  "geosearch",
  redis.geosearch("sicily", fromSea, { type: "BYRADIUS", radius: 200, radiusType: "KM" }, "ASC", { withDist: true, withHash: true }),
  [
    { member: "Catania", dist: 56.4413, hash: "3479447370796909" },
    { member: "Palermo", dist: 190.4424, hash: "3479099956230698" },
  ],
);
const fromPalermo = { type: "FROMMEMBER", member: "Palermo" };
const square = { type: "BYBOX", rect: { width: 400, height: 400 }, rectType: "KM" };
await expect("geosearchstore", redis.geosearchstore("near", "sicily", fromPalermo, square, "ASC", { count: { limit: 1 } }), 1);
await expect("a geo set is a sorted set", redis.zrange("near", 0, -1), ["Palermo"]);

// Read-your-writes: the client carries the sync token, which moves with every write.
const before = redis.readYourWritesSyncToken;
await redis.set("ryw", 1);
const after = redis.readYourWritesSyncToken;
assert.ok(after && after !== before, `the sync token moved: ${before} -> ${after}`);
await expect("read your write", redis.get("ryw"), 1);

// Binary-safe and non-ASCII values survive base64.
await expect("unicode", redis.set("unicode", "żółć ☕ \u0000 end"), "OK");
await expect("unicode back", redis.get("unicode"), "żółć ☕ \u0000 end");

console.log(`@upstash/redis: ${checks} checks passed`);
