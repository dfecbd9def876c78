//! The words the catalog's rules and the circumstances share: the enumerations a bureau
//! describes an employee with, the languages the product speaks, and bilingual texts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary! {
    /// How ready the employee is for the job market; each value matches one package profile.
    pub Readiness {
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
    pub Schooling {
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
    pub Intensity {
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
    pub Language {
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
