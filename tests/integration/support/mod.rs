//! Shared helpers for the integration tests.

pub mod git_repo;
pub mod serve;
pub mod webhooks;
