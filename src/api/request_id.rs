//! Puts the request id on every response (`x-request-id`) and into every problem body, so a
//! user can quote it and the log line can be found; logs an internal error's cause with it.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use tracing_actix_web::RequestId;

use super::problem::{ApiError, PROBLEM_JSON, Problem};

pub async fn stamp(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let response = next.call(req).await?;
    if let Some(ApiError::Internal(cause)) = response
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        tracing::error!(
            request_id = request_id.as_deref().unwrap_or_default(),
            error = format!("{cause:#}"),
            "internal error"
        );
    }
    let Some(request_id) = request_id else {
        return Ok(response.map_into_boxed_body());
    };
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let mut response = if is_problem {
        let (request, res) = response.into_parts();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = actix_web::body::to_bytes(res.into_body())
            .await
            .unwrap_or_default();
        let body = match serde_json::from_slice::<Problem>(&bytes) {
            Ok(mut problem) => {
                problem.request_id = Some(request_id.clone());
                serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
            }
            Err(_) => bytes.to_vec(),
        };
        let mut rebuilt = HttpResponse::build(status).body(body);
        for (name, value) in headers.iter() {
            if name != actix_web::http::header::CONTENT_LENGTH {
                rebuilt.headers_mut().insert(name.clone(), value.clone());
            }
        }
        ServiceResponse::new(request, rebuilt)
    } else {
        response.map_into_boxed_body()
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}
