//! Best-effort mapping of a field path (`jobs[0].manifest.spec.parallelism`) to the line of the
//! source text where that field is written, for error messages.

/// The 1-based line where the last key of `path` is written, searching each key of the path in
/// turn after the previous one. `None` if a key cannot be found.
pub fn line_of(text: &str, path: &str) -> Option<usize> {
    let keys: Vec<&str> = path.split('.').map(|seg| seg.split('[').next().unwrap_or(seg)).filter(|k| !k.is_empty()).collect();
    if keys.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut found = None;
    for key in keys {
        let hit = (from..lines.len()).find(|&i| line_has_key(lines[i], key))?;
        found = Some(hit + 1);
        from = hit;
    }
    found
}

fn line_has_key(line: &str, key: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    if t.starts_with('#') {
        return false;
    }
    let quoted = format!("\"{key}\"");
    if let Some(rest) = t.strip_prefix(key).or_else(|| t.strip_prefix(quoted.as_str())) {
        return rest.trim_start().starts_with(':');
    }
    // Flow style: `{ a: 1, key: 2 }` or JSON on one line.
    [format!("{{ {key}:"), format!("{{{key}:"), format!(", {key}:"), format!("{quoted}:"), format!("{quoted} :")]
        .iter()
        .any(|p| line.contains(p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_yaml_keys() {
        let text = "name: x\njobs:\n  - manifest:\n      spec:\n        parallelism: -1\n";
        assert_eq!(line_of(text, "jobs[0].manifest.spec.parallelism"), Some(5));
        assert_eq!(line_of(text, "jobs[0].manifest.spec.completions"), None);
    }

    #[test]
    fn finds_json_keys() {
        let text = "{\n  \"spec\": {\n    \"parallelism\": -1\n  }\n}\n";
        assert_eq!(line_of(text, "spec.parallelism"), Some(3));
    }
}
