//! The metering layer of a forge client: every `Forge` call is counted in
//! `schemagate_forge_requests_total{forge, call, outcome}` (once per trait
//! call: a call's pages and retries are one), and the client remembers
//! whether the forge last answered or could not be reached, so `/healthz`
//! can report it without sending requests of its own.

use super::{ForgeError, ForgeKind};
use crate::metric_names::FORGE_REQUESTS;
use std::sync::Mutex;
use std::time::SystemTime;

/// What the last calls said about the forge's reachability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForgeHealth {
    /// No call yet: nothing is known (reported as `ok`, see docs/deployment.md).
    Untried,
    /// The last call the forge answered came after the last outage.
    Ok,
    /// The most recent call failed in a way that means the forge is unusable:
    /// unreachable, 5xx after retries, or the token rejected.
    Down { reason: String, since: SystemTime },
}

/// One client's count label and health; its fenced copies share it.
#[derive(Debug)]
pub struct Meter {
    label: &'static str,
    health: Mutex<ForgeHealth>,
}

impl Meter {
    pub fn new(kind: ForgeKind) -> Meter {
        Meter {
            label: kind.name(),
            health: Mutex::new(ForgeHealth::Untried),
        }
    }

    pub fn health(&self) -> ForgeHealth {
        self.health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Counts the finished trait call `call` and learns from its result.
    pub fn observe<T>(
        &self,
        call: &'static str,
        result: Result<T, ForgeError>,
    ) -> Result<T, ForgeError> {
        let outcome = outcome_label(&result);
        metrics::counter!(FORGE_REQUESTS, "forge" => self.label, "call" => call, "outcome" => outcome)
            .increment(1);
        let mut health = self
            .health
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &result {
            Err(error) if means_down(error) => {
                // Keep the start of an outage, refresh only its reason.
                let since = match &*health {
                    ForgeHealth::Down { since, .. } => *since,
                    _ => SystemTime::now(),
                };
                *health = ForgeHealth::Down {
                    reason: error.to_string(),
                    since,
                };
            }
            // Any other answer (404, 403, 429 included) proves the forge is up.
            _ => *health = ForgeHealth::Ok,
        }
        drop(health);
        result
    }
}

fn outcome_label<T>(result: &Result<T, ForgeError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(ForgeError::NotFound(_)) => "not_found",
        Err(ForgeError::RateLimited { .. }) => "rate_limited",
        Err(ForgeError::Unauthorized) => "unauthorized",
        Err(ForgeError::Forbidden(_)) => "forbidden",
        Err(ForgeError::Transport(_)) => "transport",
        Err(ForgeError::Unexpected { .. }) => "unexpected",
        Err(ForgeError::LeaseLost) => "lease_lost",
        Err(ForgeError::Observing) => "observing",
    }
}

fn means_down(error: &ForgeError) -> bool {
    match error {
        ForgeError::Transport(_) | ForgeError::Unauthorized => true,
        ForgeError::Unexpected { status, .. } => *status >= 500,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meter() -> Meter {
        Meter::new(ForgeKind::GitLab)
    }

    fn failed(meter: &Meter, error: &ForgeError) {
        let result: Result<(), _> = meter.observe("milestones", Err(error.clone()));
        assert!(result.is_err());
    }

    #[test]
    fn a_forge_never_called_is_untried() {
        assert_eq!(meter().health(), ForgeHealth::Untried);
    }

    #[test]
    fn a_transport_failure_marks_the_forge_down_until_it_answers_again() {
        let meter = meter();
        failed(&meter, &ForgeError::Transport("connection refused".into()));
        let ForgeHealth::Down { reason, since } = meter.health() else {
            panic!("expected down, got {:?}", meter.health());
        };
        assert!(reason.contains("connection refused"), "{reason}");

        // A second failure keeps the outage's start.
        failed(&meter, &ForgeError::Unauthorized);
        assert!(matches!(meter.health(), ForgeHealth::Down { since: again, .. } if again == since));

        meter.observe("milestones", Ok(())).unwrap();
        assert_eq!(meter.health(), ForgeHealth::Ok);
    }

    #[test]
    fn answers_that_are_errors_still_prove_the_forge_is_up() {
        for error in [
            ForgeError::NotFound("gone".into()),
            ForgeError::Forbidden("read-only".into()),
            ForgeError::RateLimited { retry_after: None },
            ForgeError::Unexpected {
                status: 422,
                body: String::new(),
            },
        ] {
            let meter = meter();
            failed(&meter, &error);
            assert_eq!(meter.health(), ForgeHealth::Ok, "after {error:?}");
        }
    }

    #[test]
    fn server_errors_and_a_rejected_token_mean_down() {
        for error in [
            ForgeError::Unexpected {
                status: 502,
                body: "bad gateway".into(),
            },
            ForgeError::Unauthorized,
        ] {
            let meter = meter();
            failed(&meter, &error);
            assert!(
                matches!(meter.health(), ForgeHealth::Down { .. }),
                "after {error:?}"
            );
        }
    }

    #[test]
    fn every_error_kind_has_its_own_outcome_label() {
        let labels = [
            outcome_label::<()>(&Ok(())),
            outcome_label::<()>(&Err(ForgeError::NotFound(String::new()))),
            outcome_label::<()>(&Err(ForgeError::RateLimited { retry_after: None })),
            outcome_label::<()>(&Err(ForgeError::Unauthorized)),
            outcome_label::<()>(&Err(ForgeError::Forbidden(String::new()))),
            outcome_label::<()>(&Err(ForgeError::Transport(String::new()))),
            outcome_label::<()>(&Err(ForgeError::Unexpected {
                status: 500,
                body: String::new(),
            })),
            outcome_label::<()>(&Err(ForgeError::LeaseLost)),
            outcome_label::<()>(&Err(ForgeError::Observing)),
        ];
        let unique: std::collections::BTreeSet<_> = labels.iter().collect();
        assert_eq!(unique.len(), labels.len());
    }
}
