//! nic-models: hardware models of the SmartNICs and the host (cores, memory hierarchy, accelerators, messaging, switch).

pub mod accel;
pub mod compute;
pub mod core_model;
pub mod error;
pub mod memory;

pub use accel::{AccelConfig, AccelKind};
pub use compute::ComputeConfig;
pub use core_model::{CoreModel, CoreStats};
pub use error::ModelError;
pub use memory::{MemoryConfig, NicMemory};
pub mod messaging;
pub mod switch;
pub use messaging::{MessagePath, MessagingConfig, MsgOp};
pub use switch::{EmbeddedSwitch, FlowKey, Steering, SwitchConfig};
