//! Webhook deliveries for admins: what went out to which endpoint, each attempt, and sending
//! one again.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::{AdminRole, Auth};
use super::extract::{Paging, QueryParams};
use super::problem::{ApiError, Problem};
use super::responses::{AuthErrors, QueryErrors, ServerErrors};
use crate::outbox::model::JobStatus;
use crate::outbox::model::{DeliveryFilter, WebhookDelivery};
use crate::outbox::webhooks::EventType;
use crate::quotes::model::Page;

/// A page of webhook deliveries.
pub type WebhookDeliveryPage = Page<WebhookDelivery>;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this status: `queued` (waiting or between attempts), `sent`, `failed`.
    pub status: Option<JobStatus>,
    /// Only deliveries of this event type, e.g. `quote.sent`.
    pub event: Option<EventType>,
    /// Only deliveries about this quote (any event about it, and the request it was made from).
    pub quote_id: Option<Uuid>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Deliveries per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A delivery id from the path; anything that is not a UUID is no delivery.
fn delivery_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::NotFound(format!(
            "no webhook delivery with id `{text}` (ids are UUIDs)"
        ))
    })
}

/// List webhook deliveries (admin), newest first, each with its attempts.
///
/// One delivery is one event for one endpoint: its `webhook-id` (the same on every attempt, so
/// receivers can drop duplicates), its status, and every attempt with its time, the receiver's
/// HTTP status and what went wrong. An endpoint that answered 410 Gone is disabled
/// (`endpoint_disabled`): its deliveries fail at once until an admin retries one of them.
#[utoipa::path(
    tag = "webhooks",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = WebhookDeliveryPage),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/webhook-deliveries")]
pub async fn list_deliveries(
    auth: Auth<AdminRole>,
    query: QueryParams<DeliveryQuery>,
) -> Result<web::Json<WebhookDeliveryPage>, ApiError> {
    let q = query.0;
    let paging = Paging::new(q.page, q.per_page)?;
    let filter = DeliveryFilter {
        status: q.status,
        event: q.event,
        quote_id: q.quote_id,
        limit: paging.limit(),
        offset: paging.offset(),
    };
    let (items, total) = auth.tenant.deliveries.list(&filter).await?;
    Ok(web::Json(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    }))
}

/// Send a webhook delivery again (admin).
///
/// Queues it at once on a fresh retry schedule, whatever its status: `failed` (the receiver is
/// fixed), `sent` (the receiver lost it) or `queued` (waiting for a late retry). It keeps its
/// `webhook-id` and body; the signature is made anew. If its endpoint was disabled by a 410, the
/// endpoint is enabled again. Deliveries about one quote still go out in order: this one waits
/// for older queued ones of the same quote and endpoint.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The delivery's id")),
    responses(
        (status = 202, description = "Queued again; the delivery as it is now", body = WebhookDelivery),
        AuthErrors,
        (status = 404, description = "No webhook delivery with this id", body = Problem, content_type = "application/problem+json"),
        ServerErrors,
    ),
    security(("api_key" = []))
)]
#[post("/webhook-deliveries/{id}/retry")]
pub async fn retry_delivery(
    auth: Auth<AdminRole>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = delivery_id(&id)?;
    let delivery = auth.tenant.deliveries.retry(id).await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

/// The events as the OpenAPI document's `webhooks`: one POST per event type, with its body
/// (`type`, `timestamp`, `data`: the quote or request as the API returns it) and the three
/// Standard Webhooks headers, so a receiver's team can read the contract where they read the
/// API's.
pub struct WebhookEvents;

impl utoipa::Modify for WebhookEvents {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{
            HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
        };
        use utoipa::openapi::request_body::RequestBodyBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{
            ContentBuilder, KnownFormat, PathsBuilder, Ref, Required, ResponseBuilder, SchemaFormat,
        };
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let header = |name: &str, description: &str, example: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(string().examples([example])))
                .build()
        };
        let mut paths = PathsBuilder::new();
        for &event in EventType::ALL {
            let (record, about) = if event.as_str().starts_with("quote_request.") {
                ("QuoteRequest", "the quote request")
            } else {
                ("Quote", "the quote")
            };
            let mut data = Ref::from_schema_name(record);
            data.description = format!("{about} as the API returns it after the change");
            let body = ObjectBuilder::new()
                .property("type", string().enum_values(Some([event.as_str()])))
                .property(
                    "timestamp",
                    string()
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                        .description(Some("When the change happened")),
                )
                .property("data", data)
                .required("type")
                .required("timestamp")
                .required("data");
            let operation = OperationBuilder::new()
                .tag("webhooks")
                .summary(Some(format!("`{event}`: {}", describe(event))))
                .description(Some(
                    "POSTed to every endpoint whose `events` match, signed to the Standard \
                     Webhooks spec: verify `webhook-signature` over `{webhook-id}.{webhook-timestamp}.{body}` \
                     with the endpoint's secret (e.g. with the `standardwebhooks` library). \
                     Retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, up to a day) until a 2xx, with \
                     the same `webhook-id`; a quote's events arrive in order.",
                ))
                .parameters(Some([
                    header("webhook-id", "The same on every attempt of this event: drop duplicates by it", "msg_0193a1b2c3d47e8f9a0b1c2d3e4f5a6b"),
                    header("webhook-timestamp", "Seconds since the epoch, of this attempt", "1795000000"),
                    header("webhook-signature", "`v1,<base64 HMAC-SHA256>`, one per secret (two while rotating), space-separated", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
                ]))
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("application/json", ContentBuilder::new().schema(Some(body)).build())
                        .build(),
                ))
                .response("200", ResponseBuilder::new().description("Any 2xx: delivered"))
                .response(
                    "410",
                    ResponseBuilder::new().description(
                        "Gone: the endpoint is disabled (nothing more is sent until an admin retries a delivery)",
                    ),
                )
                .response(
                    "default",
                    ResponseBuilder::new().description(
                        "Anything else, a timeout (15 s) or no connection: retried by the schedule; redirects are not followed; `Retry-After` is honoured",
                    ),
                )
                .build();
            paths = paths.path(event.as_str(), PathItem::new(HttpMethod::Post, operation));
        }
        openapi.webhooks = Some(paths.build());
    }
}

/// What an event means, for the document.
fn describe(event: EventType) -> &'static str {
    match event {
        EventType::QuoteCreated => "a draft quote was made (also from a request)",
        EventType::QuoteUpdated => "a draft was edited",
        EventType::QuoteSent => "the quote was sent (or sent again by e-mail)",
        EventType::QuoteViewed => "the employer opened the quote's link for the first time",
        EventType::QuoteAccepted => "the quote was accepted",
        EventType::QuoteDeclined => "the quote was declined",
        EventType::QuoteExpired => "the quote's validity passed (stored by the periodic sweep)",
        EventType::QuoteWithdrawn => "the quote was withdrawn",
        EventType::QuoteRevised => "a new revision replaced the quote (`data`: the new revision)",
        EventType::QuoteEmployeeConsentGiven => {
            "the employee consented to deducting the quoted costs from the transitievergoeding"
        }
        EventType::QuoteEmployeeConsentDeclined => "the employee declined that consent",
        EventType::RequestCreated => "a quote request came in from the website",
        EventType::RequestConverted => "a request was turned into a draft quote",
        EventType::RequestRejected => "a request was rejected",
        EventType::CatalogVersionPublished => {
            "a catalog version was published (`data`: its name, valid_from, SHA-256, who and when)"
        }
    }
}
