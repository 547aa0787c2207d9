//! Release series: which release an admin upgrades *from* to reach each
//! release.
//!
//! A release's **predecessor** is the latest earlier-versioned release that
//! is its ancestor in the history: version order alone would compare a
//! release with a tag of another product that shares the repository (LAVA's
//! dispatcher tags from before the 2018 merge), or with a maintenance
//! release cut on another branch. A release with no earlier ancestor starts
//! a **series**; every other release belongs to its predecessor's series, so
//! tags of unrelated histories never meet.

use crate::core::release::Version;

/// Where each release (by position in the version-sorted list) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    /// The predecessor of each release; `None` for the first of a series.
    pub predecessor: Vec<Option<usize>>,
    /// The release that starts each release's series (itself for a start).
    pub series: Vec<usize>,
}

impl Lineage {
    /// Links `versions` (sorted, without duplicates); `is_ancestor(a, b)`
    /// answers whether release `a`'s commit is an ancestor of release `b`'s.
    pub fn link(versions: &[Version], is_ancestor: impl Fn(usize, usize) -> bool) -> Lineage {
        let mut predecessor = Vec::with_capacity(versions.len());
        let mut series = Vec::with_capacity(versions.len());
        for to in 0..versions.len() {
            let from = (0..to).rev().find(|&from| is_ancestor(from, to));
            series.push(from.map_or(to, |from| series[from]));
            predecessor.push(from);
        }
        Lineage {
            predecessor,
            series,
        }
    }

    /// The releases of the series that `release` belongs to, in version order.
    pub fn members(&self, release: usize) -> Vec<usize> {
        let start = self.series[release];
        (0..self.series.len())
            .filter(|&i| self.series[i] == start)
            .collect()
    }

    /// The releases that start a series, in version order.
    pub fn starts(&self) -> Vec<usize> {
        (0..self.series.len())
            .filter(|&i| self.series[i] == i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::release::Scheme;

    fn versions(names: &[&str]) -> Vec<Version> {
        names
            .iter()
            .map(|n| Scheme::Calver.parse(n).unwrap())
            .collect()
    }

    #[test]
    fn each_release_follows_its_latest_earlier_ancestor_and_histories_stay_apart() {
        // Server: 2015.11 → 2015.12 → 2016.01 (merges the dispatcher) → 2016.02.
        // Dispatcher, its own root: 2015.11.post1 → 2015.11.post2.
        let names = [
            "2015.11",
            "2015.11.post1",
            "2015.11.post2",
            "2015.12",
            "2016.01",
            "2016.02",
        ];
        let all = versions(&names);
        let server = [0, 3, 4, 5];
        let dispatcher = [1, 2];
        let is_ancestor = |a: usize, b: usize| {
            let same = |set: &[usize]| set.contains(&a) && set.contains(&b);
            // The merge into 2016.01 makes the dispatcher its ancestor too.
            (same(&server) || same(&dispatcher) || (dispatcher.contains(&a) && b >= 4)) && a <= b
        };
        let lineage = Lineage::link(&all, is_ancestor);
        assert_eq!(
            lineage.predecessor,
            vec![None, None, Some(1), Some(0), Some(3), Some(4)],
            "2015.12 follows 2015.11, not 2015.11.post2; 2016.01 follows 2015.12"
        );
        assert_eq!(lineage.series, vec![0, 1, 1, 0, 0, 0]);
        assert_eq!(lineage.starts(), vec![0, 1]);
        assert_eq!(lineage.members(2), vec![1, 2]);
    }
}
