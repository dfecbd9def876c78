//! Logging: one subscriber setup (text, or JSON with `OFFERTE_LOG_FORMAT=json`), written through
//! a non-blocking writer so a slow terminal never slows requests. One line per request names
//! the method, the route pattern (never the raw path or query, which may hold names), the
//! request id and the status; no personal data and no keys are logged.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use std::io::IsTerminal;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber; keep the guard alive for as long as logs should be written.
pub fn init(format: LogFormat) -> Option<WorkerGuard> {
    let terminal = std::io::stderr().is_terminal();
    // The writer's thread takes lines off the channel until it is empty, then flushes: buffered,
    // the lines of a busy moment go out in one write instead of one system call each.
    let buffered = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(buffered);
    let filter =
        EnvFilter::try_from_env("OFFERTE_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal, not in files and log collectors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal)
        .with_writer(writer);
    let installed = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok().map(|_| guard)
}

/// One line per request at `info`: method, route, request id and status, written when the
/// answer is ready. The span around the request is a `debug` span: at `info` it is never made
/// (a span with the fmt layer costs more than the line itself: /healthz lost a fifth of its
/// throughput to it); with `OFFERTE_LOG=debug` every line a request writes carries its fields.
/// Internal errors are logged with their request id where the id is stamped on the answer
/// (`api::request_id`).
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing::debug_span!(
            "request",
            method = %request.method(),
            route = %request.match_pattern().as_deref().unwrap_or("unmatched"),
            request_id = request.extensions().get::<RequestId>().map(tracing::field::display),
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let _inside = span.enter();
        match outcome {
            Ok(response) => {
                let request = response.request();
                tracing::info!(
                    method = %request.method(),
                    route = %request.match_pattern().as_deref().unwrap_or("unmatched"),
                    request_id = request.extensions().get::<RequestId>().map(tracing::field::display),
                    status = response.status().as_u16(),
                    "request finished"
                );
            }
            Err(error) => {
                let status = error.as_response_error().status_code().as_u16();
                tracing::info!(status, "request finished");
            }
        }
    }
}
