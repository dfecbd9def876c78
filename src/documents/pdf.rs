//! PDF rendering in-process with typst. The engine (fonts and the parsed template) is built once
//! and shared; each render passes the view-model as one JSON string in `sys.inputs.data`.

use anyhow::{Result, anyhow};
use chrono::{Datelike, NaiveDate};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::view::Document;

pub struct PdfEngine {
    engine: TypstEngine<TypstTemplateMainFile>,
}

impl PdfEngine {
    /// `source` is the typst template (`templates/quote.typ`). Fonts: DejaVu Sans, from the
    /// `dejavu` crate (no system fonts, no downloads).
    pub fn new(source: String) -> PdfEngine {
        let fonts: [&'static [u8]; 4] = [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ];
        let engine = TypstEngine::builder()
            .main_file(source)
            .fonts(fonts)
            .build();
        PdfEngine { engine }
    }

    /// Renders a document. The same document and `date` always give the same bytes: the
    /// creation date is `date` and the document id derives from the file name.
    pub fn render(&self, document: &Document, date: NaiveDate) -> Result<Vec<u8>> {
        let logo = document.logo.as_ref().map(|l| l.bytes.clone());
        let data = serde_json::to_string(document)?;
        self.render_data(data, logo, &document.file_stem, date)
    }

    /// Renders the template with `data` (JSON, as `sys.inputs.data`) and an optional logo (as
    /// `sys.inputs.logo`); `ident` names the document (its PDF id derives from it).
    pub fn render_data(
        &self,
        data: String,
        logo: Option<std::sync::Arc<[u8]>>,
        ident: &str,
        date: NaiveDate,
    ) -> Result<Vec<u8>> {
        let mut inputs = Dict::new();
        inputs.insert("data".into(), data.into_value());
        if let Some(logo) = logo {
            inputs.insert("logo".into(), Bytes::new(logo).into_value());
        }
        let compiled = self.engine.compile_with_input::<_, PagedDocument>(inputs);
        let paged = compiled.output.map_err(|e| anyhow!("typst: {e:?}"))?;
        let datetime = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .ok_or_else(|| anyhow!("date {date} out of range for the PDF"))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            timestamp: Some(Timestamp::new_utc(datetime)),
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&paged, &options).map_err(|e| anyhow!("typst-pdf: {e:?}"))
    }
}
