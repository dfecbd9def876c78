//! The documents of stored quotes: which computation and bureau a quote's document shows, and
//! the PDF the quote service records when it sends one ([`SentDocument`]).

use std::sync::Arc;

use super::letters::Letters;
use super::{Document, QuoteFacts, Renderer, view};
use crate::catalog::{Catalog, Catalogs, Language};
use crate::pricing::Computation;
use crate::quotes::certificate::Certificate;
use crate::quotes::model::{Acceptance, Quote};
use crate::quotes::ports::{Letter, LetterKind, LetterRequest, SentDocument};

/// What a quote's document needs: the templates and the catalog versions.
#[derive(Clone)]
pub struct QuoteDocuments {
    pub renderer: Arc<Renderer>,
    pub letters: Arc<Letters>,
    pub catalogs: Catalogs,
}

impl QuoteDocuments {
    /// The catalog version a computation used (or, if that file is gone, the one in force on
    /// the quote date, else the first).
    pub fn catalog_for(&self, computation: &Computation) -> Arc<Catalog> {
        let version = &computation.catalog.version;
        let catalogs = self.catalogs.current();
        catalogs
            .priced_with(version, computation.quote_date)
            .clone()
    }

    /// The view-model of a stored quote in `language`, with the signature block filled in when
    /// it was accepted online.
    pub fn view_accepted(
        &self,
        quote: &Quote,
        language: Language,
        acceptance: Option<&Acceptance>,
    ) -> Document {
        let document = self.view(quote, language);
        match acceptance {
            Some(a) => document.accepted(&a.name, a.at, self.renderer.labels(language)),
            None => document,
        }
    }

    /// The view-model of a stored quote in `language`.
    pub fn view(&self, quote: &Quote, language: Language) -> Document {
        let computation: &Computation = if language == quote.computation.language {
            &quote.computation
        } else {
            quote.translated.as_ref().unwrap_or(&quote.computation)
        };
        let facts = QuoteFacts {
            display_number: &quote.display_number,
            revision: quote.revision,
            status: quote.status,
            valid_until: quote.valid_until,
            employer: &quote.employer,
            employee: &quote.employee,
        };
        view::build(
            computation,
            Some(&facts),
            &self.catalog_for(computation).bureau,
            self.renderer.labels(computation.language),
        )
    }
}

impl QuoteDocuments {
    /// A PDF rendered off the async workers (it is CPU work).
    async fn render_pdf(&self, document: Document, quote: &Quote) -> anyhow::Result<Vec<u8>> {
        let renderer = self.renderer.clone();
        let date = quote.computation.quote_date;
        tokio::task::spawn_blocking(move || renderer.pdf(&document, date))
            .await
            .map_err(|e| anyhow::anyhow!("render task: {e}"))?
    }
}

impl SentDocument for QuoteDocuments {
    /// The PDF in the quote's language.
    async fn pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>> {
        self.render_pdf(self.view(quote, quote.computation.language), quote)
            .await
    }

    async fn accepted_pdf(
        &self,
        quote: &Quote,
        acceptance: &Acceptance,
    ) -> anyhow::Result<Vec<u8>> {
        let document = self.view_accepted(quote, quote.computation.language, Some(acceptance));
        self.render_pdf(document, quote).await
    }

    /// The cost specification for the employee (see [`Document::specification`]).
    async fn specification_pdf(&self, quote: &Quote) -> anyhow::Result<Vec<u8>> {
        let document = self.view(quote, quote.computation.language).specification();
        self.render_pdf(document, quote).await
    }

    fn letter(&self, quote: &Quote, request: &LetterRequest<'_>) -> anyhow::Result<Letter> {
        let document = self.view(quote, quote.computation.language);
        let document = match request.kind {
            LetterKind::Consent => document.specification(),
            _ => document,
        };
        self.letters.render(&document, request)
    }

    /// Dated by its last step, so one history always gives the same bytes.
    async fn certificate_pdf(
        &self,
        quote: &Quote,
        certificate: &Certificate,
    ) -> anyhow::Result<Vec<u8>> {
        let view =
            super::certificate::view(certificate, quote.computation.language, &self.letters)?;
        let ident = format!("{}-certificate", quote.display_number);
        let date = certificate
            .steps
            .last()
            .map_or(quote.computation.quote_date, |s| s.at.date_naive());
        let renderer = self.renderer.clone();
        tokio::task::spawn_blocking(move || renderer.certificate_pdf(&view, &ident, date))
            .await
            .map_err(|e| anyhow::anyhow!("render task: {e}"))?
    }
}
