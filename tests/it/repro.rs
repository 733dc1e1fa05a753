//! `nicsim repro --quick`: every requested figure writes its CSV (with the agreed columns), its plot, and passing claims.

use crate::common::scratch;

fn header(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn quick_repro_writes_tables_plots_and_passing_claims() {
    let out = scratch("repro-quick");
    let ids: Vec<String> = [
        "fig2", "fig5", "fig6", "table2", "table3", "fig7", "fig8", "fig9", "fig10",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let figures = nicsim::repro::run(&ids, true, &out).expect("repro runs");
    assert_eq!(figures.len(), ids.len());
    assert_eq!(
        header(&out.join("fig2.csv")),
        "nic,packet_size,cores,achieved_gbps,line_rate_gbps"
    );
    assert_eq!(
        header(&out.join("fig5.csv")),
        "packet_size,cores,lat_mean_us,lat_p99_us"
    );
    assert_eq!(
        header(&out.join("fig6.csv")),
        "path,op,payload_bytes,latency_us"
    );
    assert_eq!(header(&out.join("table2.csv")), "platform,level,latency_ns");
    assert!(header(&out.join("table3.csv")).starts_with("task,exec_us"));
    for id in ["fig7", "fig9"] {
        assert_eq!(
            header(&out.join(format!("{id}.csv"))),
            "op,payload_bytes,latency_us"
        );
    }
    for id in ["fig8", "fig10"] {
        assert_eq!(
            header(&out.join(format!("{id}.csv"))),
            "op,payload_bytes,throughput_gbytes_per_s"
        );
    }
    for id in ["fig2", "fig6", "fig7", "fig8"] {
        let svg = std::fs::read_to_string(out.join(format!("{id}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{id}.svg"
        );
    }
    let claims = std::fs::read_to_string(out.join("claims.csv")).unwrap();
    let mut lines = claims.lines();
    assert_eq!(
        lines.next(),
        Some("claim_id,description,paper_value,simulated_value,unit,rel_error,tolerance,pass")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 30, "{} claims", rows.len());
    let failing: Vec<&&str> = rows.iter().filter(|r| !r.ends_with(",true")).collect();
    assert!(failing.is_empty(), "failing claims: {failing:?}");
}

#[test]
fn unknown_repro_id_is_an_error_listing_the_known_ones() {
    let err =
        nicsim::repro::run(&["fig99".to_string()], true, &scratch("repro-unknown")).unwrap_err();
    assert!(
        err.to_string().contains("fig2") && err.to_string().contains("policies"),
        "{err}"
    );
}
