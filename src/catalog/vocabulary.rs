//! The words the catalog's rules and the circumstances share: the enumerations a bureau
//! describes an employee with, the languages the product speaks, and bilingual texts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Defines a snake_case enum with a fixed list of all values and their wire names.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it is written in JSON and in catalog files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the wire name; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// How ready the employee is for the job market; each value matches one package profile.
    Readiness {
        /// Personal and search profile are clear; can start applying at once.
        JobReady => "job_ready",
        /// Ready, and sees possibilities despite the limitation.
        ReadyWithSupport => "ready_with_support",
        /// Needs extra time to rebuild a career.
        NeedsTime => "needs_time",
        /// Able to work, but no idea yet what they can or want to do.
        NeedsOrientation => "needs_orientation",
    }
}

vocabulary! {
    /// Whether the trajectory needs schooling.
    #[derive(Default)]
    Schooling {
        /// No schooling (the default).
        #[default]
        None => "none",
        /// Short training (application training, LinkedIn, a course).
        Training => "training",
        /// Vocational retraining towards another occupation.
        Retraining => "retraining",
    }
}

vocabulary! {
    /// How intensive the individual guidance must be.
    #[derive(Default)]
    Intensity {
        /// Fewer coaching hours than usual.
        Light => "light",
        /// The usual coaching hours (the default).
        #[default]
        Standard => "standard",
        /// More coaching hours than usual.
        Intensive => "intensive",
    }
}

vocabulary! {
    /// The language of texts in a computation and its documents.
    #[derive(Default)]
    Language {
        /// Dutch (the default).
        #[default]
        Nl => "nl",
        /// English.
        En => "en",
    }
}

impl Language {
    /// The other language of the two.
    pub fn other(self) -> Language {
        match self {
            Language::Nl => Language::En,
            Language::En => Language::Nl,
        }
    }
}

/// A text in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Dutch.
    pub nl: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Nl => &self.nl,
            Language::En => &self.en,
        }
    }
}
