//! MONITOR: every command the Redis protocol door runs, as a line to each client that asked,
//! in Redis's words: `+<unix seconds>.<micros> [0 <address>] "name" "arg" ...`. A monitor that
//! falls behind loses lines rather than holding the server's memory or other clients up.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use tokio::sync::broadcast;

use crate::reply::Reply;

/// Lines held for a slow monitor before the oldest are dropped.
const BACKLOG: usize = 4096;

/// Commands whose arguments are secrets (tokens): never shown, as Redis hides them.
const HIDDEN: &[&[u8]] = &[b"auth", b"hello"];

#[derive(Debug)]
pub(super) struct Monitors {
    lines: broadcast::Sender<String>,
}

impl Default for Monitors {
    fn default() -> Self {
        Self {
            lines: broadcast::channel(BACKLOG).0,
        }
    }
}

impl Monitors {
    /// Whether any client monitors.
    pub fn is_watched(&self) -> bool {
        self.lines.receiver_count() > 0
    }

    /// Shows the command `args`, run by the client at `peer`, to every monitor.
    pub fn show(&self, args: &[Bytes], peer: SocketAddr) {
        if args
            .first()
            .is_some_and(|name| HIDDEN.iter().any(|hidden| name.eq_ignore_ascii_case(hidden)))
        {
            return;
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let mut line = format!("{}.{:06} [0 {peer}]", now.as_secs(), now.subsec_micros());
        for arg in args {
            line.push(' ');
            quote(arg, &mut line);
        }
        let _ = self.lines.send(line);
    }

    pub fn watch(&self) -> Monitor {
        Monitor(self.lines.subscribe())
    }
}

/// One monitoring client's view of the lines.
#[derive(Debug)]
pub(super) struct Monitor(broadcast::Receiver<String>);

impl Monitor {
    /// The next line, as the status reply a monitor receives.
    pub async fn next(&mut self) -> Reply {
        loop {
            match self.0.recv().await {
                Ok(line) => return Reply::Status(line.into()),
                // Lines it was too slow for are gone; the next one follows.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    }
}

/// `arg` in double quotes, escaped as Redis's `sdscatrepr` escapes it.
fn quote(arg: &[u8], out: &mut String) {
    out.push('"');
    for &byte in arg {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            byte if byte.is_ascii_graphic() || byte == b' ' => out.push(char::from(byte)),
            byte => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_quoted_as_redis_quotes_them() {
        let mut line = String::new();
        quote(b"a \"b\"\\\n\x01\xff", &mut line);
        assert_eq!(line, r#""a \"b\"\\\n\x01\xff""#);
    }
}
