//! Up and down sections: files that hold both directions keep only their
//! "up" part, goose (`-- +goose Up` … `-- +goose Down`), sql-migrate
//! (`-- +migrate Up` … `-- +migrate Down`) and dbmate (`-- migrate:up` …
//! `-- migrate:down`). The other lines are blanked, not removed, so parse
//! errors keep the file's line numbers.

use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq)]
enum Marker {
    Up,
    Down,
}

/// A direction marker line of goose, sql-migrate or dbmate.
fn marker(line: &str) -> Option<Marker> {
    let rest = line.trim().strip_prefix("--")?;
    let mut words = rest.split_whitespace();
    let first = words.next()?.to_ascii_lowercase();
    match first.as_str() {
        // dbmate: `-- migrate:up`, optionally followed by options.
        "migrate:up" => Some(Marker::Up),
        "migrate:down" => Some(Marker::Down),
        // goose `-- +goose Up`, sql-migrate `-- +migrate Up`.
        "+goose" | "+migrate" => match words.next()?.to_ascii_lowercase().as_str() {
            "up" => Some(Marker::Up),
            "down" => Some(Marker::Down),
            _ => None,
        },
        _ => None,
    }
}

/// The text with everything outside the up sections blanked (newlines
/// kept), or the text itself when it has no up marker.
pub(super) fn up_part(text: &str) -> Cow<'_, str> {
    if !text.lines().any(|line| marker(line) == Some(Marker::Up)) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    let mut keep = false;
    for line in text.split_inclusive('\n') {
        match marker(line) {
            Some(found) => keep = found == Marker::Up,
            None if keep => {
                kept.push_str(line);
                continue;
            }
            None => {}
        }
        if line.ends_with('\n') {
            kept.push('\n');
        }
    }
    Cow::Owned(kept)
}
