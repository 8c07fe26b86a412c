// @upstash/ratelimit's sliding-window limit() against @upstash/redis's set(), through the
// Upstash REST API, 50 callers at once, alternating twice; run by bench/scripting.
import { Ratelimit } from "../tests/clients/node_modules/@upstash/ratelimit/dist/index.mjs";
import { Redis } from "../tests/clients/node_modules/@upstash/redis/nodejs.mjs";
import { appendFileSync } from "node:fs";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const callers = 50;
const redis = Redis.fromEnv();
const ratelimit = new Ratelimit({
  redis,
  limiter: Ratelimit.slidingWindow(1_000_000, "60 s"),
  ephemeralCache: false,
  analytics: false,
});

// Calls per second of `call` (given a caller's number and its count so far).
async function perSecond(call) {
  const deadline = Date.now() + seconds * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let count = 0; Date.now() < deadline; count += 1) {
        await call(caller, count);
        calls += 1;
      }
    }),
  );
  return calls / seconds;
}

const ratios = [];
for (const round of [1, 2]) {
  const set = await perSecond((caller, count) => redis.set(`key:${caller}`, `value-${count}`));
  const limit = await perSecond(async (caller) => {
    const { success } = await ratelimit.limit(`user:${caller}`);
    if (!success) throw new Error("the limit is set high enough never to refuse");
  });
  const ratio = (limit / set).toFixed(2);
  ratios.push(ratio);
  if (process.env.BENCH_FIGURES) appendFileSync(process.env.BENCH_FIGURES, `figure ratelimit_round_${round} ${ratio}\n`);
  console.log(`  round ${round}: set() ${set.toFixed(0)}/s, sliding-window limit() ${limit.toFixed(0)}/s: ${ratio}`);
}
console.log(`  limit() / set(): ${ratios.join(" ")} (target >= 0.5)`);
