//! Deserializes the spanned tree into [`RawConfig`] without stopping at the
//! first error: each serde error is recorded with its location, the offending
//! entry is removed from the tree (never from the text, so every span stays
//! true), and deserialization runs again.

use crate::config::document::{Document, find_by_span, remove_at, render_path};
use crate::config::raw::RawConfig;
use crate::config::report::Report;
use serde::Deserialize;

/// A bound on retries; each one removes an entry, so only a pathological file reaches it.
const MAX_ATTEMPTS: usize = 200;

/// Reports syntax errors, then deserializes what remains, reporting every
/// unknown key and wrong type. `None` when nothing usable could be recovered.
pub fn deserialize_all(document: &Document<'_>, report: &mut Report<'_>) -> Option<RawConfig> {
    let mut tree = document.tree.clone();
    for _ in 0..MAX_ATTEMPTS {
        let attempt = RawConfig::deserialize(toml::de::Deserializer::from(tree.clone()));
        let error = match attempt {
            Ok(raw) => return Some(raw),
            Err(error) => error,
        };
        let Some(span) = error.span() else {
            report.at_offset(
                String::new(),
                0,
                error.message().to_string(),
                "correct the file".to_string(),
            );
            return None;
        };
        // Paths are named after the original tree: removing an array element
        // shifts the indexes of the working copy, never the spans.
        let original = find_by_span(document.tree.get_ref(), &span);
        let (message, fix) = explain(error.message(), &path_leaf(&original));
        report.at_offset(render_path(&original), span.start, message, fix);
        let working = find_by_span(tree.get_ref(), &span);
        if !remove_at(tree.get_mut(), &working) {
            return None;
        }
    }
    None
}

fn path_leaf(path: &[crate::config::document::Segment]) -> String {
    path.iter()
        .rev()
        .find_map(|segment| match segment {
            crate::config::document::Segment::Key(key) => Some(key.clone()),
            crate::config::document::Segment::Index(_) => None,
        })
        .unwrap_or_default()
}

/// Turns a serde message into (what is wrong, how to fix it).
pub fn explain(serde_message: &str, leaf: &str) -> (String, String) {
    if let Some(rest) = serde_message.strip_prefix("unknown field ") {
        let names = backticked(rest);
        let unknown = names.first().cloned().unwrap_or_default();
        let expected = names.get(1..).unwrap_or(&[]).to_vec();
        return (
            format!("unknown key `{unknown}`"),
            unknown_key_fix(&unknown, &expected),
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = serde_message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            let (found, expected) = (plain_words(found), plain_words(expected));
            if leaf == "project" && expected == "a list" {
                return (
                    format!("expected a list of project tables, found {found}"),
                    "write each project as a [[project]] table (double brackets)".to_string(),
                );
            }
            let example = example_value(leaf)
                .map(|example| format!(", e.g. `{leaf} = {example}`"))
                .unwrap_or_default();
            return (
                format!("expected {expected}, found {found}"),
                format!("write {expected}{example}"),
            );
        }
    }
    (
        serde_message.to_string(),
        "correct or remove this entry".to_string(),
    )
}

/// Says serde's type names in TOML's words: tables and lists, not structs and sequences.
fn plain_words(text: &str) -> String {
    if text.starts_with("struct ") || text == "map" || text == "a map" {
        return "a table".to_string();
    }
    match text {
        "sequence" | "a sequence" => "a list".to_string(),
        "i64" | "u32" | "u64" | "usize" => "an integer".to_string(),
        _ => text.to_string(),
    }
}

/// The fix for a key that has no meaning here. Keys that look like inline
/// secrets get pointed at their `_env`/`_file` counterpart.
fn unknown_key_fix(unknown: &str, expected: &[String]) -> String {
    if looks_like_secret(unknown) {
        let counterpart = [format!("{unknown}_env"), format!("{unknown}_file")]
            .into_iter()
            .find(|name| expected.contains(name))
            .or_else(|| expected.iter().find(|name| name.ends_with("_env")).cloned());
        return match counterpart {
            Some(name) => format!(
                "secrets never go in the config text: remove this key, put the value in an environment variable (or file) and name it with `{name}`"
            ),
            None => "secrets never go in the config text: remove this key and provide the value through the environment".to_string(),
        };
    }
    let valid = if expected.is_empty() {
        "this table takes no keys".to_string()
    } else {
        format!("valid keys here: {}", expected.join(", "))
    };
    match closest(unknown, expected) {
        Some(suggestion) => format!("did you mean `{suggestion}`? {valid}"),
        None => format!("remove it or fix its name; {valid}"),
    }
}

fn looks_like_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "private_key",
        "api_key",
    ]
    .iter()
    .any(|word| key.contains(word))
        || matches!(key.as_str(), "user" | "username" | "pass" | "key")
}

fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn closest(unknown: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(unknown, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// A sample value for a key, used in fixes for wrong types.
pub fn example_value(leaf: &str) -> Option<&'static str> {
    Some(match leaf {
        "listen" => "\"127.0.0.1:8080\"",
        "database" => "\"sqlite://schemagate.db\"",
        "sync_interval" => "\"10m\"",
        "retention" => "\"7d\"",
        "max_body_bytes" => "26214400",
        "url" => "\"https://gitlab.example.org\"",
        "api_url" => "\"https://api.github.com\"",
        "token_env" => "\"GITLAB_TOKEN\"",
        "webhook_secret_env" => "\"WEBHOOK_SECRET\"",
        "app_id" => "123456",
        "private_key_file" => "\"/etc/schemagate/app.pem\"",
        "smtp_url" => "\"smtp://127.0.0.1:25\"",
        "from" => "\"Release bot <bot@example.org>\"",
        "user_env" => "\"SMTP_USER\"",
        "password_env" => "\"SMTP_PASSWORD\"",
        "files" => "[\"rules/local.toml\"]",
        "forge" => "\"gitlab\"",
        "path" => "\"group/project\"",
        "label" => "\"Database changes\"",
        "label_color" => "\"#d9534f\"",
        "rule_packs" => "[\"django\"]",
        "extra_paths" | "ignore_paths" => "[\"db/**/*.sql\"]",
        "issue_keywords" => "[\"migration\"]",
        "releases" => "{ scheme = \"calver\" }",
        "scheme" => "\"calver\"",
        "title_regex" => "\"^Release (?P<version>[0-9.]+)$\"",
        "batch" => "{ lead_time = \"14d\" }",
        "max_open_batches" => "1",
        "lead_time" => "\"14d\"",
        "gate" => "{ require_announcement = true }",
        "announce" => "{ to = [\"announce@example.org\"] }",
        "to" => "[\"announce@example.org\"]",
        "reply_to" => "\"devel@example.org\"",
        "trigger" => "\"work-starts\"",
        "updates" => "\"none\"",
        "digest_interval" => "\"1d\"",
        "upgrade_steps" => "[\"Back up the database\"]",
        "templates_dir" => "\"templates\"",
        "assign_milestone"
        | "block_ahead_of_next_release"
        | "require_batch"
        | "require_announcement"
        | "release_notice" => "true",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_suggests_the_closest_valid_key() {
        let (message, fix) = explain(
            "unknown field `lead_tim`, expected one of `max_open_batches`, `lead_time`, `assign_milestone`",
            "lead_tim",
        );
        assert_eq!(message, "unknown key `lead_tim`");
        assert!(fix.starts_with("did you mean `lead_time`?"), "{fix}");
        assert!(fix.contains("assign_milestone"), "{fix}");
    }

    #[test]
    fn unknown_key_without_a_close_match_lists_valid_keys() {
        let (_, fix) = explain("unknown field `colour`, expected `files`", "colour");
        assert_eq!(fix, "remove it or fix its name; valid keys here: files");
    }

    #[test]
    fn inline_token_points_at_token_env() {
        let (message, fix) = explain(
            "unknown field `token`, expected one of `url`, `token_env`, `webhook_secret_env`",
            "token",
        );
        assert_eq!(message, "unknown key `token`");
        assert!(fix.contains("secrets never go in the config text"), "{fix}");
        assert!(fix.contains("`token_env`"), "{fix}");
    }

    #[test]
    fn inline_private_key_points_at_private_key_file() {
        let (_, fix) = explain(
            "unknown field `private_key`, expected one of `api_url`, `token_env`, `app_id`, `private_key_file`, `webhook_secret_env`",
            "private_key",
        );
        assert!(fix.contains("`private_key_file`"), "{fix}");
    }

    #[test]
    fn wrong_type_says_what_was_expected_with_an_example() {
        let (message, fix) = explain("invalid type: integer `14`, expected a string", "lead_time");
        assert_eq!(message, "expected a string, found integer `14`");
        assert_eq!(fix, "write a string, e.g. `lead_time = \"14d\"`");
    }

    #[test]
    fn serde_vocabulary_becomes_toml_vocabulary() {
        let (message, fix) = explain(
            "invalid type: string \"x\", expected struct RawServer",
            "server",
        );
        assert_eq!(message, "expected a table, found string \"x\"");
        assert_eq!(fix, "write a table");
        let (message, fix) = explain("invalid type: map, expected a sequence", "project");
        assert_eq!(message, "expected a list of project tables, found a table");
        assert!(fix.contains("[[project]]"), "{fix}");
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("lable", "label"), 2);
        assert_eq!(edit_distance("forg", "forge"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
