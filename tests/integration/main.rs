//! The one integration-test binary: a module per area of the product,
//! sharing the fake forges and the git repository builder.

mod fake_github;
mod fake_gitlab;
mod support;

mod announce_sample;
mod announcements;
mod check;
mod ci_files;
mod cli_truths;
mod compat;
mod config;
mod detection;
mod doc_examples;
mod engine;
mod forge_github;
mod forge_gitlab;
mod github_webhooks;
mod gitlab_webhooks;
mod jobs_cli;
mod lava_story;
mod lost_answers;
mod mail;
mod packaging;
mod properties;
mod releases;
mod replicas;
mod scan;
mod scan_conflicts;
mod server;
mod store;
mod store_status;
mod store_steering;
mod upgrade_path;
