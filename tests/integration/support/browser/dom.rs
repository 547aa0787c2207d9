//! Reads back the DOM Chromium serialized (`--dump-dom`): a small tree of
//! elements and text, and CSS-like lookups (`article.release`,
//! `section#blocked li.reason`, `time[datetime]`) for assertions. Chromium
//! writes every non-void element's end tag and escapes text and attribute
//! values, so a strict reader suffices: anything it cannot match fails the
//! test with the place it stopped, rather than guessing.

use regex::Regex;
use std::sync::LazyLock;

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose text Chromium writes unescaped, up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style"];

static START_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*/?>"#)
        .expect("the start tag pattern")
});
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s/>"'=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?"#)
        .expect("the attribute pattern")
});
static END_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^</([a-zA-Z][a-zA-Z0-9-]*)\s*>").expect("the end tag pattern"));

#[derive(Debug)]
enum Node {
    Element {
        name: String,
        attributes: Vec<(String, String)>,
        children: Vec<usize>,
        parent: Option<usize>,
    },
    Text(String),
}

/// A parsed document: node 0 is a root holding the top-level nodes.
#[derive(Debug)]
pub struct Dom {
    nodes: Vec<Node>,
}

/// One element of a [`Dom`].
#[derive(Clone, Copy)]
pub struct Element<'d> {
    dom: &'d Dom,
    index: usize,
}

impl Dom {
    /// Parses serialized HTML; panics where it is not well-formed.
    pub fn parse(html: &str) -> Dom {
        let mut nodes = vec![Node::Element {
            name: "#root".into(),
            attributes: Vec::new(),
            children: Vec::new(),
            parent: None,
        }];
        let mut open = vec![0_usize];
        let mut at = 0;
        let add = |nodes: &mut Vec<Node>, parent: usize, node: Node| {
            let index = nodes.len();
            nodes.push(node);
            if let Node::Element { children, .. } = &mut nodes[parent] {
                children.push(index);
            }
            index
        };
        while at < html.len() {
            let rest = &html[at..];
            let parent = *open.last().expect("the root stays open");
            if !rest.starts_with('<') {
                let end = rest.find('<').unwrap_or(rest.len());
                add(&mut nodes, parent, Node::Text(decode(&rest[..end])));
                at += end;
            } else if let Some(comment) = rest.strip_prefix("<!--") {
                let end = comment.find("-->").unwrap_or_else(|| stuck(html, at));
                at += 4 + end + 3;
            } else if rest.starts_with("<!") {
                at += rest.find('>').unwrap_or_else(|| stuck(html, at)) + 1;
            } else if let Some(tag) = END_TAG.captures(rest) {
                let name = tag[1].to_ascii_lowercase();
                match &nodes[parent] {
                    Node::Element {
                        name: open_name, ..
                    } if *open_name == name => {
                        open.pop();
                    }
                    _ => stuck(html, at),
                }
                at += tag[0].len();
            } else if let Some(tag) = START_TAG.captures(rest) {
                let name = tag[1].to_ascii_lowercase();
                let attributes = ATTRIBUTE
                    .captures_iter(&tag[2])
                    .map(|a| {
                        let value = a.get(2).or(a.get(3)).or(a.get(4));
                        let value = value.map_or(String::new(), |v| decode(v.as_str()));
                        (a[1].to_ascii_lowercase(), value)
                    })
                    .collect();
                at += tag[0].len();
                let index = add(
                    &mut nodes,
                    parent,
                    Node::Element {
                        name: name.clone(),
                        attributes,
                        children: Vec::new(),
                        parent: Some(parent),
                    },
                );
                if RAW_TEXT.contains(&name.as_str()) {
                    let close = format!("</{name}>");
                    let end = html[at..].find(&close).unwrap_or_else(|| stuck(html, at));
                    add(
                        &mut nodes,
                        index,
                        Node::Text(html[at..at + end].to_string()),
                    );
                    at += end + close.len();
                } else if !VOID.contains(&name.as_str()) {
                    open.push(index);
                }
            } else {
                stuck(html, at);
            }
        }
        if open.len() != 1 {
            let unclosed: Vec<String> = open[1..]
                .iter()
                .map(|&index| describe(&nodes, index))
                .collect();
            panic!("the DOM ends with elements left open: {unclosed:?}");
        }
        Dom { nodes }
    }

    fn root(&self) -> Element<'_> {
        Element {
            dom: self,
            index: 0,
        }
    }

    /// Every element matching `selector`, in document order.
    pub fn select(&self, selector: &str) -> Vec<Element<'_>> {
        self.root().select(selector)
    }

    /// The one element matching `selector`; panics on none or several.
    pub fn one(&self, selector: &str) -> Element<'_> {
        self.root().one(selector)
    }
}

fn stuck(html: &str, at: usize) -> ! {
    let end = (at + 120).min(html.len());
    let end = (end..html.len())
        .find(|&i| html.is_char_boundary(i))
        .unwrap_or(html.len());
    panic!(
        "the DOM is not well-formed at byte {at}: {:?}",
        &html[at..end]
    );
}

/// Decodes the character references Chromium writes.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let Some(end) = rest.find(';').filter(|&end| end <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|n| n.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One step of a selector: `tag`, `.class`, `#id` and `[attribute]` together.
#[derive(Debug, Default)]
struct Compound {
    tag: Option<String>,
    id: Option<String>,
    classes: Vec<String>,
    attributes: Vec<String>,
}

static COMPOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([a-z0-9]+)?((?:[.#][A-Za-z0-9_-]+|\[[A-Za-z0-9_-]+\])*)$")
        .expect("the selector pattern")
});
static PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([.#])([A-Za-z0-9_-]+)|\[([A-Za-z0-9_-]+)\]").expect("the selector part pattern")
});

/// `section#blocked li.reason` → its steps, outermost first.
fn parse_selector(selector: &str) -> Vec<Compound> {
    selector
        .split_whitespace()
        .map(|step| {
            let parts = COMPOUND
                .captures(step)
                .unwrap_or_else(|| panic!("unsupported selector step {step:?} in {selector:?}"));
            let mut compound = Compound {
                tag: parts.get(1).map(|t| t.as_str().to_string()),
                ..Compound::default()
            };
            for part in PART.captures_iter(&parts[2]) {
                match (part.get(1).map(|m| m.as_str()), part.get(2), part.get(3)) {
                    (Some("."), Some(class), _) => compound.classes.push(class.as_str().into()),
                    (Some("#"), Some(id), _) => compound.id = Some(id.as_str().into()),
                    (_, _, Some(attribute)) => compound.attributes.push(attribute.as_str().into()),
                    _ => unreachable!("the part pattern has no other shape"),
                }
            }
            compound
        })
        .collect()
}

impl<'d> Element<'d> {
    fn node(&self) -> &'d Node {
        &self.dom.nodes[self.index]
    }

    fn children_indices(&self) -> &'d [usize] {
        match self.node() {
            Node::Element { children, .. } => children,
            Node::Text(_) => &[],
        }
    }

    pub fn name(&self) -> &'d str {
        match self.node() {
            Node::Element { name, .. } => name,
            Node::Text(_) => unreachable!("an Element is an element node"),
        }
    }

    /// An attribute's value, decoded.
    pub fn attr(&self, name: &str) -> Option<&'d str> {
        match self.node() {
            Node::Element { attributes, .. } => attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
            Node::Text(_) => None,
        }
    }

    /// The attribute, failing the test when it is missing.
    pub fn expect_attr(&self, name: &str) -> &'d str {
        self.attr(name)
            .unwrap_or_else(|| panic!("{} has no {name} attribute", self.describe()))
    }

    pub fn classes(&self) -> Vec<&'d str> {
        self.attr("class")
            .map(|c| c.split_whitespace().collect())
            .unwrap_or_default()
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.classes().contains(&class)
    }

    fn parent(&self) -> Option<Element<'d>> {
        match self.node() {
            Node::Element {
                parent: Some(p), ..
            } if *p != 0 => Some(Element {
                dom: self.dom,
                index: *p,
            }),
            _ => None,
        }
    }

    fn matches(&self, compound: &Compound) -> bool {
        compound.tag.as_deref().is_none_or(|t| t == self.name())
            && compound
                .id
                .as_deref()
                .is_none_or(|id| self.attr("id") == Some(id))
            && compound.classes.iter().all(|c| self.has_class(c))
            && compound.attributes.iter().all(|a| self.attr(a).is_some())
    }

    /// Whether the ancestors, nearest first, match `steps` from the last.
    fn ancestors_match(&self, steps: &[Compound], within: usize) -> bool {
        let Some((last, before)) = steps.split_last() else {
            return true;
        };
        let mut ancestor = self.parent();
        while let Some(element) = ancestor {
            if element.index == within {
                return false;
            }
            if element.matches(last) && element.ancestors_match(before, within) {
                return true;
            }
            ancestor = element.parent();
        }
        false
    }

    /// Every element in this one (not itself) in document order.
    fn descendants(&self) -> Vec<Element<'d>> {
        let mut found = Vec::new();
        let mut stack: Vec<usize> = self.children_indices().iter().rev().copied().collect();
        while let Some(index) = stack.pop() {
            if let Node::Element { children, .. } = &self.dom.nodes[index] {
                found.push(Element {
                    dom: self.dom,
                    index,
                });
                stack.extend(children.iter().rev());
            }
        }
        found
    }

    /// The elements inside this one matching `selector` (a descendant
    /// selector whose steps all lie inside this element), in document order.
    pub fn select(&self, selector: &str) -> Vec<Element<'d>> {
        let steps = parse_selector(selector);
        let (last, before) = steps.split_last().expect("an empty selector");
        self.descendants()
            .into_iter()
            .filter(|e| e.matches(last) && e.ancestors_match(before, self.index))
            .collect()
    }

    /// The one element inside matching `selector`; panics on none or several.
    pub fn one(&self, selector: &str) -> Element<'d> {
        let mut found = self.select(selector);
        assert_eq!(
            found.len(),
            1,
            "expected one {selector:?} in {}, found {}",
            self.describe(),
            found.len()
        );
        found.remove(0)
    }

    fn collect_text(&self, out: &mut String, deep: bool) {
        for &child in self.children_indices() {
            match &self.dom.nodes[child] {
                Node::Text(text) => out.push_str(text),
                Node::Element { .. } if deep => Element {
                    dom: self.dom,
                    index: child,
                }
                .collect_text(out, deep),
                Node::Element { .. } => {}
            }
        }
    }

    /// All the text inside, whitespace runs collapsed to one space, trimmed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out, true);
        collapse(&out)
    }

    /// The text of this element's own text nodes, not its children's.
    pub fn own_text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out, false);
        collapse(&out)
    }

    /// The element's start tag, for messages.
    pub fn describe(&self) -> String {
        describe(&self.dom.nodes, self.index)
    }
}

fn describe(nodes: &[Node], index: usize) -> String {
    match &nodes[index] {
        Node::Element {
            name, attributes, ..
        } => {
            let attributes: Vec<String> = attributes
                .iter()
                .map(|(n, v)| format!(" {n}={v:?}"))
                .collect();
            format!("<{name}{}>", attributes.concat())
        }
        Node::Text(text) => format!("text {text:?}"),
    }
}

fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::Dom;

    #[test]
    fn nested_lists_raw_style_and_references_read_back() {
        let dom = Dom::parse(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>a>b{c:d}</style></head>\
             <body><!-- note --><section id=\"blocked\"><ul>\
             <li class=\"blocked-item\" data-ref=\"!2\">A &amp; B<ul class=\"reasons\">\
             <li class=\"reason\">too &lt;early&gt; <span class=\"advice\">wait</span></li>\
             </ul></li></ul></section><p class=\"reason\">outside</p></body></html>",
        );
        let item = dom.one("section#blocked li.blocked-item[data-ref]");
        assert_eq!(item.attr("data-ref"), Some("!2"));
        assert_eq!(item.own_text(), "A & B");
        let reasons = dom.select("section#blocked li.reason");
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].own_text(), "too <early>");
        assert_eq!(reasons[0].text(), "too <early> wait");
        assert_eq!(dom.select(".reason").len(), 2);
        assert_eq!(dom.one("style").text(), "a>b{c:d}");
        assert!(item.select("section").is_empty());
    }

    #[test]
    #[should_panic(expected = "not well-formed")]
    fn a_mismatched_end_tag_fails() {
        Dom::parse("<div><p>text</div></p>");
    }
}
