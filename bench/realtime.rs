//! Real-time figures of a running litekv, over its Redis protocol port (`bench/realtime` starts
//! one and runs this):
//!
//! 1. publish-to-receive latency with 100 subscribers on loopback (p50, p99, max);
//! 2. hand-off throughput: elements pushed by 50 clients and taken by 50 clients blocked in
//!    BLPOP, against plain LPUSH throughput of the same 50 pushers, in the same run;
//! 3. the server's CPU while 1,000 clients sit blocked on 1,000 keys.
//!
//!     cargo run --release --example realtime -- <host:port> <server pid>

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const SUBSCRIBERS: usize = 100;
const MESSAGES: usize = 1000;
const CLIENTS: usize = 50;
const THROUGHPUT_SECONDS: u64 = 5;
const IDLE_BLOCKED: usize = 1000;
const IDLE_SECONDS: u64 = 5;

/// One connection, sending commands and reading replies as text (enough for a benchmark).
struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    async fn connect(address: &str) -> Self {
        let stream = TcpStream::connect(address).await.expect("the server accepts");
        stream.set_nodelay(true).unwrap();
        Self {
            stream: BufReader::new(stream),
        }
    }

    async fn send(&mut self, words: &[&str]) {
        let mut out = format!("*{}\r\n", words.len());
        for word in words {
            out.push_str(&format!("${}\r\n{word}\r\n", word.len()));
        }
        self.stream.get_mut().write_all(out.as_bytes()).await.unwrap();
    }

    /// Reads one reply, flattened to its strings.
    async fn read(&mut self) -> Vec<String> {
        let mut parts = Vec::new();
        self.read_into(&mut parts).await;
        parts
    }

    fn read_into<'a>(&'a mut self, parts: &'a mut Vec<String>) -> futures_util::future::BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.unwrap();
            let line = line.trim_end();
            let (kind, rest) = line.split_at(1);
            match kind {
                "*" | ">" => {
                    for _ in 0..rest.parse::<i64>().unwrap().max(0) {
                        self.read_into(parts).await;
                    }
                }
                "$" => {
                    let length: i64 = rest.parse().unwrap();
                    if length >= 0 {
                        let mut bytes = vec![0; length as usize + 2];
                        self.stream.read_exact(&mut bytes).await.unwrap();
                        bytes.truncate(length as usize);
                        parts.push(String::from_utf8(bytes).unwrap());
                    }
                }
                _ => parts.push(rest.to_owned()),
            }
        })
    }

    async fn call(&mut self, words: &[&str]) -> Vec<String> {
        self.send(words).await;
        self.read().await
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

async fn publish_latency(address: &str) {
    let start = Instant::now();
    let mut receivers = Vec::new();
    for _ in 0..SUBSCRIBERS {
        let mut subscriber = Client::connect(address).await;
        subscriber.call(&["SUBSCRIBE", "bench"]).await;
        receivers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(MESSAGES);
            for _ in 0..MESSAGES {
                let message = subscriber.read().await;
                let sent = Duration::from_nanos(message[2].parse().unwrap());
                latencies.push(start.elapsed() - sent);
            }
            latencies
        }));
    }
    let mut publisher = Client::connect(address).await;
    for _ in 0..MESSAGES {
        let sent = start.elapsed().as_nanos().to_string();
        let receivers = publisher.call(&["PUBLISH", "bench", &sent]).await;
        assert_eq!(receivers, [SUBSCRIBERS.to_string()]);
        // Paced, so that this measures latency rather than a queue.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut latencies = Vec::new();
    for receiver in receivers {
        latencies.extend(receiver.await.unwrap());
    }
    latencies.sort();
    println!(
        "publish to receive, {SUBSCRIBERS} subscribers x {MESSAGES} messages: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms   \
         (target p99 <= 5 ms)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
}

/// Runs `CLIENTS` pushers for `THROUGHPUT_SECONDS`; returns pushes per second.
async fn push_for_a_while(address: &str, key: &'static str) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let pushed = Arc::new(AtomicU64::new(0));
    let mut pushers = Vec::new();
    for _ in 0..CLIENTS {
        let mut client = Client::connect(address).await;
        let (stop, pushed) = (Arc::clone(&stop), Arc::clone(&pushed));
        pushers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                client.call(&["LPUSH", key, "job"]).await;
                pushed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(THROUGHPUT_SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    for pusher in pushers {
        pusher.await.unwrap();
    }
    pushed.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn hand_off(address: &str) {
    let plain = push_for_a_while(address, "plain").await;
    Client::connect(address).await.call(&["DEL", "plain"]).await;

    let taken = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mut consumers = Vec::new();
    for _ in 0..CLIENTS {
        let mut client = Client::connect(address).await;
        let (taken, done) = (Arc::clone(&taken), Arc::clone(&done));
        consumers.push(tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                let reply = client.call(&["BLPOP", "handoff", "1"]).await;
                if !reply.is_empty() {
                    taken.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let before = taken.load(Ordering::Relaxed);
    let started = Instant::now();
    let pushed = push_for_a_while(address, "handoff").await;
    let handed = (taken.load(Ordering::Relaxed) - before) as f64 / started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    for consumer in consumers {
        consumer.await.unwrap();
    }
    println!(
        "LPUSH, {CLIENTS} clients: {plain:.0}/s; with {CLIENTS} clients blocked in BLPOP: {pushed:.0} pushes/s, \
         {handed:.0} hand-offs/s"
    );
    println!("hand-off / plain LPUSH: {:.2}   (target >= 0.8)", handed / plain);
}

/// The server's CPU time so far (user + system), from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux's USER_HZ is 100.
    Duration::from_millis(ticks * 10)
}

async fn idle_blocked(address: &str, pid: u32) {
    let mut blocked = Vec::new();
    for index in 0..IDLE_BLOCKED {
        let mut client = Client::connect(address).await;
        client.send(&["BLPOP", &format!("idle:{index}"), "0"]).await;
        blocked.push(client);
    }
    let mut observer = Client::connect(address).await;
    let wanted = format!("blocked_clients:{IDLE_BLOCKED}");
    while !observer.call(&["INFO", "clients"]).await.concat().contains(&wanted) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = cpu_time(pid);
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let used = cpu_time(pid) - before;
    println!(
        "{IDLE_BLOCKED} clients blocked on {IDLE_BLOCKED} keys, {IDLE_SECONDS} s idle: {} ms of server CPU ({:.2}% of a core)",
        used.as_millis(),
        used.as_secs_f64() / IDLE_SECONDS as f64 * 100.0
    );
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let address = args.next().expect("usage: realtime <host:port> <server pid>");
    let pid: u32 = args.next().expect("the server's pid").parse().unwrap();
    publish_latency(&address).await;
    hand_off(&address).await;
    idle_blocked(&address, pid).await;
}
