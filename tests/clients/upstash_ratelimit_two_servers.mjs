// @upstash/ratelimit through two litekv servers sharing one PostgreSQL database: one limit
// holds across both, whichever server each request reaches. Reads FIRST_URL, SECOND_URL and
// UPSTASH_REDIS_REST_TOKEN; exits non-zero on a mismatch.
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import { Ratelimit } from "@upstash/ratelimit";

const token = process.env.UPSTASH_REDIS_REST_TOKEN;
const servers = [process.env.FIRST_URL, process.env.SECOND_URL].map((url) => new Redis({ url, token }));
const limit = 10;
let checks = 0;

for (const [name, limiter] of [
  ["fixedWindow", Ratelimit.fixedWindow(limit, "60 s")],
  ["slidingWindow", Ratelimit.slidingWindow(limit, "60 s")],
  ["tokenBucket", Ratelimit.tokenBucket(1, "60 s", limit)],
]) {
  const limiters = servers.map(
    (redis) => new Ratelimit({ redis, limiter, prefix: `two:${name}`, ephemeralCache: false, analytics: false }),
  );
  // 30 requests, alternating servers, 6 at a time.
  let allowed = 0;
  for (let round = 0; round < 5; round += 1) {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => limiters[(round + index) % 2].limit("user-1")),
    );
    allowed += results.filter((result) => result.success).length;
  }
  assert.equal(allowed, limit, `${name}: requests allowed across both servers`);
  checks += 1;
}
console.log(`${checks} checks passed`);
