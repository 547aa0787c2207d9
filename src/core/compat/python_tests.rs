//! The shared Python helpers: literals, calls, imports, parse errors.

use super::*;
use proptest::prelude::*;

/// What every reader output must hold: a text that does not parse gives
/// exactly one `unknown` operation with the parse error, and nothing that
/// is code or not understood is ever `expand`.
pub(in crate::core::compat) fn check_output(
    text: &str,
    ops: &[Operation],
) -> Result<(), TestCaseError> {
    if parse(text).is_err() {
        prop_assert_eq!(ops.len(), 1, "{:?}", ops);
        prop_assert_eq!(ops[0].op, OpKind::NotUnderstood);
        prop_assert_eq!(ops[0].compat, Compat::Unknown);
        let note = ops[0].note.as_deref().unwrap_or("");
        prop_assert!(note.starts_with("parse error"), "{}", note);
    }
    for op in ops {
        if matches!(op.op, OpKind::NotUnderstood | OpKind::RunCode) {
            prop_assert!(op.compat != Compat::Expand, "{:?}", op);
        }
    }
    Ok(())
}

/// The literal value of the expression `x = <expr>` assigns.
fn value(expr: &str) -> Option<Literal> {
    let src = format!("x = {expr}\n");
    let tree = parse(&src).expect("parses");
    let statement = statements(tree.root_node())[0];
    let (_, right) = assignment(statement).expect("an assignment");
    literal(right.expect("a value"), &src)
}

fn s(text: &str) -> Option<Literal> {
    Some(Literal::Str(text.to_string()))
}

#[test]
fn strings_of_every_quoting_are_literals() {
    assert_eq!(value("'a'"), s("a"));
    assert_eq!(value("\"a\""), s("a"));
    assert_eq!(value("\"\""), s(""));
    assert_eq!(value("'''a\nb'''"), s("a\nb"));
    assert_eq!(value("\"\"\"\n  SELECT 1;\n\"\"\""), s("\n  SELECT 1;\n"));
    assert_eq!(value("'it\\'s'"), s("it's"));
    assert_eq!(value("'a\\nb\\tc\\\\'"), s("a\nb\tc\\"));
    assert_eq!(value("'\\x41\\u00e9\\101'"), s("AéA"));
    assert_eq!(value("r'a\\nb'"), s("a\\nb"));
    assert_eq!(value("u'a'"), s("a"));
    assert_eq!(value("'line \\\nwrap'"), s("line wrap"));
    assert_eq!(value("'\\d'"), s("\\d"));
}

#[test]
fn adjacent_strings_concatenate() {
    assert_eq!(
        value("('ALTER TABLE t '\n     \"ADD COLUMN c int\")"),
        s("ALTER TABLE t ADD COLUMN c int")
    );
    assert_eq!(value("'a' 'b' r'\\c'"), s("ab\\c"));
}

#[test]
fn f_strings_with_fields_and_bytes_are_not_literals() {
    assert_eq!(value("f'UPDATE {table} SET x = 1'"), None);
    assert_eq!(value("'a' f'{b}'"), None);
    assert_eq!(value("b'SELECT 1'"), None);
    // Without a replacement field an f-string is constant.
    assert_eq!(value("f'a {{b}}'"), s("a {b}"));
}

#[test]
fn constants_numbers_and_collections() {
    assert_eq!(value("True"), Some(Literal::Bool(true)));
    assert_eq!(value("False"), Some(Literal::Bool(false)));
    assert_eq!(value("None"), Some(Literal::None));
    assert_eq!(value("-1"), Some(Literal::Number("-1".into())));
    assert_eq!(value("2.5"), Some(Literal::Number("2.5".into())));
    assert_eq!(
        value("[('a', 'b'), ['c']]"),
        Some(Literal::List(vec![
            Literal::List(vec![Literal::Str("a".into()), Literal::Str("b".into())]),
            Literal::List(vec![Literal::Str("c".into())]),
        ]))
    );
    assert_eq!(
        value("set([('a', 'b')])").map(|l| l.is_empty()),
        Some(false)
    );
    assert_eq!(value("set()").map(|l| l.is_empty()), Some(true));
    assert_eq!(value("{'a': 1}").map(|l| l.is_empty()), Some(false));
    assert_eq!(value("()"), Some(Literal::List(vec![])));
}

#[test]
fn code_is_not_a_literal() {
    for expr in [
        "name",
        "f(1)",
        "a.b",
        "[1, x]",
        "'a' + 'b'",
        "{**d}",
        "set(x)",
        "1 if a else 2",
    ] {
        assert_eq!(value(expr), None, "{expr}");
    }
}

#[test]
fn deep_nesting_stops_being_a_literal_instead_of_overflowing() {
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(value(&deep), None);
}

#[test]
fn parse_errors_name_the_first_bad_line() {
    let failed = parse("x = 1\ny = (\nz = 2\n").expect_err("a parse error");
    assert_eq!(failed.op, OpKind::NotUnderstood);
    assert_eq!(failed.compat, Compat::Unknown);
    let note = failed.note.expect("a note");
    assert!(note.starts_with("parse error at line "), "{note}");
    let failed = parse("def f(:\n    pass\n").expect_err("a parse error");
    assert_eq!(failed.note.as_deref(), Some("parse error at line 1"));
}

#[test]
fn calls_split_positional_keyword_and_splat_arguments() {
    let src = "migrations.AddField(\n    'testjob',  # model\n    name='x',\n    *rest, **kw)\n";
    let tree = parse(src).expect("parses");
    let e = expression(statements(tree.root_node())[0]).expect("an expression");
    let c = call(e, src).expect("a call");
    assert_eq!(c.name.as_deref(), Some("migrations.AddField"));
    assert_eq!(c.short_name(), "AddField");
    assert_eq!(c.positional.len(), 1, "the comment is not an argument");
    assert_eq!(text(c.arg(1, "name").expect("name"), src), "'x'");
    assert!(c.splat);
}

#[test]
fn imports_resolve_local_names() {
    let src = "from django.db import migrations, models as m\n\
               from django.contrib.postgres.operations import AddIndexConcurrently as AIC\n\
               import sqlalchemy as sa\nimport alembic.op\nfrom . import helpers\n";
    let tree = parse(src).expect("parses");
    let imports = Imports::of(tree.root_node(), src);
    assert_eq!(
        imports.resolve("migrations.AddField"),
        "django.db.migrations.AddField"
    );
    assert_eq!(imports.resolve("m.CharField"), "django.db.models.CharField");
    assert_eq!(
        imports.resolve("AIC"),
        "django.contrib.postgres.operations.AddIndexConcurrently"
    );
    assert_eq!(imports.resolve("sa.Column"), "sqlalchemy.Column");
    assert_eq!(
        imports.resolve("alembic.op.add_column"),
        "alembic.op.add_column"
    );
    assert_eq!(imports.resolve("helpers.run"), ".helpers.run");
    assert_eq!(imports.resolve("unknown.x"), "unknown.x");
}
