//! The quote document: one view-model, rendered to HTML and plain text by handlebars (strict
//! mode, HTML escaping on) and to PDF by typst, in Dutch or English. Templates and texts live in
//! `templates/`.

pub mod certificate;
pub mod format;
pub(crate) mod letters;
pub mod messages;
#[cfg(feature = "pdf")]
pub mod pdf;
pub(crate) mod quotes;
pub mod terms;
pub mod view;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use handlebars::Handlebars;
use std::path::Path;

use crate::catalog::Language;
pub use messages::{Labels, Messages};
pub use view::{Document, QuoteFacts};

/// The output formats of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Html,
    Pdf,
    Txt,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Txt => "text/plain; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Txt => "txt",
        }
    }
}

/// Loaded templates and texts; built once at start and shared.
pub struct Renderer {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    messages: Messages,
    #[cfg(feature = "pdf")]
    pdf: pdf::PdfEngine,
    /// `certificate.typ`: the acceptance certificate.
    #[cfg(feature = "pdf")]
    certificate: pdf::PdfEngine,
}

impl Renderer {
    /// Loads `quote.html.hbs`, `quote.txt.hbs`, `quote.typ`, `certificate.typ` and
    /// `messages.toml` from `dir`.
    pub fn load(dir: &Path) -> Result<Renderer> {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_template_file("quote", dir.join("quote.html.hbs"))
            .with_context(|| format!("loading {}", dir.join("quote.html.hbs").display()))?;
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.register_escape_fn(handlebars::no_escape);
        text.register_template_file("quote", dir.join("quote.txt.hbs"))
            .with_context(|| format!("loading {}", dir.join("quote.txt.hbs").display()))?;
        let messages = Messages::load(&dir.join("messages.toml"))?;
        #[cfg(feature = "pdf")]
        let engine = |name: &str| -> Result<pdf::PdfEngine> {
            let path = dir.join(name);
            let source = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok(pdf::PdfEngine::new(source))
        };
        Ok(Renderer {
            html,
            text,
            messages,
            #[cfg(feature = "pdf")]
            pdf: engine("quote.typ")?,
            #[cfg(feature = "pdf")]
            certificate: engine("certificate.typ")?,
        })
    }

    pub fn labels(&self, language: Language) -> &Labels {
        self.messages.labels(language)
    }

    pub fn html(&self, document: &Document) -> Result<String> {
        self.html
            .render("quote", document)
            .context("rendering the HTML document")
    }

    pub fn text(&self, document: &Document) -> Result<String> {
        self.text
            .render("quote", document)
            .context("rendering the text document")
    }

    /// The PDF; `date` is its fixed creation date (so renders are byte-identical).
    pub fn pdf(&self, document: &Document, date: NaiveDate) -> Result<Vec<u8>> {
        #[cfg(feature = "pdf")]
        {
            self.pdf.render(document, date)
        }
        #[cfg(not(feature = "pdf"))]
        {
            let _ = (document, date);
            anyhow::bail!("this build has no PDF engine (built without the `pdf` feature)")
        }
    }

    /// The certificate's PDF from its view-model ([`certificate::view`]); `ident` names the
    /// document, `date` is its fixed creation date.
    pub fn certificate_pdf(
        &self,
        view: &serde_json::Value,
        ident: &str,
        date: NaiveDate,
    ) -> Result<Vec<u8>> {
        #[cfg(feature = "pdf")]
        {
            let inputs = pdf::Inputs {
                data: view.clone(),
                logo: None,
                computation: None,
            };
            self.certificate.render_data(inputs, ident, date)
        }
        #[cfg(not(feature = "pdf"))]
        {
            let _ = (view, ident, date);
            anyhow::bail!("this build has no PDF engine (built without the `pdf` feature)")
        }
    }

    /// Renders in any format.
    pub fn render(&self, document: &Document, format: Format, date: NaiveDate) -> Result<Vec<u8>> {
        Ok(match format {
            Format::Html => self.html(document)?.into_bytes(),
            Format::Txt => self.text(document)?.into_bytes(),
            Format::Pdf => self.pdf(document, date)?,
        })
    }
}
