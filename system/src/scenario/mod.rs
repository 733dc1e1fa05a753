//! Scenarios: loading a TOML file, applying `--set` overrides, validating, and resolving every default.
//!
//! Loading happens in three steps so that each error can name the file, the
//! line and the key (`diagnose` turns parser errors into key and line): (1)
//! the text is parsed with spans, which catches malformed TOML, unknown keys
//! and wrong types with their line; (2) the overrides are applied to the
//! parsed table and it is parsed again, and an error there names its `--set
//! KEY=VALUE` instead of a line (`checker`); (3) the values are checked
//! (ranges, the NIC exists, cores fit the NIC, safe `name`) and the system is
//! dry-assembled (`assembly`) so that `validate` refuses all that `run` would.

pub mod actors;
mod assembly;
mod checker;
pub mod cluster;
pub mod diagnose;
pub mod error;
pub mod faults;
mod names;
mod onoff;
pub mod overrides;
mod peers;
pub mod schema;
pub mod seed;
mod traffic;
mod validate;

pub use error::ScenarioError;
pub use overrides::{apply_override, split_assignment};
pub use schema::ScenarioFile;
pub use validate::{Scenario, Traffic};

use checker::SetKey;
use diagnose::Diagnosis;
use std::path::{Path, PathBuf};

/// Reads and parses a scenario file into a TOML table (syntax errors carry their line).
pub fn load_table(path: &Path) -> Result<toml::Table, ScenarioError> {
    let text = read_text(path)?;
    parse_table(&text, &path.display().to_string())
}

/// The file's text; a missing file, a directory or a binary file each get their own fix.
fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let origin = path.display().to_string();
    let fail = |message: String, fix: &str| {
        let mut err = ScenarioError::whole(origin.clone(), message);
        err.fix = Some(fix.to_string());
        err
    };
    if path.is_dir() {
        return Err(fail(
            "is a directory, not a scenario file".into(),
            "give the path of a scenario .toml file, e.g. configs/quickstart.toml",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        let fix = match e.kind() {
            std::io::ErrorKind::NotFound => {
                "check the path; example scenarios are in configs/, e.g. configs/quickstart.toml"
            }
            std::io::ErrorKind::PermissionDenied => "make the file readable",
            _ => "check the path and that the file is readable",
        };
        fail(format!("cannot read scenario: {e}"), fix)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        fail(
            format!(
                "is not a text file (not UTF-8 at byte {})",
                e.utf8_error().valid_up_to()
            ),
            "give a scenario .toml file (TOML text), e.g. configs/quickstart.toml",
        )
    })
}

fn parse_table(text: &str, origin: &str) -> Result<toml::Table, ScenarioError> {
    text.parse::<toml::Table>()
        .map_err(|e| located(diagnose::syntax(text, &e), origin))
}

/// A diagnosis found in the file itself: origin, line and key.
fn located(d: Diagnosis, origin: &str) -> ScenarioError {
    ScenarioError {
        origin: origin.to_string(),
        line: d.line,
        key: d.key,
        message: d.message,
        fix: Some(d.fix),
    }
}

/// A diagnosis in text that is not the user's (a table after `--set`, a sweep
/// point): the key is kept, the line (of the generated text) is not.
fn unlocated(d: Diagnosis, origin: &str) -> ScenarioError {
    ScenarioError {
        line: None,
        ..located(d, origin)
    }
}

/// Parses the typed file from a table (after overrides, or a sweep point).
fn file_from_table(table: &toml::Table) -> Result<ScenarioFile, Diagnosis> {
    let text = toml::to_string(table).map_err(|e| Diagnosis {
        key: None,
        line: None,
        message: format!("cannot write the scenario back as TOML: {e}"),
        fix: "check the --set values".into(),
    })?;
    diagnose::parse_file(&text)
}

impl Scenario {
    /// Loads `path`, applies `overrides` (`KEY=VALUE` strings) and validates.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        let origin = path.display().to_string();
        let text = read_text(path)?;
        let mut table = parse_table(&text, &origin)?;
        // Step 1: typed parse of the text itself, for line numbers.
        let mut file = diagnose::parse_file(&text).map_err(|d| located(d, &origin))?;
        // Step 2: overrides; an error they cause names the `--set` it comes from.
        let mut sets = Vec::new();
        for o in overrides {
            let (k, v) = split_assignment(o).map_err(|mut e| {
                e.origin = format!("{origin}: --set {o}");
                e
            })?;
            let set = SetKey::new(&origin, k, o);
            apply_override(&mut table, k, v).map_err(|mut e| {
                e.origin = set.origin.clone();
                e
            })?;
            sets.push(set);
        }
        if !sets.is_empty() {
            file = file_from_table(&table).map_err(|d| {
                let origin = checker::blame_any(&sets, d.key.as_deref())
                    .map(|s| s.origin.clone())
                    .unwrap_or_else(|| format!("{origin}: --set"));
                unlocated(d, &origin)
            })?;
        }
        let default_name = path
            .file_stem()
            .map(|s| names::from_stem(&s.to_string_lossy()));
        // Step 3: values.
        Scenario::from_file(
            file,
            checker::Checker::new(&origin, Some(&text), &sets),
            base_dir(path),
            default_name,
        )
    }

    /// Validates an already-parsed table (e.g. a sweep point). `origin` names it
    /// in errors; relative profile paths resolve against its directory.
    pub fn from_table(table: toml::Table, origin: &str) -> Result<Scenario, ScenarioError> {
        let file = file_from_table(&table).map_err(|d| unlocated(d, origin))?;
        Scenario::from_file(
            file,
            checker::Checker::new(origin, None, &[]),
            base_dir(Path::new(origin)),
            None,
        )
    }
}

fn base_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
