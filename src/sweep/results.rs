//! DIR/results.csv: an append-only, crash-safe log of finished points, sorted and rewritten atomically at the end.
//!
//! Crash safety (the choice, and why): one writer thread owns the file. Each
//! finished point is encoded to one complete CSV line in memory, written with a
//! single `write_all` (one write(2) of a few hundred bytes), then `sync_data`.
//! SIGKILL does not tear a write to a regular file, so after `kill -9` the file
//! is a valid CSV of whole rows (in completion order). A torn last line can only
//! come from a machine crash or a full disk; on resume a trailing partial line
//! (no final `\n`) is truncated away, and every complete line counts as a
//! finished point. When all points of the run are done, the file is rewritten
//! sorted by point id into `results.csv.tmp`, fsynced, and renamed over
//! `results.csv` (atomic on POSIX), so a reader sees either the log or the
//! sorted table, never a mix.
//! Two processes must not share one output directory at the same time.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sim_core::Table;

use super::axes::{param_cell, Point};

/// File name of the results table inside an output directory.
pub const RESULTS_FILE: &str = "results.csv";

/// The column excluded when comparing runs: the only non-deterministic one.
pub const WALL_TIME_COLUMN: &str = "wall_time_s";

/// results.csv columns: point_id, repetition, the swept keys, then the metrics.
pub fn header(keys: &[String], metric_columns: &[String]) -> anyhow::Result<Vec<String>> {
    let mut h = vec!["point_id".to_string(), "repetition".to_string()];
    h.extend(keys.iter().cloned());
    for m in metric_columns {
        if h.contains(m) {
            bail!("column `{m}` is both a swept key and a metric. Fix: sweep the scenario key by its dotted path.");
        }
        h.push(m.clone());
    }
    Ok(h)
}

/// The leading cells of a point's row: id, repetition and parameter values.
pub fn point_cells(p: &Point) -> Vec<String> {
    let mut v = vec![p.id.clone(), p.repetition.to_string()];
    v.extend(p.params.iter().map(|(_, val)| param_cell(val)));
    v
}

/// One CSV record as bytes, ending in `\n`. Cells must not contain newlines
/// (that would defeat the partial-line repair).
pub fn encode_row(cells: &[String]) -> anyhow::Result<Vec<u8>> {
    if let Some(c) = cells.iter().find(|c| c.contains(['\n', '\r'])) {
        bail!("cell {c:?} contains a newline; results.csv cells must be single-line");
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells)?;
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The append-only results log of one output directory.
pub struct ResultsLog {
    file: File,
    path: PathBuf,
}

impl ResultsLog {
    /// Opens (or creates) DIR/results.csv for appending, repairing a trailing
    /// partial line, and returns the rows already there. Fails if the existing
    /// header differs from `header` (another sweep wrote this directory).
    pub fn open(dir: &Path, header: &[String]) -> anyhow::Result<(ResultsLog, Vec<Vec<String>>)> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        let path = dir.join(RESULTS_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if keep < bytes.len() {
            // A kill cut the last line short: that point was not finished.
            file.set_len(keep as u64)?;
            file.sync_data()?;
            bytes.truncate(keep);
        }
        file.seek(SeekFrom::End(0))?;
        let mut rows = Vec::new();
        if bytes.is_empty() {
            file.write_all(&encode_row(header)?)?;
            file.sync_data()?;
        } else {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(bytes.as_slice());
            let found: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
            if found != header {
                crate::input_bail!(
                    path.display(),
                    Some(1),
                    "",
                    "has columns [{}] but this sweep writes [{}]. Fix: use a fresh --out directory (or delete the file).",
                    found.join(","),
                    header.join(",")
                );
            }
            for rec in r.records() {
                let rec = rec.with_context(|| {
                    format!("{} is corrupt. Fix: delete it and rerun.", path.display())
                })?;
                rows.push(rec.iter().map(str::to_string).collect());
            }
        }
        Ok((ResultsLog { file, path }, rows))
    }

    /// Appends one finished row and makes it durable before returning.
    pub fn append(&mut self, cells: &[String]) -> anyhow::Result<()> {
        let line = encode_row(cells)?;
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        Ok(())
    }

    /// Path of the log (DIR/results.csv).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads a CSV file with a header into a table.
pub fn read_csv(path: &Path) -> anyhow::Result<Table> {
    // Unreadable or malformed input is bad input (exit 2), naming the line.
    let bad = |e: csv::Error, what: &str| -> anyhow::Error {
        let line = e.position().map(|p| p.line() as usize);
        crate::input_error::InputError::new(
            path.display().to_string(),
            line,
            "",
            format!(
                "{what}: {e}. Fix: pass a CSV file with a header row, e.g. a sweep's results.csv."
            ),
        )
        .into()
    };
    if path.is_dir() {
        return Err(crate::input_error::InputError::new(
            path.display().to_string(),
            None,
            "",
            "is a directory, not a CSV file. Fix: pass DIR/results.csv.",
        )
        .into());
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .map_err(|e| bad(e, "cannot read it"))?;
    let mut t = Table::new(r.headers().map_err(|e| bad(e, "not a CSV table"))?.iter());
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e, "not a well-formed CSV table"))?;
        t.rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(t)
}

/// Sorts rows by their first cell (the point id): string order is index order
/// because ids are zero-padded to one width.
pub fn sort_by_point_id(t: &mut Table) {
    t.rows.sort_by(|a, b| a[0].cmp(&b[0]));
}

/// Removes a column by name if present (e.g. `wall_time_s` before comparing runs).
pub fn drop_column(t: &mut Table, name: &str) {
    if let Some(i) = t.column(name) {
        t.columns.remove(i);
        for r in &mut t.rows {
            r.remove(i);
        }
    }
}

/// Writes a table as CSV via `PATH.tmp` + fsync + rename, so `path` is always whole.
pub fn write_csv_atomic(path: &Path, t: &Table) -> anyhow::Result<()> {
    let mut bytes = encode_row(&t.columns)?;
    for r in &t.rows {
        bytes.extend(encode_row(r)?);
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f =
            File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // make the rename itself durable, as the run's output sets do
        system::report::set::sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_commas_and_rejects_newlines() {
        let row = encode_row(&["a,b".to_string(), "c".to_string()]).unwrap();
        assert_eq!(row, b"\"a,b\",c\n");
        assert!(encode_row(&["x\ny".to_string()]).is_err());
    }
}
