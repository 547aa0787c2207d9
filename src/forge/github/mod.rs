//! GitHub behind the [`Forge`](crate::forge::Forge) trait: the REST client
//! (personal token or GitHub App, through octocrab), webhook signature
//! checking and webhook payload translation into the work they ask for.

mod app;
mod check_runs;
pub mod client;
mod comments;
mod history;
mod model;
mod people;
mod repository;
mod rest;
pub mod signature;
pub mod webhook;

pub use client::GitHubClient;
pub use history::ACTIONS_ACCOUNT;
pub use signature::{SignatureError, sign, verify_signature};
pub use webhook::parse_event;
