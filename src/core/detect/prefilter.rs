//! A cheap first pass before glob matching: one multi-literal search for the
//! literal text each glob requires (see `rules::required_literal`). Paths that
//! contain none of them cannot match any glob and are skipped without running
//! the glob set. Derived from the globs themselves, so it holds for any pack.

use crate::core::rules::required_literal;
use aho_corasick::AhoCorasick;

/// Shorter literals (one character like `/` or `.`) would let almost every path through.
const MIN_LITERAL_LEN: usize = 2;

#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    literals: Option<AhoCorasick>,
    /// Some glob has no usable literal: every path must go to the glob set.
    pass_all: bool,
}

impl Prefilter {
    pub(crate) fn new<'a>(globs: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let mut literals = Vec::new();
        let mut pass_all = false;
        for glob in globs {
            let literal = required_literal(glob);
            if literal.len() < MIN_LITERAL_LEN {
                pass_all = true;
            } else if !literals.contains(&literal) {
                literals.push(literal);
            }
        }
        let literals = if pass_all || literals.is_empty() {
            None
        } else {
            // Building only fails past automaton size limits; then check every path.
            let built = AhoCorasick::new(&literals).ok();
            pass_all = built.is_none();
            built
        };
        Prefilter { literals, pass_all }
    }

    /// False only when no glob can match `path`.
    pub(crate) fn may_match(&self, path: &str) -> bool {
        self.pass_all || self.literals.as_ref().is_some_and(|ac| ac.is_match(path))
    }
}
