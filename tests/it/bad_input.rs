//! Bad scenarios, data-driven: every file in tests/bad_input/ must get exit code 2 and one line naming file, line, key and fix.
//!
//! Each case file starts with a header of `# name: value` comments:
//! `key` (the dotted key the error must name), `line` (the line it must
//! name, or `none`), `expect` (a fragment of the message, repeatable), `set`
//! (a `--set KEY=VALUE` to pass, repeatable; the error must then name that
//! `--set` instead of a line), `blame` (which `--set` it must name, default:
//! the last one whose key starts the error's key), and `run: yes` (also run
//! `nicsim run`, which must refuse with the same line and write nothing).

use crate::common::{nicsim, repo, scratch};
use std::path::{Path, PathBuf};

/// One case, read from its file's header.
#[derive(Debug, Default)]
struct Case {
    file: PathBuf,
    key: String,
    line: Option<usize>,
    expect: Vec<String>,
    sets: Vec<String>,
    blame: Option<String>,
    run: bool,
}

fn cases() -> Vec<Case> {
    let dir = repo().join("tests/bad_input");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/bad_input exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files.into_iter().map(|f| parse_case(&f)).collect()
}

fn parse_case(file: &Path) -> Case {
    let text = std::fs::read_to_string(file).expect("case file is text");
    let mut case = Case {
        file: file.to_path_buf(),
        ..Case::default()
    };
    let mut has_line = false;
    for l in text.lines().take_while(|l| l.starts_with('#')) {
        let Some((name, value)) = l.trim_start_matches('#').split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match name.trim() {
            "key" => case.key = value,
            "line" => {
                has_line = true;
                case.line = (value != "none").then(|| value.parse().expect("line number"));
            }
            "expect" => case.expect.push(value),
            "set" => case.sets.push(value),
            "blame" => case.blame = Some(value),
            "run" => case.run = value == "yes",
            _ => {}
        }
    }
    assert!(
        !case.key.is_empty() && has_line && !case.expect.is_empty(),
        "{}: header needs key, line and expect",
        file.display()
    );
    case
}

/// `nicsim CMD FILE --set ...` in an empty directory: (exit code, stderr, files left behind).
fn invoke(test: &str, cmd: &str, case: &Case) -> (Option<i32>, String, usize) {
    let cwd = scratch(test);
    let file = case.file.to_str().expect("utf-8 path");
    let mut args = vec![cmd, file];
    for s in &case.sets {
        args.extend(["--set", s.as_str()]);
    }
    let out = nicsim(&cwd, &args);
    let left = std::fs::read_dir(&cwd).map(|d| d.count()).unwrap_or(0);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        left,
    )
}

/// Everything wrong with the answer to `case`, empty when it is right.
fn check(case: &Case, code: Option<i32>, stderr: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let file = case.file.to_str().expect("utf-8 path");
    let mut want = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    want(code == Some(2), format!("exit code {code:?}, not 2"));
    want(
        stderr.trim_end().lines().count() == 1 && stderr.starts_with("error: "),
        "not one `error:` line".into(),
    );
    want(!stderr.contains("panicked"), "panicked".into());
    want(stderr.contains(file), "does not name the file".into());
    want(
        stderr.contains(&format!("key `{}`", case.key)),
        format!("does not name key `{}`", case.key),
    );
    let fix = stderr.split_once("; fix: ").map(|(_, f)| f.trim());
    want(
        fix.is_some_and(|f| f.len() >= 10),
        "gives no fix after `; fix: `".into(),
    );
    for e in &case.expect {
        want(stderr.contains(e.as_str()), format!("lacks `{e}`"));
    }
    let named_line = stderr.split(&format!("{file}:")).skip(1).find_map(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<usize>().ok()
    });
    want(
        named_line == case.line,
        format!("names line {named_line:?}, not {:?}", case.line),
    );
    if !case.sets.is_empty() {
        let blamed = case.blame.clone().unwrap_or_else(|| {
            case.sets
                .iter()
                .rev()
                .find(|s| {
                    case.key
                        .starts_with(s.split('=').next().unwrap_or_default())
                })
                .or(case.sets.last())
                .cloned()
                .unwrap_or_default()
        });
        want(
            stderr.contains(&format!("{file}: --set {blamed}")),
            format!("does not name `--set {blamed}` as the origin"),
        );
    }
    bad
}

#[test]
fn every_bad_input_case_gets_file_line_key_fix_and_exit_2() {
    let cases = cases();
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file.file_stem().unwrap().to_string_lossy().to_string();
        let (code, stderr, _) = invoke(&format!("bad-input-v-{name}"), "validate", case);
        for problem in check(case, code, &stderr) {
            failures.push(format!(
                "{name} (validate): {problem}\n    {}",
                stderr.trim()
            ));
        }
        if case.run {
            let (run_code, run_stderr, left) = invoke(&format!("bad-input-r-{name}"), "run", case);
            if (run_code, &run_stderr) != (code, &stderr) {
                failures.push(format!(
                    "{name} (run): {run_code:?} `{}`, validate said {code:?} `{}`",
                    run_stderr.trim(),
                    stderr.trim()
                ));
            }
            if left != 0 {
                failures.push(format!("{name} (run): left {left} file(s) behind"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Keys of the README's scenario reference and `[scheduler]` tables.
fn documented_keys() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let section = |title: &str| -> String {
        let start = readme
            .find(title)
            .unwrap_or_else(|| panic!("{title} in README"));
        let rest = &readme[start..];
        let end = rest[3..].find("\n## ").map(|i| i + 3).unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let mut keys = Vec::new();
    let reference = section("## Scenario reference");
    let (scenario_table, scheduler_table) = reference
        .split_once("`[scheduler]` settings")
        .expect("the [scheduler] table follows the scenario table");
    for (table, prefix) in [(scenario_table, ""), (scheduler_table, "scheduler.")] {
        for row in table.lines().filter(|l| l.starts_with("| `")) {
            let first = row.split('|').nth(1).unwrap_or_default();
            for name in first.split('`').skip(1).step_by(2) {
                if !name.ends_with('*') {
                    keys.push(format!("{prefix}{name}"));
                }
            }
        }
    }
    keys
}

/// `workload.actors[3].name` -> `workload.actors[].name`.
fn without_indices(key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for c in key.chars() {
        match c {
            '[' => {
                out.push('[');
                skipping = true;
            }
            ']' => {
                out.push(']');
                skipping = false;
            }
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_cases_cover_every_documented_key() {
    let keys = documented_keys();
    assert!(keys.len() > 50, "README tables parsed: {keys:?}");
    let covered: Vec<String> = cases().iter().map(|c| without_indices(&c.key)).collect();
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| {
            !covered
                .iter()
                .any(|c| c == *k || c.starts_with(&format!("{k}.")))
        })
        .collect();
    assert!(missing.is_empty(), "no bad-input case for {missing:?}");
}

#[test]
fn the_good_scenario_is_accepted() {
    let dir = scratch("bad-input-good");
    std::fs::write(
        dir.join("s.toml"),
        "[nic]\nprofile = \"liquidio_cn2350\"\ncores = 4\n[traffic]\npacket_size = 256\n",
    )
    .unwrap();
    let out = nicsim(&dir, &["validate", "s.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `nicsim validate PATH` and returns stderr, asserting exit 2 and one line.
fn refused(cwd: &Path, path: &str) -> String {
    let out = nicsim(cwd, &["validate", path]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(path) && stderr.contains("; fix: "),
        "{stderr}"
    );
    stderr
}

#[test]
fn missing_file_directory_and_binary_file_get_their_own_fix() {
    let dir = scratch("bad-input-files");
    let missing = refused(&dir, "nope.toml");
    assert!(
        missing.contains("cannot read") && missing.contains("configs/"),
        "{missing}"
    );
    std::fs::create_dir(dir.join("adir")).unwrap();
    let directory = refused(&dir, "adir");
    assert!(directory.contains("is a directory"), "{directory}");
    std::fs::write(
        dir.join("bin.toml"),
        [0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0],
    )
    .unwrap();
    let binary = refused(&dir, "bin.toml");
    assert!(binary.contains("not a text file"), "{binary}");
    // `nicsim list` lists NIC profiles, not scenario files: no error points there
    for e in [missing, directory, binary] {
        assert!(!e.contains("nicsim list"), "{e}");
    }
}

#[test]
fn the_largest_seed_round_trips_through_resolved_toml() {
    let dir = scratch("bad-input-seed-round-trip");
    std::fs::write(
        dir.join("s.toml"),
        "duration_ms = 1\n[nic]\nprofile = \"liquidio_cn2350\"\ncores = 2\n",
    )
    .unwrap();
    let max = u64::MAX.to_string();
    let out = nicsim(&dir, &["run", "s.toml", "--seed", &max, "--out", "a", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resolved = std::fs::read_to_string(dir.join("a/resolved.toml")).unwrap();
    assert!(
        resolved.contains(&format!("seed = \"{max}\"")),
        "{resolved}"
    );
    let out = nicsim(&dir, &["run", "a/resolved.toml", "--out", "b", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(dir.join("a/summary.csv")).unwrap();
    let again = std::fs::read_to_string(dir.join("b/summary.csv")).unwrap();
    assert_eq!(
        crate::common::without_wall_time(&first),
        crate::common::without_wall_time(&again)
    );
    assert!(first.contains(&max), "{first}");
    // the same seed through --set, written as a plain number
    let out = nicsim(
        &dir,
        &["validate", "s.toml", "--set", &format!("seed={max}")],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&max));
}
