//! `LCS`: the longest common subsequence of two strings, as Redis computes it.

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{ReadView, StoreError};

/// The most cells of the table LCS fills ((len1 + 1) × (len2 + 1), 4 bytes each): 64 MiB.
const MAX_CELLS: usize = 16 * 1024 * 1024;

/// What LCS answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// The subsequence itself.
    Text,
    /// Its length (`LEN`).
    Length,
    /// Where it matches in each string (`IDX`), ranges of at least `min_length`.
    Ranges { min_length: u64, with_lengths: bool },
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`.
#[derive(Debug)]
pub struct Lcs {
    keys: [Bytes; 2],
    answer: Answer,
}

impl Lcs {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let keys = [args.key()?, args.key()?];
        let (mut length, mut ranges, mut min_length, mut with_lengths) = (false, false, 0, false);
        while let Some(option) = args.option() {
            match option.as_str() {
                "LEN" => length = true,
                "IDX" => ranges = true,
                "WITHMATCHLEN" => with_lengths = true,
                "MINMATCHLEN" => min_length = args.int()?.max(0) as u64,
                _ => return Err(CmdError::syntax()),
            }
        }
        let answer = match (length, ranges) {
            (true, true) => {
                return Err(CmdError::new(
                    "ERR If you want both the length and indexes, please just use IDX.",
                ));
            }
            (true, false) => Answer::Length,
            (false, true) => Answer::Ranges {
                min_length,
                with_lengths,
            },
            (false, false) => Answer::Text,
        };
        Ok(Self { keys, answer })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        let mut values = Vec::with_capacity(2);
        for key in &self.keys {
            let value = match view.get(key).await {
                Ok(entry) => entry.map(|entry| entry.value).unwrap_or_default(),
                Err(StoreError::WrongType) => {
                    return Err(CmdError::new("ERR The specified keys must contain string values").into());
                }
                Err(error) => return Err(error.into()),
            };
            values.push(value);
        }
        let (a, b) = (&values[0], &values[1]);
        if (a.len() + 1).saturating_mul(b.len() + 1) > MAX_CELLS {
            return Err(CmdError::new(format!(
                "ERR LCS of strings of {} and {} bytes needs more memory than litekv gives it: the lengths plus one \
                 may multiply to at most {MAX_CELLS}",
                a.len(),
                b.len()
            ))
            .into());
        }
        Ok(self.answer(a, b))
    }

    fn answer(&self, a: &[u8], b: &[u8]) -> Reply {
        let table = Table::fill(a, b);
        let mut text = Vec::with_capacity(table.length());
        let mut ranges = Vec::new();
        // Walks back from the ends, as Redis does, so ranges come last match first.
        let (mut i, mut j) = (a.len(), b.len());
        let mut open: Option<Match> = None;
        while i > 0 && j > 0 {
            let emit;
            if a[i - 1] == b[j - 1] {
                text.push(a[i - 1]);
                open = Some(match open {
                    Some(range) => Match {
                        a_start: i - 1,
                        b_start: j - 1,
                        ..range
                    },
                    None => Match {
                        a_start: i - 1,
                        a_end: i - 1,
                        b_start: j - 1,
                        b_end: j - 1,
                    },
                });
                emit = i == 1 || j == 1;
                i -= 1;
                j -= 1;
            } else {
                if table.at(i - 1, j) > table.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit = open.is_some();
            }
            if emit && let Some(range) = open.take() {
                ranges.push(range);
            }
        }
        text.reverse();
        match self.answer {
            Answer::Text => Reply::bulk(text),
            Answer::Length => Reply::count(text.len()),
            Answer::Ranges {
                min_length,
                with_lengths,
            } => {
                let matches = ranges
                    .into_iter()
                    .filter(|range| range.length() >= min_length)
                    .map(|range| range.reply(with_lengths))
                    .collect();
                Reply::Map(vec![
                    (Reply::bulk("matches"), Reply::Array(matches)),
                    (Reply::bulk("len"), Reply::count(text.len())),
                ])
            }
        }
    }
}

/// The lengths of the longest common subsequences of every pair of prefixes.
struct Table {
    columns: usize,
    cells: Vec<u32>,
}

impl Table {
    fn fill(a: &[u8], b: &[u8]) -> Self {
        let columns = b.len() + 1;
        let mut table = Self {
            columns,
            cells: vec![0; (a.len() + 1) * columns],
        };
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cell = match a[i - 1] == b[j - 1] {
                    true => table.at(i - 1, j - 1) + 1,
                    false => table.at(i - 1, j).max(table.at(i, j - 1)),
                };
                table.cells[i * columns + j] = cell;
            }
        }
        table
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.columns + j]
    }

    fn length(&self) -> usize {
        self.cells.last().copied().unwrap_or(0) as usize
    }
}

/// A run of the subsequence that is contiguous in both strings.
#[derive(Clone, Copy, Debug)]
struct Match {
    a_start: usize,
    a_end: usize,
    b_start: usize,
    b_end: usize,
}

impl Match {
    fn length(self) -> u64 {
        (self.a_end - self.a_start + 1) as u64
    }

    fn reply(self, with_length: bool) -> Reply {
        let span = |start: usize, end: usize| Reply::Array(vec![Reply::count(start), Reply::count(end)]);
        let mut parts = vec![span(self.a_start, self.a_end), span(self.b_start, self.b_end)];
        if with_length {
            parts.push(Reply::count(self.length()));
        }
        Reply::Array(parts)
    }
}
