//! Sending things out: e-mail through SMTP, and webhooks signed to the Standard Webhooks spec.
//!
//! Building blocks without state: each call makes one attempt and says what came of it, in
//! terms a durable outbox can store and act on (retry later, give up, disable an endpoint).
//! They know nothing of quotes, storage or HTTP handlers; the outbox wires them in.
//!
//! - [`signature`]: `whsec_` secrets, the `webhook-signature` header (two secrets while
//!   rotating), verification as a receiver does it, message ids. Pure.
//! - [`http`]: one webhook POST (15 s, no redirects) classified as delivered / retry / gone /
//!   rejected, and the retry schedule (the spec's, cut to a day).
//! - [`guard`]: webhook URLs that lead to the host's own networks (loopback, private, metadata)
//!   refused, on save and again when connecting.
//! - [`relay`]: the SMTP relay from one URL (plain, STARTTLS, implicit TLS; a CA of one's own).
//! - [`mail`]: one mail (text + HTML, attachments) sent through the relay, with failures sorted
//!   into transient and permanent.

pub mod guard;
pub mod http;
pub mod mail;
pub mod relay;
pub mod signature;
