//! Finding the line of a dotted key (`memory.caches[1].ways`) in profile TOML, for errors that name file, line and key.

/// The 1-based line where `text` writes `dotted` (`memory.caches[1].ways`;
/// an index-free path matches the first array element that has the key), or
/// where its table header is when the key itself is not written there.
pub(crate) fn key_line(text: &str, dotted: &str) -> Option<usize> {
    let strip = |s: &str| {
        let mut out = String::with_capacity(s.len());
        let mut depth = 0;
        for c in s.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    let indexed = dotted.contains('[');
    let same = |path: &str| {
        if indexed {
            path == dotted
        } else {
            strip(path) == dotted
        }
    };
    let mut table = String::new();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut header_line = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            // Count elements per indexed parent, so a nested array
            // (`[[messaging.paths.send]]`) restarts under each parent element.
            let name = name.trim();
            let array = match name.rsplit_once('.') {
                Some((parent, last)) => format!("{}.{last}", indexed_parent(&table, parent)),
                None => name.to_string(),
            };
            let n = counts.entry(array.clone()).or_insert(0);
            table = format!("{array}[{n}]");
            *n += 1;
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = indexed_parent(&table, name.trim());
        } else if let Some((k, _)) = line.split_once('=') {
            let k = k.trim().trim_matches('"');
            let full = if table.is_empty() {
                k.to_string()
            } else {
                format!("{table}.{k}")
            };
            if same(&full) {
                return Some(i + 1);
            }
            continue;
        } else {
            continue;
        }
        if header_line.is_none() && same(&table) {
            header_line = Some(i + 1);
        }
    }
    header_line.or_else(|| {
        // The key's table, when the key itself is not written (a missing field).
        let parent = dotted.rsplit_once('.').map(|(p, _)| p)?;
        key_line(text, parent)
    })
}

/// `name` (a header's dotted path) with the indices of the current table's
/// arrays kept for the parts they share: under `[[a.b]]` element 1,
/// `[a.b.c]` is `a.b[1].c`.
fn indexed_parent(current: &str, name: &str) -> String {
    let mut out = String::new();
    let mut cur = current.split('.');
    for (i, part) in name.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        match cur.next() {
            Some(c) if c.split('[').next() == Some(part) => out.push_str(c),
            _ => {
                out.push_str(part);
                cur = "".split('.');
                cur.next();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[memory]\nline_bytes = 64\n[[memory.caches]]\nways = 8\n[[memory.caches]]\nways = 16\n[accel]\n";

    #[test]
    fn keys_are_found_with_and_without_indices() {
        assert_eq!(key_line(TEXT, "name"), Some(1));
        assert_eq!(key_line(TEXT, "memory.line_bytes"), Some(3));
        assert_eq!(key_line(TEXT, "memory.caches[1].ways"), Some(7));
        assert_eq!(key_line(TEXT, "memory.caches.ways"), Some(5));
        assert_eq!(key_line(TEXT, "memory.caches[1]"), Some(6));
        // Not written: the line of its table.
        assert_eq!(key_line(TEXT, "memory.dram_latency_ns"), Some(2));
        assert_eq!(key_line(TEXT, "mac.latency_ns"), None);
    }

    #[test]
    fn nested_arrays_restart_under_each_parent() {
        let text = "[[m.paths]]\n[[m.paths.send]]\nx = 1\n[[m.paths.send]]\nx = 2\n\
                    [[m.paths]]\n[[m.paths.send]]\nx = 3\n[m.other]\ny = 1\n";
        assert_eq!(key_line(text, "m.paths[0].send[1].x"), Some(5));
        assert_eq!(key_line(text, "m.paths[1].send[0].x"), Some(8));
        assert_eq!(key_line(text, "m.other.y"), Some(10));
    }
}
