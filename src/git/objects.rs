//! Object reads batched into one `git cat-file` process: file texts named by
//! `rev:path` or by blob id, and whether `rev:path` names exist.

use crate::git::repo::GitRepo;
use anyhow::{Result, bail};

/// The texts of `objects` (each `rev:path` or an object id), in order, from
/// one `git cat-file --batch` call; an object that does not exist, is not a
/// blob or is not UTF-8 text maps to `None`.
pub fn texts(repo: &GitRepo, objects: &[String]) -> Result<Vec<Option<String>>> {
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let out = repo.run_with_input(&["cat-file", "--batch", "-z"], Some(&request(objects)))?;
    let mut rest: &[u8] = &out;
    let mut found = Vec::with_capacity(objects.len());
    for _ in objects {
        let (header, body) = next_header(&mut rest)?;
        let mut parts = header.split(' ');
        let (_id, kind, size) = (parts.next(), parts.next(), parts.next());
        // `<name> missing` (or `ambiguous`) has no body; a found object has
        // `<id> <type> <size>` and then exactly `size` bytes and a newline.
        let Some((kind, size)) = kind.zip(size.and_then(|s| s.parse::<usize>().ok())) else {
            found.push(None);
            rest = body;
            continue;
        };
        if body.len() < size + 1 {
            bail!("git cat-file output was cut short");
        }
        let text = (kind == "blob")
            .then(|| std::str::from_utf8(&body[..size]).ok())
            .flatten()
            .map(str::to_string);
        found.push(text);
        rest = &body[size + 1..];
    }
    Ok(found)
}

/// Whether each of `objects` (`rev:path` or an object id) exists, in order,
/// from one `git cat-file --batch-check` call.
pub fn exist(repo: &GitRepo, objects: &[String]) -> Result<Vec<bool>> {
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let out = repo.run_with_input(
        &["cat-file", "--batch-check", "-z"],
        Some(&request(objects)),
    )?;
    let mut rest: &[u8] = &out;
    let mut found = Vec::with_capacity(objects.len());
    for _ in objects {
        let (header, body) = next_header(&mut rest)?;
        // A missing name is echoed back followed by ` missing`; a found
        // object starts with its id, which a `rev:path` request never equals.
        found.push(!(header.ends_with(" missing") || header.ends_with(" ambiguous")));
        rest = body;
    }
    Ok(found)
}

/// NUL-terminated requests, so a path with a newline cannot shift answers.
fn request(objects: &[String]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for object in objects {
        bytes.extend_from_slice(object.as_bytes());
        bytes.push(0);
    }
    bytes
}

/// Splits the next answer's header line off `rest`.
fn next_header<'a>(rest: &mut &'a [u8]) -> Result<(String, &'a [u8])> {
    let Some(newline) = rest.iter().position(|b| *b == b'\n') else {
        bail!("git cat-file answered fewer objects than asked");
    };
    let header = String::from_utf8_lossy(&rest[..newline]).into_owned();
    Ok((header, &rest[newline + 1..]))
}
