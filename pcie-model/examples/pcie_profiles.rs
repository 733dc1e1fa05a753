//! Prints the default `[pcie]`, `[dma]` and `[rdma]` tables as TOML: `cargo run -p pcie-model --example pcie_profiles`.

fn main() {
    match toml::to_string(&pcie_model::PcieProfiles::bluefield_1m332a()) {
        Ok(text) => print!("{text}"),
        Err(e) => eprintln!("cannot serialize the default profiles: {e}"),
    }
}
