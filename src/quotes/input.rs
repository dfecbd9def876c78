//! What the quote operations take, made valid once at the edge: a value of these types exists
//! only when its input passed every check, so the services never check it again.

use crate::pricing::InputError;
use crate::quotes::model::text_200;

/// The employer's signature on the online page: the name typed (1 to 200 printable
/// characters, trimmed) and the box that says they agree, ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    name: String,
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
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
