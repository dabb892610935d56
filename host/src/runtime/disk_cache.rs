//! Compiled modules on disk, so a second process running the same EEs compiles nothing
//! (what wasmtime's cache does). An entry is one file named by the in-memory cache key
//! (code hash, engine, cost-table hash, compile-relevant limits, role and libraries) under
//! the cache directory:
//!
//! ```text
//! MAGIC (8) ‖ version (32) ‖ key (32) ‖ tag (32) ‖ wasmer's serialized module
//! ```
//!
//! `version` is sha256 of the format, wasmer's and ee-host's versions, the source text of
//! everything the host compiles into a module besides its code
//! ([`INSTRUMENTATION_SOURCES`]) and the target;
//! `tag` is HMAC-SHA256, under a secret made on first use (`<dir>/secret`, mode 0600),
//! of everything before it and the module. A file that is truncated, corrupted, written
//! by another version, renamed to another key or rewritten without the secret fails the
//! check and is deleted and recompiled — wasmer's artifact is native code, so it is
//! loaded only after the check. (Who can read the secret can forge entries: the
//! directory is trusted like the user's other files.) Entries are written to a temporary
//! file and renamed, so concurrent processes never see half an entry; the directory is
//! bounded in bytes, the least recently written entries evicted first.
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &[u8; 8] = b"EEMODC\x00\x01";
const HEADER: usize = 8 + 32 + 32 + 32;
/// The source text of what the host compiles into a module besides its code: the
/// gatekeeper's facts, the stack limit and its call-graph plan, operator pricing and
/// metering, the profiler's counters, the instrumenting rewrite and the tunables. Its hash is
/// part of every entry's version, so a module instrumented by a build whose
/// instrumentation differs in any way is never served, with nothing to remember to bump
/// (a host that loaded a stale entry would charge gas differently from one that compiled
/// afresh, and their roots would differ).
pub const INSTRUMENTATION_SOURCES: &[&str] = &[
    include_str!("mod.rs"),
    include_str!("gatekeeper.rs"),
    include_str!("callgraph.rs"),
    include_str!("instrument.rs"),
    include_str!("stack.rs"),
    include_str!("profile.rs"),
    include_str!("tunables.rs"),
    include_str!("../gas/mod.rs"),
    include_str!("../gas/operators.rs"),
    include_str!("../gas/resources.rs"),
    include_str!("../limits.rs"),
];

/// The default bound on the directory's size.
pub const DEFAULT_MAX_BYTES: u64 = 512 << 20;

/// What the cache did since it was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskStats {
    /// Entries found and loaded.
    pub hits: u64,
    /// Keys with no entry.
    pub misses: u64,
    /// Entries that failed the check (deleted, recompiled).
    pub rejected: u64,
    /// Entries written.
    pub written: u64,
    /// Entries evicted to stay under the size bound.
    pub evicted: u64,
}

/// A directory of compiled modules.
pub struct DiskCache {
    dir: PathBuf,
    max_bytes: u64,
    secret: [u8; 32],
    version: [u8; 32],
    stats: Mutex<DiskStats>,
}

/// Why the cache directory could not be used.
#[derive(Debug, thiserror::Error)]
#[error("module cache {dir}: {cause}")]
pub struct DiskCacheError {
    /// The directory.
    pub dir: String,
    /// What failed (shown in the message, not also as the `source()`).
    pub cause: std::io::Error,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".tmp-{}-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    ));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `path` with `bytes` (mode 0600) unless it exists: written to a temporary file
/// and hard-linked into place, which fails if another process got there first — then its
/// file stays. A file that exists but is not 32 bytes (truncated) is replaced.
fn publish_once(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".tmp-secret-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&tmp);
    write_atomically(&tmp, bytes, 0o600)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if std::fs::metadata(path)?.len() != 32 {
                // A broken secret (e.g. truncated): replace it.
                write_atomically(path, bytes, 0o600)?;
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// [`crate::files::read_bounded`] for the cache: `None` when the file is absent, not a
/// regular file, or larger than `max` (a miss); other I/O errors stay errors.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    match crate::files::read_bounded(path, max) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(crate::files::FileError::Io { cause, .. }) if cause.kind() != std::io::ErrorKind::NotFound => {
            Err(cause)
        }
        Err(_) => Ok(None),
    }
}

impl DiskCache {
    /// The directory `EE_CACHE_DIR` names, else `$XDG_CACHE_HOME/ee/modules`, else
    /// `$HOME/.cache/ee/modules`.
    pub fn default_dir() -> Option<PathBuf> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        var("EE_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("ee/modules")))
            .or_else(|| var("HOME").map(|d| d.join(".cache/ee/modules")))
    }

    /// Opens (creating) `dir`, bounded to `max_bytes`.
    pub fn open(dir: impl Into<PathBuf>, max_bytes: u64) -> Result<Self, DiskCacheError> {
        let dir = dir.into();
        let fail = |cause| DiskCacheError { dir: dir.display().to_string(), cause };
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let path = dir.join("secret");
        let secret = match read_bounded(&path, 64).map_err(fail)? {
            Some(bytes) if bytes.len() == 32 => bytes.try_into().expect("32 bytes"),
            _ => {
                let mut fresh = [0u8; 32];
                rand::fill(&mut fresh[..]);
                publish_once(&path, &fresh).map_err(fail)?;
                // Whoever published first (this process or another) made the secret.
                match read_bounded(&path, 64).map_err(fail)? {
                    Some(bytes) if bytes.len() == 32 => bytes.try_into().expect("32 bytes"),
                    _ => return Err(fail(std::io::Error::other("the secret file is not 32 bytes"))),
                }
            }
        };
        let mut version = Sha256::new()
            .chain_update(MAGIC)
            .chain_update(wasmer_types::VERSION)
            .chain_update(env!("CARGO_PKG_VERSION"))
            .chain_update(std::env::consts::ARCH)
            .chain_update(std::env::consts::OS);
        for source in INSTRUMENTATION_SOURCES {
            version.update((source.len() as u64).to_le_bytes());
            version.update(source);
        }
        let version: [u8; 32] = version.finalize().into();
        Ok(DiskCache { dir, max_bytes, secret, version, stats: Mutex::new(DiskStats::default()) })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the cache did so far.
    pub fn stats(&self) -> DiskStats {
        *self.stats.lock().expect("stats lock")
    }

    fn count(&self, f: impl FnOnce(&mut DiskStats)) {
        f(&mut self.stats.lock().expect("stats lock"));
    }

    /// The file of `key`.
    pub fn path(&self, key: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.module", hex::encode(key)))
    }

    fn mac(&self, head: &[u8], module: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret).expect("any key length");
        mac.update(head);
        mac.update(module);
        mac
    }

    /// The serialized module of `key`, if an entry exists and passes the check (a failing
    /// one is deleted).
    pub fn get(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
        let path = self.path(key);
        let bytes = match read_bounded(&path, self.max_bytes) {
            Ok(Some(b)) => b,
            Ok(None) | Err(_) => {
                self.count(|s| s.misses += 1);
                return None;
            }
        };
        let ok = bytes.len() > HEADER
            && bytes[..8] == MAGIC[..]
            && bytes[8..40] == self.version
            && bytes[40..72] == key[..]
            && self.mac(&bytes[..72], &bytes[HEADER..]).verify_slice(&bytes[72..HEADER]).is_ok();
        if !ok {
            tracing::warn!(path = %path.display(), "module cache: entry failed its check; recompiling");
            let _ = std::fs::remove_file(&path);
            self.count(|s| s.rejected += 1);
            return None;
        }
        self.count(|s| s.hits += 1);
        Some(bytes[HEADER..].to_vec())
    }

    /// Stores the serialized `module` of `key` (errors are logged: the cache is an
    /// optimisation) and evicts old entries beyond the size bound.
    pub fn put(&self, key: &[u8; 32], module: &[u8]) {
        let mut bytes = Vec::with_capacity(HEADER + module.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.version);
        bytes.extend_from_slice(key);
        let tag = self.mac(&bytes, module).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        bytes.extend_from_slice(module);
        if bytes.len() as u64 > self.max_bytes {
            return;
        }
        match write_atomically(&self.path(key), &bytes, 0o644) {
            Ok(()) => self.count(|s| s.written += 1),
            Err(e) => tracing::warn!(error = %e, "module cache: could not write an entry"),
        }
        self.evict();
    }

    /// Deletes the oldest entries until the directory holds at most `max_bytes`.
    fn evict(&self) {
        let Ok(read) = std::fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = read
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "module"))
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                Some((m.modified().ok()?, m.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
                self.count(|s| s.evicted += 1);
            }
        }
    }
}
