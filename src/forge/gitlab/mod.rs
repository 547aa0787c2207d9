//! GitLab: the REST client behind the `Forge` trait and the webhook parser.

pub mod client;
mod comments;
pub mod endpoints;
mod history;
mod item_updates;
pub mod model;
mod people;
mod repository;
pub mod transport;
pub mod webhook;

pub use client::{GitLabClient, GitLabSettings};
