//! Redis's HyperLogLog, byte for byte, so that a value moved between Redis and litekv with
//! GET and SET keeps counting the same: a 16-byte header (`HYLL`, the encoding, three unused
//! bytes, a cached count), then 16,384 six-bit registers, either dense (12,288 bytes) or
//! sparse (run-length opcodes, promoted to dense past 3,000 bytes, Redis's default
//! `hll-sparse-max-bytes`). Elements are hashed with MurmurHash64A and counted with Ertl's
//! estimator, as Redis 5 and later do; every step below follows Redis's `hyperloglog.c`, so
//! the same elements give the same bytes and the same count.

const HEADER_BYTES: usize = 16;
/// Bits of the hash that pick a register.
const INDEX_BITS: u32 = 14;
pub const REGISTERS: usize = 1 << INDEX_BITS;
/// Bits of the hash left for the run of zeros.
const RUN_BITS: u32 = 64 - INDEX_BITS;
const REGISTER_BITS: usize = 6;
const REGISTER_MAX: u32 = (1 << REGISTER_BITS) - 1;
const DENSE_BYTES: usize = HEADER_BYTES + (REGISTERS * REGISTER_BITS).div_ceil(8);
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
/// Redis's default `hll-sparse-max-bytes`: a sparse value about to grow past it turns dense.
const SPARSE_MAX_BYTES: usize = 3000;
const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_RUN: usize = 4;
const ZERO_MAX_RUN: usize = 64;
const XZERO_MAX_RUN: usize = 16384;
/// The cached count's top bit: set, the count must be worked out again.
const STALE_COUNT: u8 = 1 << 7;

/// Why a string cannot be counted.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    /// It is not a HyperLogLog at all (no `HYLL` header, an unknown encoding, a dense value
    /// of the wrong length).
    NotSketch,
    /// Its sparse registers do not add up.
    Corrupt,
}

/// A HyperLogLog's bytes, checked as Redis checks them before use.
#[derive(Clone, Debug)]
pub struct Sketch(Vec<u8>);

/// One sparse opcode: a run of registers that are zero, or hold one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opcode {
    /// `00xxxxxx`: 1 to 64 zeros.
    Zero(usize),
    /// `01xxxxxx yyyyyyyy`: 1 to 16,384 zeros.
    XZero(usize),
    /// `1vvvvvxx`: 1 to 4 registers of value 1 to 32.
    Val(u8, usize),
}

impl Opcode {
    /// The opcode at `bytes[at]`, and its length in bytes.
    fn at(bytes: &[u8], at: usize) -> Result<(Self, usize), Invalid> {
        let byte = bytes[at];
        Ok(match byte >> 6 {
            0b00 => (Self::Zero(usize::from(byte & 0x3f) + 1), 1),
            0b01 => {
                let low = *bytes.get(at + 1).ok_or(Invalid::Corrupt)?;
                let run = (usize::from(byte & 0x3f) << 8 | usize::from(low)) + 1;
                (Self::XZero(run), 2)
            }
            _ => (Self::Val(((byte >> 2) & 0x1f) + 1, usize::from(byte & 0x3) + 1), 1),
        })
    }

    fn run(self) -> usize {
        match self {
            Self::Zero(run) | Self::XZero(run) | Self::Val(_, run) => run,
        }
    }

    fn write(self, out: &mut Vec<u8>) {
        match self {
            Self::Zero(run) => out.push((run - 1) as u8),
            Self::XZero(run) => out.extend([0x40 | ((run - 1) >> 8) as u8, ((run - 1) & 0xff) as u8]),
            Self::Val(value, run) => out.push(0x80 | (value - 1) << 2 | (run - 1) as u8),
        }
    }

    /// The shortest opcode for `run` zeros.
    fn zeros(run: usize) -> Self {
        match run > ZERO_MAX_RUN {
            true => Self::XZero(run),
            false => Self::Zero(run),
        }
    }
}

impl Default for Sketch {
    /// An empty sketch, sparse: every register zero.
    fn default() -> Self {
        let mut bytes = b"HYLL".to_vec();
        bytes.extend([SPARSE, 0, 0, 0]);
        bytes.extend([0; 8]);
        for _ in 0..REGISTERS / XZERO_MAX_RUN {
            Opcode::XZero(XZERO_MAX_RUN).write(&mut bytes);
        }
        Self(bytes)
    }
}

impl Sketch {
    /// The sketch a string holds, if it holds one.
    pub fn parse(bytes: &[u8]) -> Result<Self, Invalid> {
        let valid = bytes.len() >= HEADER_BYTES
            && bytes.starts_with(b"HYLL")
            && match bytes[4] {
                DENSE => bytes.len() == DENSE_BYTES,
                SPARSE => true,
                _ => false,
            };
        match valid {
            true => Ok(Self(bytes.to_vec())),
            false => Err(Invalid::NotSketch),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn is_dense(&self) -> bool {
        self.0[4] == DENSE
    }

    /// Adds an element: whether a register grew (and so the count may have changed).
    pub fn add(&mut self, element: &[u8]) -> Result<bool, Invalid> {
        let (register, run) = register_and_run(element);
        self.raise(register, run)
    }

    /// Raises register `index` to `value` if it is lower: whether it was.
    pub fn raise(&mut self, index: usize, value: u8) -> Result<bool, Invalid> {
        let raised = match self.is_dense() {
            true => dense_raise(&mut self.0[HEADER_BYTES..], index, value),
            false => self.sparse_raise(index, value)?,
        };
        if raised {
            self.0[HEADER_BYTES - 1] |= STALE_COUNT;
        }
        Ok(raised)
    }

    /// Marks the cached count stale: PFADD and PFMERGE do, even when no register grew on a
    /// new key.
    pub fn mark_count_stale(&mut self) {
        self.0[HEADER_BYTES - 1] |= STALE_COUNT;
    }

    /// Turns dense, as PFMERGE's destination does when one of its sources is.
    pub fn make_dense(&mut self) -> Result<(), Invalid> {
        if self.is_dense() {
            return Ok(());
        }
        let mut dense = vec![0; DENSE_BYTES];
        dense[..HEADER_BYTES].copy_from_slice(&self.0[..HEADER_BYTES]);
        dense[4] = DENSE;
        self.visit_sparse(|index, value| {
            dense_raise(&mut dense[HEADER_BYTES..], index, value);
        })?;
        self.0 = dense;
        Ok(())
    }

    /// Raises each of `registers` to this sketch's register where that is higher.
    pub fn merge_into(&self, registers: &mut [u8; REGISTERS]) -> Result<(), Invalid> {
        let mut merge = |index: usize, value: u8| {
            let register = &mut registers[index];
            *register = (*register).max(value);
        };
        match self.is_dense() {
            true => {
                let dense = &self.0[HEADER_BYTES..];
                (0..REGISTERS).for_each(|index| merge(index, dense_get(dense, index)));
                Ok(())
            }
            false => self.visit_sparse(merge),
        }
    }

    /// The estimated count: the cached one if it is current, as Redis answers it. (Redis
    /// also writes a count it worked out back into the header; litekv's PFCOUNT only reads.)
    pub fn count(&self) -> Result<u64, Invalid> {
        let cached = &self.0[HEADER_BYTES - 8..HEADER_BYTES];
        if cached[7] & STALE_COUNT == 0 {
            return Ok(u64::from_le_bytes(cached.try_into().expect("eight bytes")));
        }
        let mut registers = [0; REGISTERS];
        self.merge_into(&mut registers)?;
        Ok(estimate(&registers))
    }

    /// Calls `visit` with each non-zero register of a sparse sketch; fails if the runs do not
    /// cover exactly every register.
    fn visit_sparse(&self, mut visit: impl FnMut(usize, u8)) -> Result<(), Invalid> {
        let (mut at, mut index) = (HEADER_BYTES, 0);
        while at < self.0.len() {
            let (opcode, length) = Opcode::at(&self.0, at)?;
            if let Opcode::Val(value, run) = opcode {
                if index + run > REGISTERS {
                    return Err(Invalid::Corrupt);
                }
                (index..index + run).for_each(|register| visit(register, value));
            }
            index += opcode.run();
            at += length;
        }
        match index == REGISTERS {
            true => Ok(()),
            false => Err(Invalid::Corrupt),
        }
    }

    /// Redis's `hllSparseSet`: splits the opcode that covers `index` into at most three,
    /// merges equal neighbours, and turns dense when the value needs it or the string would
    /// grow past [`SPARSE_MAX_BYTES`].
    fn sparse_raise(&mut self, index: usize, value: u8) -> Result<bool, Invalid> {
        if value > VAL_MAX_VALUE {
            return self.promote_and_raise(index, value);
        }
        let (mut at, mut first, mut previous) = (HEADER_BYTES, 0, None);
        let (opcode, length) = loop {
            if at >= self.0.len() {
                return Err(Invalid::Corrupt);
            }
            let (opcode, length) = Opcode::at(&self.0, at)?;
            if index < first + opcode.run() {
                break (opcode, length);
            }
            previous = Some(at);
            at += length;
            first += opcode.run();
        };
        let last = first + opcode.run() - 1;
        let mut replacement = Vec::with_capacity(5);
        match opcode {
            Opcode::Val(current, _) if current >= value => return Ok(false),
            Opcode::Val(_, 1) | Opcode::Zero(1) => Opcode::Val(value, 1).write(&mut replacement),
            Opcode::Val(current, _) => {
                if index != first {
                    Opcode::Val(current, index - first).write(&mut replacement);
                }
                Opcode::Val(value, 1).write(&mut replacement);
                if index != last {
                    Opcode::Val(current, last - index).write(&mut replacement);
                }
            }
            Opcode::Zero(_) | Opcode::XZero(_) => {
                if index != first {
                    Opcode::zeros(index - first).write(&mut replacement);
                }
                Opcode::Val(value, 1).write(&mut replacement);
                if index != last {
                    Opcode::zeros(last - index).write(&mut replacement);
                }
            }
        }
        if replacement.len() > length && self.0.len() + replacement.len() - length > SPARSE_MAX_BYTES {
            return self.promote_and_raise(index, value);
        }
        self.0.splice(at..at + length, replacement);
        self.merge_equal_values(previous.unwrap_or(HEADER_BYTES));
        Ok(true)
    }

    fn promote_and_raise(&mut self, index: usize, value: u8) -> Result<bool, Invalid> {
        self.make_dense()?;
        Ok(dense_raise(&mut self.0[HEADER_BYTES..], index, value))
    }

    /// Joins adjacent runs of one value into one opcode where it fits, looking at up to five
    /// opcodes from `from`, as Redis does after each change.
    fn merge_equal_values(&mut self, from: usize) {
        let (mut at, mut looks) = (from, 5);
        while at < self.0.len() && looks > 0 {
            looks -= 1;
            match Opcode::at(&self.0, at) {
                Ok((Opcode::Val(value, run), _)) => {
                    if let Some(Ok((Opcode::Val(next, next_run), _))) =
                        (at + 1 < self.0.len()).then(|| Opcode::at(&self.0, at + 1))
                        && next == value
                        && run + next_run <= VAL_MAX_RUN
                    {
                        let mut merged = Vec::with_capacity(1);
                        Opcode::Val(value, run + next_run).write(&mut merged);
                        self.0.splice(at..at + 2, merged);
                        continue;
                    }
                    at += 1;
                }
                Ok((_, length)) => at += length,
                Err(_) => return,
            }
        }
    }
}

/// The register an element falls in (the hash's low 14 bits), and the value it offers it:
/// one more than the zeros that follow in the hash.
fn register_and_run(element: &[u8]) -> (usize, u8) {
    let hash = murmur_hash_64a(element, 0xadc8_3b19);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = hash >> INDEX_BITS | 1 << RUN_BITS;
    (index, rest.trailing_zeros() as u8 + 1)
}

fn dense_get(registers: &[u8], index: usize) -> u8 {
    let (byte, shift) = (index * REGISTER_BITS / 8, (index * REGISTER_BITS) & 7);
    let low = u32::from(registers[byte]);
    let high = u32::from(registers.get(byte + 1).copied().unwrap_or(0));
    ((low >> shift | high << (8 - shift)) & REGISTER_MAX) as u8
}

/// Raises a dense register to `value` if it is lower: whether it was.
fn dense_raise(registers: &mut [u8], index: usize, value: u8) -> bool {
    if dense_get(registers, index) >= value {
        return false;
    }
    let (byte, shift) = (index * REGISTER_BITS / 8, (index * REGISTER_BITS) & 7);
    let value = u32::from(value);
    registers[byte] &= !(REGISTER_MAX << shift) as u8;
    registers[byte] |= (value << shift) as u8;
    // The last register's high part is always zero: it would land past the end.
    if let Some(next) = registers.get_mut(byte + 1) {
        *next &= !(REGISTER_MAX >> (8 - shift)) as u8;
        *next |= (value >> (8 - shift)) as u8;
    }
    true
}

/// Ertl's estimate ("New cardinality estimation algorithms for HyperLogLog sketches",
/// arXiv:1702.01284) from the registers' histogram, in Redis's order of operations.
pub fn estimate(registers: &[u8; REGISTERS]) -> u64 {
    let mut histogram = [0u32; 64];
    for &register in registers {
        histogram[usize::from(register & 63)] += 1;
    }
    let m = REGISTERS as f64;
    let top = RUN_BITS as usize;
    let mut z = m * tau((m - f64::from(histogram[top + 1])) / m);
    for count in histogram[1..=top].iter().rev() {
        z += f64::from(*count);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histogram[0]) / m);
    // 0.5 / ln 2, as Redis writes it.
    const ALPHA_INF: f64 = 0.721_347_520_444_481_7;
    (ALPHA_INF * m * m / z).round() as u64
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        // powf, as Redis's pow(), not a multiplication: the last bit matters here.
        z -= (1.0 - x).powf(2.0) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// Austin Appleby's MurmurHash64A, reading the input little-endian as Redis does on every
/// machine it supports.
fn murmur_hash_64a(data: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = u64::from(seed) ^ (data.len() as u64).wrapping_mul(M);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let mut k = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (at, byte) in tail.iter().enumerate() {
            h ^= u64::from(*byte) << (8 * at);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis's `PFADD k` on a missing key makes this value, but for the stale-count bit.
    #[test]
    fn a_new_sketch_is_redis_s_empty_sparse_value() {
        let empty = Sketch::default().into_bytes();
        assert_eq!(&empty[..5], b"HYLL\x01");
        assert_eq!(&empty[16..], &[0x7f, 0xff]);
    }

    #[test]
    fn counts_stay_within_the_error_bound_through_the_promotion_to_dense() {
        let mut sketch = Sketch::default();
        for n in 0..20_000u32 {
            sketch.add(format!("element:{n}").as_bytes()).unwrap();
        }
        assert!(sketch.is_dense());
        let count = sketch.count().unwrap() as f64;
        assert!((count - 20_000.0).abs() < 20_000.0 * 0.02, "{count}");
    }

    #[test]
    fn sparse_and_dense_encodings_count_the_same() {
        let mut sketch = Sketch::default();
        for n in 0..300u32 {
            sketch.add(&n.to_le_bytes()).unwrap();
        }
        assert!(!sketch.is_dense());
        let sparse = sketch.count().unwrap();
        sketch.make_dense().unwrap();
        assert_eq!(sketch.count().unwrap(), sparse);
    }

    #[test]
    fn damaged_sparse_runs_are_corrupt() {
        let mut sketch = Sketch::default();
        sketch.mark_count_stale();
        let mut bytes = sketch.into_bytes();
        bytes.push(0x00);
        assert_eq!(Sketch::parse(&bytes).unwrap().count(), Err(Invalid::Corrupt));
        assert!(matches!(Sketch::parse(b"HYLL\x00 too short"), Err(Invalid::NotSketch)));
        assert!(matches!(Sketch::parse(b"not a sketch at all"), Err(Invalid::NotSketch)));
    }
}
