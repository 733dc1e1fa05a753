//! A quantitative claim from the paper set beside the simulated value, with a tolerance and the basis that says how much passing it proves.
//!
//! Figure generators produce claims next to the data they simulate; `nicsim
//! repro` gathers them into `claims.csv` and counts them by [`Basis`].

use std::fmt;

/// Why a claim passes, i.e. how much its passing says about the model.
///
/// Every claim names its basis when it is built, so the audit is in the code
/// next to the number: see each generator for the reasoning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The paper's value is written into a profile and measured back: the
    /// detail names the profile key. Passing checks the plumbing only.
    Input(String),
    /// A model parameter was solved from this very number: the detail names
    /// the parameter(s). Passing checks the fit held.
    Fitted(String),
    /// True by construction of the model: the detail says why.
    Structural(String),
    /// No parameter saw this number: a real prediction. The detail says why
    /// no parameter was derived from it.
    Predicted(String),
}

impl Basis {
    /// The four kinds, in report order.
    pub const KINDS: [&'static str; 4] = ["input", "fitted", "structural", "predicted"];

    /// `input`, `fitted`, `structural` or `predicted` (the `basis` column).
    pub fn kind(&self) -> &'static str {
        match self {
            Basis::Input(_) => "input",
            Basis::Fitted(_) => "fitted",
            Basis::Structural(_) => "structural",
            Basis::Predicted(_) => "predicted",
        }
    }

    /// The profile key, fitted parameter or reason (the `basis_detail` column).
    pub fn detail(&self) -> &str {
        match self {
            Basis::Input(d) | Basis::Fitted(d) | Basis::Structural(d) | Basis::Predicted(d) => d,
        }
    }
}

/// One quantitative statement checked against the simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Stable identifier, e.g. `fig2.liquidio_cn2350.256B.cores_to_line_rate`.
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
    /// How the model came to agree (or not) with the paper value.
    pub basis: Basis,
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
        basis: Basis,
    ) -> Self {
        Claim {
            claim_id: claim_id.into(),
            description: description.into(),
            paper_value,
            simulated_value,
            unit: unit.into(),
            tolerance,
            basis,
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

    /// Column names of `claims.csv`, in order (`basis` and `basis_detail` last,
    /// so readers of the older eight columns still find theirs in place).
    pub const CSV_COLUMNS: [&'static str; 10] = [
        "claim_id",
        "description",
        "paper_value",
        "simulated_value",
        "unit",
        "rel_error",
        "tolerance",
        "pass",
        "basis",
        "basis_detail",
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
            self.basis.kind().to_string(),
            self.basis.detail().to_string(),
        ]
    }
}

/// Claims counted by outcome and basis: what the console and README report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Passing claims per basis, in [`Basis::KINDS`] order.
    pub pass: [usize; 4],
    /// Failing claims per basis, in [`Basis::KINDS`] order.
    pub fail: [usize; 4],
}

impl Tally {
    /// Counts `claims`.
    pub fn of<'a>(claims: impl IntoIterator<Item = &'a Claim>) -> Tally {
        let mut t = Tally::default();
        for c in claims {
            let i = Basis::KINDS
                .iter()
                .position(|k| *k == c.basis.kind())
                .unwrap_or(0);
            if c.pass() {
                t.pass[i] += 1;
            } else {
                t.fail[i] += 1;
            }
        }
        t
    }

    /// Number of passing claims.
    pub fn passed(&self) -> usize {
        self.pass.iter().sum()
    }

    /// Number of failing claims.
    pub fn failed(&self) -> usize {
        self.fail.iter().sum()
    }
}

fn by_basis(counts: &[usize; 4]) -> String {
    Basis::KINDS
        .iter()
        .zip(counts)
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Tally {
    /// `42 claims: 42 pass (16 input, 22 fitted, 4 structural, 0 predicted), 0 fail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} claims: {} pass ({}), {} fail",
            self.passed() + self.failed(),
            self.passed(),
            by_basis(&self.pass),
            self.failed()
        )?;
        if self.failed() > 0 {
            write!(f, " ({})", by_basis(&self.fail))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, paper: f64, sim: f64, basis: Basis) -> Claim {
        Claim::new(id, "d", paper, sim, "x", 0.10, basis)
    }

    #[test]
    fn within_tolerance_passes_and_outside_fails() {
        let ok = claim("a", 2.0, 2.1, Basis::Input("k".into()));
        assert!(ok.pass());
        let bad = claim("b", 2.0, 2.5, Basis::Input("k".into()));
        assert!(!bad.pass());
        assert!((bad.rel_error() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn nan_never_passes() {
        assert!(!claim("c", 1.0, f64::NAN, Basis::Predicted("p".into())).pass());
    }

    #[test]
    fn csv_fields_end_with_the_basis_and_its_detail() {
        let c = claim(
            "a",
            2.0,
            2.0,
            Basis::Fitted("forwarding.per_packet_ns".into()),
        );
        let f = c.csv_fields();
        assert_eq!(f.len(), Claim::CSV_COLUMNS.len());
        assert_eq!(f[8], "fitted");
        assert_eq!(f[9], "forwarding.per_packet_ns");
    }

    #[test]
    fn tally_counts_by_outcome_and_basis() {
        let claims = [
            claim("a", 1.0, 1.0, Basis::Input("k".into())),
            claim("b", 1.0, 1.0, Basis::Fitted("p".into())),
            claim("c", 1.0, 1.0, Basis::Fitted("p".into())),
            claim("d", 1.0, 9.0, Basis::Structural("s".into())),
        ];
        let t = Tally::of(&claims);
        assert_eq!(t.pass, [1, 2, 0, 0]);
        assert_eq!(t.fail, [0, 0, 1, 0]);
        assert_eq!(
            t.to_string(),
            "4 claims: 3 pass (1 input, 2 fitted, 0 structural, 0 predicted), 1 fail \
             (0 input, 0 fitted, 1 structural, 0 predicted)"
        );
    }
}
