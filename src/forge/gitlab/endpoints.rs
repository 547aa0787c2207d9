//! GitLab REST endpoints the `gitlab` crate lacks, as small `Endpoint` impls:
//! the project milestone list with group (ancestor) milestones, editing
//! a project or group milestone's description, an item's resource events,
//! and one member of a group counting inherited memberships.
//!
//! Shapes from docs.gitlab.com/api/milestones and /api/group_milestones:
//! `GET /projects/:id/milestones?include_ancestors=true` (16.7+; older
//! instances accept `include_parent_milestones`), `PUT /projects/:id/milestones/:milestone_id`,
//! `PUT /groups/:id/milestones/:milestone_id`, each taking `description`;
//! from docs.gitlab.com/api/members: `GET /groups/:id/members/all/:user_id`
//! (the crate has the project form, `AllProjectMember`, but not this one);
//! from docs.gitlab.com/api/repositories: `GET /projects/:id/repository/tree`
//! with `path`, `ref` and `recursive` in the query (the crate's `Tree` sends
//! them as a form body on the GET, which GitLab documents nowhere and a proxy
//! may drop, and asks for keyset paging, which GitLab honours for trees only
//! since 17.1; offset paging works on every version).

use gitlab::api::common::NameOrId;
use gitlab::api::endpoint_prelude::*;

/// `GET /projects/:id/milestones`: open and closed milestones of the project
/// and, with `include_ancestors`, of every parent group.
#[derive(Debug, Clone)]
pub struct ProjectMilestones<'a> {
    pub project: NameOrId<'a>,
    pub include_ancestors: bool,
}

impl Endpoint for ProjectMilestones<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("projects/{}/milestones", self.project).into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        params.push("include_ancestors", self.include_ancestors);
        params
    }
}

impl Pageable for ProjectMilestones<'_> {}

/// Where a milestone lives, which decides the URL that edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneOwner {
    Project,
    /// A group milestone, with the group's numeric id.
    Group(u64),
}

/// `PUT /projects/:id/milestones/:milestone_id` or
/// `PUT /groups/:id/milestones/:milestone_id`, setting the description.
#[derive(Debug, Clone)]
pub struct EditMilestoneDescription<'a> {
    pub project: NameOrId<'a>,
    pub owner: MilestoneOwner,
    /// The milestone's global id (not its iid).
    pub milestone: u64,
    pub description: Cow<'a, str>,
}

impl Endpoint for EditMilestoneDescription<'_> {
    fn method(&self) -> Method {
        Method::PUT
    }

    fn endpoint(&self) -> Cow<'static, str> {
        match self.owner {
            MilestoneOwner::Project => {
                format!("projects/{}/milestones/{}", self.project, self.milestone).into()
            }
            MilestoneOwner::Group(group) => {
                format!("groups/{group}/milestones/{}", self.milestone).into()
            }
        }
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
        let mut params = FormParams::default();
        params.push("description", self.description.as_ref());
        params.into_body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> NameOrId<'static> {
        "lava/lava".into()
    }

    #[test]
    fn milestone_list_asks_for_ancestor_milestones_on_the_escaped_project() {
        let endpoint = ProjectMilestones {
            project: project(),
            include_ancestors: true,
        };
        assert_eq!(endpoint.endpoint(), "projects/lava%2Flava/milestones");
        assert_eq!(endpoint.method(), Method::GET);
    }

    #[test]
    fn group_milestones_are_edited_through_their_group() {
        let group = EditMilestoneDescription {
            project: project(),
            owner: MilestoneOwner::Group(35),
            milestone: 42,
            description: "text".into(),
        };
        assert_eq!(group.endpoint(), "groups/35/milestones/42");
        let own = EditMilestoneDescription {
            owner: MilestoneOwner::Project,
            ..group.clone()
        };
        assert_eq!(own.endpoint(), "projects/lava%2Flava/milestones/42");
        let (mime, body) = own.body().unwrap().unwrap();
        assert_eq!(mime, "application/x-www-form-urlencoded");
        assert_eq!(body, b"description=text");
    }

    #[test]
    fn a_tree_is_asked_for_in_the_query_not_in_a_body() {
        let endpoint = RepositoryTree {
            project: project(),
            path: Some("db/migrations".into()),
            reference: "6104942438c14ec7bd21c6cd5bd995272b3faff6".into(),
            recursive: true,
        };
        assert_eq!(endpoint.endpoint(), "projects/lava%2Flava/repository/tree");
        assert_eq!(endpoint.method(), Method::GET);
        assert!(endpoint.body().unwrap().is_none());
        let mut url = url::Url::parse("https://gitlab.example/api/v4/x").unwrap();
        endpoint.parameters().add_to_url(&mut url);
        assert_eq!(
            url.query(),
            Some(
                "path=db%2Fmigrations&ref=6104942438c14ec7bd21c6cd5bd995272b3faff6&recursive=true"
            )
        );
    }

    #[test]
    fn a_group_member_is_asked_for_through_the_escaped_group_path() {
        let endpoint = AllGroupMember {
            group: "lava/release-managers".into(),
            user: 7,
        };
        assert_eq!(
            endpoint.endpoint(),
            "groups/lava%2Frelease-managers/members/all/7"
        );
        assert_eq!(endpoint.method(), Method::GET);
    }
}

/// `GET /projects/:id/{merge_requests,issues}/:iid/resource_{label,milestone}_events`:
/// who added or removed a label or milestone, and when.
#[derive(Debug, Clone)]
pub struct ResourceEvents<'a> {
    pub project: NameOrId<'a>,
    /// `merge_requests` or `issues`.
    pub items: &'static str,
    pub number: u64,
    /// `resource_label_events` or `resource_milestone_events`.
    pub events: &'static str,
}

impl Endpoint for ResourceEvents<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!(
            "projects/{}/{}/{}/{}",
            self.project, self.items, self.number, self.events
        )
        .into()
    }
}

impl Pageable for ResourceEvents<'_> {}

/// `GET /groups/:id/members/all/:user_id`: the user's membership of the
/// group, through the group itself or any ancestor group.
#[derive(Debug, Clone)]
pub struct AllGroupMember<'a> {
    /// The group's id or full path (escaped as one path segment).
    pub group: NameOrId<'a>,
    pub user: u64,
}

impl Endpoint for AllGroupMember<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("groups/{}/members/all/{}", self.group, self.user).into()
    }
}

/// `GET /projects/:id/repository/tree?path=&ref=&recursive=`: the entries
/// (`blob`, `tree`, `commit` for a submodule) under `path` at `ref`.
#[derive(Debug, Clone)]
pub struct RepositoryTree<'a> {
    pub project: NameOrId<'a>,
    /// From the repository root; `None` for the whole repository.
    pub path: Option<Cow<'a, str>>,
    /// A commit sha, branch or tag.
    pub reference: Cow<'a, str>,
    pub recursive: bool,
}

impl Endpoint for RepositoryTree<'_> {
    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Cow<'static, str> {
        format!("projects/{}/repository/tree", self.project).into()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = QueryParams::default();
        params
            .push_opt("path", self.path.as_ref())
            .push("ref", self.reference.as_ref())
            .push("recursive", self.recursive);
        params
    }
}

impl Pageable for RepositoryTree<'_> {}
