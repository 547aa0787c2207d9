//! Squashed migrations that force an upgrade stop.
//!
//! Django's `squashmigrations` writes a migration with `replaces = [(app,
//! name), ...]`. While the replaced files exist, a database that applied only
//! some of them keeps using them; once a release deletes them, such a
//! database cannot migrate past that release. An admin whose release does
//! not carry all of them must first stop at the last release that still
//! carries them. (Alembic has no squashing; Rails drops old migrations and
//! loads `db/schema.rb` only for new databases; Flyway starts existing
//! databases from a baseline version: none of them record what a squash
//! replaces, so only Django's squashes are cuts here.)

use crate::core::release::Version;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// A release that deletes migrations a squashed migration replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SquashCut {
    /// The release that deletes them.
    pub release: Version,
    /// Its predecessor: the last release that still carries them.
    pub last_carrier: Version,
    /// The deleted migrations (paths), sorted.
    pub deleted: Vec<String>,
    /// The squashed migrations that replace them (paths), sorted.
    pub squashed: Vec<String>,
    /// The releases whose tree holds every deleted migration: a database of
    /// one of them has applied them all and may go straight past the cut.
    pub complete: BTreeSet<Version>,
}

impl SquashCut {
    /// "lava_results_app/migrations/0001_initial.py, …/0018_drop_buglink.py":
    /// the deleted migrations, the directory written once per run of files.
    pub fn deleted_list(&self) -> String {
        let mut text = String::new();
        let mut last_dir: Option<&str> = None;
        for path in &self.deleted {
            let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
            if !text.is_empty() {
                text.push_str(", ");
            }
            if last_dir == Some(dir) {
                text.push_str(file);
            } else {
                text.push_str(path);
            }
            last_dir = Some(dir);
        }
        text
    }

    /// Why an upgrade from `from` must stop at [`SquashCut::last_carrier`].
    pub fn reason(&self, from: &Version) -> String {
        format!(
            "{release} deletes {deleted}, replaced by the squashed {squashed}; a database at \
             {from} has not applied them all, so it must run them at {carrier}, the last \
             release that carries them",
            release = self.release,
            deleted = self.deleted_list(),
            squashed = self.squashed.join(", "),
            carrier = self.last_carrier,
        )
    }
}

static REPLACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*replaces\s*=\s*[\[(]").expect("replaces regex"));

static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[\[(]\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*[\])]"#).expect("pair regex")
});

/// The migration names a Django migration's `replaces = [...]` lists
/// (`0001_initial` for `("app", "0001_initial")`); empty when it has none.
pub fn replaced_names(text: &str) -> Vec<String> {
    let Some(found) = REPLACES.find(text) else {
        return Vec::new();
    };
    // The list ends at the bracket that closes the one `replaces =` opened.
    let rest = &text[found.end()..];
    let mut depth = 1;
    let end = rest
        .char_indices()
        .find(|(_, c)| {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            depth == 0
        })
        .map_or(rest.len(), |(i, _)| i);
    PAIR.captures_iter(&rest[..end])
        .map(|c| c[2].to_string())
        .collect()
}

/// The deleted paths that the squashed migration at `squash_path` (with
/// text `squash_text`) replaces: its `replaces` names resolved in its own
/// `migrations` directory.
pub fn replaced_among(squash_path: &str, squash_text: &str, deleted: &[&str]) -> Vec<String> {
    let dir = squash_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    replaced_names(squash_text)
        .into_iter()
        .map(|name| match dir {
            "" => format!("{name}.py"),
            dir => format!("{dir}/{name}.py"),
        })
        .filter(|path| deleted.contains(&path.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::release::Scheme;

    const SQUASH: &str = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    replaces = [\n        (\"lava_results_app\", \"0001_initial\"),\n        ('lava_results_app', '0002_auto'),\n    ]\n    dependencies = [(\"auth\", \"0001_initial\")]\n";

    #[test]
    fn replaces_lists_are_read_in_either_quote_style_and_stop_at_their_bracket() {
        assert_eq!(replaced_names(SQUASH), ["0001_initial", "0002_auto"]);
        assert!(replaced_names("class Migration:\n    operations = []\n").is_empty());
    }

    #[test]
    fn replaced_migrations_resolve_in_the_squash_directory() {
        let deleted = [
            "lava_results_app/migrations/0001_initial.py",
            "lava_results_app/migrations/0002_auto.py",
            "other_app/migrations/0001_initial.py",
        ];
        let found = replaced_among(
            "lava_results_app/migrations/0001_squashed_0002_auto.py",
            SQUASH,
            &deleted,
        );
        assert_eq!(found, &deleted[..2]);
    }

    #[test]
    fn the_reason_names_every_deleted_migration_and_the_stop() {
        let v = |s: &str| Scheme::Calver.parse(s).unwrap();
        let cut = SquashCut {
            release: v("2026.04"),
            last_carrier: v("2026.02"),
            deleted: vec![
                "app/migrations/0001_initial.py".into(),
                "app/migrations/0002_auto.py".into(),
            ],
            squashed: vec!["app/migrations/0001_squashed_0002_auto.py".into()],
            complete: BTreeSet::new(),
        };
        assert_eq!(
            cut.reason(&v("2025.10")),
            "2026.04 deletes app/migrations/0001_initial.py, 0002_auto.py, replaced by the \
             squashed app/migrations/0001_squashed_0002_auto.py; a database at 2025.10 has not \
             applied them all, so it must run them at 2026.02, the last release that carries them"
        );
    }
}
