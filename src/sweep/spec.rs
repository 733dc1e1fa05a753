//! Sweep file parsing: the `[sweep]` header, the base scenario, `[[axis]]` and `[[filter]]` tables.
//!
//! A sweep file is TOML. Every table denies unknown keys, and every error names
//! the file, the key and a fix.
//!
//! ```toml
//! [sweep]
//! name = "fig2"                 # used in output paths and the sbatch job name
//! seed = 1                      # root seed; repetition r runs with derive_seed(seed, r)
//! repetitions = 1               # default 1, at most 100000
//! max_points = 1000000          # size limit (default 1000000; `--max-points` overrides)
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
//! Size: the full product (repetitions included, before filters) is counted
//! with checked arithmetic and must not exceed `max_points`; an axis has at
//! most 100000 values.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Spanned, Value};

pub use super::filter::{Cmp, Condition, Filter};
use crate::input_error::{line_of_offset, table_prefix, unknown_field};

mod tables;

use tables::{parse_axes, parse_filters, RawAxis, RawFilter};

/// A sweep file error (file, line, key, fix): the crate's input error, exit code 2.
pub use crate::input_error::InputError as SpecError;

/// Largest number of values one axis may have: a guard against a range typo.
pub const MAX_AXIS_VALUES: usize = 100_000;

/// Default largest sweep, in points of the full product (repetitions included,
/// before filters). Raise it with `max_points` in `[sweep]` or `--max-points`.
pub const DEFAULT_MAX_POINTS: usize = 1_000_000;

/// Largest `repetitions`: more is a typo, not a statistics plan.
pub const MAX_REPETITIONS: u32 = 100_000;

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
    /// Points of the full product (repetitions included, before filters);
    /// checked against `max_points` when parsed, so it never overflows.
    pub total_points: usize,
    /// The size limit this spec was checked against.
    pub max_points: usize,
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
    name: Spanned<String>,
    #[serde(default)]
    seed: u64,
    repetitions: Option<Spanned<i64>>,
    max_points: Option<Spanned<i64>>,
    base: Option<Spanned<String>>,
}

impl SweepSpec {
    /// Reads and validates a sweep file; a `base = "path"` is resolved relative to it.
    pub fn load(path: &Path) -> Result<SweepSpec, SpecError> {
        SweepSpec::load_limited(path, None)
    }

    /// `load` with a size limit that overrides the file's `max_points` (the `--max-points` flag).
    pub fn load_limited(path: &Path, max_points: Option<usize>) -> Result<SweepSpec, SpecError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            SpecError::new(
                file.clone(),
                None,
                "",
                format!("cannot read the sweep file: {e}. Fix: check the path (a sweep file is a TOML file, see configs/sweeps/README.md)."),
            )
        })?;
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut spec = SweepSpec::parse_limited(&text, &file, &dir, max_points)?;
        spec.path = abs;
        Ok(spec)
    }

    /// Parses sweep file text; `origin` names it in errors, `base_dir` resolves `base = "path"`.
    pub fn parse(text: &str, origin: &str, base_dir: &Path) -> Result<SweepSpec, SpecError> {
        SweepSpec::parse_limited(text, origin, base_dir, None)
    }

    /// `parse` with a size limit overriding the file's `max_points`.
    pub fn parse_limited(
        text: &str,
        origin: &str,
        base_dir: &Path,
        max_points: Option<usize>,
    ) -> Result<SweepSpec, SpecError> {
        // `at` is a byte offset into the file (from a span): errors name its line.
        let err = |key: &str, at: Option<usize>, message: String| {
            SpecError::new(origin, at.map(|o| line_of_offset(text, o)), key, message)
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let key = unknown_field(e.message())
                .map(|k| match e.span() {
                    Some(sp) => format!("{}{k}", table_prefix(text, sp.start)),
                    None => k,
                })
                .unwrap_or_default();
            err(
                &key,
                e.span().map(|s| s.start),
                format!(
                    "{}. Fix: see the sweep file format in configs/sweeps/README.md.",
                    e.message().trim_end().trim_end_matches('.')
                ),
            )
        })?;
        let h = raw.sweep;
        let name_at = Some(h.name.span().start);
        let name = h.name.into_inner();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || name == "."
            || name == ".."
        {
            return Err(err(
                "sweep.name",
                name_at,
                format!("`{name}` is not a plain name. Fix: use letters, digits, `-`, `_` or `.`."),
            ));
        }
        let repetitions = match h.repetitions {
            None => 1,
            Some(r) => {
                let at = Some(r.span().start);
                match u32::try_from(*r.get_ref()) {
                    Ok(n) if (1..=MAX_REPETITIONS).contains(&n) => n,
                    _ => {
                        return Err(err(
                            "sweep.repetitions",
                            at,
                            format!("is {}. Fix: use 1 to {MAX_REPETITIONS}.", r.get_ref()),
                        ))
                    }
                }
            }
        };
        // Where a size error points: `max_points` if written, else the [sweep] header.
        let max_points_at = h.max_points.as_ref().map(|m| m.span().start);
        let sweep_header_at = text.find("[sweep]");
        let limit = match (max_points, h.max_points) {
            (Some(m), _) => m,
            (None, None) => DEFAULT_MAX_POINTS,
            (None, Some(m)) => match usize::try_from(*m.get_ref()) {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(err(
                        "sweep.max_points",
                        Some(m.span().start),
                        format!(
                            "is {}. Fix: use a positive number of points (default {DEFAULT_MAX_POINTS}).",
                            m.get_ref()
                        ),
                    ))
                }
            },
        };
        let (base, base_origin) = match (h.base, raw.base) {
            (Some(b), Some(_)) => {
                return Err(err(
                    "sweep.base",
                    Some(b.span().start),
                    "both `sweep.base` and a `[base]` table are given. Fix: keep one.".into(),
                ))
            }
            (None, None) => {
                return Err(err(
                    "sweep.base",
                    None,
                    "no base scenario. Fix: add `base = \"scenario.toml\"` to [sweep] or an inline [base] table."
                        .into(),
                ))
            }
            (None, Some(t)) => (t, format!("{origin} [base]")),
            (Some(p), None) => {
                let at = Some(p.span().start);
                let path = base_dir.join(p.get_ref());
                (
                    load_base(&path).map_err(|m| err("sweep.base", at, m))?,
                    path.display().to_string(),
                )
            }
        };

        let axes = parse_axes(raw.axis, &err)?;
        let filters = parse_filters(raw.filter, &axes, &err)?;

        let mut spec = SweepSpec {
            name,
            seed: h.seed,
            repetitions,
            base,
            base_origin,
            axes,
            filters,
            path: PathBuf::new(),
            total_points: 0,
            max_points: limit,
        };
        spec.total_points = super::axes::check_size(&spec, limit)
            .map_err(|m| err("sweep.max_points", max_points_at.or(sweep_header_at), m))?;
        Ok(spec)
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
