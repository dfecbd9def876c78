//! Where an S3 archive is, from the `document_store` setting's URL, checked without any I/O:
//!
//! ```text
//! s3://BUCKET[/PREFIX][?endpoint=URL][&region=REGION]
//! ```
//!
//! - `BUCKET`: an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting
//!   and ending with a letter or digit).
//! - `PREFIX` (optional): the folder the documents go in, segments of letters, digits, `-`, `_`
//!   and `.` separated by `/` (a trailing `/` is dropped).
//! - `endpoint` (optional): the S3-compatible server, `http://` or `https://`, host and port, no
//!   path (e.g. `http://127.0.0.1:9000` for MinIO or moto). Without it: AWS S3 itself. An
//!   `http://` endpoint is allowed to be plain HTTP; anything else needs TLS.
//! - `region` (optional): the signing region; without it `AWS_REGION` (or `AWS_DEFAULT_REGION`),
//!   else `us-east-1`.
//!
//! Credentials never go in the URL: they come from the usual AWS environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, or a web identity, a
//! container or an instance role), unless [`S3Location::with_credentials`] gives them (tests, or
//! a caller that holds them elsewhere). Requests are path-style (`ENDPOINT/BUCKET/KEY`) unless
//! `AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true`.

use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// How long one call to the archive may take, retries included, before it is an error.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// An S3 archive's bucket, prefix, server and region: what [`super::S3Archive::new`] needs.
#[derive(Debug, Clone)]
pub struct S3Location {
    pub bucket: String,
    /// Without leading or trailing `/`; empty: the bucket's root.
    pub prefix: String,
    /// `http(s)://host[:port]`, without a trailing `/`; `None`: AWS.
    pub endpoint: Option<String>,
    /// `None`: `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: Option<String>,
    /// `None`: from the AWS environment variables (see the module docs).
    pub credentials: Option<S3Credentials>,
    /// The bound on every call ([`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
}

/// An access key; `Debug` masks the secret.
#[derive(Debug, Clone)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: SecretString,
}

/// Why a `document_store` URL is not an S3 location. No message repeats the whole URL (it is a
/// setting, and a mistaken one may hold a secret).
#[derive(Debug, thiserror::Error)]
pub enum S3UrlError {
    #[error("not a URL")]
    NotAUrl(#[source] url::ParseError),
    #[error("the scheme is `{0}`, not `s3` (s3://BUCKET/PREFIX?endpoint=...&region=...)")]
    Scheme(String),
    #[error("no bucket: write s3://BUCKET/PREFIX")]
    NoBucket,
    #[error(
        "`{0}` is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens, \
         starting and ending with a letter or digit)"
    )]
    Bucket(String),
    #[error(
        "credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
         (or use a role)"
    )]
    Credentials,
    #[error("a port does not go on the bucket: give the server as ?endpoint=http://HOST:PORT")]
    Port,
    #[error(
        "`{0}` is not a prefix (segments of letters, digits, `-`, `_` and `.` separated by `/`)"
    )]
    Prefix(String),
    #[error("a fragment (`#...`) means nothing here")]
    Fragment,
    #[error("endpoint `{value}`: {reason}")]
    Endpoint { value: String, reason: &'static str },
    #[error("`{0}` is not a region (letters, digits and hyphens, e.g. eu-west-1)")]
    Region(String),
    #[error("unknown parameter `{0}` (known: endpoint, region)")]
    UnknownParameter(String),
    #[error("the parameter `{0}` is given twice")]
    Repeated(String),
}

impl S3Location {
    /// Parses `s3://BUCKET[/PREFIX][?endpoint=URL][&region=REGION]` (see the module docs).
    pub fn parse(text: &str) -> Result<S3Location, S3UrlError> {
        let url = Url::parse(text.trim()).map_err(S3UrlError::NotAUrl)?;
        if url.scheme() != "s3" {
            return Err(S3UrlError::Scheme(url.scheme().to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(S3UrlError::Credentials);
        }
        if url.port().is_some() {
            return Err(S3UrlError::Port);
        }
        if url.fragment().is_some() {
            return Err(S3UrlError::Fragment);
        }
        let bucket = match url.host_str() {
            None | Some("") => return Err(S3UrlError::NoBucket),
            Some(bucket) if is_bucket_name(bucket) => bucket.to_string(),
            Some(other) => return Err(S3UrlError::Bucket(other.to_string())),
        };
        let prefix = url.path().trim_start_matches('/');
        let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
        if !prefix.is_empty() && !prefix.split('/').all(is_prefix_segment) {
            return Err(S3UrlError::Prefix(prefix.to_string()));
        }
        let mut location = S3Location {
            bucket,
            prefix: prefix.to_string(),
            endpoint: None,
            region: None,
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
        };
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "endpoint" => &mut location.endpoint,
                "region" => &mut location.region,
                other => return Err(S3UrlError::UnknownParameter(other.to_string())),
            };
            if slot.is_some() {
                return Err(S3UrlError::Repeated(name.into_owned()));
            }
            *slot = Some(value.into_owned());
        }
        if let Some(endpoint) = &mut location.endpoint {
            *endpoint = endpoint_url(endpoint)?;
        }
        if let Some(region) = &location.region
            && !is_region(region)
        {
            return Err(S3UrlError::Region(region.clone()));
        }
        Ok(location)
    }

    /// These credentials instead of the AWS environment variables'.
    pub fn with_credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Self {
        self.credentials = Some(S3Credentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.into(),
        });
        self
    }

    /// Another bound on every call than [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the server is spoken to in plain HTTP (an `http://` endpoint).
    pub fn plain_http(&self) -> bool {
        self.endpoint
            .as_deref()
            .is_some_and(|e| e.starts_with("http://"))
    }
}

/// S3's rules for bucket names (the ones a URL can break; not the reserved prefixes).
fn is_bucket_name(name: &str) -> bool {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (3..=63).contains(&name.len())
        && name.chars().all(|c| edge(c) || c == '.' || c == '-')
        && name.starts_with(edge)
        && name.ends_with(edge)
}

fn is_prefix_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The endpoint, checked: `http(s)://host[:port]`, returned without a trailing `/`.
fn endpoint_url(value: &str) -> Result<String, S3UrlError> {
    let bad = |reason| S3UrlError::Endpoint {
        value: value.to_string(),
        reason,
    };
    let url = Url::parse(value).map_err(|_| bad("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("not http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(S3UrlError::Credentials);
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "only scheme, host and port (no path, query or fragment)",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_url() {
        let l = S3Location::parse(
            "s3://offerte-docs/prod/sent/?endpoint=http://127.0.0.1:9000&region=eu-west-1",
        )
        .unwrap();
        assert_eq!(l.bucket, "offerte-docs");
        assert_eq!(l.prefix, "prod/sent");
        assert_eq!(l.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(l.region.as_deref(), Some("eu-west-1"));
        assert!(l.plain_http());
        assert!(l.credentials.is_none());
        assert_eq!(l.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn the_least_url_is_a_bucket_on_aws() {
        for text in ["s3://docs.example.nl", "s3://docs.example.nl/"] {
            let l = S3Location::parse(text).unwrap();
            assert_eq!(l.bucket, "docs.example.nl");
            assert_eq!(l.prefix, "");
            assert_eq!((l.endpoint, l.region), (None, None));
        }
        let l = S3Location::parse("s3://b12?endpoint=https%3A%2F%2Fs3.example.nl%2F").unwrap();
        assert_eq!(l.endpoint.as_deref(), Some("https://s3.example.nl"));
        assert!(!l.plain_http());
    }

    #[test]
    fn credentials_given_are_masked() {
        let l = S3Location::parse("s3://bucket")
            .unwrap()
            .with_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI");
        let printed = format!("{l:?}");
        assert!(printed.contains("AKIDEXAMPLE"), "{printed}");
        assert!(!printed.contains("wJalrXUtnFEMI"), "{printed}");
    }

    /// Each mistake, with its own error.
    #[test]
    fn bad_urls_say_what_is_wrong() {
        use S3UrlError as E;
        type Expected = fn(&S3UrlError) -> bool;
        let cases: &[(&str, Expected)] = &[
            ("", |e| matches!(e, E::NotAUrl(_))),
            ("bucket/prefix", |e| matches!(e, E::NotAUrl(_))),
            (
                "https://bucket/prefix",
                |e| matches!(e, E::Scheme(s) if s == "https"),
            ),
            ("s3:///prefix", |e| matches!(e, E::NoBucket)),
            ("s3:bucket", |e| matches!(e, E::NoBucket)),
            (
                "s3://My_Bucket",
                |e| matches!(e, E::Bucket(b) if b == "My_Bucket"),
            ),
            ("s3://ab", |e| matches!(e, E::Bucket(_))),
            ("s3://-bucket", |e| matches!(e, E::Bucket(_))),
            ("s3://key:secret@bucket", |e| matches!(e, E::Credentials)),
            ("s3://bucket:9000", |e| matches!(e, E::Port)),
            (
                "s3://bucket/a//b",
                |e| matches!(e, E::Prefix(p) if p == "a//b"),
            ),
            // (`..` and `.` segments are resolved by the URL parser itself.)
            ("s3://bucket/a/b*", |e| matches!(e, E::Prefix(_))),
            ("s3://bucket/a%20b", |e| matches!(e, E::Prefix(_))),
            ("s3://bucket#x", |e| matches!(e, E::Fragment)),
            (
                "s3://bucket?endpoint=ftp://h",
                |e| matches!(e, E::Endpoint { reason, .. } if reason.contains("http")),
            ),
            ("s3://bucket?endpoint=127.0.0.1:9000", |e| {
                matches!(e, E::Endpoint { .. })
            }),
            (
                "s3://bucket?endpoint=http://h:1/path",
                |e| matches!(e, E::Endpoint { reason, .. } if reason.contains("no path")),
            ),
            ("s3://bucket?endpoint=http://u:p@h", |e| {
                matches!(e, E::Credentials)
            }),
            ("s3://bucket?region=", |e| matches!(e, E::Region(_))),
            ("s3://bucket?region=eu west", |e| matches!(e, E::Region(_))),
            (
                "s3://bucket?regoin=eu-west-1",
                |e| matches!(e, E::UnknownParameter(p) if p == "regoin"),
            ),
            (
                "s3://bucket?region=a&region=b",
                |e| matches!(e, E::Repeated(p) if p == "region"),
            ),
        ];
        for (text, expected) in cases {
            match S3Location::parse(text) {
                Ok(l) => panic!("{text:?} parsed: {l:?}"),
                Err(e) => assert!(expected(&e), "{text:?}: {e}"),
            }
        }
    }

    #[test]
    fn no_message_repeats_a_secret() {
        let e = S3Location::parse("s3://AKID:hunter2@bucket").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = S3Location::parse("s3://bucket?endpoint=http://u:hunter2@h").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
