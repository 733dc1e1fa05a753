//! Profile files: errors, reading a built-in or a user's file, inheritance (`base = "..."`) and finding the line of a key.
//!
//! A profile may start with `base = "liquidio_cn2350"` (a built-in name) or
//! `base = "other.toml"` (a path relative to the file that names it), and then
//! give only the keys it changes. Tables merge key by key; arrays of tables
//! (`[[memory.caches]]`, `[[accel.engines]]`, ...) replace the base's whole
//! array, because "the second cache level" of two different machines is not
//! the same thing. `name` and `description` are not inherited: every file
//! names itself. A chain holds at most [`MAX_BASE_DEPTH`] files and no file
//! twice. Errors name the file (of the chain) that holds the offending key,
//! its line and the key.

use std::path::{Path, PathBuf};

use crate::profile_key::key_line;

/// The most files an inheritance chain may hold (the profile and its bases).
pub const MAX_BASE_DEPTH: usize = 8;

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{path}: cannot read profile: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// TOML syntax or an unknown / mistyped key.
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        /// File or built-in name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, from the parser.
        message: String,
    },
    /// A value out of range, or a bad `base`.
    #[error("{origin}{}: key `{key}`: {problem}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// File or built-in name.
        origin: String,
        /// 1-based line of the key, when the key is written in the file.
        line: Option<usize>,
        /// Dotted key.
        key: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// Neither a built-in name nor an existing file.
    #[error("unknown NIC `{name}`: not a built-in profile ({known}) and no such file")]
    Unknown {
        /// What was asked for.
        name: String,
        /// Built-in names, comma-separated.
        known: String,
    },
}

/// 1-based (line, column) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, column)
}

/// Parses profile TOML into `T`; syntax errors and unknown or mistyped keys
/// become [`ProfileError::Parse`] with their line and column.
pub(crate) fn parse_profile<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
) -> Result<T, ProfileError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ProfileError::Parse {
            origin: origin.to_string(),
            line,
            column,
            message: e.message().to_string(),
        }
    })
}

/// A profile's text, its origin for errors, and its path when it is a file:
/// the built-in called `name_or_path` if there is one, else the file at that
/// path relative to `base_dir`. A bare word that is neither is an unknown name.
pub(crate) fn profile_text(
    name_or_path: &str,
    base_dir: &Path,
    builtins: &[(&str, &str)],
) -> Result<(String, String, Option<PathBuf>), ProfileError> {
    if let Some((_, text)) = builtins.iter().find(|(n, _)| *n == name_or_path) {
        return Ok((
            text.to_string(),
            format!("built-in profile {name_or_path}"),
            None,
        ));
    }
    let path = base_dir.join(name_or_path);
    let looks_like_path = name_or_path.ends_with(".toml") || name_or_path.contains('/');
    if !looks_like_path && !path.exists() {
        return Err(ProfileError::Unknown {
            name: name_or_path.to_string(),
            known: builtins
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Io {
        path: path.clone(),
        source,
    })?;
    Ok((text, path.display().to_string(), Some(path)))
}

/// A profile kind read through [`Layered`] files (the NIC and the host
/// profiles): its built-ins and how a merged chain becomes the profile. The
/// provided methods are the one way both kinds are read.
pub(crate) trait LayeredProfile: Sized {
    /// Built-in profiles: (name, TOML text).
    const BUILTINS: &'static [(&'static str, &'static str)];

    /// Deserializes and validates a merged chain.
    fn from_layers(layers: &Layered) -> Result<Self, ProfileError>;

    /// Parses TOML text; `origin` names it in errors. A `base` path is
    /// relative to the current directory.
    fn load_str(text: &str, origin: &str) -> Result<Self, ProfileError> {
        let layers = Layered::read(
            text.to_string(),
            origin.to_string(),
            Path::new("."),
            Self::BUILTINS,
        )?;
        Self::from_layers(&layers)
    }

    /// A built-in profile by name (`None`: no built-in has that name).
    ///
    /// # Panics
    /// If a built-in does not parse: they are part of the binary and a test
    /// parses each one, so that is a bug to report, not an unknown name.
    fn load_builtin(name: &str) -> Option<Self> {
        let (_, text) = Self::BUILTINS.iter().find(|(n, _)| *n == name)?;
        match Self::load_str(text, &format!("built-in profile {name}")) {
            Ok(p) => Some(p),
            Err(e) => panic!("built-in profile {name} does not parse: {e}"),
        }
    }

    /// A built-in name, or else a path to a profile file (relative to
    /// `base_dir`); a file's `base` path is relative to that file.
    fn load_resolved(name_or_path: &str, base_dir: &Path) -> Result<Self, ProfileError> {
        let (text, origin, path) = profile_text(name_or_path, base_dir, Self::BUILTINS)?;
        let dir = path.as_deref().and_then(Path::parent).unwrap_or(base_dir);
        Self::from_layers(&Layered::read(text, origin, dir, Self::BUILTINS)?)
    }
}

/// One file of an inheritance chain.
#[derive(Clone, Debug)]
pub(crate) struct Layer {
    /// File or built-in name, for errors.
    pub origin: String,
    /// Its text, for line numbers.
    pub text: String,
}

/// A profile assembled from its file and the chain of its bases.
#[derive(Clone, Debug)]
pub(crate) struct Layered {
    /// The profile's own file first, then its base, its base's base, ...
    pub layers: Vec<Layer>,
    /// Every layer merged (later bases under earlier files), `base` removed.
    pub merged: toml::Table,
}

impl Layered {
    /// Reads `text` (from `origin`, whose relative `base` paths start at
    /// `dir`) and its chain of bases.
    pub fn read(
        text: String,
        origin: String,
        dir: &Path,
        builtins: &[(&str, &str)],
    ) -> Result<Layered, ProfileError> {
        let mut layers: Vec<Layer> = Vec::new();
        let mut tables: Vec<toml::Table> = Vec::new();
        let (mut text, mut origin, mut dir) = (text, origin, dir.to_path_buf());
        loop {
            let table: toml::Table = parse_profile(&text, &origin)?;
            let base = match table.get("base") {
                None => None,
                Some(toml::Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(invalid(
                        &origin,
                        &text,
                        "base",
                        "must be a string: a built-in profile name or a path to a .toml file"
                            .into(),
                    ))
                }
            };
            layers.push(Layer { origin, text });
            tables.push(table);
            let Some(base) = base else { break };
            let child = layers.last().expect("just pushed");
            if layers.len() >= MAX_BASE_DEPTH {
                return Err(invalid(
                    &child.origin,
                    &child.text,
                    "base",
                    format!(
                        "inheritance chain longer than {MAX_BASE_DEPTH} files ({}): \
                         copy a base's keys into the file instead of adding another level",
                        chain(&layers, &base)
                    ),
                ));
            }
            let (t, o, path) = profile_text(&base, &dir, builtins).map_err(|e| {
                let problem = match e {
                    ProfileError::Unknown { name, known } => format!(
                        "unknown base `{name}`: use a built-in profile ({known}) or a path \
                         to a .toml file, relative to this file"
                    ),
                    other => format!("cannot load base `{base}`: {other}"),
                };
                invalid(&child.origin, &child.text, "base", problem)
            })?;
            if layers.iter().any(|l| l.origin == o) {
                return Err(invalid(
                    &child.origin,
                    &child.text,
                    "base",
                    format!(
                        "inheritance cycle ({}): a profile cannot be its own base",
                        chain(&layers, &o)
                    ),
                ));
            }
            if let Some(p) = path.as_deref().and_then(Path::parent) {
                dir = p.to_path_buf();
            }
            (text, origin) = (t, o);
        }
        let mut merged = toml::Table::new();
        for (i, mut t) in tables.into_iter().enumerate().rev() {
            if i > 0 {
                // A profile names and describes itself; a base's name would be wrong.
                t.remove("name");
                t.remove("description");
            }
            merge(&mut merged, t);
        }
        merged.remove("base");
        Ok(Layered { layers, merged })
    }

    /// Deserializes the merged profile; errors name the file and line of the key.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, ProfileError> {
        if let [only] = self.layers.as_slice() {
            // One file: the parser's own spans give the exact line and column.
            return parse_profile(&only.text, &only.origin);
        }
        toml::Value::Table(self.merged.clone())
            .try_into()
            .map_err(|e: toml::de::Error| {
                let key = error_key(&e);
                self.locate(ProfileError::Invalid {
                    origin: self.layers[0].origin.clone(),
                    line: None,
                    key,
                    problem: e.message().to_string(),
                })
            })
    }

    /// Points an `Invalid` error at the first file of the chain that writes
    /// its key (the profile itself before its bases), with the line.
    pub fn locate(&self, e: ProfileError) -> ProfileError {
        match e {
            ProfileError::Invalid {
                origin,
                line: None,
                key,
                problem,
            } => {
                let found = self
                    .layers
                    .iter()
                    .find_map(|l| key_line(&l.text, &key).map(|n| (l.origin.clone(), n)));
                let (origin, line) = match found {
                    Some((o, n)) => (o, Some(n)),
                    None => (origin, None),
                };
                ProfileError::Invalid {
                    origin,
                    line,
                    key,
                    problem,
                }
            }
            other => other,
        }
    }
}

/// `a -> b -> next` for error messages.
fn chain(layers: &[Layer], next: &str) -> String {
    let mut names: Vec<&str> = layers.iter().map(|l| l.origin.as_str()).collect();
    names.push(next);
    names.join(" -> ")
}

/// An `Invalid` error at `key`'s line in `text`.
fn invalid(origin: &str, text: &str, key: &str, problem: String) -> ProfileError {
    ProfileError::Invalid {
        origin: origin.to_string(),
        line: key_line(text, key),
        key: key.to_string(),
        problem,
    }
}

/// Overlays `top` on `under`: tables merge key by key, anything else
/// (values, arrays, arrays of tables) replaces.
fn merge(under: &mut toml::Table, top: toml::Table) {
    for (k, v) in top {
        match (under.get_mut(&k), v) {
            (Some(toml::Value::Table(u)), toml::Value::Table(t)) => merge(u, t),
            (_, v) => {
                under.insert(k, v);
            }
        }
    }
}

/// The dotted key a deserialization error is about: its path (`in `a.b``)
/// plus the field an "unknown field" message names.
fn error_key(e: &toml::de::Error) -> String {
    let shown = e.to_string();
    let path = shown
        .rsplit_once("in `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(p, _)| p.to_string())
        .unwrap_or_default();
    let field = e
        .message()
        .split_once("unknown field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(f, _)| f.to_string());
    match (path.is_empty(), field) {
        (true, Some(f)) => f,
        (false, Some(f)) => format!("{path}.{f}"),
        (_, None) => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_overlays_tables_and_replaces_arrays() {
        let mut under: toml::Table =
            toml::from_str("a = 1\n[t]\nx = 1\ny = 2\n[[arr]]\nv = 1\n[[arr]]\nv = 2\n").unwrap();
        let top: toml::Table = toml::from_str("a = 5\n[t]\ny = 3\n[[arr]]\nv = 9\n").unwrap();
        merge(&mut under, top);
        let want: toml::Table =
            toml::from_str("a = 5\n[t]\nx = 1\ny = 3\n[[arr]]\nv = 9\n").unwrap();
        assert_eq!(under, want);
    }
}
