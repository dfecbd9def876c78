//! Authentication over HTTP: the key is sent as `Authorization: Bearer <key>` and resolved by
//! the running bureaus ([`crate::tenancy::Tenants::authenticate`]) to its bureau and role, or
//! to the operator. The [`Auth`] extractor comes first in every secured handler, so a request
//! without a valid key is a 401 whatever else is wrong with it; it hands the handler the
//! services of the key's bureau, and no other.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::sync::Arc;

use super::problem::ApiError;
use super::state::AppState;
use crate::access::Role;
use crate::bureaus::model::shown_slug;
use crate::storage::BureauId;
use crate::tenancy::{Identity, Refusal, Tenant};

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    pub key_id: String,
    pub bureau: BureauId,
}

/// The role an operation requires.
pub trait Requirement {
    const ROLE: Role;
}

/// Requires role `sales` (or admin).
pub struct SalesRole;
/// Requires role `finance` (or admin).
pub struct FinanceRole;
/// Requires role `admin`.
pub struct AdminRole;

impl Requirement for SalesRole {
    const ROLE: Role = Role::Sales;
}
impl Requirement for FinanceRole {
    const ROLE: Role = Role::Finance;
}
impl Requirement for AdminRole {
    const ROLE: Role = Role::Admin;
}

/// A caller whose key allows role `R`, with its bureau's services.
pub struct Auth<R> {
    pub caller: Caller,
    pub tenant: Arc<Tenant>,
    role: PhantomData<R>,
}

impl<R: Requirement> FromRequest for Auth<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req).and_then(|identity| match identity {
            Identity::Operator { .. } => Err(ApiError::WrongParty(
                "an operator key manages bureaus; it reads and changes no bureau's quotes",
            )),
            Identity::Bureau {
                tenant,
                role,
                key_id,
            } => {
                if role == R::ROLE || role == Role::Admin {
                    Ok(Auth {
                        caller: Caller {
                            role,
                            key_id,
                            bureau: tenant.id(),
                        },
                        tenant,
                        role: PhantomData,
                    })
                } else {
                    Err(ApiError::Forbidden(R::ROLE.as_str()))
                }
            }
        }))
    }
}

/// A caller with an operator key (`operator_keys`).
pub struct OperatorAuth {
    pub key_id: String,
}

impl FromRequest for OperatorAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req).and_then(|identity| match identity {
            Identity::Operator { key_id } => Ok(OperatorAuth { key_id }),
            Identity::Bureau { .. } => Err(ApiError::WrongParty(
                "this operation needs an operator key (operator_keys); a bureau's key cannot manage bureaus",
            )),
        }))
    }
}

/// The bureau of a public operation (the website form, the public catalog): the bureau of the
/// key sent (a `pk_…` key is made for this), else the default bureau.
pub struct PublicBureau {
    pub tenant: Arc<Tenant>,
}

impl FromRequest for PublicBureau {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = match presented(req) {
            None => state(req).map(|s| s.tenants.default_tenant()),
            Some(Err(e)) => Err(e),
            Some(Ok(_)) => identify(req).and_then(|identity| match identity {
                Identity::Bureau { tenant, .. } => Ok(tenant),
                Identity::Operator { .. } => Err(ApiError::WrongParty(
                    "an operator key belongs to no bureau; send a bureau's key, or none",
                )),
            }),
        };
        ready(found.and_then(|tenant| {
            if tenant.is_suspended() {
                Err(ApiError::Suspended(tenant.bureau.slug.clone()))
            } else {
                Ok(PublicBureau { tenant })
            }
        }))
    }
}

fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Unauthorized)
}

/// The bearer token sent, if an `Authorization` header was sent at all.
fn presented(req: &HttpRequest) -> Option<Result<&str, ApiError>> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    Some(
        header
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized),
    )
}

fn identify(req: &HttpRequest) -> Result<Identity, ApiError> {
    let state = state(req)?;
    let key = presented(req).ok_or(ApiError::Unauthorized)??;
    state
        .tenants
        .authenticate(key, state.clock.now().at)
        .map_err(|refusal| match refusal {
            Refusal::Unknown => ApiError::Unauthorized,
            Refusal::Revoked => ApiError::KeyRefused("this key was revoked"),
            Refusal::Expired => ApiError::KeyRefused("this key has expired"),
            Refusal::Suspended(slug) => ApiError::Suspended(slug),
        })
}

/// Who manages the bureau named in the path (`{slug}`): an operator, or an admin key of that
/// very bureau. Another bureau's key finds no such bureau (a 404, as for its quotes).
pub struct Manager {
    pub tenant: Arc<Tenant>,
    pub key_id: String,
}

impl FromRequest for Manager {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let slug = req.match_info().get("slug").unwrap_or_default().to_string();
        let no_such = || ApiError::NotFound(format!("no bureau `{}`", shown_slug(&slug)));
        ready(identify(req).and_then(|identity| match identity {
            Identity::Operator { key_id } => {
                let tenant = state(req)?.tenants.by_slug(&slug).ok_or_else(no_such)?;
                Ok(Manager { tenant, key_id })
            }
            Identity::Bureau {
                tenant,
                role,
                key_id,
            } => {
                if tenant.bureau.slug != slug {
                    Err(no_such())
                } else if role != Role::Admin {
                    Err(ApiError::Forbidden(Role::Admin.as_str()))
                } else {
                    Ok(Manager { tenant, key_id })
                }
            }
        }))
    }
}
