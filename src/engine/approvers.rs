//! Who may approve an exception on a project (`/schemagate approve`): a
//! person who can merge there (GitLab Maintainer or higher, GitHub `write`
//! or higher), and, when the project lists approvers, who is also listed by
//! name or is in a listed group or team. The list narrows the merge right,
//! never widens it. The forge's answers are kept for a minute in the
//! engine's [`PeopleCache`]; the rule itself is [`decide`], pure.

mod cache;

pub(crate) use cache::PeopleCache;

use crate::config::Approver;
use crate::engine::Engine;
use crate::engine::access::forge_error;
use crate::engine::failure::{Failure, Step};
use crate::engine::project::ProjectContext;
use crate::forge::{Access, ForgeKind, ProjectPath};
use chrono::{DateTime, Utc};

/// The answer to "may this person approve here?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    /// `needs` is the clause after "but approving needs": `Maintainer on
    /// lava/lava`, or with a list `to be one of the approvers of lava/lava
    /// (alice, group lava/release-managers) and Maintainer there`.
    Refused {
        needs: String,
    },
}

/// Where a person stands against the project's approvers list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// The project lists nobody: merging is enough.
    NoList,
    ByName,
    InGroup,
    Unlisted,
}

/// The lowest rung that can merge: GitLab protects the default branch for
/// Maintainers, GitHub lets `write` merge.
pub(crate) fn merge_rung(forge: ForgeKind) -> Access {
    match forge {
        ForgeKind::GitLab => Access::Maintain,
        ForgeKind::GitHub => Access::Write,
    }
}

/// The rule: able to merge, and listed when there is a list.
pub(crate) fn decide(forge: ForgeKind, access: Access, listing: Listing) -> bool {
    access >= merge_rung(forge) && listing != Listing::Unlisted
}

/// Whether `user` is listed by name (forges compare names without case).
pub(crate) fn listed_by_name(approvers: &[Approver], user: &str) -> bool {
    approvers
        .iter()
        .any(|a| matches!(a, Approver::Person(name) if name.eq_ignore_ascii_case(user)))
}

/// How many approvers a refusal names before "and N more": enough to
/// recognise the list, short enough to keep the sentence one line.
const NAMED: usize = 5;

/// The clause after "but approving needs", one readable clause.
pub(crate) fn needs(forge: ForgeKind, project: &str, approvers: &[Approver]) -> String {
    let role = merge_rung(forge).role_name(forge);
    if approvers.is_empty() {
        return format!("{role} on {project}");
    }
    let group_word = match forge {
        ForgeKind::GitLab => "group",
        ForgeKind::GitHub => "team",
    };
    let named: Vec<String> = (approvers.iter().take(NAMED))
        .map(|approver| match approver {
            Approver::Person(name) => name.clone(),
            Approver::Group(path) => format!("{group_word} {path}"),
        })
        .collect();
    let mut list = named.join(", ");
    if approvers.len() > NAMED {
        list.push_str(&format!(" and {} more", approvers.len() - NAMED));
    }
    format!("to be one of the approvers of {project} ({list}) and {role} there")
}

/// Whether `user` may approve an exception on `project`. A forge error is
/// a failure (and never cached): the handler cannot answer yes or no.
pub(crate) async fn may_approve(project: &ProjectContext<'_>, user: &str) -> Step<Permission> {
    // One reading of the clock for both questions, as an evaluation keeps one.
    let now = project.engine.now();
    let access = access(project, user, now).await?;
    // Without the right to merge no list could help, so no group is asked.
    if access >= merge_rung(project.kind) {
        let listing = listing(project, user, now).await?;
        if decide(project.kind, access, listing) {
            return Ok(Permission::Allowed);
        }
    }
    let approvers = &project.config.commands.approvers;
    let needs = needs(project.kind, project.path().as_str(), approvers);
    Ok(Permission::Refused { needs })
}

/// Listed by name first, which needs no request; then each listed group in
/// order until one says yes.
async fn listing(project: &ProjectContext<'_>, user: &str, now: DateTime<Utc>) -> Step<Listing> {
    let approvers = &project.config.commands.approvers;
    if approvers.is_empty() {
        return Ok(Listing::NoList);
    }
    if listed_by_name(approvers, user) {
        return Ok(Listing::ByName);
    }
    for approver in approvers {
        if let Approver::Group(group) = approver
            && in_group(project, group, user, now).await?
        {
            return Ok(Listing::InGroup);
        }
    }
    Ok(Listing::Unlisted)
}

/// `user`'s role on the project, from the cache or the forge.
async fn access(project: &ProjectContext<'_>, user: &str, now: DateTime<Utc>) -> Step<Access> {
    let (cache, kind, path) = (&project.engine.people, project.kind, project.path());
    if let Some(access) = cache.access(kind, path.as_str(), user, now) {
        return Ok(access);
    }
    let asked = project.forge.access(path, user).await;
    let doing = format!("reading the role of {user} on {path}");
    let access = asked.map_err(|error| forge_error(project, &error, &doing))?;
    cache.keep_access(kind, path.as_str(), user, access, now);
    Ok(access)
}

/// Whether `user` is in `group`, from the cache or the forge.
async fn in_group(
    project: &ProjectContext<'_>,
    group: &str,
    user: &str,
    now: DateTime<Utc>,
) -> Step<bool> {
    let (cache, kind) = (&project.engine.people, project.kind);
    if let Some(member) = cache.in_group(kind, group, user, now) {
        return Ok(member);
    }
    let asked = project.forge.in_group(group, user).await;
    let doing = format!("reading whether {user} is in {group}");
    let member = asked.map_err(|error| forge_error(project, &error, &doing))?;
    cache.keep_in_group(kind, group, user, member, now);
    Ok(member)
}

impl Engine {
    /// Whether `user` may approve an exception on the configured project
    /// `path` on `forge`: [`may_approve`] for callers outside the engine's
    /// jobs, such as tests over HTTP against the fake forges.
    pub async fn may_approve(
        &self,
        forge: ForgeKind,
        path: &ProjectPath,
        user: &str,
    ) -> Result<Permission, Failure> {
        let project = self.project_context(&self.forges, forge, path)?;
        may_approve(&project, user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GL: ForgeKind = ForgeKind::GitLab;
    const GH: ForgeKind = ForgeKind::GitHub;

    fn person(name: &str) -> Approver {
        Approver::Person(name.into())
    }

    fn group(path: &str) -> Approver {
        Approver::Group(path.into())
    }

    #[test]
    fn without_a_list_merging_is_enough_maintainer_on_gitlab_write_on_github() {
        for (forge, access, allowed) in [
            (GL, Access::None, false),
            (GL, Access::Triage, false),
            (GL, Access::Write, false),
            (GL, Access::Maintain, true),
            (GL, Access::Admin, true),
            (GH, Access::Read, false),
            (GH, Access::Triage, false),
            (GH, Access::Write, true),
            (GH, Access::Maintain, true),
            (GH, Access::Admin, true),
        ] {
            let said = decide(forge, access, Listing::NoList);
            assert_eq!(said, allowed, "{forge} {access:?}");
        }
    }

    #[test]
    fn a_list_narrows_the_merge_right_and_never_widens_it() {
        for listing in [Listing::ByName, Listing::InGroup] {
            assert!(decide(GL, Access::Maintain, listing), "{listing:?}");
            assert!(decide(GH, Access::Write, listing), "{listing:?}");
            // Listed, but lost the right to merge.
            assert!(!decide(GL, Access::Write, listing), "{listing:?}");
            assert!(!decide(GH, Access::Read, listing), "{listing:?}");
        }
        assert!(!decide(GL, Access::Admin, Listing::Unlisted));
        assert!(!decide(GH, Access::Admin, Listing::Unlisted));
    }

    #[test]
    fn names_are_listed_without_case_and_groups_are_not_names() {
        let approvers = [person("Alice"), group("bob")];
        assert!(listed_by_name(&approvers, "alice"));
        assert!(listed_by_name(&approvers, "ALICE"));
        assert!(!listed_by_name(&approvers, "bob"), "a group named bob");
        assert!(!listed_by_name(&[], "alice"));
    }

    #[test]
    fn needs_names_the_role_and_the_list_in_one_clause() {
        assert_eq!(needs(GL, "lava/lava", &[]), "Maintainer on lava/lava");
        assert_eq!(needs(GH, "owner/repo", &[]), "write on owner/repo");
        let listed = [person("alice"), group("lava/release-managers")];
        assert_eq!(
            needs(GL, "lava/lava", &listed),
            "to be one of the approvers of lava/lava (alice, group lava/release-managers) and Maintainer there"
        );
        assert_eq!(
            needs(GH, "owner/repo", &[group("owner/rm")]),
            "to be one of the approvers of owner/repo (team owner/rm) and write there"
        );
    }

    #[test]
    fn a_long_list_is_named_in_part() {
        let many: Vec<Approver> = (1..=8).map(|i| person(&format!("p{i}"))).collect();
        assert_eq!(
            needs(GL, "lava/lava", &many),
            "to be one of the approvers of lava/lava (p1, p2, p3, p4, p5 and 3 more) and Maintainer there"
        );
        assert!(needs(GL, "lava/lava", &many[..5]).contains("(p1, p2, p3, p4, p5)"));
    }
}
