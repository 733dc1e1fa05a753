//! Scenario names: they become a directory under `results/`, so only safe names pass.
//!
//! A name is one path component made of ASCII letters, digits, `_`, `-` and
//! `.`, not starting with `.` (which also excludes `.` and `..`), at most
//! `MAX_NAME_LEN` characters. A separator or `..` would write outside
//! `results/`, an absolute name would replace it, an empty one would write
//! into `results/` itself.

/// Longest name accepted (a directory name on every common filesystem).
pub const MAX_NAME_LEN: usize = 100;

/// Why `name` cannot name an output directory, or `None` when it can.
pub fn problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Some(format!(
            "is {} characters long (at most {MAX_NAME_LEN})",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '\\')) {
        return Some(format!("`{name}` contains the path separator {c:?}"));
    }
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Some(format!("`{name}` contains {c:?}"));
    }
    if name.starts_with('.') {
        return Some(format!("`{name}` starts with `.`"));
    }
    None
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// The default name from a file stem: the stem with every other character
/// replaced by `_` (a file may be called anything; its results directory may not).
pub fn from_stem(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .take(MAX_NAME_LEN)
        .collect();
    if name.starts_with('.') || name.is_empty() {
        name.insert(0, 's');
        name.truncate(MAX_NAME_LEN);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_names_are_refused() {
        for bad in [
            "", ".", "..", "../../x", "/tmp/x", "a/b", "a\\b", ".hidden", "a b",
        ] {
            assert!(problem(bad).is_some(), "{bad:?} accepted");
        }
        for good in ["quickstart", "fig2_64B-1.5", "A.b"] {
            assert_eq!(problem(good), None, "{good}");
        }
        assert!(problem(&"x".repeat(MAX_NAME_LEN + 1)).is_some());
    }

    #[test]
    fn stems_become_safe_names() {
        assert_eq!(from_stem("my run (2)"), "my_run__2_");
        assert_eq!(from_stem(".x"), "s.x");
        assert_eq!(problem(&from_stem("..")), None);
    }
}
