//! Integration tests of pcie-model: one binary, one module per behaviour.

mod blocking;
mod credits;
mod determinism;
mod latency_knob;
mod link_bandwidth;
mod nonblocking_flat;
mod profiles;
mod queue_overflow;
mod rdma_path;
mod scatter_gather;
mod segmentation;
mod tags;
mod transfer_cost;
