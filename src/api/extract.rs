//! Request extractors that answer every mistake with a problem naming the field: JSON bodies
//! (415 for another content type, 413 past the size limit, 400 with the JSON path for a malformed
//! or mistyped body, 422 when a value is out of range) and query strings.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use validator::Validate;

use super::problem::ApiError;
use crate::pricing::InputError;

/// The body size limit in bytes, kept as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, parsed with the path of any error, then validated.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            let value: T = parse_json(&bytes)?;
            value
                .validate()
                .map_err(|e| ApiError::Invalid(InputError::from_validation(&e)))?;
            Ok(JsonBody(value))
        })
    }
}

/// A domain value that is made from a JSON request body: the body (the API's type, with its
/// OpenAPI schema) is parsed, then turned into the value, which checks it once.
pub trait FromJsonBody: TryFrom<Self::Body, Error = InputError> {
    type Body: DeserializeOwned;
}

/// A request body parsed and made into the domain value `T` (a 422 naming every field the
/// value refuses).
#[derive(Debug)]
pub struct Input<T>(pub T);

impl<T: FromJsonBody + 'static> FromRequest for Input<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            let parsed: T::Body = parse_json(&bytes)?;
            T::try_from(parsed).map(Input).map_err(ApiError::Invalid)
        })
    }
}

/// The raw bytes of a JSON body, after the content-type and size checks.
pub struct JsonBytes(pub web::Bytes);

impl FromRequest for JsonBytes {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_json_body(req, payload);
        Box::pin(async move { body.await.map(JsonBytes) })
    }
}

/// Parses JSON, naming the path of the first error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        ApiError::BadRequest(InputError::from_serde(
            &e.path().to_string(),
            &e.inner().to_string(),
        ))
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::BadRequest(InputError::from_serde("", &e.to_string())))?;
    Ok(value)
}

fn read_json_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<web::Bytes, ApiError>> {
    let limit = req
        .app_data::<web::Data<BodyLimit>>()
        .map(|l| l.0)
        .unwrap_or(64 * 1024);
    let is_json = |essence: &str| {
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    };
    read_body(req, payload, ("application/json", is_json), limit)
}

/// The raw bytes of a PDF body (`application/pdf`, at most [`PDF_LIMIT`]).
pub struct PdfBytes(pub web::Bytes);

/// The largest PDF body accepted: a quote's PDF is some tens of kilobytes.
pub const PDF_LIMIT: usize = 10 * 1024 * 1024;

impl FromRequest for PdfBytes {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_pdf = |essence: &str| essence == "application/pdf";
        let body = read_body(req, payload, ("application/pdf", is_pdf), PDF_LIMIT);
        Box::pin(async move { body.await.map(PdfBytes) })
    }
}

/// An image as a body (`image/png`, `image/jpeg` or `image/svg+xml`, at most [`IMAGE_LIMIT`]):
/// a catalog asset.
pub struct ImageBytes(pub web::Bytes);

/// The largest image body read (the catalog check allows a logo of 512 KiB).
pub const IMAGE_LIMIT: usize = 1024 * 1024;

impl FromRequest for ImageBytes {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_image =
            |essence: &str| matches!(essence, "image/png" | "image/jpeg" | "image/svg+xml");
        let media: (&'static str, fn(&str) -> bool) =
            ("image/png, image/jpeg or image/svg+xml", is_image);
        let body = read_body(req, payload, media, IMAGE_LIMIT);
        Box::pin(async move { body.await.map(ImageBytes) })
    }
}

/// A catalog file as a body (`application/toml`, UTF-8, at most [`TOML_LIMIT`] bytes and
/// [`TOML_DEPTH`] levels of nesting: a deeper file is refused before it is parsed).
pub struct TomlText(pub String);

/// The largest catalog file accepted (the default catalog is some 20 KB).
pub const TOML_LIMIT: usize = 1024 * 1024;
/// The deepest nesting of arrays and inline tables accepted (a catalog needs three or four).
pub const TOML_DEPTH: usize = 32;

impl FromRequest for TomlText {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_toml = |essence: &str| essence == "application/toml";
        let body = read_body(req, payload, ("application/toml", is_toml), TOML_LIMIT);
        Box::pin(async move {
            let bytes = body.await?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
                ApiError::Invalid(InputError::one(
                    "body",
                    "utf8",
                    format!(
                        "the catalog file is not UTF-8 (at byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                ))
            })?;
            if nesting(&text) > TOML_DEPTH {
                return Err(ApiError::Invalid(InputError::one(
                    "body",
                    "too_deep",
                    format!("arrays and inline tables nest more than {TOML_DEPTH} levels deep"),
                )));
            }
            Ok(TomlText(text))
        })
    }
}

/// The deepest nesting of `[`/`{` in a TOML text outside strings and comments (a table header
/// `[a]` or `[[a]]` counts one or two and closes at once).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    for c in text.chars() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '#' => comment = true,
            '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A body of the media type `media.0` (its essence, lowercase, passes `media.1`), at most
/// `limit` bytes: refused before reading when the declared length is over, and while reading
/// once it grows over.
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    media: (&'static str, fn(&str) -> bool),
    limit: usize,
) -> LocalBoxFuture<'static, Result<web::Bytes, ApiError>> {
    let (name, accepts) = media;
    let accepted = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| accepts(&essence.trim().to_ascii_lowercase()))
        .unwrap_or(false);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if !accepted {
            return Err(ApiError::UnsupportedMediaType(name));
        }
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::BadRequest(InputError::one(
                    "",
                    "unreadable_body",
                    format!("the body could not be read: {e}"),
                ))
            })?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    })
}

/// A query string, parsed with the name of any parameter at fault. Unknown parameters are
/// refused when `T` denies unknown fields.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        ready(
            serde_path_to_error::deserialize(deserializer)
                .map(QueryParams)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let message = e.inner().to_string();
                    ApiError::BadRequest(InputError::from_serde(&path, &message))
                }),
        )
    }
}

/// A checked page of a list: `page` from 1 (default 1), `per_page` 1 to 100 (default 20).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Paging, ApiError> {
        let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(20));
        if page == 0 || page > 1_000_000 {
            return Err(ApiError::Invalid(InputError::one(
                "page",
                "range",
                "must be from 1 to 1000000",
            )));
        }
        if !(1..=100).contains(&per_page) {
            return Err(ApiError::Invalid(InputError::one(
                "per_page",
                "range",
                "must be from 1 to 100",
            )));
        }
        Ok(Paging { page, per_page })
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}
