//! workloads: traffic generators and the applications that run on simulated NICs.

pub mod actors;
pub mod apps;
pub mod bursts;
pub mod echo;
pub mod pktgen;
pub mod sim_platform;

pub use bursts::OnOffArrivals;
pub use echo::EchoConfig;
pub use pktgen::{ArrivalProcess, OnOff, PacketGenerator, SizeMix, SizeWeight};
