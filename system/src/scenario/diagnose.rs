//! Turning TOML parser and type errors into a key, a line and a fix.
//!
//! The toml crate knows the key path of a type error (not its array index)
//! and the span of the value; the span gives the line, and the keys written
//! on that line give the array index (`workload.actors[1].weight`). The
//! `[workload]` table is an internally tagged enum, which serde buffers, so
//! errors inside it lose their key and span; they are found again by parsing
//! the text a second time as the workload kind's own table (the probes below).

use super::error::{key_lines, unknown_field_key};
use super::schema::{ActorEntry, ScenarioFile};
use serde::Deserialize;
use workloads::ArrivalProcess;

/// A located problem, before it gets its origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    /// Full dotted key, when known.
    pub key: Option<String>,
    /// 1-based line in the text parsed, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// Parses `text` into a scenario file, or says which key is wrong and why.
pub fn parse_file(text: &str) -> Result<ScenarioFile, Diagnosis> {
    toml::from_str::<ScenarioFile>(text).map_err(|e| {
        let d = diagnose(text, &e);
        if error_path(&e) == ["workload"] {
            probe_workload(text).unwrap_or(d)
        } else {
            d
        }
    })
}

/// A syntax error (malformed TOML): the line, and the key written on it if any.
pub fn syntax(text: &str, e: &toml::de::Error) -> Diagnosis {
    let line = line_of(text, e);
    let key = line.and_then(|l| {
        key_lines(text)
            .into_iter()
            .filter(|(_, at)| *at == l)
            .map(|(k, _)| k)
            .next_back()
    });
    Diagnosis {
        key,
        line,
        message: e.message().to_string(),
        fix: if e.message().contains("i128") {
            "TOML integers stop at 9223372036854775807; use a smaller number (a seed may be a quoted decimal string up to 18446744073709551615)".into()
        } else {
            "fix the TOML syntax (strings in double quotes, one `key = value` per line)".into()
        },
    }
}

fn line_of(text: &str, e: &toml::de::Error) -> Option<usize> {
    e.span()
        .map(|s| nic_models::profile::line_col(text, s.start).0)
}

/// The key path the toml crate recorded (without array indices).
fn error_path(e: &toml::de::Error) -> Vec<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    shown
        .lines()
        .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'))
        .map(|p| p.split('.').map(str::to_string).collect())
        .unwrap_or_default()
}

fn diagnose(text: &str, e: &toml::de::Error) -> Diagnosis {
    let mut path = error_path(e);
    let message = match e.message().trim() {
        "wanted string or table" => "expected a name in double quotes".to_string(),
        m => m.to_string(),
    };
    let unknown = unknown_field_key(&message);
    let missing = quoted_after(&message, "missing field `");
    // a top-level key that is missing has no line (the span is the whole file)
    let line = line_of(text, e).filter(|_| missing.is_none() || !path.is_empty());
    if let Some(leaf) = unknown.clone().or(missing.clone()) {
        path.push(leaf);
    }
    let key = (!path.is_empty()).then(|| with_indices(text, line, &path.join(".")));
    let fix = fix_for(
        &message,
        key.as_deref(),
        unknown.is_some(),
        missing.is_some(),
    );
    let message = if unknown.is_some() {
        "unknown key".to_string()
    } else {
        message
    };
    Diagnosis {
        key,
        line,
        message,
        fix,
    }
}

/// Puts back the array index of `[[table]]` entries and inline arrays of
/// tables, from the keys written on `line`.
fn with_indices(text: &str, line: Option<usize>, key: &str) -> String {
    let Some(line) = line else {
        return key.to_string();
    };
    let best = key_lines(text)
        .into_iter()
        .filter(|(k, at)| *at == line && k.contains('['))
        .filter(|(k, _)| {
            let bare = deindex(k);
            key == bare || key.starts_with(&format!("{bare}."))
        })
        .max_by_key(|(k, _)| k.len());
    match best {
        Some((indexed, _)) => format!("{indexed}{}", &key[deindex(&indexed).len()..]),
        None => key.to_string(),
    }
}

/// `workload.actors[1].name` -> `workload.actors.name`.
fn deindex(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut skipping = false;
    for c in k.chars() {
        match c {
            '[' => skipping = true,
            ']' => skipping = false,
            c if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('`')?].to_string())
}

/// A fix written from what the parser expected.
fn fix_for(message: &str, key: Option<&str>, unknown: bool, missing: bool) -> String {
    let key = key.unwrap_or("the value");
    let expected = message
        .find("expected ")
        .map(|i| message[i + "expected ".len()..].trim());
    if unknown {
        return match expected {
            Some(list) => format!("remove it or correct the spelling (expected {list})"),
            None => "remove it or correct the spelling (see the scenario reference in the README)"
                .into(),
        };
    }
    if missing {
        return format!("add `{key}` (see the scenario reference in the README)");
    }
    if expected.is_some_and(|e| e.contains("0..=18446744073709551615")) {
        return format!(
            "write {key} as a whole number up to 9223372036854775807, or larger ones as a quoted decimal string such as \"18446744073709551615\""
        );
    }
    let wanted = match expected {
        Some("u8" | "u16" | "u32" | "u64" | "usize") => "a whole number >= 0, without quotes",
        Some("i64") => "a whole number, without quotes",
        Some("f64" | "f32") => "a number, without quotes",
        Some("a string") => "a string in double quotes",
        Some("a boolean") => "true or false",
        Some("a map") => "a table, e.g. { key = value }",
        Some("a sequence") => "an array, e.g. [ ... ]",
        Some(other) if message.starts_with("unknown variant") => {
            let list = other.strip_prefix("one of ").unwrap_or(other);
            return format!("set {key} to one of {list}");
        }
        Some(other) if other.starts_with("struct ") => "a table ([section] or { key = value })",
        Some("variant identifier" | "a name in double quotes") => {
            "one of the names the scenario reference in the README lists, in double quotes"
        }

        Some(other) => other,
        None => "the type the scenario reference in the README lists",
    };
    format!("give {key} {wanted}")
}

/// `[workload]` as its kind's own table, so that errors keep key and span.
fn probe_workload(text: &str) -> Option<Diagnosis> {
    let table: toml::Table = text.parse().ok()?;
    // without a kind, "missing field `kind`" is the right answer already
    let kind = table.get("workload")?.get("kind")?.as_str()?.to_string();
    if kind == "actors" {
        if let Some(d) = probe_actor_entries(text, &table) {
            return Some(d);
        }
    }
    let result = match kind.as_str() {
        "actors" => toml::from_str::<Probe<ActorsProbe>>(text).map(|_| ()),
        "echo" => toml::from_str::<Probe<EchoProbe>>(text).map(|_| ()),
        _ => return None,
    };
    result.err().map(|e| diagnose(text, &e))
}

/// Each `[[workload.actors]]` entry on its own, so that an error names its
/// index (`workload.actors[2].name`) and the entry's line.
fn probe_actor_entries(text: &str, table: &toml::Table) -> Option<Diagnosis> {
    let entries = table.get("workload")?.get("actors")?.as_array()?;
    entries.iter().enumerate().find_map(|(i, entry)| {
        let e = ActorEntry::deserialize(entry.clone()).err()?;
        let message = e.message().trim().to_string();
        let mut path = vec![format!("workload.actors[{i}]")];
        path.extend(error_path(&e));
        let unknown = unknown_field_key(&message);
        let missing = quoted_after(&message, "missing field `");
        if let Some(leaf) = unknown.clone().or(missing.clone()) {
            path.push(leaf);
        }
        let key = path.join(".");
        let fix = fix_for(&message, Some(&key), unknown.is_some(), missing.is_some());
        Some(Diagnosis {
            line: super::error::locate_key(text, &key),
            key: Some(key),
            message: if unknown.is_some() {
                "unknown key".into()
            } else {
                message
            },
            fix,
        })
    })
}

/// The whole file with only `[workload]` read (other keys ignored).
#[derive(Deserialize)]
struct Probe<W> {
    #[allow(dead_code)]
    workload: W,
}

/// `[workload]` with `kind = "echo"`, field for field (`EchoConfig` plus the tag).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EchoProbe {
    kind: Option<String>,
    processing_us: Option<f64>,
}

/// `[workload]` with `kind = "actors"`, field for field (`ActorsWorkload` plus the tag).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ActorsProbe {
    kind: String,
    load_fraction: Option<f64>,
    rate_krps: Option<f64>,
    arrival: Option<ArrivalProcess>,
    actors: Vec<ActorEntry>,
    app: Option<workloads::apps::workload::AppSettings>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIC: &str = "[nic]\nprofile = \"liquidio_cn2350\"\n";

    #[test]
    fn wrong_types_name_key_and_line() {
        let d = parse_file(&format!("{NIC}cores = \"four\"\n")).unwrap_err();
        assert_eq!(d.key.as_deref(), Some("nic.cores"));
        assert_eq!(d.line, Some(3));
        assert!(d.fix.contains("whole number"), "{d:?}");
    }

    #[test]
    fn errors_inside_actor_entries_get_their_index() {
        let text = format!("{NIC}[workload]\nkind = \"actors\"\n[[workload.actors]]\nname = \"a\"\nkind = \"firewall\"\n[[workload.actors]]\nname = \"b\"\nkind = \"firewall\"\nweight = \"x\"\n");
        let d = parse_file(&text).unwrap_err();
        assert_eq!(d.key.as_deref(), Some("workload.actors[1].weight"));
        assert_eq!(d.line, Some(11));
    }

    #[test]
    fn missing_and_unknown_keys_are_full_paths() {
        let d = parse_file("[nic]\ncores = 2\n").unwrap_err();
        assert_eq!(d.key.as_deref(), Some("nic.profile"));
        let d = parse_file(&format!("{NIC}coers = 2\n")).unwrap_err();
        assert_eq!(d.key.as_deref(), Some("nic.coers"));
        assert_eq!(d.line, Some(3));
    }
}
