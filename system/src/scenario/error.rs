//! Scenario errors: one line naming the file, the line, the key and the fix.

use std::fmt;

/// A problem with a scenario: unreadable, malformed, unknown key or bad value.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file (or `--set` / `sweep point`) the problem comes from.
    pub origin: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// The dotted key at fault, when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: Option<String>,
}

impl ScenarioError {
    /// An error about the whole origin (missing file, unreadable).
    pub fn whole(origin: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            origin: origin.into(),
            line: None,
            key: None,
            message: message.into(),
            fix: None,
        }
    }

    /// An error about one key.
    pub fn key(
        origin: impl Into<String>,
        line: Option<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        ScenarioError {
            origin: origin.into(),
            line,
            key: Some(key.into()),
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        // Parser messages may span lines; the error stays on one line.
        write!(
            f,
            "{}",
            self.message
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        )?;
        if let Some(fix) = &self.fix {
            write!(f, "; fix: {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based line of `dotted` key in a TOML text, found by tracking `[table]`
/// headers and `key =` lines. Good enough for scenario files, which use
/// plain tables; `None` when the key is not written in the file.
pub fn locate_key(text: &str, dotted: &str) -> Option<usize> {
    let mut table = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with("[[") {
            table = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        if line.starts_with('[') {
            table = line
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            continue;
        }
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let full = if table.is_empty() {
            k.to_string()
        } else {
            format!("{table}.{k}")
        };
        if full == dotted {
            return Some(i + 1);
        }
    }
    None
}

/// The dotted key an "unknown field" parser error is about, from the key path
/// (`table`) and the message text.
pub fn unknown_field_key(message: &str) -> Option<String> {
    let start = message.find("unknown field `")? + "unknown field `".len();
    let rest = &message[start..];
    Some(rest[..rest.find('`')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_under_headers_and_dotted() {
        let text = "name = \"x\"\n[nic]\nprofile = \"a\"\ncores = 0\n[traffic]\nrate_gbps = -1\n";
        assert_eq!(locate_key(text, "nic.cores"), Some(4));
        assert_eq!(locate_key(text, "traffic.rate_gbps"), Some(6));
        assert_eq!(locate_key(text, "name"), Some(1));
        assert_eq!(locate_key(text, "nic.missing"), None);
    }

    #[test]
    fn display_is_one_line_with_the_fix() {
        let e = ScenarioError::key(
            "a.toml",
            Some(3),
            "nic.cores",
            "must be at least 1, got 0",
            "set nic.cores to 1..=12",
        );
        assert_eq!(
            e.to_string(),
            "a.toml:3: key `nic.cores`: must be at least 1, got 0; fix: set nic.cores to 1..=12"
        );
    }
}
