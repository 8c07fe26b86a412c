// Seed 000's (RedisLite) README example in JavaScript, unchanged but for baseUrl, plus checks
// of what it printed. Reads LITEKV_URL.
import assert from "node:assert/strict";

const baseUrl = process.env.LITEKV_URL;

// Set a key
await fetch(`${baseUrl}/api/set`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    key: "token:xyz",
    value: { access: "write", user: "john" },
    ttl: 7200
  })
});

// Get a key
const response = await fetch(`${baseUrl}/api/get?key=token:xyz`);
const data = await response.json();
console.log(data);
assert.deepStrictEqual(data, { key: "token:xyz", value: { access: "write", user: "john" }, exists: true });
