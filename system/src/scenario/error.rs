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
/// and `[[array]]` headers (the n-th `[[workload.actors]]` is
/// `workload.actors[n]`) and `key =` lines, dotted or not. A key that is not
/// written in the file falls back to its nearest written parent (an inline
/// table's line, or its `[table]` header); `None` when no part of it is written.
pub fn locate_key(text: &str, dotted: &str) -> Option<usize> {
    let lines = key_lines(text);
    let mut key = dotted.to_string();
    loop {
        if let Some((_, line)) = lines.iter().find(|(k, _)| *k == key) {
            return Some(*line);
        }
        let cut = key.rfind(['.', '['])?;
        key.truncate(cut);
    }
}

/// Every key written in `text` as a full dotted path, with its 1-based line.
pub fn key_lines(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut table = String::new();
    let mut array_counts: Vec<(String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if let Some(inner) = line.strip_prefix("[[") {
            let name = normalize_key(inner.trim_end_matches(']'));
            let n = match array_counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n - 1
                }
                None => {
                    array_counts.push((name.clone(), 1));
                    0
                }
            };
            out.push((name.clone(), i + 1));
            table = format!("{name}[{n}]");
            out.push((table.clone(), i + 1));
            continue;
        }
        if let Some(inner) = line.strip_prefix('[') {
            table = normalize_key(inner.trim_end_matches(']'));
            out.push((table.clone(), i + 1));
            continue;
        }
        let Some((k, _)) = line.split_once('=') else {
            continue;
        };
        let k = normalize_key(k);
        if k.is_empty() {
            continue;
        }
        let full = if table.is_empty() {
            k
        } else {
            format!("{table}.{k}")
        };
        out.push((full, i + 1));
    }
    out
}

/// `a . "b"` -> `a.b`.
fn normalize_key(k: &str) -> String {
    k.split('.')
        .map(|p| p.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The line without a trailing `# comment` (a `#` inside quotes is kept).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// A number for a message: plain when short, `1e300` when huge or tiny.
pub fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-3..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
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
        assert_eq!(
            locate_key(text, "nic.missing"),
            Some(2),
            "falls back to [nic]"
        );
        assert_eq!(locate_key(text, "output.window_us"), None);
    }

    #[test]
    fn locates_array_entries_dotted_keys_and_headers() {
        let text = "nic.cores = 2 # two\n[workload]\nkind = \"actors\"\n[[workload.actors]]\nname = \"a\"\n[[workload.actors]]\nname = \"b\"\nconfig = { x = 1 }\n";
        assert_eq!(locate_key(text, "nic.cores"), Some(1));
        assert_eq!(locate_key(text, "workload"), Some(2));
        assert_eq!(locate_key(text, "workload.actors[0].name"), Some(5));
        assert_eq!(locate_key(text, "workload.actors[1].name"), Some(7));
        assert_eq!(locate_key(text, "workload.actors[1].config.x"), Some(8));
        assert_eq!(locate_key(text, "workload.actors[1].weight"), Some(6));
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
