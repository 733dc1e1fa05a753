//! Sweep expansion: axes to points (cartesian product, zipped groups, filters, repetitions), deterministic ids and seeds.
//!
//! Dimensions: every axis without `zip` is one dimension; all axes of one zip
//! group form one dimension, placed where the group's first axis appears. The
//! first dimension varies slowest, repetitions fastest. The point index counts
//! the full product (before filtering), so editing a filter never renumbers
//! other points. Point id = `p` + zero-padded index (width: at least 4 digits,
//! enough for the product size), so sorting ids as strings sorts by index.

use toml::Value;

use super::spec::SweepSpec;

/// One run of a sweep: the base scenario plus `params` overrides, with `seed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Deterministic id, e.g. `p0042`.
    pub id: String,
    /// Index in the full product (repetitions innermost).
    pub index: usize,
    /// Repetition number, 0-based.
    pub repetition: u32,
    /// Seed of this run: `derive_seed(sweep.seed, repetition)`.
    pub seed: u64,
    /// (dotted key, value) for every swept key, in file order.
    pub params: Vec<(String, Value)>,
}

impl Point {
    /// The value of one swept key.
    pub fn param(&self, key: &str) -> Option<&Value> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// splitmix64 finaliser: a bijective 64-bit mix (Steele, Lea, Flood 2014).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of repetition `rep` of a sweep with root seed `root`. All points of
/// one repetition share it (common random numbers across parameter values);
/// distinct repetitions get distinct, well-mixed seeds. 63 bits, so that the
/// seed fits a TOML integer (`seed = ...` in a scenario reproduces the point).
pub fn derive_seed(root: u64, rep: u32) -> u64 {
    splitmix64(root ^ splitmix64(u64::from(rep))) >> 1
}

/// How a parameter value is written in a CSV cell: strings bare, everything else as TOML.
pub fn param_cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a parameter value is passed to `scenario::apply_override`: TOML syntax, so
/// that `"hybrid"` stays a string and `1.0` stays a float.
pub fn override_text(v: &Value) -> String {
    v.to_string()
}

/// Groups axes into dimensions: each entry lists axis indices that vary together.
fn dimensions(spec: &SweepSpec) -> Vec<Vec<usize>> {
    let mut dims: Vec<Vec<usize>> = Vec::new();
    let mut group_of: Vec<(String, usize)> = Vec::new();
    for (i, a) in spec.axes.iter().enumerate() {
        match &a.zip {
            Some(g) => match group_of.iter().find(|(name, _)| name == g) {
                Some(&(_, d)) => dims[d].push(i),
                None => {
                    group_of.push((g.clone(), dims.len()));
                    dims.push(vec![i]);
                }
            },
            None => dims.push(vec![i]),
        }
    }
    dims
}

/// Number of points in the full product, before filtering (repetitions
/// included). Checked when the spec was parsed: never above `spec.max_points`.
pub fn product_size(spec: &SweepSpec) -> usize {
    Expansion::new(spec).total()
}

/// The full product size with checked arithmetic; `None` if it overflows `usize`.
pub fn checked_product_size(spec: &SweepSpec) -> Option<usize> {
    dimensions(spec)
        .iter()
        .map(|d| spec.axes[d[0]].values.len())
        .try_fold(spec.repetitions as usize, usize::checked_mul)
}

/// The full product size as text, exact when it fits 128 bits (for error messages
/// about sweeps too large to count in `usize`, e.g. 4 axes of 65,536 values = 2^64).
pub fn product_size_text(spec: &SweepSpec) -> String {
    let lens: Vec<usize> = dimensions(spec)
        .iter()
        .map(|d| spec.axes[d[0]].values.len())
        .collect();
    let exact = lens
        .iter()
        .try_fold(u128::from(spec.repetitions), |acc, &n| {
            acc.checked_mul(n as u128)
        });
    match exact {
        Some(n) => n.to_string(),
        None => {
            let approx = lens
                .iter()
                .fold(f64::from(spec.repetitions), |acc, &n| acc * n as f64);
            format!("about {approx:e}")
        }
    }
}

/// The full product size if it is at most `limit`, else the error message
/// (distinguishing a count beyond 64 bits from one above the limit).
pub fn check_size(spec: &SweepSpec, limit: usize) -> Result<usize, String> {
    let counted = checked_product_size(spec);
    match counted {
        Some(n) if n <= limit => Ok(n),
        _ => {
            let size = product_size_text(spec);
            let reps = spec.repetitions;
            let fix = if counted.is_none() {
                format!("more than a 64-bit count holds (the product overflows). Fix: sweep fewer values or repetitions (the limit is {limit} points).")
            } else {
                format!("above the limit of {limit}. Fix: sweep fewer values or repetitions, or raise the limit with `max_points = N` in [sweep] or `--max-points N`.")
            };
            Err(format!(
                "the sweep has {size} points (the product of the axis lengths times {reps} repetition(s)), {fix}"
            ))
        }
    }
}

fn id_width(total: usize) -> usize {
    total.saturating_sub(1).to_string().len().max(4)
}

/// The lazy expansion of a sweep: points computed from their index on demand, so
/// listing, sharding, resuming and running a sweep never hold all its points.
pub struct Expansion<'a> {
    spec: &'a SweepSpec,
    dims: Vec<Vec<usize>>,
    lens: Vec<usize>,
    combos: usize,
    reps: usize,
    width: usize,
}

impl<'a> Expansion<'a> {
    /// The expansion of a parsed spec (whose size was checked by the parser).
    pub fn new(spec: &'a SweepSpec) -> Expansion<'a> {
        let dims = dimensions(spec);
        let lens: Vec<usize> = dims.iter().map(|d| spec.axes[d[0]].values.len()).collect();
        let reps = spec.repetitions as usize;
        // The parser checked that combos * reps fits; a hand-built spec saturates
        // here instead of wrapping (and then holds fewer points than it says).
        let combos = lens
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
            .unwrap_or(usize::MAX / reps.max(1));
        Expansion {
            spec,
            dims,
            lens,
            combos,
            reps,
            width: id_width(combos.saturating_mul(reps)),
        }
    }

    /// Points of the full product, before filters (repetitions included).
    pub fn total(&self) -> usize {
        self.combos * self.reps
    }

    /// The parameter values of combination `combo`, or `None` if a filter skips it.
    fn params(&self, combo: usize) -> Option<Vec<(String, Value)>> {
        let spec = self.spec;
        let mut digits = vec![0usize; self.dims.len()];
        // Mixed-radix decomposition, first dimension most significant.
        let mut rest = combo;
        for d in (0..self.dims.len()).rev() {
            digits[d] = rest % self.lens[d];
            rest /= self.lens[d];
        }
        let mut params: Vec<(String, Value)> = spec
            .axes
            .iter()
            .map(|a| (a.key.clone(), Value::Boolean(false)))
            .collect();
        for (d, axes) in self.dims.iter().enumerate() {
            for &ai in axes {
                params[ai].1 = spec.axes[ai].values[digits[d]].clone();
            }
        }
        let skipped = spec.filters.iter().any(|f| {
            f.conditions.iter().all(|c| {
                params
                    .iter()
                    .find(|(k, _)| *k == c.key)
                    .is_some_and(|(_, v)| c.cmp.holds(v))
            })
        });
        (!skipped).then_some(params)
    }

    fn make(&self, combo: usize, rep: usize, params: Vec<(String, Value)>) -> Point {
        let index = combo * self.reps + rep;
        let width = self.width;
        Point {
            id: format!("p{index:0width$}"),
            index,
            repetition: rep as u32,
            seed: derive_seed(self.spec.seed, rep as u32),
            params,
        }
    }

    /// The point with full-product index `index`, or `None` if out of range or filtered out.
    pub fn point(&self, index: usize) -> Option<Point> {
        if index >= self.total() {
            return None;
        }
        let (combo, rep) = (index / self.reps, index % self.reps);
        self.params(combo).map(|p| self.make(combo, rep, p))
    }

    /// The full-product index of a point id (`p0042` -> 42), if it is one of this sweep's ids.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let digits = id.strip_prefix('p')?;
        if digits.len() != self.width || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|&i| i < self.total())
    }

    /// The points, filters applied, in index (= id) order, computed one at a time.
    pub fn iter(&self) -> impl Iterator<Item = Point> + '_ {
        (0..self.combos)
            .filter_map(move |c| self.params(c).map(|p| (c, p)))
            .flat_map(move |(c, p)| (0..self.reps).map(move |r| self.make(c, r, p.clone())))
    }
}

/// Expands a sweep into its points, filters applied, in index (= id) order.
/// Holds every point: prefer `Expansion::iter` for large sweeps.
pub fn expand(spec: &SweepSpec) -> Vec<Point> {
    Expansion::new(spec).iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_per_repetition_and_root() {
        assert_ne!(derive_seed(1, 0), derive_seed(1, 1));
        assert_ne!(derive_seed(1, 0), derive_seed(2, 0));
        assert_eq!(derive_seed(7, 3), derive_seed(7, 3));
    }

    #[test]
    fn width_grows_with_size() {
        assert_eq!(id_width(48), 4);
        assert_eq!(id_width(10_000), 4);
        assert_eq!(id_width(10_001), 5);
    }
}
