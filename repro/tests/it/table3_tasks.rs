//! Table 3 of iPipe: the four published task times on CN2350 are reproduced within 10%.

use repro::figures::table3_tasks::table3_tasks;

#[test]
fn table3_task_times_within_ten_percent() {
    let (table, claims) = table3_tasks(crate::paper()).unwrap();
    for r in &table.rows {
        println!("{}", r.join(","));
    }
    assert_eq!(
        table.rows.len(),
        workloads::actors::ActorKind::ALL.len(),
        "one row per actor kind"
    );
    // four task times and the costly-task note
    assert_eq!(claims.len(), 5);
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

#[test]
fn table3_is_deterministic() {
    assert_eq!(
        table3_tasks(crate::paper()).unwrap().0,
        table3_tasks(crate::paper()).unwrap().0
    );
}

#[test]
fn classifier_is_memory_bound_and_short_tasks_are_not() {
    use repro::figures::table3_tasks::measure_task;
    use workloads::actors::ActorKind;
    let c = measure_task(ActorKind::FlowClassifier, 100, 200, 1).unwrap();
    let lb = measure_task(ActorKind::LoadBalancer, 100, 200, 1).unwrap();
    assert!(
        c.ipc < 0.8 * lb.ipc,
        "classifier IPC {} vs load balancer {}",
        c.ipc,
        lb.ipc
    );
    assert!(
        c.l1_mpki > 5.0 * lb.l1_mpki.max(0.1),
        "classifier L1 MPKI {} vs {}",
        c.l1_mpki,
        lb.l1_mpki
    );
}

#[test]
fn breakdown_adds_up_to_exec_time() {
    use repro::figures::table3_tasks::{
        measure_task, MEASURED_REQUESTS, TABLE3_SEED, WARMUP_REQUESTS,
    };
    use workloads::actors::ActorKind;
    for kind in ActorKind::ALL {
        let m = measure_task(kind, WARMUP_REQUESTS, MEASURED_REQUESTS, TABLE3_SEED).unwrap();
        let sum = m.compute_us + m.mem_us + m.accel_us + m.dma_us;
        println!(
            "{kind}: exec {:.3} = compute {:.3} + mem {:.3} + accel {:.3} + dma {:.3} us; {:.1} lines/req",
            m.exec_us, m.compute_us, m.mem_us, m.accel_us, m.dma_us, m.lines_per_request
        );
        // exec is rounded up to whole ns per request.
        assert!(
            (m.exec_us - sum).abs() < 0.002,
            "{kind}: {} vs {sum}",
            m.exec_us
        );
    }
}

#[test]
fn host_core_runs_every_task_faster_than_a_nic_core() {
    let (table, _) = table3_tasks(crate::paper()).unwrap();
    let nic = table.numbers("exec_us").unwrap();
    let host = table.numbers("host_us").unwrap();
    for (i, r) in table.rows.iter().enumerate() {
        // 2.1 GHz x IPC 2 against 1.2 GHz x IPC 1, and faster caches (Table 2).
        assert!(
            host[i] > 0.0 && host[i] < nic[i] / 2.0,
            "{}: host {} nic {}",
            r[0],
            host[i],
            nic[i]
        );
    }
}

#[test]
fn every_task_basis_points_at_the_kinds_own_file() {
    use repro::figures::table3_tasks::task_basis;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for kind in workloads::actors::ActorKind::ALL {
        let basis = task_basis(kind);
        let detail = basis.detail();
        let path = detail
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '(' || c == ')'))
            .find(|w| w.ends_with(".rs"))
            .unwrap_or_else(|| panic!("{kind}: basis names no file: {detail}"));
        let text = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|e| panic!("{kind}: {path}: {e}"));
        assert!(
            text.contains(&format!("name: \"{}\",", kind.name())),
            "{kind}: {path} is not the kind's file"
        );
        if let repro::claim::Basis::Fitted(_) = basis {
            // the fitted constant is named in that file
            let constant = detail.split("::").nth(1).and_then(|r| r.split(' ').next());
            let constant = constant.unwrap_or_else(|| panic!("{kind}: {detail}"));
            assert!(text.contains(constant), "{kind}: {constant} not in {path}");
        }
    }
}
