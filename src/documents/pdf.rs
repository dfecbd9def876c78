//! PDF rendering in-process with typst. The engine (fonts and the parsed template) is built once
//! and shared; each render passes the view-model as one JSON string in `sys.inputs.data` and the
//! computation's JSON as bytes in `sys.inputs.computation`. Every PDF claims PDF/A-3b (typst
//! refuses to export what breaks it) and carries the computation as an associated file
//! (`{file_stem}.json`, relationship `Data`).

use anyhow::{Result, anyhow};
use chrono::{Datelike, NaiveDate};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

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
        let mut inputs = Dict::new();
        inputs.insert("data".into(), serde_json::to_string(document)?.into_value());
        if let Some(logo) = &document.logo {
            inputs.insert("logo".into(), Bytes::new(logo.bytes.clone()).into_value());
        }
        if let Some(json) = &document.computation_json {
            let json = Bytes::from_string(json.clone());
            inputs.insert("computation".into(), json.into_value());
        }
        let compiled = self.engine.compile_with_input::<_, PagedDocument>(inputs);
        let paged = compiled.output.map_err(|e| anyhow!("typst: {e:?}"))?;
        let datetime = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .ok_or_else(|| anyhow!("date {date} out of range for the PDF"))?;
        let options = PdfOptions {
            ident: Smart::Custom(document.file_stem.clone()),
            timestamp: Some(Timestamp::new_utc(datetime)),
            standards: PdfStandards::new(&[PdfStandard::A_3b])
                .map_err(|e| anyhow!("typst-pdf standards: {e:?}"))?,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&paged, &options).map_err(|e| anyhow!("typst-pdf: {e:?}"))
    }
}
