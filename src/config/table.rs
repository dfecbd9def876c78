//! The machinery behind the settings table in `mod.rs`: one entry per setting makes its field
//! in [`RawSettings`](super::RawSettings) (what the file, the environment and the flags fill in),
//! its default, its `OFFERTE_` variable, and, unless the entry ends in `=> parsed`, the same
//! field in [`Settings`](super::Settings). A `parsed` setting reaches `Settings` through the
//! table's `parsed from` block, as one or more typed fields made from the raw ones.

use std::path::PathBuf;

use super::ConfigError;

/// A setting's value from its environment variable.
pub(super) trait FromEnv: Sized {
    fn from_env(name: &str, value: &str) -> Result<Self, ConfigError>;
}

impl FromEnv for String {
    fn from_env(_: &str, value: &str) -> Result<Self, ConfigError> {
        Ok(value.to_owned())
    }
}

impl FromEnv for PathBuf {
    fn from_env(_: &str, value: &str) -> Result<Self, ConfigError> {
        Ok(value.into())
    }
}

/// `true` or `false` (also `1`/`0`, `yes`/`no`, any case).
impl FromEnv for bool {
    fn from_env(name: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(ConfigError::NotABoolean {
                name: name.to_owned(),
                value: value.to_owned(),
            }),
        }
    }
}

/// Comma-separated; blanks around the items and empty items are dropped.
impl FromEnv for Vec<String> {
    fn from_env(_: &str, value: &str) -> Result<Self, ConfigError> {
        Ok(value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect())
    }
}

impl<T: FromEnv> FromEnv for Option<T> {
    fn from_env(name: &str, value: &str) -> Result<Self, ConfigError> {
        T::from_env(name, value).map(Some)
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl FromEnv for $t {
            fn from_env(name: &str, value: &str) -> Result<Self, ConfigError> {
                value.trim().parse().map_err(|source| ConfigError::NotANumber {
                    name: name.to_owned(),
                    value: value.to_owned(),
                    source,
                })
            }
        }
    )*};
}

numbers!(u32, u64, usize);

/// The settings table: see the module docs. `given { ... }` has one entry per setting:
///
/// ```text
/// /// Its documentation.
/// name: RawType = default, env "OFFERTE_NAME";          // the same field in `Settings`
/// name: RawType = default, env "OFFERTE_NAME" => parsed; // `Settings` has it from `parsed from`
/// ```
///
/// (`env` may be left out: a setting only the file can give). Then `parsed from raw { ... }`
/// lists the fields `Settings` has besides, each with the expression that makes it from `raw`
/// (a `&RawSettings`), in order; `?` works on anything that converts into a `ConfigError`.
macro_rules! settings_table {
    (
        given {
            $(
                $(#[doc = $doc:literal])*
                $name:ident : $ty:ty = $default:expr $(, env $var:literal)? $(=> $parsed:ident)? ;
            )*
        }
        parsed from $raw:ident {
            $(
                $(#[doc = $pdoc:literal])*
                $pname:ident : $pty:ty = $make:expr ;
            )*
        }
    ) => {
        /// The settings as given: the file (`offerte.toml`), the `OFFERTE_` environment variables
        /// and the command-line flags fill these in, nothing is checked yet, and secrets are plain
        /// text; hence no `Debug`. [`Settings::from_raw`] makes the [`Settings`] the service uses.
        #[derive(Clone, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct RawSettings {
            $( $(#[doc = $doc])* pub $name: $ty, )*
        }

        impl Default for RawSettings {
            fn default() -> Self {
                RawSettings { $( $name: $default, )* }
            }
        }

        impl RawSettings {
            /// Applies one `OFFERTE_` variable; `false` when it names no setting.
            fn apply_variable(&mut self, name: &str, value: &str) -> Result<bool, ConfigError> {
                use $crate::config::table::FromEnv;
                match name {
                    $( $( $var => self.$name = FromEnv::from_env(name, value)?, )? )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }

        $crate::config::table::settings_table!(@typed
            []
            [ $( $(#[doc = $pdoc])* $pname : $pty = $make ; )* ]
            $raw ;
            $( $(#[doc = $doc])* $name : $ty $(=> $parsed)? ; )*
        );
    };

    // A parsed setting: not in `Settings` as it is.
    (@typed [$($shared:tt)*] [$($parsed:tt)*] $raw:ident ;
        $(#[doc = $doc:literal])* $name:ident : $ty:ty => parsed ; $($rest:tt)*
    ) => {
        $crate::config::table::settings_table!(@typed [$($shared)*] [$($parsed)*] $raw ; $($rest)*);
    };

    // A setting used as it is given.
    (@typed [$($shared:tt)*] [$($parsed:tt)*] $raw:ident ;
        $(#[doc = $doc:literal])* $name:ident : $ty:ty ; $($rest:tt)*
    ) => {
        $crate::config::table::settings_table!(@typed
            [$($shared)* $(#[doc = $doc])* $name : $ty ;]
            [$($parsed)*]
            $raw ;
            $($rest)*
        );
    };

    // Every entry seen: the typed settings.
    (@typed
        [ $( $(#[doc = $doc:literal])* $name:ident : $ty:ty ; )* ]
        [ $( $(#[doc = $pdoc:literal])* $pname:ident : $pty:ty = $make:expr ; )* ]
        $raw:ident ;
    ) => {
        /// The settings the service uses, parsed once when they load: API keys, webhook endpoints
        /// and the SMTP relay checked, secrets in types whose `Debug` masks them.
        #[derive(Debug, Clone)]
        pub struct Settings {
            $( $(#[doc = $doc])* pub $name: $ty, )*
            $( $(#[doc = $pdoc])* pub $pname: $pty, )*
        }

        impl Settings {
            /// Checks and parses the raw settings; the first mistake is the error.
            pub fn from_raw(given: RawSettings) -> Result<Settings, ConfigError> {
                given.check()?;
                let $raw = &given;
                $( let $pname: $pty = $make; )*
                Ok(Settings {
                    $( $name: given.$name, )*
                    $( $pname, )*
                })
            }
        }
    };
}

pub(super) use settings_table;
