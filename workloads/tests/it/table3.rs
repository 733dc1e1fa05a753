//! Table 3 of iPipe: the four published task times on CN2350 are reproduced within 10%.

use workloads::task_table::table3_tasks;

#[test]
fn table3_task_times_within_ten_percent() {
    let (table, claims) = table3_tasks();
    for r in &table.rows {
        println!("{}", r.join(","));
    }
    assert_eq!(table.rows.len(), 10, "one row per actor kind");
    assert_eq!(claims.len(), 4);
    for c in &claims {
        println!(
            "{} paper {} sim {:.3}",
            c.claim_id, c.paper_value, c.simulated_value
        );
    }
    for c in &claims {
        assert!(
            c.pass(),
            "{}: paper {} us, simulated {:.3} us",
            c.claim_id,
            c.paper_value,
            c.simulated_value
        );
    }
}
