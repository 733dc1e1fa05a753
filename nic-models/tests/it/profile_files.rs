//! Profile files: inheritance (`base`), its bounds, and range errors that name the file, line and key.

use std::path::{Path, PathBuf};

use nic_models::{HostProfile, NicProfile};

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nicsim-profiles-{}-{test}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Loads `name` from `dir` and returns the error's text.
fn load_err(dir: &Path, name: &str) -> String {
    NicProfile::resolve(name, dir)
        .map(|p| panic!("{name} loaded as {}", p.name))
        .unwrap_err()
        .to_string()
}

const LIO: &str = include_str!("../../../configs/nics/liquidio_cn2350.toml");

#[test]
fn a_profile_inherits_a_builtin_and_overrides_some_keys() {
    let dir = scratch("inherit");
    write(
        &dir,
        "big_lio.toml",
        "base = \"liquidio_cn2350\"\nname = \"big_lio\"\ncores = 16\n\n[forwarding]\nper_packet_ns = 1000.0\n",
    );
    let p = NicProfile::resolve("big_lio.toml", &dir).unwrap();
    let lio = NicProfile::builtin("liquidio_cn2350").unwrap();
    assert_eq!((p.name.as_str(), p.cores), ("big_lio", 16));
    assert_eq!(p.forwarding.per_packet_ns, 1000.0);
    // Keys the file does not set come from the base, table by table.
    assert_eq!(p.forwarding.per_byte_ns, lio.forwarding.per_byte_ns);
    assert_eq!(p.memory, lio.memory);
    assert_eq!(p.accel, lio.accel);
    assert_eq!(p.description, "", "a description is not inherited");
    assert_eq!(p.core_model().unwrap().cores(), 16);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn arrays_of_tables_replace_the_base_array() {
    let dir = scratch("arrays");
    write(
        &dir,
        "one_cache.toml",
        "base = \"liquidio_cn2350\"\nname = \"one_cache\"\n\n[[memory.caches]]\nname = \"l1\"\nsize_kb = 64\nways = 4\nlatency_ns = 5.0\n",
    );
    let p = NicProfile::resolve("one_cache.toml", &dir).unwrap();
    assert_eq!(p.memory.caches.len(), 1);
    assert_eq!(p.memory.caches[0].size_kb, 64);
    assert_eq!(
        p.memory.line_bytes, 128,
        "other [memory] keys still inherited"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_base_path_is_relative_to_the_file_that_names_it_and_chains() {
    let dir = scratch("chain");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    write(
        &dir.join("sub"),
        "mid.toml",
        "base = \"liquidio_cn2350\"\nname = \"mid\"\ncores = 8\n",
    );
    write(
        &dir,
        "top.toml",
        "base = \"sub/mid.toml\"\nname = \"top\"\nlink_gbps = 25.0\n",
    );
    let p = NicProfile::resolve("top.toml", &dir).unwrap();
    assert_eq!((p.name.as_str(), p.cores, p.link_gbps), ("top", 8, 25.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cycles_depth_and_unknown_bases_are_clear_errors() {
    let dir = scratch("bases");
    write(&dir, "a.toml", "name = \"a\"\nbase = \"b.toml\"\n");
    write(&dir, "b.toml", "name = \"b\"\nbase = \"a.toml\"\n");
    let e = load_err(&dir, "a.toml");
    assert!(
        e.contains("b.toml:2: key `base`") && e.contains("cycle"),
        "{e}"
    );

    for i in 0..10 {
        write(
            &dir,
            &format!("d{i}.toml"),
            &format!("base = \"d{}.toml\"\nname = \"d{i}\"\n", i + 1),
        );
    }
    let e = load_err(&dir, "d0.toml");
    assert!(
        e.contains("key `base`") && e.contains("longer than 8"),
        "{e}"
    );

    write(&dir, "u.toml", "name = \"u\"\n\nbase = \"bluefeld\"\n");
    let e = load_err(&dir, "u.toml");
    assert!(e.contains("u.toml:3: key `base`"), "{e}");
    assert!(
        e.contains("unknown base `bluefeld`") && e.contains("bluefield_1m332a"),
        "{e}"
    );

    write(&dir, "n.toml", "base = 3\nname = \"n\"\n");
    let e = load_err(&dir, "n.toml");
    assert!(
        e.contains("n.toml:1: key `base`") && e.contains("must be a string"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_in_an_inheriting_profile_name_the_file_line_and_key() {
    let dir = scratch("child_errors");
    write(
        &dir,
        "typo.toml",
        "base = \"liquidio_cn2350\"\nname = \"typo\"\n[forwarding]\nper_packet_nz = 3.0\n",
    );
    let e = load_err(&dir, "typo.toml");
    assert!(
        e.contains("typo.toml:4: key `forwarding.per_packet_nz`"),
        "{e}"
    );

    write(
        &dir,
        "fast.toml",
        "base = \"liquidio_cn2350\"\nname = \"fast\"\nlink_gbps = 1e9\n",
    );
    let e = load_err(&dir, "fast.toml");
    assert!(e.contains("fast.toml:3: key `link_gbps`"), "{e}");

    write(
        &dir,
        "slow_pcie.toml",
        "base = \"liquidio_cn2350\"\nname = \"slow_pcie\"\n[pcie]\none_way_latency_ns = 1e300\n",
    );
    let e = load_err(&dir, "slow_pcie.toml");
    assert!(
        e.contains("slow_pcie.toml:4: key `pcie.one_way_latency_ns`"),
        "{e}"
    );
    assert!(e.contains("[0, 1e9]"), "{e}");

    // A bad value in a base file is reported in that file.
    write(&dir, "bad_base.toml", &LIO.replace("ways = 16", "ways = 0"));
    write(
        &dir,
        "child.toml",
        "base = \"bad_base.toml\"\nname = \"child\"\n",
    );
    let e = load_err(&dir, "child.toml");
    let ways_line = LIO
        .replace("ways = 16", "ways = 0")
        .lines()
        .position(|l| l.contains("ways = 0"))
        .map_or(0, |i| i + 1);
    assert!(
        e.contains(&format!(
            "bad_base.toml:{ways_line}: key `memory.caches[1].ways`"
        )),
        "{e}"
    );

    write(&dir, "anon.toml", "base = \"liquidio_cn2350\"\ncores = 4\n");
    let e = load_err(&dir, "anon.toml");
    assert!(
        e.contains("anon.toml") && e.contains("missing field `name`"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn host_profiles_inherit_too() {
    let dir = scratch("host");
    write(
        &dir,
        "small_host.toml",
        "base = \"host_e5_2620v4\"\nname = \"small_host\"\nsockets = 1\n",
    );
    let h = HostProfile::resolve("small_host.toml", &dir).unwrap();
    assert_eq!((h.name.as_str(), h.cores()), ("small_host", 8));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Bad values, each with the line it is on in the edited built-in: every
/// error names the file, that line, the key and the accepted range.
#[test]
fn out_of_range_values_are_refused_with_file_line_key_and_range() {
    let dir = scratch("ranges");
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        (
            "link_gbps = 10.0 ",
            "link_gbps = 1e9 ",
            "link_gbps",
            6,
            "(0, 1000] Gb/s",
        ),
        (
            "link_gbps = 10.0 ",
            "link_gbps = 0.0 ",
            "link_gbps",
            6,
            "got 0",
        ),
        (
            "link_gbps = 10.0 ",
            "link_gbps = -10.0 ",
            "link_gbps",
            6,
            "got -10",
        ),
        (
            "link_gbps = 10.0 ",
            "link_gbps = nan ",
            "link_gbps",
            6,
            "got NaN",
        ),
        (
            "link_gbps = 10.0 ",
            "link_gbps = inf ",
            "link_gbps",
            6,
            "got inf",
        ),
        ("cores = 12 ", "cores = 0 ", "cores", 7, "1..=1024 cores"),
        ("cores = 12 ", "cores = 5000 ", "cores", 7, "1..=1024 cores"),
        (
            "core_freq_ghz = 1.2 ",
            "core_freq_ghz = 0.0 ",
            "core_freq_ghz",
            8,
            "(0, 10] GHz",
        ),
        (
            "per_packet_ns = 1874.0",
            "per_packet_ns = -1.0",
            "forwarding.per_packet_ns",
            22,
            "[0, 1000000000] ns",
        ),
        (
            "per_byte_ns = 0.884",
            "per_byte_ns = 1e300",
            "forwarding.per_byte_ns",
            23,
            "ns/B",
        ),
        (
            "queue_packets = 4096",
            "queue_packets = 0",
            "traffic_manager.queue_packets",
            30,
            "1..=1048576",
        ),
        (
            "queue_packets = 4096",
            "queue_packets = 4000000000",
            "traffic_manager.queue_packets",
            30,
            "1..=1048576",
        ),
        (
            "size_kb = 4096 ",
            "size_kb = 1073741824 ",
            "memory.caches[1].size_kb",
            57,
            "KiB",
        ),
        ("ipc = 1.0", "ipc = 100.0", "compute.ipc", 77, "(0, 16]"),
        (
            "dram_latency_ns = 115.0",
            "dram_latency_ns = 0.0",
            "memory.dram_latency_ns",
            45,
            "(0, 1000000000] ns",
        ),
    ];
    for (i, (from, to, key, line, range)) in cases.iter().enumerate() {
        assert!(LIO.contains(from), "case {i}: `{from}` not in the built-in");
        let name = format!("bad{i}.toml");
        write(&dir, &name, &LIO.replacen(from, to, 1));
        let e = load_err(&dir, &name);
        // the line of the edit, wherever other keys moved it
        let text = LIO.replacen(from, to, 1);
        let found = text.lines().position(|l| l.contains(to)).map(|i| i + 1);
        let line = found.unwrap_or(*line);
        let at = format!("{name}:{line}: key `{key}`");
        assert!(e.contains(&at), "case {i}: want `{at}` in: {e}");
        assert!(e.contains(range), "case {i}: want `{range}` in: {e}");
    }
    // Caches too big to allocate for this many cores.
    let huge = LIO.replacen("cores = 12 ", "cores = 1024 ", 1).replacen(
        "size_kb = 32 ",
        "size_kb = 65536 ",
        1,
    );
    write(&dir, "huge.toml", &huge);
    let e = load_err(&dir, "huge.toml");
    assert!(
        e.contains("huge.toml:") && e.contains("key `memory.caches`"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
