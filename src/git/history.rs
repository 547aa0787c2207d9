//! Which release commits are ancestors of which, read in one `git rev-list`
//! walk over the history behind them (instead of one `merge-base
//! --is-ancestor` per pair of tags).

use crate::git::repo::GitRepo;
use anyhow::{Result, bail};
use std::collections::HashMap;

/// The ancestor relation among a set of commits ("tips").
#[derive(Debug, Clone)]
pub struct TipAncestry {
    tips: HashMap<String, usize>,
    /// Per tip, a bit set of the tips it reaches (itself included).
    reach: Vec<Vec<u64>>,
}

impl TipAncestry {
    /// Whether `ancestor` is an ancestor of `descendant` (a commit is its own
    /// ancestor, as for `git merge-base --is-ancestor`). Unknown commits are
    /// ancestors of nothing.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        match (self.tips.get(ancestor), self.tips.get(descendant)) {
            (Some(&a), Some(&d)) => self.reach[d][a / 64] & (1 << (a % 64)) != 0,
            _ => false,
        }
    }
}

/// Reads the ancestry of `tips` (full commit ids) with one `git rev-list
/// --topo-order --parents` over everything they reach.
pub fn tip_ancestry(repo: &GitRepo, tips: &[String]) -> Result<TipAncestry> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for tip in tips {
        let next = index.len();
        index.entry(tip.clone()).or_insert(next);
    }
    if index.is_empty() {
        return Ok(TipAncestry {
            tips: index,
            reach: Vec::new(),
        });
    }
    let mut input = String::new();
    for tip in index.keys() {
        input.push_str(tip);
        input.push('\n');
    }
    let out = repo.run_with_input(
        &["rev-list", "--topo-order", "--parents", "--stdin"],
        Some(input.as_bytes()),
    )?;
    let graph = Graph::parse(&String::from_utf8_lossy(&out))?;
    let reach = graph.reach(&index)?;
    Ok(TipAncestry { tips: index, reach })
}

/// The commit graph as rev-list printed it: children before parents.
struct Graph {
    /// Commit ids in output order.
    ids: Vec<String>,
    /// Parents of each commit, as positions in `ids` (parents cut off by a
    /// shallow clone are left out).
    parents: Vec<Vec<usize>>,
}

impl Graph {
    fn parse(text: &str) -> Result<Graph> {
        let lines: Vec<Vec<&str>> = text.lines().map(|line| line.split(' ').collect()).collect();
        let position: HashMap<&str, usize> = lines
            .iter()
            .enumerate()
            .map(|(i, fields)| (fields[0], i))
            .collect();
        let mut parents = Vec::with_capacity(lines.len());
        for (i, fields) in lines.iter().enumerate() {
            let known: Vec<usize> = fields[1..]
                .iter()
                .filter_map(|p| position.get(p).copied())
                .collect();
            if known.iter().any(|p| *p <= i) {
                bail!("git rev-list --topo-order printed a parent before its child");
            }
            parents.push(known);
        }
        Ok(Graph {
            ids: lines.iter().map(|fields| fields[0].to_string()).collect(),
            parents,
        })
    }

    /// For each tip, the tips it reaches. Walks parents first (the output
    /// reversed), OR-ing each commit's parents' sets into its own; a
    /// commit's set is dropped once its last child has read it, so memory
    /// follows the width of the history, not its length.
    fn reach(&self, tips: &HashMap<String, usize>) -> Result<Vec<Vec<u64>>> {
        let words = tips.len().div_ceil(64);
        let mut children_left = vec![0usize; self.ids.len()];
        for parents in &self.parents {
            for &p in parents {
                children_left[p] += 1;
            }
        }
        let mut sets: Vec<Option<Vec<u64>>> = vec![None; self.ids.len()];
        let mut by_tip = vec![Vec::new(); tips.len()];
        for commit in (0..self.ids.len()).rev() {
            let mut set = vec![0u64; words];
            for &p in &self.parents[commit] {
                let parent = sets[p].as_ref().expect("parents are walked first");
                for (word, bits) in set.iter_mut().zip(parent) {
                    *word |= bits;
                }
                children_left[p] -= 1;
                if children_left[p] == 0 {
                    sets[p] = None;
                }
            }
            if let Some(&tip) = tips.get(&self.ids[commit]) {
                set[tip / 64] |= 1 << (tip % 64);
                by_tip[tip] = set.clone();
            }
            if children_left[commit] > 0 {
                sets[commit] = Some(set);
            }
        }
        if let Some((tip, _)) = tips.iter().find(|(_, i)| by_tip[**i].is_empty()) {
            bail!("git rev-list did not list the release commit {tip}");
        }
        Ok(by_tip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tips(names: &[&str]) -> HashMap<String, usize> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i))
            .collect()
    }

    #[test]
    fn reach_follows_merges_and_keeps_unrelated_roots_apart() {
        // m merges b (on root a) with y (on root x); c sits on a alone.
        let text = "m b y\nc a\nb a\na\ny x\nx\n";
        let graph = Graph::parse(text).unwrap();
        let names = tips(&["a", "b", "c", "x", "y", "m"]);
        let reach = graph.reach(&names).unwrap();
        let ancestry = TipAncestry { tips: names, reach };
        assert!(ancestry.is_ancestor("a", "m"));
        assert!(ancestry.is_ancestor("x", "m"));
        assert!(ancestry.is_ancestor("a", "c"));
        assert!(ancestry.is_ancestor("c", "c"));
        assert!(!ancestry.is_ancestor("x", "c"));
        assert!(!ancestry.is_ancestor("c", "m"));
        assert!(!ancestry.is_ancestor("m", "a"));
        assert!(!ancestry.is_ancestor("unknown", "m"));
    }

    #[test]
    fn a_parent_listed_before_its_child_is_refused() {
        assert!(Graph::parse("a\nb a\n").is_err());
    }
}
