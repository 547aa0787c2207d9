//! The stops each policy adds to a path, each with the reason an admin is
//! told, and the squash rule of the `direct` policy.

use super::{RefusalKind, UpgradeRefusal, series_label};
use crate::core::release::Version;
use crate::core::squash::SquashCut;
use std::collections::{BTreeMap, BTreeSet};

/// A release an upgrade must pass through, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub version: Version,
    pub reason: String,
}

/// A planned path: both ends and the stops between, and the stops alone with
/// their reasons (in path order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub path: Vec<Version>,
    pub stops: Vec<Stop>,
}

/// Every release in between (the consecutive policy).
pub(super) fn consecutive<'a>(between: impl Iterator<Item = &'a Version>) -> Vec<Stop> {
    between
        .map(|version| Stop {
            version: version.clone(),
            reason: "the consecutive policy stops at every release".to_string(),
        })
        .collect()
}

/// The latest release of each series to leave, plus (db-stop-gaps,
/// contract-stop-gaps) every release of `db_stops`, with the policy's reason
/// for them; one stop per release, its reasons joined.
pub(super) fn gaps(exits: &[Version], db_stops: Option<(&BTreeSet<Version>, &str)>) -> Vec<Stop> {
    let mut reasons: BTreeMap<Version, Vec<String>> = BTreeMap::new();
    for exit in exits {
        reasons.entry(exit.clone()).or_default().push(format!(
            "the latest release of series {}, which is left only from its latest release",
            series_label(exit)
        ));
    }
    if let Some((releases, why)) = db_stops {
        for db in releases {
            reasons.entry(db.clone()).or_default().push(why.to_string());
        }
    }
    reasons
        .into_iter()
        .map(|(version, reasons)| Stop {
            version,
            reason: reasons.join("; "),
        })
        .collect()
}

/// The direct policy's stops: none, except before each squash cut that the
/// path crosses while the database's release (the start, or the previous
/// stop) does not carry every migration the cut deletes: there the path
/// stops at the cut's last carrier. `stable` (sorted) gives the stop its
/// spelling in the known releases.
pub(super) fn squash(
    stable: &[Version],
    from: &Version,
    to: &Version,
    cuts: &[SquashCut],
) -> Result<Vec<Stop>, UpgradeRefusal> {
    let mut ordered: Vec<&SquashCut> = cuts.iter().collect();
    ordered.sort_by(|a, b| a.release.cmp(&b.release));
    let mut current = from.clone();
    let mut stops = Vec::new();
    for cut in ordered {
        if !crosses(&current, to, cut) {
            continue;
        }
        if cut.last_carrier <= current {
            return Err(no_carrier_ahead(&current, to, cut));
        }
        let stop = stable
            .binary_search(&cut.last_carrier)
            .map_or_else(|_| cut.last_carrier.clone(), |i| stable[i].clone());
        stops.push(Stop {
            version: stop.clone(),
            reason: cut.reason(&current),
        });
        current = stop;
    }
    Ok(stops)
}

/// One step under the direct policy: refused when it crosses a squash cut
/// its start has not fully applied.
pub(super) fn check_squash_step(
    from: &Version,
    to: &Version,
    cuts: &[SquashCut],
) -> Result<(), UpgradeRefusal> {
    let Some(cut) = cuts.iter().find(|cut| crosses(from, to, cut)) else {
        return Ok(());
    };
    if cut.last_carrier <= *from {
        return Err(no_carrier_ahead(from, to, cut));
    }
    Err(UpgradeRefusal::new(
        RefusalKind::SkipsSquashCut,
        format!(
            "{from} → {to} jumps over {carrier}: {reason}; stop at {carrier} first",
            carrier = cut.last_carrier,
            reason = cut.reason(from),
        ),
    ))
}

/// Whether upgrading from `from` to `to` reaches the cut's release while the
/// database at `from` lacks some of the migrations it deletes.
fn crosses(from: &Version, to: &Version, cut: &SquashCut) -> bool {
    *from < cut.release && cut.release <= *to && !cut.complete.contains(from)
}

/// `from` lies at or after the last carrier yet lacks the migrations (a
/// release of a branch that never had them all): no stop can help.
fn no_carrier_ahead(from: &Version, to: &Version, cut: &SquashCut) -> UpgradeRefusal {
    UpgradeRefusal::new(
        RefusalKind::SkipsSquashCut,
        format!(
            "{from} → {to} crosses {release}, which deletes {deleted}, replaced by the squashed \
             {squashed}; {from} does not carry them all and no later release before {release} \
             does, so no upgrade path from {from} runs them",
            release = cut.release,
            deleted = cut.deleted_list(),
            squashed = cut.squashed.join(", "),
        ),
    )
}
