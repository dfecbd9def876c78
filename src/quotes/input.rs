//! What the quote operations take, made valid once at the edge: a value of these types exists
//! only when its input passed every check, so the services never check it again.

use validator::Validate;

use crate::pricing::{Circumstances, InputError};
use crate::quotes::model::{
    Employee, Employer, text_200, valid_email, valid_emails, valid_message,
};
use crate::quotes::proof::Evidence;

/// What a new quote is made of: the employer, the employee (minimal, nothing medical) and the
/// circumstances to price, each checked by its own rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteInput {
    employer: Employer,
    employee: Employee,
    circumstances: Circumstances,
}

impl QuoteInput {
    /// Refuses the parts with every field error, each named under its part
    /// (`employer.email`, `circumstances.first_sick_day`).
    pub fn new(
        employer: Employer,
        employee: Employee,
        circumstances: Circumstances,
    ) -> Result<QuoteInput, InputError> {
        InputError::collect(vec![
            InputError::of_part("employer", employer.validate()),
            InputError::of_part("employee", employee.validate()),
            InputError::of_part("circumstances", circumstances.validate()),
        ])?;
        Ok(QuoteInput {
            employer,
            employee,
            circumstances,
        })
    }

    pub fn employer(&self) -> &Employer {
        &self.employer
    }

    pub fn employee(&self) -> &Employee {
        &self.employee
    }

    pub fn circumstances(&self) -> &Circumstances {
        &self.circumstances
    }
}

/// The parts of a quote to replace (a draft's edit, or a revision's changes); what is absent
/// stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteEdit {
    employer: Option<Employer>,
    employee: Option<Employee>,
    circumstances: Option<Circumstances>,
}

impl QuoteEdit {
    /// Refuses the parts given with every field error, named as for [`QuoteInput::new`].
    pub fn new(
        employer: Option<Employer>,
        employee: Option<Employee>,
        circumstances: Option<Circumstances>,
    ) -> Result<QuoteEdit, InputError> {
        InputError::collect(vec![
            employer
                .as_ref()
                .map(|e| InputError::of_part("employer", e.validate()))
                .unwrap_or_default(),
            employee
                .as_ref()
                .map(|e| InputError::of_part("employee", e.validate()))
                .unwrap_or_default(),
            circumstances
                .as_ref()
                .map(|c| InputError::of_part("circumstances", c.validate()))
                .unwrap_or_default(),
        ])?;
        Ok(QuoteEdit {
            employer,
            employee,
            circumstances,
        })
    }

    pub fn employer(&self) -> Option<&Employer> {
        self.employer.as_ref()
    }

    pub fn employee(&self) -> Option<&Employee> {
        self.employee.as_ref()
    }

    pub fn circumstances(&self) -> Option<&Circumstances> {
        self.circumstances.as_ref()
    }
}

/// How a quote goes out by e-mail: to whom (default the employer's address), in copy (at most
/// ten), and a few words from the salesperson for the e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOrder {
    to: Option<String>,
    cc: Vec<String>,
    message: Option<String>,
}

impl SendOrder {
    /// Refuses an address that is not one, more than ten copies, or a message over 2,000
    /// characters or with control characters other than line breaks.
    pub fn new(
        to: Option<String>,
        cc: Vec<String>,
        message: Option<String>,
    ) -> Result<SendOrder, InputError> {
        InputError::collect(vec![
            to.as_deref()
                .map(|t| InputError::of_field("to", valid_email(t)))
                .unwrap_or_default(),
            InputError::of_field("cc", valid_emails(&cc)),
            message
                .as_deref()
                .map(|m| InputError::of_field("message", valid_message(m)))
                .unwrap_or_default(),
        ])?;
        Ok(SendOrder { to, cc, message })
    }

    pub fn to(&self) -> Option<&str> {
        self.to.as_deref()
    }

    pub fn cc(&self) -> &[String] {
        &self.cc
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// Whom a consent link goes to: nobody (the link is answered to be passed on), or an e-mail
/// address (used for the delivery only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsentOrder {
    email: Option<String>,
}

impl ConsentOrder {
    /// Refuses an address that is not one (blank is none).
    pub fn new(email: Option<String>) -> Result<ConsentOrder, InputError> {
        let email = email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        if let Some(address) = email.as_deref() {
            InputError::collect(vec![InputError::of_field("email", valid_email(address))])?;
        }
        Ok(ConsentOrder { email })
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
}

/// The employer's signature on the online page: the name typed (1 to 200 printable
/// characters, trimmed) and the box that says they agree, ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    name: String,
    evidence: Option<Evidence>,
}

impl Signature {
    /// Refuses an empty, overlong or unprintable name first, then a box not ticked.
    pub fn new(name: &str, agree: bool) -> Result<Signature, InputError> {
        let name = name.trim();
        if let Err(e) = text_200(name) {
            let message = e.message.map(|m| m.to_string()).unwrap_or_default();
            return Err(InputError::one("name", &e.code, message));
        }
        if !agree {
            return Err(InputError::one(
                "agree",
                "required",
                "tick the box to agree to the quote and its terms",
            ));
        }
        Ok(Signature {
            name: name.to_string(),
            evidence: None,
        })
    }

    /// The signature with what else evidences it (the sentence shown, where it came from).
    pub fn attested(self, evidence: Evidence) -> Signature {
        Signature {
            evidence: Some(evidence),
            ..self
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_send_order_names_every_refused_field() {
        let order = SendOrder::new(Some("hr@bakkerij.example".into()), vec![], None)
            .expect("a valid order");
        assert_eq!(order.to(), Some("hr@bakkerij.example"));
        let many = vec!["a@b.example".to_string(); 11];
        let refused = SendOrder::new(
            Some("not an address".into()),
            many,
            Some("bel \u{7} mij".into()),
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = refused
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("cc", "length"), ("message", "printable"), ("to", "email")]
        );
    }

    #[test]
    fn a_signature_needs_a_printable_name_and_the_box() {
        // (name, box ticked, the name kept or the refused field and code)
        type Case<'a> = (&'a str, bool, Result<&'a str, (&'a str, &'a str)>);
        let cases: &[Case] = &[
            ("  J. de Vries ", true, Ok("J. de Vries")),
            ("<b>Jan</b>", true, Ok("<b>Jan</b>")),
            ("", true, Err(("name", "required"))),
            ("   ", false, Err(("name", "required"))),
            ("Jan\u{7}", true, Err(("name", "printable"))),
            ("Jan", false, Err(("agree", "required"))),
        ];
        for (name, agree, want) in cases {
            let got = Signature::new(name, *agree);
            match (got, want) {
                (Ok(s), Ok(expected)) => assert_eq!(s.name(), *expected),
                (Err(e), Err((field, code))) => {
                    assert_eq!(e.errors[0].field, *field, "{name:?}");
                    assert_eq!(e.errors[0].code, *code, "{name:?}");
                }
                (got, want) => panic!("{name:?} {agree}: got {got:?}, want {want:?}"),
            }
        }
        let long = "x".repeat(201);
        assert_eq!(
            Signature::new(&long, true).unwrap_err().errors[0].code,
            "length"
        );
    }
}
