//! Limits a hostile or broken client cannot get past: each is answered with a 4xx and a
//! JSON error while the server goes on serving everyone else.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use litekv::reply::Reply;

use crate::helpers::{RunningBinary, TestDatabase, spawn_app_with};
use crate::resp::encode_command;

/// A server process of its own (these tests count its connections), and its host:port.
async fn start_server(flags: &[&str]) -> (RunningBinary, TestDatabase, String) {
    let database = TestDatabase::new();
    let (server, address) = RunningBinary::server(&database, flags).await;
    let host = address.trim_start_matches("http://").to_owned();
    (server, database, host)
}

fn connect(host: &str) -> TcpStream {
    let stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

/// Reads one response: its status, its headers (lower-cased) and its JSON body.
fn read_response(stream: &mut TcpStream) -> (u16, String, Value) {
    let mut received = Vec::new();
    let mut byte = [0; 1];
    while !received.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the connection closed mid-response");
        received.push(byte[0]);
    }
    let head = String::from_utf8(received).unwrap().to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |length| length.trim().parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (status, head, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// One GET on its own connection, to show the server still serves others.
fn probe(host: &str) -> u16 {
    let mut stream = connect(host);
    write!(stream, "GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").unwrap();
    read_response(&mut stream).0
}

/// Whether the server closed the connection (a read returns end of file).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    matches!(stream.read(&mut [0; 1]), Ok(0))
}

#[actix_web::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let (_server, _database, host) = start_server(&["--body-timeout-secs", "1"]).await;
    let mut slow = connect(&host);
    write!(
        slow,
        "POST /k/ HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"value\":"
    )
    .unwrap();
    let started = Instant::now();
    assert_eq!(probe(&host), 200, "others are served while the body trickles");
    let (status, _, body) = read_response(&mut slow);
    assert_eq!(status, 408);
    assert_eq!(
        body,
        json!({"error": "the request body did not arrive within 1 s (--body-timeout-secs)"})
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[actix_web::test]
async fn idle_connections_are_closed_after_the_keep_alive() {
    let (_server, _database, host) = start_server(&["--keep-alive-secs", "1"]).await;
    let mut idle = connect(&host);
    write!(idle, "GET /health HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut idle).0, 200);
    let started = Instant::now();
    assert!(closed_by_server(&mut idle));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    let (_server, _database, host) = start_server(&["--keep-alive-secs", "0"]).await;
    let mut once = connect(&host);
    write!(once, "GET /health HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let (status, head, _) = read_response(&mut once);
    assert_eq!(status, 200);
    assert!(head.contains("connection: close"), "{head}");
    assert!(closed_by_server(&mut once));
}

#[actix_web::test]
async fn connections_over_the_limit_get_429_and_are_closed() {
    let (_server, _database, host) = start_server(&["--max-connections", "2"]).await;
    let request = "GET /health HTTP/1.1\r\nhost: x\r\n\r\n";
    let mut held: Vec<TcpStream> = (0..2).map(|_| connect(&host)).collect();
    for stream in &mut held {
        write!(stream, "{request}").unwrap();
        assert_eq!(read_response(stream).0, 200);
    }

    let mut extra = connect(&host);
    write!(extra, "{request}").unwrap();
    let (status, head, body) = read_response(&mut extra);
    assert_eq!(status, 429);
    assert!(head.contains("retry-after: 1"), "{head}");
    assert_eq!(
        body,
        json!({"error": "too many connections: the server serves at most 2 at once (--max-connections); retry, or reuse an open connection"})
    );
    assert!(closed_by_server(&mut extra));

    // The admitted connections are still served, and a closed one frees its place.
    write!(held[0], "{request}").unwrap();
    assert_eq!(read_response(&mut held[0]).0, 200);
    drop(held.pop());
    let mut admitted = None;
    for _ in 0..100 {
        let mut stream = connect(&host);
        write!(stream, "{request}").unwrap();
        if read_response(&mut stream).0 == 200 {
            admitted = Some(stream);
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(admitted.is_some(), "a place was freed when a connection closed");
}

#[actix_web::test]
async fn pipelines_and_transactions_over_the_command_limit_get_413() {
    let (app, _database) = spawn_app_with(&["--max-pipeline-commands", "3"]).await;
    let commands = |count: usize| json!(vec![json!(["INCR", "n"]); count]);
    for path in ["/pipeline", "/multi-exec"] {
        let (status, body) = app.post(path, commands(4)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(
            body,
            json!({"error": "ERR the request holds 4 commands, over the limit of 3 (--max-pipeline-commands)"})
        );
        let (status, body) = app.post(path, commands(3)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    assert_eq!(
        app.redis(json!(["GET", "n"])).await,
        json!({"result": "6"}),
        "refused ones ran nothing"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_body_streamed_past_the_size_limit_gets_413_without_a_declared_length() {
    let (_server, _database, host) = start_server(&["--max-request-bytes", "100"]).await;
    let mut stream = connect(&host);
    // Chunked: no content-length to refuse up front, so the limit is enforced as it arrives.
    write!(
        stream,
        "POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .unwrap();
    for _ in 0..3 {
        write!(stream, "40\r\n{}\r\n", "x".repeat(64)).unwrap();
    }
    let (status, _, body) = read_response(&mut stream);
    assert_eq!(status, 413);
    assert_eq!(
        body,
        json!({"error": "the request body is over the limit of 100 bytes (--max-request-bytes)"})
    );
    assert_eq!(probe(&host), 200);
}

/// Large commands share the memory budget (here 4 MiB): while one client holds 3 MiB of a
/// value it has not finished sending, another's 3 MiB value waits unread, over the Redis
/// protocol or HTTP, and small commands go on. Once the first is done, the others go through.
#[actix_web::test]
async fn large_values_wait_for_room_in_the_memory_budget() {
    let (app, _db) = spawn_app_with(&["--max-request-memory-bytes", "4194304"]).await;
    let value = vec![b'v'; 3 * 1024 * 1024];
    let frame = encode_command(&[&b"SET"[..], b"first", &value]);
    let (sent, rest) = frame.split_at(frame.len() / 2);
    let mut first = app.resp_client().await;
    first.send_raw(sent).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut second = app.resp_client().await;
    let second_value = value.clone();
    let waiting = actix_web::rt::spawn(async move { second.call(&[&b"SET"[..], b"second", &second_value]).await });
    let body = json!(["SET", "third", String::from_utf8(value.clone()).unwrap()]);
    let posted = app.client.post(format!("{}/", app.address)).send_json(&body);
    let posting = actix_web::rt::spawn(async move { posted.await.map(|response| response.status()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second large value waits for the first's memory"
    );
    assert!(!posting.is_finished(), "so does a large HTTP body");
    let mut small = app.resp_client().await;
    assert_eq!(small.call(&["SET", "small", "v"]).await, Reply::OK);

    first.send_raw(rest).await;
    assert_eq!(first.read().await.unwrap(), Reply::OK);
    let second = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert_eq!(second.expect("the second finishes").unwrap(), Reply::OK);
    let third = tokio::time::timeout(Duration::from_secs(10), posting).await;
    assert_eq!(third.expect("the HTTP body is read").unwrap().unwrap(), StatusCode::OK);
    for key in ["second", "third"] {
        assert_eq!(small.call(&["STRLEN", key]).await, Reply::Int(3 * 1024 * 1024));
    }
}
