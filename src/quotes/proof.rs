//! What proves an agreement besides the documents themselves: the evidence of an online
//! acceptance, and what kind of document an archived one is.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an online acceptance is evidenced by besides the typed name: the exact sentence the box
/// said, in the language the page was shown in, and where the answer came from (the client's
/// address as the service saw it, and its user agent). Kept as long as the quote: it is the
/// proof that the costs were agreed in writing beforehand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    /// The sentence next to the box that was ticked, word for word.
    #[schema(example = "Ik ga akkoord met deze offerte en de voorwaarden.")]
    pub statement: String,
    /// The language of the page (`nl`, `en`).
    #[schema(example = "nl")]
    pub language: String,
    /// The address the answer came from (the peer address; behind a reverse proxy, the proxy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "203.0.113.7")]
    pub client_address: Option<String>,
    /// The browser's `User-Agent` (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

vocabulary! {
    /// What an archived document is.
    pub DocumentKind {
        /// The quote as sent.
        Sent => "sent",
        /// The quote as the employer accepted it online.
        Accepted => "accepted",
        /// An acceptance certificate.
        Certificate => "certificate",
        /// The cost specification shown to the employee whose consent was asked.
        Specification => "specification",
    }
}
