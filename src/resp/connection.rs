//! One RESP connection: read what the client sent, run every whole command in order, send
//! the replies in that order, and read again.
//!
//! Memory stays bounded whatever the client does: the input holds at most one incomplete
//! command (within the decoder's limits) beyond what was read at once, and replies are
//! sent (waiting for a slow reader) whenever they pass a high-water mark, before more
//! commands run.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::decode::{DecodeLimits, Decoder, ProtocolError};
use super::encode::encode;
use super::server::Shared;
use super::session::{Flow, OUTPUT_HIGH_WATER, Session};
use crate::broker::Ended;
use crate::budget::{self, Reserved};
use crate::connections::Admission;
use crate::reply::{CmdError, Reply};

/// Bytes read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;
/// Most commands decoded before they run: a pipeline longer than this runs in parts.
const MAX_DECODED: usize = 1024;
/// Most bytes read ahead while commands run (a blocked client may pipeline more).
const MAX_READ_AHEAD: usize = 1024 * 1024;

/// Redis's limits for a client that has not authenticated yet: a stranger cannot make the
/// server buffer much.
const UNAUTHENTICATED: DecodeLimits = DecodeLimits {
    max_bulk: 16 * 1024,
    max_args: 10,
    max_command: 64 * 1024,
};

pub(super) async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    admission: Admission,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    if !admission.admitted() {
        let refusal = format!(
            "-ERR max number of clients reached (the server serves at most {} connections, \
             --max-connections)\r\n",
            shared.connections.max()
        );
        let _ = stream.write_all(refusal.as_bytes()).await;
        return;
    }
    let _ = stream.set_nodelay(true);
    let local = stream.local_addr().unwrap_or(peer);
    let registration = shared.clients.register(peer, local);
    let id = registration.id;
    tracing::debug!(target: "litekv::resp", client = id, %peer, "connected");
    let (hangup, hung_up) = watch::channel(false);
    let mut session = Session::new(Arc::clone(&shared), registration, hung_up);
    let mut connection = Connection {
        stream,
        input: BytesMut::with_capacity(READ_CHUNK),
        output: BytesMut::with_capacity(READ_CHUNK),
        decoder: Decoder::new(limits(&shared, &session)),
        pending: VecDeque::new(),
        hangup,
        reserved: Reserved::default(),
        reserved_bytes: 0,
    };
    let ended = connection.run(&mut session, &shared, &mut stopped).await;
    tracing::debug!(target: "litekv::resp", client = id, %peer, reason = ended, "disconnected");
    drop(admission);
}

/// How far decoding the input got.
enum Decoded {
    /// Every whole command was taken.
    Drained,
    /// As many as allowed at once were taken; more may be whole.
    Full,
    /// The input broke the protocol after the commands taken.
    Failed(ProtocolError),
}

struct Connection {
    stream: TcpStream,
    input: BytesMut,
    output: BytesMut,
    decoder: Decoder,
    pending: VecDeque<Vec<Bytes>>,
    /// Set once the client closed its end, found by reading while commands ran.
    hangup: watch::Sender<bool>,
    /// The memory budget's bytes held for the large command being read, and how many.
    reserved: Reserved,
    reserved_bytes: usize,
}

impl Connection {
    /// Serves until the client leaves or the server stops; returns why it ended.
    async fn run(
        &mut self,
        session: &mut Session,
        shared: &Shared,
        stopped: &mut watch::Receiver<bool>,
    ) -> &'static str {
        loop {
            // Until a client authenticated, each command runs before the next is decoded:
            // AUTH lifts the limits the next one is read under.
            let most = if session.is_authenticated() { MAX_DECODED } else { 1 };
            let decoded = self.decode(most);
            let unread = self.input.len();
            while !self.pending.is_empty() {
                let flow = self.run_commands(session).await;
                if self.flush().await.is_err() {
                    return "write failed";
                }
                if flow == Flow::Close {
                    return "closed by the client";
                }
            }
            self.decoder.set_limits(limits(shared, session));
            if !self.decoder.is_mid_command() {
                self.release_memory();
            }
            match decoded {
                Decoded::Failed(error) => {
                    tracing::debug!(target: "litekv::resp", %error, "protocol error");
                    let reply = Reply::Error(CmdError::new(error.to_string()));
                    encode(&reply, session.protocol(), &mut self.output);
                    let _ = self.flush().await;
                    return "protocol error";
                }
                // More whole commands may be waiting in the input: run them before reading.
                Decoded::Full => continue,
                // Read while the commands ran: decode that first.
                Decoded::Drained if self.input.len() > unread => continue,
                Decoded::Drained => {}
            }
            if *stopped.borrow() {
                return "server stopping";
            }
            if *self.hangup.borrow() {
                return "closed by the client";
            }
            tokio::select! {
                () = self.reserve_memory(shared) => {}
                _ = stopped.changed() => return "server stopping",
            }
            self.input.reserve(READ_CHUNK);
            // A connection that listens to channels gets their messages while it waits, and
            // is never idle, as in Redis.
            let read = loop {
                let listening = session.waits_for_others();
                tokio::select! {
                    read = self.stream.read_buf(&mut self.input) => break read,
                    message = session.next_message() => {
                        let (push, ended) = match message {
                            Ok(push) => (push, None),
                            Err(ended) => (Reply::Error(CmdError::new(ended.to_string())), Some(ended)),
                        };
                        encode(&push, session.protocol(), &mut self.output);
                        if self.flush().await.is_err() {
                            return "write failed";
                        }
                        match ended {
                            Some(Ended::Overflow { .. }) => return "pub/sub messages past the buffer limit",
                            Some(Ended::Closed) => return "server stopping",
                            None => {}
                        }
                    }
                    _ = stopped.changed() => return "server stopping",
                    () = idle(shared), if !listening => return "idle timeout",
                }
            };
            match read {
                Ok(0) => return "closed by the client",
                Ok(_) => {}
                Err(_) => return "read failed",
            }
        }
    }

    /// Runs pending commands, reading on meanwhile: a client that closes its end while a
    /// command blocks stops the wait.
    async fn run_commands(&mut self, session: &mut Session) -> Flow {
        let run = session.run(&mut self.pending, &mut self.output);
        tokio::pin!(run);
        loop {
            let reading = !*self.hangup.borrow() && self.input.len() < MAX_READ_AHEAD;
            self.input.reserve(READ_CHUNK);
            tokio::select! {
                flow = &mut run => return flow,
                read = self.stream.read_buf(&mut self.input), if reading => {
                    if matches!(read, Ok(0) | Err(_)) {
                        self.hangup.send_replace(true);
                    }
                }
            }
        }
    }

    /// Before the rest of a large command is read: waits until the memory budget holds its
    /// bytes, then makes room for the bulk string it waits for in one allocation.
    async fn reserve_memory(&mut self, shared: &Shared) {
        let needed = self.decoder.command_bytes(&self.input);
        if needed < budget::LARGE || needed <= self.reserved_bytes {
            return;
        }
        shared
            .settings
            .memory
            .grow(&mut self.reserved, needed - self.reserved_bytes)
            .await;
        let frame = self.decoder.awaited_frame(&self.input);
        self.input.reserve(frame.saturating_sub(self.input.len()));
        self.reserved_bytes = needed;
    }

    /// Gives back what the last large command held: its arguments were dropped once it ran.
    /// The input's allocation, sized for it, goes too.
    fn release_memory(&mut self) {
        if self.reserved_bytes == 0 {
            return;
        }
        self.reserved = Reserved::default();
        self.reserved_bytes = 0;
        if self.input.capacity() > 4 * READ_CHUNK {
            self.input = BytesMut::from(&self.input[..]);
        }
    }

    /// Decodes up to `most` whole commands into `pending`.
    fn decode(&mut self, most: usize) -> Decoded {
        while self.pending.len() < most {
            match self.decoder.decode(&mut self.input) {
                Ok(Some(command)) => self.pending.push_back(command),
                Ok(None) => return Decoded::Drained,
                Err(error) => return Decoded::Failed(error),
            }
        }
        Decoded::Full
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        if self.output.is_empty() {
            return Ok(());
        }
        self.stream.write_all(&self.output).await?;
        self.output.clear();
        if self.output.capacity() > 4 * OUTPUT_HIGH_WATER {
            // A huge reply is gone: give its memory back.
            self.output = BytesMut::with_capacity(READ_CHUNK);
        }
        Ok(())
    }
}

fn limits(shared: &Shared, session: &Session) -> DecodeLimits {
    match session.is_authenticated() {
        true => shared.settings.decode,
        false => UNAUTHENTICATED,
    }
}

/// Resolves once the connection was idle for the configured time; never without one.
async fn idle(shared: &Shared) {
    match shared.settings.idle_timeout {
        Some(timeout) => tokio::time::sleep(timeout).await,
        None => std::future::pending().await,
    }
}
