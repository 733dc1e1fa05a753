//! Integration tests of nic-models, one module per behaviour (a single test binary keeps link time down).

mod accel_ratios;
mod core_counts;
mod core_model;
mod determinism;
mod l2_cliff;
mod messaging_ratios;
mod profile_files;
mod steering;
mod table2;
mod vectors;

/// Fails with each failing claim's id and values unless every claim passes.
pub fn assert_all_pass(claims: &[sim_core::Claim]) {
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
