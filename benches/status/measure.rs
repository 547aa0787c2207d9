//! The timings: sequential GETs over one keep-alive connection, each from
//! sending the request to the last byte of the body; and the same work
//! in-process, without HTTP, in its three parts.

use minijinja::value::{Serde, Value};
use schemagate::config::Config;
use schemagate::forge::ForgeKind;
use schemagate::server::status::gather::{Surroundings, project_status};
use schemagate::server::status::pages::{Frame, StatusPages};
use schemagate::store::Store;
use std::time::{Duration, Instant};

/// Sorted durations of one kind of request, and the size of its answer.
pub struct Timings {
    pub sorted: Vec<Duration>,
    /// The smallest and largest answer, in bytes (the page carries the time,
    /// so its size may vary by a few bytes).
    pub bytes: (usize, usize),
}

impl Timings {
    fn of(mut times: Vec<Duration>, bytes: (usize, usize)) -> Timings {
        times.sort();
        Timings {
            sorted: times,
            bytes,
        }
    }

    /// Nearest-rank percentile, `q` in 0..=1.
    pub fn percentile(&self, q: f64) -> Duration {
        let rank = ((q * self.sorted.len() as f64).ceil() as usize).clamp(1, self.sorted.len());
        self.sorted[rank - 1]
    }

    pub fn max(&self) -> Duration {
        *self.sorted.last().expect("at least one request")
    }
}

/// GETs `url` `count` times, one after the other; panics on any answer but 200.
pub async fn get_times(http: &reqwest::Client, url: &str, count: usize) -> Timings {
    let mut times = Vec::with_capacity(count);
    let (mut smallest, mut largest) = (usize::MAX, 0);
    for _ in 0..count {
        let started = Instant::now();
        let response = http.get(url).send().await.expect("the server answers");
        let status = response.status();
        let body = response.bytes().await.expect("a body");
        times.push(started.elapsed());
        assert_eq!(status, reqwest::StatusCode::OK, "{url}: {body:?}");
        smallest = smallest.min(body.len());
        largest = largest.max(body.len());
    }
    Timings::of(times, (smallest, largest))
}

/// The page's work without HTTP: reading the store and building the status
/// (`gather::project_status`), rendering `project.html`, serialising the JSON.
pub struct InProcess {
    pub gather: Timings,
    pub render: Timings,
    pub json: Timings,
}

/// `warm_up` unmeasured runs of the store reads first, as the HTTP loops have.
pub async fn in_process(store: &Store, config: &Config, warm_up: usize, runs: usize) -> InProcess {
    let project = &config.projects[0];
    let health = |_: ForgeKind| Some("ok".to_string());
    let around = Surroundings {
        config,
        observe: false,
        health: &health,
        now: chrono::Utc::now(),
    };
    for _ in 0..warm_up {
        project_status(store, project, &around)
            .await
            .expect("the store answers");
    }
    let mut gather = Vec::with_capacity(runs);
    let mut status = None;
    for _ in 0..runs {
        let started = Instant::now();
        let built = project_status(store, project, &around)
            .await
            .expect("the store answers");
        gather.push(started.elapsed());
        status = Some(built);
    }
    let status = status.expect("at least one run");
    let pages = StatusPages::load(None).expect("the built-in templates");
    let frame = Frame {
        observe: false,
        now: around.now.to_rfc3339(),
        json_url: "/api/v1/projects/gitlab/lava/lava".to_string(),
    };
    let (mut render, mut page_bytes) = (Vec::with_capacity(runs), 0);
    for _ in 0..runs {
        let started = Instant::now();
        let data = minijinja::context! { p => Value::from(Serde(&status)) };
        let page = pages
            .render("project.html", &frame, data)
            .expect("the page renders");
        render.push(started.elapsed());
        page_bytes = page.len();
    }
    let (mut json, mut json_bytes) = (Vec::with_capacity(runs), 0);
    for _ in 0..runs {
        let started = Instant::now();
        let text = serde_json::to_vec(&status).expect("the status serialises");
        json.push(started.elapsed());
        json_bytes = text.len();
    }
    InProcess {
        gather: Timings::of(gather, (0, 0)),
        render: Timings::of(render, (page_bytes, page_bytes)),
        json: Timings::of(json, (json_bytes, json_bytes)),
    }
}
