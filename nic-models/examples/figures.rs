//! Prints every figure this crate generates (Table 2, Table 3 accelerator rows, Fig. 6, working-set sweep) with its claims.

fn main() {
    for (id, generate) in nic_models::figures::GENERATORS {
        let (table, claims) = generate();
        println!("== {id}");
        println!("{}", table.columns.join(","));
        for row in &table.rows {
            println!("{}", row.join(","));
        }
        for c in &claims {
            println!(
                "claim {}: paper {} sim {:.4} {} err {:.2}% pass {}",
                c.claim_id,
                c.paper_value,
                c.simulated_value,
                c.unit,
                100.0 * c.rel_error(),
                c.pass()
            );
        }
    }
}
