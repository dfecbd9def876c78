//! PDF rendering in-process with typst. The engine (fonts and the parsed template) is built once
//! and shared; each render passes the view-model as one JSON string in `sys.inputs.data` and the
//! computation's JSON as bytes in `sys.inputs.computation`. Every PDF claims PDF/A-3a and
//! PDF/UA-1 (tagged for screen readers; typst refuses to export what breaks either) and carries
//! the computation as an associated file (`{file_stem}.json`, relationship `Data`).

use anyhow::{Result, anyhow};
use chrono::{Datelike, NaiveDate};
use std::sync::Arc;
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst::text::{Coverage, Font, is_default_ignorable};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::view::Document;

/// What a template reads from `sys.inputs`.
pub struct Inputs {
    /// `data`: the view-model, as one JSON string.
    pub data: serde_json::Value,
    /// `logo`: the bureau's logo image.
    pub logo: Option<Arc<[u8]>>,
    /// `computation`: the computation's JSON, attached to the PDF.
    pub computation: Option<Arc<str>>,
}

pub struct PdfEngine {
    engine: TypstEngine<TypstTemplateMainFile>,
    /// The characters the fonts can draw (any of them: typst falls back to any font that has
    /// a character).
    coverage: Vec<Coverage>,
    /// What stands in for a character no font has.
    missing: char,
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
        let coverage: Vec<Coverage> = fonts
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .map(|font| font.info().coverage.clone())
            .collect();
        let engine = TypstEngine::builder()
            .main_file(source)
            .fonts(fonts)
            .build();
        let mut pdf = PdfEngine {
            engine,
            coverage,
            missing: '?',
        };
        if pdf.can_draw('\u{fffd}') {
            pdf.missing = '\u{fffd}';
        }
        pdf
    }

    fn can_draw(&self, c: char) -> bool {
        self.coverage.iter().any(|cov| cov.contains(c as u32))
    }

    /// `text` with every character that no font has replaced by `missing`: PDF/A forbids the
    /// `.notdef` glyph (the empty box), so typst refuses to export such text. Names in a script
    /// DejaVu Sans lacks (Chinese, emoji) print as `�` instead of making the PDF fail.
    fn drawable(&self, text: &mut String) {
        // Control characters (other than whitespace) have no glyph in any font.
        let drawn = |c: char| {
            (c.is_ascii() && !c.is_ascii_control()) || c.is_whitespace() || is_default_ignorable(c)
        };
        if text.chars().all(|c| drawn(c) || self.can_draw(c)) {
            return;
        }
        *text = text
            .chars()
            .map(|c| {
                if drawn(c) || self.can_draw(c) {
                    c
                } else {
                    self.missing
                }
            })
            .collect();
    }

    fn drawable_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => self.drawable(text),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.drawable_json(v)),
            serde_json::Value::Object(fields) => {
                fields.values_mut().for_each(|v| self.drawable_json(v))
            }
            _ => {}
        }
    }

    /// Renders a document. The same document and `date` always give the same bytes: the
    /// creation date is `date` and the document id derives from the file name.
    pub fn render(&self, document: &Document, date: NaiveDate) -> Result<Vec<u8>> {
        let inputs = Inputs {
            data: serde_json::to_value(document)?,
            logo: document.logo.as_ref().map(|l| l.bytes.clone()),
            computation: document.computation_json.clone(),
        };
        self.render_data(inputs, &document.file_stem, date)
    }

    /// Renders the template with its [`Inputs`]; `ident` names the document (its PDF id
    /// derives from it).
    pub fn render_data(&self, inputs: Inputs, ident: &str, date: NaiveDate) -> Result<Vec<u8>> {
        let Inputs {
            mut data,
            logo,
            computation,
        } = inputs;
        let mut inputs = Dict::new();
        self.drawable_json(&mut data);
        inputs.insert("data".into(), serde_json::to_string(&data)?.into_value());
        if let Some(logo) = logo {
            inputs.insert("logo".into(), Bytes::new(logo).into_value());
        }
        if let Some(json) = computation {
            inputs.insert("computation".into(), Bytes::from_string(json).into_value());
        }
        let compiled = self.engine.compile_with_input::<_, PagedDocument>(inputs);
        let paged = compiled.output.map_err(|e| anyhow!("typst: {e:?}"))?;
        let datetime = Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8)
            .ok_or_else(|| anyhow!("date {date} out of range for the PDF"))?;
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            timestamp: Some(Timestamp::new_utc(datetime)),
            standards: PdfStandards::new(&[PdfStandard::A_3a, PdfStandard::Ua_1])
                .map_err(|e| anyhow!("typst-pdf standards: {e:?}"))?,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&paged, &options).map_err(|e| anyhow!("typst-pdf: {e:?}"))
    }
}
