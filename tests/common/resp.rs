//! A minimal RESP client for tests: sends commands as arrays of bulk strings (or raw bytes)
//! and reads replies, RESP2 or RESP3, back into the engine's [`Reply`].

use std::time::Duration;

use bytes::Bytes;
use litekv::reply::{CmdError, Reply};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct RespClient {
    stream: BufReader<TcpStream>,
}

/// A reply, or what ended the connection instead.
pub type Read = std::io::Result<Reply>;

impl RespClient {
    pub async fn connect(address: std::net::SocketAddr) -> Self {
        let stream = TcpStream::connect(address).await.expect("the RESP port accepts");
        stream.set_nodelay(true).unwrap();
        Self {
            stream: BufReader::new(stream),
        }
    }

    /// Sends one command and reads its reply.
    pub async fn call(&mut self, words: &[impl AsRef<[u8]>]) -> Reply {
        self.send(words).await;
        self.read().await.expect("a reply")
    }

    /// Sends one command and reads its reply; an error if the connection failed either way.
    pub async fn try_call(&mut self, words: &[impl AsRef<[u8]>]) -> Read {
        self.stream.get_mut().write_all(&encode_command(words)).await?;
        self.read().await
    }

    /// Sends one command as an array of bulk strings, without reading.
    pub async fn send(&mut self, words: &[impl AsRef<[u8]>]) {
        self.send_raw(&encode_command(words)).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.expect("the server reads");
    }

    /// Reads one reply; an error if the connection ended (or nothing came for 10 s).
    pub async fn read(&mut self) -> Read {
        match tokio::time::timeout(Duration::from_secs(10), read_reply(&mut self.stream)).await {
            Ok(reply) => reply,
            Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "no reply in 10 s")),
        }
    }

    /// Whether the server closed the connection (reads end of stream within 10 s).
    pub async fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(
            tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut byte)).await,
            Ok(Ok(0) | Err(_))
        )
    }
}

pub fn encode_command(words: &[impl AsRef<[u8]>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for word in words {
        let word = word.as_ref();
        out.extend_from_slice(format!("${}\r\n", word.len()).as_bytes());
        out.extend_from_slice(word);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn read_reply(stream: &mut BufReader<TcpStream>) -> futures_util::future::BoxFuture<'_, Read> {
    Box::pin(async move {
        let mut line = Vec::new();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        line.truncate(line.len().saturating_sub(2));
        let (kind, rest) = line.split_first().ok_or(std::io::ErrorKind::InvalidData)?;
        let text = String::from_utf8_lossy(rest).into_owned();
        let number = || {
            text.parse::<i64>()
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))
        };
        Ok(match kind {
            b'+' => Reply::Status(text.into()),
            b'-' => Reply::Error(CmdError::new(text)),
            b':' => Reply::Int(number()?),
            b'_' => Reply::Nil,
            b',' => Reply::Double(match text.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                text => text
                    .parse()
                    .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?,
            }),
            b'$' | b'=' => match number()? {
                -1 => Reply::Nil,
                length => {
                    let mut bulk = vec![0u8; length as usize + 2];
                    stream.read_exact(&mut bulk).await?;
                    bulk.truncate(length as usize);
                    if *kind == b'=' {
                        bulk.drain(..4);
                    }
                    Reply::Bulk(Bytes::from(bulk))
                }
            },
            b'*' | b'~' | b'>' => match number()? {
                -1 => Reply::NilArray,
                count => {
                    let mut items = Vec::with_capacity(count as usize);
                    for _ in 0..count {
                        items.push(read_reply(stream).await?);
                    }
                    match kind {
                        b'~' => Reply::Set(items),
                        b'>' => Reply::Push(items),
                        _ => Reply::Array(items),
                    }
                }
            },
            b'%' => {
                let mut pairs = Vec::new();
                for _ in 0..number()? {
                    pairs.push((read_reply(stream).await?, read_reply(stream).await?));
                }
                Reply::Map(pairs)
            }
            _ => return Err(std::io::ErrorKind::InvalidData.into()),
        })
    })
}
