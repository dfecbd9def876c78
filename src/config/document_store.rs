//! The `document_store` setting: where the archive of documents sent keeps their bytes,
//! `database` (the quote database, the default) or an S3-compatible object store given as
//! `s3://BUCKET/PREFIX?endpoint=URL&region=REGION` (see [`S3Location`] for the URL's parts).
//! Parsed when the settings load, without any I/O: whether the bucket answers is found out when
//! the archive connects.

use super::ConfigError;
use super::database::masked_url;
use crate::archive::s3::S3Location;

/// The setting's default.
pub(super) const DATABASE: &str = "database";

/// Where the archived documents live.
#[derive(Debug, Clone)]
pub enum DocumentStore {
    /// In the quote database, beside the events that name them.
    Database,
    /// In a bucket of an S3-compatible object store (`S3Archive::connect`).
    S3(S3Location),
}

impl DocumentStore {
    pub(super) fn parse(value: &str) -> Result<DocumentStore, ConfigError> {
        let value = value.trim();
        if value == DATABASE {
            Ok(DocumentStore::Database)
        } else if value.starts_with("s3:") {
            S3Location::parse(value)
                .map(DocumentStore::S3)
                .map_err(ConfigError::DocumentStoreUrl)
        } else {
            Err(ConfigError::DocumentStore {
                value: masked_url(value),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{env, with_causes};
    use crate::config::{Overrides, Settings};

    #[test]
    fn the_database_is_the_default() {
        let (s, _) = Settings::load(None, &env(&[]), &Overrides::default()).unwrap();
        assert!(matches!(s.document_store, DocumentStore::Database));
    }

    #[test]
    fn an_s3_url_comes_from_the_file_the_environment_or_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("offerte.toml");
        std::fs::write(&file, "document_store = \"s3://from-file/docs\"\n").unwrap();
        let bucket = |pairs: &[(&str, &str)], flag: Option<&str>| {
            let overrides = Overrides {
                document_store: flag.map(String::from),
                ..Overrides::default()
            };
            let (s, warnings) = Settings::load(Some(&file), &env(pairs), &overrides).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            match s.document_store {
                DocumentStore::S3(location) => location.bucket,
                DocumentStore::Database => "database".into(),
            }
        };
        assert_eq!(bucket(&[], None), "from-file");
        let from_env = [(
            "OFFERTE_DOCUMENT_STORE",
            "s3://from-env/p?endpoint=http://127.0.0.1:9000&region=eu-west-1",
        )];
        assert_eq!(
            bucket(&from_env, None),
            "from-env",
            "environment beats file"
        );
        assert_eq!(bucket(&from_env, Some("s3://from-flag")), "from-flag");
        assert_eq!(bucket(&from_env, Some("database")), "database");
        let (s, _) = Settings::load(None, &env(&from_env), &Overrides::default()).unwrap();
        let DocumentStore::S3(location) = s.document_store else {
            panic!("not S3");
        };
        assert_eq!(location.prefix, "p");
        assert_eq!(location.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(location.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn a_bad_value_names_the_setting_and_the_mistake() {
        let load = |value: &str| {
            with_causes(
                Settings::load(
                    None,
                    &env(&[("OFFERTE_DOCUMENT_STORE", value)]),
                    &Overrides::default(),
                )
                .map(|_| ())
                .unwrap_err(),
            )
        };
        let e = load("Database");
        assert!(e.starts_with("document_store: `Database`"), "{e}");
        let e = load("postgres://offerte:hunter2@db/docs");
        assert!(e.starts_with("document_store"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = load("s3://bucket?regoin=eu-west-1");
        assert!(e.starts_with("document_store"), "{e}");
        assert!(e.contains("unknown parameter `regoin`"), "{e}");
        let e = load("s3://AKID:hunter2@bucket");
        assert!(e.contains("credentials do not go in the URL"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }
}
