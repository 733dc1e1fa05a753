//! Prints Figs. 7 to 10 and their claims as text: `cargo run -p pcie-model --example pcie_figures [quick]`.

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    for (name, f) in [
        ("fig7", pcie_model::figures::fig7 as fn(bool) -> _),
        ("fig8", pcie_model::figures::fig8),
        ("fig9", pcie_model::figures::fig9),
        ("fig10", pcie_model::figures::fig10),
    ] {
        let (table, claims) = f(quick);
        println!("== {name}: {}", table.columns.join(","));
        for row in &table.rows {
            println!("{}", row.join(","));
        }
        for c in &claims {
            println!(
                "claim {} paper={} sim={:.4} {} tol={} pass={}",
                c.claim_id,
                c.paper_value,
                c.simulated_value,
                c.unit,
                c.tolerance,
                c.pass()
            );
        }
    }
}
