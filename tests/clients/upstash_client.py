"""Drives a running litekv through the official upstash-redis client (default options:
base64 responses, read-your-writes). Exits non-zero on the first mismatch. Reads
UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN."""

import time

from upstash_redis import Redis
from upstash_redis.errors import UpstashError

from checks import expect, expect_error, expect_within, passed

redis = Redis.from_env()


redis.flushdb()
in_a_minute = int(time.time()) + 60

# Strings.
expect("set", redis.set("greeting", "hello"), True)
expect("get", redis.get("greeting"), "hello")
expect("get missing", redis.get("missing"), None)
expect("set nx on existing", redis.set("greeting", "x", nx=True), False)
expect("set xx", redis.set("greeting", "hi", xx=True), True)
expect("set get", redis.set("greeting", "hey", get=True), "hi")
expect("set ex", redis.set("session", "s", ex=100), True)
expect("ttl", redis.ttl("session"), 100)
expect("set px", redis.set("session", "s", px=5000), True)
expect_within("pttl", redis.pttl("session"), 4000, 5000)
expect("set keepttl", redis.set("session", "t", keepttl=True), True)
expect_within("pttl kept", redis.pttl("session"), 4000, 5000)
expect("set exat", redis.set("at", "1", exat=in_a_minute), True)
expect("expiretime", redis.execute(["EXPIRETIME", "at"]), in_a_minute)
expect("set pxat", redis.set("at", "1", pxat=in_a_minute * 1000), True)
expect("pexpiretime", redis.execute(["PEXPIRETIME", "at"]), in_a_minute * 1000)
expect("setnx", redis.setnx("fresh", "v"), True)
expect("setnx again", redis.setnx("fresh", "v"), False)
expect("setex", redis.setex("temp", 30, "v"), True)
expect("psetex", redis.psetex("temp", 30000, "v"), True)
expect("getset", redis.getset("fresh", "w"), "v")
expect("getdel", redis.getdel("fresh"), "w")
expect("getex", redis.getex("temp", ex=10), "v")
expect("ttl after getex", redis.ttl("temp"), 10)
expect("getex persist", redis.getex("temp", persist=True), "v")
expect("mset", redis.mset({"a": "1", "b": "two"}), True)
expect("mget", redis.mget("a", "b", "nope"), ["1", "two", None])
expect("msetnx refused", redis.msetnx({"a": "9", "z": "9"}), False)
expect("msetnx", redis.msetnx({"y": "1", "z": "2"}), True)
expect("append", redis.append("greeting", " there"), 9)
expect("strlen", redis.strlen("greeting"), 9)
expect("getrange", redis.getrange("greeting", 0, 2), "hey")
expect("substr", redis.substr("greeting", -5, -1), "there")
expect("setrange", redis.setrange("greeting", 0, "HEY"), 9)
expect("get after setrange", redis.get("greeting"), "HEY there")

# Counters.
expect("incr", redis.incr("counter"), 1)
expect("incrby", redis.incrby("counter", 10), 11)
expect("decr", redis.decr("counter"), 10)
expect("decrby", redis.decrby("counter", 4), 6)
expect("incrbyfloat", redis.incrbyfloat("float", 1.5), 1.5)
expect("incrbyfloat again", redis.incrbyfloat("float", 2.25), 3.75)
expect_error("incr on text", lambda: redis.incr("greeting"), UpstashError, "ERR value is not an integer or out of range")

# Keys and expiry.
expect("exists", redis.exists("a", "b", "nope"), 2)
expect("touch", redis.touch("a", "nope"), 1)
expect("type", redis.type("a"), "string")
expect("type of missing", redis.type("nope"), "none")
expect("expire", redis.expire("a", 100), True)
expect("expire nx", redis.expire("a", 200, nx=True), False)
expect("expire gt", redis.expire("a", 200, gt=True), True)
expect("expire lt refused", redis.expire("a", 300, lt=True), False)
expect("ttl after expire", redis.ttl("a"), 200)
expect("pexpire", redis.pexpire("a", 1500), True)
expect_within("pttl", redis.pttl("a"), 500, 1500)
expect("expireat", redis.expireat("a", in_a_minute), True)
expect("pexpireat", redis.pexpireat("a", in_a_minute * 1000), True)
expect("persist", redis.persist("a"), True)
expect("ttl without expiry", redis.ttl("a"), -1)
expect("ttl of missing", redis.ttl("nope"), -2)
expect("rename", redis.rename("a", "renamed"), True)
expect("renamenx refused", redis.renamenx("renamed", "b"), False)
expect("renamenx", redis.renamenx("renamed", "a"), True)
expect("copy", redis.copy("a", "a-copy"), True)
expect("copy refused", redis.copy("a", "b"), False)
expect("copy replace", redis.copy("a", "b", replace=True), True)
expect("del", redis.delete("a-copy", "nope"), 1)
expect("unlink", redis.unlink("y", "z"), 2)
expect_error("rename missing", lambda: redis.rename("nope", "x"), UpstashError, "ERR no such key")

# The keyspace.
redis.flushdb()
redis.mset({"user:1": "1", "user:2": "2", "user:10": "10", "post:1": "1"})
expect("keys", sorted(redis.keys("user:*")), ["user:1", "user:10", "user:2"])
expect("dbsize", redis.dbsize(), 4)
scanned, cursor = [], 0
while True:
    cursor, keys = redis.scan(cursor, match="user:*", count=2)
    scanned.extend(keys)
    if cursor == 0:
        break
expect("scan", sorted(scanned), ["user:1", "user:10", "user:2"])
expect("scan type", len(redis.scan(0, count=100, type="string")[1]), 4)
expect("randomkey", redis.randomkey() is not None, True)
expect("flushall", redis.flushall(), True)
expect("dbsize after flush", redis.dbsize(), 0)

# Hashes: this client sends values as they are and answers strings.
expect("hset", redis.hset("profile", values={"name": "Ada", "age": 36}), 2)
expect("hset one field", redis.hset("profile", "lang", "en"), 1)
expect("hget", redis.hget("profile", "name"), "Ada")
expect("hget missing", redis.hget("profile", "missing"), None)
expect("hgetall", redis.hgetall("profile"), {"age": "36", "lang": "en", "name": "Ada"})
expect("hmget", redis.hmget("profile", "name", "missing"), ["Ada", None])
expect("hkeys", redis.hkeys("profile"), ["age", "lang", "name"])
expect("hvals", redis.hvals("profile"), ["36", "en", "Ada"])
expect("hlen", redis.hlen("profile"), 3)
expect("hexists", redis.hexists("profile", "name"), True)
expect("hstrlen", redis.hstrlen("profile", "name"), 3)
expect("hsetnx taken", redis.hsetnx("profile", "name", "Grace"), False)
expect("hincrby", redis.hincrby("profile", "age", 1), 37)
expect("hincrbyfloat", redis.hincrbyfloat("profile", "score", 1.5), 1.5)
expect("hdel", redis.hdel("profile", "score", "missing"), 1)
expect("hrandfield", redis.hrandfield("profile") in ("age", "lang", "name"), True)
expect("hrandfield withvalues", redis.hrandfield("profile", 5, withvalues=True), {"age": "37", "lang": "en", "name": "Ada"})
expect("hscan", redis.hscan("profile", 0, match="a*"), (0, {"age": "37"}))
# Fields that expire on their own.
expect("hset for expiry", redis.hset("fresh", values={"a": "1", "b": "2", "c": "3"}), 3)
expect("hexpire", redis.hexpire("fresh", ["a", "missing"], 100), [1, -2])
expect("hexpire nx", redis.hexpire("fresh", "a", 50, nx=True), [0])
expect("httl", redis.httl("fresh", ["a", "b"]), [100, -1])
expect("hpersist", redis.hpersist("fresh", ["a", "b"]), [1, -1])
expect("hgetex", redis.hgetex("fresh", "c", ex=30), ["3"])
expect("httl after hgetex", redis.httl("fresh", "c"), [30])
expect("hsetex", redis.hsetex("fresh", values={"d": "4"}, ex=60), 1)
expect("hsetex fnx", redis.hsetex("fresh", "d", "5", fnx=True), 0)
expect("hgetdel", redis.hgetdel("fresh", "a", "d"), ["1", "4"])
expect("hkeys after hgetdel", redis.hkeys("fresh"), ["b", "c"])
expect_error("hget on a string", lambda: (redis.set("plain", "text"), redis.hget("plain", "x")), UpstashError, "WRONGTYPE")

# Lists: a queue and its edits.
expect("rpush", redis.rpush("queue", "job-1", "job-2", "job-3"), 3)
expect("lpush", redis.lpush("queue", "job-0"), 4)
expect("lpushx missing", redis.lpushx("nothing", "x"), 0)
expect("rpushx", redis.rpushx("queue", "job-4"), 5)
expect("llen", redis.llen("queue"), 5)
expect("lrange", redis.lrange("queue", 0, -1), ["job-0", "job-1", "job-2", "job-3", "job-4"])
expect("lindex", redis.lindex("queue", -1), "job-4")
expect("lpop", redis.lpop("queue"), "job-0")
expect("rpop count", redis.rpop("queue", 2), ["job-4", "job-3"])
expect("lset", redis.lset("queue", 0, "first"), True)
expect("linsert", redis.linsert("queue", "AFTER", "first", "second"), 3)
expect("lpos", redis.lpos("queue", "job-2"), 2)
expect("lpos count", redis.lpos("queue", "second", count=0), [1])
expect("lrem", redis.lrem("queue", 0, "second"), 1)
expect("lmove", redis.lmove("queue", "done", "LEFT", "RIGHT"), "first")
expect("ltrim", redis.ltrim("queue", 5, 10), "OK")
expect("a list goes with its last element", redis.exists("queue"), 0)
expect("type of a list", redis.type("done"), "list")

# Sets.
expect("sadd", redis.sadd("colors", "red", "blue", "red"), 2)
expect("smembers", sorted(redis.smembers("colors")), ["blue", "red"])
expect("sismember", redis.sismember("colors", "red"), True)
expect("smismember", redis.smismember("colors", "red", "green"), [True, False])
expect("scard", redis.scard("colors"), 2)
expect("sadd another", redis.sadd("warm", "red", "orange"), 2)
expect("sinter", redis.sinter("colors", "warm"), ["red"])
expect("sunion", sorted(redis.sunion("colors", "warm")), ["blue", "orange", "red"])
expect("sdiff", redis.sdiff("colors", "warm"), ["blue"])
expect("sinterstore", redis.sinterstore("both", "colors", "warm"), 1)
expect("sunionstore", redis.sunionstore("any", "colors", "warm"), 3)
expect("sdiffstore", redis.sdiffstore("only", "colors", "warm"), 1)
expect("smove", redis.smove("warm", "colors", "orange"), True)
expect("srem", redis.srem("colors", "orange"), 1)
expect("srandmember", redis.srandmember("both"), "red")
expect("sscan", redis.sscan("any", 0, match="b*"), (0, ["blue"]))
expect("spop", redis.spop("only"), "blue")
expect("a set goes with its last member", redis.exists("only"), 0)

# Sorted sets: this client answers scores as floats.
expect("zadd", redis.zadd("board", {"ada": 10, "bob": 7.5}), 2)
expect("zadd nx", redis.zadd("board", {"ada": 1, "cy": 3}, nx=True), 1)
expect("zadd gt ch", redis.zadd("board", {"ada": 12, "bob": 1}, gt=True, ch=True), 1)
expect("zincrby", redis.zincrby("board", 2, "cy"), 5.0)
expect("zscore", redis.zscore("board", "ada"), 12.0)
expect("zmscore", redis.zmscore("board", ["ada", "nobody"]), [12.0, None])
expect("zcard", redis.zcard("board"), 3)
expect("zrank", redis.zrank("board", "ada"), 2)
expect("zrevrank", redis.zrevrank("board", "ada"), 0)
expect("zcount", redis.zcount("board", "(5", "+inf"), 2)
expect("zrange", redis.zrange("board", 0, -1), ["cy", "bob", "ada"])
expect("zrange withscores", redis.zrange("board", 0, 0, withscores=True), [("cy", 5.0)])
expect(
    "zrange byscore rev limit",
    redis.zrange("board", "+inf", "-inf", sortby="BYSCORE", rev=True, offset=0, count=2),
    ["ada", "bob"],
)
expect("zadd lex", redis.zadd("names", {"a": 0, "b": 0, "c": 0}), 3)
expect("zrange bylex", redis.zrange("names", "[b", "+", sortby="BYLEX"), ["b", "c"])
expect("zlexcount", redis.zlexcount("names", "-", "(c"), 2)
expect("zunionstore", redis.zunionstore("sum", ["board", "names"], weights=[2, 1]), 6)
expect("zunion", redis.zunion(["board", "names"], aggregate="MAX", withscores=True)[-1], ("ada", 12.0))
expect("zinterstore", redis.zinterstore("common", ["board", "sum"]), 3)
expect("zdiffstore", redis.zdiffstore("diff", ["sum", "board"]), 3)
expect("zpopmin", redis.zpopmin("sum"), [("a", 0.0)])
expect("zrem", redis.zrem("common", "bob", "nobody"), 1)
expect("zscan", redis.zscan("board", 0, match="a*"), (0, [("ada", 12.0)]))
expect("type of a sorted set", redis.type("board"), "zset")
expect_error("lpush on a sorted set", lambda: redis.lpush("board", "x"), UpstashError, "WRONGTYPE")

# JSON documents.
expect("json.set", redis.json.set("user:json", "$", {"name": "Ada", "langs": ["en"], "visits": 1}), True)
expect("json.get", redis.json.get("user:json", "$.name"), ["Ada"])
expect("json.numincrby", redis.json.numincrby("user:json", "$.visits", 2), [3])
expect("json.arrappend", redis.json.arrappend("user:json", "$.langs", "fr"), [2])
expect("json.arrpop", redis.json.arrpop("user:json", "$.langs"), ["fr"])
expect("json.strappend", redis.json.strappend("user:json", "$.name", "!"), [4])
expect("json.type", redis.json.type("user:json", "$.langs"), ["array"])
expect("json.objkeys", redis.json.objkeys("user:json"), [["name", "langs", "visits"]])
expect("json.toggle on a string", redis.json.toggle("user:json", "$.name"), [None])
expect("json.merge", redis.json.merge("user:json", "$", {"visits": None}), True)
expect("json.mset", redis.json.mset([("doc:a", "$", {"n": 1}), ("doc:b", "$", [1, 2])]), True)
expect("json.mget", redis.json.mget(["doc:a", "doc:b"], "$"), [[{"n": 1}], [[1, 2]]])
expect("json.delete", redis.json.delete("doc:a"), 1)
expect("json.get whole", redis.json.get("user:json"), [{"name": "Ada!", "langs": ["en"]}])

# HyperLogLog and geo.
expect("pfadd", redis.pfadd("visitors", "ada", "bob", "cy"), 1)
expect("pfadd of one already counted", redis.pfadd("visitors", "ada"), 0)
expect("pfadd elsewhere", redis.pfadd("visitors:b", "cy", "dee"), 1)
expect("pfcount of a union", redis.pfcount("visitors", "visitors:b"), 4)
expect("pfmerge", redis.pfmerge("visitors:all", "visitors", "visitors:b"), True)
expect("pfcount merged", redis.pfcount("visitors:all"), 4)
expect("geoadd", redis.geoadd("sicily", (13.361389, 38.115556, "Palermo"), (15.087269, 37.502669, "Catania")), 2)
expect("geodist", redis.geodist("sicily", "Palermo", "Catania", unit="KM"), 166.2742)
expect("geohash", redis.geohash("sicily", "Palermo", "nowhere"), ["sqc8b49rny0", None])
expect("geopos", redis.geopos("sicily", "Catania"), [(15.08726745843887329, 37.50266842333162032)])
expect(
    "geosearch",
    [
        (found.member, found.distance, found.hash)
        for found in redis.geosearch(
            "sicily", longitude=15, latitude=37, radius=200, unit="KM", order="ASC", withdist=True, withhash=True
        )
    ],
    [("Catania", 56.4413, 3479447370796909), ("Palermo", 190.4424, 3479099956230698)],
)
expect(
    "geosearchstore",
    redis.geosearchstore("near", "sicily", member="Palermo", width=400, height=400, unit="KM", storedist=True),
    2,
)
expect("georadius_ro", redis.georadius_ro("sicily", 15, 37, 100, unit="KM"), ["Catania"])

# Connection.
expect("ping", redis.ping(), "PONG")
expect("ping message", redis.ping("hello"), "hello")
expect("echo", redis.echo("hi there"), "hi there")
seconds, _micros = redis.time()
expect("time", abs(seconds - time.time()) < 60, True)

# Pipelines and transactions.
pipeline = redis.pipeline()
pipeline.set("pl", "v")
pipeline.get("pl")
pipeline.delete("pl")
pipeline.get("pl")
expect("pipeline", pipeline.exec(), [True, "v", 1, None])
transaction = redis.multi()
transaction.incr("tx")
transaction.incr("tx")
transaction.get("tx")
expect("multi", transaction.exec(), [1, 2, "2"])
expect_error("unknown command", lambda: redis.execute(["NOSUCH", "k"]), UpstashError, "ERR unknown command 'NOSUCH'")

# Read-your-writes: the client carries the sync token, which moves with every write.
before = redis._sync_token
redis.set("ryw", "1")
assert redis._sync_token and redis._sync_token != before, f"the sync token moved: {before!r} -> {redis._sync_token!r}"
expect("read your write", redis.get("ryw"), "1")

expect("unicode", redis.set("unicode", "żółć ☕ end"), True)
expect("unicode back", redis.get("unicode"), "żółć ☕ end")

# Scripts: EVAL and EVALSHA, their read-only forms, and SCRIPT LOAD, EXISTS and FLUSH.
sha = redis.script_load("return ARGV[1]")
expect("script_load", sha, "098e0f0d1448c0a81dafe820f66d460eb09263da")
expect("script_exists", redis.script_exists(sha, "0" * 40), [True, False])
expect("evalsha", redis.evalsha(sha, args=["hello"]), "hello")
expect("evalsha_ro", redis.evalsha_ro(sha, args=["ro"]), "ro")
expect("eval", redis.eval("return {KEYS[1], redis.call('incr', KEYS[1])}", keys=["scripted"]), ["scripted", 1])
expect("eval_ro", redis.eval_ro("return redis.call('get', KEYS[1])", keys=["scripted"]), "1")
expect_error("eval_ro that writes", lambda: redis.eval_ro("return redis.call('del', 'x')"), UpstashError,
             "Write commands are not allowed from read-only scripts")
expect("script_flush", redis.script_flush("ASYNC"), True)
expect_error("evalsha after a flush", lambda: redis.evalsha(sha), UpstashError, "NOSCRIPT No matching script")

passed("upstash-redis")
