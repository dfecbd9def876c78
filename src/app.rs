//! Wiring: settings → catalog, keys, server. `Application::build` binds its own listener (port
//! 0 allowed) and reports the port, so tests run exactly the production wiring.

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, http, web};
use anyhow::{Context, Result};
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::access::Keys;
use crate::api::{self, extract::BodyLimit, metrics::Metrics, state::AppState};
use crate::archive::Archive;
use crate::archive::s3::S3Archive;
use crate::bureaus::service::BureauService;
use crate::clock::{Clock, SystemClock};
use crate::config::{DocumentStore, Settings};
use crate::delivery::mail::Mailer;
use crate::delivery::signature::Signer;
use crate::documents::Renderer;
use crate::documents::letters::Letters;
use crate::outbox;
use crate::outbox::webhooks::{Subscription, endpoint_id};
use crate::quotes::service::{ConsentLinks, Mailing};
use crate::storage::BureauId;
use crate::store::Store;
use crate::telemetry::RequestSpan;
use crate::tenancy::{Shared, Tenant, Tenants};

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application> {
        if settings.api_keys.is_empty() {
            tracing::info!(
                "no API keys in the settings: the default bureau's keys are those made through the API (see `offerte api-key new`)"
            );
        }
        let renderer = Arc::new(Renderer::load(&settings.templates_dir).with_context(|| {
            format!(
                "loading the templates from {}",
                settings.templates_dir.display()
            )
        })?);
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the database")?;
        let (webhooks, configured_endpoints) = webhook_endpoints(&settings)?;
        let endpoints = outbox::worker::SharedEndpoints::default();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let request_limit = api::requests::request_limit(
            settings.rate_limit_burst,
            settings.rate_limit_per_minute,
        )?;
        // The employer's pages: a page view, a download and an answer or two per visit.
        let online_limit = api::requests::request_limit(
            settings.rate_limit_burst.saturating_mul(2),
            settings.rate_limit_per_minute.saturating_mul(6).min(60_000),
        )?;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let body_limit = web::Data::new(BodyLimit(settings.body_limit));
        let origins = settings.cors_origins.clone();
        let openapi = web::Data::new(api::OpenApiDocument(api::openapi_json()));
        let known_paths = web::Data::new(api::KnownPaths::from_openapi(&openapi.0));
        let counters = Arc::new(outbox::worker::Counters::default());
        let metrics = web::Data::new(Metrics::with_outbox(counters.clone()));
        let letters = Arc::new(Letters::load(&settings.templates_dir).with_context(|| {
            format!(
                "loading the e-mail templates from {}",
                settings.templates_dir.display()
            )
        })?);
        let mailer = settings
            .smtp
            .as_ref()
            .map(Mailer::new)
            .transpose()
            .context("smtp_url")?;
        let mailing = mailer.as_ref().map(|m| {
            tracing::info!(relay = m.relay(), "e-mail through SMTP");
            Mailing {
                from: settings.mail_from.clone(),
                public_url: settings.public_url.clone(),
                reply_to: None,
            }
        });
        let archive = match &settings.document_store {
            DocumentStore::Database => Archive::Database(store.clone()),
            DocumentStore::S3(location) => {
                let objects = S3Archive::connect(location)
                    .await
                    .context("document_store: opening the S3 archive")?;
                tracing::info!(
                    bucket = %location.bucket,
                    prefix = %location.prefix,
                    endpoint = location.endpoint.as_deref().unwrap_or("AWS"),
                    "documents archived in S3"
                );
                Archive::Objects(objects)
            }
        };
        // Every bureau's services; an empty bureau imports the catalog folder.
        let tenants = Arc::new(
            Tenants::open(
                Shared {
                    store: store.clone(),
                    pricing_dir: settings.pricing_dir.clone(),
                    number_prefix: settings.number_prefix.clone(),
                    mailing,
                    reminder_days: settings.reminder_days,
                    consent_links: ConsentLinks {
                        public_url: settings.public_url.clone(),
                        days: settings.consent_link_days,
                    },
                    request_retention_days: settings.request_retention_days,
                    renderer: renderer.clone(),
                    letters: letters.clone(),
                    archive: archive.clone(),
                    clock: clock.clone(),
                    webhooks,
                    configured_endpoints,
                    endpoints: endpoints.clone(),
                    private_networks: settings.webhook_allow_private_networks,
                },
                Keys(settings.operator_keys.clone()),
                Keys(settings.api_keys.clone()),
            )
            .await
            .with_context(|| {
                format!(
                    "loading the bureaus (an empty one imports {})",
                    settings.pricing_dir.display()
                )
            })?,
        );
        let wake = store.writes().jobs_queued.clone();
        tokio::spawn(outbox::worker::run(
            store.clone(),
            archive,
            outbox::worker::Senders {
                mailer,
                endpoints,
                client: crate::delivery::http::client(),
                guarded_client: crate::delivery::http::guarded_client(),
                counters,
            },
            wake,
        ));
        spawn_sweep(tenants.clone(), settings.sweep_seconds);
        spawn_refresh(tenants.clone());
        let cors_tenants = tenants.clone();
        let state = web::Data::new(AppState {
            bureaus: Arc::new(
                BureauService::new(store, clock.clone())
                    .with_private_networks(settings.webhook_allow_private_networks),
            ),
            tenants,
            renderer,
            letters,
            clock,
        });

        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .app_data(state.clone())
                .app_data(body_limit.clone())
                .app_data(metrics.clone())
                .app_data(openapi.clone())
                .app_data(known_paths.clone())
                .wrap(from_fn(api::request_id::stamp))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(cors(&origins, cors_tenants.clone()))
                .wrap(from_fn(api::metrics::track))
                .into_utoipa_app()
                .configure(|cfg| api::routes(cfg, request_limit.clone()))
                .split_for_parts();
            app.route("/openapi.json", web::get().to(api::serve_openapi))
                .service(api::online::OnlinePages(online_limit.clone()))
                .service(api::consent::ConsentPages(online_limit.clone()))
                // The embeddable form: static files, not API operations, not rate-limited.
                .route("/embed/offerte-form.js", web::get().to(embed_script))
                .route("/embed/demo", web::get().to(embed_demo))
                .route(
                    "/swagger-ui",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header((http::header::LOCATION, "/swagger-ui/"))
                            .finish()
                    }),
                )
                // validatorUrl "none": Swagger UI would otherwise load a badge from
                // validator.swagger.io, sending it the spec's URL (no network access wanted).
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}")
                        .config(Config::from("/openapi.json").validator_url("none")),
                )
                .default_service(web::to(api::not_found))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from outside (tests stop and restart servers on the same
    /// database); `stop(true)` finishes in-flight requests first, like SIGTERM.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Runs until SIGTERM or SIGINT; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The webhook endpoints of the settings (the default bureau's): what the domain needs (which
/// endpoint wants which event) and what the worker needs (URL and secrets), both keyed by the
/// endpoint's id.
pub(crate) fn webhook_endpoints(
    settings: &Settings,
) -> Result<(Vec<Subscription>, outbox::worker::Endpoints)> {
    let mut subscriptions = Vec::new();
    let mut endpoints = std::collections::HashMap::new();
    for endpoint in &settings.webhooks {
        let url = endpoint.url.as_str();
        let subscription = Subscription::new(url, endpoint.events.clone());
        tracing::info!(endpoint = %subscription.recipient, id = %subscription.endpoint, "webhook endpoint");
        subscriptions.push(subscription);
        let signer = Signer::new(endpoint.secrets.clone())?;
        endpoints.insert(
            (BureauId::DEFAULT, endpoint_id(url)),
            outbox::worker::Endpoint {
                url: endpoint.url.clone().into(),
                signer,
                after_overlap: None,
                guarded: false,
            },
        );
    }
    Ok((subscriptions, endpoints))
}

/// CORS for the configured origins and the bureaus' own (`PATCH /api/v1/bureau`); none by
/// default.
fn cors(origins: &[String], tenants: Arc<Tenants>) -> Cors {
    let mut cors = Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| tenants.allows_origin(origin))
        })
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            http::header::CONTENT_TYPE,
            http::header::AUTHORIZATION,
            http::header::ACCEPT,
        ])
        .expose_headers(["x-request-id", "retry-after", "location"])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The web component a bureau adds to its site (`<script src=".../embed/offerte-form.js">`).
const EMBED_SCRIPT: &str = include_str!("../embed/offerte-form.js");
/// A page showing the component.
const EMBED_DEMO: &str = include_str!("../embed/demo.html");

async fn embed_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((http::header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(EMBED_SCRIPT)
}

async fn embed_demo() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            http::header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
        ))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(EMBED_DEMO)
}

/// Every [`crate::tenancy::REFRESH`] each instance reads the bureaus' revisions and loads
/// again what changed (a bureau, its keys, its catalog versions): a change made on another
/// instance is in force here within seconds.
fn spawn_refresh(tenants: Arc<Tenants>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(crate::tenancy::REFRESH);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = tenants.refresh().await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "bureaus not refreshed; trying again"
                );
            }
        }
    });
}

/// Every `seconds`, for every bureau: stores the expiry of sent quotes past their validity
/// (reads show it at once; this records status and event), queues the one reminder of quotes
/// whose validity ends within the reminder days (when e-mail is configured), removes orphan
/// documents from an object store archive, and deletes quote requests not turned into a quote
/// that are older than the retention.
fn spawn_sweep(tenants: Arc<Tenants>, seconds: u64) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(seconds.max(1)));
        loop {
            interval.tick().await;
            for tenant in tenants.all() {
                sweep(&tenant).await;
            }
        }
    });
}

async fn sweep(tenant: &Tenant) {
    let bureau = tenant.bureau.slug.as_str();
    match tenant.quotes.sweep_expired().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(bureau, expired = n, "expiry sweep"),
        Err(e) => tracing::warn!(bureau, error = %e, "expiry sweep failed"),
    }
    match tenant.quotes.send_reminders().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(bureau, reminders = n, "reminders queued"),
        Err(e) => tracing::warn!(bureau, error = %e, "reminder sweep failed"),
    }
    match tenant.quotes.sweep_orphans().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(bureau, removed = n, "orphan documents removed"),
        Err(e) => tracing::warn!(bureau, error = %e, "orphan document sweep failed"),
    }
    match tenant.requests.purge().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(bureau, deleted = n, "quote request purge"),
        Err(e) => tracing::warn!(bureau, error = %e, "quote request purge failed"),
    }
}
