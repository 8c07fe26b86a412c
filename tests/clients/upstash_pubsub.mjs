// @upstash/redis's subscribe and psubscribe, unchanged, against litekv's server-sent events:
// messages published through the same client, and through the Redis protocol when REDIS_URL
// is given (redis-cli's PUBLISH), reach both. Exits non-zero on a mismatch or after 20 s.
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";

const redis = Redis.fromEnv();
const deadline = setTimeout(() => {
  console.error("timed out waiting for messages");
  process.exit(1);
}, 20_000);

const waitFor = (emitter, event) => new Promise((resolve) => emitter.on(event, resolve));
const chat = redis.subscribe(["chat"]);
const news = redis.psubscribe(["news.*"]);
// Both listeners first: the events may come in either order.
const counts = await Promise.all([waitFor(chat, "subscribe"), waitFor(news, "psubscribe")]);
assert.deepEqual(counts, [1, 1]);

const received = [];
const all = new Promise((resolve) => {
  const note = (entry) => {
    received.push(entry);
    if (received.length === 3) resolve();
  };
  chat.on("message", ({ channel, message }) => note(["message", channel, message]));
  news.on("pmessage", ({ pattern, channel, message }) => note(["pmessage", pattern, channel, message]));
});
assert.equal(await redis.publish("chat", { text: "hi", n: 1 }), 1);
// This client parses pmessages as JSON without a fallback (as it does against Upstash).
assert.equal(await redis.publish("news.sport", { score: "2-1" }), 1);
assert.equal(await redis.publish("elsewhere", "nobody"), 0);
assert.equal(await redis.publish("chat", "plain, with a comma"), 1);
await all;
assert.deepEqual(received, [
  ["message", "chat", { text: "hi", n: 1 }],
  ["pmessage", "news.*", "news.sport", { score: "2-1" }],
  ["message", "chat", "plain, with a comma"],
]);
await chat.unsubscribe();
await news.unsubscribe();
clearTimeout(deadline);
console.log("@upstash/redis pub/sub: 4 checks passed");
process.exit(0);
