// Lua scripting through the official Upstash clients, unchanged: @upstash/redis's script
// commands, @upstash/ratelimit's three algorithms (Lua scripts run by EVALSHA, with EVAL
// as the fallback) and @upstash/lock (SET NX to take, scripts to extend and release).
// Exits non-zero on the first mismatch. Reads UPSTASH_REDIS_REST_URL and
// UPSTASH_REDIS_REST_TOKEN.
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import { Ratelimit } from "@upstash/ratelimit";
import { Lock } from "@upstash/lock";

const redis = Redis.fromEnv();
let checks = 0;

async function expect(name, promise, expected) {
  assert.deepStrictEqual(await promise, expected, name);
  checks += 1;
}

async function expectError(name, promise, pattern) {
  await assert.rejects(promise, pattern, name);
  checks += 1;
}

await redis.flushdb();
await redis.scriptFlush();

// @upstash/redis's scripting commands.
const sha = await redis.scriptLoad("return ARGV[1]");
await expect("scriptLoad", Promise.resolve(sha), "098e0f0d1448c0a81dafe820f66d460eb09263da");
await expect("scriptExists", redis.scriptExists(sha, "0".repeat(40)), [1, 0]);
await expect("evalsha", redis.evalsha(sha, [], ["hello"]), "hello");
await expect("eval", redis.eval("return {KEYS[1], ARGV[1], redis.call('incr', KEYS[1])}", ["n"], ["a"]), ["n", "a", 1]);
await expect("evalRo", redis.evalRo("return redis.call('get', KEYS[1])", ["n"], []), 1);
await expect("evalshaRo", redis.evalshaRo(sha, [], ["ro"]), "ro");
await expectError("evalsha of an unknown script", redis.evalsha("0".repeat(40), [], []), /NOSCRIPT/);
await expectError("evalRo that writes", redis.evalRo("return redis.call('set', 'x', 1)", [], []), /Write commands are not allowed from read-only scripts/);
await expect("scriptFlush", redis.scriptFlush(), "OK");
await expect("scriptExists after a flush", redis.scriptExists(sha), [0]);
const script = redis.createScript("return redis.call('incrby', KEYS[1], ARGV[1])");
await expect("createScript: exec falls back to EVAL", script.exec(["counter"], ["5"]), 5);
await expect("createScript: then EVALSHA finds it", script.evalsha(["counter"], ["2"]), 7);
const pipeline = redis.pipeline();
pipeline.eval("return redis.call('incr', KEYS[1])", ["counter"], []);
pipeline.get("counter");
await expect("eval in a pipeline", pipeline.exec(), [8, 8]);
const decrement = await redis.scriptLoad("return redis.call('decr', KEYS[1])");
const transaction = redis.multi();
transaction.evalsha(decrement, ["counter"], []);
transaction.get("counter");
await expect("evalsha in a transaction", transaction.exec(), [7, 7]);

// @upstash/ratelimit: each algorithm lets `limit` requests through, then refuses.
async function exhaust(name, limiter, allowed) {
  const ratelimit = new Ratelimit({ redis, limiter, prefix: `rl:${name}`, ephemeralCache: false, analytics: false });
  const outcomes = [];
  for (let request = 0; request < allowed + 2; request += 1) {
    const { success, remaining, limit } = await ratelimit.limit("user-1");
    outcomes.push([success, remaining, limit]);
    // Scripts forgotten mid-way are sent again: the client falls back from EVALSHA to EVAL.
    if (request === 0) await redis.scriptFlush();
  }
  const expected = [];
  for (let request = 0; request < allowed + 2; request += 1) {
    expected.push([request < allowed, Math.max(allowed - request - 1, 0), allowed]);
  }
  await expect(`${name}: limited after ${allowed}`, Promise.resolve(outcomes), expected);
  await expect(`${name}: another identifier is not limited`, ratelimit.limit("user-2").then((r) => r.success), true);
  await expect(`${name}: getRemaining`, ratelimit.getRemaining("user-1").then((r) => r.remaining), 0);
  await ratelimit.resetUsedTokens("user-1");
  await expect(`${name}: resetUsedTokens`, ratelimit.limit("user-1").then((r) => r.success), true);
}

await exhaust("fixed", Ratelimit.fixedWindow(3, "60 s"), 3);
await exhaust("sliding", Ratelimit.slidingWindow(3, "60 s"), 3);
await exhaust("bucket", Ratelimit.tokenBucket(1, "60 s", 3), 3);

// @upstash/lock: one holder at a time, extended and released by Lua scripts.
const first = new Lock({ id: "lock:job", redis, lease: 5000, retry: { attempts: 1, delay: 10 } });
const second = new Lock({ id: "lock:job", redis, lease: 5000, retry: { attempts: 1, delay: 10 } });
await expect("lock: acquire", first.acquire(), true);
await expect("lock: status", first.getStatus(), "ACQUIRED");
await expect("lock: a second holder is refused", second.acquire(), false);
await expect("lock: extend", first.extend(10000), true);
const ttl = await redis.ttl("lock:job");
assert.ok(ttl > 5 && ttl <= 15, `lock: extended ttl ${ttl}`);
checks += 1;
await expect("lock: the other cannot release it", second.release(), false);
await expect("lock: release", first.release(), true);
await expect("lock: released", redis.exists("lock:job"), 0);
await expect("lock: then the second acquires it", second.acquire(), true);
await expect("lock: and releases it", second.release(), true);

console.log(`upstash scripts: ${checks} checks passed`);
