//! Ad-hoc probe of model cost, many-core throughput and pool oversubscription: `cargo run -p pcie-model --example pcie_probe [ops]`.

use pcie_model::measure::Op;
use pcie_model::{PcieProfiles, PcieSystem};
use sim_core::SimTime;

fn main() {
    let ops: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    for tags in [4u32, 32] {
        let mut p = PcieProfiles::liquidio_cn2350();
        p.pcie.read_tags = tags;
        for op in [
            Op::DmaNonblockingWrite,
            Op::DmaNonblockingRead,
            Op::DmaBlockingWrite,
        ] {
            for bytes in [64u64, 16384] {
                let t0 = std::time::Instant::now();
                let mut sys = PcieSystem::new(&p).unwrap();
                let mut now = [SimTime::ZERO; 12];
                let mut last = SimTime::ZERO;
                for _ in 0..ops {
                    for (core, t) in now.iter_mut().enumerate() {
                        *t = sys.next_dma_issue_time(core, *t);
                        let c = match op {
                            Op::DmaNonblockingWrite => sys.nonblocking_write(*t, core, bytes),
                            Op::DmaNonblockingRead => sys.nonblocking_read(*t, core, bytes),
                            _ => sys.submit(
                                *t,
                                core,
                                &pcie_model::DmaCommand::new(pcie_model::DmaKind::Write, bytes)
                                    .with_completion_word(),
                            ),
                        }
                        .unwrap();
                        *t = c.core_free;
                        last = last.max(c.completion_word.unwrap_or(c.data_done));
                    }
                }
                let s = sys.stats();
                println!(
                    "tags={tags} {} {bytes} B: {:.3} GB/s, tag waits {}, oversubscribed {} ({} ms wall)",
                    op.name(),
                    (12 * ops) as f64 * bytes as f64 / last.as_secs_f64() / 1e9,
                    s.link.tag_waits,
                    s.link.oversubscribed_units,
                    t0.elapsed().as_millis()
                );
            }
        }
    }
}
