//! A quantitative claim from a paper set beside the simulated value, with a tolerance.
//!
//! Model crates produce claims next to the data they simulate; `nicsim repro`
//! gathers them into `claims.csv`. Nothing here knows what the claim is about.

/// One quantitative statement checked against the simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Stable identifier, e.g. `fig2.cn2350.256B.cores_to_line_rate`.
    pub claim_id: String,
    /// What the paper says, in words.
    pub description: String,
    /// The published value.
    pub paper_value: f64,
    /// The value the simulator produced.
    pub simulated_value: f64,
    /// Unit of both values, e.g. `us`, `x`, `cores`, `GB/s`.
    pub unit: String,
    /// Accepted relative error, e.g. 0.10 for 10%.
    pub tolerance: f64,
}

impl Claim {
    /// A claim checked by relative error within `tolerance`.
    pub fn new(
        claim_id: impl Into<String>,
        description: impl Into<String>,
        paper_value: f64,
        simulated_value: f64,
        unit: impl Into<String>,
        tolerance: f64,
    ) -> Self {
        Claim {
            claim_id: claim_id.into(),
            description: description.into(),
            paper_value,
            simulated_value,
            unit: unit.into(),
            tolerance,
        }
    }

    /// |simulated - paper| / |paper|; absolute error when the paper value is zero.
    pub fn rel_error(&self) -> f64 {
        let diff = (self.simulated_value - self.paper_value).abs();
        if self.paper_value == 0.0 {
            diff
        } else {
            diff / self.paper_value.abs()
        }
    }

    /// Whether the simulated value is within tolerance (and finite).
    pub fn pass(&self) -> bool {
        self.simulated_value.is_finite() && self.rel_error() <= self.tolerance + 1e-12
    }

    /// Column names of `claims.csv`, in order.
    pub const CSV_COLUMNS: [&'static str; 8] = [
        "claim_id",
        "description",
        "paper_value",
        "simulated_value",
        "unit",
        "rel_error",
        "tolerance",
        "pass",
    ];

    /// The claim as `claims.csv` fields, in `CSV_COLUMNS` order.
    pub fn csv_fields(&self) -> Vec<String> {
        vec![
            self.claim_id.clone(),
            self.description.clone(),
            format!("{}", self.paper_value),
            format!("{:.6}", self.simulated_value),
            self.unit.clone(),
            format!("{:.6}", self.rel_error()),
            format!("{}", self.tolerance),
            self.pass().to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_tolerance_passes_and_outside_fails() {
        let ok = Claim::new("a", "d", 2.0, 2.1, "x", 0.10);
        assert!(ok.pass());
        let bad = Claim::new("b", "d", 2.0, 2.5, "x", 0.10);
        assert!(!bad.pass());
        assert!((bad.rel_error() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn nan_never_passes() {
        assert!(!Claim::new("c", "d", 1.0, f64::NAN, "x", 10.0).pass());
    }
}
