//! Version schemes, release order and the next release.
//!
//! A milestone or tag is a release when its title parses under the project's
//! scheme. Versions compare numerically component by component, so `2023.10`
//! sorts after `2023.9` and `23.09.10` after `23.09.9`.

use crate::core::types::Milestone;
use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

/// How a project names its releases.
#[derive(Debug, Clone)]
pub enum Scheme {
    /// `YYYY.MM`, `YYYY.MM.N`, `YYYY.MM.postN` (LAVA).
    Calver,
    /// `X.Y.Z` with optional `v` prefix and pre-release suffix.
    Semver,
    /// `YY.MM.PATCH` with optional `aN`/`bN`/`rcN`/`devN` suffix (Backend.AI).
    YyMmPatch,
    /// A regex whose `version` capture holds a dotted numeric version.
    TitleRegex(Regex),
}

impl Scheme {
    pub const NAMES: [&'static str; 3] = ["calver", "semver", "yy.mm.patch"];

    /// The scheme for a built-in name; `title_regex` goes through [`Scheme::title_regex`].
    pub fn from_name(name: &str) -> Option<Scheme> {
        match name {
            "calver" => Some(Scheme::Calver),
            "semver" => Some(Scheme::Semver),
            "yy.mm.patch" => Some(Scheme::YyMmPatch),
            _ => None,
        }
    }

    /// Compiles a `title_regex` scheme; the pattern must have a `version` group.
    pub fn title_regex(pattern: &str) -> Result<Scheme, String> {
        let regex = Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
        if !regex.capture_names().flatten().any(|n| n == "version") {
            return Err("the regex has no named capture `(?P<version>...)`".to_string());
        }
        Ok(Scheme::TitleRegex(regex))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Scheme::Calver => "calver",
            Scheme::Semver => "semver",
            Scheme::YyMmPatch => "yy.mm.patch",
            Scheme::TitleRegex(_) => "title_regex",
        }
    }

    /// Parses a milestone title or tag name; `None` when it is not a release.
    pub fn parse(&self, title: &str) -> Option<Version> {
        let title = title.trim();
        let parsed = match self {
            Scheme::Calver => parse_calver(title),
            Scheme::Semver => parse_semver(title),
            Scheme::YyMmPatch => parse_yymm(title),
            Scheme::TitleRegex(regex) => {
                let captures = regex.captures(title)?;
                parse_dotted(captures.name("version")?.as_str())
            }
        }?;
        Some(Version {
            raw: title.to_string(),
            ..parsed
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pre-release marker; any pre-release sorts before its release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreRelease {
    Dev(u64),
    Alpha(u64),
    Beta(u64),
    Rc(u64),
    /// A semver pre-release we do not interpret beyond its text.
    Other(String),
}

/// A parsed release version. Equality and order ignore the raw spelling.
#[derive(Debug, Clone)]
pub struct Version {
    /// Numeric components: `[2023, 5, 1]` for `2023.05.1`.
    pub parts: Vec<u64>,
    pub pre: Option<PreRelease>,
    /// The N of a calver `.postN` release.
    pub post: Option<u64>,
    /// The title or tag exactly as written.
    pub raw: String,
}

impl Version {
    /// The series a release belongs to: its first two components
    /// (`23.09` for `23.09.10`, `2023.05` for `2023.05.post1`, `1.4` for `1.4.2`).
    pub fn series(&self) -> (u64, u64) {
        (
            self.parts.first().copied().unwrap_or(0),
            self.parts.get(1).copied().unwrap_or(0),
        )
    }

    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some()
    }

    fn sort_key(&self) -> (Vec<u64>, bool, bool, Option<&PreRelease>, usize) {
        let mut parts = self.parts.clone();
        while parts.len() < 3 {
            parts.push(0);
        }
        // `.postN` sits at patch level N, just after `.N`, so `2023.05.1` and
        // `2023.05.post1` stay distinct but adjacent.
        if let Some(n) = self.post {
            parts[2] = n;
        }
        (
            parts,
            self.post.is_some(),
            self.pre.is_none(),
            self.pre.as_ref(),
            self.parts.len(),
        )
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

static CALVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^v?(?P<y>\d{4})\.(?P<m>\d{1,2})(?:\.(?:(?P<post>post)(?P<pn>\d+)|(?P<n>\d+)))?$")
        .expect("calver regex")
});

static YYMM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^v?(?P<y>\d{2})\.(?P<m>\d{1,2})\.(?P<p>\d+)(?:[.-]?(?P<pre>a|alpha|b|beta|rc|dev)\.?(?P<pn>\d*))?$")
        .expect("yy.mm.patch regex")
});

fn parse_calver(title: &str) -> Option<Version> {
    let c = CALVER.captures(title)?;
    let month: u64 = c["m"].parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let mut parts = vec![c["y"].parse().ok()?, month];
    let mut post = None;
    if c.name("post").is_some() {
        post = Some(c["pn"].parse().ok()?);
    } else if let Some(n) = c.name("n") {
        parts.push(n.as_str().parse().ok()?);
    }
    Some(Version {
        parts,
        pre: None,
        post,
        raw: String::new(),
    })
}

fn parse_semver(title: &str) -> Option<Version> {
    let text = title.strip_prefix('v').unwrap_or(title);
    let v = semver::Version::parse(text).ok()?;
    let pre = (!v.pre.is_empty()).then(|| classify_pre(v.pre.as_str()));
    Some(Version {
        parts: vec![v.major, v.minor, v.patch],
        pre,
        post: None,
        raw: String::new(),
    })
}

fn parse_yymm(title: &str) -> Option<Version> {
    let c = YYMM.captures(title)?;
    let month: u64 = c["m"].parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let pre = c.name("pre").map(|p| {
        let n = c
            .name("pn")
            .and_then(|n| n.as_str().parse().ok())
            .unwrap_or(0);
        match p.as_str() {
            "a" | "alpha" => PreRelease::Alpha(n),
            "b" | "beta" => PreRelease::Beta(n),
            "rc" => PreRelease::Rc(n),
            _ => PreRelease::Dev(n),
        }
    });
    Some(Version {
        parts: vec![c["y"].parse().ok()?, month, c["p"].parse().ok()?],
        pre,
        post: None,
        raw: String::new(),
    })
}

fn parse_dotted(text: &str) -> Option<Version> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let parts: Option<Vec<u64>> = text.split('.').map(|p| p.parse().ok()).collect();
    let parts = parts?;
    if parts.is_empty() {
        return None;
    }
    Some(Version {
        parts,
        pre: None,
        post: None,
        raw: String::new(),
    })
}

fn classify_pre(pre: &str) -> PreRelease {
    let lower = pre.to_ascii_lowercase();
    let number = |prefix: &str| -> Option<u64> {
        let rest = lower.strip_prefix(prefix)?;
        let rest = rest.trim_start_matches(['.', '-']);
        if rest.is_empty() {
            Some(0)
        } else {
            rest.parse().ok()
        }
    };
    if let Some(n) = number("rc") {
        PreRelease::Rc(n)
    } else if let Some(n) = number("beta").or_else(|| number("b")) {
        PreRelease::Beta(n)
    } else if let Some(n) = number("alpha").or_else(|| number("a")) {
        PreRelease::Alpha(n)
    } else if let Some(n) = number("dev") {
        PreRelease::Dev(n)
    } else {
        PreRelease::Other(pre.to_string())
    }
}

/// The built-in scheme under which the most of `names` parse (calver first on
/// a tie); `None` when none parses under any.
pub fn infer_scheme<S: AsRef<str>>(names: &[S]) -> Option<Scheme> {
    let mut best: Option<(usize, Scheme)> = None;
    for scheme in Scheme::NAMES.iter().filter_map(|n| Scheme::from_name(n)) {
        let count = names
            .iter()
            .filter(|n| scheme.parse(n.as_ref()).is_some())
            .count();
        if count > 0 && best.as_ref().is_none_or(|(c, _)| count > *c) {
            best = Some((count, scheme));
        }
    }
    best.map(|(_, scheme)| scheme)
}

/// A release milestone with its parsed version.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub milestone: &'a Milestone,
    pub version: Version,
}

/// Release milestones (open and closed) in release order: version, then due
/// date (a milestone without a due date after those with one), then id.
pub fn release_order<'a>(milestones: &'a [Milestone], scheme: &Scheme) -> Vec<Release<'a>> {
    let mut releases: Vec<Release<'a>> = milestones
        .iter()
        .filter_map(|m| {
            scheme.parse(&m.title).map(|version| Release {
                milestone: m,
                version,
            })
        })
        .collect();
    releases.sort_by(|a, b| {
        a.version
            .cmp(&b.version)
            .then_with(|| match (a.milestone.due_date, b.milestone.due_date) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| a.milestone.id.cmp(&b.milestone.id))
    });
    releases
}

/// The open release milestones in release order.
pub fn open_releases<'a>(milestones: &'a [Milestone], scheme: &Scheme) -> Vec<Release<'a>> {
    release_order(milestones, scheme)
        .into_iter()
        .filter(|r| r.milestone.is_open())
        .collect()
}

/// The next release: the lowest open release milestone.
pub fn next_release<'a>(milestones: &'a [Milestone], scheme: &Scheme) -> Option<Release<'a>> {
    open_releases(milestones, scheme).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::types::{MilestoneId, MilestoneState};
    use chrono::NaiveDate;

    fn v(scheme: &Scheme, s: &str) -> Version {
        scheme
            .parse(s)
            .unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn calver_accepts_month_patch_and_post_releases() {
        let s = Scheme::Calver;
        assert_eq!(v(&s, "2023.05").parts, vec![2023, 5]);
        assert_eq!(v(&s, "2023.05.1").parts, vec![2023, 5, 1]);
        assert_eq!(v(&s, "2023.05.post2").post, Some(2));
        assert!(s.parse("Backlog").is_none());
        assert!(s.parse("2023.13").is_none());
        assert!(s.parse("23.05.1").is_none());
    }

    #[test]
    fn calver_orders_numerically_with_post_releases_after_their_base() {
        let s = Scheme::Calver;
        let mut versions: Vec<Version> =
            ["2023.10", "2023.05.post1", "2023.9", "2023.05", "2024.01"]
                .iter()
                .map(|t| v(&s, t))
                .collect();
        versions.sort();
        let order: Vec<&str> = versions.iter().map(|v| v.raw.as_str()).collect();
        assert_eq!(
            order,
            ["2023.05", "2023.05.post1", "2023.9", "2023.10", "2024.01"]
        );
        assert!(v(&s, "2023.05.1") < v(&s, "2023.05.post1"));
        assert!(v(&s, "2023.05.post1") < v(&s, "2023.05.2"));
    }

    #[test]
    fn semver_accepts_v_prefix_and_orders_prereleases_first() {
        let s = Scheme::Semver;
        assert_eq!(v(&s, "v1.2.3").parts, vec![1, 2, 3]);
        assert!(v(&s, "1.3.0-rc.1") < v(&s, "1.3.0"));
        assert!(v(&s, "1.2.10") > v(&s, "1.2.9"));
        assert!(s.parse("1.2").is_none());
        assert!(s.parse("release-1.2.3").is_none());
    }

    #[test]
    fn yymm_patch_parses_backend_ai_versions() {
        let s = Scheme::YyMmPatch;
        assert_eq!(v(&s, "23.09.10").series(), (23, 9));
        assert!(v(&s, "23.09.10") > v(&s, "23.09.9"));
        assert!(v(&s, "24.03.0rc1") < v(&s, "24.03.0"));
        assert!(v(&s, "24.03.0rc1").is_prerelease());
        assert!(s.parse("2023.09.1").is_none());
    }

    #[test]
    fn title_regex_needs_a_version_capture() {
        assert!(Scheme::title_regex(r"^Release (\d+)$").is_err());
        let s = Scheme::title_regex(r"^Release (?P<version>\d+\.\d+)$").unwrap();
        assert_eq!(v(&s, "Release 4.10").parts, vec![4, 10]);
        assert!(v(&s, "Release 4.10") > v(&s, "Release 4.9"));
        assert!(s.parse("Backlog").is_none());
    }

    #[test]
    fn the_scheme_most_names_follow_is_inferred() {
        let infer = |names: &[&str]| infer_scheme(names).map(|s| s.name());
        assert_eq!(infer(&["2023.05", "2023.05.1", "latest"]), Some("calver"));
        assert_eq!(infer(&["v1.2.3", "1.3.0", "2023.05"]), Some("semver"));
        assert_eq!(infer(&["23.09.10", "24.03.0"]), Some("yy.mm.patch"));
        assert_eq!(infer(&["latest", "deploy"]), None);
    }

    fn milestone(id: u64, title: &str, open: bool, due: Option<&str>) -> Milestone {
        Milestone {
            id: MilestoneId(id),
            title: title.into(),
            state: if open {
                MilestoneState::Open
            } else {
                MilestoneState::Closed
            },
            start_date: None,
            due_date: due.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            description: String::new(),
            web_url: None,
        }
    }

    #[test]
    fn next_release_is_the_lowest_open_release_ignoring_other_milestones() {
        let ms = vec![
            milestone(1, "Backlog", true, None),
            milestone(2, "2026.12", true, Some("2026-12-31")),
            milestone(3, "2026.10", false, Some("2026-10-31")),
            milestone(4, "2026.11", true, Some("2026-11-26")),
        ];
        let next = next_release(&ms, &Scheme::Calver).unwrap();
        assert_eq!(next.milestone.title, "2026.11");
        let order: Vec<&str> = release_order(&ms, &Scheme::Calver)
            .iter()
            .map(|r| r.milestone.title.as_str())
            .collect();
        assert_eq!(order, ["2026.10", "2026.11", "2026.12"]);
    }

    #[test]
    fn equal_versions_order_by_due_date() {
        let ms = vec![
            milestone(1, "v2.0.0", true, None),
            milestone(2, "2.0.0", true, Some("2026-12-01")),
        ];
        let next = next_release(&ms, &Scheme::Semver).unwrap();
        assert_eq!(next.milestone.id, MilestoneId(2));
    }
}
