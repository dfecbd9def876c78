//! `offerte serve` and `offerte purge`: the server, and the database upkeep it also does itself.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::process::ExitCode;

use super::{PurgeArgs, ServeArgs};
use crate::app::Application;
use crate::config::{Overrides, Settings};
use crate::outbox::webhooks::Webhooks;
use crate::requests::service::RequestService;
use crate::telemetry;
use std::sync::Arc;

pub(super) fn serve(args: ServeArgs) -> Result<ExitCode> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        bind: args.bind,
        database_url: args.database_url,
        pricing_dir: args.pricing_dir,
        document_store: args.document_store,
    };
    let (settings, warnings) = Settings::load(args.config.as_deref(), &env, &overrides)?;
    let _guard = telemetry::init(settings.log_format);
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let app = match Application::build(settings).await {
            Ok(app) => app,
            Err(error) => {
                // The catalog check's messages, or what else stopped the start.
                tracing::error!("cannot start: {error:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        tracing::info!(port = app.port(), "listening; Swagger UI at /swagger-ui/");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

pub(super) fn purge(args: PurgeArgs) -> Result<ExitCode> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: args.database_url,
        ..Overrides::default()
    };
    let (settings, warnings) = Settings::load(args.config.as_deref(), &env, &overrides)?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let days = args
        .retention_days
        .unwrap_or(settings.request_retention_days);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = crate::store::Store::connect(&settings.database_url)
            .await
            .context("opening the database")?;
        let Some(catalogs) = super::load_catalog(&settings.pricing_dir)? else {
            return Ok(ExitCode::FAILURE);
        };
        let catalogs = Arc::new(catalogs);
        let requests = RequestService::new(
            store,
            catalogs,
            Webhooks::default(),
            settings.number_prefix.clone(),
            days,
        );
        let deleted = requests.purge().await?;
        println!(
            "deleted {deleted} quote request(s) older than {days} days that were not turned into a quote"
        );
        Ok(ExitCode::SUCCESS)
    })
}
