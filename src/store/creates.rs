//! Group commit of new quotes. Quote numbers are gapless, so every create updates one counter
//! row and holds it until its commit; one transaction per create makes creates queue on that
//! row through a commit each (PostgreSQL: an fsync; SQLite: five statements handed to sqlx's
//! worker thread and back). Instead, a create puts its prepared row in this process's queue and
//! waits for the write turn; whoever gets the turn commits everything queued by then in one
//! transaction: the counter moves once per batch, one commit serves them all, and each waiting
//! create gets its own number. A create is answered only after the commit that holds it.
//!
//! The queueing runs in a spawned task, so a client that goes away cannot leave a half-taken
//! batch behind: a job in the queue always has a task waiting for the turn, which takes it.
//! When a batch fails as a whole (say two requests with the same Idempotency-Key), it is rolled
//! back and every job is retried in a transaction of its own, so each gets its own answer.

use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

use super::statements::{MAX_ROWS, TAKE_NUMBERS};
use super::writes::{QuoteInsert, QuoteRow, insert_events_of, insert_jobs_of, insert_quotes};
use super::{Scope, Store, WritePool};
use crate::outbox::model::NewJob;
use crate::quotes::lifecycle::{Status, format_number};
use crate::quotes::ports::{CreateQuote, NewEvent, NumberedJobs, RequestLink};
use crate::storage::StorageError;
use sqlx::Row;

/// A series of quote numbers: bureau, prefix, year.
type Series<'a> = (i64, &'a str, i32);

/// At most this many creates share one transaction (one multi-row statement holds them all).
const MAX_BATCH: usize = MAX_ROWS;

/// One create waiting for a number: every value owned, serialized before the write turn.
pub(super) struct CreateJob {
    row: QuoteRow,
    prefix: String,
    year: i32,
    /// Idempotency key and the hash of the request body.
    idempotency: Option<(String, String)>,
    from_request: Option<RequestLink>,
    jobs: Option<NumberedJobs>,
}

impl CreateJob {
    pub fn new(store: &Store, create: CreateQuote<'_>) -> Result<CreateJob, StorageError> {
        Ok(CreateJob {
            row: QuoteRow::new(store, &create.quote)?,
            prefix: create.prefix.to_string(),
            year: create.year,
            idempotency: create
                .idempotency
                .map(|(k, h)| (k.to_string(), h.to_string())),
            from_request: create.from_request,
            jobs: create.jobs,
        })
    }
}

struct Queued {
    job: CreateJob,
    reply: oneshot::Sender<Result<String, StorageError>>,
}

/// This process's write coordination: the turn (SQLite: every write; PostgreSQL: creates) and
/// the creates waiting for it.
#[derive(Default)]
pub struct Writes {
    pub(super) turn: tokio::sync::Mutex<()>,
    queue: Mutex<Vec<Queued>>,
    /// Told when a change queued outbox jobs, so this process's worker takes them at once.
    pub jobs_queued: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Writes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writes").finish_non_exhaustive()
    }
}

impl Writes {
    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Queued>> {
        // The queue is only pushed to and drained; a panic elsewhere cannot leave it half-changed.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store {
    pub fn writes(&self) -> &Arc<Writes> {
        &self.writes
    }

    /// Stores `job` as a new draft (with its first event) and returns its number, committed.
    pub(super) async fn commit_create(&self, job: CreateJob) -> Result<String, StorageError> {
        let store = self.clone();
        tokio::spawn(async move { store.queue_create(job).await })
            .await
            .map_err(|e| {
                StorageError::Unavailable(anyhow::anyhow!("the create task failed: {e}"))
            })?
    }

    async fn queue_create(&self, job: CreateJob) -> Result<String, StorageError> {
        let writes = self.writes().clone();
        let (reply, mut answer) = oneshot::channel();
        writes.queue().push(Queued { job, reply });
        let turn = writes.turn.lock().await;
        match answer.try_recv() {
            // An earlier turn took this job with its batch.
            Ok(result) => return result,
            Err(oneshot::error::TryRecvError::Closed) => {
                return Err(StorageError::Unavailable(anyhow::anyhow!(
                    "the batch holding this create was lost"
                )));
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch: Vec<Queued> = {
            let mut queue = writes.queue();
            let take = queue.len().min(MAX_BATCH);
            queue.drain(..take).collect()
        };
        let (jobs, replies): (Vec<CreateJob>, Vec<_>) =
            batch.into_iter().map(|q| (q.job, q.reply)).unzip();
        let queues = jobs.iter().any(|j| {
            j.jobs.is_some() || j.from_request.as_ref().is_some_and(|l| !l.jobs.is_empty())
        });
        let results = match self.insert_batch(&jobs).await {
            Ok(numbers) => numbers.into_iter().map(Ok).collect(),
            Err(_) if jobs.len() > 1 => {
                let mut results = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    results.push(
                        self.insert_batch(std::slice::from_ref(job))
                            .await
                            .map(|mut n| n.remove(0)),
                    );
                }
                results
            }
            Err(e) => vec![Err(e)],
        };
        for (reply, result) in replies.into_iter().zip(results) {
            // A receiver is gone only when its task was aborted; nothing to tell it.
            let _ = reply.send(result);
        }
        if queues {
            writes.jobs_queued.notify_one();
        }
        // Ours was in the queue when the turn began (only turn holders drain it), unless the
        // queue held more than one batch: then a later turn answers it.
        drop(turn);
        answer.await.unwrap_or_else(|_| {
            Err(StorageError::Unavailable(anyhow::anyhow!(
                "the batch holding this create was lost"
            )))
        })
    }

    /// One transaction for all `jobs`: numbers are taken from the counters (one update per
    /// bureau, prefix and year), then each quote and its first event are inserted, then one
    /// commit. The jobs may belong to several bureaus: every row names its own, and on
    /// PostgreSQL the transaction spans bureaus (`Scope::All`), the creates of all bureaus
    /// sharing one commit.
    async fn insert_batch(&self, jobs: &[CreateJob]) -> Result<Vec<String>, StorageError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write(Scope::All).await?;
            // The series the batch draws from, in order of first use, each with its creates.
            let mut series: Vec<(Series<'_>, Vec<usize>)> = Vec::new();
            for (i, job) in jobs.iter().enumerate() {
                let key = (job.row.bureau, job.prefix.as_str(), job.year);
                match series.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(i),
                    None => series.push((key, vec![i])),
                }
            }
            // One statement moves every counter (RETURNING gives no order: matched by key).
            let mut take = sqlx::query(TAKE_NUMBERS.text(self.is_sqlite(), series.len()));
            for ((bureau, prefix, year), members) in &series {
                take = take.bind(*bureau).bind(*prefix).bind(*year).bind(members.len() as i64);
            }
            let taken = take.fetch_all(&mut *tx).await?;
            let mut numbers: Vec<Option<String>> = vec![None; jobs.len()];
            for row in &taken {
                let key: (i64, String, i32) =
                    (row.try_get("bureau_id")?, row.try_get("prefix")?, row.try_get("year")?);
                let last: i64 = row.try_get("last")?;
                let Some((_, members)) = series
                    .iter()
                    .find(|((b, p, y), _)| (*b, *p, *y) == (key.0, key.1.as_str(), key.2))
                else {
                    continue;
                };
                let count = members.len() as i64;
                for (offset, &i) in members.iter().enumerate() {
                    numbers[i] = Some(format_number(&key.1, key.2, last - count + 1 + offset as i64));
                }
            }
            if numbers.iter().any(Option::is_none) {
                return Err(StorageError::Data(anyhow::anyhow!(
                    "a quote counter did not answer with its number"
                )));
            }
            let numbers: Vec<String> = numbers.into_iter().flatten().collect();
            // Two statements for the whole batch's quotes and events.
            let quotes: Vec<QuoteInsert<'_>> = jobs.iter().zip(&numbers).map(|(job, number)| QuoteInsert {
                row: &job.row,
                number,
                revision: 1,
                supersedes: None,
                idempotency: job.idempotency.as_ref().map(|(k, h)| (k.as_str(), h.as_str())),
            }).collect();
            insert_quotes(self, &mut tx, &quotes).await?;
            // A quote made from a request moves the request in the same transaction, only if
            // the request still is where the domain found it; else the whole batch fails and
            // is retried one by one, so this create alone answers `Stale`.
            for job in jobs {
                if let Some(link) = &job.from_request {
                    let moved = sqlx::query(self.sql().link_request)
                .bind(job.row.bureau)
                        .bind(link.request_id.to_string())
                        .bind(link.from)
                        .bind(link.to)
                        .bind(job.row.id.to_string())
                        .bind(job.row.now)
                        .bind(job.row.actor.key_id.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if moved != 1 {
                        return Err(StorageError::Stale);
                    }
                }
            }
            let mut events: Vec<(i64, NewEvent)> = Vec::with_capacity(jobs.len());
            for job in jobs {
                let event = |from, reason| NewEvent {
                    quote_id: job.row.id,
                    from,
                    to: Status::Draft,
                    at: job.row.now,
                    actor: job.row.actor.clone(),
                    reason,
                    document_sha256: None,
                    name: None,
                    evidence: None,
                };
                events.push((job.row.bureau, event(None, None)));
                if let Some(link) = &job.from_request {
                    events.push((job.row.bureau, event(Some(Status::Draft), Some(link.note.clone()))));
                }
            }
            let events: Vec<(i64, &NewEvent)> = events.iter().map(|(b, e)| (*b, e)).collect();
            insert_events_of(self.is_sqlite(), &mut tx, &events).await?;
            // What the creates send: made here, where the numbers are known (see `NumberedJobs`).
            let mut outgoing: Vec<(i64, NewJob)> = Vec::new();
            for (job, number) in jobs.iter().zip(&numbers) {
                let bureau = job.row.bureau;
                if let Some(make) = &job.jobs {
                    let made = make(number).map_err(|e| StorageError::Data(e.into()))?;
                    outgoing.extend(made.into_iter().map(|j| (bureau, j)));
                }
                if let Some(link) = &job.from_request {
                    outgoing.extend(link.jobs.iter().map(|j| (bureau, j.clone())));
                }
            }
            let outgoing: Vec<(i64, &NewJob)> = outgoing.iter().map(|(b, j)| (*b, j)).collect();
            insert_jobs_of(self.is_sqlite(), &mut tx, &outgoing).await?;
            tx.commit().await?;
            Ok(numbers)
        })
    }
}
