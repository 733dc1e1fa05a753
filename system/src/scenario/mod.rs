//! Scenarios: loading a TOML file, applying `--set` overrides, validating, and resolving every default.
//!
//! Loading happens in three steps so that each error can name the file, the
//! line and the key: (1) the text is parsed with spans, which catches
//! malformed TOML, unknown keys and wrong types with their line; (2) the
//! overrides are applied to the parsed table and it is parsed again; (3) the
//! values are checked (ranges, the NIC exists, cores fit the NIC), and the
//! line of the offending key is looked up in the text.

pub mod actors;
pub mod error;
pub mod overrides;
pub mod schema;
mod validate;

pub use error::ScenarioError;
pub use overrides::{apply_override, split_assignment};
pub use schema::ScenarioFile;
pub use validate::{Scenario, Traffic};

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Reads and parses a scenario file into a TOML table (syntax errors carry their line).
pub fn load_table(path: &Path) -> Result<toml::Table, ScenarioError> {
    let text = read_text(path)?;
    parse_table(&text, &path.display().to_string())
}

fn read_text(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|e| {
        let mut err = ScenarioError::whole(
            path.display().to_string(),
            format!("cannot read scenario: {e}"),
        );
        err.fix =
            Some("check the path; `nicsim list` shows the example scenarios in configs/".into());
        err
    })
}

fn parse_table(text: &str, origin: &str) -> Result<toml::Table, ScenarioError> {
    text.parse::<toml::Table>()
        .map_err(|e| toml_error(text, origin, &e, "fix the TOML syntax"))
}

/// Turns a parser error into a one-line scenario error with line and key.
fn toml_error(text: &str, origin: &str, e: &toml::de::Error, syntax_fix: &str) -> ScenarioError {
    let line = e
        .span()
        .map(|s| nic_models::profile::line_col(text, s.start).0);
    let message = e.message().to_string();
    match error::unknown_field_key(&message) {
        Some(key) => ScenarioError::key(
            origin,
            line,
            key,
            "unknown key",
            format!(
                "remove it or correct the spelling ({})",
                expected_list(&message)
            ),
        ),
        None => {
            let mut err = ScenarioError::whole(origin, message);
            err.line = line;
            err.fix = Some(syntax_fix.to_string());
            err
        }
    }
}

fn expected_list(message: &str) -> String {
    message
        .find("expected")
        .map(|i| message[i..].trim().to_string())
        .unwrap_or_else(|| "see the scenario reference in the README".into())
}

/// Parses the typed file from a table (used after overrides).
fn file_from_table(table: &toml::Table, origin: &str) -> Result<ScenarioFile, ScenarioError> {
    ScenarioFile::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
        let message = e.message().to_string();
        match error::unknown_field_key(&message) {
            Some(key) => {
                ScenarioError::key(origin, None, key, "unknown key", expected_list(&message))
            }
            None => {
                let mut err = ScenarioError::whole(origin, message);
                err.fix = Some(
                    "check the value's type against the scenario reference in the README".into(),
                );
                err
            }
        }
    })
}

impl Scenario {
    /// Loads `path`, applies `overrides` (`KEY=VALUE` strings) and validates.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        let origin = path.display().to_string();
        let text = read_text(path)?;
        let mut table = parse_table(&text, &origin)?;
        // Step 1: typed parse of the text itself, for line numbers.
        toml::from_str::<ScenarioFile>(&text)
            .map_err(|e| toml_error(&text, &origin, &e, "fix the value"))?;
        // Step 2: overrides.
        for o in overrides {
            let (k, v) = split_assignment(o)?;
            apply_override(&mut table, k, v)?;
        }
        let file = file_from_table(
            &table,
            if overrides.is_empty() {
                &origin
            } else {
                "--set"
            },
        )?;
        let default_name = path.file_stem().map(|s| s.to_string_lossy().to_string());
        // Step 3: values.
        Scenario::from_file(file, &origin, Some(&text), base_dir(path), default_name)
    }

    /// Validates an already-parsed table (e.g. a sweep point). `origin` names it
    /// in errors; relative profile paths resolve against its directory.
    pub fn from_table(table: toml::Table, origin: &str) -> Result<Scenario, ScenarioError> {
        let file = file_from_table(&table, origin)?;
        Scenario::from_file(file, origin, None, base_dir(Path::new(origin)), None)
    }
}

fn base_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
