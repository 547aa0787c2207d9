//! Literal evaluation: a call's arguments as values (symbols, strings and
//! heredocs with their escapes decoded, numbers, arrays, hashes), or the
//! reason one is not a literal.

use super::{MAX_DEPTH, Walker};
use tree_sitter::Node;

/// A literal argument's value, or why it is not one.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Sym(String),
    Str(String),
    Bool(bool),
    Nil,
    Num(String),
    Array(Vec<Value>),
    Hash(Vec<(String, Value)>),
    /// `-> { "now()" }`: Rails passes the block's SQL to the database as
    /// the default expression.
    Lambda,
    /// A string with interpolation.
    Dynamic,
    /// Not a literal: a method call, a variable bound to no literal.
    Other,
}

impl Value {
    pub(super) fn name(&self) -> Option<String> {
        match self {
            Value::Sym(s) | Value::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub(super) fn is_literal(&self) -> bool {
        match self {
            Value::Dynamic | Value::Other => false,
            Value::Array(items) => items.iter().all(Value::is_literal),
            Value::Hash(pairs) => pairs.iter().all(|(_, v)| v.is_literal()),
            _ => true,
        }
    }

    /// Column names as written: one name, or an array's joined.
    pub(super) fn names(&self) -> Option<String> {
        match self {
            Value::Array(items) => {
                let names: Option<Vec<String>> = items.iter().map(Value::name).collect();
                names.filter(|n| !n.is_empty()).map(|n| n.join(", "))
            }
            other => other.name(),
        }
    }
}

pub(super) fn lookup<'v>(opts: &'v [(String, Value)], key: &str) -> Option<&'v Value> {
    opts.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A call's arguments: positional values, keyword options, and whether a
/// splat or a computed key hides some of them.
#[derive(Debug, Default, Clone)]
pub(super) struct Args {
    pub(super) pos: Vec<Value>,
    pub(super) opts: Vec<(String, Value)>,
    pub(super) opaque: bool,
}

impl Args {
    pub(super) fn opt(&self, key: &str) -> Option<&Value> {
        lookup(&self.opts, key)
    }

    pub(super) fn name(&self, index: usize) -> Option<String> {
        self.pos.get(index).and_then(Value::name)
    }

    /// The same call with the table first: `t.remove :a` inside
    /// `change_table :users` is `remove_columns :users, :a`.
    pub(super) fn with_table(&self, table: &Option<String>) -> Args {
        let mut args = self.clone();
        let first = table.clone().map_or(Value::Other, Value::Sym);
        args.pos.insert(0, first);
        args
    }

    /// The arguments for the `index`-th name of a call naming several
    /// (`t.string :a, :b`), the table kept first.
    pub(super) fn single(&self, index: usize) -> Args {
        Args {
            pos: [self.pos.first(), self.pos.get(index)]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            opts: self.opts.clone(),
            opaque: self.opaque,
        }
    }
}

impl<'t> Walker<'t> {
    /// The arguments of a call: literals evaluated, options collected.
    pub(super) fn args(&self, list: Option<Node<'t>>) -> Args {
        let mut args = Args::default();
        let Some(list) = list else { return args };
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            match child.kind() {
                "comment" | "block_argument" => {}
                "pair" => match self.pair(child, 0) {
                    Some(pair) => args.opts.push(pair),
                    None => args.opaque = true,
                },
                "splat_argument" | "hash_splat_argument" | "forward_argument" => args.opaque = true,
                _ => args.pos.push(self.value(child, 0)),
            }
        }
        // `add_column :t, :c, :integer, { null: false }`: a final hash is
        // the options.
        if args.opts.is_empty()
            && let Some(Value::Hash(opts)) = args.pos.last()
        {
            args.opts = opts.clone();
            args.pos.pop();
        }
        args
    }

    fn pair(&self, pair: Node<'t>, depth: usize) -> Option<(String, Value)> {
        let key = pair.child_by_field_name("key")?;
        let key = match key.kind() {
            "hash_key_symbol" => self.text(key).to_string(),
            _ => self.value(key, depth + 1).name()?,
        };
        let value = pair
            .child_by_field_name("value")
            .map_or(Value::Other, |v| self.value(v, depth + 1));
        Some((key, value))
    }

    pub(super) fn value(&self, node: Node<'t>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Other;
        }
        let text = self.text(node);
        match node.kind() {
            "simple_symbol" => Value::Sym(text.trim_start_matches(':').to_string()),
            "hash_key_symbol" => Value::Sym(text.to_string()),
            "delimited_symbol" | "bare_symbol" => match self.string(node) {
                Value::Str(s) => Value::Sym(s),
                other => other,
            },
            "string" | "bare_string" => self.string(node),
            "chained_string" => {
                let mut joined = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match self.string(part) {
                        Value::Str(s) => joined.push_str(&s),
                        other => return other,
                    }
                }
                Value::Str(joined)
            }
            "heredoc_beginning" => self.heredoc(node),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "nil" => Value::Nil,
            "integer" | "float" | "rational" | "complex" => Value::Num(text.to_string()),
            "unary" => {
                let numeric = node.child_by_field_name("operand").is_some_and(|o| {
                    matches!(o.kind(), "integer" | "float" | "rational" | "complex")
                });
                let sign = node.child_by_field_name("operator").map(|o| self.text(o));
                if numeric && matches!(sign, Some("-" | "+")) {
                    Value::Num(text.to_string())
                } else {
                    Value::Other
                }
            }
            "array" | "string_array" | "symbol_array" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .map(|c| match c.kind() {
                        "splat_argument" | "pair" => Value::Other,
                        _ => self.value(c, depth + 1),
                    })
                    .collect();
                Value::Array(items)
            }
            "hash" => {
                let mut pairs = Vec::new();
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    match child.kind() {
                        "comment" => {}
                        "pair" => match self.pair(child, depth) {
                            Some(pair) => pairs.push(pair),
                            None => return Value::Other,
                        },
                        _ => return Value::Other,
                    }
                }
                Value::Hash(pairs)
            }
            "lambda" => Value::Lambda,
            "constant" | "identifier" => self.env.get(text).cloned().unwrap_or(Value::Other),
            "parenthesized_statements" if node.named_child_count() == 1 => node
                .named_child(0)
                .map_or(Value::Other, |c| self.value(c, depth + 1)),
            // `<<~SQL.squish`, `'name'.freeze`: the literal itself.
            "call" => {
                let method = node.child_by_field_name("method").map(|m| self.text(m));
                let plain = node.child_by_field_name("arguments").is_none()
                    && node.child_by_field_name("block").is_none();
                let receiver = node.child_by_field_name("receiver");
                match (receiver, method) {
                    (Some(r), Some(m)) if plain && PASSTHROUGH.contains(&m) => {
                        match (self.value(r, depth + 1), m) {
                            (Value::Sym(s), "to_s") => Value::Str(s),
                            (Value::Str(s), "to_sym") => Value::Sym(s),
                            (v, _) => v,
                        }
                    }
                    _ => Value::Other,
                }
            }
            _ => Value::Other,
        }
    }

    /// A string's content, its escapes decoded; `Dynamic` when it
    /// interpolates.
    fn string(&self, node: Node) -> Value {
        let opening = node
            .child(0)
            .filter(|c| !c.is_named())
            .map(|c| self.text(c));
        let single = opening.is_some_and(|o| o.starts_with('\'') || o.starts_with("%q"));
        let mut content = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_content" if single => content.push_str(
                    &self
                        .text(part)
                        .replace("\\\\", "\u{0}")
                        .replace("\\'", "'")
                        .replace('\u{0}', "\\"),
                ),
                "string_content" => content.push_str(self.text(part)),
                "escape_sequence" => content.push_str(&unescape(self.text(part))),
                "interpolation" => return Value::Dynamic,
                _ => return Value::Other,
            }
        }
        Value::Str(content)
    }

    /// A heredoc's text: raw for `<<~'SQL'`, escapes decoded otherwise,
    /// `Dynamic` when it interpolates.
    fn heredoc(&self, opening: Node) -> Value {
        let open = self.text(opening);
        if open.contains('`') {
            return Value::Other;
        }
        let raw = open.contains('\'');
        let Some(body) = self.heredocs.get(&opening.start_byte()) else {
            return Value::Other;
        };
        let mut content = String::new();
        let mut at = body.start_byte();
        let mut cursor = body.walk();
        for part in body.children(&mut cursor) {
            content.push_str(self.src.get(at..part.start_byte()).unwrap_or(""));
            at = part.end_byte();
            match part.kind() {
                "heredoc_end" => break,
                "interpolation" if !raw => return Value::Dynamic,
                "escape_sequence" if !raw => content.push_str(&unescape(self.text(part))),
                _ => content.push_str(self.text(part)),
            }
        }
        Value::Str(content)
    }
}

/// Methods that leave a literal a literal.
const PASSTHROUGH: &[&str] = &[
    "chomp",
    "dup",
    "freeze",
    "squish",
    "squish!",
    "strip",
    "strip_heredoc",
    "to_s",
    "to_sym",
];

/// A double-quoted string's escape sequence as the character it stands for.
fn unescape(escape: &str) -> String {
    let body = escape.strip_prefix('\\').unwrap_or(escape);
    let mut chars = body.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '0' if rest.is_empty() => Some('\0'),
        's' => Some(' '),
        'e' => Some('\u{1b}'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(c) = simple {
        return c.to_string();
    }
    let hex = match first {
        'u' => Some(rest.trim_start_matches('{').trim_end_matches('}')),
        'x' => Some(rest.as_str()),
        _ => None,
    };
    if let Some(hex) = hex {
        // `\u{41 42}` names several characters.
        let decoded: Option<String> = hex
            .split_whitespace()
            .map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
            .collect();
        return decoded.unwrap_or_else(|| escape.to_string());
    }
    body.to_string()
}
