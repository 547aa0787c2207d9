//! The integration test binary: one module per area, sharing the fakes.

mod fake_gitlab;
mod forge_gitlab;
mod gitlab_webhooks;
