//! The request bodies of the quote operations, as the API documents them, and how each becomes
//! the domain value the service takes (which checks it once).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::extract::FromJsonBody;
use crate::pricing::{Circumstances, InputError};
use crate::quotes::input::{ConsentOrder, QuoteEdit, QuoteInput, SendOrder};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Employee, Employer};

/// The body of `POST /api/v1/quotes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuoteBody {
    pub employer: Employer,
    pub employee: Employee,
    pub circumstances: Circumstances,
}

/// The body of `PATCH /api/v1/quotes/{id}` and `POST .../revisions`: the parts to replace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteChanges {
    #[serde(default)]
    pub employer: Option<Employer>,
    #[serde(default)]
    pub employee: Option<Employee>,
    /// Replaces the circumstances; the quote is recomputed.
    #[serde(default)]
    pub circumstances: Option<Circumstances>,
}

/// The body of `POST /api/v1/quotes/{id}/transitions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// `sent`, `accepted`, `declined` (needs a reason) or `withdrawn`.
    pub to: Status,
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// The body of `POST /api/v1/quotes/{id}/send`; every part optional (`{}` sends to the
/// employer's address).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// The recipient; default the employer's e-mail address.
    #[serde(default)]
    #[schema(max_length = 200, example = "hr@korenschoof.example")]
    pub to: Option<String>,
    /// Copies (at most 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub cc: Vec<String>,
    /// A few words from the salesperson, printed in the e-mail (not on the quote). No medical
    /// details, please: the e-mail is not the place for them.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        example = "Zoals besproken ontvangt u hierbij onze offerte."
    )]
    pub message: Option<String>,
}

/// Asks the employee's consent: the link is answered, and e-mailed when an address is given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// The employee's e-mail address: the link goes there (with the cost specification). It is
    /// used for that delivery only and not kept.
    #[serde(default)]
    #[schema(max_length = 200, example = "p.jansen@example.org")]
    pub email: Option<String>,
}

/// `$value` is made from the body `$body` (through its own constructor, which checks it), and
/// an operation can take it as its input (`Input<$value>`).
macro_rules! made_from {
    ($value:ty, $body:ty, |$b:ident| $make:expr) => {
        impl TryFrom<$body> for $value {
            type Error = InputError;

            fn try_from($b: $body) -> Result<$value, InputError> {
                $make
            }
        }

        impl FromJsonBody for $value {
            type Body = $body;
        }
    };
}

made_from!(QuoteInput, NewQuoteBody, |b| QuoteInput::new(
    b.employer,
    b.employee,
    b.circumstances
));
made_from!(QuoteEdit, QuoteChanges, |b| QuoteEdit::new(
    b.employer,
    b.employee,
    b.circumstances
));
made_from!(ConsentOrder, ConsentBody, |b| ConsentOrder::new(b.email));
made_from!(SendOrder, SendBody, |b| SendOrder::new(
    b.to, b.cc, b.message
));
