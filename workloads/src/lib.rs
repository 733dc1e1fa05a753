//! workloads: traffic generators and the applications that run on simulated NICs.

pub mod echo;
pub mod pktgen;

pub use echo::EchoConfig;
pub use pktgen::{ArrivalProcess, PacketGenerator, SizeMix, SizeWeight};
