//! Statement-by-statement recovery, for a text no dialect parses whole:
//! the text is split at its top-level semicolons (the tokenizer keeps
//! dollar-quoted bodies and strings whole) and each statement is parsed on
//! its own, so one statement sqlparser does not know (a `DO` block,
//! `ALTER SEQUENCE`) leaves the others classified. A statement no dialect
//! parses, and whose leading keywords say nothing, is a `NotUnderstood`
//! operation carrying the parse error.

use super::dialects;
use super::statements::{classify_all, create_routine};
use super::tokens::{Cursor, chunk_text, is_word, leading_words, object_name_after};
use crate::core::compat::{Compat, OpKind, Operation};
use sqlparser::ast::Statement;
use sqlparser::dialect::Dialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// Classifies a text no dialect parses whole, statement by statement.
pub(super) fn recover(text: &str, postgres_error: Option<ParserError>) -> Vec<Operation> {
    let tokenized = dialects().into_iter().enumerate().find_map(|(i, dialect)| {
        Tokenizer::new(dialect, text)
            .tokenize_with_location()
            .ok()
            .map(|tokens| (i, dialect, tokens))
    });
    let Some((tokenizing, dialect, tokens)) = tokenized else {
        // Not even the statement boundaries are known: one unknown for all.
        return vec![parse_error(postgres_error.as_ref())];
    };
    let mut cursor = Cursor::new(text);
    let mut out = Vec::new();
    for chunk in tokens.split(|t| t.token == Token::SemiColon) {
        let words = leading_words(chunk, 4);
        let Some(first) = words.first() else {
            continue; // whitespace and comments only
        };
        if first == "DO" {
            out.push(
                Operation::new(OpKind::RunCode, Compat::Unknown)
                    .note("dynamic SQL: a DO block runs procedural code"),
            );
            continue;
        }
        let error = match parse_chunk(dialect, chunk.to_vec()) {
            Ok(statements) => {
                classify_all(&statements, &mut out);
                continue;
            }
            Err(error) => error,
        };
        // The other dialects may parse this one statement; they read its
        // text, since their tokenizers differ.
        let statement = chunk_text(&mut cursor, chunk);
        let other = dialects()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != tokenizing)
            .find_map(|(_, d)| Parser::parse_sql(d, statement).ok());
        if let Some(statements) = other {
            classify_all(&statements, &mut out);
        } else if let Some(ops) = unparsed(dialect, &words, chunk) {
            out.extend(ops);
        } else {
            out.push(parse_error(Some(&error)));
        }
    }
    out
}

fn parse_chunk(
    dialect: &dyn Dialect,
    tokens: Vec<TokenWithSpan>,
) -> Result<Vec<Statement>, ParserError> {
    Parser::new(dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
}

/// Statements sqlparser does not parse but whose class their leading
/// keywords tell, whatever follows.
fn unparsed(
    dialect: &dyn Dialect,
    words: &[String],
    chunk: &[TokenWithSpan],
) -> Option<Vec<Operation>> {
    let word = |i: usize| words.get(i).map(String::as_str);
    match (word(0)?, word(1), word(2)) {
        // `DROP INDEX CONCURRENTLY` drops an index like `DROP INDEX`.
        ("DROP", Some("INDEX"), Some("CONCURRENTLY")) => {
            let mut without = chunk.to_vec();
            let at = without.iter().position(|t| is_word(t, "CONCURRENTLY"))?;
            without.remove(at);
            let statements = parse_chunk(dialect, without).ok()?;
            let mut out = Vec::new();
            classify_all(&statements, &mut out);
            Some(out)
        }
        ("ALTER", Some("SEQUENCE"), _) => {
            let sequence = object_name_after(chunk, 2)?;
            Some(vec![if chunk.iter().any(|t| is_word(t, "RENAME")) {
                Operation::new(OpKind::AlterSequence, Compat::Contract)
                    .table(sequence)
                    .note("renames the sequence: old code that names it fails")
            } else {
                Operation::new(OpKind::AlterSequence, Compat::Expand).table(sequence)
            }])
        }
        // SQLite's `PRAGMA foreign_keys = OFF` (sqlparser wants a literal).
        ("PRAGMA", _, _) => Some(vec![Operation::new(OpKind::Session, Compat::Expand)]),
        // PostgreSQL's `CREATE PROCEDURE`, a routine whatever its body.
        ("CREATE", Some("OR"), Some("REPLACE")) => match word(3)? {
            "FUNCTION" | "PROCEDURE" | "TRIGGER" => {
                let routine = object_name_after(chunk, 4)?;
                Some(vec![create_routine(routine, true)])
            }
            _ => None,
        },
        ("CREATE", Some("FUNCTION" | "PROCEDURE" | "TRIGGER"), _) => {
            let routine = object_name_after(chunk, 2)?;
            Some(vec![create_routine(routine, false)])
        }
        _ => None,
    }
}

pub(super) fn parse_error(error: Option<&ParserError>) -> Operation {
    let message = match error {
        Some(ParserError::ParserError(s) | ParserError::TokenizerError(s)) => s.as_str(),
        Some(ParserError::RecursionLimitExceeded) => "nested too deeply",
        None => "no statement found",
    };
    Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(format!("parse error: {message}"))
}
