//! Fig. 6 messaging: LiquidIO send 4.6x faster than DPDK and 4.2x faster than RDMA (averaged), within 10%.

use repro::figures::fig6::{fig6_parts, PAYLOADS};

#[test]
fn send_speedups_within_ten_percent() {
    let (_, claims) = fig6_parts(&crate::ctx()).unwrap();
    assert_eq!(claims.len(), 2);
    crate::assert_all_pass(&claims);
}

#[test]
fn every_path_op_and_payload_has_a_row_and_latency_grows_with_payload() {
    let (t, _) = fig6_parts(&crate::ctx()).unwrap();
    assert_eq!(t.columns, ["path", "op", "payload_bytes", "latency_us"]);
    assert_eq!(t.rows.len(), 3 * 2 * PAYLOADS.len());
    let lat = t.numbers("latency_us").unwrap();
    for (chunk, rows) in lat
        .chunks(PAYLOADS.len())
        .zip(t.rows.chunks(PAYLOADS.len()))
    {
        assert!(
            chunk.windows(2).all(|w| w[1] > w[0]),
            "{} {} not increasing",
            rows[0][0],
            rows[0][1]
        );
    }
    // The SmartNIC is faster at every single size, not only on average.
    let n = PAYLOADS.len();
    for i in 0..n {
        let nic_send = lat[i];
        let dpdk_send = lat[2 * n + i];
        let rdma_send = lat[4 * n + i];
        assert!(nic_send < rdma_send && nic_send < dpdk_send);
    }
    // RDMA beats DPDK on average (the paper's 4.2x vs 4.6x); with no fitted
    // term per path, the two differ by a few ns and DPDK's cheaper fixed
    // software wins at the smallest payloads.
    let mean = |k: usize| lat[k * n..(k + 1) * n].iter().sum::<f64>() / n as f64;
    assert!(mean(4) < mean(2), "rdma {} vs dpdk {}", mean(4), mean(2));
}
