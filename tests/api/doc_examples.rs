//! The README's and `docs/`'s examples, run: every `curl` command of a page's `sh` blocks runs,
//! in the page's order, against a fresh server, and where the page shows what it answers (a
//! `json` block after the commands, one line each, or a `# {...}` comment after one) the
//! answer must be that. Times that depend on the clock (`expires_at`) only need to be times.
//! Streams (`curl -N`, a command sent to the background) are left to the tests of real time.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::clients::debian_package;
use crate::helpers::spawn_app;

/// One example: the command as written, and the answer shown for it, if any.
struct Example {
    command: String,
    expected: Option<String>,
}

/// The `curl` examples of a page, in order.
fn examples(page: &str) -> Vec<Example> {
    let lines: Vec<&str> = page.lines().collect();
    let mut examples = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if lines[at] != "```sh" {
            at += 1;
            continue;
        }
        let mut block = Vec::new();
        at += 1;
        while at < lines.len() && lines[at] != "```" {
            // A command continued over several lines is one.
            let mut line = lines[at].to_owned();
            while line.ends_with('\\') && at + 1 < lines.len() {
                line.pop();
                at += 1;
                line.push_str(lines[at].trim_start());
            }
            block.push(line);
            at += 1;
        }
        at += 1;
        let mut found: Vec<Example> = Vec::new();
        for line in block {
            if let Some(shown) = line.strip_prefix("# ") {
                if let Some(last) = found.last_mut() {
                    last.expected = Some(shown.to_owned());
                }
                continue;
            }
            if !line.starts_with("curl ") || line.contains(" -N ") || line.trim_end().ends_with('&') {
                continue;
            }
            // A comment after the command shows its answer when it is JSON.
            let (command, comment) = line
                .split_once(" # ")
                .map_or((line.as_str(), None), |(command, comment)| {
                    (command, Some(comment.trim()))
                });
            let expected = comment.filter(|comment| comment.starts_with('{')).map(str::to_owned);
            found.push(Example {
                command: command.trim_end().to_owned(),
                expected,
            });
        }
        // A `json` block right after the commands shows their answers, a line each.
        let mut next = at;
        while next < lines.len() && lines[next].is_empty() {
            next += 1;
        }
        if next < lines.len() && lines[next] == "```json" {
            let shown: Vec<&str> = lines[next + 1..]
                .iter()
                .take_while(|line| **line != "```")
                .copied()
                .filter(|line| !line.is_empty())
                .collect();
            if shown.len() == found.len() {
                for (example, shown) in found.iter_mut().zip(shown) {
                    example.expected = Some(shown.to_owned());
                }
            }
        }
        examples.extend(found);
    }
    examples
}

/// `shown` and `got` are the same JSON, but for clock times.
fn alike(shown: &Value, got: &Value) -> bool {
    match (shown, got) {
        (Value::Object(shown), Value::Object(got)) => {
            shown.len() == got.len()
                && shown.iter().all(|(key, value)| {
                    got.get(key).is_some_and(|other| match key.as_str() {
                        "expires_at" => value.is_string() == other.is_string() && value.is_null() == other.is_null(),
                        _ => alike(value, other),
                    })
                })
        }
        (Value::Array(shown), Value::Array(got)) => {
            shown.len() == got.len() && shown.iter().zip(got).all(|(shown, got)| alike(shown, got))
        }
        (shown, got) => shown == got,
    }
}

fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

#[actix_web::test]
async fn every_curl_example_answers_what_its_page_shows() {
    debian_package("curl", "curl");
    let mut differences = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let examples = examples(&text);
        if examples.is_empty() {
            continue;
        }
        let (app, _database) = spawn_app().await;
        let address = app.address.clone();
        for example in examples {
            let command = example
                .command
                .replacen("curl ", "curl -s ", 1)
                .replace("http://127.0.0.1:8000", &address)
                .replace("localhost:8000", &address);
            let output = actix_web::rt::task::spawn_blocking(move || {
                Command::new("sh").args(["-c", &command]).output().unwrap()
            })
            .await
            .unwrap();
            ran += 1;
            let got = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            let Some(shown) = example.expected else {
                continue;
            };
            let same = match (
                serde_json::from_str::<Value>(&shown),
                serde_json::from_str::<Value>(&got),
            ) {
                (Ok(shown), Ok(got)) => alike(&shown, &got),
                _ => shown == got,
            };
            if !same {
                differences.push(format!(
                    "{}: {}\n  shown: {shown}\n  got:   {got}",
                    page.file_name().unwrap().to_string_lossy(),
                    example.command
                ));
            }
        }
        app.stop().await;
    }
    // 50 when this was written: a page that stopped being read would lower it.
    assert!(ran >= 45, "only {ran} examples ran");
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// A client example: a Python or JavaScript block, or a `redis-cli` line of an `sh` block, and
/// what the page shows it printing.
struct ClientExample {
    language: Language,
    code: String,
    /// For each line printed, in order, what the page shows (`None`: nothing shown).
    shown: Vec<Option<String>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Language {
    Python,
    JavaScript,
    RedisCli,
}

/// The code and the comment of a line (`#` for Python and shells, `//` for JavaScript).
fn split_comment(line: &str, marker: &str) -> (String, Option<String>) {
    match line
        .find(&format!(" {marker} "))
        .or_else(|| line.starts_with(&format!("{marker} ")).then_some(0))
    {
        Some(at) => {
            let comment = line[at..].trim_start().trim_start_matches(marker).trim();
            (line[..at].to_owned(), Some(comment.to_owned()))
        }
        None => (line.to_owned(), None),
    }
}

fn client_examples(page: &str) -> Vec<ClientExample> {
    let mut examples = Vec::new();
    let mut lines = page.lines();
    while let Some(fence) = lines.next() {
        let language = match fence {
            "```python" => Language::Python,
            "```js" => Language::JavaScript,
            "```sh" => Language::RedisCli,
            _ => continue,
        };
        let block: Vec<&str> = lines.by_ref().take_while(|line| *line != "```").collect();
        if language == Language::RedisCli {
            for line in block.iter().filter(|line| line.starts_with("redis-cli ")) {
                let (code, comment) = split_comment(line, "#");
                examples.push(ClientExample {
                    language,
                    code: code.trim_end().to_owned(),
                    shown: vec![comment],
                });
            }
            continue;
        }
        let (marker, print) = match language {
            Language::Python => ("#", "print("),
            _ => ("//", "console.log("),
        };
        let mut shown: Vec<Option<String>> = Vec::new();
        let (mut printing, mut last_was_print) = (false, false);
        for line in &block {
            let (code, comment) = split_comment(line, marker);
            if code.contains(print) {
                printing = true;
            }
            if printing && (language == Language::Python || code.trim_end().ends_with(';')) {
                shown.push(comment);
                printing = false;
                last_was_print = true;
            } else if code.trim().is_empty() && last_was_print && shown.last() == Some(&None) {
                // A comment on the line after a print shows what it printed.
                *shown.last_mut().unwrap() = comment;
            } else {
                last_was_print = false;
            }
        }
        examples.push(ClientExample {
            language,
            code: block.join("\n"),
            shown,
        });
    }
    examples
}

/// Whether a printed line is what the page shows: the same, or the same with an explanation
/// in parentheses after it, or redis-cli's terminal form of its plain output (`(integer) 1`,
/// a quoted string, numbered lines).
fn printed_as_shown(printed: &str, shown: &str) -> bool {
    let numbered: Vec<String> = printed
        .lines()
        .enumerate()
        .map(|(at, line)| format!("{}) {line:?}", at + 1))
        .collect();
    printed == shown
        || shown.starts_with(&format!("{printed} ("))
        || shown == format!("(integer) {printed}")
        || shown == format!("{printed:?}")
        || shown == numbered.join(" ")
        || printed.lines().any(|line| line == shown)
}

#[actix_web::test]
async fn every_client_example_prints_what_its_page_shows() {
    debian_package("redis-cli", "redis-tools");
    let python = crate::clients::python_clients();
    let node_dir = crate::clients::node_clients();
    let mut differences = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let examples = client_examples(&text);
        if examples.is_empty() {
            continue;
        }
        // The pages' Redis protocol examples say they run against a server with this token.
        let token = if text.contains("s3cret") { "s3cret" } else { "none" };
        let (app, _database) = match token {
            "s3cret" => crate::helpers::spawn_app_with(&["--token", "s3cret"]).await,
            _ => spawn_app().await,
        };
        let resp = app.resp.to_string();
        let scratch = tempfile::Builder::new()
            .prefix(".doc-example")
            .tempdir_in(&node_dir)
            .unwrap();
        for (number, example) in examples.into_iter().enumerate() {
            let code = example
                .code
                .replace("http://127.0.0.1:8000", &app.address)
                .replace("127.0.0.1:6379", &resp)
                .replace("port=6379", &format!("port={}", app.resp.port()));
            let mut command = match example.language {
                Language::RedisCli => {
                    let mut command = Command::new("sh");
                    let code = code.replacen("redis-cli ", &format!("redis-cli -p {} ", app.resp.port()), 1);
                    command.args(["-c", &code]);
                    command
                }
                Language::Python => {
                    let mut command = Command::new(&python);
                    command.args(["-c", &code]);
                    command
                }
                Language::JavaScript => {
                    // In tests/clients, so that its packages are found; a client that keeps a
                    // connection open (ioredis) would keep node running.
                    let script = scratch.path().join(format!("example-{number}.mjs"));
                    std::fs::write(&script, format!("{code}\nprocess.exit(0);\n")).unwrap();
                    let mut command = Command::new("node");
                    command.arg(script);
                    command
                }
            };
            command
                .env("LITEKV_TOKEN", token)
                .env("UPSTASH_REDIS_REST_URL", &app.address)
                .env("UPSTASH_REDIS_REST_TOKEN", token);
            let output = actix_web::rt::task::spawn_blocking(move || command.output().unwrap())
                .await
                .unwrap();
            ran += 1;
            let page_name = page.file_name().unwrap().to_string_lossy().into_owned();
            if !output.status.success() {
                differences.push(format!(
                    "{page_name}: failed ({}):\n{}\n{}",
                    output.status,
                    example.code,
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            // redis-cli prints one answer (over several lines for an array); the others a line
            // per print.
            let printed: Vec<String> = match example.language {
                Language::RedisCli => vec![stdout.trim_end().to_owned()],
                _ => stdout.lines().map(str::to_owned).collect(),
            };
            for (at, shown) in example.shown.iter().enumerate() {
                let Some(shown) = shown else { continue };
                let line = printed.get(at).map_or("", String::as_str);
                if !printed_as_shown(line, shown) {
                    differences.push(format!(
                        "{page_name}:\n{}\n  shown: {shown}\n  printed: {line}",
                        example.code
                    ));
                }
            }
        }
        app.stop().await;
    }
    assert!(ran >= 15, "only {ran} client examples ran");
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n\n")
    );
}
