//! Glob compilation with the rule-pack semantics (`*` stays inside one
//! directory, `**` crosses them) and the facts the matcher derives from a glob:
//! the literal text every matching path must contain, and how specific it is.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiles one glob: `*` and `?` never match `/`; `**` does.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// Compiles globs already known to be valid (they were checked while parsing).
pub(crate) fn glob_set(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = compile_glob(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The longest run of literal text that every path matching `pattern` contains.
///
/// Wildcards, classes and `{a,b}` alternations end a run; a `/` next to `**`
/// is dropped because `**/` may match nothing. Used to skip, with one
/// multi-literal search, the vast majority of paths no glob can match.
pub fn required_literal(pattern: &str) -> String {
    let mut best = String::new();
    let mut run = String::new();
    let mut chars = pattern.chars().peekable();
    let flush = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = run.clone();
        }
        run.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(escaped) = chars.next() {
                    run.push(escaped);
                }
            }
            '*' => {
                let double = chars.peek() == Some(&'*');
                if double {
                    chars.next();
                    if run.ends_with('/') {
                        run.pop();
                    }
                }
                flush(&mut run, &mut best);
                if double && chars.peek() == Some(&'/') {
                    chars.next();
                }
            }
            '?' => flush(&mut run, &mut best),
            '[' => {
                flush(&mut run, &mut best);
                skip_until(&mut chars, ']');
            }
            '{' => {
                flush(&mut run, &mut best);
                skip_until(&mut chars, '}');
            }
            _ => run.push(c),
        }
    }
    flush(&mut run, &mut best);
    best
}

fn skip_until(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, end: char) {
    let mut first = true;
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == end && !(first && end == ']') {
            return;
        }
        first = false;
    }
}

/// How specific a glob is: literal characters and character classes count one
/// each, wildcards and alternations nothing. Breaks ties between packs.
pub fn specificity(pattern: &str) -> u32 {
    let mut score = 0;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => {}
            '\\' => {
                chars.next();
                score += 1;
            }
            '[' => {
                skip_until(&mut chars, ']');
                score += 1;
            }
            '{' => skip_until(&mut chars, '}'),
            _ => score += 1,
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_does_not_cross_directories_but_double_star_does() {
        let glob = compile_glob("db/migrate/*.rb").unwrap().compile_matcher();
        assert!(glob.is_match("db/migrate/001_x.rb"));
        assert!(!glob.is_match("db/migrate/sub/001_x.rb"));
        let deep = compile_glob("**/db/migrate/*.rb")
            .unwrap()
            .compile_matcher();
        assert!(deep.is_match("db/migrate/001_x.rb"));
        assert!(deep.is_match("plugins/a/db/migrate/001_x.rb"));
    }

    #[test]
    fn required_literal_is_the_longest_literal_run() {
        assert_eq!(
            required_literal("**/migrations/[0-9][0-9]_*.py"),
            "migrations/"
        );
        assert_eq!(required_literal("**/V[0-9]*__*.sql"), ".sql");
        assert_eq!(required_literal("a/**/bcd/*.{x,y}"), "bcd/");
        assert_eq!(required_literal("**/*"), "");
    }

    #[test]
    fn every_required_literal_occurs_in_a_matching_path() {
        let cases = [
            ("**/db/migrate/*.rb", "db/migrate/1_a.rb"),
            (
                "**/prisma/migrations/*/migration.sql",
                "prisma/migrations/1/migration.sql",
            ),
            ("src/**/x.py", "src/x.py"),
        ];
        for (pattern, path) in cases {
            assert!(
                compile_glob(pattern)
                    .unwrap()
                    .compile_matcher()
                    .is_match(path)
            );
            assert!(path.contains(&required_literal(pattern)), "{pattern}");
        }
    }

    #[test]
    fn specificity_counts_literals_and_classes() {
        assert!(specificity("**/migrations/[0-9]*.js") > specificity("**/migrations/*.js"));
        assert_eq!(specificity("**/a{b,c}"), 2);
    }
}
