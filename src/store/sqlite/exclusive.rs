//! One server per database file. A server's store assumes that its writer alone changes live
//! values (its cache, WATCH and blocked clients hear of every change from that writer), so a
//! second server on the same file would take writes the first never hears of, and the first
//! would answer stale values. A server therefore holds an exclusive lock on the file for its
//! life, and a second one, finding it held, refuses to start, naming the process that holds
//! it. litekv-cleanup and backups take no such lock: they run beside a server, as they must.
//!
//! The lock is an `flock`, which SQLite's own locks (POSIX record locks) never meet. The
//! descriptor that holds it stays open until the server let go of its database: closing any
//! descriptor of a file drops every POSIX lock this process holds on it, SQLite's included.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{base_options, check_file, in_memory};
use crate::store::{IfMissing, StoreError, StoreOptions};

/// The lock a server holds on its database file; released when dropped.
#[derive(Debug)]
pub(in crate::store) struct ServerLock {
    /// `None` for a database in memory, which no other process can open.
    _file: Option<File>,
}

impl ServerLock {
    /// Takes the lock on the database `options` name, creating the file if it is missing;
    /// refuses if another process holds it.
    pub(in crate::store) fn acquire(options: &StoreOptions) -> Result<Self, StoreError> {
        let path = base_options(options)?.get_filename().to_path_buf();
        if in_memory(&path) {
            return Ok(Self { _file: None });
        }
        check_file(&path, IfMissing::Create)?;
        let file = open_or_create(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Refused(format!(
                "the database {} is already served by {}: stop that server first, or give this one \
                 another database (--database-url)",
                path.display(),
                holder(&file).unwrap_or_else(|| "another litekv server".to_owned()),
            ))),
            Err(TryLockError::Error(error)) => Err(refused(&path, &error)),
        }
    }
}

/// Opens the database file to lock it; an empty new file is a new database to SQLite.
fn open_or_create(path: &Path) -> Result<File, StoreError> {
    let exists = path.exists();
    OpenOptions::new()
        .read(true)
        .write(!exists)
        .create(!exists)
        .open(path)
        .map_err(|error| refused(path, &error))
}

fn refused(path: &Path, error: &std::io::Error) -> StoreError {
    StoreError::Refused(format!(
        "cannot open the database {} to lock it: {error}",
        path.display()
    ))
}

/// The process holding the lock on `file`, as `pid N (name)`, from the kernel's table of locks
/// (Linux's /proc/locks); `None` where there is no such table.
fn holder(file: &File) -> Option<String> {
    let metadata = file.metadata().ok()?;
    let device = metadata.dev();
    // The table names a file by its device, as major:minor in hex, and its inode.
    let major = ((device >> 8) & 0xfff) | ((device >> 32) & !0xfff);
    let minor = (device & 0xff) | ((device >> 12) & !0xff);
    let wanted = format!("{major:02x}:{minor:02x}:{}", metadata.ino());
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // `1: FLOCK  ADVISORY  WRITE 12345 fd:01:67890 0 EOF`
        (fields.get(1) == Some(&"FLOCK") && fields.get(5) == Some(&wanted.as_str())).then(|| fields[4].to_owned())
    })?;
    let name = std::fs::read_to_string(PathBuf::from("/proc").join(&pid).join("comm")).unwrap_or_default();
    Some(match name.trim() {
        "" => format!("pid {pid}"),
        name => format!("pid {pid} ({name})"),
    })
}
