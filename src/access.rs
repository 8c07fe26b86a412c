//! Who may do what, whatever the protocol: access tokens (read-write and read-only), the
//! commands a read-only token may run (`NOPERM`), and the checks that discard a whole
//! transaction before it runs (`EXECABORT`). Each front door finds the token in its own
//! way and asks here.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::cmd::{self, Command};
use crate::reply::CmdError;

/// What a client's token lets it do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Reads only, and not the ones that walk the whole keyspace (KEYS, SCAN), as Upstash's
    /// read-only tokens.
    ReadOnly,
    ReadWrite,
}

/// The tokens clients may present. With none configured, everyone may do everything.
///
/// Only SHA-256 digests are kept: comparing digests takes the same time whatever the
/// lengths, and the tokens themselves never sit in memory to be logged.
#[derive(Clone, Default)]
pub struct Tokens {
    digests: Vec<([u8; 32], Access)>,
}

impl Tokens {
    /// Adds a token; empty ones are ignored, so an unset variable set to "" grants nothing.
    pub fn add(&mut self, token: &str, access: Access) {
        if !token.is_empty() {
            self.digests.push((digest(token.as_bytes()), access));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// What a client presenting `candidates` may do: everything if no token is configured;
    /// otherwise what the first candidate that is a token allows, or `None`.
    pub fn grant<'a>(&self, candidates: impl IntoIterator<Item = &'a str>) -> Option<Access> {
        if self.is_empty() {
            return Some(Access::ReadWrite);
        }
        candidates.into_iter().find_map(|candidate| self.access_of(candidate))
    }

    /// Compares the candidate with every token, never stopping early.
    fn access_of(&self, candidate: &str) -> Option<Access> {
        let candidate = digest(candidate.as_bytes());
        let mut granted = None;
        for (expected, access) in &self.digests {
            if same_digest(expected, &candidate) {
                // Read-write wins if a token was configured both ways.
                granted = granted.max(Some(*access));
            }
        }
        granted
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.digests.len())
    }
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

/// Compares without stopping at the first difference, so timing reveals nothing about how
/// much of a guess was right.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0, |difference, (x, y)| difference | (x ^ y));
    std::hint::black_box(difference) == 0
}

impl Access {
    /// Refuses a command this access may not run, with Redis's `NOPERM`. `name` is the
    /// command's name as the client sent it.
    pub fn authorize(self, command: &Command, name: &[u8]) -> Result<(), CmdError> {
        match self {
            Self::ReadOnly if !command.is_allowed_read_only() => Err(CmdError::new(format!(
                "NOPERM this token is read-only: it has no permissions to run the '{}' command",
                String::from_utf8_lossy(name).to_lowercase()
            ))),
            _ => Ok(()),
        }
    }

    /// Refuses a write that is not a Redis command (the native API's), with `NOPERM`.
    pub fn authorize_write(self) -> Result<(), CmdError> {
        match self {
            Self::ReadWrite => Ok(()),
            Self::ReadOnly => Err(CmdError::new(
                "NOPERM this token is read-only: it cannot write keys; use a read-write token",
            )),
        }
    }
}

/// Checks a transaction's commands before any runs: an unknown command or a wrong number of
/// arguments discards it whole, as Redis's `EXECABORT` does. Other errors are answered in
/// place when it runs.
pub fn check_transaction(commands: &[Vec<Bytes>]) -> Result<(), CmdError> {
    match commands.iter().find_map(|args| cmd::check_queueable(args).err()) {
        Some(error) => Err(CmdError::new(format!(
            "EXECABORT Transaction discarded because of previous errors: {error}"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_grants_its_access_and_nothing_else_matches() {
        let mut tokens = Tokens::default();
        tokens.add("writer", Access::ReadWrite);
        tokens.add("reader", Access::ReadOnly);
        tokens.add("", Access::ReadWrite);
        assert_eq!(tokens.access_of("writer"), Some(Access::ReadWrite));
        assert_eq!(tokens.access_of("reader"), Some(Access::ReadOnly));
        for wrong in ["", "write", "writer!", "Writer", "readerwriter"] {
            assert_eq!(tokens.access_of(wrong), None, "{wrong:?}");
        }
        tokens.add("reader", Access::ReadWrite);
        assert_eq!(tokens.access_of("reader"), Some(Access::ReadWrite));
    }

    #[test]
    fn a_transaction_with_an_unknown_command_or_a_wrong_arity_is_discarded() {
        let command = |words: &[&str]| {
            words
                .iter()
                .map(|word| Bytes::copy_from_slice(word.as_bytes()))
                .collect()
        };
        assert_eq!(
            check_transaction(&[command(&["SET", "k", "v"]), command(&["GET", "k"])]),
            Ok(())
        );
        assert_eq!(
            check_transaction(&[command(&["SET", "k", "v"]), command(&["GET"])])
                .unwrap_err()
                .as_str(),
            "EXECABORT Transaction discarded because of previous errors: ERR wrong number of arguments for 'get' command"
        );
    }
}
