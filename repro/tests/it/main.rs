//! Integration tests of the repro crate: one test binary, one module per figure or behaviour.

mod determinism;
mod fig4_fig5;
mod fig6;
mod fig7;
mod fig8;
mod fig9_fig10;
mod run;
mod table2;
mod table3_accel;
mod table3_tasks;
mod working_set;

use repro::{Claim, Ctx, Paper};
use std::sync::OnceLock;

/// The built-in paper values, parsed once.
pub fn paper() -> &'static Paper {
    static PAPER: OnceLock<Paper> = OnceLock::new();
    PAPER.get_or_init(|| Paper::builtin().expect("the built-in calibration file parses"))
}

/// A quick context over the built-in paper values.
pub fn ctx() -> Ctx<'static> {
    Ctx {
        paper: paper(),
        quick: true,
    }
}

/// Fails with each failing claim's id and values unless every claim passes.
pub fn assert_all_pass(claims: &[Claim]) {
    for c in claims {
        assert!(
            c.pass(),
            "{}: paper {} sim {}",
            c.claim_id,
            c.paper_value,
            c.simulated_value
        );
    }
}
