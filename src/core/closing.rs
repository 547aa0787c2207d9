//! Finds the issues a merge request says it closes ("Closes #12",
//! "Fixes group/project#12", "Resolves: https://…/issues/12"), in the
//! syntax of both forges, so the bot can carry the database-changes label
//! from an MR to the issues it closes (docs/policy.md).
//!
//! Keywords are GitHub's (close, closes, closed, fix, fixes, fixed, resolve,
//! resolves, resolved) and those of GitLab's default closing pattern (also
//! closing, fixing, resolving, implement(s|ed|ing)), matched without regard
//! to case; a colon may follow the keyword, and one keyword may close a list
//! ("Fixes #1, #2 and #3", "Closes issues #4 #5").

use crate::core::ids::ItemNumber;
use regex::Regex;
use std::sync::LazyLock;

static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:clos(?:e[sd]?|ing)|fix(?:e[sd]|ing)?|resolv(?:e[sd]?|ing)|implement(?:s|ed|ing)?):?[ \t]+",
    )
    .expect("keyword pattern is valid")
});

/// One reference at the start of the text: `#12`, `group/project#12`, or an
/// issue URL (`…/group/project/-/issues/12` or `…/owner/repo/issues/12`).
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^
        (?:issues?[\x20\t]+)?
        (?:
            (?P<path>[a-z0-9_.\-]+(?:/[a-z0-9_.\-]+)+)?\#(?P<number>[0-9]+)\b
          | https?://[^/\s]+/(?P<url_path>[a-z0-9_.\-]+(?:/[a-z0-9_.\-]+)+?)(?:/-)?/issues/(?P<url_number>[0-9]+)\b
        )",
    )
    .expect("reference pattern is valid")
});

/// What may sit between two references of one list.
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[ \t]*,?[ \t]+and[ \t]+|[ \t]*,[ \t]*|[ \t]+)")
        .expect("separator pattern is valid")
});

/// Issue numbers closed by unqualified references (`Closes #12`), which
/// always mean the MR's own project. In first-mention order, without repeats.
pub fn closing_references(text: &str) -> Vec<ItemNumber> {
    collect(text, None)
}

/// Issue numbers of `project` (`group/project`, `owner/repo`) that `text`
/// closes: unqualified references and those naming `project` itself, by
/// path or URL. References to other projects are left out.
pub fn closing_references_in(text: &str, project: &str) -> Vec<ItemNumber> {
    collect(text, Some(project))
}

fn collect(text: &str, project: Option<&str>) -> Vec<ItemNumber> {
    let mut numbers = Vec::new();
    for keyword in KEYWORD.find_iter(text) {
        let mut rest = &text[keyword.end()..];
        while let Some(reference) = REFERENCE.captures(rest) {
            if let Some(number) = same_project_number(&reference, project)
                && !numbers.contains(&number)
            {
                numbers.push(number);
            }
            rest = &rest[reference.get(0).map_or(0, |m| m.end())..];
            match SEPARATOR.find(rest) {
                Some(separator) => rest = &rest[separator.end()..],
                None => break,
            }
        }
    }
    numbers
}

fn same_project_number(
    reference: &regex::Captures<'_>,
    project: Option<&str>,
) -> Option<ItemNumber> {
    let (path, number) = match (reference.name("number"), reference.name("url_number")) {
        (Some(number), _) => (reference.name("path"), number),
        (None, Some(number)) => (reference.name("url_path"), number),
        (None, None) => return None,
    };
    let same_project = match (path, project) {
        (None, _) => true,
        (Some(path), Some(project)) => path.as_str().eq_ignore_ascii_case(project),
        (Some(_), None) => false,
    };
    if same_project {
        number.as_str().parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_keywords_close_issues() {
        for keyword in [
            "close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved",
        ] {
            assert_eq!(
                closing_references(&format!("{keyword} #12")),
                vec![12],
                "{keyword}"
            );
        }
    }

    #[test]
    fn keywords_match_regardless_of_case_and_at_line_starts() {
        assert_eq!(
            closing_references("Some text.\nCloses #12\nFIXES #13"),
            vec![12, 13]
        );
    }

    #[test]
    fn gitlab_only_keyword_forms_close_issues() {
        assert_eq!(
            closing_references("Closing #1, fixing #2, resolving #3"),
            vec![1, 2, 3]
        );
        assert_eq!(closing_references("Implements #4"), vec![4]);
    }

    #[test]
    fn a_colon_may_follow_the_keyword() {
        assert_eq!(closing_references("Fixes: #7"), vec![7]);
    }

    #[test]
    fn one_keyword_closes_a_whole_list() {
        assert_eq!(closing_references("Fixes #1, #2 and #3"), vec![1, 2, 3]);
        assert_eq!(closing_references("Closes issues #4 #5"), vec![4, 5]);
    }

    #[test]
    fn plain_mentions_close_nothing() {
        assert!(closing_references("See #12, related to #13").is_empty());
        assert!(closing_references("the prefixes #3 and unfixed #4").is_empty());
        assert!(closing_references("Closes the bug in #5").is_empty());
    }

    #[test]
    fn references_to_the_same_project_by_path_count() {
        assert_eq!(
            closing_references_in("Closes lava/lava#12", "lava/lava"),
            vec![12]
        );
        assert_eq!(
            closing_references_in("Closes Lava/Lava#12", "lava/lava"),
            vec![12]
        );
    }

    #[test]
    fn references_to_other_projects_are_left_out() {
        assert!(closing_references_in("Closes other/project#12", "lava/lava").is_empty());
        assert_eq!(
            closing_references_in("Fixes other/p#1, #2", "lava/lava"),
            vec![2]
        );
        assert!(closing_references("Closes lava/lava#12").is_empty());
    }

    #[test]
    fn issue_urls_of_either_forge_count_for_the_same_project() {
        assert_eq!(
            closing_references_in(
                "Closes https://gitlab.example.org/group/sub/proj/-/issues/31",
                "group/sub/proj"
            ),
            vec![31]
        );
        assert_eq!(
            closing_references_in("Fixes https://github.com/owner/repo/issues/8", "owner/repo"),
            vec![8]
        );
        assert!(
            closing_references_in(
                "Fixes https://github.com/owner/other/issues/8",
                "owner/repo"
            )
            .is_empty()
        );
    }

    #[test]
    fn repeated_references_are_reported_once_in_order() {
        assert_eq!(
            closing_references("Fixes #9. Closes #3. Resolves #9."),
            vec![9, 3]
        );
    }

    #[test]
    fn a_number_glued_to_letters_is_no_reference() {
        assert!(closing_references("Closes #12abc").is_empty());
    }
}
