// Seed 002's Redis service: one IRedisService with a local adapter on ioredis and an Upstash
// adapter on @upstash/redis, chosen by REDIS_PROVIDER. Both point at one litekv (REDIS_URL
// for the Redis protocol, UPSTASH_REDIS_REST_URL and _TOKEN for HTTP): the README's
// examples run through each, and each sees what the other wrote. Then ioredis on its own:
// command families, pipelines, MULTI, WATCH, RESP errors. Exits non-zero on a mismatch.

import assert from "node:assert/strict";
import IORedis from "ioredis";
import { Redis as Upstash } from "@upstash/redis";

let checks = 0;
function expect(name, actual, expected) {
  assert.deepEqual(actual, expected, name);
  checks += 1;
}

// --- The seed's adapters, as its API reference specifies them. ---

class LocalRedisAdapter {
  constructor(url) {
    this.client = new IORedis(url, { lazyConnect: false });
  }
  get(key) {
    return this.client.get(key);
  }
  async set(key, value, options = {}) {
    if (options.ex) await this.client.set(key, value, "EX", options.ex);
    else if (options.px) await this.client.set(key, value, "PX", options.px);
    else await this.client.set(key, value);
  }
  incr(key) {
    return this.client.incr(key);
  }
  async expire(key, seconds) {
    await this.client.expire(key, seconds);
  }
  ttl(key) {
    return this.client.ttl(key);
  }
  async del(key) {
    await this.client.del(key);
  }
  async pipeline(commands) {
    const pipeline = this.client.multi();
    for (const { command, args } of commands) pipeline[command](...args);
    const results = await pipeline.exec();
    return results.map(([error, result]) => {
      if (error) throw error;
      return result;
    });
  }
  async ping() {
    return (await this.client.ping()) === "PONG";
  }
  async disconnect() {
    await this.client.quit();
  }
}

class UpstashRedisAdapter {
  constructor(url, token) {
    this.client = new Upstash({ url, token, automaticDeserialization: false });
  }
  get(key) {
    return this.client.get(key);
  }
  async set(key, value, options = {}) {
    await this.client.set(key, value, options);
  }
  incr(key) {
    return this.client.incr(key);
  }
  async expire(key, seconds) {
    await this.client.expire(key, seconds);
  }
  ttl(key) {
    return this.client.ttl(key);
  }
  async del(key) {
    await this.client.del(key);
  }
  pipeline(commands) {
    const transaction = this.client.multi();
    for (const { command, args } of commands) transaction[command](...args);
    return transaction.exec();
  }
  async ping() {
    return (await this.client.ping()) === "PONG";
  }
  async disconnect() {}
}

function createRedisService(provider) {
  return provider === "upstash"
    ? new UpstashRedisAdapter(process.env.UPSTASH_REDIS_REST_URL, process.env.UPSTASH_REDIS_REST_TOKEN)
    : new LocalRedisAdapter(process.env.REDIS_URL);
}

// --- The README's usage examples, through a given adapter. ---

async function readmeExamples(redisService, provider) {
  const tag = (name) => `${provider}: ${name}`;
  await redisService.set(`user:123:${provider}`, "John Doe", { ex: 3600 });
  expect(tag("get"), await redisService.get(`user:123:${provider}`), "John Doe");
  expect(tag("ttl"), await redisService.ttl(`user:123:${provider}`), 3600);
  expect(tag("incr"), await redisService.incr("page:views") > 0, true);
  await redisService.del(`user:123:${provider}`);
  expect(tag("del"), await redisService.get(`user:123:${provider}`), null);

  async function checkRateLimit(userId) {
    const key = `ratelimit:${userId}`;
    const current = await redisService.get(key);
    if (!current) {
      await redisService.set(key, "1", { ex: 60 });
      return true;
    }
    const count = parseInt(current, 10);
    if (count >= 100) {
      return false; // Rate limit exceeded
    }
    await redisService.incr(key);
    return true;
  }
  const allowed = [];
  for (let i = 0; i < 101; i++) allowed.push(await checkRateLimit(`${provider}-user`));
  expect(tag("rate limit allows 100"), allowed.slice(0, 100).every(Boolean), true);
  expect(tag("rate limit refuses the 101st"), allowed[100], false);

  let fetched = 0;
  const fetchFromDatabase = async (key) => {
    fetched += 1;
    return { key, rows: [1, 2, 3] };
  };
  async function getCachedData(key) {
    const cached = await redisService.get(`cache:${key}`);
    if (cached) {
      return JSON.parse(cached);
    }
    const data = await fetchFromDatabase(key);
    await redisService.set(`cache:${key}`, JSON.stringify(data), { ex: 3600 });
    return data;
  }
  expect(tag("cache miss"), await getCachedData(`report-${provider}`), { key: `report-${provider}`, rows: [1, 2, 3] });
  expect(tag("cache hit"), await getCachedData(`report-${provider}`), { key: `report-${provider}`, rows: [1, 2, 3] });
  expect(tag("fetched once"), fetched, 1);

  const results = await redisService.pipeline([
    { command: "set", args: [`key1-${provider}`, "value1"] },
    { command: "set", args: [`key2-${provider}`, "value2"] },
    { command: "incr", args: [`counter-${provider}`] },
  ]);
  expect(tag("pipeline"), results, ["OK", "OK", 1]);
  expect(tag("ping"), await redisService.ping(), true);
}

const local = createRedisService("local");
const upstash = createRedisService("upstash");
await readmeExamples(local, "local");
await readmeExamples(upstash, "upstash");
// One store under both doors: "No code changes needed" when switching providers.
await local.set("shared", "from ioredis");
expect("upstash reads what ioredis wrote", await upstash.get("shared"), "from ioredis");
await upstash.set("shared", "from upstash");
expect("ioredis reads what upstash wrote", await local.get("shared"), "from upstash");
expect("both counted page views", await local.get("page:views"), "2");

// --- ioredis on its own. ---

const redis = local.client;
expect("hset", await redis.hset("h", { f: "v", g: "w" }), 2);
expect("hgetall", await redis.hgetall("h"), { f: "v", g: "w" });
expect("rpush", await redis.rpush("l", "a", "b", "c"), 3);
expect("lrange", await redis.lrange("l", 0, -1), ["a", "b", "c"]);
expect("sadd", await redis.sadd("s", "x", "y"), 2);
expect("smembers", (await redis.smembers("s")).sort(), ["x", "y"]);
expect("zadd", await redis.zadd("z", 2, "b", 1, "a"), 2);
expect("zrange withscores", await redis.zrange("z", 0, -1, "WITHSCORES"), ["a", "1", "b", "2"]);
expect("mset", await redis.mset({ m1: "1", m2: "2" }), "OK");
expect("mget", await redis.mget("m1", "m2", "m3"), ["1", "2", null]);
expect("getBuffer", await redis.getBuffer("m1"), Buffer.from("1"));
const binary = Buffer.from([0, 255, 13, 10, 1]);
await redis.set("binary", binary);
expect("binary values round-trip", await redis.getBuffer("binary"), binary);
expect("pipeline", await redis.pipeline().set("p", "1").incr("p").get("p").exec(), [[null, "OK"], [null, 2], [null, "2"]]);
expect("multi", await redis.multi().incr("t").incr("t").exec(), [[null, 1], [null, 2]]);

await redis.watch("w");
await upstash.set("w", "changed elsewhere");
expect("watch: exec called off", await redis.multi().set("w", "mine").exec(), null);
expect("watch: the other write stands", await redis.get("w"), "changed elsewhere");

await assert.rejects(redis.incr("h"), /WRONGTYPE/);
checks += 1;
const scanned = [];
for await (const keys of redis.scanStream({ match: "m*", count: 1 })) scanned.push(...keys);
expect("scanStream", scanned.sort(), ["m1", "m2"]);
expect("info is parsed for the ready check", redis.serverInfo?.loading ?? "0", "0");
expect("client name", await redis.client("SETNAME", "ioredis-test"), "OK");
expect("dbsize", await redis.dbsize() > 10, true);

await local.disconnect();
console.log(`${checks} checks passed`);
