//! Every profile in configs/nics loads, and its cores, clock, link, kind and line size agree with the calibration file.

use std::path::{Path, PathBuf};

use nic_models::host_link::HostCommunication;
use nic_models::{HostProfile, NicKind, NicProfile};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The published calibration file: shared/ sits beside the repository (CI) or the worktree.
fn calibration() -> toml::Table {
    let path = repo_root().join("../shared/calibration/ipipe-sigcomm19.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (shared/ must sit beside the repository)",
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

#[test]
fn every_profile_loads_and_matches_the_calibration() {
    let cal = calibration();
    let dir = repo_root().join("configs/nics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let stem = f.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        if stem.starts_with("host_") {
            let h = HostProfile::from_toml_str(&text, &stem).unwrap();
            let host = |k: &str| num(get(&cal, &["testbed", "host", k]).unwrap());
            assert_eq!(f64::from(h.sockets), host("sockets"));
            assert_eq!(
                f64::from(h.cores()),
                host("sockets") * host("cores_per_socket")
            );
            assert_eq!(h.core_freq_ghz, host("freq_ghz"));
            let line = num(get(&cal, &["memory_latency_ns", &stem, "cache_line_bytes"]).unwrap());
            assert_eq!(h.memory.line_bytes as f64, line);
            continue;
        }
        let p = NicProfile::from_toml_str(&text, &stem).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.name, stem, "profile name must match its file name");
        let nic = get(&cal, &["nic", &stem]).unwrap_or_else(|| panic!("{stem} not in calibration"));
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
        if let Some(hc) = nic.get("host_communication") {
            assert_eq!(hc.as_str(), Some("RDMA verbs"));
            assert_eq!(
                p.host_link.host_communication,
                HostCommunication::RdmaVerbs,
                "{stem}"
            );
        }
        if let Some(dma) = get(&cal, &["dma", &stem]) {
            let w = num(&dma["blocking_write_gbytes_per_s_at_2kb"]);
            assert_eq!(
                p.host_link.dma_blocking_write_gbytes_per_s_at_2kb,
                Some(w),
                "{stem}"
            );
        }
        let pcie = |k: &str| num(get(&cal, &["pcie", k]).unwrap());
        assert_eq!(f64::from(p.host_link.pcie_lanes), pcie("lanes"));
        assert_eq!(
            p.host_link.pcie_gbytes_per_s,
            pcie("theoretical_gbytes_per_s")
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
