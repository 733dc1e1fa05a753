//! nic-models: NIC and host hardware — cores, traffic manager, MAC ports, forwarding cost, profiles.
//!
//! Every model here is passive: it is handed the current time as a value and
//! answers with times or decisions, so it can be driven by the sim-core
//! engine, by a test loop, or by a closed-form sweep alike.

pub mod cores;
pub mod fifo_server;
pub mod forwarding;
pub mod mac;
pub mod packet;
pub mod profile;
pub mod profile_file;
mod profile_key;
pub mod ranges;
pub mod shared_queue;
pub mod traffic_manager;

pub use cores::CorePool;
pub use fifo_server::FifoServer;
pub use forwarding::ForwardingCost;
pub use mac::MacPort;
pub use packet::Packet;
pub use profile::{NicKind, NicProfile, ProfileError};
pub use shared_queue::SharedQueue;
pub use traffic_manager::TrafficManager;

pub mod accel;
pub mod compute;
pub mod core_model;
pub mod error;
pub mod host;
pub mod memory;
pub mod messaging;
pub mod switch;

pub use accel::{AccelConfig, AccelKind};
pub use compute::ComputeConfig;
pub use core_model::{CoreModel, CoreStats};
pub use error::ModelError;
pub use host::HostProfile;
pub use memory::{MemoryConfig, NicMemory};
pub use messaging::{MessagePath, MessagingConfig, MsgOp};
pub use switch::{EmbeddedSwitch, FlowKey, Steering, SwitchConfig};
/// The vocabulary shared with the scheduler.
pub use vocab;
