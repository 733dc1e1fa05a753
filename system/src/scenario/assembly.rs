//! The assembly dry run: every check that `run` makes while building the system, made by `validate`.
//!
//! `run` builds the core models, the PCIe system and the runtime, and
//! registers each actor (its `init` allocates its memory objects, which can
//! exceed the DMO capacity). Anything that can fail there is tried here on
//! throwaway copies, so a scenario that `validate` accepts does not fail in
//! `run` with a message that names no file and no key.

use super::actors::ActorsPlan;
use super::checker::Checker;
use super::error::ScenarioError;
use crate::node::named::Named;
use nic_models::{NicKind, NicProfile};
use pcie_model::PcieSystem;
use scheduler::runtime::{Runtime, RuntimeError};
use scheduler::{Side, SimTime};
use workloads::actors::registry::build_actor_of;
use workloads::sim_platform::SimPlatform;

/// Builds what `run` would build for this NIC and actor plan, and throws it away.
pub(super) fn check(
    c: &Checker<'_>,
    nic: &NicProfile,
    cores: u32,
    actors: Option<&ActorsPlan>,
) -> Result<(), ScenarioError> {
    let profile_err = |what: &str, e: &dyn std::fmt::Display| {
        c.err(
            "nic.profile",
            format!("the profile's {what} cannot be built: {e}"),
            "fix the profile file (format in configs/nics/README.md)",
        )
    };
    if nic.kind == NicKind::OffPath || actors.is_some() {
        PcieSystem::new(&nic.pcie_profiles()).map_err(|e| profile_err("PCIe model", &e))?;
    }
    let Some(plan) = actors else {
        return Ok(());
    };
    let mut model = nic
        .core_model()
        .map_err(|e| profile_err("core model", &e))?;
    plan.host.core_model().map_err(|e| {
        c.err(
            "host.profile",
            format!("the host profile's core model cannot be built: {e}"),
            "fix the host profile file",
        )
    })?;
    let mut rt = Runtime::new(plan.settings.clone(), cores, plan.host_cores).map_err(|e| {
        c.err(
            "scheduler",
            e.to_string(),
            "see the [scheduler] reference in the README",
        )
    })?;
    for (i, spec) in plan.actors.iter().enumerate() {
        let key = format!("workload.actors[{i}].config");
        let inner = build_actor_of(spec.kind, &spec.config)
            .map_err(|e| c.err(&key, e.to_string(), "fix the actor's settings"))?;
        let actor = Box::new(Named::new(spec.name.clone(), inner));
        let mut p = SimPlatform::new(&mut model, 0, Side::Nic)
            .map_err(|e| profile_err("core model", &e))?;
        let registered = match spec.placement {
            Some(at) => rt.register_actor_at(actor, at, &mut p, SimTime::ZERO),
            None => rt.register_actor(actor, &mut p, SimTime::ZERO),
        };
        registered.map_err(|e| match e {
            RuntimeError::InitFailed { .. } => c.err(
                &key,
                e.to_string(),
                "shrink the actor's state in its config, or raise scheduler.nic_dmo_capacity_bytes / host_dmo_capacity_bytes",
            ),
            other => c.err(
                &format!("workload.actors[{i}]"),
                other.to_string(),
                "fix the actor entry",
            ),
        })?;
    }
    rt.check_static_names()
        .map_err(|e| c.err(&format!("scheduler.{}", e.key()), e.to_string(), e.fix()))
}
