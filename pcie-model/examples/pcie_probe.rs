//! Ad-hoc probe of model cost and many-core throughput: `cargo run -p pcie-model --example pcie_probe [ops]`.

use pcie_model::measure::{streaming_throughput, Op};
use pcie_model::PcieProfiles;

fn main() {
    let ops: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    let p = PcieProfiles::liquidio_cn2350();
    for op in [
        Op::DmaNonblockingWrite,
        Op::DmaNonblockingRead,
        Op::DmaBlockingWrite,
    ] {
        for bytes in [64u64, 16384] {
            let t0 = std::time::Instant::now();
            let r = streaming_throughput(&p, op, bytes, 12, ops).unwrap();
            println!(
                "{} {bytes} B x {ops} x 12 cores: {r:.3} GB/s ({} ms wall)",
                op.name(),
                t0.elapsed().as_millis()
            );
        }
    }
}
