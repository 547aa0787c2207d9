//! The milestones of each project, cached per process and checked against
//! the store's milestone epoch (one cheap read): any replica that handles a
//! milestone event bumps the epoch, so every replica refetches on its next
//! use instead of deciding on a stale list.

use crate::core::ids::ProjectKey;
use crate::core::types::{Milestone, MilestoneId};
use crate::engine::access::forge_error;
use crate::engine::failure::Step;
use crate::engine::project::ProjectContext;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Key = ProjectKey;
/// A milestone list and the epoch it was read at.
type Entry = (i64, Arc<Vec<Milestone>>);

#[derive(Default)]
pub(crate) struct MilestoneCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl MilestoneCache {
    fn get(&self, key: &Key, epoch: i64) -> Option<Arc<Vec<Milestone>>> {
        let entries = self.entries.lock().expect("milestone cache");
        entries
            .get(key)
            .filter(|(cached_epoch, _)| *cached_epoch == epoch)
            .map(|(_, list)| list.clone())
    }

    fn put(&self, key: Key, epoch: i64, list: Arc<Vec<Milestone>>) {
        self.entries
            .lock()
            .expect("milestone cache")
            .insert(key, (epoch, list));
    }

    /// Records a description the bot just wrote, so the cache stays true.
    fn set_description(&self, key: &Key, milestone: MilestoneId, description: &str) {
        let mut entries = self.entries.lock().expect("milestone cache");
        if let Some((_, list)) = entries.get_mut(key) {
            let mut updated = list.as_ref().clone();
            if let Some(m) = updated.iter_mut().find(|m| m.id == milestone) {
                m.description = description.to_string();
            }
            *list = Arc::new(updated);
        }
    }
}

fn key(project: &ProjectContext) -> Key {
    project.key()
}

/// The project's milestones, from the cache while the epoch is unchanged.
pub(crate) async fn milestones(project: &ProjectContext<'_>) -> Step<Arc<Vec<Milestone>>> {
    let epoch = milestones_epoch(project).await?;
    if let Some(list) = project.engine.milestone_cache.get(&key(project), epoch) {
        return Ok(list);
    }
    fetch_milestones(project, epoch).await
}

/// The project's milestones read fresh from the forge (and cached).
pub(crate) async fn fresh_milestones(project: &ProjectContext<'_>) -> Step<Arc<Vec<Milestone>>> {
    let epoch = milestones_epoch(project).await?;
    fetch_milestones(project, epoch).await
}

/// The store's count of the project's milestone changes: a cached list
/// of an older epoch is stale.
async fn milestones_epoch(project: &ProjectContext<'_>) -> Step<i64> {
    Ok(project
        .store()
        .milestones_epoch(project.kind, &project.config.path)
        .await?)
}

/// Whether the project's milestones, read fresh, differ from the cached
/// list only in their descriptions (which no decision reads). The fresh
/// list replaces the cached one either way.
pub(crate) async fn only_descriptions_changed(project: &ProjectContext<'_>) -> Step<bool> {
    let epoch = project
        .store()
        .milestones_epoch(project.kind, &project.config.path)
        .await?;
    let Some(cached) = project.engine.milestone_cache.get(&key(project), epoch) else {
        return Ok(false);
    };
    let fresh = fetch_milestones(project, epoch).await?;
    let without_description = |list: &[Milestone]| -> Vec<Milestone> {
        list.iter()
            .map(|m| Milestone {
                description: String::new(),
                ..m.clone()
            })
            .collect()
    };
    Ok(without_description(&cached) == without_description(&fresh))
}

/// Reads the list after the epoch, so a bump in between makes the next
/// reader fetch again rather than trust this list; records it for the
/// status page.
async fn fetch_milestones(project: &ProjectContext<'_>, epoch: i64) -> Step<Arc<Vec<Milestone>>> {
    let list = project
        .forge
        .milestones(project.path())
        .await
        .map_err(|e| forge_error(project, &e, "listing milestones"))?;
    // The status page shows the list as last read, with no forge request.
    project
        .store()
        .save_milestones(&key(project), &list)
        .await?;
    let list = Arc::new(list);
    project
        .engine
        .milestone_cache
        .put(key(project), epoch, list.clone());
    Ok(list)
}

pub(crate) fn cache_milestone_description(
    project: &ProjectContext<'_>,
    milestone: MilestoneId,
    description: &str,
) {
    project
        .engine
        .milestone_cache
        .set_description(&key(project), milestone, description);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::types::MilestoneState;

    fn list(title: &str) -> Arc<Vec<Milestone>> {
        Arc::new(vec![Milestone {
            id: MilestoneId(1),
            title: title.into(),
            state: MilestoneState::Open,
            start_date: None,
            due_date: None,
            description: String::new(),
            web_url: None,
        }])
    }

    #[test]
    fn a_bumped_epoch_makes_the_cached_list_stale() {
        let cache = MilestoneCache::default();
        let key = ProjectKey::new(crate::forge::ForgeKind::GitLab, "lava/lava");
        cache.put(key.clone(), 3, list("2026.11"));
        assert!(cache.get(&key, 3).is_some());
        assert!(cache.get(&key, 4).is_none());
    }

    #[test]
    fn the_bots_own_description_edit_updates_the_cached_list() {
        let cache = MilestoneCache::default();
        let key = ProjectKey::new(crate::forge::ForgeKind::GitHub, "o/r");
        cache.put(key.clone(), 1, list("2026.11"));
        cache.set_description(&key, MilestoneId(1), "block");
        assert_eq!(cache.get(&key, 1).unwrap()[0].description, "block");
    }
}
