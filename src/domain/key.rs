use std::fmt;

/// The longest key accepted, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 512;

/// A key of the native API: non-empty UTF-8 of at most [`MAX_KEY_BYTES`] bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the key is empty: address a key as /<key>/, for example /user-config/")]
    Empty,
    #[error("the key is not valid UTF-8 after percent-decoding")]
    NotUtf8,
    #[error("the key is {0} bytes long; keys are at most {MAX_KEY_BYTES} bytes")]
    TooLong(usize),
}

impl Key {
    /// Accepts already-decoded bytes as a key.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        if bytes.len() > MAX_KEY_BYTES {
            return Err(KeyError::TooLong(bytes.len()));
        }
        String::from_utf8(bytes).map(Self).map_err(|_| KeyError::NotUtf8)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    pub fn into_bytes(self) -> bytes::Bytes {
        self.0.into()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_may_hold_any_utf8_up_to_the_limit() {
        for key in ["a", "user:42/profile", "café ☕", &"k".repeat(MAX_KEY_BYTES)] {
            assert_eq!(Key::parse(key.as_bytes().to_vec()).unwrap().as_str(), key);
        }
    }

    #[test]
    fn empty_overlong_and_non_utf8_keys_are_rejected() {
        assert_eq!(Key::parse(vec![]), Err(KeyError::Empty));
        let too_long = vec![b'k'; MAX_KEY_BYTES + 1];
        assert_eq!(Key::parse(too_long), Err(KeyError::TooLong(MAX_KEY_BYTES + 1)));
        // A multi-byte character that crosses the limit still counts in bytes.
        let mut crossing = "k".repeat(MAX_KEY_BYTES - 1).into_bytes();
        crossing.extend("é".as_bytes());
        assert_eq!(Key::parse(crossing), Err(KeyError::TooLong(MAX_KEY_BYTES + 1)));
        assert_eq!(Key::parse(vec![0xff, 0xfe]), Err(KeyError::NotUtf8));
    }
}
