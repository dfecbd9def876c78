//! The catalog versions and assets in the database (see `publishing`): stored, listed, and a
//! version not yet in force deleted. No rule is decided here: the publisher checks the files.

use chrono::NaiveDate;
use sqlx::Row;

use super::writes::insert_jobs;
use super::{Store, WritePool};
use crate::outbox::model::NewJob;
use crate::publishing::model::{StoredAsset, StoredVersion};
use crate::publishing::ports::CatalogRepository;
use crate::storage::StorageError;

impl CatalogRepository for Store {
    async fn catalog_versions(&self) -> Result<Vec<StoredVersion>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().catalog_versions)
                .bind(self.id()).fetch_all(&mut *conn).await?;
            rows.iter()
                .map(|row| {
                    Ok(StoredVersion {
                        version: row.try_get("version")?,
                        valid_from: row.try_get("valid_from")?,
                        sha256: row.try_get("sha256")?,
                        source: row.try_get("source")?,
                        published_by: row.try_get("published_by")?,
                        published_at: row.try_get("published_at")?,
                    })
                })
                .collect()
        })
    }

    async fn catalog_marks(&self) -> Result<Vec<(String, String)>, StorageError> {
        Ok(in_bureau!(self, conn => {
            sqlx::query_as(self.sql().catalog_marks)
                .bind(self.id()).fetch_all(&mut *conn).await
        })?)
    }

    async fn insert_catalog(
        &self,
        versions: &[StoredVersion],
        assets: &[StoredAsset],
        jobs: &[NewJob],
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            for asset in assets {
                sqlx::query(self.sql().insert_catalog_asset)
                .bind(self.id())
                    .bind(asset.name.as_str())
                    .bind(asset.sha256.as_str())
                    .bind(asset.bytes.as_slice())
                    .bind(asset.published_by.as_str())
                    .bind(asset.published_at)
                    .execute(&mut *tx)
                    .await?;
            }
            for version in versions {
                sqlx::query(self.sql().insert_catalog_version)
                .bind(self.id())
                    .bind(version.version.as_str())
                    .bind(version.valid_from)
                    .bind(version.sha256.as_str())
                    .bind(version.source.as_str())
                    .bind(version.published_by.as_str())
                    .bind(version.published_at)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_jobs(self, &mut tx, jobs).await?;
            // Every instance loads the bureau's catalog again when its revision moves.
            sqlx::query(self.sql().touch_bureau)
                .bind(self.id())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), StorageError>(())
        })?;
        self.jobs_queued(jobs);
        Ok(())
    }

    async fn delete_catalog_version(
        &self,
        version: &str,
        today: NaiveDate,
    ) -> Result<bool, StorageError> {
        let deleted = on_pool!(self, pool => {
            let _turn = self.write_turn().await;
            let mut tx = pool.begin_write(self.scope()).await?;
            let deleted = sqlx::query(self.sql().delete_catalog_version)
                .bind(self.id())
                .bind(version)
                .bind(today)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(self.sql().touch_bureau)
                .bind(self.id())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            deleted
        });
        Ok(deleted == 1)
    }

    async fn catalog_assets(&self) -> Result<Vec<StoredAsset>, StorageError> {
        in_bureau!(self, conn => {
            let rows = sqlx::query(self.sql().catalog_assets)
                .bind(self.id()).fetch_all(&mut *conn).await?;
            rows.iter()
                .map(|row| {
                    Ok(StoredAsset {
                        name: row.try_get("name")?,
                        sha256: row.try_get("sha256")?,
                        bytes: row.try_get("bytes")?,
                        published_by: row.try_get("published_by")?,
                        published_at: row.try_get("published_at")?,
                    })
                })
                .collect()
        })
    }
}
