//! `--set KEY=VALUE` overrides: set any scenario key by its dotted path before validation.

use super::error::ScenarioError;

/// Splits `KEY=VALUE` as given on the command line.
pub fn split_assignment(arg: &str) -> Result<(&str, &str), ScenarioError> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => Err(ScenarioError::key(
            "--set",
            None,
            arg,
            "expected KEY=VALUE",
            "write it like --set nic.cores=6",
        )),
    }
}

/// Parses a value as TOML (number, boolean, string, array, inline table);
/// anything that is not valid TOML is taken as a plain string, so
/// `--set nic.profile=bluefield_1m332a` needs no quotes.
pub fn parse_value(value: &str) -> toml::Value {
    let doc = format!("v = {value}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(value.to_string())),
        Err(_) => toml::Value::String(value.to_string()),
    }
}

/// Sets `dotted_key` in `table` to the TOML value written in `value`,
/// creating intermediate tables as needed.
pub fn apply_override(
    table: &mut toml::Table,
    dotted_key: &str,
    value: &str,
) -> Result<(), ScenarioError> {
    set_value(table, dotted_key, parse_value(value))
}

/// Sets `dotted_key` in `table` to `value`.
pub fn set_value(
    table: &mut toml::Table,
    dotted_key: &str,
    value: toml::Value,
) -> Result<(), ScenarioError> {
    let parts: Vec<&str> = dotted_key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ScenarioError::key(
            "--set",
            None,
            dotted_key,
            "empty path component",
            "use a dotted key like traffic.packet_size",
        ));
    }
    let (last, parents) = parts.split_last().expect("split yields at least one part");
    let mut cur = table;
    for (i, p) in parents.iter().enumerate() {
        let entry = cur
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = match entry {
            toml::Value::Table(t) => t,
            _ => {
                return Err(ScenarioError::key(
                    "--set",
                    None,
                    dotted_key,
                    format!("`{}` is a value, not a table", parts[..=i].join(".")),
                    "override the value itself, not a key below it",
                ))
            }
        };
    }
    cur.insert(last.to_string(), value);
    // Keys that are alternatives of one another: setting one replaces the
    // other, so `--set workload.rate_krps=...` works on a file that gives
    // `load_fraction` (both given is refused by the checker otherwise).
    if let Some(other) = ALTERNATIVES.iter().find_map(|&(a, b)| {
        (dotted_key == a)
            .then_some(b)
            .or((dotted_key == b).then_some(a))
    }) {
        if let Some(name) = other.rsplit('.').next() {
            cur.remove(name);
        }
    }
    Ok(())
}

/// Pairs of keys (same table) of which a scenario gives at most one.
const ALTERNATIVES: &[(&str, &str)] = &[("workload.rate_krps", "workload.load_fraction")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_and_bare_words_are_strings() {
        assert_eq!(parse_value("6"), toml::Value::Integer(6));
        assert_eq!(parse_value("2.5"), toml::Value::Float(2.5));
        assert_eq!(parse_value("line"), toml::Value::String("line".into()));
        assert_eq!(parse_value("\"line\""), toml::Value::String("line".into()));
    }

    #[test]
    fn creates_tables_and_refuses_to_descend_into_values() {
        let mut t = toml::Table::new();
        apply_override(&mut t, "nic.cores", "6").unwrap();
        assert_eq!(t["nic"]["cores"].as_integer(), Some(6));
        let err = apply_override(&mut t, "nic.cores.x", "1").unwrap_err();
        assert!(err.to_string().contains("not a table"));
    }

    #[test]
    fn setting_one_of_two_alternatives_replaces_the_other() {
        let mut t: toml::Table = "[workload]\nload_fraction = 0.9\n".parse().unwrap();
        apply_override(&mut t, "workload.rate_krps", "100").unwrap();
        assert_eq!(t["workload"]["rate_krps"].as_integer(), Some(100));
        assert!(!t["workload"]
            .as_table()
            .unwrap()
            .contains_key("load_fraction"));
        apply_override(&mut t, "workload.load_fraction", "0.5").unwrap();
        assert!(!t["workload"].as_table().unwrap().contains_key("rate_krps"));
    }
}
