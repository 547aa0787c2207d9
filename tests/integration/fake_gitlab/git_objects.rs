//! Git's object ids and tree order for the fakes' repositories, so both
//! fakes answer what a real forge would: a blob's id is the SHA-1 of
//! `blob <len>\0<content>`, a tree's the SHA-1 of its entries as git writes
//! them, and a recursive listing runs in `git ls-tree -r -t` order.

use std::collections::BTreeMap;

/// SHA-1 (FIPS 180-4), enough for object ids; no crate of the project offers it.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut state: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut words = [0u32; 80];
        for (word, bytes) in words.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_be_bytes(bytes.try_into().unwrap());
        }
        for i in 16..80 {
            words[i] = (words[i - 3] ^ words[i - 8] ^ words[i - 14] ^ words[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = state;
        for (i, word) in words.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let next = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*word);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, next);
        }
        for (kept, added) in state.iter_mut().zip([a, b, c, d, e]) {
            *kept = kept.wrapping_add(added);
        }
    }
    let mut digest = [0u8; 20];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

fn object_id(kind: &str, content: &[u8]) -> [u8; 20] {
    let mut object = format!("{kind} {}\0", content.len()).into_bytes();
    object.extend_from_slice(content);
    sha1(&object)
}

/// The git blob id of `text`, as `git hash-object` prints it.
pub fn blob_id(text: &str) -> String {
    hex::encode(object_id("blob", text.as_bytes()))
}

/// One entry of a recursive listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// From the repository root.
    pub path: String,
    pub is_tree: bool,
    pub id: String,
    /// A blob's size in bytes.
    pub size: Option<usize>,
}

impl Node {
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The mode the forges' APIs print.
    pub fn mode(&self) -> &'static str {
        if self.is_tree { "040000" } else { "100644" }
    }
}

#[derive(Default)]
struct Dir<'a> {
    dirs: BTreeMap<&'a str, Dir<'a>>,
    files: BTreeMap<&'a str, &'a str>,
}

/// The root tree's id and every directory and file of `files` (path →
/// text) in `git ls-tree -r -t` order: depth first, a directory before its
/// contents, names in git's order (a directory sorts as its name plus `/`).
pub fn listing(files: &BTreeMap<String, String>) -> (String, Vec<Node>) {
    let mut root = Dir::default();
    for (path, text) in files {
        let mut dir = &mut root;
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = parts.pop().unwrap();
        for part in parts {
            dir = dir.dirs.entry(part).or_default();
        }
        dir.files.insert(name, text);
    }
    let mut nodes = Vec::new();
    let id = write_tree(&root, "", &mut nodes);
    (hex::encode(id), nodes)
}

/// Appends `dir`'s entries below `prefix` to `nodes`; returns its tree id.
fn write_tree(dir: &Dir<'_>, prefix: &str, nodes: &mut Vec<Node>) -> [u8; 20] {
    let mut names: Vec<(String, &str, bool)> = dir
        .dirs
        .keys()
        .map(|name| (format!("{name}/"), *name, true))
        .chain(
            dir.files
                .keys()
                .map(|name| (name.to_string(), *name, false)),
        )
        .collect();
    names.sort();
    let mut content = Vec::new();
    for (_, name, is_tree) in names {
        let path = format!("{prefix}{name}");
        let (mode, id) = if is_tree {
            let at = nodes.len();
            nodes.push(Node {
                path: path.clone(),
                is_tree,
                id: String::new(),
                size: None,
            });
            let id = write_tree(&dir.dirs[name], &format!("{path}/"), nodes);
            nodes[at].id = hex::encode(id);
            ("40000", id)
        } else {
            let text = dir.files[name];
            let id = object_id("blob", text.as_bytes());
            nodes.push(Node {
                path,
                is_tree,
                id: hex::encode(id),
                size: Some(text.len()),
            });
            ("100644", id)
        };
        content.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        content.extend_from_slice(&id);
    }
    object_id("tree", &content)
}
