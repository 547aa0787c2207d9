//! A migration version compared as the tools compare it: the digit runs of
//! `V1_2__`, `20240101120000_` or `2019-01-01-000000_` as numbers, so
//! `1.02` equals `1.2`, `1.0` equals `1` and `10` follows `9`.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// Digit runs without leading zeros, trailing zero parts dropped, joined by `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(String);

impl Version {
    /// The version in `text`'s digit runs; `None` when it has no digit.
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts: Vec<&str> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let trimmed = p.trim_start_matches('0');
                if trimmed.is_empty() { "0" } else { trimmed }
            })
            .collect();
        if parts.is_empty() {
            return None;
        }
        while parts.len() > 1 && parts.last() == Some(&"0") {
            parts.pop();
        }
        Some(Version(parts.join(".")))
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut left = self.parts();
        let mut right = other.parts();
        loop {
            match (left.next(), right.next()) {
                (None, None) => return Ordering::Equal,
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                // Without leading zeros, a longer run is a larger number.
                (Some(a), Some(b)) => match a.len().cmp(&b.len()).then_with(|| a.cmp(b)) {
                    Ordering::Equal => continue,
                    unequal => return unequal,
                },
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
