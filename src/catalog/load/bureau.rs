//! The bureau that issues the quotes, and how its quotes behave.

use std::collections::BTreeMap;

use super::Ctx;
use crate::catalog::file::{BureauFile, QuoteFile};
use crate::catalog::model::{Bureau, QuoteSettings, VatCategory};

impl Ctx<'_> {
    pub(super) fn bureau(&mut self, b: BureauFile) -> Bureau {
        for (key, value) in [
            ("name", &b.name),
            ("street", &b.street),
            ("postal_code", &b.postal_code),
            ("city", &b.city),
            ("btw_number", &b.btw_number),
            ("iban", &b.iban),
            ("email", &b.email),
            ("phone", &b.phone),
        ] {
            self.not_blank(&format!("bureau.{key}"), value);
        }
        if b.kvk.len() != 8 || !b.kvk.chars().all(|c| c.is_ascii_digit()) {
            self.problem(
                "bureau.kvk",
                format!("a KvK number is 8 digits (is `{}`)", b.kvk),
            );
        }
        let mut colour = |key: &str, value: Option<String>, default: &str| -> String {
            let value = value.unwrap_or_else(|| default.to_string());
            let valid = value.len() == 7
                && value.starts_with('#')
                && value[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                self.problem(
                    format!("bureau.{key}"),
                    format!("`{value}` is not a colour like #1f4e79"),
                );
            }
            value
        };
        let primary_colour = colour("primary_colour", b.primary_colour, "#1f4e79");
        let accent_colour = colour("accent_colour", b.accent_colour, "#b36118");
        Bureau {
            name: b.name,
            street: b.street,
            postal_code: b.postal_code,
            city: b.city,
            kvk: b.kvk,
            btw_number: b.btw_number,
            iban: b.iban,
            email: b.email,
            phone: b.phone,
            website: b.website,
            logo: b.logo,
            logo_image: None,
            primary_colour,
            accent_colour,
        }
    }

    pub(super) fn settings(
        &mut self,
        q: QuoteFile,
        vat: &BTreeMap<String, VatCategory>,
    ) -> QuoteSettings {
        if !(1..=365).contains(&q.validity_days) {
            self.problem(
                "quote.validity_days",
                format!("must be 1 to 365 days (is {})", q.validity_days),
            );
        }
        if !vat.contains_key(&q.adjustment_vat) {
            self.problem(
                "quote.adjustment_vat",
                format!("unknown VAT category `{}`", q.adjustment_vat),
            );
        }
        self.text("quote.discount_name", &q.discount_name);
        self.text("quote.surcharge_name", &q.surcharge_name);
        if let Some(name) = &q.minimum_name {
            self.text("quote.minimum_name", name);
        }
        let length_cap = match (q.length_cap, q.length_cap_name) {
            (Some(true), Some(name)) => {
                self.text("quote.length_cap_name", &name);
                Some(name)
            }
            (Some(true), None) => {
                self.problem(
                    "quote.length_cap_name",
                    "`length_cap = true` needs the text of the line that caps the price",
                );
                None
            }
            (None | Some(false), Some(_)) => {
                self.problem("quote.length_cap_name", "only with `length_cap = true`");
                None
            }
            (None | Some(false), None) => None,
        };
        QuoteSettings {
            validity_days: q.validity_days,
            rounding: q.rounding,
            adjustment_vat: q.adjustment_vat,
            discount_name: q.discount_name,
            surcharge_name: q.surcharge_name,
            minimum_name: q.minimum_name,
            length_cap,
        }
    }
}
