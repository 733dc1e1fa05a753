//! Who is to blame for a bad value: the file (with its line) or a `--set KEY=VALUE`.

use super::error::{locate_key, ScenarioError};

/// One `--set KEY=VALUE` that was applied.
#[derive(Clone, Debug)]
pub struct SetKey {
    /// The dotted key as given.
    pub key: String,
    /// How errors about it start: `FILE: --set KEY=VALUE`.
    pub origin: String,
}

impl SetKey {
    /// The override `arg` (`KEY=VALUE`) of key `key`, applied to `file`.
    pub fn new(file: &str, key: &str, arg: &str) -> SetKey {
        SetKey {
            key: key.to_string(),
            origin: format!("{file}: --set {}", arg.trim()),
        }
    }

    /// Whether a problem with `key` comes from this override: the same key,
    /// a key below it, or a table it writes into.
    fn covers(&self, key: &str) -> bool {
        let below = |a: &str, b: &str| {
            a.len() > b.len() && a.starts_with(b) && matches!(a.as_bytes()[b.len()], b'.' | b'[')
        };
        key == self.key || below(key, &self.key) || below(&self.key, key)
    }
}

/// The last override that touches `key` (later ones win), if any.
pub fn blame<'a>(sets: &'a [SetKey], key: Option<&str>) -> Option<&'a SetKey> {
    let key = key?;
    sets.iter().rev().find(|s| s.covers(key))
}

/// For a type error the file alone did not have: the override that wrote
/// `key`, else the last one in the same top-level table (e.g. `--set
/// workload.kind=actors` leaves `workload.actors` missing), else the last one.
pub fn blame_any<'a>(sets: &'a [SetKey], key: Option<&str>) -> Option<&'a SetKey> {
    let top = |k: &str| k.split(['.', '[']).next().unwrap_or_default().to_string();
    blame(sets, key)
        .or_else(|| {
            let t = top(key?);
            sets.iter().rev().find(|s| top(&s.key) == t)
        })
        .or(sets.last())
}

/// Builds errors about keys of one scenario.
pub struct Checker<'a> {
    origin: &'a str,
    text: Option<&'a str>,
    sets: &'a [SetKey],
}

impl<'a> Checker<'a> {
    /// Errors name `origin`; `text` (the file as written) gives lines.
    pub fn new(origin: &'a str, text: Option<&'a str>, sets: &'a [SetKey]) -> Checker<'a> {
        Checker { origin, text, sets }
    }

    /// An error about `key`: blamed on its `--set` if one wrote it, else on
    /// the file at the key's line.
    pub fn err(
        &self,
        key: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> ScenarioError {
        match blame(self.sets, Some(key)) {
            Some(set) => ScenarioError::key(set.origin.clone(), None, key, message, fix),
            None => {
                let line = self.text.and_then(|t| locate_key(t, key));
                ScenarioError::key(self.origin, line, key, message, fix)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_blamed_for_their_keys_only() {
        let sets = [
            SetKey::new("s.toml", "nic.cores", "nic.cores=0"),
            SetKey::new("s.toml", "workload", "workload={kind=\"actors\"}"),
        ];
        let c = Checker::new("s.toml", Some("[nic]\ncores = 4\nprofile = \"x\"\n"), &sets);
        assert_eq!(
            c.err("nic.cores", "bad", "fix").origin,
            "s.toml: --set nic.cores=0"
        );
        let e = c.err("nic.profile", "bad", "fix");
        assert_eq!((e.origin.as_str(), e.line), ("s.toml", Some(3)));
        assert!(c
            .err("workload.actors[0].kind", "bad", "fix")
            .origin
            .contains("--set workload="));
        assert!(blame(&sets, Some("nic.cores_x")).is_none());
    }
}
