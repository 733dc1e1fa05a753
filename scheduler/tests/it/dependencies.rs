//! The scheduler crate must not depend on sim-core or any model crate: read cargo
//! metadata (the real resolved dependency graph, transitively) and fail if it does.

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

const FORBIDDEN: [&str; 4] = ["sim-core", "pcie-model", "nic-models", "workloads"];

/// The host's target triple, from `rustc -vV`.
///
/// `cargo metadata` without a platform filter wants the manifests of every
/// platform's crates (Windows-only ones included), which a build on this host
/// never downloads; filtering to the host keeps the graph to what a build uses.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    assert!(out.status.success(), "rustc -vV failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV prints a host line")
        .trim()
        .to_string()
}

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let host = host_triple();
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
            "--manifest-path",
            manifest,
        ])
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata is JSON")
}

/// Names of every package the scheduler library depends on (normal and build deps,
/// transitively; dev-dependencies are not part of the library).
fn scheduler_dependency_names(meta: &Value) -> BTreeSet<String> {
    let packages = meta["packages"].as_array().expect("packages");
    let name_of = |id: &str| -> String {
        packages
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["name"].as_str())
            .unwrap_or("?")
            .to_string()
    };
    let nodes = meta["resolve"]["nodes"].as_array().expect("resolve graph");
    let root = packages
        .iter()
        .find(|p| p["name"] == "scheduler")
        .and_then(|p| p["id"].as_str())
        .expect("scheduler package")
        .to_string();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    let mut names = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let node = nodes.iter().find(|n| n["id"] == id.as_str()).expect("node");
        for dep in node["deps"].as_array().into_iter().flatten() {
            let non_dev = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"] != "dev");
            if non_dev {
                let pkg = dep["pkg"].as_str().expect("pkg id").to_string();
                names.insert(name_of(&pkg));
                stack.push(pkg);
            }
        }
    }
    names
}

#[test]
fn scheduler_depends_on_no_simulator_crate() {
    let names = scheduler_dependency_names(&metadata());
    // the graph walk found the real dependencies (guards against a vacuous pass)
    assert!(names.contains("vocab"), "{names:?}");
    assert!(names.contains("thiserror"), "{names:?}");
    for forbidden in FORBIDDEN {
        assert!(
            !names.contains(forbidden),
            "scheduler depends on {forbidden}; it must see the machine only through Platform ({names:?})"
        );
    }
}
