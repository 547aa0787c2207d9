//! A project's downtime rule: which detected migrations need downtime.

use super::Compat;
use crate::core::types::Match;

/// `downtime` in a project's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Downtime {
    /// Any new migration needs downtime (LAVA's rule, the default).
    #[default]
    AnyMigration,
    /// Only migrations that may break the previous release's code
    /// (`contract`, and `unknown`, which may) need downtime; expand-only
    /// changes roll out one replica at a time.
    ContractOnly,
}

impl Downtime {
    pub const NAMES: [&'static str; 2] = ["any-migration", "contract-only"];

    pub fn as_str(self) -> &'static str {
        match self {
            Downtime::AnyMigration => "any-migration",
            Downtime::ContractOnly => "contract-only",
        }
    }

    pub fn from_name(name: &str) -> Option<Downtime> {
        [Downtime::AnyMigration, Downtime::ContractOnly]
            .into_iter()
            .find(|d| d.as_str() == name)
    }

    /// Whether this migration needs downtime under the rule.
    pub fn counts(self, m: &Match) -> bool {
        m.kind.is_db_change() && (self == Downtime::AnyMigration || m.compat != Compat::Expand)
    }

    /// Whether any of these migrations needs downtime under the rule.
    pub fn needs_downtime(self, matches: &[Match]) -> bool {
        matches.iter().any(|m| self.counts(m))
    }
}

/// Whether an upgrade over these migrations can roll (old and new code side
/// by side): `Some(true)` when every database migration is `expand` (or there
/// is none), `Some(false)` when one is `contract`, `None` when one is
/// `unknown` and none is `contract`.
pub fn rolling(matches: &[Match]) -> Option<bool> {
    match Compat::worst(
        matches
            .iter()
            .filter(|m| m.kind.is_db_change())
            .map(|m| m.compat),
    ) {
        Compat::Expand => Some(true),
        Compat::Unknown => None,
        Compat::Contract => Some(false),
    }
}
