//! Writing replies in RESP2, or in RESP3 once a client asked for it with `HELLO 3`.

use std::io::Write;

use bytes::{BufMut, BytesMut};

use crate::reply::{Reply, format_fixed, format_score};

/// The protocol version a connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Resp2,
    Resp3,
}

impl Protocol {
    pub fn version(self) -> i64 {
        match self {
            Self::Resp2 => 2,
            Self::Resp3 => 3,
        }
    }
}

/// Appends `reply` to `out` as `protocol` writes it.
pub fn encode(reply: &Reply, protocol: Protocol, out: &mut BytesMut) {
    let resp3 = protocol == Protocol::Resp3;
    match reply {
        Reply::Nil | Reply::NilArray if resp3 => out.put_slice(b"_\r\n"),
        Reply::Nil => out.put_slice(b"$-1\r\n"),
        Reply::NilArray => out.put_slice(b"*-1\r\n"),
        Reply::Status(status) => line(out, b'+', status.as_bytes()),
        Reply::Error(error) => line(out, b'-', error.as_str().as_bytes()),
        Reply::Int(number) => header(out, b':', *number),
        Reply::Bulk(bytes) => bulk(out, bytes),
        Reply::Double(number) if resp3 => line(out, b',', format_score(*number).as_bytes()),
        Reply::Double(number) => bulk(out, format_score(*number).as_bytes()),
        Reply::FixedDouble(number) if resp3 => line(out, b',', format_fixed(*number).as_bytes()),
        Reply::FixedDouble(number) => bulk(out, format_fixed(*number).as_bytes()),
        Reply::Array(items) => sequence(out, b'*', items, protocol),
        Reply::Set(items) => sequence(out, if resp3 { b'~' } else { b'*' }, items, protocol),
        Reply::Push(items) => sequence(out, if resp3 { b'>' } else { b'*' }, items, protocol),
        Reply::Map(pairs) if resp3 => {
            header(out, b'%', pairs.len() as i64);
            pairs_of(out, pairs, protocol);
        }
        Reply::Pairs(pairs) if resp3 => {
            header(out, b'*', pairs.len() as i64);
            for (first, second) in pairs {
                out.put_slice(b"*2\r\n");
                encode(first, protocol, out);
                encode(second, protocol, out);
            }
        }
        Reply::Map(pairs) | Reply::Pairs(pairs) => {
            header(out, b'*', 2 * pairs.len() as i64);
            pairs_of(out, pairs, protocol);
        }
    }
}

fn sequence(out: &mut BytesMut, kind: u8, items: &[Reply], protocol: Protocol) {
    header(out, kind, items.len() as i64);
    for item in items {
        encode(item, protocol, out);
    }
}

fn pairs_of(out: &mut BytesMut, pairs: &[(Reply, Reply)], protocol: Protocol) {
    for (first, second) in pairs {
        encode(first, protocol, out);
        encode(second, protocol, out);
    }
}

fn header(out: &mut BytesMut, kind: u8, number: i64) {
    out.put_u8(kind);
    // Writing into a growable buffer cannot fail.
    let _ = write!(out.writer(), "{number}\r\n");
}

fn bulk(out: &mut BytesMut, bytes: &[u8]) {
    header(out, b'$', bytes.len() as i64);
    out.put_slice(bytes);
    out.put_slice(b"\r\n");
}

/// A simple string or error: one line, so a line break inside becomes a space.
fn line(out: &mut BytesMut, kind: u8, text: &[u8]) {
    out.put_u8(kind);
    out.extend(
        text.iter()
            .map(|&byte| if byte == b'\r' || byte == b'\n' { b' ' } else { byte }),
    );
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::CmdError;

    fn encoded(reply: &Reply, protocol: Protocol) -> String {
        let mut out = BytesMut::new();
        encode(reply, protocol, &mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn resp2_flattens_what_resp3_types() {
        let map = Reply::Map(vec![(Reply::bulk("f"), Reply::bulk("v"))]);
        let pairs = Reply::Pairs(vec![(Reply::bulk("m"), Reply::Double(1.5))]);
        let set = Reply::Set(vec![Reply::bulk("a")]);
        for (reply, resp2, resp3) in [
            (Reply::Nil, "$-1\r\n", "_\r\n"),
            (Reply::NilArray, "*-1\r\n", "_\r\n"),
            (Reply::OK, "+OK\r\n", "+OK\r\n"),
            (Reply::Int(-7), ":-7\r\n", ":-7\r\n"),
            (Reply::bulk("hé"), "$3\r\nhé\r\n", "$3\r\nhé\r\n"),
            (Reply::Double(f64::NEG_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n"),
            (map, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"),
            (
                pairs,
                "*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n",
                "*1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n",
            ),
            (set, "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"),
            (Reply::Push(vec![Reply::Int(1)]), "*1\r\n:1\r\n", ">1\r\n:1\r\n"),
            (
                Reply::Error(CmdError::new("ERR two\r\nlines")),
                "-ERR two  lines\r\n",
                "-ERR two  lines\r\n",
            ),
        ] {
            assert_eq!(encoded(&reply, Protocol::Resp2), resp2, "{reply:?}");
            assert_eq!(encoded(&reply, Protocol::Resp3), resp3, "{reply:?}");
        }
    }
}
