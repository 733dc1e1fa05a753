//! Atomic output: single files (write a temporary, sync, rename) and whole sets of a run's files (`set.rs`).
//!
//! A rename within one directory is atomic on POSIX file systems, so a
//! reader (or an interrupted run) sees either the old file or the complete
//! new one, never a truncated CSV.

use sim_core::Table;
use std::io::Write;
use std::path::Path;

/// Why an output file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file-system operation failed on `path`.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("create", "write", "sync", "rename").
        action: &'static str,
        /// The file or directory.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A table could not be encoded as CSV.
    #[error("cannot encode CSV: {0}")]
    Csv(String),
    /// The output directory holds a file a run does not write: replacing the
    /// directory as a whole would delete it.
    #[error("{dir} holds `{file}`, which nicsim run does not write; a run replaces its output directory as a whole, so move that file away or choose another --out")]
    ForeignFile {
        /// The output directory.
        dir: String,
        /// The first file found that a run does not write.
        file: String,
    },
    /// The output path has no final component to name the set by (e.g. `/` or `..`).
    #[error(
        "cannot use {0} as an output directory; give a directory name, e.g. --out results/run1"
    )]
    BadDir(String),
}

pub(crate) fn io_err(
    action: &'static str,
    path: &Path,
) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.display().to_string();
    move |source| OutputError::Io {
        action,
        path,
        source,
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err("create directory", dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| -> Result<(), OutputError> {
        let mut f = std::fs::File::create(&tmp).map_err(io_err("create", &tmp))?;
        f.write_all(bytes).map_err(io_err("write", &tmp))?;
        f.sync_all().map_err(io_err("sync", &tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err("rename into place", path))
    })();
    if result.is_err() {
        // Best effort: the write already failed and that error is returned;
        // a temporary that cannot be removed is named by its `.tmp.` suffix.
        if let Err(e) = std::fs::remove_file(&tmp) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("warning: cannot remove {}: {e}", tmp.display());
            }
        }
    }
    result
}

/// A table as CSV bytes (header + rows).
pub fn csv_bytes(
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, OutputError> {
    let csv_err = |e: csv::Error| OutputError::Csv(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).map_err(csv_err)?;
    for r in rows {
        w.write_record(&r).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| OutputError::Csv(e.to_string()))
}

/// Writes a [`Table`] as CSV, atomically.
pub fn write_table_csv(path: &Path, table: &Table) -> Result<(), OutputError> {
    let cols: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    write_atomic(path, &csv_bytes(&cols, table.rows.iter().cloned())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("nicsim-write-{}", std::process::id()));
        let path = dir.join("t.csv");
        let mut t = Table::new(["a", "b"]);
        t.push(["1", "x,y"]);
        write_table_csv(&path, &t).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n1,\"x,y\"\n");
        let leftovers = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".tmp.")
            })
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
