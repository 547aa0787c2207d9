//! Which lines of a comment's Markdown are ordinary text where a command may
//! stand: not in a quote, a fenced code block, an indented code block or an
//! HTML comment. A line-by-line reading of CommonMark's block rules, only
//! as deep as those four need, so that a command quoted or shown as an
//! example never runs.

/// The lines of a comment, numbered from 1, without their endings. Lines end
/// at `\n`, `\r\n` or a lone `\r`, as in Markdown: a body with old Mac line
/// endings is not one long line whose first command swallows the rest.
pub(super) struct Lines<'a> {
    rest: Option<&'a str>,
    number: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(body: &'a str) -> Self {
        Self {
            rest: Some(body),
            number: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest?;
        self.number += 1;
        let bytes = rest.as_bytes();
        match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                let ending = if bytes[end..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                self.rest = Some(&rest[end + ending..]);
                Some((self.number, &rest[..end]))
            }
            None => {
                self.rest = None;
                Some((self.number, rest))
            }
        }
    }
}

/// A block whose lines are never read for commands, open across lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// A fenced code block: its fence character and length.
    Fence { marker: u8, len: usize },
    /// An HTML comment (`<!-- … -->`): rendered as nothing, so a command in
    /// it would run unseen.
    HtmlComment,
}

/// An open block and the column its list item's content starts at (0 at the
/// top level): a non-blank line indented less than that ends the list item,
/// and the block with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Open {
    block: Block,
    container: usize,
}

/// Reads a comment's lines in order, remembering the open block.
#[derive(Debug, Default)]
pub(super) struct Scanner {
    open: Option<Open>,
}

impl Scanner {
    /// The line without its indentation when a command may start it, or
    /// `None` when the line is inside a block, opens or closes one, is
    /// quoted, or is indented four columns or more (an indented code block,
    /// or a paragraph's continuation, which renders inside the line above).
    pub(super) fn command_text<'a>(&mut self, line: &'a str) -> Option<&'a str> {
        let (indent, rest) = indentation(line, 0);
        if let Some(open) = self.open {
            let blank = rest.trim_end_matches([' ', '\t']).is_empty();
            if open.container > 0 && !blank && indent < open.container {
                // The list item ended, and the block inside it: this line is
                // read as any other.
                self.open = None;
            } else {
                if closes(open, indent, rest, line) {
                    self.open = None;
                }
                return None;
            }
        }
        if indent >= 4 || rest.starts_with('>') {
            return None;
        }
        if let Some(open) = opens(indent, rest) {
            // An HTML comment may end on the line that begins it.
            if !(open.block == Block::HtmlComment && line.contains("-->")) {
                self.open = Some(open);
            }
            return None;
        }
        Some(rest)
    }
}

/// The block `rest` (a line after `indent` columns, fewer than four) opens,
/// directly or after list markers (`- `, `* `, `+ `, `1. `, `1) `).
fn opens(indent: usize, rest: &str) -> Option<Open> {
    let mut column = indent;
    let mut rest = rest;
    let mut container = 0;
    while let Some((width, after)) = list_marker(rest) {
        let (spaced, content) = indentation(after, column + width);
        let gap = spaced - (column + width);
        if gap == 0 || gap > 4 {
            // No space: not a marker. More than four: the item's content is
            // an indented code block, which opens nothing we track (its
            // lines are indented four or more and skipped anyway).
            return None;
        }
        column = spaced;
        container = spaced;
        rest = content;
    }
    let block = if rest.starts_with("<!--") {
        Block::HtmlComment
    } else {
        fence_opener(rest)?
    };
    Some(Open { block, container })
}

/// A fence opening a code block: three or more backticks or tildes; after
/// backticks, the info string may hold none (```` ```rust ```` opens,
/// ```` ```x``` ```` is inline code).
fn fence_opener(rest: &str) -> Option<Block> {
    let marker = *rest.as_bytes().first()?;
    if marker != b'`' && marker != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == marker).count();
    if len < 3 || (marker == b'`' && rest[len..].contains('`')) {
        return None;
    }
    Some(Block::Fence { marker, len })
}

/// Whether a line inside `open` ends it. A fence closes with a run of its
/// character at least as long, at most three columns into its container,
/// and nothing but spaces after; an HTML comment with the line holding
/// `-->`.
fn closes(open: Open, indent: usize, rest: &str, line: &str) -> bool {
    match open.block {
        Block::HtmlComment => line.contains("-->"),
        Block::Fence { marker, len } => {
            let run = rest.bytes().take_while(|&b| b == marker).count();
            // Saturating: a blank line may be indented less than the item.
            indent.saturating_sub(open.container) <= 3
                && run >= len
                && rest[run..].trim_end_matches([' ', '\t']).is_empty()
        }
    }
}

/// The width of a list marker at the start of `text` and what follows it: a
/// bullet, or one to nine digits and `.` or `)`.
fn list_marker(text: &str) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let width = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            match bytes.get(digits) {
                Some(b'.' | b')') if digits <= 9 => digits + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((width, &text[width..]))
}

/// The column reached after the spaces and tabs at the start of `text`,
/// starting at `column` (tabs stop every four columns, as in Markdown), and
/// the text after them.
fn indentation(text: &str, column: usize) -> (usize, &str) {
    let mut column = column;
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b' ' => column += 1,
            b'\t' => column += 4 - column % 4,
            _ => return (column, &text[at..]),
        }
    }
    (column, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of `body` a command may stand on, as their texts.
    fn readable(body: &str) -> Vec<&str> {
        let mut scanner = Scanner::default();
        Lines::new(body)
            .filter_map(|(_, line)| scanner.command_text(line))
            .collect()
    }

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        let lines: Vec<_> = Lines::new("a\nb\r\nc\rd").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        let lines: Vec<_> = Lines::new("a\n").collect();
        assert_eq!(lines, vec![(1, "a"), (2, "")]);
    }

    #[test]
    fn indentation_counts_tabs_to_the_next_stop() {
        assert_eq!(indentation("   x", 0), (3, "x"));
        assert_eq!(indentation("\tx", 0), (4, "x"));
        assert_eq!(indentation(" \tx", 0), (4, "x"));
        assert_eq!(indentation("  ", 0), (2, ""));
        assert_eq!(indentation("\tx", 2), (4, "x"));
    }

    #[test]
    fn up_to_three_spaces_of_indent_are_stripped() {
        assert_eq!(readable("a\n b\n   c\n    d\n\te"), vec!["a", "b", "c"]);
    }

    #[test]
    fn quoted_lines_are_not_read() {
        assert_eq!(readable("> a\n>b\n   > c\nd"), vec!["d"]);
    }

    #[test]
    fn fences_of_backticks_and_tildes_hide_their_lines() {
        assert_eq!(readable("a\n```\nb\n```\nc"), vec!["a", "c"]);
        assert_eq!(readable("a\n~~~ text\nb\n~~~\nc"), vec!["a", "c"]);
    }

    #[test]
    fn a_fence_closes_only_with_its_own_character_and_length() {
        assert_eq!(readable("````\n```\n~~~~\nb\n````\nc"), vec!["c"]);
        assert_eq!(readable("```\n``` trailing\nb\n```  \nc"), vec!["c"]);
    }

    #[test]
    fn a_fence_indented_four_is_no_fence() {
        assert_eq!(readable("    ```\nb"), vec!["b"]);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        assert!(readable("```\na\nb").is_empty());
    }

    #[test]
    fn backticks_in_the_info_string_make_inline_code_not_a_fence() {
        assert_eq!(readable("```x```\nb"), vec!["```x```", "b"]);
    }

    #[test]
    fn a_quoted_fence_does_not_swallow_later_lines() {
        assert_eq!(readable("> ```\n> a\nb"), vec!["b"]);
    }

    #[test]
    fn a_fence_in_a_list_item_ends_with_the_item() {
        assert_eq!(readable("- ```\n  a\n  ```\nb"), vec!["b"]);
        assert_eq!(readable("1. ```\n   a\n\n   b\nc"), vec!["c"]);
        assert_eq!(readable("- * ~~~\n    a\nb"), vec!["b"]);
    }

    #[test]
    fn html_comments_hide_their_lines() {
        assert_eq!(readable("<!--\na\n-->\nb"), vec!["b"]);
        assert_eq!(readable("<!-- a -->\nb"), vec!["b"]);
        assert_eq!(readable("<!--\na\nb"), Vec::<&str>::new());
        assert_eq!(readable("- <!--\n  a\nb"), vec!["b"]);
    }

    #[test]
    fn list_markers_need_a_space() {
        assert_eq!(readable("-```\na"), vec!["-```", "a"]);
        assert_eq!(readable("1234567890. ```\na"), vec!["1234567890. ```", "a"]);
    }
}
