//! Reading the tokens of one statement when sqlparser cannot: its leading
//! keywords, the object it names, and its source text, so a statement the
//! first dialect rejects can be handed to the others or classified by its
//! keywords alone.

use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

pub(super) fn is_word(token: &TokenWithSpan, keyword: &str) -> bool {
    matches!(&token.token, Token::Word(w) if w.value.eq_ignore_ascii_case(keyword))
}

/// The (possibly qualified) object name after a statement's first `skip`
/// words and any `IF [NOT] EXISTS`.
pub(super) fn object_name_after(chunk: &[TokenWithSpan], skip: usize) -> Option<String> {
    let mut skipped = 0;
    let mut name = String::new();
    for token in chunk {
        match &token.token {
            Token::Whitespace(_) if name.is_empty() => {}
            Token::Word(_) if skipped < skip => skipped += 1,
            Token::Word(w)
                if name.is_empty()
                    && ["IF", "NOT", "EXISTS"]
                        .iter()
                        .any(|k| w.value.eq_ignore_ascii_case(k)) => {}
            Token::Word(w) => name.push_str(&w.value),
            Token::Period if !name.is_empty() => name.push('.'),
            _ => break,
        }
    }
    (!name.is_empty()).then_some(name)
}

/// The first `n` words of a token run, upper-cased, whitespace and
/// comments skipped; stops at the first token that is not a word.
pub(super) fn leading_words(chunk: &[TokenWithSpan], n: usize) -> Vec<String> {
    chunk
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map_while(|t| match &t.token {
            Token::Word(w) => Some(w.value.to_ascii_uppercase()),
            _ => None,
        })
        .take(n)
        .collect()
}

/// The source text of a run of tokens.
pub(super) fn chunk_text<'a>(cursor: &mut Cursor<'a>, chunk: &[TokenWithSpan]) -> &'a str {
    let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
        return "";
    };
    let start = cursor.seek(first.span.start);
    let end = cursor.seek(last.span.end);
    cursor.text.get(start..end).unwrap_or("")
}

/// Turns the tokenizer's line and column (counted in characters) into byte
/// offsets, walking forward only, so slicing every statement of a text
/// costs one pass over it.
pub(super) struct Cursor<'a> {
    text: &'a str,
    byte: usize,
    line: u64,
    column: u64,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            text,
            byte: 0,
            line: 1,
            column: 1,
        }
    }

    fn seek(&mut self, to: Location) -> usize {
        if (to.line, to.column) < (self.line, self.column) {
            *self = Cursor::new(self.text);
        }
        while (self.line, self.column) < (to.line, to.column) {
            let Some(c) = self.text.get(self.byte..).and_then(|s| s.chars().next()) else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}
