//! `InputError`: a bad input file or flag of the sweep, slurm, merge and plot commands (exit code 2).
//!
//! One line naming the file, the line (when known), the key and the fix, in the
//! same shape as scenario errors: `FILE:LINE: key `K`: what is wrong. Fix: how.`
//! `main` maps it to exit code 2, like a scenario error.

use std::collections::BTreeMap;
use std::fmt;

/// A bad input: which file, which line and key, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file (or flag, e.g. `--time`) at fault.
    pub file: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The offending key, e.g. `axis[1].range`; empty for whole-file errors.
    pub key: String,
    /// What is wrong, then `Fix: ...`.
    pub message: String,
}

impl InputError {
    /// An error about `key` of `file` at `line`.
    pub fn new(
        file: impl Into<String>,
        line: Option<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> InputError {
        InputError {
            file: file.into(),
            line,
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if !self.key.is_empty() {
            write!(f, "key `{}`: ", self.key)?;
        }
        // Parser messages may span lines; the error stays on one line.
        let words: Vec<&str> = self.message.split_whitespace().collect();
        write!(f, "{}", words.join(" "))
    }
}

impl std::error::Error for InputError {}

/// Returns early with an `InputError` (exit code 2): `input_bail!(file, line, key, "fmt", args..)`.
#[macro_export]
macro_rules! input_bail {
    ($file:expr, $line:expr, $key:expr, $($fmt:tt)+) => {
        return Err($crate::input_error::InputError::new(
            $file.to_string(),
            $line,
            $key,
            format!($($fmt)+),
        )
        .into())
    };
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted prefix (`sweep.`, `axis[1].`, `filter[0].`) of the table holding
/// byte `offset`, from the last `[table]` / `[[array]]` header before it.
pub fn table_prefix(text: &str, offset: usize) -> String {
    let mut prefix = String::new();
    let mut arrays: BTreeMap<String, usize> = BTreeMap::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if pos + line.len() > offset {
            // The offending line: a header names a top-level table (full path).
            if t.starts_with('[') {
                prefix.clear();
            }
            break;
        }
        pos += line.len();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let n = arrays.entry(name.clone()).or_insert(0);
            prefix = format!("{name}[{n}].");
            *n += 1;
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            prefix = format!("{}.", name.trim());
        }
    }
    prefix
}

/// The key named by an "unknown field" parser message, if any (the scenario
/// loader's parser, shared so both read serde's message the same way).
pub use system::scenario::error::unknown_field_key as unknown_field;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_file_line_and_key() {
        let e = InputError::new("s.toml", Some(4), "axis[0].range", "bad\n  range. Fix: x.");
        assert_eq!(
            e.to_string(),
            "s.toml:4: key `axis[0].range`: bad range. Fix: x."
        );
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a", 99), 1);
    }
}
