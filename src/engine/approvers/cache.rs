//! The forge's answers about people (a person's role on a project, whether
//! they are in a group or team), kept for [`TTL`] so a burst of commands
//! costs one look-up. Yes and no are kept alike; an error is never kept, so
//! the next command asks again. Keys ignore case, as both forges do, and
//! the cache holds at most [`MAX_ENTRIES`] answers, so no stream of made-up
//! names can grow it without limit.

use crate::forge::{Access, ForgeKind};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long an answer is trusted. Safe because a permission change (a
/// Maintainer demoted, someone taken off the release team) takes effect
/// within a minute at most; approving is rare and recorded with who
/// approved, so an approval made in that minute is seen and can be
/// withdrawn; and the commands of one person come in bursts (a comment, its
/// edit, a second command), which one answer serves.
pub(crate) const TTL: TimeDelta = TimeDelta::seconds(60);

/// The most answers kept: far more distinct people than comment in a
/// minute, small enough (a few MB at most) that a flood of made-up names
/// costs nothing. When full, expired answers go first, then the oldest.
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// What was asked, of whom: `subject` is the project path (for a role) or
/// the group path (for membership), lowercased like `user`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    forge: ForgeKind,
    question: Question,
    subject: String,
    user: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Question {
    Access,
    InGroup,
}

#[derive(Debug, Clone, Copy)]
enum Answer {
    Access(Access),
    InGroup(bool),
}

#[derive(Debug)]
struct Entry {
    answer: Answer,
    at: DateTime<Utc>,
}

/// The answers, shared by every job of the engine.
#[derive(Debug, Default)]
pub(crate) struct PeopleCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl PeopleCache {
    /// `user`'s role on `project`, when asked less than [`TTL`] before `now`.
    pub(crate) fn access(
        &self,
        forge: ForgeKind,
        project: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Option<Access> {
        match self.get(key(forge, Question::Access, project, user), now)? {
            Answer::Access(access) => Some(access),
            Answer::InGroup(_) => None,
        }
    }

    /// Keeps the forge's answer to [`PeopleCache::access`], as of `now`.
    pub(crate) fn keep_access(
        &self,
        forge: ForgeKind,
        project: &str,
        user: &str,
        access: Access,
        now: DateTime<Utc>,
    ) {
        let key = key(forge, Question::Access, project, user);
        self.put(key, Answer::Access(access), now);
    }

    /// Whether `user` is in `group`, when asked less than [`TTL`] before `now`.
    pub(crate) fn in_group(
        &self,
        forge: ForgeKind,
        group: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Option<bool> {
        match self.get(key(forge, Question::InGroup, group, user), now)? {
            Answer::InGroup(member) => Some(member),
            Answer::Access(_) => None,
        }
    }

    /// Keeps the forge's answer to [`PeopleCache::in_group`], as of `now`.
    pub(crate) fn keep_in_group(
        &self,
        forge: ForgeKind,
        group: &str,
        user: &str,
        member: bool,
        now: DateTime<Utc>,
    ) {
        let key = key(forge, Question::InGroup, group, user);
        self.put(key, Answer::InGroup(member), now);
    }

    fn get(&self, key: Key, now: DateTime<Utc>) -> Option<Answer> {
        let mut entries = self.entries.lock().expect("people cache");
        match entries.get(&key) {
            Some(entry) if fresh(entry.at, now) => Some(entry.answer),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    fn put(&self, key: Key, answer: Answer, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().expect("people cache");
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.retain(|_, entry| fresh(entry.at, now));
            // Still full of fresh answers: a flood of names; the oldest goes.
            if entries.len() >= MAX_ENTRIES {
                let oldest = entries.iter().min_by_key(|(_, entry)| entry.at);
                if let Some(oldest) = oldest.map(|(key, _)| key.clone()) {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key, Entry { answer, at: now });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().expect("people cache").len()
    }
}

fn key(forge: ForgeKind, question: Question, subject: &str, user: &str) -> Key {
    Key {
        forge,
        question,
        subject: subject.to_lowercase(),
        user: user.to_lowercase(),
    }
}

/// Kept at `at`, still trusted at `now`. A clock set back makes an answer
/// stale rather than trusted for longer.
fn fresh(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at <= now && now - at < TTL
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const GL: ForgeKind = ForgeKind::GitLab;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    #[test]
    fn an_answer_is_kept_for_the_ttl_yes_and_no_alike() {
        let cache = PeopleCache::default();
        let t = start();
        cache.keep_access(GL, "lava/lava", "bob", Access::Write, t);
        cache.keep_in_group(GL, "lava/rm", "bob", false, t);
        let just_before = t + TTL - TimeDelta::seconds(1);
        assert_eq!(
            cache.access(GL, "lava/lava", "bob", just_before),
            Some(Access::Write)
        );
        assert_eq!(
            cache.in_group(GL, "lava/rm", "bob", just_before),
            Some(false)
        );
        assert_eq!(cache.access(GL, "lava/lava", "bob", t + TTL), None);
        assert_eq!(cache.in_group(GL, "lava/rm", "bob", t + TTL), None);
        assert_eq!(cache.len(), 0, "a stale answer is dropped when found");
    }

    #[test]
    fn keys_ignore_case_and_keep_forge_question_and_subject_apart() {
        let cache = PeopleCache::default();
        let t = start();
        cache.keep_access(GL, "Lava/Lava", "Bob", Access::Maintain, t);
        assert_eq!(
            cache.access(GL, "lava/lava", "BOB", t),
            Some(Access::Maintain)
        );
        assert_eq!(cache.access(ForgeKind::GitHub, "lava/lava", "bob", t), None);
        assert_eq!(cache.access(GL, "lava/other", "bob", t), None);
        assert_eq!(
            cache.in_group(GL, "lava/lava", "bob", t),
            None,
            "a role is not a membership"
        );
    }

    #[test]
    fn a_clock_set_back_makes_an_answer_stale() {
        let cache = PeopleCache::default();
        cache.keep_in_group(GL, "lava", "bob", true, start());
        let earlier = start() - TimeDelta::seconds(1);
        assert_eq!(cache.in_group(GL, "lava", "bob", earlier), None);
    }

    #[test]
    fn a_full_cache_drops_expired_answers_then_the_oldest() {
        let cache = PeopleCache::default();
        let t = start();
        cache.keep_access(GL, "p", "expired", Access::Write, t - TTL);
        cache.keep_access(GL, "p", "oldest", Access::Write, t - TimeDelta::seconds(30));
        for i in 0..MAX_ENTRIES - 2 {
            cache.keep_access(GL, "p", &format!("user{i}"), Access::Read, t);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        cache.keep_access(GL, "p", "newcomer", Access::Read, t);
        assert_eq!(cache.len(), MAX_ENTRIES, "the expired answer made room");
        assert_eq!(
            cache.access(GL, "p", "oldest", t),
            Some(Access::Write),
            "fresh answers stay while an expired one can go"
        );
        cache.keep_access(GL, "p", "another", Access::Read, t);
        assert_eq!(cache.len(), MAX_ENTRIES, "never more than the bound");
        assert_eq!(cache.access(GL, "p", "oldest", t), None, "the oldest went");
        assert_eq!(cache.access(GL, "p", "another", t), Some(Access::Read));
        // Answering again for someone known replaces, and evicts nobody.
        cache.keep_access(GL, "p", "another", Access::Write, t);
        assert_eq!(cache.access(GL, "p", "newcomer", t), Some(Access::Read));
    }
}
