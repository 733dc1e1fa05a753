//! repro: the reproduction of the iPipe paper (SIGCOMM'19), the only crate that knows the paper: figure generators, claims and the paper's values.
//!
//! Every generator returns a [`Figure`]: a table (written as `DIR/<id>.csv`),
//! an optional [`PlotSpec`] (the `nicsim` binary renders `DIR/<id>.svg`) and
//! the paper's quantitative [`Claim`]s the data covers (gathered into
//! `DIR/claims.csv`, counted by [`Basis`] in a [`Tally`]). Paper values come
//! from one file, `configs/calibration/ipipe-sigcomm19.toml` ([`Paper`]);
//! the models and the system are used only through their public APIs.

pub mod claim;
pub mod error;
pub mod eval;
pub mod figure;
pub mod figures;
pub mod output;
pub mod paper;

pub use claim::{Basis, Claim, Tally};
pub use error::ReproError;
pub use figure::{Figure, PlotSpec};
pub use figures::policies;
pub use output::{check_out_dir, write_outputs};
pub use paper::{Paper, PaperError};

use rayon::prelude::*;

/// What every generator gets: the paper's values and the run length.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The paper's values.
    pub paper: &'a Paper,
    /// Fewer points and shorter runs (smoke tests).
    pub quick: bool,
}

/// A figure generator.
pub type Generator = fn(&Ctx<'_>) -> Result<Figure, ReproError>;

/// One entry of the registry: ID, one-line description, generator.
pub struct Entry {
    /// The ID on the command line and the output file stem.
    pub id: &'static str,
    /// One line for `--list`.
    pub description: &'static str,
    /// Produces the figure.
    pub generate: Generator,
}

/// Every ID `nicsim repro` knows, in report order.
pub fn registry() -> Vec<Entry> {
    use figures::{echo, fig6, pcie, policies, table2, table3, working_set};
    let e = |id, description, generate| Entry {
        id,
        description,
        generate,
    };
    vec![
        e("fig2", "LiquidIO CN2350 echo throughput vs cores, 10GbE", echo::fig2),
        e("fig3", "Stingray PS225 echo throughput vs cores, 25GbE", echo::fig3),
        e("fig4", "echo throughput vs extra per-packet processing (headroom)", echo::headroom),
        e("fig5", "CN2350 echo latency near maximum throughput, 6 and 12 cores", echo::latency),
        e("fig6", "send/recv latency: LiquidIO packet units vs host DPDK and RDMA", fig6::fig6),
        e("table2", "pointer-chasing latency per memory level (Table 2)", table2::table2),
        e("table3", "offloaded task times on CN2350 and accelerator speedups (Table 3)", table3::table3),
        e("working_set", "key-value lookup time vs working set: the L2 cliff (implication I5)", working_set::working_set),
        e("fig7", "LiquidIO DMA latency vs payload: blocking and non-blocking reads and writes", pcie::fig7),
        e("fig8", "LiquidIO per-core DMA throughput vs payload", pcie::fig8),
        e("fig9", "BlueField one-sided RDMA latency vs payload, blocking DMA beside it", pcie::fig9),
        e("fig10", "BlueField per-core RDMA throughput vs payload", pcie::fig10),
        e("policies", "scheduler policies: per-class latency vs load on CN2350 (hybrid, fcfs, drr, host_only)", policies::policies),
    ]
}

/// The registry entries for `ids` (all when empty), in the order given.
pub fn select(ids: &[String]) -> Result<Vec<Entry>, ReproError> {
    let mut reg = registry();
    if ids.is_empty() {
        return Ok(reg);
    }
    let known = reg.iter().map(|e| e.id).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    for id in ids {
        match reg.iter().position(|e| e.id == id) {
            Some(i) => out.push(reg.remove(i)),
            // Asked twice: already selected; produce it once.
            None if out.iter().any(|e: &Entry| e.id == id) => {}
            None => {
                return Err(ReproError::UnknownId {
                    id: id.clone(),
                    known,
                })
            }
        }
    }
    Ok(out)
}

/// Runs the selected generators in parallel; figures come back in selection order.
pub fn generate(entries: &[Entry], ctx: &Ctx<'_>) -> Result<Vec<Figure>, ReproError> {
    entries
        .par_iter()
        .map(|e| (e.generate)(ctx))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Every claim of `figures`, in order.
pub fn all_claims(figures: &[Figure]) -> Vec<&Claim> {
    figures.iter().flat_map(|f| &f.claims).collect()
}
