//! Documents whose bytes a test knows in advance.

use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::quotes::certificate::Certificate;
use crate::quotes::model::{Acceptance, Quote};
use crate::quotes::ports::{Letter, LetterRequest, SentDocument};

/// Documents whose bytes are known in advance ([`FakeDocuments::pdf_of`]): what a PDF shows of
/// the quote (id, status, revision, the employee's reference), so a change of any of them gives
/// other bytes. Counts what it renders; clones share the count.
#[derive(Debug, Clone, Default)]
pub(crate) struct FakeDocuments {
    renders: Arc<AtomicUsize>,
}

/// The bureau's address in every fake letter.
pub(crate) const BUREAU: &str = "bureau@offerte.test";

impl FakeDocuments {
    /// The PDF of `quote`.
    pub fn pdf_of(quote: &Quote) -> Vec<u8> {
        let (id, status, revision) = (quote.id, quote.status, quote.revision);
        format!("{id} {status} rev{revision} {}", quote.employee.reference).into_bytes()
    }

    /// The SHA-256 (hex) of [`FakeDocuments::pdf_of`].
    pub fn sha256_of(quote: &Quote) -> String {
        hex::encode(Sha256::digest(FakeDocuments::pdf_of(quote)))
    }

    /// How many PDFs were rendered.
    pub fn renders(&self) -> usize {
        self.renders.load(Ordering::SeqCst)
    }
}

impl SentDocument for FakeDocuments {
    async fn pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>> {
        self.renders.fetch_add(1, Ordering::SeqCst);
        Ok(FakeDocuments::pdf_of(quote))
    }

    async fn accepted_pdf(
        &self,
        quote: &Quote,
        acceptance: &Acceptance,
    ) -> anyhow::Result<Vec<u8>> {
        self.renders.fetch_add(1, Ordering::SeqCst);
        let mut pdf = FakeDocuments::pdf_of(quote);
        pdf.extend(format!(" signed by {}", acceptance.name).bytes());
        Ok(pdf)
    }

    /// Names the quote, so another revision gives other bytes.
    async fn specification_pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>> {
        self.renders.fetch_add(1, Ordering::SeqCst);
        Ok(format!("specification {}", quote.display_number).into_bytes())
    }

    /// Names the quote and its steps, so another history gives other bytes.
    async fn certificate_pdf(
        &self,
        quote: &Quote,
        certificate: &Certificate,
    ) -> anyhow::Result<Vec<u8>> {
        self.renders.fetch_add(1, Ordering::SeqCst);
        let steps: Vec<&str> = certificate.steps.iter().map(|s| s.step.as_str()).collect();
        Ok(format!("certificate {} {}", quote.display_number, steps.join(",")).into_bytes())
    }

    /// The subject names the kind and the number; the text's first line is the link.
    fn letter(&self, quote: &Quote, request: &LetterRequest<'_>) -> anyhow::Result<Letter> {
        let text = format!(
            "{}\n{}",
            request.link.unwrap_or("-"),
            request.message.unwrap_or("")
        );
        Ok(Letter {
            subject: format!("{:?} {}", request.kind, quote.display_number),
            html: format!("<p>{text}</p>"),
            text,
            attachment_name: format!("{}.pdf", quote.display_number),
            bureau_email: BUREAU.into(),
        })
    }
}
