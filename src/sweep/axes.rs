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

/// Number of points in the full product, before filtering (repetitions included).
pub fn product_size(spec: &SweepSpec) -> usize {
    dimensions(spec)
        .iter()
        .map(|d| spec.axes[d[0]].values.len())
        .product::<usize>()
        * spec.repetitions as usize
}

fn id_width(total: usize) -> usize {
    total.saturating_sub(1).to_string().len().max(4)
}

/// Expands a sweep into its points, filters applied, in index (= id) order.
pub fn expand(spec: &SweepSpec) -> Vec<Point> {
    let dims = dimensions(spec);
    let lens: Vec<usize> = dims.iter().map(|d| spec.axes[d[0]].values.len()).collect();
    let combos: usize = lens.iter().product();
    let reps = spec.repetitions as usize;
    let width = id_width(combos * reps);
    let mut points = Vec::new();
    let mut digits = vec![0usize; dims.len()];
    for combo in 0..combos {
        // Mixed-radix decomposition, first dimension most significant.
        let mut rest = combo;
        for d in (0..dims.len()).rev() {
            digits[d] = rest % lens[d];
            rest /= lens[d];
        }
        let mut params: Vec<(String, Value)> = spec
            .axes
            .iter()
            .map(|a| (a.key.clone(), Value::Boolean(false)))
            .collect();
        for (d, axes) in dims.iter().enumerate() {
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
        if skipped {
            continue;
        }
        for rep in 0..reps {
            let index = combo * reps + rep;
            points.push(Point {
                id: format!("p{index:0width$}"),
                index,
                repetition: rep as u32,
                seed: derive_seed(spec.seed, rep as u32),
                params: params.clone(),
            });
        }
    }
    points
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
