//! `GET /api/v1/exports/pricing-diff`: what a price change does, before it takes effect: two
//! catalog versions side by side, as CSV, XLSX or JSON.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::IntoParams;

use super::auth::{Auth, FinanceRole};
use super::errors::selection_refused;
use super::exports::{ExportFile, export_file};
use super::extract::QueryParams;
use super::problem::ApiError;
use super::responses::{AuthErrors, QueryErrors, ServerErrors};
use super::state::AppState;
use crate::catalog::select::Selection;
use crate::catalog::{Catalog, CatalogSet};
use crate::exports::catalog_diff::{self, CatalogDiff, DiffPart};
use crate::exports::{Dialect, ExportFormat, tables};
use crate::pricing::InputError;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PricingDiffQuery {
    /// The old version: a version name (`2024.1`) or a date (`YYYY-MM-DD`: the version in force
    /// then). Default: the version in force today.
    #[param(max_length = 100, example = "2024.1")]
    pub from: Option<String>,
    /// The new version, the same way. Default: the version after `from` (the next price
    /// change); 422 when there is none.
    #[param(max_length = 100, example = "2025-01-01")]
    pub to: Option<String>,
    /// `csv`, `xlsx` or `json` (default `xlsx`).
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// The table of a CSV: `tiers` (default) or `items`. XLSX has a sheet for each, JSON both.
    #[param(inline)]
    pub part: Option<DiffPart>,
    /// `nl` (default) or `intl`; see the pricing export.
    #[param(inline)]
    pub dialect: Option<Dialect>,
}

/// A version named by `field`: by name, or the one in force on a date.
fn resolve(catalogs: &CatalogSet, field: &str, text: &str) -> Result<Arc<Catalog>, ApiError> {
    let selection = Selection::name_or_date(text, catalogs);
    catalogs
        .select(&selection)
        .cloned()
        .map_err(|e| selection_refused(field, e))
}

/// Two catalog versions compared: every tier and variation, old and new price.
///
/// Every tier of either version priced under each version's standard circumstances (see the
/// pricing export), for the standard case and for each variation (light and intensive
/// guidance, training, retraining): old and new price excl. and incl. BTW, the difference and
/// the percentage (of the old price, two decimals), and whether it was `added`, `removed`,
/// `changed` or `unchanged`; and the item price list compared the same way. Without `to`, the
/// next version after `from`: what a price change does before it takes effect.
#[utoipa::path(
    tag = "exports",
    params(PricingDiffQuery),
    responses(
        (status = 200, description = "The comparison; `Content-Disposition` names the file, e.g. prijsverschil-2024-01-01-2025-01-01.xlsx",
         content(
            (ExportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (ExportFile = "text/csv"),
            (CatalogDiff = "application/json"),
         ),
         headers(("Content-Disposition" = String, description = "attachment; filename=\"prijsverschil-<old valid_from>-<new valid_from>[-prijslijst].<ext>\""))),
        AuthErrors, QueryErrors, ServerErrors,
    ),
    security(("api_key" = []))
)]
#[get("/exports/pricing-diff")]
pub async fn export_pricing_diff(
    auth: Auth<FinanceRole>,
    state: web::Data<AppState>,
    query: QueryParams<PricingDiffQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let catalogs = auth.tenant.catalogs().clone();
    let old = match q.from.as_deref() {
        Some(text) => resolve(&catalogs, "from", text)?,
        None => catalogs
            .select(&Selection::InForce(state.today()))
            .cloned()
            .map_err(|e| selection_refused("from", e))?,
    };
    let new = match q.to.as_deref() {
        Some(text) => resolve(&catalogs, "to", text)?,
        None => catalogs.next_after(&old).cloned().ok_or_else(|| {
            ApiError::Invalid(InputError::one(
                "to",
                "no_next_version",
                format!(
                    "no catalog version follows {} (valid from {}); name the version to compare with",
                    old.version, old.valid_from
                ),
            ))
        })?,
    };
    let format = q.format.unwrap_or(ExportFormat::Xlsx);
    let dialect = q.dialect.unwrap_or_default();
    let part = q.part.unwrap_or_default();
    export_file(format, move || {
        let diff = catalog_diff::diff(&catalogs, &old, &catalogs, &new, dialect.language())?;
        let mut out = Vec::new();
        tables::write(
            &diff,
            &diff.tables(),
            format,
            dialect,
            part.as_str(),
            &diff.properties(&new.bureau.name),
            &mut out,
        )?;
        Ok((diff.file_name(format, part), out))
    })
    .await
}
