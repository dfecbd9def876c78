//! The quote record and the bodies that make and change it. The employee is kept minimal:
//! a reference, hours and a job title; nothing medical, no BSN.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::consent::EmployeeConsent;
use super::lifecycle::{Status, display_number, status_on};
use super::proof::Evidence;
use crate::pricing::{Circumstances, Computation};

mod checks;
pub use checks::text_200;
pub(crate) use checks::{valid_email, valid_emails, valid_message};
use checks::{valid_kvk, valid_phone, valid_reference};

/// The employer's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[validate(custom(function = "text_200"))]
    #[schema(max_length = 200, example = "Stationsplein 1")]
    pub street: String,
    #[validate(custom(function = "text_200"))]
    #[schema(max_length = 200, example = "3511 ED")]
    pub postal_code: String,
    #[validate(custom(function = "text_200"))]
    #[schema(max_length = 200, example = "Utrecht")]
    pub city: String,
}

/// The employer: who receives and pays the quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Employer {
    #[validate(custom(function = "text_200"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Bakkerij De Korenschoof B.V."
    )]
    pub company_name: String,
    /// 8 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "valid_kvk"))]
    #[schema(pattern = "^[0-9]{8}$", example = "12345678")]
    pub kvk_number: Option<String>,
    #[validate(custom(function = "text_200"))]
    #[schema(min_length = 1, max_length = 200, example = "J. de Vries")]
    pub contact_person: String,
    #[validate(custom(function = "valid_email"))]
    #[schema(max_length = 200, example = "hr@korenschoof.example")]
    pub email: String,
    /// 6 to 20 of digits, spaces, `+`, `-` and `()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "valid_phone"))]
    #[schema(pattern = r"^[0-9 +()\-]{6,20}$", example = "030 123 45 67")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub address: Option<Address>,
}

/// The employee, kept minimal: no name needed, nothing medical, no BSN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Employee {
    /// The employer's own reference or the initials.
    #[validate(custom(function = "valid_reference"))]
    #[schema(min_length = 1, max_length = 200, example = "PV-0412")]
    pub reference: String,
    /// Contract hours per week, 1 to 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 1, max = 60))]
    #[schema(minimum = 1, maximum = 60, example = 32)]
    pub hours_per_week: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "text_200"))]
    #[schema(max_length = 200, example = "Baker")]
    pub job_title: Option<String>,
}

vocabulary! {
    /// In which role someone acted on a quote or request.
    pub ActorRole {
        Sales => "sales",
        Finance => "finance",
        Admin => "admin",
        /// The bureau's website form.
        Public => "public",
        /// The service itself (the sweep: expiries, reminders).
        System => "system",
        /// The employer, through the quote's link.
        Employer => "employer",
        /// The employee, through a consent link.
        Employee => "employee",
        /// The deployment's operator (managing bureaus).
        Operator => "operator",
    }
}

/// Who did something: the role and the id of the key (never the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    pub role: ActorRole,
    pub key_id: String,
}

impl Actor {
    /// The service itself.
    pub fn system() -> Actor {
        Actor {
            role: ActorRole::System,
            key_id: "-".into(),
        }
    }

    /// The employee, who answers through a consent link.
    pub fn employee() -> Actor {
        Actor {
            role: ActorRole::Employee,
            key_id: "link".into(),
        }
    }

    /// The employer, who acts through a link and not with a key.
    pub fn employer() -> Actor {
        Actor {
            role: ActorRole::Employer,
            key_id: "link".into(),
        }
    }
}

/// A stored quote (one revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub id: Uuid,
    /// `OFF-2026-00042`, the same for every revision.
    pub number: String,
    pub revision: i64,
    /// The number as printed: `OFF-2026-00042-2` from revision 2 on.
    pub display_number: String,
    pub status: Status,
    pub valid_until: NaiveDate,
    pub employer: Employer,
    pub employee: Employee,
    /// The circumstances as priced, with the start and quote dates made explicit.
    pub circumstances: Circumstances,
    /// The computation frozen at creation (or at the last draft edit).
    pub computation: Computation,
    /// The same computation in the other language (for documents in that language).
    #[serde(skip)]
    pub translated: Option<Computation>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Actor,
    /// The revision this one replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Uuid>,
    /// The revision that replaced this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Uuid>,
    /// When it was accepted or declined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The employee's consent to deducting these costs from the transitievergoeding: shown once
    /// it was asked or the quote was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_consent: Option<EmployeeConsent>,
}

/// What one revision of a quote says: to whom, about whom, the circumstances as priced, the
/// computation and how long it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteContent {
    pub employer: Employer,
    pub employee: Employee,
    pub circumstances: Circumstances,
    pub computation: Computation,
    pub valid_until: NaiveDate,
}

impl Quote {
    /// A new draft: revision 1 of `number`, made by `created_by` at `at`.
    pub fn draft(
        id: Uuid,
        number: String,
        content: QuoteContent,
        created_by: Actor,
        at: DateTime<Utc>,
    ) -> Quote {
        Quote::new(id, number, 1, content, created_by, at)
    }

    /// A new draft revision that replaces `old`: the same number, the next revision.
    pub fn revision_of(
        old: &Quote,
        id: Uuid,
        revision: i64,
        content: QuoteContent,
        created_by: Actor,
        at: DateTime<Utc>,
    ) -> Quote {
        Quote {
            supersedes: Some(old.id),
            ..Quote::new(id, old.number.clone(), revision, content, created_by, at)
        }
    }

    fn new(
        id: Uuid,
        number: String,
        revision: i64,
        content: QuoteContent,
        created_by: Actor,
        at: DateTime<Utc>,
    ) -> Quote {
        let QuoteContent {
            employer,
            employee,
            circumstances,
            computation,
            valid_until,
        } = content;
        Quote {
            id,
            display_number: display_number(&number, revision),
            number,
            revision,
            status: Status::Draft,
            valid_until,
            employer,
            employee,
            circumstances,
            computation,
            translated: None,
            created_at: at,
            updated_at: at,
            created_by,
            supersedes: None,
            superseded_by: None,
            decided_at: None,
            employee_consent: None,
        }
    }

    /// The quote as it shows on `today`: a sent quote past its validity is expired, and the
    /// consent's timing is seen from that day.
    pub fn seen_on(mut self, today: NaiveDate) -> Quote {
        self.status = status_on(self.status, self.valid_until, today);
        self.consent_seen_on(today)
    }

    /// The quote with its consent's timing seen from `today` (its status as it is).
    pub fn consent_seen_on(mut self, today: NaiveDate) -> Quote {
        let accepted = self.status == Status::Accepted;
        let start = self.computation.tier.starts_on;
        let record = self
            .employee_consent
            .map(|c| c.record())
            .unwrap_or_default();
        self.employee_consent = EmployeeConsent::shown(&record, accepted, start, Some(today));
        self
    }
}

/// Who accepted a quote online, and when (from its `accepted` event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub name: String,
    pub at: DateTime<Utc>,
}

/// One step in a quote's life, kept forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Absent for an expiry that is due but not yet stored by the periodic sweep (it is shown
    /// at once, with the moment the quote lapsed; the sweep stores it with that same moment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub quote_id: Uuid,
    /// Absent for the creation.
    pub from: Option<Status>,
    pub to: Status,
    pub at: DateTime<Utc>,
    pub role: ActorRole,
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// SHA-256 of the PDF sent (on the move to `sent`) or accepted (on the move to `accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_sha256: Option<String>,
    /// Who acted, by name, where no key did: the employer who accepted online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What an online acceptance is evidenced by besides the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

impl Event {
    /// Whether the event records something beside the quote's own document (an issued
    /// certificate, the employee's consent and its specification): its document is not the
    /// quote as sent or accepted.
    pub fn is_aside(&self) -> bool {
        self.reason.as_deref().is_some_and(|r| {
            r == super::certificate::CERTIFIED || super::consent::is_consent_reason(r)
        })
    }
}

/// One page of a list, newest first (the quote list and the request list share it). In the
/// OpenAPI document each is its own schema (`QuotePage`, `QuoteRequestPage`) whose items refer
/// to the record's schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// All records matching the filters.
    pub total: i64,
}

/// A page of quotes (the latest revision of each).
pub type QuotePage = Page<Quote>;

impl<T: ToSchema> utoipa::PartialSchema for Page<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        use utoipa::openapi::{KnownFormat, Ref, SchemaFormat};
        let integer = |format| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        ObjectBuilder::new()
            .description(Some(format!(
                "One page of {} records, newest first.",
                T::name()
            )))
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .property("page", integer(KnownFormat::Int32).minimum(Some(1.0)))
            .property("per_page", integer(KnownFormat::Int32).minimum(Some(1.0)))
            .property(
                "total",
                integer(KnownFormat::Int64).description(Some("All records matching the filters.")),
            )
            .required("items")
            .required("page")
            .required("per_page")
            .required("total")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Page<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}Page", T::name()).into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((T::name().into(), T::schema()));
        T::schemas(schemas);
    }
}

/// A quote revision as the register lists it: what finance needs, read in bulk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    /// `OFF-2026-00042`, the same for every revision.
    pub number: String,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub status: Status,
    /// The employer's company name.
    pub employer: String,
    /// The tier code.
    pub tier: String,
    pub catalog_version: String,
    /// The totals as quoted, with the BTW per rate.
    pub totals: crate::pricing::Totals,
    pub valid_until: NaiveDate,
    /// When it was accepted or declined.
    pub decided_at: Option<DateTime<Utc>>,
    /// The fee due only on placement, as quoted (contingent: not in `totals`).
    pub success_fee: Option<crate::pricing::SuccessFee>,
    /// The day the trajectory starts (what the consent's timing is measured against).
    pub starts_on: NaiveDate,
    /// The employee's consent to deducting the costs from the transitievergoeding.
    pub employee_consent: Option<EmployeeConsent>,
}

/// The consent of a register or invoicing row in `status`, seen from `today`.
pub fn consent_of_row(
    consent: Option<EmployeeConsent>,
    status: Status,
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Option<EmployeeConsent> {
    let record = consent.map(|c| c.record()).unwrap_or_default();
    EmployeeConsent::shown(&record, status == Status::Accepted, starts_on, Some(today))
}

/// A quote revision's payment schedule, as the expected invoicing reads it in bulk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleEntry {
    /// The number with its revision, e.g. `OFF-2026-00042-2` (see `display_number`).
    pub display_number: String,
    /// The employer's company name.
    pub employer: String,
    /// When it was accepted (or declined).
    pub decided_at: Option<DateTime<Utc>>,
    /// The last change of the row (the decision, for a decided quote).
    pub updated_at: DateTime<Utc>,
    /// Empty for a quote stored before schedules existed.
    pub payment_schedule: Vec<crate::pricing::Instalment>,
    pub totals: crate::pricing::Totals,
    /// The day the trajectory starts (what the consent's timing is measured against).
    pub starts_on: NaiveDate,
    /// The employee's consent to deducting the costs from the transitievergoeding.
    pub employee_consent: Option<EmployeeConsent>,
}
