//! Authentication over HTTP: the key is sent as `Authorization: Bearer <key>` and checked
//! against the configured keys ([`crate::access`]). The [`Auth`] extractor comes first in every
//! secured handler, so a request without a valid key is a 401 whatever else is wrong with it.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::{Ready, ready};
use std::marker::PhantomData;

use super::problem::ApiError;
use crate::access::{Keys, Role};

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    pub key_id: String,
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

/// A caller whose key allows role `R`.
pub struct Auth<R> {
    pub caller: Caller,
    role: PhantomData<R>,
}

impl<R: Requirement> FromRequest for Auth<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|caller| {
            if caller.role == R::ROLE || caller.role == Role::Admin {
                Ok(Auth {
                    caller,
                    role: PhantomData,
                })
            } else {
                Err(ApiError::Forbidden(R::ROLE.as_str()))
            }
        }))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let keys = req
        .app_data::<web::Data<Keys>>()
        .ok_or(ApiError::Unauthorized)?;
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized)?;
    let key = keys.find(presented).ok_or(ApiError::Unauthorized)?;
    Ok(Caller {
        role: key.role,
        key_id: key.id(),
    })
}
