//! Wraps a rendered mail body at 72 columns for mailing-list archives, which
//! show plain text as sent. Done after rendering so template authors write
//! long lines freely and values of any length still come out tidy.

/// The widest line the wrapper produces, unless a single word is wider.
pub const WIDTH: usize = 72;

/// Wraps every line longer than [`WIDTH`] characters at spaces. Short lines
/// and blank lines stay exactly as they are. A continued list item ("- ",
/// "* ", "1. ") or indented line keeps its text aligned under the first
/// line's text. A word is never broken, so long URLs stay whole (and may
/// stand alone on a line wider than the limit). Wrapping wrapped text
/// changes nothing.
pub fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / WIDTH);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        wrap_line(line, &mut out);
    }
    out
}

fn wrap_line(line: &str, out: &mut String) {
    if line.chars().count() <= WIDTH {
        out.push_str(line);
        return;
    }
    let lead = hanging_indent(line);
    // `lead` counts ASCII bytes only (spaces, digits, marker), so slicing is safe.
    let (first_prefix, rest) = line.split_at(lead);
    let continuation = " ".repeat(lead);
    let mut current = first_prefix.to_string();
    let mut current_len = lead;
    let mut has_word = false;
    for word in rest.split(' ').filter(|word| !word.is_empty()) {
        let word_len = word.chars().count();
        if has_word && current_len + 1 + word_len > WIDTH {
            out.push_str(&current);
            out.push('\n');
            current = continuation.clone();
            current_len = lead;
            has_word = false;
        }
        if has_word {
            current.push(' ');
            current_len += 1;
        }
        current.push_str(word);
        current_len += word_len;
        has_word = true;
    }
    out.push_str(&current);
}

/// How far continuation lines are indented: the leading spaces plus a list
/// marker ("- ", "* ", or digits followed by ". ") when there is one.
fn hanging_indent(line: &str) -> usize {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[spaces..];
    let marker = if rest.starts_with("- ") || rest.starts_with("* ") {
        2
    } else {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && rest[digits..].starts_with(". ") {
            digits + 2
        } else {
            0
        }
    };
    // A line that is only indentation and marker has nothing to wrap under.
    if spaces + marker >= line.len() {
        0
    } else {
        spaces + marker
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "Upgrading needs downtime because the release runs database migrations that rewrite the job table and its indexes.";

    fn widest(text: &str) -> usize {
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn long_lines_wrap_at_spaces_within_72_columns() {
        let wrapped = wrap(LONG);
        assert!(wrapped.lines().count() > 1, "{wrapped}");
        assert!(widest(&wrapped) <= WIDTH, "{wrapped}");
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            LONG.split_whitespace().collect::<Vec<_>>()
        );
        // Greedy: the first line could not take the next word.
        let first = wrapped.lines().next().unwrap();
        let next_word = wrapped.lines().nth(1).unwrap().split(' ').next().unwrap();
        assert!(first.chars().count() + 1 + next_word.chars().count() > WIDTH);
    }

    #[test]
    fn short_and_blank_lines_are_kept_as_they_are() {
        let text = "Hello,\n\n  indented short line  \n\n\nBye\n";
        assert_eq!(wrap(text), text);
    }

    #[test]
    fn list_items_continue_under_their_text() {
        let text = format!("- {LONG}\n  * {LONG}\n12. {LONG}\n    {LONG}");
        let wrapped = wrap(&text);
        assert!(widest(&wrapped) <= WIDTH, "{wrapped}");
        let lines: Vec<&str> = wrapped.lines().collect();
        let indent_after = |marker: &str| {
            let start = lines.iter().position(|l| l.starts_with(marker)).unwrap();
            let next = lines[start + 1];
            next.len() - next.trim_start().len()
        };
        assert_eq!(indent_after("- "), 2, "{wrapped}");
        assert_eq!(indent_after("  * "), 4, "{wrapped}");
        assert_eq!(indent_after("12. "), 4, "{wrapped}");
        assert_eq!(indent_after("    Upgrading"), 4, "{wrapped}");
    }

    #[test]
    fn words_are_never_broken_so_long_urls_stay_whole() {
        let url = format!(
            "https://gitlab.com/lava/lava/-/merge_requests/{}",
            "9".repeat(60)
        );
        let text = format!("- See {url} for the details of this change, which is long.");
        let wrapped = wrap(&text);
        assert!(wrapped.lines().any(|l| l.trim_start() == url), "{wrapped}");
        for line in wrapped.lines() {
            assert!(
                line.chars().count() <= WIDTH || !line.trim().contains(' '),
                "{line}"
            );
        }
    }

    #[test]
    fn wrapping_is_idempotent() {
        let url = "https://example.org/".to_string() + &"x".repeat(80);
        let text = format!("{LONG}\n\n- {LONG} {url}\n1. {LONG}\n{url}\n  {LONG}\n");
        let once = wrap(&text);
        assert_eq!(wrap(&once), once);
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        // 36 two-byte characters and a space fit; bytes would be 100+.
        let text = format!("{} {}", "é".repeat(35), "ü".repeat(36));
        assert_eq!(wrap(&text), text);
    }
}
