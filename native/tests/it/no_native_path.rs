//! The scheduler and the actors have no native-only code path: no `cfg` or feature selects a driver, and neither depends on this crate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `cfg` in the runtime's and the actors' library sources is a test
/// gate (`cfg(test)`), never a feature or a target switch, and no source
/// names this crate.
#[test]
fn scheduler_and_actor_sources_have_no_driver_switch() {
    let roots = [
        "scheduler/src",
        "workloads/src/actors",
        "workloads/src/apps",
    ];
    let mut files = Vec::new();
    for r in roots {
        rust_files(&workspace().join(r), &mut files);
    }
    assert!(files.len() > 20, "sources not found: {}", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code
                .match_indices("cfg(")
                .chain(code.match_indices("cfg!("))
            {
                let rest = &code[at..];
                assert!(
                    rest.starts_with("cfg(test)"),
                    "{}:{}: a cfg other than cfg(test): {line}",
                    f.display(),
                    i + 1
                );
            }
            assert!(
                !code.contains("native::") && !code.contains("extern crate native"),
                "{}:{}: names the native crate",
                f.display(),
                i + 1
            );
        }
    }
}

/// `cargo metadata`: the scheduler and workloads packages declare no
/// features and do not depend on `native`.
#[test]
fn scheduler_and_workloads_declare_no_features_and_no_native_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(workspace().join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let packages = meta["packages"].as_array().expect("packages");
    for name in ["scheduler", "workloads"] {
        let p = packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("package {name}"));
        let features = p["features"].as_object().expect("features");
        assert!(
            features.is_empty(),
            "{name} declares features: {features:?}"
        );
        let deps = p["dependencies"].as_array().expect("deps");
        assert!(
            deps.iter().all(|d| d["name"] != "native"),
            "{name} depends on native"
        );
    }
    // and the native crate does use the very same runtime package
    let native = packages
        .iter()
        .find(|p| p["name"] == "native")
        .expect("native");
    let deps = native["dependencies"].as_array().expect("deps");
    assert!(deps.iter().any(|d| d["name"] == "scheduler"));
}
