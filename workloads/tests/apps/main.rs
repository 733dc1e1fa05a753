//! The three distributed applications (RTA, DT, RKV) as real actors on the real
//! runtime under the hybrid policy, each with a migration during the run, checked
//! against an independent reference (brute-force top N, serializability, Paxos
//! durability across a leader crash). Seeds are printed on failure;
//! `APP_TEST_SEED=<n>` replays one.

mod driver;
mod dt;
mod forced_migration;
mod rkv;
mod rkv_loss;
mod rta;
