//! Group commit for webhook intake: deliveries that arrive while one batch
//! is being stored are stored together in the next, in one transaction, and
//! each handler answers only after its batch committed ("stored before
//! acknowledged"). A burst then costs one commit per batch instead of one
//! per delivery, and never waits behind the workers (intake goes first on
//! SQLite's connection; see `store::turns`).

use crate::forge::ForgeKind;
use crate::store::{Enqueued, NewDelivery, NewJob, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Most deliveries in one transaction: bounds how long one commit holds
/// SQLite's connection from the workers.
const MAX_BATCH: usize = 64;
/// Deliveries waiting for a batch; a handler beyond this waits to queue.
const WAITING: usize = 1024;

/// A delivery to store, owned so it can wait for its batch.
pub struct PendingDelivery {
    pub forge: ForgeKind,
    pub delivery_id: String,
    pub event_name: String,
    pub serial_key: String,
    pub payload: String,
}

struct Request {
    delivery: PendingDelivery,
    answer: oneshot::Sender<Result<Enqueued, StoreError>>,
}

/// Where handlers hand deliveries to the writer; cloned into every handler.
#[derive(Clone)]
pub struct Intake {
    requests: mpsc::Sender<Request>,
}

impl Intake {
    /// Starts the writer. It stops once every `Intake` clone is dropped
    /// (the HTTP server has stopped) and the waiting deliveries are stored.
    pub fn start(store: Store) -> Intake {
        let (requests, receiver) = mpsc::channel(WAITING);
        tokio::spawn(write_batches(store, receiver));
        Intake { requests }
    }

    /// Stores the delivery and its job; returns once they are committed.
    pub async fn store(&self, delivery: PendingDelivery) -> Result<Enqueued, StoreError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::IntakeStopped;
        self.requests
            .send(Request { delivery, answer })
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Request>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let deliveries: Vec<NewDelivery<'_>> = batch
            .iter()
            .map(|request| {
                let delivery = &request.delivery;
                NewDelivery {
                    forge: delivery.forge,
                    delivery_id: &delivery.delivery_id,
                    event_name: &delivery.event_name,
                    job: NewJob {
                        serial_key: &delivery.serial_key,
                        payload: &delivery.payload,
                    },
                }
            })
            .collect();
        let stored = store.enqueue_deliveries(&deliveries).await;
        drop(deliveries);
        match stored {
            Ok(outcomes) => {
                for (request, outcome) in batch.drain(..).zip(outcomes) {
                    // A handler that gave up (its client left) needs no answer.
                    let _ = request.answer.send(Ok(outcome));
                }
            }
            Err(error) => {
                for request in batch.drain(..) {
                    let _ = request.answer.send(Err(error.clone()));
                }
            }
        }
    }
}
