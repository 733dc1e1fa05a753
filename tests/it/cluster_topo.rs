//! `[cluster]` from the command line: the example topologies validate, `nicsim topo` prints them, and a cluster is never run as one server.

use crate::common::{nicsim, repo, scratch};

fn stdout_of(test: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = nicsim(&scratch(test), args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config(name: &str) -> String {
    repo().join("configs").join(name).display().to_string()
}

#[test]
fn the_example_clusters_validate() {
    for name in ["cluster_star.toml", "cluster_leaf_spine.toml"] {
        let (code, out, err) = stdout_of("cluster-validate", &["validate", &config(name)]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert!(out.starts_with("ok: "), "{out}");
    }
}

#[test]
fn topo_lists_the_star_with_each_servers_nic() {
    let (code, out, err) = stdout_of("cluster-topo-star", &["topo", &config("cluster_star.toml")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("cluster_star: 4 servers, 2 clients, 1 switches, 6 links\n"),
        "{out}"
    );
    assert!(
        out.contains("switch tor0          6 ports, 524288 B/port, 450 ns, CutThrough"),
        "{out}"
    );
    assert!(
        out.contains("server s0        liquidio_cn2350 x12"),
        "{out}"
    );
    assert!(out.contains("server s3        stingray_ps225 x8"), "{out}");
}

#[test]
fn topo_dot_draws_the_leaf_spine() {
    let (code, dot, err) = stdout_of(
        "cluster-topo-dot",
        &["topo", &config("cluster_leaf_spine.toml"), "--dot"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(dot.starts_with("graph \"cluster_leaf_spine\" {"), "{dot}");
    // 16 server links, 4 client links, 2 leaves x 2 spines.
    assert_eq!(dot.matches(" -- ").count(), 24, "{dot}");
    assert_eq!(dot.matches("\"leaf1\" -- \"spine").count(), 2);
    assert!(
        dot.contains("\"s15\" -- \"leaf1\" [label=\"25 Gb/s, 500 ns\"]"),
        "{dot}"
    );
    assert!(
        dot.contains("\"leaf0\" -- \"spine1\" [label=\"100 Gb/s, 500 ns\"]"),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn topo_of_a_scenario_without_cluster_is_one_server() {
    let (code, out, err) = stdout_of("cluster-topo-one", &["topo", &config("quickstart.toml")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("1 servers, 0 clients, 0 switches, 0 links"),
        "{out}"
    );
}

#[test]
fn topo_set_overrides_the_shape_counts() {
    let (code, out, err) = stdout_of(
        "cluster-topo-set",
        &[
            "topo",
            &config("cluster_star.toml"),
            "--set",
            "cluster.servers=8",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("8 servers, 2 clients, 1 switches, 10 links"),
        "{out}"
    );
}

#[test]
fn a_cluster_run_is_refused_not_run_as_one_server() {
    let dir = scratch("cluster-run-refused");
    let out = nicsim(&dir, &["run", &config("cluster_star.toml"), "--out", "x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("key `cluster`: running a [cluster] scenario is not implemented yet"),
        "{err}"
    );
    assert!(!dir.join("x").exists(), "nothing written");
}

#[test]
fn a_scenario_without_cluster_resolves_without_one() {
    let dir = scratch("cluster-absent-resolved");
    let out = nicsim(
        &dir,
        &["run", &config("quickstart.toml"), "--out", "r", "--quiet"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resolved = std::fs::read_to_string(dir.join("r/resolved.toml")).expect("written");
    assert!(!resolved.contains("cluster"), "{resolved}");
}
