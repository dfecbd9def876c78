//! A bureau that leaves the deployment: everything it owns, as rows of its tables (one export),
//! and then erased, nothing of it left. Erasing is for a suspended bureau only (so its users
//! were told), and never for the default bureau.

use serde_json::Value;

use super::BureauService;
use crate::bureaus::error::BureauError;
use crate::bureaus::model::BureauStatus;
use crate::bureaus::ports::BureauRepository;
use crate::storage::{BureauId, ForBureau};

/// What an export shows instead of a webhook endpoint's signing secrets.
pub const NOT_EXPORTED: &str = "(not exported)";

impl<R: BureauRepository + ForBureau> BureauService<R> {
    /// Every table the bureau owns, parents first, with its rows; webhook secrets left out.
    pub async fn export_rows(
        &self,
        bureau: BureauId,
    ) -> Result<Vec<(&'static str, Vec<Value>)>, BureauError> {
        let repo = self.repo.for_bureau(bureau);
        let mut tables = Vec::new();
        for &table in repo.bureau_tables().iter().rev() {
            let mut rows = repo.dump_table(table).await?;
            if table == "webhook_endpoints" {
                for row in &mut rows {
                    if row.get("secrets").is_some_and(|s| !s.is_null()) {
                        row["secrets"] = Value::String(NOT_EXPORTED.into());
                    }
                }
            }
            tables.push((table, rows));
        }
        Ok(tables)
    }

    /// Erases the bureau `slug` and everything it owns.
    pub async fn erase(&self, slug: &str) -> Result<BureauId, BureauError> {
        let bureau = self.find(slug).await?;
        if bureau.id.is_default() {
            return Err(BureauError::NotErasable(
                "the default bureau cannot be erased",
            ));
        }
        if bureau.status != BureauStatus::Suspended {
            return Err(BureauError::NotErasable(
                "suspend the bureau first (POST /api/v1/bureaus/{slug}/suspend), then export it, then erase it",
            ));
        }
        self.repo.for_bureau(bureau.id).erase_bureau().await?;
        Ok(bureau.id)
    }
}
