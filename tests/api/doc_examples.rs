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
