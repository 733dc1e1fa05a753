//! Every profile in configs/nics loads; those the paper measured agree with the calibration file on cores, clock, link, kind, line size and PCIe.

use std::path::{Path, PathBuf};

use nic_models::{HostProfile, NicKind, NicProfile};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The published calibration data, copied with its citation into configs/calibration/.
fn calibration() -> toml::Table {
    let path = repo_root().join("configs/calibration/ipipe-sigcomm19.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the calibration data ships with the repository)",
            path.display()
        )
    });
    toml::from_str(&text).unwrap()
}

fn get<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let mut v = t.get(path[0])?;
    for k in &path[1..] {
        v = v.get(k)?;
    }
    Some(v)
}

fn num(v: &toml::Value) -> f64 {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap()
}

/// Every `.toml` file in configs/nics, sorted.
fn profile_files() -> Vec<PathBuf> {
    let dir = repo_root().join("configs/nics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_profile_file_loads() {
    let files = profile_files();
    assert!(files.len() >= 5, "{files:?}");
    let dir = repo_root().join("configs/nics");
    for f in files {
        let stem = f.file_stem().unwrap().to_str().unwrap().to_string();
        let file = f.file_name().unwrap().to_str().unwrap().to_string();
        if stem.starts_with("host_") {
            HostProfile::resolve(&file, &dir).unwrap_or_else(|e| panic!("{e}"));
        } else {
            let p = NicProfile::resolve(&file, &dir).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.name, stem, "profile name must match its file name");
        }
    }
}

#[test]
fn the_host_the_paper_measured_matches_the_calibration() {
    let cal = calibration();
    let h = HostProfile::builtin("host_e5_2620v4").unwrap();
    let host = |k: &str| num(get(&cal, &["testbed", "host", k]).unwrap());
    assert_eq!(f64::from(h.sockets), host("sockets"));
    assert_eq!(
        f64::from(h.cores()),
        host("sockets") * host("cores_per_socket")
    );
    assert_eq!(h.core_freq_ghz, host("freq_ghz"));
    let line = num(get(
        &cal,
        &["memory_latency_ns", "host_e5_2620v4", "cache_line_bytes"],
    )
    .unwrap());
    assert_eq!(h.memory.line_bytes as f64, line);
}

/// Only the NICs the paper measured (the calibration's `[nic.*]` tables) are
/// held to its numbers; a user's profile beside them may have any core count.
#[test]
fn the_nics_the_paper_measured_match_the_calibration() {
    let cal = calibration();
    let nics = cal["nic"]
        .as_table()
        .expect("calibration has [nic.*] tables");
    assert_eq!(nics.len(), 4, "the paper measured four NICs");
    let pcie = |k: &str| num(get(&cal, &["pcie", k]).unwrap());
    for (stem, nic) in nics {
        let p = NicProfile::builtin(stem).unwrap_or_else(|| panic!("{stem}: no built-in profile"));
        assert_eq!(f64::from(p.cores), num(&nic["cores"]), "{stem} cores");
        assert_eq!(p.link_gbps, num(&nic["link_gbps"]), "{stem} link");
        if let Some(f) = nic.get("core_freq_ghz") {
            assert_eq!(p.core_freq_ghz, num(f), "{stem} clock");
        }
        let kind = match p.kind {
            NicKind::OnPath => "on-path",
            NicKind::OffPath => "off-path",
        };
        assert_eq!(kind, nic["kind"].as_str().unwrap(), "{stem} kind");
        let mem_key = if stem.starts_with("liquidio") {
            "liquidio"
        } else {
            stem.as_str()
        };
        let line = num(get(&cal, &["memory_latency_ns", mem_key, "cache_line_bytes"]).unwrap());
        assert_eq!(p.memory.line_bytes as f64, line, "{stem} line size");
        // The host attachment, from the profile's one PCIe description.
        let host_path = p.pcie_profiles();
        let rdma = nic.get("host_communication").and_then(|v| v.as_str()) == Some("RDMA verbs");
        assert_eq!(
            host_path.rdma.is_some(),
            rdma,
            "{stem}: RDMA verbs to the host"
        );
        assert_eq!(f64::from(host_path.pcie.lanes), pcie("lanes"), "{stem}");
        let raw = host_path.pcie.raw_gbytes_per_s();
        assert!(
            (raw - pcie("theoretical_gbytes_per_s")).abs() < 0.01,
            "{stem}: raw PCIe rate {raw} GB/s"
        );
        // On-path NICs have the hardware packet buffer; off-path NICs have a switch.
        assert_eq!(
            p.kind == NicKind::OnPath,
            p.memory.packet_buffer.is_some(),
            "{stem}"
        );
        assert_eq!(p.kind == NicKind::OffPath, p.switch.is_some(), "{stem}");
    }
}

#[test]
fn a_user_profile_is_loaded_by_path() {
    let dir = std::env::temp_dir().join(format!("nicsim-nic-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = include_str!("../../../configs/nics/stingray_ps225.toml")
        .replace("name = \"stingray_ps225\"", "name = \"my_nic\"")
        .replace("cores = 8 ", "cores = 4 ");
    std::fs::write(dir.join("my_nic.toml"), &text).unwrap();
    let p = NicProfile::resolve("my_nic.toml", &dir).unwrap();
    assert_eq!((p.name.as_str(), p.cores), ("my_nic", 4));
    assert_eq!(p.core_model().unwrap().cores(), 4);
    // More cores than any NIC the paper measured is a user's choice, not an error.
    std::fs::write(
        dir.join("big.toml"),
        text.replace("cores = 4 ", "cores = 64 "),
    )
    .unwrap();
    let big = NicProfile::resolve("big.toml", &dir).unwrap();
    assert_eq!(big.core_model().unwrap().cores(), 64);
    // A typo in one of our sections is an error naming the key.
    std::fs::write(
        dir.join("bad.toml"),
        text.replace("line_bytes = 64", "line_byte = 64"),
    )
    .unwrap();
    let err = NicProfile::resolve("bad.toml", &dir)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line_byte"), "{err}");
    // An out-of-range value names its key.
    std::fs::write(dir.join("bad2.toml"), text.replace("ways = 16", "ways = 0")).unwrap();
    let err = NicProfile::resolve("bad2.toml", &dir)
        .unwrap_err()
        .to_string();
    assert!(err.contains("memory.caches[1]"), "{err}");
    let h = HostProfile::resolve("host_e5_2620v4", &dir).unwrap();
    assert_eq!(h.cores(), 16);
    std::fs::remove_dir_all(&dir).unwrap();
}
