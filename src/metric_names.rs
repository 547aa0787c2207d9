//! The names of every Prometheus metric the bot exports, in one place so the
//! server, the engine and the forge clients' layers agree (docs/deployment.md lists
//! them with their labels).

/// Webhook deliveries that passed authentication and parsing, by `forge` and
/// `kind` (the forge's event name).
pub const EVENTS_RECEIVED: &str = "schemagate_events_received_total";
/// Queued webhook events worked to the end, by `forge` and `outcome`
/// (`done`, `dropped`).
pub const EVENTS_PROCESSED: &str = "schemagate_events_processed_total";
/// Attempts at a queued webhook event that failed and will be retried (or
/// were given up), by `forge`.
pub const EVENTS_FAILED: &str = "schemagate_events_failed_total";
/// Every job the workers finished an attempt at, by `work` (`event`,
/// `evaluate`, `reevaluate`, `render_block`, `sync`) and `outcome` (`done`,
/// `dropped`, `retried`, `dead`, `released`, `lease_lost`).
pub const JOBS: &str = "schemagate_jobs_total";
/// Webhook requests refused, by `forge` and `reason` (`unauthorized`,
/// `not_configured`, `too_large`, `malformed`, `store_unavailable`).
pub const WEBHOOKS_REJECTED: &str = "schemagate_webhooks_rejected_total";
/// Jobs in the queue by `state` (`queued`, `running`, `dead`), read from the
/// store on each scrape.
pub const QUEUE_DEPTH: &str = "schemagate_queue_depth";
/// Forge API calls by `forge`, `call` (the `Forge` trait method) and
/// `outcome` (`ok`, `not_found`, `rate_limited`, `unauthorized`,
/// `forbidden`, `transport`, `unexpected`).
pub const FORGE_REQUESTS: &str = "schemagate_forge_requests_total";
/// The rate-limit budget the forge last reported, by forge and resource.
pub const FORGE_RATE_LIMIT_REMAINING: &str = "schemagate_forge_rate_limit_remaining";
/// Gate verdicts the engine set, by `forge` and `verdict`.
pub const GATE_VERDICTS: &str = "schemagate_gate_verdicts_total";
/// Announcement mails the SMTP server accepted, by `kind` (`warning`,
/// `update`, `release`).
pub const ANNOUNCEMENTS_SENT: &str = "schemagate_announcements_sent_total";
/// Announcement sends that failed and will be tried again, by `kind`.
pub const ANNOUNCEMENTS_RETRIED: &str = "schemagate_announcements_retried_total";
/// Announcement mails given up after permanent refusals, by `kind`.
pub const ANNOUNCEMENTS_FAILED: &str = "schemagate_announcements_failed_total";
