//! The durable outbox: everything the service sends is first a job, written in the same
//! transaction as the change that causes it (a quote sent, accepted, reminded), then delivered
//! by a background worker ([`worker`]): retried with backoff, given up (`failed`) after about a
//! day, leased to one worker at a time when several instances share PostgreSQL, and delivered
//! after a crash or restart (an unconfirmed job's lease runs out and it is taken again). So a
//! job may be delivered twice in the worst case (a crash after the relay took it, before it was
//! recorded), never lost; e-mails carry a fixed Message-ID so a duplicate is recognisable.

mod mail_job;
pub mod model;
pub mod ports;
pub(crate) mod service;
pub mod webhooks;
pub(crate) mod worker;
