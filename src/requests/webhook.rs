//! Tells the bureau's own systems about each new quote request: a JSON POST to a configured
//! URL, signed with HMAC-SHA256 over the exact body (`X-Offerte-Signature: sha256=<hex>`),
//! retried with exponential backoff, never blocking the answer to the public form.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;

use super::model::QuoteRequest;

/// Attempts per delivery, and the first pause between them (doubled each time).
const ATTEMPTS: u32 = 5;
const FIRST_PAUSE: Duration = Duration::from_millis(500);

#[derive(Clone)]
pub struct Webhook {
    url: String,
    secret: String,
    client: reqwest::Client,
}

#[derive(Serialize)]
struct Payload<'a> {
    event: &'static str,
    request: &'a QuoteRequest,
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`: what a receiver recomputes to trust a delivery.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhook {
    pub fn new(url: String, secret: String) -> Webhook {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        Webhook {
            url,
            secret,
            client,
        }
    }

    /// Sends the request in the background; failures are logged (without personal data).
    pub fn deliver(&self, request: &QuoteRequest) {
        let body = match serde_json::to_vec(&Payload {
            event: "quote_request.created",
            request,
        }) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "webhook payload");
                return;
            }
        };
        let this = self.clone();
        let reference = request.reference.clone();
        tokio::spawn(async move {
            let signature = signature(&this.secret, &body);
            let mut pause = FIRST_PAUSE;
            for attempt in 1..=ATTEMPTS {
                let sent = this
                    .client
                    .post(&this.url)
                    .header("content-type", "application/json")
                    .header("x-offerte-signature", &signature)
                    .header("x-offerte-event", "quote_request.created")
                    .body(body.clone())
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => {
                        tracing::info!(reference, attempt, "webhook delivered");
                        return;
                    }
                    Ok(response) => tracing::warn!(
                        reference,
                        attempt,
                        status = response.status().as_u16(),
                        "webhook refused"
                    ),
                    Err(e) => {
                        tracing::warn!(reference, attempt, error = %e.without_url(), "webhook unreachable")
                    }
                }
                if attempt < ATTEMPTS {
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
            }
            tracing::error!(reference, "webhook gave up after {ATTEMPTS} attempts");
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        let mac = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
