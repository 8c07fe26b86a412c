//! Redis Functions' libraries (FUNCTION LOAD): Lua code whose first line names it
//! (`#!lua name=mylib`) and which registers functions when it runs
//! (`redis.register_function`), each callable by name with FCALL.

use bytes::Bytes;

use crate::reply::CmdError;

/// Redis 7's script flags: what a function may declare (`redis.register_function{...,
/// flags={...}}`), and a script's shebang line too (see `shebang_flags`).
const REDIS_FLAGS: &[&str] = &[
    "no-writes",
    "allow-oom",
    "allow-stale",
    "no-cluster",
    "allow-cross-slot-keys",
];

/// A library's code, with the name its first line gives it.
#[derive(Clone, Debug)]
pub struct LibraryCode {
    pub name: String,
    pub code: Bytes,
    /// The code's SHA1: an interpreter that loaded this code keeps its functions under it.
    pub(super) sha: String,
}

impl LibraryCode {
    /// Reads the first line's metadata, with Redis's errors.
    pub fn new(code: Bytes) -> Result<Self, CmdError> {
        let Some(shebang) = code.strip_prefix(b"#!") else {
            return Err(CmdError::new("ERR Missing library metadata"));
        };
        let line = shebang.split(|&byte| byte == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        let mut parts = line.split(' ').filter(|part| !part.is_empty());
        let engine = parts.next().unwrap_or_default();
        if !engine.eq_ignore_ascii_case("lua") {
            return Err(CmdError::new(format!("ERR Engine '{engine}' not found")));
        }
        let mut name = None;
        for part in parts {
            match part.strip_prefix("name=") {
                Some(given) => name = Some(given.to_owned()),
                None => return Err(CmdError::new(format!("ERR Invalid metadata value given: {part}"))),
            }
        }
        let name = name.ok_or_else(|| CmdError::new("ERR Library name was not given"))?;
        if !is_valid_name(&name) {
            return Err(CmdError::new(format!("ERR {NAME_RULE}")));
        }
        Ok(Self {
            name,
            sha: super::vm::sha1_hex(&code),
            code,
        })
    }

    /// The code as Lua compiles it: the first line made a comment, so lines keep their numbers.
    pub(super) fn lua_source(&self) -> Vec<u8> {
        let mut source = self.code.to_vec();
        source[..2].copy_from_slice(b"--");
        source
    }
}

/// A loaded library: its code, and the functions it registered, in the order it did.
#[derive(Debug)]
pub struct Library {
    pub code: LibraryCode,
    pub functions: Vec<FunctionSpec>,
}

impl Library {
    pub fn name(&self) -> &str {
        &self.code.name
    }

    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|function| function.name == name)
    }
}

/// A function as its library registered it.
#[derive(Clone, Debug)]
pub struct FunctionSpec {
    pub name: String,
    pub description: Option<String>,
    pub flags: Vec<&'static str>,
}

impl FunctionSpec {
    /// Declared `no-writes`: FCALL_RO may call it, and it may not write.
    pub fn no_writes(&self) -> bool {
        self.flags.contains(&"no-writes")
    }
}

/// What a library's or a function's name may be, in Redis's words (for both).
pub(super) const NAME_RULE: &str =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// Whether `name` may name a library or a function: letters, digits and underscores.
pub(super) fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// The flag named `flag`, if functions may declare it.
pub(super) fn known_flag(flag: &str) -> Option<&'static str> {
    REDIS_FLAGS.iter().find(|known| **known == flag).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(code: &str) -> Result<String, String> {
        LibraryCode::new(Bytes::copy_from_slice(code.as_bytes()))
            .map(|library| library.name)
            .map_err(|error| error.as_str().to_owned())
    }

    #[test]
    fn the_first_line_names_the_library_as_redis_reads_it() {
        assert_eq!(name_of("#!lua name=mylib\nreturn 1"), Ok("mylib".to_owned()));
        assert_eq!(name_of("#!LUA  name=a_1 \nreturn 1"), Ok("a_1".to_owned()));
        assert_eq!(name_of("return 1"), Err("ERR Missing library metadata".to_owned()));
        assert_eq!(name_of("#!js name=x\n"), Err("ERR Engine 'js' not found".to_owned()));
        assert_eq!(name_of("#!lua\n"), Err("ERR Library name was not given".to_owned()));
        assert_eq!(
            name_of("#!lua name=x foo=bar\n"),
            Err("ERR Invalid metadata value given: foo=bar".to_owned())
        );
        assert!(
            name_of("#!lua name=bad-name\n")
                .unwrap_err()
                .starts_with("ERR Library names can only contain")
        );
    }
}
