//! The HTTP face: actix handlers, keys and roles, problem+json errors, the OpenAPI contract.
//! Handlers are thin: they read the request, call the core or a service, and answer.

pub(crate) mod archive;
pub(crate) mod auth;
pub(crate) mod bodies;
pub(crate) mod bureau;
pub(crate) mod bureaus;
pub(crate) mod catalog;
pub(crate) mod catalog_versions;
pub(crate) mod consent;
pub(crate) mod documents;
mod errors;
pub(crate) mod exports;
pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod invoicing;
pub(crate) mod leaving;
pub(crate) mod links;
pub(crate) mod metrics;
pub(crate) mod online;
pub(crate) mod preview;
pub(crate) mod pricing_diff;
pub(crate) mod problem;
pub(crate) mod quotes;
pub(crate) mod request_id;
pub(crate) mod requests;
#[expect(
    dead_code,
    reason = "the response enums only describe answers in the OpenAPI document; none is ever built"
)]
pub(crate) mod responses;
pub(crate) mod state;
pub(crate) mod webhook_endpoints;
pub(crate) mod webhooks;

use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use problem::{ApiError, problem_response};
use webhooks::WebhookEvents;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "offerte",
        description = "Prices and quotes tweede-spoor re-integration trajectories.\n\n\
            Sales staff: click **Authorize**, paste your API key (without `Bearer`), then use \
            **Try it out** on any operation. Amounts are strings with two decimals (euros); dates \
            are `YYYY-MM-DD`. Every error is an RFC 9457 problem document whose `errors` name the \
            field at fault by its JSON path.",
        license(name = "MIT")
    ),
    modifiers(&BearerKeys, &WebhookEvents),
    tags(
        (name = "quotes", description = "Price cases and manage quotes (role sales)"),
        (name = "requests", description = "Quote requests from the bureau's website: the public form (no key, rate-limited) and the sales side"),
        (name = "exports", description = "Finance exports: the pricing table of a catalog version, the difference between two versions, the quote register and the expected invoicing, as CSV (dialects nl and intl), XLSX or JSON (role finance)"),
        (name = "webhooks", description = "Webhook deliveries: every event sent to each endpoint, its attempts, sending one again (role admin)"),
        (name = "catalog", description = "The price list (public), and its versions kept in the database: published, checked, listed and withdrawn (roles finance and admin)"),
        (name = "bureaus", description = "The bureaus of a deployment (operator keys) and each bureau's API keys (the operator, or the bureau's admin)"),
        (name = "operations", description = "Health, readiness and metrics (public)"),
    ),
    components(schemas(problem::Problem, crate::pricing::FieldError))
)]
struct ApiDoc;

/// Adds the API-key (bearer) security scheme.
struct BearerKeys;

impl utoipa::Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("An API key made with `offerte api-key new --role ROLE`.".into());
        components.add_security_scheme("api_key", SecurityScheme::Http(bearer));
    }
}

/// Registers every documented operation (with the default rate limit of the public form).
pub fn services(cfg: &mut ServiceConfig) {
    let limit = requests::request_limit(20, 10).expect("the default rate limit is valid");
    routes(cfg, limit);
}

/// Registers every documented operation; `limit` guards `POST /api/v1/quote-requests` only.
pub fn routes(cfg: &mut ServiceConfig, limit: requests::RequestLimit) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(
            scope::scope("/api/v1")
                .service(preview::preview)
                .service(documents::preview_document)
                .service(documents::quote_document_endpoint)
                .service(quotes::create_quote)
                .service(quotes::list_quotes)
                .service(quotes::get_quote)
                .service(quotes::update_quote)
                .service(quotes::transition_quote)
                .service(quotes::revise_quote)
                .service(quotes::quote_events)
                .service(quotes::send_quote)
                .service(consent::ask_employee_consent)
                .service(quotes::quote_deliveries)
                .service(requests::SubmitRoute(limit))
                .service(requests::list_requests)
                .service(requests::get_request)
                .service(requests::convert_request)
                .service(requests::reject_request)
                .service(requests::delete_request)
                .service(webhooks::list_deliveries)
                .service(webhooks::retry_delivery)
                .service(webhook_endpoints::add_endpoint)
                .service(webhook_endpoints::list_endpoints)
                .service(webhook_endpoints::remove_endpoint)
                .service(webhook_endpoints::rotate_endpoint)
                .service(exports::export_pricing)
                .service(exports::export_quotes)
                .service(pricing_diff::export_pricing_diff)
                .service(invoicing::export_invoicing)
                .service(catalog::get_catalog)
                .service(catalog_versions::publish_version)
                .service(catalog_versions::list_versions)
                .service(catalog_versions::get_version)
                .service(catalog_versions::withdraw_version)
                .service(catalog_versions::put_asset)
                .service(archive::verify_document)
                .service(archive::quote_certificate)
                .service(bureau::get_bureau)
                .service(bureau::change_bureau)
                .service(bureaus::create_bureau)
                .service(bureaus::list_bureaus)
                .service(bureaus::suspend_bureau)
                .service(bureaus::resume_bureau)
                .service(bureaus::create_key)
                .service(bureaus::list_keys)
                .service(bureaus::revoke_key)
                .service(leaving::export_bureau)
                .service(leaving::erase_bureau),
        );
}

/// The OpenAPI document as served and committed: generated from the registered handlers, with
/// public operations marked by an empty security list (`security: []`).
pub fn openapi_json() -> String {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(services)
        .split_for_parts();
    let mut value = serde_json::to_value(&spec).expect("the OpenAPI document serialises");
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths
            .values_mut()
            .filter_map(|p| p.as_object_mut())
            .flat_map(|p| p.values_mut())
        {
            if let Some(security) = operation.get_mut("security")
                && security == &serde_json::json!([{}])
            {
                *security = serde_json::json!([]);
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&value).expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

/// The served OpenAPI document.
pub struct OpenApiDocument(pub String);

pub async fn serve_openapi(doc: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// The documented paths and their methods, from the OpenAPI document: a request that matches
/// no route but one of these paths used a method the path does not have (405, not 404).
pub struct KnownPaths(Vec<(actix_web::dev::ResourceDef, Vec<String>)>);

impl KnownPaths {
    pub fn from_openapi(document: &str) -> KnownPaths {
        const METHODS: [&str; 8] = [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ];
        let value: serde_json::Value =
            serde_json::from_str(document).expect("the OpenAPI document is JSON");
        let paths = value["paths"].as_object().cloned().unwrap_or_default();
        KnownPaths(
            paths
                .into_iter()
                .map(|(path, item)| {
                    let mut methods: Vec<String> = METHODS
                        .iter()
                        .filter(|m| item.get(**m).is_some())
                        .map(|m| m.to_uppercase())
                        .collect();
                    if methods.iter().any(|m| m == "GET") {
                        methods.push("HEAD".into());
                    }
                    (actix_web::dev::ResourceDef::new(path), methods)
                })
                .collect(),
        )
    }

    /// The methods of every documented path `path` matches (`/quotes/preview` also matches
    /// `/quotes/{id}`); `None` when it matches none.
    fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut allowed: Vec<String> = Vec::new();
        for (_, methods) in self.0.iter().filter(|(def, _)| def.is_match(path)) {
            for method in methods {
                if !allowed.contains(method) {
                    allowed.push(method.clone());
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

/// Unknown routes answer 404 in the problem shape; a known path with another method, 405 with
/// the methods it has in `Allow`.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let known = req.app_data::<web::Data<KnownPaths>>();
    let error = match known.and_then(|k| k.allowed(req.path())) {
        Some(allowed) => ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            path: req.path().to_string(),
            allowed,
        },
        None => ApiError::NotFound(format!("no operation {} {}", req.method(), req.path())),
    };
    problem_response(&error)
}
