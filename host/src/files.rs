//! Reading the files users name — wasm modules, scenarios, Scout YAML, cost tables, keys:
//! only regular files (never a FIFO that blocks, `/dev/zero`, a directory), at most a
//! given size, read with that bound.
use std::io::Read;
use std::path::{Path, PathBuf};

/// The default bound on an input file (modules, scenarios, YAML, cost tables).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The OS refused (missing, no permission, …).
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        cause: std::io::Error,
    },
    /// A FIFO, device, directory or socket.
    #[error("{path} is not a regular file")]
    NotRegular {
        /// The file.
        path: PathBuf,
    },
    /// Larger than allowed.
    #[error("{path} is larger than {max} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The bound.
        max: u64,
    },
}

/// The bytes of the regular file `path`, at most `max` of them.
pub fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let io = |cause| FileError::Io { path: path.to_path_buf(), cause };
    // Look before opening: opening a FIFO for reading blocks until a writer comes.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(FileError::NotRegular { path: path.to_path_buf() });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Should the path be swapped for a FIFO after the look, do not block on it either.
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o4000); // O_NONBLOCK
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular { path: path.to_path_buf() });
    }
    if meta.len() > max {
        return Err(FileError::TooLarge { path: path.to_path_buf(), max });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(FileError::TooLarge { path: path.to_path_buf(), max });
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_text_bounded(path: &Path, max: u64) -> Result<String, FileError> {
    String::from_utf8(read_bounded(path, max)?).map_err(|e| FileError::Io {
        path: path.to_path_buf(),
        cause: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bounded_regular_files_are_read() {
        let dir = std::env::temp_dir().join(format!("ee-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let small = dir.join("small");
        std::fs::write(&small, b"12345").unwrap();
        assert_eq!(read_bounded(&small, 5).unwrap(), b"12345");
        assert!(matches!(read_bounded(&small, 4), Err(FileError::TooLarge { max: 4, .. })));
        assert!(matches!(read_bounded(Path::new("/dev/zero"), 1 << 20), Err(FileError::NotRegular { .. })));
        assert!(matches!(read_bounded(&dir, 1 << 20), Err(FileError::NotRegular { .. })));
        let missing = read_bounded(&dir.join("missing"), 10).unwrap_err();
        assert_eq!(missing.to_string(), format!("cannot read {}", dir.join("missing").display()));
        #[cfg(unix)]
        {
            let fifo = dir.join("fifo");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()));
            assert!(matches!(read_bounded(&fifo, 10), Err(FileError::NotRegular { .. })));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
