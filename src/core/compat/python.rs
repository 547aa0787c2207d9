//! Python migration texts through tree-sitter: the parse, calls and their
//! arguments, and the literal values the Django and Alembic readers trust.
//!
//! Only literals are evaluated (strings, numbers, `True`/`False`/`None` and
//! collections of them): a migration whose meaning hangs on a variable or a
//! function call is not read further, so nothing here executes or guesses.

use super::{Compat, OpKind, Operation};
use std::collections::HashMap;
use tree_sitter::{Node, Parser, Tree};

/// How deep a literal may nest before it counts as "not a literal": keeps a
/// pathological `[[[[…]]]]` from exhausting the stack.
const MAX_DEPTH: usize = 64;

/// Parses a Python text. A text tree-sitter cannot parse cleanly gives the
/// one `unknown` operation that stands for the whole migration.
pub(crate) fn parse(text: &str) -> Result<Tree, Operation> {
    let mut parser = Parser::new();
    let failed = |note: String| Operation::new(OpKind::NotUnderstood, Compat::Unknown).note(note);
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|e| failed(format!("python grammar not loaded: {e}")))?;
    let tree = parser
        .parse(text, None)
        .ok_or_else(|| failed("parse error: the parser gave up".to_string()))?;
    let root = tree.root_node();
    if root.has_error() {
        return Err(failed(format!(
            "parse error at line {}",
            first_error_line(root)
        )));
    }
    Ok(tree)
}

/// The 1-based line of the first ERROR or MISSING node, searched only
/// through subtrees that contain one (iteratively: no recursion on depth).
fn first_error_line(root: Node) -> usize {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return node.start_position().row + 1;
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        // Next sibling, climbing until one exists.
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return root.start_position().row + 1;
            }
        }
    }
}

/// A node's source text ("" if the range is not a char boundary, which a
/// clean tree never gives).
pub(crate) fn text<'s>(node: Node, src: &'s str) -> &'s str {
    src.get(node.byte_range()).unwrap_or("")
}

/// Named children without comments (a comment is a named "extra" child
/// anywhere: between list elements, arguments, statements).
pub(crate) fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect()
}

/// Unwraps `( … )` around an expression.
pub(crate) fn unparen(mut node: Node) -> Node {
    let mut depth = 0;
    while node.kind() == "parenthesized_expression" && depth < MAX_DEPTH {
        match children(node).first() {
            Some(inner) => node = *inner,
            None => break,
        }
        depth += 1;
    }
    node
}

/// `a.b.c` as written, for an identifier or a chain of attributes on one;
/// `None` for anything else (a call, a subscript…).
pub(crate) fn dotted(node: Node, src: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut node = unparen(node);
    loop {
        match node.kind() {
            "identifier" => {
                parts.push(text(node, src));
                break;
            }
            "attribute" => {
                parts.push(text(node.child_by_field_name("attribute")?, src));
                node = unparen(node.child_by_field_name("object")?);
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// A call's callee and arguments.
pub(crate) struct Call<'t> {
    /// The callee as written (`migrations.AddField`, `op.add_column`), or
    /// `None` when it is not a dotted name (`f()()`, `x[0]()`).
    pub name: Option<String>,
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(String, Node<'t>)>,
    /// `*args` or `**kwargs` among the arguments: what they hold is unknown.
    pub splat: bool,
}

impl<'t> Call<'t> {
    /// The callee's last name (`AddField` for `migrations.AddField`).
    pub fn short_name(&self) -> &str {
        self.name
            .as_deref()
            .and_then(|n| n.rsplit('.').next())
            .unwrap_or("")
    }

    /// An argument passed by keyword.
    pub fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// A parameter that may come by position or by keyword.
    pub fn arg(&self, index: usize, name: &str) -> Option<Node<'t>> {
        self.positional
            .get(index)
            .copied()
            .or_else(|| self.keyword(name))
    }
}

/// The parts of a `call` node; `None` for any other node.
pub(crate) fn call<'t>(node: Node<'t>, src: &str) -> Option<Call<'t>> {
    let node = unparen(node);
    if node.kind() != "call" {
        return None;
    }
    let name = node
        .child_by_field_name("function")
        .and_then(|f| dotted(f, src));
    let mut call = Call {
        name,
        positional: Vec::new(),
        keywords: Vec::new(),
        splat: false,
    };
    let arguments = node.child_by_field_name("arguments")?;
    if arguments.kind() != "argument_list" {
        // A generator argument: `f(x for x in y)`.
        call.splat = true;
        return Some(call);
    }
    for arg in children(arguments) {
        match arg.kind() {
            "keyword_argument" => {
                if let (Some(k), Some(v)) = (
                    arg.child_by_field_name("name"),
                    arg.child_by_field_name("value"),
                ) {
                    call.keywords.push((text(k, src).to_string(), v));
                }
            }
            "list_splat" | "dictionary_splat" => call.splat = true,
            _ => call.positional.push(arg),
        }
    }
    Some(call)
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Bool(bool),
    None,
    /// As written (`1`, `-2.5`, `0x1F`): only compared, never computed.
    Number(String),
    /// A list, tuple or set (and `set([…])`, `tuple(…)`, as Django writes
    /// `index_together=set([…])`).
    List(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

impl Literal {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An empty collection, `None` or `""`: what Django writes to drop all
    /// of `unique_together`.
    pub fn is_empty(&self) -> bool {
        match self {
            Literal::None => true,
            Literal::Str(s) => s.is_empty(),
            Literal::List(items) => items.is_empty(),
            Literal::Dict(items) => items.is_empty(),
            Literal::Bool(_) | Literal::Number(_) => false,
        }
    }

    /// The strings of a literal list (`["a", "b"]`), or the one string.
    pub fn strings(&self) -> Option<Vec<String>> {
        match self {
            Literal::Str(s) => Some(vec![s.clone()]),
            Literal::List(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => None,
        }
    }
}

/// The literal value of an expression; `None` when it is not a literal.
pub(crate) fn literal(node: Node, src: &str) -> Option<Literal> {
    literal_at(node, src, 0)
}

fn literal_at(node: Node, src: &str, depth: usize) -> Option<Literal> {
    if depth > MAX_DEPTH {
        return None;
    }
    let node = unparen(node);
    let items = |node: Node| -> Option<Vec<Literal>> {
        children(node)
            .into_iter()
            .map(|c| literal_at(c, src, depth + 1))
            .collect()
    };
    match node.kind() {
        "string" | "concatenated_string" => string(node, src).map(Literal::Str),
        "true" => Some(Literal::Bool(true)),
        "false" => Some(Literal::Bool(false)),
        "none" => Some(Literal::None),
        "integer" | "float" => Some(Literal::Number(text(node, src).to_string())),
        "unary_operator" => {
            let arg = node.child_by_field_name("argument")?;
            match literal_at(arg, src, depth + 1)? {
                Literal::Number(n) => Some(Literal::Number(format!(
                    "{}{n}",
                    node.child_by_field_name("operator")
                        .map(|o| text(o, src))
                        .unwrap_or("")
                ))),
                _ => None,
            }
        }
        "list" | "tuple" | "set" => items(node).map(Literal::List),
        "dictionary" => children(node)
            .into_iter()
            .map(|pair| {
                if pair.kind() != "pair" {
                    return None;
                }
                Some((
                    literal_at(pair.child_by_field_name("key")?, src, depth + 1)?,
                    literal_at(pair.child_by_field_name("value")?, src, depth + 1)?,
                ))
            })
            .collect::<Option<Vec<_>>>()
            .map(Literal::Dict),
        "call" => {
            // `set()`, `set([…])`, `tuple([…])`: collections Django's
            // autodetector writes; any other call is code.
            let c = call(node, src)?;
            let builtin = matches!(
                c.name.as_deref(),
                Some("set" | "frozenset" | "tuple" | "list")
            );
            if !builtin || c.splat || !c.keywords.is_empty() {
                return None;
            }
            match c.positional.as_slice() {
                [] => Some(Literal::List(Vec::new())),
                [one] => match literal_at(*one, src, depth + 1)? {
                    list @ Literal::List(_) => Some(list),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The value of a string literal or of adjacent ones; `None` for bytes and
/// for an f-string with a replacement field.
pub(crate) fn string(node: Node, src: &str) -> Option<String> {
    match node.kind() {
        "concatenated_string" => children(node)
            .into_iter()
            .map(|part| string(part, src))
            .collect(),
        "string" => {
            let parts = children(node);
            if parts.iter().any(|p| p.kind() == "interpolation") {
                return None;
            }
            let start = parts.iter().find(|p| p.kind() == "string_start")?;
            let end = parts.iter().rev().find(|p| p.kind() == "string_end")?;
            let opening = text(*start, src);
            let prefix = opening.trim_end_matches(['"', '\'']).to_ascii_lowercase();
            if prefix.contains('b') {
                return None;
            }
            let body = src.get(start.end_byte()..end.start_byte())?;
            let mut value = if prefix.contains('r') {
                body.to_string()
            } else {
                unescape(body)
            };
            if prefix.contains('f') {
                value = value.replace("{{", "{").replace("}}", "}");
            }
            Some(value)
        }
        _ => None,
    }
}

/// Python's escapes in a non-raw string. An escape Python does not know
/// stays as written, as Python keeps it.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(next) = chars.next() else {
            out.push('\\');
            break;
        };
        match next {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut code = next.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let width = match next {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = (0..width)
                    .map_while(|_| chars.next_if(|d| d.is_ascii_hexdigit()))
                    .collect();
                match u32::from_str_radix(&digits, 16)
                    .ok()
                    .filter(|_| digits.len() == width)
                    .and_then(char::from_u32)
                {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('\\');
                        out.push(next);
                        out.push_str(&digits);
                    }
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// The statements of a block or module, without comments.
pub(crate) fn statements<'t>(block: Node<'t>) -> Vec<Node<'t>> {
    children(block)
}

/// The one expression of an expression statement (`None` for an
/// assignment's statement or several expressions).
pub(crate) fn expression<'t>(statement: Node<'t>) -> Option<Node<'t>> {
    if statement.kind() != "expression_statement" {
        return None;
    }
    match children(statement).as_slice() {
        [one] if one.kind() != "assignment" && one.kind() != "augmented_assignment" => Some(*one),
        _ => None,
    }
}

/// An assignment statement's `(target, value)`: `x = …` or `x: T = …`.
pub(crate) fn assignment<'t>(statement: Node<'t>) -> Option<(Node<'t>, Option<Node<'t>>)> {
    if statement.kind() != "expression_statement" {
        return None;
    }
    match children(statement).as_slice() {
        [one] if one.kind() == "assignment" => Some((
            one.child_by_field_name("left")?,
            one.child_by_field_name("right"),
        )),
        _ => None,
    }
}

/// What the module's imports bind: a local name to the dotted path it
/// stands for (`from django.db import migrations` binds `migrations` to
/// `django.db.migrations`). Module-level imports only: a migration imports
/// there.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// Local name to path; a later import of the same name replaces an
    /// earlier one, as in Python.
    names: HashMap<String, String>,
}

impl Imports {
    pub fn of(module: Node, src: &str) -> Imports {
        let mut names = HashMap::new();
        let dotted_text = |n: Node| text(n, src).split_whitespace().collect::<String>();
        for statement in statements(module) {
            let mut cursor = statement.walk();
            match statement.kind() {
                "import_statement" => {
                    // `import a.b` binds `a` to itself: only aliases map.
                    for name in statement.children_by_field_name("name", &mut cursor) {
                        if let (Some(path), Some(alias)) = (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ) {
                            names.insert(text(alias, src).to_string(), dotted_text(path));
                        }
                    }
                }
                "import_from_statement" => {
                    let Some(module_name) = statement.child_by_field_name("module_name") else {
                        continue;
                    };
                    let from = dotted_text(module_name);
                    for name in statement.children_by_field_name("name", &mut cursor) {
                        let (path, local) = match name.kind() {
                            "aliased_import" => match (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) {
                                (Some(path), Some(alias)) => {
                                    (dotted_text(path), text(alias, src).to_string())
                                }
                                _ => continue,
                            },
                            _ => {
                                let path = dotted_text(name);
                                let local = path.rsplit('.').next().unwrap_or("").to_string();
                                (path, local)
                            }
                        };
                        // `from . import x` binds `x` to `.x`.
                        let separator = if from.ends_with('.') { "" } else { "." };
                        names.insert(local, format!("{from}{separator}{path}"));
                    }
                }
                _ => {}
            }
        }
        Imports { names }
    }

    /// A dotted name with its first part replaced by what the imports bind
    /// it to; unchanged when that part was not imported by name.
    pub fn resolve(&self, name: &str) -> String {
        let (head, rest) = match name.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (name, None),
        };
        match self.names.get(head) {
            Some(path) => match rest {
                Some(rest) => format!("{path}.{rest}"),
                None => path.clone(),
            },
            None => name.to_string(),
        }
    }
}

/// The first line of a node's text, shortened: names a statement in a note.
pub(crate) fn snippet(node: Node, src: &str) -> String {
    let all = text(node, src).trim();
    let first = all.lines().next().unwrap_or("").trim_end();
    let mut short: String = first.chars().take(60).collect();
    if short.len() < all.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
#[path = "python_tests.rs"]
pub(super) mod tests;

#[cfg(test)]
#[path = "python_corpus_tests.rs"]
mod corpus;
