//! Sweep file parsing: the `[sweep]` header, the base scenario, `[[axis]]` and `[[filter]]` tables.
//!
//! A sweep file is TOML. Every table denies unknown keys, and every error names
//! the file, the key and a fix.
//!
//! ```toml
//! [sweep]
//! name = "fig2"                 # used in output paths and the sbatch job name
//! seed = 1                      # root seed; repetition r runs with derive_seed(seed, r)
//! repetitions = 1               # default 1
//! base = "../scenarios/echo.toml"   # path relative to this file; or an inline [base] table instead
//!
//! [[axis]]
//! key = "nic.cores"             # dotted path into the scenario, as for `--set`
//! range = { start = 1, end = 12, step = 1 }   # `end` is inclusive
//!
//! [[axis]]
//! key = "traffic.packet_size"
//! values = [64, 128, 256, 512, 1024, 1500]
//! # zip = "g"                   # axes with the same zip group vary together (equal lengths)
//!
//! [[filter]]                    # skip a point when ALL conditions of one filter hold
//! skip_if = { "nic.cores" = { gt = 8 }, "traffic.packet_size" = { eq = 64 } }
//! ```
//!
//! Condition operators: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `in = [..]`, `not_in = [..]`.
//! Ordering operators need numbers; a condition key must be one of the swept keys.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Value;

use super::filter::{conditions_of, number, RawCondition};
pub use super::filter::{Cmp, Condition, Filter};

/// Largest number of values one axis may have: a guard against a range typo.
const MAX_AXIS_VALUES: usize = 100_000;

/// A sweep file error: which file, which key, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The sweep file (or base scenario file) at fault.
    pub file: String,
    /// The offending key, e.g. `axis[1].range`; empty for whole-file errors.
    pub key: String,
    /// What is wrong, then how to fix it.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: key `{}`: {}", self.file, self.key, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// One swept key and its values, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<Value>,
    /// Axes sharing a zip group vary together instead of as a product.
    pub zip: Option<String>,
}

/// A parsed, validated sweep file.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub name: String,
    pub seed: u64,
    pub repetitions: u32,
    /// The base scenario table every point starts from.
    pub base: toml::Table,
    /// Where the base came from, for error messages (`path` or `FILE [base]`).
    pub base_origin: String,
    pub axes: Vec<Axis>,
    pub filters: Vec<Filter>,
    /// The sweep file itself (as given; absolute when loaded through `load`).
    pub path: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    sweep: RawHeader,
    base: Option<toml::Table>,
    #[serde(default)]
    axis: Vec<RawAxis>,
    #[serde(default)]
    filter: Vec<RawFilter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    seed: u64,
    #[serde(default = "one")]
    repetitions: u32,
    base: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    key: String,
    values: Option<Vec<Value>>,
    range: Option<RawRange>,
    zip: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    start: Value,
    end: Value,
    step: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    skip_if: BTreeMap<String, RawCondition>,
}

impl SweepSpec {
    /// Reads and validates a sweep file; a `base = "path"` is resolved relative to it.
    pub fn load(path: &Path) -> Result<SweepSpec, SpecError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SpecError {
            file: file.clone(),
            key: String::new(),
            message: format!("cannot read the sweep file: {e}. Fix: check the path."),
        })?;
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut spec = SweepSpec::parse(&text, &file, &dir)?;
        spec.path = abs;
        Ok(spec)
    }

    /// Parses sweep file text; `origin` names it in errors, `base_dir` resolves `base = "path"`.
    pub fn parse(text: &str, origin: &str, base_dir: &Path) -> Result<SweepSpec, SpecError> {
        let err = |key: &str, message: String| SpecError {
            file: origin.to_string(),
            key: key.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            err(
                "",
                format!(
                    "{}Fix: see the sweep file format in configs/sweeps/README.md.",
                    e.to_string().trim_end().to_string() + "\n"
                ),
            )
        })?;
        let h = raw.sweep;
        if h.name.is_empty()
            || !h
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(err(
                "sweep.name",
                format!(
                    "`{}` is not a plain name. Fix: use letters, digits, `-`, `_` or `.`.",
                    h.name
                ),
            ));
        }
        if h.repetitions == 0 {
            return Err(err("sweep.repetitions", "is 0. Fix: use 1 or more.".into()));
        }
        let (base, base_origin) = match (h.base, raw.base) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "sweep.base",
                    "both `sweep.base` and a `[base]` table are given. Fix: keep one.".into(),
                ))
            }
            (None, None) => {
                return Err(err(
                    "sweep.base",
                    "no base scenario. Fix: add `base = \"scenario.toml\"` to [sweep] or an inline [base] table."
                        .into(),
                ))
            }
            (None, Some(t)) => (t, format!("{origin} [base]")),
            (Some(p), None) => {
                let path = base_dir.join(&p);
                (load_base(&path).map_err(|m| err("sweep.base", m))?, path.display().to_string())
            }
        };

        let mut axes: Vec<Axis> = Vec::new();
        for (i, a) in raw.axis.into_iter().enumerate() {
            let k = format!("axis[{i}]");
            if a.key.is_empty() || a.key.split('.').any(str::is_empty) {
                return Err(err(
                    &format!("{k}.key"),
                    format!("`{}` is not a dotted key. Fix: e.g. `nic.cores`.", a.key),
                ));
            }
            if axes.iter().any(|b| b.key == a.key) {
                return Err(err(
                    &format!("{k}.key"),
                    format!("`{}` is swept twice. Fix: merge the two axes.", a.key),
                ));
            }
            let values = match (a.values, a.range) {
                (Some(v), None) => v,
                (None, Some(r)) => expand_range(&r).map_err(|m| err(&format!("{k}.range"), m))?,
                _ => {
                    return Err(err(
                        &k,
                        "needs exactly one of `values` or `range`. Fix: keep one.".into(),
                    ));
                }
            };
            if values.is_empty() {
                return Err(err(
                    &k,
                    "has no values. Fix: give at least one value.".into(),
                ));
            }
            if values.len() > MAX_AXIS_VALUES {
                return Err(err(
                    &k,
                    format!(
                        "has {} values. Fix: at most {MAX_AXIS_VALUES}.",
                        values.len()
                    ),
                ));
            }
            if let Some(bad) = values
                .iter()
                .find(|v| matches!(v, Value::Table(_) | Value::Array(_) | Value::Datetime(_)))
            {
                return Err(err(&k, format!("value `{bad}` is not a number, string or boolean. Fix: sweep scalar values.")));
            }
            axes.push(Axis {
                key: a.key,
                values,
                zip: a.zip,
            });
        }
        for a in &axes {
            if let Some(g) = &a.zip {
                let first = axes
                    .iter()
                    .find(|b| b.zip.as_ref() == Some(g))
                    .expect("a is in its own group");
                if first.values.len() != a.values.len() {
                    return Err(err(
                        "axis.zip",
                        format!(
                            "zip group `{g}`: `{}` has {} values but `{}` has {}. Fix: give zipped axes equal lengths.",
                            first.key,
                            first.values.len(),
                            a.key,
                            a.values.len()
                        ),
                    ));
                }
            }
        }

        let mut filters = Vec::new();
        for (i, f) in raw.filter.into_iter().enumerate() {
            let k = format!("filter[{i}].skip_if");
            if f.skip_if.is_empty() {
                return Err(err(
                    &k,
                    "is empty (it would skip every point). Fix: add a condition.".into(),
                ));
            }
            let mut conditions = Vec::new();
            for (key, c) in f.skip_if {
                let kk = format!("{k}.\"{key}\"");
                let Some(axis) = axes.iter().find(|a| a.key == key) else {
                    return Err(err(
                        &kk,
                        "is not a swept key. Fix: filter on one of the [[axis]] keys.".into(),
                    ));
                };
                let cmps = conditions_of(c, axis).map_err(|m| err(&kk, m))?;
                conditions.extend(cmps.into_iter().map(|cmp| Condition {
                    key: key.clone(),
                    cmp,
                }));
            }
            filters.push(Filter { conditions });
        }

        Ok(SweepSpec {
            name: h.name,
            seed: h.seed,
            repetitions: h.repetitions,
            base,
            base_origin,
            axes,
            filters,
            path: PathBuf::new(),
        })
    }

    /// The swept keys, in file order: these are the parameter columns of results.csv.
    pub fn keys(&self) -> Vec<String> {
        self.axes.iter().map(|a| a.key.clone()).collect()
    }
}

/// Reads a base scenario file as a TOML table.
fn load_base(path: &Path) -> Result<toml::Table, String> {
    crate::scenario::load_table(path)
        .map_err(|e| format!("base scenario: {e} (the path is relative to the sweep file)"))
}

/// `range = {start, end, step}` with `end` inclusive: integers if all three are integers, else floats
/// rounded to 1e-9 so that 0.1 steps give 0.3, not 0.30000000000000004.
fn expand_range(r: &RawRange) -> Result<Vec<Value>, String> {
    if let (Value::Integer(s), Value::Integer(e), Value::Integer(st)) = (&r.start, &r.end, &r.step)
    {
        if *st <= 0 || e < s {
            return Err(format!("start={s}, end={e}, step={st}. Fix: need step > 0 and end >= start (end is inclusive)."));
        }
        let n = (e - s) / st + 1;
        if n as usize > MAX_AXIS_VALUES {
            return Err(format!("gives {n} values. Fix: at most {MAX_AXIS_VALUES}."));
        }
        return Ok((0..n).map(|i| Value::Integer(s + i * st)).collect());
    }
    let (Some(s), Some(e), Some(st)) = (number(&r.start), number(&r.end), number(&r.step)) else {
        return Err("start, end and step must be numbers. Fix: e.g. `range = { start = 0.1, end = 0.9, step = 0.2 }`.".into());
    };
    if st.is_nan() || st <= 0.0 || e < s || !s.is_finite() || !e.is_finite() {
        return Err(format!("start={s}, end={e}, step={st}. Fix: need step > 0 and end >= start (end is inclusive)."));
    }
    let n = ((e - s) / st + 1e-9).floor() as usize + 1;
    if n > MAX_AXIS_VALUES {
        return Err(format!("gives {n} values. Fix: at most {MAX_AXIS_VALUES}."));
    }
    Ok((0..n)
        .map(|i| Value::Float(((s + i as f64 * st) * 1e9).round() / 1e9))
        .collect())
}
