"""Drives a running litekv through the official upstash-redis client (default options:
base64 responses, read-your-writes). Exits non-zero on the first mismatch. Reads
UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN."""

import time

from upstash_redis import Redis
from upstash_redis.errors import UpstashError

redis = Redis.from_env()
checks = 0


def expect(name, actual, expected):
    global checks
    assert actual == expected, f"{name}: got {actual!r}, expected {expected!r}"
    checks += 1


def expect_within(name, actual, low, high):
    """For times measured against the wall clock, which moves while the script runs."""
    global checks
    assert low <= actual <= high, f"{name}: {actual!r} is not within {low}..{high}"
    checks += 1


def expect_error(name, call, fragment):
    global checks
    try:
        call()
    except UpstashError as error:
        assert fragment in str(error), f"{name}: the error {error} lacks {fragment!r}"
        checks += 1
        return
    raise AssertionError(f"{name}: no error")


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
expect_error("incr on text", lambda: redis.incr("greeting"), "ERR value is not an integer or out of range")

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
expect_error("rename missing", lambda: redis.rename("nope", "x"), "ERR no such key")

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
expect_error("hget on a string", lambda: (redis.set("plain", "text"), redis.hget("plain", "x")), "WRONGTYPE")

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
expect_error("unknown command", lambda: redis.execute(["NOSUCH", "k"]), "ERR unknown command 'NOSUCH'")

# Read-your-writes: the client carries the sync token, which moves with every write.
before = redis._sync_token
redis.set("ryw", "1")
assert redis._sync_token and redis._sync_token != before, f"the sync token moved: {before!r} -> {redis._sync_token!r}"
expect("read your write", redis.get("ryw"), "1")

expect("unicode", redis.set("unicode", "żółć ☕ end"), True)
expect("unicode back", redis.get("unicode"), "żółć ☕ end")

print(f"upstash-redis: {checks} checks passed")
