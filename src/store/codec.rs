//! How values are spelled in the database: enums as stable words, numbers as
//! `i64` (the Any driver's integer), structured values as JSON text. Project
//! paths are lowercased by `core::ids::path_key`.

use super::{AnnouncementKind, StoreError};
use crate::core::exceptions::Outcome;
use crate::forge::{ForgeKind, ItemKind};
use serde::Serialize;
use std::sync::Arc;

pub(crate) fn parse_forge(word: &str, table: &'static str) -> Result<ForgeKind, StoreError> {
    match word {
        "gitlab" => Ok(ForgeKind::GitLab),
        "github" => Ok(ForgeKind::GitHub),
        other => Err(corrupt(table, format!("unknown forge `{other}`"))),
    }
}

pub(crate) fn item_kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::MergeRequest => "merge_request",
        ItemKind::Issue => "issue",
    }
}

pub(crate) fn announcement_kind_word(kind: AnnouncementKind) -> &'static str {
    match kind {
        AnnouncementKind::Warning => "warning",
        AnnouncementKind::Update => "update",
        AnnouncementKind::ReleaseNotice => "release_notice",
    }
}

pub(crate) fn parse_announcement_kind(word: &str) -> Result<AnnouncementKind, StoreError> {
    match word {
        "warning" => Ok(AnnouncementKind::Warning),
        "update" => Ok(AnnouncementKind::Update),
        "release_notice" => Ok(AnnouncementKind::ReleaseNotice),
        other => Err(corrupt(
            "announcements",
            format!("unknown announcement kind `{other}`"),
        )),
    }
}

pub(crate) fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Acted => "acted",
        Outcome::Refused => "refused",
        Outcome::Invalid => "invalid",
    }
}

pub(crate) fn parse_outcome(word: &str) -> Result<Outcome, StoreError> {
    match word {
        "acted" => Ok(Outcome::Acted),
        "refused" => Ok(Outcome::Refused),
        "invalid" => Ok(Outcome::Invalid),
        other => Err(corrupt(
            "item_commands",
            format!("unknown command outcome `{other}`"),
        )),
    }
}

/// A forge number (MR, issue, milestone id) as a column value. Forge numbers
/// are far below `i64::MAX`; a larger one cannot come from a real forge.
pub(crate) fn to_i64(number: impl Into<u64>) -> Result<i64, StoreError> {
    let number: u64 = number.into();
    i64::try_from(number).map_err(|_| StoreError::NumberTooLarge(number))
}

pub(crate) fn to_u64(value: i64, table: &'static str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(table, format!("negative number {value}")))
}

/// A counter column (claims, attempts) as the API's `u32`.
pub(crate) fn to_u32(value: i64, table: &'static str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(table, format!("counter out of range: {value}")))
}

pub(crate) fn corrupt(table: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table,
        reason: reason.into(),
        source: None,
    }
}

/// A row whose JSON text does not parse, keeping the parser's error as the source.
pub(crate) fn corrupt_json(
    table: &'static str,
    reason: String,
    error: serde_json::Error,
) -> StoreError {
    StoreError::Corrupt {
        table,
        reason,
        source: Some(Arc::new(error)),
    }
}

/// Our own value as its column's JSON text. Our types always serialise; an
/// error here is a bug, reported as a store error with serde's as its source.
pub(crate) fn to_json(value: &(impl Serialize + ?Sized)) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Encode(Arc::new(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for forge in [ForgeKind::GitLab, ForgeKind::GitHub] {
            assert_eq!(parse_forge(forge.name(), "t").unwrap(), forge);
        }
        for kind in [
            AnnouncementKind::Warning,
            AnnouncementKind::Update,
            AnnouncementKind::ReleaseNotice,
        ] {
            assert_eq!(
                parse_announcement_kind(announcement_kind_word(kind)).unwrap(),
                kind
            );
        }
        for outcome in [Outcome::Acted, Outcome::Refused, Outcome::Invalid] {
            assert_eq!(parse_outcome(outcome_word(outcome)).unwrap(), outcome);
        }
        assert!(parse_forge("bitbucket", "t").is_err());
        assert!(parse_outcome("done").is_err());
    }

    #[test]
    fn numbers_out_of_range_are_errors_not_wraparounds() {
        assert!(to_i64(u64::MAX).is_err());
        assert!(to_u64(-1, "jobs").is_err());
        assert!(to_u32(i64::from(u32::MAX) + 1, "jobs").is_err());
        assert_eq!(to_u64(42, "jobs").unwrap(), 42);
    }
}
