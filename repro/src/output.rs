//! Writing a repro run: one CSV per figure and `claims.csv`, into a directory checked up front.

use crate::claim::Claim;
use crate::error::ReproError;
use crate::figure::Figure;
use std::path::Path;
use system::report::write::{csv_bytes, write_atomic, write_table_csv};

/// Creates `out` and proves it writable, before any figure runs (minutes of
/// simulation should not end in "permission denied").
pub fn check_out_dir(out: &Path) -> Result<(), ReproError> {
    let err = |source| ReproError::OutDir {
        path: out.display().to_string(),
        source,
    };
    std::fs::create_dir_all(out).map_err(err)?;
    let probe = out.join(format!(".repro-write-check.{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(err)?;
    std::fs::remove_file(&probe).map_err(err)
}

/// Writes `DIR/<id>.csv` per figure and `DIR/claims.csv` (every claim, in figure order).
pub fn write_outputs(figures: &[Figure], out: &Path) -> Result<(), ReproError> {
    check_out_dir(out)?;
    for f in figures {
        write_table_csv(&out.join(format!("{}.csv", f.id)), &f.table)?;
    }
    let rows = figures
        .iter()
        .flat_map(|f| f.claims.iter().map(Claim::csv_fields));
    write_atomic(
        &out.join("claims.csv"),
        &csv_bytes(&Claim::CSV_COLUMNS, rows)?,
    )?;
    Ok(())
}
