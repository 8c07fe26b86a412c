"""Drives litekv's Redis protocol door with redis-py, the client of seed 003: its caching,
rate-limit, session and pipeline examples as its README writes them (only the address and
the token differ), then every command family, transactions with WATCH, RESP3 and errors.
Exits non-zero on the first mismatch. Reads REDIS_HOST, REDIS_PORT, REDIS_PASSWORD and
REDIS_READ_ONLY_PASSWORD."""

import contextlib
import io
import json
import os
import threading
import time
from datetime import timedelta

import redis

from checks import expect, expect_error, expect_within, passed

HOST = os.environ["REDIS_HOST"]
PORT = int(os.environ["REDIS_PORT"])
PASSWORD = os.environ["REDIS_PASSWORD"]


# --- Seed 003, "Common Use Cases" 1 to 3, as written there but for the address. ---

redis_client = redis.Redis(host=HOST, port=PORT, password=PASSWORD, decode_responses=True)
redis_client.flushdb()


class Database:
    """The seed's `database`: a stand-in that counts how often it is asked."""

    queries = 0

    def query_user(self, user_id):
        self.queries += 1
        return {"id": user_id, "name": "Noah"}


database = Database()


def get_user(user_id):
    # Check cache first
    cache_key = f'user:{user_id}'
    cached = redis_client.get(cache_key)

    if cached:
        return json.loads(cached)

    # Cache miss - fetch from database
    user = database.query_user(user_id)

    # Store in cache for 5 minutes
    redis_client.setex(cache_key, 300, json.dumps(user))
    return user


def check_rate_limit(user_id, limit=60):
    """Allow 60 requests per minute"""
    key = f'rate_limit:{user_id}:minute'

    # Increment counter
    current = redis_client.incr(key)

    # Set expiry on first request
    if current == 1:
        redis_client.expire(key, 60)

    return current <= limit


def create_session(session_id, user_data):
    """Create a session that expires in 1 hour"""
    key = f'session:{session_id}'
    redis_client.setex(
        key,
        timedelta(hours=1),
        json.dumps(user_data)
    )


def get_session(session_id):
    """Retrieve session data"""
    key = f'session:{session_id}'
    data = redis_client.get(key)
    return json.loads(data) if data else None


def delete_session(session_id):
    """Delete a session"""
    key = f'session:{session_id}'
    redis_client.delete(key)


expect("caching: first read", get_user(42), {"id": 42, "name": "Noah"})
expect("caching: second read", get_user(42), {"id": 42, "name": "Noah"})
expect("caching: the database was asked once", database.queries, 1)
expect("caching: expiry", 295 <= redis_client.ttl("user:42") <= 300, True)

expect("rate limit: 60 allowed", all(check_rate_limit("u1") for _ in range(60)), True)
expect("rate limit: the 61st refused", check_rate_limit("u1"), False)
expect("rate limit: the window", 55 <= redis_client.ttl("rate_limit:u1:minute") <= 60, True)

create_session("abc", {"user": 7})
expect("session: read back", get_session("abc"), {"user": 7})
expect("session: an hour", 3595 <= redis_client.ttl("session:abc") <= 3600, True)
delete_session("abc")
expect("session: deleted", get_session("abc"), None)

# "Performance Tips": a connection pool, and a pipeline.
pool = redis.ConnectionPool(host=HOST, port=PORT, password=PASSWORD, max_connections=10)
pooled = redis.Redis(connection_pool=pool)
pipe = pooled.pipeline()
pipe.set('key1', 'value1')
pipe.set('key2', 'value2')
expect("pipeline", pipe.execute(), [True, True])
expect("pipeline: written", pooled.mget("key1", "key2"), [b"value1", b"value2"])
redis_client.setex('key', 3600, 'value')
expect("setex", redis_client.get("key"), "value")

# --- Seed 003, "Common Use Cases" 5: the message queue, as written there. ---


def enqueue_task(queue_name, task_data):
    redis_client.lpush(queue_name, json.dumps(task_data))


def process_queue(queue_name):
    while True:
        # Block until item available (0 = wait forever)
        item = redis_client.brpop(queue_name, timeout=0)
        if item:
            _, task_json = item
            task = json.loads(task_json)
            process_task(task)


processed = []


def process_task(task):
    processed.append(task)


# The worker blocks first (redis-py's pool gives its thread a connection of its own), then
# is fed.
threading.Thread(target=process_queue, args=("tasks",), daemon=True).start()
while redis_client.info("clients")["blocked_clients"] != 1:
    time.sleep(0.01)
for number in range(3):
    enqueue_task("tasks", {"task": number})
deadline = time.time() + 10
while len(processed) < 3 and time.time() < deadline:
    time.sleep(0.01)
expect("queue: the blocked worker took every task, in order", processed, [{"task": 0}, {"task": 1}, {"task": 2}])
expect("queue: nothing left", redis_client.llen("tasks"), 0)
# The worker still waits on "tasks": these use queues of their own.
expect("queue: a timeout answers None", redis_client.blpop("idle", timeout=0.05), None)
redis_client.rpush("moves", "x")
expect("queue: blmove", redis_client.blmove("moves", "done", 1, "LEFT", "RIGHT"), "x")

# --- Seed 003, "Common Use Cases" 6: pub/sub, as written there. ---


def publish_event(channel, message):
    redis_client.publish(channel, message)


def subscribe_to_events(channel):
    pubsub = redis_client.pubsub()
    pubsub.subscribe(channel)

    for message in pubsub.listen():
        if message['type'] == 'message':
            print(f"Received: {message['data']}")


class Printed(io.TextIOBase):
    """Keeps what the listener prints, for the checks below."""

    lines = []

    def write(self, text):
        self.lines.extend(line for line in text.splitlines() if line)
        return len(text)


printed = Printed()
with contextlib.redirect_stdout(printed):
    threading.Thread(target=subscribe_to_events, args=("events",), daemon=True).start()
    while redis_client.pubsub_numsub("events") != [("events", 1)]:
        time.sleep(0.01)
    for event in ["deployed", "scaled", "rolled back"]:
        publish_event("events", event)
    deadline = time.time() + 10
    while len(printed.lines) < 3 and time.time() < deadline:
        time.sleep(0.01)
expect("pub/sub: the listener printed every event", printed.lines,
       ["Received: deployed", "Received: scaled", "Received: rolled back"])

# --- Seed 003, "Common Use Cases" 4: the distributed lock, as written there. ---

import redis
from redis.lock import Lock

redis_client = redis.Redis(host=HOST, port=PORT, password=PASSWORD, decode_responses=True)

def process_with_lock(resource_id):
    """Ensure only one process accesses the resource"""
    lock = redis_client.lock(
        f'lock:{resource_id}',
        timeout=10,  # Lock expires after 10 seconds
        blocking_timeout=5  # Wait up to 5 seconds to acquire
    )
    
    if lock.acquire(blocking=True):
        try:
            # Critical section - only one process at a time
            process_resource(resource_id)
        finally:
            lock.release()


inside = []
overlaps = []


def process_resource(resource_id):
    """The seed's critical section: notes whether another thread was inside at once."""
    if inside:
        overlaps.append(resource_id)
    inside.append(resource_id)
    time.sleep(0.02)
    inside.remove(resource_id)


# redis-py's Lock releases (and extends) with Lua scripts, through EVALSHA and, when the
# server does not know them yet, the script itself.
workers = [threading.Thread(target=process_with_lock, args=("report",)) for _ in range(4)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
expect("lock: no two workers were inside at once", overlaps, [])
expect("lock: released", redis_client.exists("lock:report"), 0)
held = redis_client.lock("lock:held", timeout=10)
expect("lock: acquired", held.acquire(blocking=False), True)
expect("lock: a second holder waits in vain", redis_client.lock("lock:held", timeout=10).acquire(blocking=False), False)
expect("lock: extend", held.extend(5), True)
expect_within("lock: extended", redis_client.pttl("lock:held"), 14_000, 15_000)
expect("lock: reacquire", held.reacquire(), True)
expect_within("lock: reacquired", redis_client.pttl("lock:held"), 9_000, 10_000)
held.release()
expect_error("lock: releasing twice", held.release, redis.exceptions.LockError, "Cannot release")

# --- Scripts: register_script, EVAL and EVALSHA, and the fallback after SCRIPT FLUSH. ---

r = redis_client
increment = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
expect("register_script: first call", increment(keys=["hits"], args=[5]), 5)
expect("register_script: the script is loaded", r.script_exists(increment.sha), [True])
expect("script_flush", r.script_flush(), True)
expect("register_script: loads it again after a flush", increment(keys=["hits"], args=[2]), 7)
expect("eval", r.eval("return {KEYS[1], ARGV[1]}", 1, "k", "v"), ["k", "v"])
expect("evalsha", r.evalsha(increment.sha, 1, "hits", 1), 8)
expect("eval_ro", r.eval_ro("return redis.call('get', KEYS[1])", 1, "hits"), "8")
expect_error("evalsha of an unknown script", lambda: r.evalsha("0" * 40, 0),
             redis.exceptions.NoScriptError, "No matching script")
expect_error("a script's error", lambda: r.eval("error('boom')", 0),
             redis.exceptions.ResponseError, "user_script:1: boom")
pipe = r.pipeline()
increment(keys=["hits"], args=[1], client=pipe)
pipe.get("hits")
expect("register_script in a transaction", pipe.execute(), [9, "9"])

# --- The seed's "Redis CLI Quick Reference", through the client. ---

r = redis_client
expect("ping", r.ping(), True)
expect("exists", r.exists("key"), 1)
expect("keys", sorted(r.keys("key*")), ["key", "key1", "key2"])
expect("expire", r.expire("key1", 100), True)
expect("ttl", r.ttl("key1"), 100)
expect("ttl of a key without expiry", r.ttl("key2"), -1)
expect("ttl of a missing key", r.ttl("nope"), -2)
expect("decr", r.decr("counter"), -1)
expect("incrby", r.incrby("counter", 10), 9)
expect("incrbyfloat", r.incrbyfloat("float", 1.5), 1.5)
expect("lpush", r.lpush("list", "a", "b"), 2)
expect("rpush", r.rpush("list", "c"), 3)
expect("lrange", r.lrange("list", 0, -1), ["b", "a", "c"])
expect("lpop", r.lpop("list"), "b")
expect("rpop", r.rpop("list"), "c")
expect("hset", r.hset("hash", mapping={"f": "v", "g": "w"}), 2)
expect("hget", r.hget("hash", "f"), "v")
expect("hgetall", r.hgetall("hash"), {"f": "v", "g": "w"})
expect("hdel", r.hdel("hash", "g"), 1)
expect("hincrby", r.hincrby("hash", "n", 5), 5)
expect("sadd", r.sadd("set", "x", "y"), 2)
expect("smembers", r.smembers("set"), {"x", "y"})
expect("sismember", r.sismember("set", "x"), True)
expect("srem", r.srem("set", "x"), 1)
expect("zadd", r.zadd("zset", {"alice": 3, "bob": 1}), 2)
expect("zrange", r.zrange("zset", 0, -1), ["bob", "alice"])
expect("zrange withscores", r.zrange("zset", 0, -1, withscores=True), [("bob", 1.0), ("alice", 3.0)])
expect("zrank", r.zrank("zset", "alice"), 1)
expect("zscore", r.zscore("zset", "alice"), 3.0)
expect("zincrby", r.zincrby("zset", 0.5, "bob"), 1.5)
expect("json set", r.json().set("user:json", "$", {"name": "Ada", "langs": ["en"], "visits": 1}), True)
expect("json get", r.json().get("user:json"), {"name": "Ada", "langs": ["en"], "visits": 1})
expect("json get path", r.json().get("user:json", "$.langs[0]"), ["en"])
expect("json numincrby", r.json().numincrby("user:json", "$.visits", 1), [2])
expect("json arrappend", r.json().arrappend("user:json", "$.langs", "fr"), [2])
expect("json type", r.json().type("user:json", "$.langs"), ["array"])
expect("json objlen", r.json().objlen("user:json", "$"), [3])
expect("json delete", r.json().delete("user:json", "$.visits"), 1)
expect("json mget", r.json().mget(["user:json", "nobody"], "$.name"), [["Ada"], None])
expect("pfadd", r.pfadd("visitors", "ada", "bob", "cy"), 1)
expect("pfcount", r.pfcount("visitors"), 3)
expect("pfmerge", r.pfmerge("visitors:all", "visitors", "nobody"), True)
expect("geoadd", r.geoadd("sicily", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"]), 2)
expect("geodist", r.geodist("sicily", "Palermo", "Catania", unit="km"), 166.2742)
expect("geopos", r.geopos("sicily", "Palermo"), [(13.361389338970184, 38.1155563954963)])
expect(
    "geosearch",
    r.geosearch("sicily", longitude=15, latitude=37, radius=200, unit="km", sort="ASC", withdist=True),
    [["Catania", 56.4413], ["Palermo", 190.4424]],
)
expect("georadiusbymember", r.georadiusbymember("sicily", "Palermo", 200, unit="km", sort="ASC"), ["Palermo", "Catania"])
expect("dbsize", r.dbsize(), len(r.keys("*")))
expect("info", r.info()["redis_mode"], "standalone")
expect("info keyspace", r.info("keyspace")["db0"]["keys"], r.dbsize())
expect("client list", any(client["id"] for client in r.client_list()), True)
expect("client setname", r.client_setname("checker"), True)
expect("client getname", r.client_getname(), "checker")
expect("scan_iter", sorted(r.scan_iter(match="key*", count=2)), ["key", "key1", "key2"])
expect("type", r.type("zset"), "zset")
expect("object encoding", r.object("encoding", "hash"), "hashtable")
expect("set nx", r.set("key", "other", nx=True), None)
expect("set get", r.set("key", "newer", get=True), "value")
expect("getdel", r.getdel("key"), "newer")
expect("rename", r.rename("key2", "renamed"), True)
expect("copy", r.copy("renamed", "copied"), True)
expect("time", abs(r.time()[0] - time.time()) < 5, True)
expect("echo", r.echo("hi"), "hi")
expect("config get", r.config_get("maxmemory"), {"maxmemory": "0"})

# --- Transactions: MULTI/EXEC, and WATCH through redis-py's transaction helper. ---

tx = r.pipeline(transaction=True)
tx.incr("tx")
tx.incr("tx")
tx.get("tx")
expect("multi/exec", tx.execute(), [1, 2, "2"])


def double_it(pipe):
    value = int(pipe.get("watched") or 0)
    pipe.multi()
    pipe.set("watched", value * 2 + 1)


expect("transaction with watch", r.transaction(double_it, "watched"), [True])
expect("transaction with watch: result", r.get("watched"), "1")

attempts = []


def interfered(pipe):
    value = int(pipe.get("watched"))
    if not attempts:
        # Another client writes the watched key between WATCH and EXEC: the first attempt
        # is called off and redis-py retries.
        redis.Redis(host=HOST, port=PORT, password=PASSWORD).set("watched", 10)
    attempts.append(value)
    pipe.multi()
    pipe.set("watched", value + 1)


r.transaction(interfered, "watched")
expect("watch: retried after another client's write", attempts, [1, 10])
expect("watch: the retry's result", r.get("watched"), "11")

# --- Errors, as redis-py raises them. ---

expect_error("wrongtype", lambda: r.incr("hash"), redis.ResponseError, "WRONGTYPE")
r.set("text", "abc")
expect_error("not an integer", lambda: r.incr("text"), redis.ResponseError, "not an integer")
expect_error("wrong password", lambda: redis.Redis(host=HOST, port=PORT, password="guess").ping(), redis.AuthenticationError, "invalid username-password")
expect_error("no password", lambda: redis.Redis(host=HOST, port=PORT).get("k"), redis.AuthenticationError, "Authentication required")
reader = redis.Redis(host=HOST, port=PORT, password=os.environ["REDIS_READ_ONLY_PASSWORD"], decode_responses=True)
expect("read-only token reads", reader.get("watched"), "11")
expect_error("read-only token writes", lambda: reader.set("k", "v"), redis.exceptions.NoPermissionError, "read-only")

# --- A URL, as applications configure it. ---

by_url = redis.Redis.from_url(f"redis://:{PASSWORD}@{HOST}:{PORT}/0", decode_responses=True)
expect("from_url", by_url.get("watched"), "11")

# --- RESP3 (redis-py's protocol=3 sends HELLO 3 with the credentials). ---

resp3 = redis.Redis(host=HOST, port=PORT, password=PASSWORD, protocol=3, decode_responses=True)
expect("resp3 hgetall", resp3.hgetall("hash"), {"f": "v", "n": "5"})
expect("resp3 smembers", resp3.smembers("set"), {"y"})
expect("resp3 zscore", resp3.zscore("zset", "bob"), 1.5)
expect("resp3 zrange withscores", resp3.zrange("zset", 0, -1, withscores=True), [["bob", 1.5], ["alice", 3.0]])
expect("resp3 get missing", resp3.get("missing"), None)
expect("resp3 geopos", resp3.geopos("sicily", "Palermo"), [[13.361389338970184, 38.1155563954963]])

passed("redis-py")
