//! HyperLogLog: PFADD, PFCOUNT and PFMERGE over strings that hold Redis's own sketches
//! ([`sketch`]).

mod sketch;

use bytes::Bytes;

use crate::cmd::args::Args;
use crate::reply::{CmdError, ExecError, Reply};
use crate::store::{EventClass, ReadView, WriteTx};
use sketch::{Invalid, REGISTERS, Sketch};

impl From<Invalid> for CmdError {
    fn from(invalid: Invalid) -> Self {
        match invalid {
            Invalid::NotSketch => Self::new("WRONGTYPE Key is not a valid HyperLogLog string value."),
            Invalid::Corrupt => Self::new("INVALIDOBJ Corrupted HLL object detected"),
        }
    }
}

impl From<Invalid> for ExecError {
    fn from(invalid: Invalid) -> Self {
        Self::Command(invalid.into())
    }
}

/// The sketch at `key` and its expiry, if there is one.
async fn read_sketch(view: &mut ReadView<'_>, key: &[u8]) -> Result<Option<(Sketch, Option<i64>)>, ExecError> {
    match view.get(key).await? {
        Some(entry) => Ok(Some((Sketch::parse(&entry.value)?, entry.expires_at))),
        None => Ok(None),
    }
}

/// Raises `registers` to the sketches' at `keys` (missing keys count as empty): whether one
/// of them is dense.
async fn merge_sketches(
    view: &mut ReadView<'_>,
    keys: &[Bytes],
    registers: &mut [u8; REGISTERS],
) -> Result<bool, ExecError> {
    let mut any_dense = false;
    for key in keys {
        if let Some((sketch, _)) = read_sketch(view, key).await? {
            any_dense |= sketch.is_dense();
            sketch.merge_into(registers)?;
        }
    }
    Ok(any_dense)
}

/// `PFADD key [element ...]`: 1 if the count may have changed (or the key was created).
#[derive(Debug)]
pub struct PfAdd {
    key: Bytes,
    elements: Vec<Bytes>,
}

impl PfAdd {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            key: args.key()?,
            elements: args.rest(),
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        let found = read_sketch(&mut tx.read(now_ms), &self.key).await?;
        let created = found.is_none();
        let (mut sketch, expires_at) = found.unwrap_or_default();
        let mut changed = created;
        for element in &self.elements {
            changed |= sketch.add(element)?;
        }
        if !changed {
            return Ok(Reply::Int(0));
        }
        sketch.mark_count_stale();
        tx.notify_created(created, &self.key);
        tx.notify(EventClass::String, "pfadd", &self.key);
        tx.put(self.key, sketch.into_bytes().into(), expires_at, now_ms).await?;
        Ok(Reply::Int(1))
    }
}

/// `PFCOUNT key [key ...]`: the estimated count of one sketch, or of the union of several.
#[derive(Debug)]
pub struct PfCount {
    keys: Vec<Bytes>,
}

impl PfCount {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self { keys: args.keys()? })
    }

    pub(in crate::cmd) async fn exec(&self, view: &mut ReadView<'_>) -> Result<Reply, ExecError> {
        if let [key] = self.keys.as_slice() {
            let count = match read_sketch(view, key).await? {
                Some((sketch, _)) => sketch.count()?,
                None => 0,
            };
            return Ok(Reply::count(count));
        }
        view.consistent().await?;
        let mut registers = Box::new([0; REGISTERS]);
        merge_sketches(view, &self.keys, &mut registers).await?;
        Ok(Reply::count(sketch::estimate(&registers)))
    }
}

/// `PFMERGE destkey [sourcekey ...]`: the destination (itself a source) becomes the union.
#[derive(Debug)]
pub struct PfMerge {
    destination: Bytes,
    /// The other sources.
    sources: Vec<Bytes>,
}

impl PfMerge {
    pub(in crate::cmd) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        Ok(Self {
            destination: args.key()?,
            sources: args.keys()?,
        })
    }

    pub(in crate::cmd) async fn exec(self, tx: &mut WriteTx<'_>, now_ms: i64) -> Result<Reply, ExecError> {
        // The destination is read once, and merged first, as Redis takes it first of the
        // sources.
        let found = read_sketch(&mut tx.read(now_ms), &self.destination).await?;
        let mut registers = Box::new([0; REGISTERS]);
        let mut any_dense = false;
        if let Some((sketch, _)) = &found {
            any_dense = sketch.is_dense();
            sketch.merge_into(&mut registers)?;
        }
        any_dense |= merge_sketches(&mut tx.read(now_ms), &self.sources, &mut registers).await?;
        let created = found.is_none();
        let (mut sketch, expires_at) = found.unwrap_or_default();
        if any_dense {
            sketch.make_dense()?;
        }
        for (index, &value) in registers.iter().enumerate() {
            if value > 0 {
                sketch.raise(index, value)?;
            }
        }
        sketch.mark_count_stale();
        tx.notify_created(created, &self.destination);
        // Redis's event for a merge, "a mass-add of elements".
        tx.notify(EventClass::String, "pfadd", &self.destination);
        tx.put(self.destination, sketch.into_bytes().into(), expires_at, now_ms)
            .await?;
        Ok(Reply::OK)
    }
}
