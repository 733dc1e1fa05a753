//! Ad-hoc probe of many-core streaming read throughput: `cargo run -p pcie-model --example pcie_probe`.

use pcie_model::measure::{streaming_throughput, Op};
use pcie_model::PcieProfiles;

fn main() {
    for slots in [5, 16, 64] {
        for tags in [32, 256] {
            let mut p = PcieProfiles::liquidio_cn2350();
            p.dma.read_slots_per_engine = slots;
            p.pcie.read_tags = tags;
            p.pcie.nonposted_header_credits = tags;
            for cores in [8, 12] {
                let r = streaming_throughput(&p, Op::DmaNonblockingRead, 16384, cores, 40).unwrap();
                println!("slots={slots} tags={tags} cores={cores} read={r:.3}");
            }
        }
    }
}
