//! Integration tests of pcie-model: one binary, one module per behaviour.

mod calibration;
mod credits;
mod determinism;
mod link_bandwidth;
mod nonblocking_flat;
mod profiles;
mod queue_overflow;
mod rdma_ratio;
mod scatter_gather;
mod tags;
mod transfer_cost;
