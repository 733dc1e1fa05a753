//! Integration tests of the workloads crate: one module per behaviour.

mod common;
mod firewall;
mod flow_classifier;
mod flow_monitor;
mod kv_cache;
mod load_balancer;
mod migration;
mod rate_limiter;
mod registry;
mod replication;
mod sim_platform;
mod synthetic;
mod top_ranker;
