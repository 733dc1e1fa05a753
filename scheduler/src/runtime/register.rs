//! Registering actors: placement (the policy's or an explicit one), `init`, DMO
//! placement on the actor's side, and the check of a static split's names.

use super::{ActorSlot, Runtime, RuntimeError};
use crate::actor::{Actor, ActorCtx, ActorError};
use crate::message::ActorId;
use crate::pair_window::PairWindow;
use crate::platform::{Platform, Side};
use crate::policy::{ActorStatus, NicGroup, Placement};
use crate::settings::SettingsError;
use crate::stats::RunStats;
use std::collections::VecDeque;
use vocab::{SimDuration, SimTime};

impl Runtime {
    /// Register an actor: the policy picks its placement, `init` runs with `platform`
    /// (its charges are not scheduled on any core), and its DMOs are placed on the
    /// side it will run on. Actor ids are assigned 0, 1, 2, ... in registration order.
    pub fn register_actor(
        &mut self,
        actor: Box<dyn Actor>,
        platform: &mut dyn Platform,
        now: SimTime,
    ) -> Result<ActorId, RuntimeError> {
        self.register(actor, None, platform, now)
    }

    /// Register an actor at a given placement, overriding the policy's initial choice
    /// (the policy may still move it later). If the placement is `NicDrr` and the DRR
    /// group has no core, the highest-numbered NIC core moves to DRR.
    pub fn register_actor_at(
        &mut self,
        actor: Box<dyn Actor>,
        placement: Placement,
        platform: &mut dyn Platform,
        now: SimTime,
    ) -> Result<ActorId, RuntimeError> {
        let id = self.register(actor, Some(placement), platform, now)?;
        if placement == Placement::NicDrr && self.cores_in(NicGroup::Drr) == 0 {
            if let Some(core) = self.nic_cores.last_mut() {
                core.group = NicGroup::Drr;
            }
        }
        Ok(id)
    }

    fn register(
        &mut self,
        mut actor: Box<dyn Actor>,
        placement: Option<Placement>,
        platform: &mut dyn Platform,
        now: SimTime,
    ) -> Result<ActorId, RuntimeError> {
        let name = actor.name().to_string();
        if self.actors.iter().any(|a| a.name == name) {
            return Err(RuntimeError::DuplicateActor(name));
        }
        let id = self.actors.len() as ActorId;
        let placement = placement.unwrap_or_else(|| self.policy.initial_placement(&name));
        let init = {
            let mut ctx = ActorCtx::new(platform, &mut self.dmos, id, &mut self.next_msg_id);
            actor.init(&mut ctx)
        };
        let side = if placement.is_nic() {
            Side::Nic
        } else {
            Side::Host
        };
        let placed = init.and_then(|()| {
            self.dmos
                .move_actor(id, side)
                .map(|_| ())
                .map_err(ActorError::Dmo)
        });
        if let Err(source) = placed {
            // the id stays free: release what init allocated under it
            self.dmos.free_actor(id);
            return Err(RuntimeError::InitFailed { name, source });
        }
        let s = &self.settings;
        let age = SimDuration::from_ns(s.window_ns);
        self.actors.push(ActorSlot {
            actor,
            name,
            placement,
            status: ActorStatus::Active,
            phase: None,
            mailbox: VecDeque::new(),
            migration_buffer: VecDeque::new(),
            migrated_state: Vec::new(),
            deficit_ns: 0,
            in_flight: 0,
            windows: PairWindow::new(s.window_samples, age),
            core_time_ewma_ns: 0.0,
            run: RunStats::new(),
            failed: 0,
            arrivals_in_interval: 0,
            offered_load_cores: 0.0,
            dropped: 0,
            migrations: 0,
            watchdog_kills: 0,
            placed_at: None,
        });
        if placement == Placement::NicDrr {
            self.drr_ring.push(id);
        }
        self.record_placement(now, id, None, placement);
        Ok(id)
    }

    /// After registering every actor: fail if the static split names an actor that
    /// does not exist (a typo would otherwise silently leave it on the NIC).
    pub fn check_static_names(&self) -> Result<(), SettingsError> {
        let lists = [
            ("static_host_actors", &self.settings.static_host_actors),
            ("static_drr_actors", &self.settings.static_drr_actors),
        ];
        for (key, names) in lists {
            for name in names {
                if !self.actors.iter().any(|a| &a.name == name) {
                    return Err(SettingsError::UnknownStaticActor {
                        key,
                        name: name.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}
