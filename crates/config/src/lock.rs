//! One writing yuqing process per data directory: an exclusive lock on
//! `<data dir>/yuqing.lock`.
//!
//! Two writers on one data directory corrupt nothing in SQLite (WAL, busy timeout) but break
//! tantivy: each process runs its own segment merges and garbage collection, and the second
//! fails later with `FileAlreadyExists … .del`. So every command that writes the index or
//! the store as a whole (`run`, `serve`, `themes rematch`, `alert send`, `sentiment train`)
//! takes this lock first and a second one stops at once with [`ConfigError::DataDirInUse`];
//! read-only commands (`search`, `report`, `coverage`, `analyze`, `alert send --dry-run`) and
//! `user add` (one SQLite row) do not take it and run beside `serve`.
//!
//! The lock is an advisory `flock(2)` (through the `fs4` crate; `std::fs::File::try_lock`
//! needs Rust 1.89, the workspace supports 1.88): the kernel releases it when the process
//! ends, however it ends, so a crash never leaves a stale lock. The file keeps the holder's
//! command and pid for the error message.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ConfigError;

/// Name of the lock file inside the data directory.
pub const LOCK_FILE_NAME: &str = "yuqing.lock";

/// The held lock on a data directory; released when dropped or when the process ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Creates `data_dir` if needed and takes the exclusive lock on its
    /// [`LOCK_FILE_NAME`], recording `command` (e.g. `serve`) and this process id in it.
    /// Does not wait.
    ///
    /// Errors: [`ConfigError::DataDirInUse`] when another process holds it (naming the
    /// directory and, as recorded, that process's command and pid);
    /// [`ConfigError::Lock`] when the directory or file cannot be created or locked.
    pub fn acquire(data_dir: &Path, command: &str) -> Result<DataDirLock, ConfigError> {
        let path = data_dir.join(LOCK_FILE_NAME);
        let io = |source| ConfigError::Lock {
            file: path.clone(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if !fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(io)? {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            return Err(ConfigError::DataDirInUse {
                dir: data_dir.to_path_buf(),
                holder: if holder.is_empty() {
                    "run/serve".to_string()
                } else {
                    holder.to_string()
                },
            });
        }
        file.set_len(0)
            .and_then(|()| writeln!(file, "{command}, pid {}", std::process::id()))
            .map_err(io)?;
        Ok(DataDirLock { _file: file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
