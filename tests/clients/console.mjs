// Drives litekv's console (/console) in headless Chromium, as a person would: sign in, find keys
// by pattern, open and edit one, watch it change when another client writes, run commands, and
// sign in again with a read-only token that cannot write. Every connection beyond loopback goes
// to a dead proxy, so a page that needed a CDN would fail. Exits non-zero on the first mismatch.
//
// Reads LITEKV_URL, LITEKV_TOKEN, LITEKV_READ_ONLY_TOKEN and CHROMIUM (the browser's path); with
// SCREENSHOTS set to a directory, saves console.png (desktop, dark) and console-phone.png there.
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";

const url = process.env.LITEKV_URL;
const token = process.env.LITEKV_TOKEN;
const readOnlyToken = process.env.LITEKV_READ_ONLY_TOKEN;
const screenshots = process.env.SCREENSHOTS;
let checks = 0;

async function redis(...args) {
  const response = await fetch(url + "/", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify(args),
  });
  return (await response.json()).result;
}

await redis("FLUSHDB");
await redis("SET", "user:1", JSON.stringify({ name: "Ada", langs: ["en"] }));
await redis("SET", "user:2", "plain text", "EX", "3600");
await redis("HSET", "config", "theme", "dark", "seats", "3");
await redis("RPUSH", "queue", "job-1", "job-2");
await redis("SADD", "tags", "red", "blue");
await redis("ZADD", "board", "10", "ada", "7.5", "bob");
await redis("JSON.SET", "doc", "$", JSON.stringify({ n: 1, items: ["a"] }));
for (let n = 0; n < 30; n++) await redis("SET", `other:${n}`, String(n));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--proxy-server=127.0.0.1:9", "--no-first-run"],
});
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 860 });
await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
const failures = [];
page.on("requestfailed", (request) => failures.push(request.url()));

async function check(name, condition, ...args) {
  try {
    await page.waitForFunction(condition, { timeout: 10_000 }, ...args);
  } catch (error) {
    const body = await page.evaluate(() => document.body.innerText);
    throw new Error(`${name}: not true within 10 s\n--- page ---\n${body}`, { cause: error });
  }
  checks += 1;
}

async function signIn(withToken) {
  await page.goto(url + "/console", { waitUntil: "load" });
  await page.type("#token", withToken);
  await page.click("#signin button[type=submit]");
  await check("signed in", () => !document.querySelector("#app").classList.contains("hidden"));
}

// Fills a form of the key's view and submits it in one step: the view is redrawn whenever the
// key changes (its live watch), so a field found in one step may be gone by the next.
async function submit(formSelector, values, buttonText) {
  await page.evaluate((formSelector, values, buttonText) => {
    const form = document.querySelector(formSelector);
    for (const [label, value] of Object.entries(values)) form.querySelector(`[aria-label="${label}"]`).value = value;
    [...form.querySelectorAll("button")].find((button) => button.textContent === buttonText).click();
  }, formSelector, values, buttonText);
}

async function run(line) {
  await page.click("#command");
  await page.type("#command", line);
  await page.keyboard.press("Enter");
}

const output = () => document.querySelector("#output").innerText;

// Sign in, and find keys by pattern.
await signIn(token);
await check("every key is listed", () => document.querySelectorAll("#keys li").length === 37);
await check("the stats panel counts the keys", () => document.querySelector("#stat-keys")?.textContent === "37");
await check("the stats panel shows the server's memory", () => / MB$/.test(document.querySelector("#stat-memory")?.textContent ?? ""));
await page.type("#pattern", "user:*");
await page.keyboard.press("Enter");
await check("the pattern finds the users, and only them", () => {
  const keys = [...document.querySelectorAll("#keys li")].map((item) => item.dataset.key).sort();
  return keys.join() === "user:1,user:2";
});
await check("a key's TTL shows", () => document.querySelector('#keys li[data-key="user:2"] .ttl').textContent === "60 min");

// Open a key, and edit its value: JSON is shown pretty, and stored compact.
await page.click('#keys li[data-key="user:1"]');
await check("the view is live", () => document.querySelector("#live")?.textContent.includes("live"));
await check("the value shows, pretty", () => document.querySelector("#view textarea")?.value.includes('"name": "Ada"'));
await submit("#view", { Value: '{"name": "Ada Lovelace"}' }, "Save");
await check("the edit is confirmed", () => document.querySelector("#output").innerText.includes("OK"));
assert.equal(await redis("GET", "user:1"), '{"name":"Ada Lovelace"}', "the edit reached the server");
checks += 1;

// Another client writes: the open key's view follows.
await check("the view shows the saved value", () => document.querySelector("#view textarea")?.value.includes("Ada Lovelace"));
await redis("SET", "user:1", JSON.stringify({ name: "Grace" }));
await check("the view shows the other client's write", () => document.querySelector("#view textarea")?.value.includes("Grace"));

// A hash as a table, with a field added; its TTL set.
await page.$eval("#pattern", (input) => { input.value = ""; });
await page.click("#filters button[type=submit]");
await check("all keys again", () => document.querySelectorAll("#keys li").length === 37);
await page.click('#keys li[data-key="config"]');
await check("a hash is a table", () => document.querySelector("#view table")?.innerText.includes("theme"));
await submit("#view form", { field: "lang", value: "en" }, "Add");
await check("the field is added", () => document.querySelector("#view table")?.innerText.includes("lang"));
assert.equal(await redis("HGET", "config", "lang"), "en");
await submit("#view .tools", { "Time to live in seconds": "600" }, "Set TTL");
await check("the TTL shows", () => document.querySelector("#view .meta").textContent.includes("expires in 10 min"));
if (screenshots) await page.screenshot({ path: `${screenshots}/console.png` });

// The command line: quoting, replies by type, errors in red, history.
await run('SET greeting "hello world"');
await run("GET greeting");
await check("a quoted argument is one", () => document.querySelector("#output").innerText.includes('"hello world"'));
await run("INCR visits");
await check("an integer reply", () => document.querySelector("#output").innerText.includes("(integer) 1"));
await run("LRANGE queue 0 -1");
await check("an array reply", () => document.querySelector("#output").innerText.includes('2) "job-2"'));
await run("NOSUCHCOMMAND");
await check("an error in red", () => [...document.querySelectorAll("#output .error")].some((line) =>
  line.textContent.includes("unknown command") && getComputedStyle(line).color !== getComputedStyle(document.body).color));
await page.click("#command");
await page.keyboard.press("ArrowUp");
await check("history recalls the last command", () => document.querySelector("#command").value === "NOSUCHCOMMAND");

// A phone's screen: the panels stack.
await page.setViewport({ width: 390, height: 844, isMobile: true });
await check("the browser spans the screen on a phone", () =>
  document.querySelector("#browser").getBoundingClientRect().width > 350);
if (screenshots) await page.screenshot({ path: `${screenshots}/console-phone.png` });
await page.setViewport({ width: 1280, height: 860 });

// A read-only token: no key listing (SCAN), no writes; a key opens by name.
await page.click("#signout");
await signIn(readOnlyToken);
await check("the console says it is read-only", () => document.querySelector("#mode").textContent === "read-only");
await check("it says why no key is listed", () => document.querySelector("#notice").textContent.includes("cannot list keys"));
await page.type("#pattern", "user:1");
await page.keyboard.press("Enter");
await check("a key opens by name, read-only", () => document.querySelector("#view pre")?.textContent.includes("Grace"));
await check("no write control shows", () =>
  [...document.querySelectorAll("#view .write")].every((control) => control.offsetParent === null));
await run("SET user:1 overwritten");
await check("a write is refused", () => document.querySelector("#output").innerText.includes("NOPERM"));
assert.equal(await redis("GET", "user:1"), '{"name":"Grace"}', "the read-only console wrote nothing");
checks += 1;

assert.deepEqual(failures.filter((failed) => !failed.startsWith(url)), [], "nothing was fetched beyond the server");
await browser.close();
console.log(`console: ${checks} checks passed`);
