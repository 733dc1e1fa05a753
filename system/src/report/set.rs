//! A run's output files as one set: written into a fresh directory beside the output directory, then swapped in whole.
//!
//! Files renamed one at a time let a kill leave `summary.csv` of one run
//! beside `timeseries.csv` of another. Here every file is written and synced
//! in `PARENT/.NAME.nicsim-tmp.PID/`, and only then does the set replace
//! `PARENT/NAME`: the old directory is renamed to `.NAME.nicsim-old.PID`, the
//! new one renamed into place, and the old one removed. So the output
//! directory always holds the complete files of exactly one run. (Without
//! an atomic exchange of two directories, which std does not offer, the
//! directory is absent for the instant between the two renames; a kill in
//! that instant leaves no directory and both complete sets beside it.)
//!
//! Temporaries of earlier runs that were killed (their process is gone) are
//! removed before a new set is written, as are the `.NAME.tmp.PID` files of
//! the older file-by-file writer.
//!
//! A run replaces its output directory as a whole, so it refuses a
//! directory holding anything it would not have written itself.

use super::write::{io_err, OutputError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file `nicsim run` may write into its output directory.
pub const RUN_FILES: [&str; 10] = [
    "summary.csv",
    "counters.csv",
    "timeseries.csv",
    "resolved.toml",
    "actors.csv",
    "placements.csv",
    "migrations.csv",
    "classes.csv",
    "servers.csv",
    "links.csv",
];

const TMP_TAG: &str = "nicsim-tmp";
const OLD_TAG: &str = "nicsim-old";

/// Writes `files` (name, bytes) as the whole content of `dir`, replacing
/// what was there (which must be an earlier run's output set).
pub fn write_set(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let (parent, name) = split(dir)?;
    std::fs::create_dir_all(&parent).map_err(io_err("create directory", &parent))?;
    remove_stale(&parent, &name)?;
    if dir.exists() {
        check_is_output_set(dir)?;
    }
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.{TMP_TAG}.{pid}"));
    remove_if_present(&tmp)?;
    std::fs::create_dir(&tmp).map_err(io_err("create directory", &tmp))?;
    let written = write_all_synced(&tmp, files);
    if let Err(e) = written {
        // Best effort: the write error is what matters; a leftover is named
        // by its tag and removed by the next run.
        if let Err(rm) = std::fs::remove_dir_all(&tmp) {
            eprintln!("warning: cannot remove {}: {rm}", tmp.display());
        }
        return Err(e);
    }
    swap_in(&tmp, dir, &parent, &name, pid)
}

/// `dir`'s parent (`.` when it has none) and final name.
fn split(dir: &Path) -> Result<(PathBuf, String), OutputError> {
    let name = match dir.file_name() {
        Some(n) => n.to_string_lossy().to_string(),
        None => return Err(OutputError::BadDir(dir.display().to_string())),
    };
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok((parent, name))
}

fn write_all_synced(tmp: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    for (file, bytes) in files {
        let path = tmp.join(file);
        let mut f = std::fs::File::create(&path).map_err(io_err("create", &path))?;
        f.write_all(bytes).map_err(io_err("write", &path))?;
        f.sync_all().map_err(io_err("sync", &path))?;
    }
    sync_dir(tmp)
}

/// Moves the old directory away, the new one in, and removes the old one.
fn swap_in(tmp: &Path, dir: &Path, parent: &Path, name: &str, pid: u32) -> Result<(), OutputError> {
    let old = parent.join(format!(".{name}.{OLD_TAG}.{pid}"));
    remove_if_present(&old)?;
    let had_old = match std::fs::rename(dir, &old) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err("move aside", dir)(e)),
    };
    if let Err(e) = std::fs::rename(tmp, dir) {
        if had_old {
            // put the previous set back, so a failed run changes nothing
            if let Err(back) = std::fs::rename(&old, dir) {
                eprintln!(
                    "warning: the previous output is in {}: {back}",
                    old.display()
                );
            }
        }
        return Err(io_err("rename into place", dir)(e));
    }
    sync_dir(parent)?;
    if had_old {
        std::fs::remove_dir_all(&old).map_err(io_err("remove", &old))?;
    }
    Ok(())
}

/// Refuses a directory holding anything but run files (and stale temporaries).
fn check_is_output_set(dir: &Path) -> Result<(), OutputError> {
    if !dir.is_dir() {
        return Err(OutputError::ForeignFile {
            dir: dir.display().to_string(),
            file: "(it is a file, not a directory)".into(),
        });
    }
    for entry in std::fs::read_dir(dir).map_err(io_err("read directory", dir))? {
        let entry = entry.map_err(io_err("read directory", dir))?;
        let file = entry.file_name().to_string_lossy().to_string();
        let is_run_file = RUN_FILES.contains(&file.as_str()) && entry.path().is_file();
        if !is_run_file && legacy_temporary_pid(&file).is_none() {
            return Err(OutputError::ForeignFile {
                dir: dir.display().to_string(),
                file,
            });
        }
    }
    Ok(())
}

/// The pid in a `.FILE.tmp.PID` name of the older file-by-file writer.
fn legacy_temporary_pid(file: &str) -> Option<u32> {
    let rest = file.strip_prefix('.')?;
    let (_, pid) = rest.rsplit_once(".tmp.")?;
    pid.parse().ok()
}

/// Removes `.NAME.nicsim-tmp.PID` and `.NAME.nicsim-old.PID` beside the
/// output directory, and `.FILE.tmp.PID` inside it, whose process is gone.
fn remove_stale(parent: &Path, name: &str) -> Result<(), OutputError> {
    let prefix = format!(".{name}.");
    for entry in std::fs::read_dir(parent).map_err(io_err("read directory", parent))? {
        let entry = entry.map_err(io_err("read directory", parent))?;
        let file = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = [TMP_TAG, OLD_TAG].iter().find_map(|tag| {
            rest.strip_prefix(tag)
                .and_then(|r| r.strip_prefix('.'))
                .and_then(|p| p.parse::<u32>().ok())
        });
        if pid.is_some_and(|p| !process_alive(p)) {
            remove_if_present(&entry.path())?;
        }
    }
    let dir = parent.join(name);
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir).map_err(io_err("read directory", &dir))? {
            let entry = entry.map_err(io_err("read directory", &dir))?;
            let file = entry.file_name().to_string_lossy().to_string();
            if legacy_temporary_pid(&file).is_some_and(|p| !process_alive(p)) {
                remove_if_present(&entry.path())?;
            }
        }
    }
    Ok(())
}

/// Whether process `pid` runs (Linux: `/proc/PID`). Without `/proc` every
/// other process counts as gone, so its temporaries are removed.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return false; // ours are from an earlier process with the same pid
    }
    let proc = Path::new("/proc");
    proc.join("self").exists() && proc.join(pid.to_string()).exists()
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    let result = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err("remove", path)(e)),
        _ => Ok(()),
    }
}

/// Makes a directory's entries durable (Unix); elsewhere directories cannot be opened to sync.
pub fn sync_dir(dir: &Path) -> Result<(), OutputError> {
    if cfg!(unix) {
        let f = std::fs::File::open(dir).map_err(io_err("open", dir))?;
        f.sync_all().map_err(io_err("sync", dir))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("nicsim-set-{name}-{}", std::process::id()));
        if d.exists() {
            std::fs::remove_dir_all(&d).unwrap();
        }
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn set(tag: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("summary.csv".into(), format!("s,{tag}\n").into_bytes()),
            (
                "resolved.toml".into(),
                format!("seed = {tag}\n").into_bytes(),
            ),
        ]
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_the_whole_set_and_leaves_no_temporary() {
        let root = scratch("replace");
        let out = root.join("out");
        let mut first = set("1");
        first.push(("actors.csv".into(), b"a\n".to_vec()));
        write_set(&out, &first).unwrap();
        write_set(&out, &set("2")).unwrap();
        assert_eq!(
            names(&out),
            ["resolved.toml", "summary.csv"],
            "no file of run 1 stays"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            "s,2\n"
        );
        assert_eq!(names(&root), ["out"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let root = scratch("stale");
        let out = root.join("out");
        write_set(&out, &set("1")).unwrap();
        // pid 0 is never a user process: these are an earlier run's leftovers
        std::fs::create_dir(root.join(".out.nicsim-tmp.0")).unwrap();
        std::fs::create_dir(root.join(".out.nicsim-old.0")).unwrap();
        std::fs::write(out.join(".summary.csv.tmp.0"), "partial").unwrap();
        std::fs::write(root.join(".other.nicsim-tmp.0"), "not ours").unwrap();
        write_set(&out, &set("2")).unwrap();
        assert_eq!(names(&root), [".other.nicsim-tmp.0", "out"]);
        assert_eq!(names(&out), ["resolved.toml", "summary.csv"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_directory_with_foreign_files_is_refused_untouched() {
        let root = scratch("foreign");
        let out = root.join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let e = write_set(&out, &set("1")).unwrap_err();
        assert!(
            matches!(e, OutputError::ForeignFile { ref file, .. } if file == "notes.txt"),
            "{e}"
        );
        assert_eq!(names(&out), ["notes.txt"]);
        assert_eq!(names(&root), ["out"], "no temporary left");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_path_without_a_name_is_refused() {
        assert!(matches!(
            write_set(Path::new("/"), &set("1")),
            Err(OutputError::BadDir(_))
        ));
    }
}
