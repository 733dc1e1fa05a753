//! workloads: traffic generators and the offloaded actor applications (iPipe Table 3 tasks and synthetic actors).

pub mod actors;
pub mod sim_platform;
pub mod task_table;
