//! Reading commands off a RESP connection: arrays of bulk strings (what client libraries
//! send) and inline commands (a line of words, what a person types into telnet), as Redis
//! reads them, with limits on every length a client chooses.
//!
//! The decoder keeps its place across reads: a command that arrives in pieces is parsed
//! once, each bulk string taken off the buffer as soon as it is whole.

use bytes::{Buf, Bytes, BytesMut};

/// The most bytes of a line (an inline command, or the header of an array or bulk string)
/// held while waiting for its end, as in Redis.
const MAX_LINE: usize = 64 * 1024;

/// How long the lengths a client announces may be.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    /// The longest bulk string: a key, a value or any other argument.
    pub max_bulk: usize,
    /// The most arguments of one command, its name included.
    pub max_args: usize,
    /// The most bytes of one command's arguments together.
    pub max_command: usize,
}

/// A frame no Redis server would accept. Redis answers `-ERR Protocol error: ...` and
/// closes the connection, and so does litekv: the stream cannot be trusted after it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("ERR Protocol error: {0}")]
pub struct ProtocolError(String);

impl ProtocolError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Decodes commands from the bytes a connection received.
#[derive(Debug)]
pub struct Decoder {
    limits: DecodeLimits,
    /// The array being read: its arguments so far, and how many are still to come.
    array: Option<PartialArray>,
}

#[derive(Debug)]
struct PartialArray {
    args: Vec<Bytes>,
    remaining: usize,
    bytes: usize,
}

impl Decoder {
    pub fn new(limits: DecodeLimits) -> Self {
        Self { limits, array: None }
    }

    /// The bytes the command being read will hold once the bulk string it waits for is whole:
    /// those of its arguments so far, and that bulk's whole frame. Zero between commands.
    pub fn command_bytes(&self, buffer: &BytesMut) -> usize {
        self.array
            .as_ref()
            .map_or(0, |array| array.bytes + self.awaited_frame(buffer))
    }

    /// How long the frame of the bulk string the command being read waits for is, once its
    /// header arrived; zero otherwise.
    pub fn awaited_frame(&self, buffer: &BytesMut) -> usize {
        let awaited = match (&self.array, buffer.first()) {
            (Some(_), Some(b'$')) => bulk_frame(buffer, self.limits.max_bulk).ok().flatten(),
            _ => None,
        };
        awaited.map_or(0, |(_, whole)| whole)
    }

    /// Whether a command was begun and is not whole yet.
    pub fn is_mid_command(&self) -> bool {
        self.array.is_some()
    }

    /// Applies `limits` from the next length read on.
    pub fn set_limits(&mut self, limits: DecodeLimits) {
        self.limits = limits;
    }

    /// The next whole command in `buffer`, taken off it; `None` until one is whole. Empty
    /// commands (an empty line, `*0`) are skipped, as Redis skips them.
    pub fn decode(&mut self, buffer: &mut BytesMut) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        loop {
            if let Some(array) = &mut self.array {
                let Some(arg) = take_bulk(buffer, self.limits.max_bulk)? else {
                    return Ok(None);
                };
                array.bytes += arg.len();
                if array.bytes > self.limits.max_command {
                    return Err(ProtocolError::new(format!(
                        "command of more than {} bytes (--max-request-bytes)",
                        self.limits.max_command
                    )));
                }
                array.args.push(arg);
                array.remaining -= 1;
                if array.remaining == 0 {
                    let args = self.array.take().map(|array| array.args).unwrap_or_default();
                    return Ok(Some(args));
                }
                continue;
            }
            match buffer.first() {
                None => return Ok(None),
                Some(b'*') => {
                    let Some(line) = take_line(buffer, "too big mbulk count string")? else {
                        return Ok(None);
                    };
                    let count = parse_length(&line[1..])
                        .filter(|&count| count <= self.limits.max_args as i64)
                        .ok_or_else(|| ProtocolError::new("invalid multibulk length"))?;
                    if count > 0 {
                        let count = count as usize;
                        self.array = Some(PartialArray {
                            // Arguments are counted as they arrive, not trusted up front.
                            args: Vec::with_capacity(count.min(64)),
                            remaining: count,
                            bytes: 0,
                        });
                    }
                }
                Some(_) => {
                    let Some(line) = take_line(buffer, "too big inline request")? else {
                        return Ok(None);
                    };
                    let args = split_inline(&line)?;
                    if args.len() > self.limits.max_args {
                        return Err(ProtocolError::new("too many arguments in inline request"));
                    }
                    if !args.is_empty() {
                        return Ok(Some(args));
                    }
                }
            }
        }
    }
}

/// Takes one line, without its `\r\n` (or bare `\n`, which telnet users send), off
/// `buffer`; `None` while it is incomplete.
fn take_line(buffer: &mut BytesMut, too_long: &str) -> Result<Option<BytesMut>, ProtocolError> {
    match buffer.iter().position(|&byte| byte == b'\n') {
        Some(end) if end > MAX_LINE => Err(ProtocolError::new(too_long)),
        Some(end) => {
            let mut line = buffer.split_to(end + 1);
            line.truncate(end);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 1);
            }
            Ok(Some(line))
        }
        None if buffer.len() > MAX_LINE => Err(ProtocolError::new(too_long)),
        None => Ok(None),
    }
}

/// Takes one `$<length>\r\n<bytes>\r\n` off `buffer` once it is whole.
fn take_bulk(buffer: &mut BytesMut, max_bulk: usize) -> Result<Option<Bytes>, ProtocolError> {
    let Some(&first) = buffer.first() else {
        return Ok(None);
    };
    if first != b'$' {
        return Err(ProtocolError::new(format!(
            "expected '$', got '{}'",
            char::from(first).escape_default()
        )));
    }
    let Some((header_end, whole)) = bulk_frame(buffer, max_bulk)? else {
        return Ok(None);
    };
    // The connection makes room for the rest, once the memory budget allows it.
    if buffer.len() < whole {
        return Ok(None);
    }
    if &buffer[whole - 2..whole] != b"\r\n" {
        return Err(ProtocolError::new("bulk string not followed by CRLF"));
    }
    buffer.advance(header_end + 1);
    let bulk = buffer.split_to(whole - header_end - 3).freeze();
    buffer.advance(2);
    Ok(Some(bulk))
}

/// Where the header of the `$<length>\r\n<bytes>\r\n` at the start of `buffer` ends (its
/// `\n`), and how long the whole frame is; `None` while the header is incomplete.
fn bulk_frame(buffer: &[u8], max_bulk: usize) -> Result<Option<(usize, usize)>, ProtocolError> {
    let Some(end) = buffer.iter().take(32).position(|&byte| byte == b'\n') else {
        return match buffer.len() >= 32 {
            true => Err(ProtocolError::new("invalid bulk length")),
            false => Ok(None),
        };
    };
    let header = &buffer[1..end];
    let header = header.strip_suffix(b"\r").unwrap_or(header);
    let length = parse_length(header)
        .filter(|&length| (0..=max_bulk as i64).contains(&length))
        .ok_or_else(|| ProtocolError::new("invalid bulk length"))? as usize;
    Ok(Some((end, end + 1 + length + 2)))
}

/// A length as RESP writes one: an optional `-`, then decimal digits.
fn parse_length(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i64, |value, digit| value * 10 + i64::from(digit - b'0'));
    Some(if negative { -value } else { value })
}

/// Splits an inline command into words as Redis does (`sdssplitargs`): spaces separate
/// words; `"..."` holds spaces and escapes (`\n`, `\xff`, `\"`), `'...'` holds spaces and
/// `\'`; a closing quote must end its word.
fn split_inline(line: &[u8]) -> Result<Vec<Bytes>, ProtocolError> {
    let unbalanced = || ProtocolError::new("unbalanced quotes in request");
    let mut words = Vec::new();
    let mut rest = line;
    loop {
        rest = trim_start(rest);
        let Some(&first) = rest.first() else {
            return Ok(words);
        };
        let mut word = Vec::new();
        match first {
            b'"' => rest = double_quoted(&rest[1..], &mut word).ok_or_else(unbalanced)?,
            b'\'' => rest = single_quoted(&rest[1..], &mut word).ok_or_else(unbalanced)?,
            _ => {
                let end = rest.iter().position(u8::is_ascii_whitespace).unwrap_or(rest.len());
                word.extend_from_slice(&rest[..end]);
                rest = &rest[end..];
            }
        }
        words.push(Bytes::from(word));
    }
}

fn trim_start(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(text.len());
    &text[start..]
}

/// Reads a `"`-quoted word's body into `word`; returns what follows it, or `None` if the
/// quote is not closed or is followed by something other than a space.
fn double_quoted<'a>(mut text: &'a [u8], word: &mut Vec<u8>) -> Option<&'a [u8]> {
    loop {
        match text {
            [b'\\', b'x', high, low, rest @ ..] if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                word.push(hex_value(*high) << 4 | hex_value(*low));
                text = rest;
            }
            [b'\\', escaped, rest @ ..] => {
                word.push(match escaped {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'a' => 7,
                    other => *other,
                });
                text = rest;
            }
            [b'"', rest @ ..] => return ends_word(rest),
            [byte, rest @ ..] => {
                word.push(*byte);
                text = rest;
            }
            [] => return None,
        }
    }
}

/// As [`double_quoted`], for `'`: only `\'` is an escape.
fn single_quoted<'a>(mut text: &'a [u8], word: &mut Vec<u8>) -> Option<&'a [u8]> {
    loop {
        match text {
            [b'\\', b'\'', rest @ ..] => {
                word.push(b'\'');
                text = rest;
            }
            [b'\'', rest @ ..] => return ends_word(rest),
            [byte, rest @ ..] => {
                word.push(*byte);
                text = rest;
            }
            [] => return None,
        }
    }
}

fn ends_word(rest: &[u8]) -> Option<&[u8]> {
    rest.first().is_none_or(u8::is_ascii_whitespace).then_some(rest)
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: DecodeLimits = DecodeLimits {
        max_bulk: 16,
        max_args: 8,
        max_command: 64,
    };

    fn decode_all(input: &[u8]) -> Result<Vec<Vec<Bytes>>, ProtocolError> {
        let mut decoder = Decoder::new(LIMITS);
        let mut buffer = BytesMut::from(input);
        let mut commands = Vec::new();
        while let Some(command) = decoder.decode(&mut buffer)? {
            commands.push(command);
        }
        Ok(commands)
    }

    fn words(words: &[&str]) -> Vec<Bytes> {
        words
            .iter()
            .map(|word| Bytes::copy_from_slice(word.as_bytes()))
            .collect()
    }

    #[test]
    fn arrays_of_bulk_strings_and_inline_commands_decode_alike() {
        let commands =
            decode_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\nPING\n\r\n*0\r\n*1\r\n$0\r\n\r\n");
        assert_eq!(
            commands.unwrap(),
            [
                words(&["SET", "k", "hello"]),
                words(&["GET", "k"]),
                words(&["PING"]),
                words(&[""])
            ]
        );
    }

    #[test]
    fn a_command_split_anywhere_decodes_once_it_is_whole() {
        let input = b"*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n";
        for split in 0..input.len() {
            let mut decoder = Decoder::new(LIMITS);
            let mut buffer = BytesMut::from(&input[..split]);
            assert_eq!(decoder.decode(&mut buffer), Ok(None), "split at {split}");
            buffer.extend_from_slice(&input[split..]);
            assert_eq!(decoder.decode(&mut buffer), Ok(Some(words(&["ECHO", "hello world"]))));
            assert!(buffer.is_empty());
        }
    }

    #[test]
    fn inline_commands_take_quotes_and_escapes_as_redis_does() {
        let commands = decode_all(b"SET \"a b\" 'it\\'s' \"\\x41\\n\" plain\r\n").unwrap();
        assert_eq!(commands, [words(&["SET", "a b", "it's", "A\n", "plain"])]);
        for unbalanced in [&b"GET \"open\r\n"[..], b"GET 'open\r\n", b"GET \"a\"b\r\n"] {
            assert_eq!(
                decode_all(unbalanced).unwrap_err().to_string(),
                "ERR Protocol error: unbalanced quotes in request"
            );
        }
    }

    #[test]
    fn malformed_and_oversized_frames_are_protocol_errors() {
        for (input, message) in [
            (&b"*x\r\n"[..], "invalid multibulk length"),
            (b"*9\r\n", "invalid multibulk length"),
            (b"*1\r\n:1\r\n", "expected '$', got ':'"),
            (b"*1\r\n+OK\r\n", "expected '$', got '+'"),
            (b"*1\r\n$-1\r\n", "invalid bulk length"),
            (b"*1\r\n$17\r\n", "invalid bulk length"),
            (b"*1\r\n$1\r\nab\r\n", "bulk string not followed by CRLF"),
            (b"*5\r\n$16\r\n0123456789abcdef\r\n$16\r\n0123456789abcdef\r\n$16\r\n0123456789abcdef\r\n$16\r\n0123456789abcdef\r\n$1\r\nx\r\n", "command of more than 64 bytes (--max-request-bytes)"),
        ] {
            let error = decode_all(input).unwrap_err().to_string();
            assert_eq!(error, format!("ERR Protocol error: {message}"), "{:?}", String::from_utf8_lossy(input));
        }
        let endless_line = vec![b'a'; MAX_LINE + 1];
        assert_eq!(
            decode_all(&endless_line).unwrap_err().to_string(),
            "ERR Protocol error: too big inline request"
        );
    }

    mod fuzz {
        use proptest::collection::vec;
        use proptest::prelude::*;

        use super::*;

        const ROOMY: DecodeLimits = DecodeLimits {
            max_bulk: 1024,
            max_args: 64,
            max_command: 64 * 1024,
        };

        /// Feeds `input` in pieces cut at `cuts`; returns the commands and the error, if any.
        fn feed(input: &[u8], cuts: &[usize], limits: DecodeLimits) -> (Vec<Vec<Bytes>>, Option<ProtocolError>) {
            let mut decoder = Decoder::new(limits);
            let mut buffer = BytesMut::new();
            let mut commands = Vec::new();
            let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut % (input.len() + 1)).collect();
            cuts.push(input.len());
            cuts.sort_unstable();
            let mut fed = 0;
            for cut in cuts {
                buffer.extend_from_slice(&input[fed..cut]);
                fed = cut;
                loop {
                    match decoder.decode(&mut buffer) {
                        Ok(Some(command)) => commands.push(command),
                        Ok(None) => break,
                        Err(error) => return (commands, Some(error)),
                    }
                }
            }
            (commands, None)
        }

        fn encoded(commands: &[Vec<Vec<u8>>]) -> Vec<u8> {
            let mut out = Vec::new();
            for command in commands {
                out.extend(format!("*{}\r\n", command.len()).bytes());
                for arg in command {
                    out.extend(format!("${}\r\n", arg.len()).bytes());
                    out.extend(arg);
                    out.extend(b"\r\n");
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn any_bytes_in_any_pieces_decode_or_fail_without_panicking(
                input in vec(any::<u8>(), 0..512),
                cuts in vec(any::<usize>(), 0..8),
            ) {
                let (commands, _) = feed(&input, &cuts, LIMITS);
                for command in commands {
                    prop_assert!(!command.is_empty() && command.len() <= LIMITS.max_args);
                    prop_assert!(command.iter().all(|arg| arg.len() <= LIMITS.max_bulk.max(MAX_LINE)));
                }
            }

            #[test]
            fn encoded_commands_decode_to_themselves_however_they_are_cut(
                commands in vec(vec(vec(any::<u8>(), 0..40), 1..6), 0..6),
                cuts in vec(any::<usize>(), 0..8),
            ) {
                let (decoded, error) = feed(&encoded(&commands), &cuts, ROOMY);
                prop_assert_eq!(error, None);
                let decoded: Vec<Vec<Vec<u8>>> = decoded
                    .into_iter()
                    .map(|command| command.into_iter().map(|arg| arg.to_vec()).collect())
                    .collect();
                prop_assert_eq!(decoded, commands);
            }

            #[test]
            fn damaged_frames_never_panic(
                commands in vec(vec(vec(any::<u8>(), 0..20), 1..4), 1..4),
                damage in vec((any::<usize>(), any::<u8>()), 1..4),
                cuts in vec(any::<usize>(), 0..4),
            ) {
                let mut input = encoded(&commands);
                for (at, byte) in damage {
                    let at = at % input.len();
                    input[at] = byte;
                }
                let (decoded, _) = feed(&input, &cuts, ROOMY);
                prop_assert!(decoded.len() <= input.len());
            }
        }
    }
}
