//! Shared helpers for the integration tests.

pub mod check;
pub mod db;
pub mod git_repo;
pub mod serve;
pub mod smtp;
pub mod webhooks;
