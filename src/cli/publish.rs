//! The catalog versions in the database through the command line: `offerte catalog publish FILE`
//! and `offerte catalog import DIR` do what `POST /api/v1/catalog/versions` (and the asset
//! `PUT`) do, with the same checks and messages; `offerte catalog export DIR` writes the stored
//! versions and assets back as a catalog folder.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::catalog::CatalogSet;
use crate::clock::SystemClock;
use crate::config::{Overrides, Settings};
use crate::publishing::model::StoredVersion;
use crate::publishing::{PublishError, Publisher};
use crate::store::Store;

/// Who publishes from the command line (the `published_by` of what it stores).
const CLI: &str = "cli";

/// Where the catalog versions are kept.
#[derive(Debug, Default, clap::Args)]
pub struct StoreArgs {
    /// Database URL, `sqlite://...` or `postgres://...` (overrides DATABASE_URL).
    #[arg(long)]
    pub database_url: Option<String>,
    /// A config file (default: offerte.toml in the working folder, when present).
    #[arg(long, env = "OFFERTE_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Runs `work` with the publisher of the configured database.
fn with_publisher<F>(args: &StoreArgs, work: F) -> Result<ExitCode>
where
    F: AsyncFnOnce(&Publisher<Store>) -> Result<ExitCode>,
{
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let overrides = Overrides {
        database_url: args.database_url.clone(),
        ..Overrides::default()
    };
    let (settings, warnings) = Settings::load(args.config.as_deref(), &env, &overrides)?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the database")?;
        let (webhooks, _) = crate::app::webhook_endpoints(&settings)?;
        let publisher = Publisher::open(
            store,
            &settings.pricing_dir,
            Arc::new(SystemClock),
            crate::outbox::webhooks::Webhooks::new(webhooks),
        )
        .await?;
        work(&publisher).await
    })
}

/// Prints a refusal the way the catalog check does; the exit code 2 (the input was refused).
fn refused(file: &Path, error: PublishError) -> Result<ExitCode> {
    match error {
        PublishError::Invalid(problems) => {
            for p in problems {
                let path = if p.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", p.path)
                };
                eprintln!("{}: {path}{}", file.display(), p.message);
            }
        }
        PublishError::Storage(e) => return Err(e.into()),
        other => eprintln!("{}: {other}", file.display()),
    }
    Ok(ExitCode::from(2))
}

/// `offerte catalog publish FILE`.
pub fn publish(file: &Path, args: &StoreArgs) -> Result<ExitCode> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    with_publisher(args, async |publisher| {
        match publisher.publish(&source, CLI).await {
            Ok(v) => {
                println!(
                    "{}: published version {} valid from {} ({})",
                    file.display(),
                    v.version,
                    v.valid_from,
                    v.state
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(file, e),
        }
    })
}

/// `offerte catalog import DIR`: every file of a catalog folder that the database does not hold
/// yet (its logos first); a file the database holds with other content is refused.
pub fn import(dir: &Path, args: &StoreArgs) -> Result<ExitCode> {
    let Some(set) = super::load_catalog(dir)? else {
        return Ok(ExitCode::from(2));
    };
    with_publisher(args, async |publisher| {
        let stored = publisher.list().await?;
        let mut code = ExitCode::SUCCESS;
        for catalog in set.versions() {
            let path = dir.join(&catalog.file);
            let (_, source) = CatalogSet::read_source(&path)?;
            let sha256 = crate::archive::sha256_hex(source.as_bytes());
            if stored
                .iter()
                .any(|v| v.version == catalog.version && v.sha256 == sha256)
            {
                println!(
                    "{}: version {} is stored already",
                    path.display(),
                    catalog.version
                );
                continue;
            }
            if let Some(logo) = &catalog.bureau.logo {
                let bytes = std::fs::read(dir.join(logo))?;
                if let Err(e) = publisher.publish_asset(logo, bytes, CLI).await {
                    code = refused(&dir.join(logo), e)?;
                    continue;
                }
            }
            match publisher.publish(&source, CLI).await {
                Ok(v) => println!(
                    "{}: published version {} valid from {}",
                    path.display(),
                    v.version,
                    v.valid_from
                ),
                Err(e) => code = refused(&path, e)?,
            }
        }
        Ok(code)
    })
}

/// `offerte catalog export DIR`: the stored versions as `{valid_from}.toml`, byte for byte,
/// and their assets.
pub fn export(dir: &Path, args: &StoreArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    with_publisher(args, async |publisher| {
        for info in publisher.list().await? {
            let (stored, _): (StoredVersion, _) = publisher.get(&info.version).await?;
            let path = dir.join(stored.file_name());
            std::fs::write(&path, stored.source.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            println!("{}: version {}", path.display(), stored.version);
        }
        for asset in publisher.assets().await? {
            let path = dir.join(&asset.name);
            std::fs::write(&path, &asset.bytes)
                .with_context(|| format!("writing {}", path.display()))?;
            println!("{}: asset", path.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}
