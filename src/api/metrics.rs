//! Prometheus metrics: request counts and latencies per route, quotes computed, the outbox's
//! attempts by outcome (counted by its worker), its queue depth and the age of its oldest
//! queued job (read from the database at each scrape). Kept by a small middleware; rendered in
//! the text exposition format at `GET /metrics`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::outbox::model::JobKind;
use crate::outbox::model::QueueStats;
use crate::outbox::worker::{Counted, Counters};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The service's counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latencies: Mutex<BTreeMap<(String, String), Histogram>>,
    quotes_computed: AtomicU64,
    outbox: Arc<Counters>,
}

impl Metrics {
    /// With the counters the outbox worker keeps.
    pub fn with_outbox(outbox: Arc<Counters>) -> Metrics {
        Metrics {
            outbox,
            ..Metrics::default()
        }
    }

    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut latencies) = self.latencies.lock() {
            let h = latencies
                .entry((method.to_string(), route.to_string()))
                .or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    pub fn quote_computed(&self) {
        self.quotes_computed.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text format; `queue`: the outbox's queue per kind, read now (`None` when
    /// the database did not answer: the queue's lines are left out).
    pub fn render(&self, queue: Option<&[QueueStats]>, now: DateTime<Utc>) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP offerte_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE offerte_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "offerte_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP offerte_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE offerte_http_request_duration_seconds histogram\n");
        if let Ok(latencies) = self.latencies.lock() {
            for ((method, route), h) in latencies.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "offerte_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "offerte_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "offerte_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "offerte_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out.push_str(
            "# HELP offerte_quotes_computed_total Computations made (previews and quotes).\n",
        );
        out.push_str("# TYPE offerte_quotes_computed_total counter\n");
        let _ = writeln!(
            out,
            "offerte_quotes_computed_total {}",
            self.quotes_computed.load(Ordering::Relaxed)
        );
        out.push_str("# HELP offerte_documents_corrupt_total Reads that found an archived document whose bytes do not match its SHA-256 (refused, never served).\n");
        out.push_str("# TYPE offerte_documents_corrupt_total counter\n");
        let _ = writeln!(
            out,
            "offerte_documents_corrupt_total {}",
            crate::archive::corrupt_reads()
        );
        self.render_outbox(&mut out, queue, now);
        out
    }

    fn render_outbox(&self, out: &mut String, queue: Option<&[QueueStats]>, now: DateTime<Utc>) {
        const KINDS: [JobKind; 2] = [JobKind::Email, JobKind::Webhook];
        out.push_str("# HELP offerte_outbox_attempts_total Delivery attempts of this process by kind (email, webhook) and outcome (delivered; retry: failed, tried again later; failed: given up, or the webhook endpoint is gone).\n");
        out.push_str("# TYPE offerte_outbox_attempts_total counter\n");
        for kind in KINDS {
            for counted in Counted::ALL {
                let _ = writeln!(
                    out,
                    "offerte_outbox_attempts_total{{kind=\"{}\",outcome=\"{}\"}} {}",
                    kind.as_str(),
                    counted.as_str(),
                    self.outbox.get(kind, counted)
                );
            }
        }
        let Some(queue) = queue else { return };
        let of = |kind: JobKind| queue.iter().find(|q| q.kind == kind);
        out.push_str("# HELP offerte_outbox_queued Jobs waiting to be delivered (due or between attempts), by kind.\n");
        out.push_str("# TYPE offerte_outbox_queued gauge\n");
        for kind in KINDS {
            let queued = of(kind).map_or(0, |q| q.queued);
            let _ = writeln!(
                out,
                "offerte_outbox_queued{{kind=\"{}\"}} {queued}",
                kind.as_str()
            );
        }
        out.push_str("# HELP offerte_outbox_oldest_queued_seconds Age of the oldest queued job, by kind (0 when none is queued).\n");
        out.push_str("# TYPE offerte_outbox_oldest_queued_seconds gauge\n");
        for kind in KINDS {
            let age = of(kind).and_then(|q| q.oldest).map_or(0.0, |oldest| {
                (now - oldest).num_milliseconds().max(0) as f64 / 1000.0
            });
            let _ = writeln!(
                out,
                "offerte_outbox_oldest_queued_seconds{{kind=\"{}\"}} {age}",
                kind.as_str()
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Records every request under its route pattern (never the raw path, which may hold ids).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        metrics.record(
            &method,
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_histograms() {
        let m = Metrics::default();
        m.record("GET", "/healthz", 200, 0.0004);
        m.record("GET", "/healthz", 200, 0.02);
        m.quote_computed();
        let now = Utc::now();
        let queue = [QueueStats {
            kind: JobKind::Webhook,
            queued: 3,
            oldest: Some(now - chrono::TimeDelta::milliseconds(2500)),
        }];
        let text = m.render(Some(&queue), now);
        assert!(text.contains(
            "offerte_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("offerte_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.001\"} 1"));
        assert!(text.contains(
            "offerte_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 2"
        ));
        assert!(text.contains("offerte_quotes_computed_total 1"));
        assert!(
            text.contains(
                "offerte_outbox_attempts_total{kind=\"webhook\",outcome=\"delivered\"} 0"
            )
        );
        assert!(
            text.contains("offerte_outbox_queued{kind=\"webhook\"} 3"),
            "{text}"
        );
        assert!(text.contains("offerte_outbox_queued{kind=\"email\"} 0"));
        assert!(text.contains("offerte_outbox_oldest_queued_seconds{kind=\"webhook\"} 2.5"));
        assert!(!m.render(None, now).contains("offerte_outbox_queued"));
    }
}
