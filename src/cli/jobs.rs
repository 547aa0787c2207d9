//! `schemagate jobs`: the queue's jobs as the store records them (dead ones
//! by default: those given up after their last attempt), and `--retry` to put
//! dead jobs back in the queue with their attempts reset.

use super::runtime::tokio_runtime;
use crate::cli::{Format, Settings};
use crate::store::{JobId, JobSummary, Store};
use anyhow::{Result, bail};
use clap::Args;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Which jobs to list: `dead` (the default), `queued`, `running`, `done` or `all`.
    #[arg(long, default_value = "dead")]
    pub state: String,

    /// Put these dead jobs (by id) back in the queue; `--retry all` retries every dead job.
    #[arg(long, value_name = "ID|all", num_args = 1..)]
    pub retry: Vec<String>,
}

const STATES: [&str; 5] = ["dead", "queued", "running", "done", "all"];

pub fn run(args: JobsArgs, settings: &Settings) -> Result<ExitCode> {
    if !STATES.contains(&args.state.as_str()) {
        bail!(
            "unknown job state `{}`; use one of {}",
            args.state,
            STATES.join(", ")
        );
    }
    let retry = retry_ids(&args.retry)?;
    let config = settings.config()?;
    let runtime = tokio_runtime()?;
    let (requeued, jobs) = runtime.block_on(async {
        let store = Store::connect(&config.server.database).await?;
        let requeued = match &retry {
            Some(ids) => Some(store.retry_dead(ids.as_deref()).await?),
            None => None,
        };
        anyhow::Ok((requeued, store.jobs().await?))
    })?;
    let listed: Vec<&JobSummary> = jobs
        .iter()
        .filter(|j| args.state == "all" || j.state == args.state)
        .collect();
    if settings.format == Format::Json {
        print_json(&listed, requeued);
    } else {
        print_text(&args.state, &listed, requeued);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_json(listed: &[&JobSummary], requeued: Option<Vec<JobId>>) {
    let list: Vec<_> = listed
        .iter()
        .map(|j| {
            json!({"id": j.id.0, "serial_key": j.serial_key, "state": j.state,
                   "claims": j.claims, "completions": j.completions, "last_error": j.last_error})
        })
        .collect();
    let requeued: Option<Vec<i64>> = requeued.map(|ids| ids.iter().map(|i| i.0).collect());
    println!("{}", json!({"jobs": list, "requeued": requeued}));
}

fn print_text(state: &str, listed: &[&JobSummary], requeued: Option<Vec<JobId>>) {
    if let Some(ids) = &requeued {
        match ids.as_slice() {
            [] => println!("no dead job to retry"),
            ids => println!(
                "requeued {}",
                ids.iter()
                    .map(|i| format!("job {}", i.0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    if listed.is_empty() {
        println!("no {state} jobs");
    }
    for job in listed {
        println!(
            "job {} [{}] {} — claimed {} time(s){}",
            job.id.0,
            job.state,
            job.serial_key,
            job.claims,
            job.last_error
                .as_deref()
                .map_or(String::new(), |e| format!(": {e}"))
        );
    }
}

/// `None` without `--retry`; `Some(None)` for `all`; else the ids.
fn retry_ids(words: &[String]) -> Result<Option<Option<Vec<JobId>>>> {
    if words.is_empty() {
        return Ok(None);
    }
    if words.iter().any(|w| w == "all") {
        return Ok(Some(None));
    }
    let ids = words
        .iter()
        .map(|w| {
            w.parse::<i64>()
                .map(JobId)
                .map_err(|_| anyhow::anyhow!("`{w}` is not a job id; use a number or `all`"))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(Some(ids)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_takes_ids_or_all_and_refuses_words() {
        assert_eq!(retry_ids(&[]).unwrap(), None);
        assert_eq!(retry_ids(&["all".into()]).unwrap(), Some(None));
        assert_eq!(
            retry_ids(&["3".into(), "9".into()]).unwrap(),
            Some(Some(vec![JobId(3), JobId(9)]))
        );
        assert!(retry_ids(&["three".into()]).is_err());
    }
}
