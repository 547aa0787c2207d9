//! The one integration test binary: a module per area, sharing the fakes.

mod fake_github;
mod forge_github;
mod github_webhooks;
