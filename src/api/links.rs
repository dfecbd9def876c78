//! The bureau of an online link: `/q/{token}` and `/c/{token}` open before anyone says which
//! bureau they belong to, so the token itself is looked up (the one read that spans bureaus on
//! these pages) and the page is served with that bureau's services only. A token nobody
//! issued is a plain 404; a suspended bureau's links answer a page that says to contact the
//! bureau.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use std::sync::Arc;

use super::online::{not_found, private};
use super::problem::ApiError;
use super::state::AppState;
use crate::tenancy::Tenant;

/// The bureau whose link the path holds, with its services.
pub struct LinkTenant(Arc<Tenant>);

impl std::ops::Deref for LinkTenant {
    type Target = Tenant;
    fn deref(&self) -> &Tenant {
        &self.0
    }
}

/// Why a link's page is not served.
#[derive(Debug)]
pub enum LinkRefused {
    Unknown,
    /// The bureau is suspended: its name as its catalog prints it.
    Suspended(String),
    Failed(ApiError),
}

impl std::fmt::Display for LinkRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkRefused::Unknown => f.write_str("no such link"),
            LinkRefused::Suspended(name) => write!(f, "the links of {name} are suspended"),
            LinkRefused::Failed(e) => e.fmt(f),
        }
    }
}

impl ResponseError for LinkRefused {
    fn status_code(&self) -> StatusCode {
        match self {
            LinkRefused::Unknown => StatusCode::NOT_FOUND,
            LinkRefused::Suspended(_) => StatusCode::FORBIDDEN,
            LinkRefused::Failed(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            LinkRefused::Unknown => not_found(),
            LinkRefused::Suspended(name) => suspended(name),
            LinkRefused::Failed(e) => e.error_response(),
        }
    }
}

impl FromRequest for LinkTenant {
    type Error = LinkRefused;
    type Future = LocalBoxFuture<'static, Result<Self, LinkRefused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.match_info().get("token").map(str::to_string);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(LinkRefused::Unknown);
            };
            let tenant = state
                .tenants
                .for_link(&token)
                .await
                .map_err(|e| LinkRefused::Failed(ApiError::Internal(e.into())))?
                .ok_or(LinkRefused::Unknown)?;
            if tenant.is_suspended() {
                let name = tenant
                    .catalogs()
                    .versions()
                    .last()
                    .map(|c| c.bureau.name.clone())
                    .unwrap_or_else(|| tenant.bureau.name.clone());
                return Err(LinkRefused::Suspended(name));
            }
            Ok(LinkTenant(tenant))
        })
    }
}

/// The page of a suspended bureau's link, in both languages (no quote is read to pick one).
fn suspended(name: &str) -> HttpResponse {
    let name = handlebars::html_escape(name);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Niet beschikbaar</title></head>\n<body style=\"font: 12pt/1.5 'DejaVu Sans', Arial, \
         sans-serif; max-width: 40em; margin: 10vh auto; padding: 0 1em;\">\n<main>\n\
         <h1 style=\"font-size: 14pt;\">Deze pagina is nu niet beschikbaar</h1>\n\
         <p>Neem contact op met {name} over uw offerte.</p>\n\
         <p lang=\"en\">This page is not available now. Please contact {name} about your quote.</p>\n\
         </main>\n</body>\n</html>\n"
    );
    private(HttpResponse::Forbidden())
        .content_type("text/html; charset=utf-8")
        .body(body)
}
