//! FUNCTION: loading, listing and removing Redis Functions' libraries. FCALL and FCALL_RO,
//! which call a function, run as scripts do (`scripting.rs`).
//!
//! The libraries live twice: their code in the database, written in the writer's
//! transaction with the commands around them, so that they survive a restart; and loaded, in
//! [`Scripts`], where FCALL finds them. A command that changes them runs in the writer, which
//! runs one job at a time: the two never disagree while it does.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use sha1::{Digest, Sha1};

use super::Engine;
use super::args::Args;
use crate::glob::Glob;
use crate::reply::{CmdError, Reply};
use crate::script::{Kind, Library, LibraryCode, Scripts};
use crate::store::{BoxFuture, ReadJob, ReadView, Remote, StoreError, WriteJob, WriteTx};

/// FUNCTION's subcommands: those that change the libraries, and those that look at them.
#[derive(Debug)]
pub enum FunctionCommand {
    Change(Change),
    Inspect(Inspect),
}

/// What changes the libraries, in the writer's transaction.
#[derive(Debug)]
pub enum Change {
    Load { code: Bytes, replace: bool },
    Delete(String),
    Flush,
    Restore { payload: Bytes, policy: Policy },
}

/// What only looks (or stops a running function).
#[derive(Debug)]
pub enum Inspect {
    List { pattern: Option<Bytes>, with_code: bool },
    Dump,
    Stats,
    Kill,
}

/// What FUNCTION RESTORE does with the libraries already loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Adds the payload's; a library of the same name fails the restore.
    Append,
    /// Adds the payload's, replacing those of the same name.
    Replace,
    /// Removes every library first.
    Flush,
}

/// The start of a FUNCTION DUMP payload: its format's name and version.
const DUMP_MAGIC: &[u8] = b"litekv-functions-1\n";
/// Bytes of the payload's SHA1 that end it, as its checksum.
const CHECKSUM_BYTES: usize = 8;

impl FunctionCommand {
    pub(super) fn parse(args: &mut Args) -> Result<Self, CmdError> {
        let given = String::from_utf8_lossy(&args.bytes()?).into_owned();
        let subcommand = given.to_ascii_lowercase();
        let wrong_arity = || CmdError::wrong_arity(&format!("function|{subcommand}"));
        let command = match subcommand.as_str() {
            "load" => {
                let mut replace = false;
                while args.remaining() > 1 {
                    match args.option().as_deref() {
                        Some("REPLACE") => replace = true,
                        Some(other) => return Err(CmdError::new(format!("ERR Unknown option given: {other}"))),
                        None => break,
                    }
                }
                let code = args.bytes().map_err(|_| wrong_arity())?;
                Self::Change(Change::Load { code, replace })
            }
            "delete" if args.remaining() == 1 => {
                Self::Change(Change::Delete(String::from_utf8_lossy(&args.bytes()?).into_owned()))
            }
            "flush" => match args.remaining() {
                0 => Self::Change(Change::Flush),
                1 if matches!(args.option().as_deref(), Some("SYNC" | "ASYNC")) => Self::Change(Change::Flush),
                1 => return Err(CmdError::new("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")),
                _ => return Err(wrong_arity()),
            },
            "restore" if (1..=2).contains(&args.remaining()) => {
                let payload = args.bytes()?;
                let policy = match args.option().as_deref() {
                    None | Some("APPEND") => Policy::Append,
                    Some("REPLACE") => Policy::Replace,
                    Some("FLUSH") => Policy::Flush,
                    Some(_) => {
                        return Err(CmdError::new(
                            "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
                        ));
                    }
                };
                Self::Change(Change::Restore { payload, policy })
            }
            "list" => {
                let (mut pattern, mut with_code) = (None, false);
                while let Some(word) = args.peek().cloned() {
                    match args.option().as_deref() {
                        Some("WITHCODE") => with_code = true,
                        Some("LIBRARYNAME") => {
                            let name = args
                                .bytes()
                                .map_err(|_| CmdError::new("ERR library name argument was not given"))?;
                            pattern = Some(name);
                        }
                        _ => {
                            let word = String::from_utf8_lossy(&word);
                            return Err(CmdError::new(format!("ERR Unknown argument {word}")));
                        }
                    }
                }
                Self::Inspect(Inspect::List { pattern, with_code })
            }
            "dump" if args.remaining() == 0 => Self::Inspect(Inspect::Dump),
            "stats" if args.remaining() == 0 => Self::Inspect(Inspect::Stats),
            "kill" if args.remaining() == 0 => Self::Inspect(Inspect::Kill),
            "delete" | "restore" | "dump" | "stats" | "kill" => return Err(wrong_arity()),
            _ => {
                return Err(CmdError::new(format!(
                    "ERR unknown subcommand '{given}'. Try FUNCTION HELP."
                )));
            }
        };
        Ok(command)
    }

    /// Whether a read-only token may run it: what only looks (not KILL).
    pub(super) fn is_read_only(&self) -> bool {
        matches!(
            self,
            Self::Inspect(Inspect::List { .. } | Inspect::Dump | Inspect::Stats)
        )
    }
}

impl Change {
    /// Runs it in the writer's transaction `tx`: checked first, then written to the
    /// database, then loaded, so that the two agree whatever fails.
    pub(super) async fn exec_in(self, tx: &mut WriteTx<'_>, scripts: &Scripts) -> Result<Reply, StoreError> {
        Ok(match self {
            Self::Load { code, replace } => match load(scripts, code, replace) {
                Ok(library) => {
                    let name = Reply::bulk(library.name().to_owned());
                    match install(tx, scripts, vec![library], replace).await? {
                        Ok(()) => name,
                        Err(error) => Reply::Error(error),
                    }
                }
                Err(error) => Reply::Error(error),
            },
            Self::Delete(name) => match scripts.library(&name) {
                Some(_) => {
                    tx.delete_function_library(&name).await?;
                    scripts.remove_library(&name);
                    Reply::OK
                }
                None => Reply::Error(CmdError::new("ERR Library not found")),
            },
            Self::Flush => {
                tx.delete_function_libraries().await?;
                scripts.clear_libraries();
                Reply::OK
            }
            Self::Restore { payload, policy } => {
                let compiled = undump(&payload).and_then(|codes| {
                    let libraries = codes.into_iter().map(|code| load(scripts, code, true));
                    libraries.collect::<Result<Vec<_>, _>>()
                });
                let libraries = match compiled.and_then(|libraries| check_apart(&libraries).map(|()| libraries)) {
                    Ok(libraries) => libraries,
                    Err(error) => return Ok(Reply::Error(error)),
                };
                if policy == Policy::Flush {
                    tx.delete_function_libraries().await?;
                    scripts.clear_libraries();
                }
                match install(tx, scripts, libraries, policy == Policy::Replace).await? {
                    Ok(()) => Reply::OK,
                    Err(error) => Reply::Error(error),
                }
            }
        })
    }
}

impl Inspect {
    pub(super) fn exec(self, scripts: &Scripts) -> Reply {
        match self {
            Self::List { pattern, with_code } => {
                let glob = pattern.as_deref().map(Glob::new);
                let listed = scripts
                    .libraries()
                    .into_iter()
                    .filter(|library| glob.as_ref().is_none_or(|glob| glob.matches(library.name().as_bytes())))
                    .map(|library| describe(&library, with_code));
                Reply::Array(listed.collect())
            }
            Self::Dump => Reply::Bulk(dump(scripts.libraries().iter().map(|library| &library.code.code[..]))),
            Self::Stats => stats(scripts),
            Self::Kill => match scripts.kill(Kind::Function) {
                Ok(()) => Reply::OK,
                Err(error) => Reply::Error(error),
            },
        }
    }
}

/// The library `code` is, compiled: Redis's error if it names itself wrongly or names one
/// loaded (unless `replace`), before it runs.
fn load(scripts: &Scripts, code: Bytes, replace: bool) -> Result<Library, CmdError> {
    let code = LibraryCode::new(code)?;
    if !replace && scripts.library(&code.name).is_some() {
        return Err(CmdError::new(format!("ERR Library '{}' already exists", code.name)));
    }
    scripts.compile_library(code)
}

/// Installs `libraries`, each replacing one of its name if `replace`, all or none: checked
/// against those loaded, then written, then loaded.
async fn install(
    tx: &mut WriteTx<'_>,
    scripts: &Scripts,
    libraries: Vec<Library>,
    replace: bool,
) -> Result<Result<(), CmdError>, StoreError> {
    if let Some(error) = libraries
        .iter()
        .find_map(|library| scripts.check_install(library, replace).err())
    {
        return Ok(Err(error));
    }
    for library in libraries {
        tx.put_function_library(library.name(), &library.code.code).await?;
        scripts.install(Arc::new(library));
    }
    Ok(Ok(()))
}

/// Checks that no two of a payload's libraries share a name or a function's name.
fn check_apart(libraries: &[Library]) -> Result<(), CmdError> {
    for (index, library) in libraries.iter().enumerate() {
        for earlier in &libraries[..index] {
            if earlier.name() == library.name() {
                return Err(CmdError::new(format!(
                    "ERR Library '{}' already exists",
                    library.name()
                )));
            }
            if let Some(function) = library
                .functions
                .iter()
                .find(|function| earlier.function(&function.name).is_some())
            {
                return Err(CmdError::new(format!("ERR Function {} already exists", function.name)));
            }
        }
    }
    Ok(())
}

/// A library as FUNCTION LIST describes it.
fn describe(library: &Library, with_code: bool) -> Reply {
    let text = |text: &str| Reply::bulk(Bytes::copy_from_slice(text.as_bytes()));
    let functions = library.functions.iter().map(|function| {
        Reply::Map(vec![
            (Reply::bulk("name"), text(&function.name)),
            (
                Reply::bulk("description"),
                function.description.as_deref().map_or(Reply::Nil, text),
            ),
            (
                Reply::bulk("flags"),
                Reply::Set(function.flags.iter().map(|flag| Reply::status(flag)).collect()),
            ),
        ])
    });
    let mut fields = vec![
        (Reply::bulk("library_name"), text(library.name())),
        (Reply::bulk("engine"), Reply::bulk("LUA")),
        (Reply::bulk("functions"), Reply::Array(functions.collect())),
    ];
    if with_code {
        fields.push((Reply::bulk("library_code"), Reply::Bulk(library.code.code.clone())));
    }
    Reply::Map(fields)
}

/// FUNCTION STATS: the function running now, if any, and how many libraries and functions
/// are loaded.
fn stats(scripts: &Scripts) -> Reply {
    let running = scripts
        .running_function()
        .map_or(Reply::Nil, |(name, command, elapsed)| {
            Reply::Map(vec![
                (Reply::bulk("name"), Reply::bulk(name)),
                (Reply::bulk("command"), Reply::array_of_bulks(command)),
                (Reply::bulk("duration_ms"), Reply::count(elapsed.as_millis())),
            ])
        });
    let libraries = scripts.libraries();
    let functions: usize = libraries.iter().map(|library| library.functions.len()).sum();
    let lua = Reply::Map(vec![
        (Reply::bulk("libraries_count"), Reply::count(libraries.len())),
        (Reply::bulk("functions_count"), Reply::count(functions)),
    ]);
    Reply::Map(vec![
        (Reply::bulk("running_script"), running),
        (Reply::bulk("engines"), Reply::Map(vec![(Reply::bulk("LUA"), lua)])),
    ])
}

/// FUNCTION DUMP's payload: the format's name, each library's code after its length, and a
/// checksum.
fn dump<'a>(codes: impl Iterator<Item = &'a [u8]>) -> Bytes {
    let mut payload = BytesMut::from(DUMP_MAGIC);
    for code in codes {
        payload.put_u32(code.len() as u32);
        payload.put_slice(code);
    }
    let checksum = Sha1::digest(&payload);
    payload.put_slice(&checksum[..CHECKSUM_BYTES]);
    payload.freeze()
}

/// The libraries' code in a FUNCTION DUMP payload, or Redis's error for one that is not.
fn undump(payload: &[u8]) -> Result<Vec<Bytes>, CmdError> {
    let wrong = || CmdError::new("ERR DUMP payload version or checksum are wrong");
    let body_length = payload.len().checked_sub(CHECKSUM_BYTES).ok_or_else(wrong)?;
    let (body, checksum) = payload.split_at(body_length);
    if !body.starts_with(DUMP_MAGIC) || Sha1::digest(body)[..CHECKSUM_BYTES] != *checksum {
        return Err(wrong());
    }
    let mut rest = &body[DUMP_MAGIC.len()..];
    let mut codes = Vec::new();
    while !rest.is_empty() {
        let (length, after) = rest.split_first_chunk::<4>().ok_or_else(wrong)?;
        let length = u32::from_be_bytes(*length) as usize;
        let code = after.get(..length).ok_or_else(wrong)?;
        codes.push(Bytes::copy_from_slice(code));
        rest = &after[length..];
    }
    Ok(codes)
}

impl Engine {
    /// Loads the libraries the database holds, as a server starting up does; one that no
    /// longer loads is logged and skipped. Answers how many loaded.
    pub async fn load_functions(&self) -> Result<usize, StoreError> {
        let libraries = self.stored_libraries().await?;
        let loaded = libraries.len();
        self.scripts.replace_libraries(libraries);
        Ok(loaded)
    }

    /// Every library in the database that compiles; one that does not is logged and skipped.
    async fn stored_libraries(&self) -> Result<Vec<Arc<Library>>, StoreError> {
        let (codes, _) = self.store.read_on_reader(self.now_ms(), StoredLibraries).await?;
        let mut libraries = Vec::new();
        for code in codes? {
            match LibraryCode::new(code).and_then(|code| self.scripts.compile_library(code)) {
                Ok(library) => libraries.push(Arc::new(library)),
                Err(error) => tracing::warn!(%error, "a stored function library no longer loads: skipped"),
            }
        }
        Ok(libraries)
    }

    /// Reads the libraries again if another server sharing the database changed them.
    pub(super) async fn refresh_functions(&self) -> Result<(), StoreError> {
        if self.scripts.take_libraries_stale() {
            self.load_functions().await?;
        }
        Ok(())
    }

    /// Runs FUNCTION: a change of the libraries as a job of the writer's, the rest at once.
    pub(super) async fn function_command(&self, command: FunctionCommand) -> Result<Reply, StoreError> {
        self.refresh_functions().await?;
        match command {
            FunctionCommand::Inspect(inspect) => Ok(inspect.exec(&self.scripts)),
            FunctionCommand::Change(change) => {
                let job = ChangeJob {
                    change: Some(change),
                    scripts: Arc::clone(&self.scripts),
                };
                let reply = self.store.write(job).await?;
                if !matches!(reply, Reply::Error(_)) {
                    self.store.tell_others(&Remote::FunctionsChanged);
                }
                Ok(reply)
            }
        }
    }
}

/// Every library's code in the database, read on a reader.
struct StoredLibraries;

impl ReadJob for StoredLibraries {
    type Output = Result<Vec<Bytes>, StoreError>;

    fn run<'a>(self, view: &'a mut ReadView<'_>) -> crate::store::LocalBoxFuture<'a, Self::Output> {
        Box::pin(async move { view.function_libraries().await })
    }
}

/// A FUNCTION that changes the libraries, as a job of the writer's. The writer runs a job
/// once; the change is taken out as it runs.
struct ChangeJob {
    change: Option<Change>,
    scripts: Arc<Scripts>,
}

impl WriteJob for ChangeJob {
    type Output = Reply;

    fn run<'a>(&'a mut self, tx: &'a mut WriteTx<'_>) -> BoxFuture<'a, Result<Reply, StoreError>> {
        Box::pin(async move {
            match self.change.take() {
                Some(change) => change.exec_in(tx, &self.scripts).await,
                None => Ok(Reply::Error(CmdError::new("ERR the command already ran"))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_reads_back_and_a_damaged_one_is_refused() {
        let codes = [&b"#!lua name=a\nx"[..], b"#!lua name=b\ny"];
        let payload = dump(codes.into_iter());
        let undumped = undump(&payload).unwrap();
        assert_eq!(undumped, codes.map(Bytes::from_static));
        let mut damaged = payload.to_vec();
        damaged[DUMP_MAGIC.len() + 5] ^= 1;
        assert_eq!(
            undump(&damaged).unwrap_err().as_str(),
            "ERR DUMP payload version or checksum are wrong"
        );
        assert!(undump(b"garbage").is_err());
    }
}
