//! Post-processing of the DOCX package docx-rs 0.4.22 writes, so Word opens it without a
//! repair prompt and the same report gives the same bytes.
//!
//! What docx-rs gets wrong and this pass puts right (checked against ECMA-376 5th ed.,
//! Part 1, the `wml.xsd` sequences `CT_PPr`/`CT_PPrBase` §17.3.1.26, `CT_RPr`/`EG_RPrBase`
//! §17.3.2.28, `CT_Style` §17.7.4.17, `CT_SectPr` §17.6.17 and `CT_TblPr` §17.4.60):
//! - child elements of `w:pPr`, `w:rPr`, `w:style`, `w:sectPr` and `w:tblPr` come in the
//!   wrong order (e.g. `w:rPr` first in `w:pPr`, `w:sz` before `w:rFonts`): they are sorted,
//!   stably, into the schema's sequence;
//! - every picture has `wp:docPr id="1"`: ids are renumbered 1, 2, … in document order
//!   (`pic:cNvPr` gets the same id);
//! - hyperlink relationship ids come from a process-wide counter and are written from a
//!   `HashMap` (random order): they are renamed `rIdHyperlink1…N` in document order and the
//!   relationships sorted; paragraph ids (`w14:paraId`) are renumbered in document order;
//! - no paragraph style is marked `w:default="1"`: the `Normal` style is;
//! - `styles.xml` holds two `Normal` paragraph styles (docx-rs always writes its own, empty
//!   one before the document's styles, `Styles::build_to`): only the last, the document's
//!   own (with the East Asian font), is kept, so the default style is unique.
//!
//! The zip is rewritten with the entries in their original order and docx-rs's fixed
//! (1980-01-01) timestamps.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use zip::write::SimpleFileOptions;

use crate::{ReportError, Result};

/// `CT_PPr` sequence (pPrBase then rPr, sectPr, pPrChange).
const PPR: &[&[u8]] = &[
    b"w:pStyle",
    b"w:keepNext",
    b"w:keepLines",
    b"w:pageBreakBefore",
    b"w:framePr",
    b"w:widowControl",
    b"w:numPr",
    b"w:suppressLineNumbers",
    b"w:pBdr",
    b"w:shd",
    b"w:tabs",
    b"w:suppressAutoHyphens",
    b"w:kinsoku",
    b"w:wordWrap",
    b"w:overflowPunct",
    b"w:topLinePunct",
    b"w:autoSpaceDE",
    b"w:autoSpaceDN",
    b"w:bidi",
    b"w:adjustRightInd",
    b"w:snapToGrid",
    b"w:spacing",
    b"w:ind",
    b"w:contextualSpacing",
    b"w:mirrorIndents",
    b"w:suppressOverlap",
    b"w:jc",
    b"w:textDirection",
    b"w:textAlignment",
    b"w:textboxTightWrap",
    b"w:outlineLvl",
    b"w:divId",
    b"w:cnfStyle",
    b"w:rPr",
    b"w:sectPr",
    b"w:pPrChange",
];

/// `CT_RPr` / `CT_ParaRPr` sequence (revision marks, `EG_RPrBase`, rPrChange).
const RPR: &[&[u8]] = &[
    b"w:ins",
    b"w:del",
    b"w:moveFrom",
    b"w:moveTo",
    b"w:rStyle",
    b"w:rFonts",
    b"w:b",
    b"w:bCs",
    b"w:i",
    b"w:iCs",
    b"w:caps",
    b"w:smallCaps",
    b"w:strike",
    b"w:dstrike",
    b"w:outline",
    b"w:shadow",
    b"w:emboss",
    b"w:imprint",
    b"w:noProof",
    b"w:snapToGrid",
    b"w:vanish",
    b"w:webHidden",
    b"w:color",
    b"w:spacing",
    b"w:w",
    b"w:kern",
    b"w:position",
    b"w:sz",
    b"w:szCs",
    b"w:highlight",
    b"w:u",
    b"w:effect",
    b"w:bdr",
    b"w:shd",
    b"w:fitText",
    b"w:vertAlign",
    b"w:rtl",
    b"w:cs",
    b"w:em",
    b"w:lang",
    b"w:eastAsianLayout",
    b"w:specVanish",
    b"w:oMath",
    b"w:rPrChange",
];

/// `CT_Style` sequence.
const STYLE: &[&[u8]] = &[
    b"w:name",
    b"w:aliases",
    b"w:basedOn",
    b"w:next",
    b"w:link",
    b"w:autoRedefine",
    b"w:uiPriority",
    b"w:semiHidden",
    b"w:unhideWhenUsed",
    b"w:qFormat",
    b"w:locked",
    b"w:personal",
    b"w:personalCompose",
    b"w:personalReply",
    b"w:rsid",
    b"w:pPr",
    b"w:rPr",
    b"w:tblPr",
    b"w:trPr",
    b"w:tcPr",
    b"w:tblStylePr",
];

/// `CT_SectPr` sequence (header/footer references first).
const SECTPR: &[&[u8]] = &[
    b"w:headerReference",
    b"w:footerReference",
    b"w:footnotePr",
    b"w:endnotePr",
    b"w:type",
    b"w:pgSz",
    b"w:pgMar",
    b"w:paperSrc",
    b"w:pgBorders",
    b"w:lnNumType",
    b"w:pgNumType",
    b"w:cols",
    b"w:formProt",
    b"w:vAlign",
    b"w:noEndnote",
    b"w:titlePg",
    b"w:textDirection",
    b"w:bidi",
    b"w:rtlGutter",
    b"w:docGrid",
    b"w:printerSettings",
    b"w:sectPrChange",
];

/// `CT_TblPr` sequence.
const TBLPR: &[&[u8]] = &[
    b"w:tblStyle",
    b"w:tblpPr",
    b"w:tblOverlap",
    b"w:bidiVisual",
    b"w:tblStyleRowBandSize",
    b"w:tblStyleColBandSize",
    b"w:tblW",
    b"w:jc",
    b"w:tblCellSpacing",
    b"w:tblInd",
    b"w:tblBorders",
    b"w:shd",
    b"w:tblLayout",
    b"w:tblCellMar",
    b"w:tblLook",
    b"w:tblCaption",
    b"w:tblDescription",
    b"w:tblPrChange",
];

/// The schema sequence that orders the children of an element named `name`, if any.
fn sequence(name: &[u8]) -> Option<&'static [&'static [u8]]> {
    match name {
        b"w:pPr" => Some(PPR),
        b"w:rPr" => Some(RPR),
        b"w:style" => Some(STYLE),
        b"w:sectPr" => Some(SECTPR),
        b"w:tblPr" => Some(TBLPR),
        _ => None,
    }
}

/// One XML node: an element with its children, or any other event (text, declaration, …).
enum Node {
    Element {
        start: BytesStart<'static>,
        children: Vec<Node>,
        empty: bool,
    },
    Other(Event<'static>),
}

impl Node {
    fn name(&self) -> &[u8] {
        match self {
            Node::Element { start, .. } => start.name().into_inner(),
            Node::Other(_) => b"",
        }
    }
}

/// Parses `xml` into a forest of nodes; `part` names the package part in errors.
fn parse(xml: &[u8], part: &str) -> Result<Vec<Node>> {
    let bad = |m: String| ReportError::Docx(format!("cannot re-read {part}: {m}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<(BytesStart<'static>, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    loop {
        let ev = reader.read_event().map_err(|e| bad(e.to_string()))?;
        let node = match ev {
            Event::Eof => break,
            Event::Start(s) => {
                stack.push((s.into_owned(), Vec::new()));
                continue;
            }
            Event::End(_) => {
                let (start, children) = stack
                    .pop()
                    .ok_or_else(|| bad("unbalanced end tag".into()))?;
                Node::Element {
                    start,
                    children,
                    empty: false,
                }
            }
            Event::Empty(s) => Node::Element {
                start: s.into_owned(),
                children: Vec::new(),
                empty: true,
            },
            other => Node::Other(other.into_owned()),
        };
        match stack.last_mut() {
            Some((_, children)) => children.push(node),
            None => top.push(node),
        }
    }
    if !stack.is_empty() {
        return Err(bad("unclosed element".into()));
    }
    Ok(top)
}

fn write_nodes(w: &mut quick_xml::Writer<Vec<u8>>, nodes: &[Node]) -> std::io::Result<()> {
    for n in nodes {
        match n {
            Node::Element {
                start,
                children,
                empty: true,
            } if children.is_empty() => w.write_event(Event::Empty(start.borrow()))?,
            Node::Element {
                start, children, ..
            } => {
                w.write_event(Event::Start(start.borrow()))?;
                write_nodes(w, children)?;
                w.write_event(Event::End(start.to_end()))?;
            }
            Node::Other(e) => w.write_event(e.borrow())?,
        }
    }
    Ok(())
}

fn serialize(nodes: &[Node], part: &str) -> Result<Vec<u8>> {
    let mut w = quick_xml::Writer::new(Vec::new());
    write_nodes(&mut w, nodes)
        .map_err(|e| ReportError::Docx(format!("cannot re-write {part}: {e}")))?;
    Ok(w.into_inner())
}

/// `start` with the attribute `key` set to `value` (replaced in place or appended).
fn set_attr(start: &BytesStart<'static>, key: &[u8], value: &str) -> BytesStart<'static> {
    let name = String::from_utf8_lossy(start.name().into_inner()).into_owned();
    let mut out = BytesStart::new(name);
    let mut found = false;
    for a in start.attributes().flatten() {
        if a.key.into_inner() == key {
            found = true;
            out.push_attribute(Attribute {
                key: QName(key),
                value: Cow::Borrowed(value.as_bytes()),
            });
        } else {
            out.push_attribute(a);
        }
    }
    if !found {
        out.push_attribute(Attribute {
            key: QName(key),
            value: Cow::Borrowed(value.as_bytes()),
        });
    }
    out
}

fn attr(start: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.into_inner() == key)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// Renumbering state over one `word/document.xml`.
#[derive(Default)]
struct Ids {
    /// Last `wp:docPr` id given.
    doc_pr: u32,
    /// Last `w14:paraId` given.
    para: u32,
    /// Old hyperlink relationship id → new number, in document order.
    links: HashMap<String, usize>,
}

/// Sorts ordered children into schema order and renumbers ids, depth first.
fn fix(nodes: &mut [Node], ids: &mut Ids) {
    for n in nodes.iter_mut() {
        let Node::Element {
            start, children, ..
        } = n
        else {
            continue;
        };
        let name = start.name().into_inner().to_vec();
        match name.as_slice() {
            b"wp:docPr" => {
                ids.doc_pr += 1;
                *start = set_attr(start, b"id", &ids.doc_pr.to_string());
                *start = set_attr(start, b"name", &format!("Picture {}", ids.doc_pr));
            }
            b"pic:cNvPr" => {
                *start = set_attr(start, b"id", &ids.doc_pr.to_string());
            }
            b"w:p" if attr(start, b"w14:paraId").is_some() => {
                ids.para += 1;
                *start = set_attr(start, b"w14:paraId", &format!("{:08X}", ids.para));
            }
            b"w:hyperlink" => {
                if let Some(old) = attr(start, b"r:id") {
                    let next = ids.links.len() + 1;
                    let k = *ids.links.entry(old).or_insert(next);
                    *start = set_attr(start, b"r:id", &format!("rIdHyperlink{k}"));
                }
            }
            b"w:style"
                if attr(start, b"w:styleId").as_deref() == Some("Normal")
                    && attr(start, b"w:type").as_deref() == Some("paragraph") =>
            {
                *start = set_attr(start, b"w:default", "1");
            }
            _ => {}
        }
        if let Some(seq) = sequence(&name) {
            let rank = |c: &Node| seq.iter().position(|s| *s == c.name()).unwrap_or(seq.len());
            children.sort_by_key(rank);
        }
        fix(children, ids);
    }
}

/// Whether `n` is a `w:style` element of paragraph type with `w:styleId="Normal"`.
fn is_normal_style(n: &Node) -> bool {
    match n {
        Node::Element { start, .. } => {
            start.name().into_inner() == b"w:style"
                && attr(start, b"w:styleId").as_deref() == Some("Normal")
                && attr(start, b"w:type").as_deref() == Some("paragraph")
        }
        Node::Other(_) => false,
    }
}

/// In `word/styles.xml`, keeps only the last `Normal` paragraph style of `w:styles` (the
/// document's own; docx-rs writes an empty one first).
fn dedupe_normal(nodes: &mut [Node]) {
    for n in nodes.iter_mut() {
        let Node::Element {
            start, children, ..
        } = n
        else {
            continue;
        };
        if start.name().into_inner() != b"w:styles" {
            continue;
        }
        let Some(last) = children.iter().rposition(is_normal_style) else {
            continue;
        };
        let mut i = 0;
        children.retain(|c| {
            let keep = i == last || !is_normal_style(c);
            i += 1;
            keep
        });
    }
}

/// `word/_rels/document.xml.rels` with hyperlink ids renamed through `links` and the
/// relationships sorted: the others first in their order, then hyperlinks by new number.
fn fix_rels(nodes: &mut [Node], links: &HashMap<String, usize>) {
    for n in nodes.iter_mut() {
        let Node::Element { children, .. } = n else {
            continue;
        };
        for c in children.iter_mut() {
            if let Node::Element { start, .. } = c
                && let Some(k) = attr(start, b"Id").and_then(|id| links.get(&id).copied())
            {
                *start = set_attr(start, b"Id", &format!("rIdHyperlink{k}"));
            }
        }
        children.sort_by_key(|c| match c {
            Node::Element { start, .. } => attr(start, b"Id")
                .and_then(|id| {
                    id.strip_prefix("rIdHyperlink")
                        .and_then(|k| k.parse::<usize>().ok())
                })
                .map_or(0, |k| k),
            Node::Other(_) => 0,
        });
    }
}

/// Rewrites the DOCX package `docx` (as docx-rs packed it) so it follows the OOXML schema
/// order and is deterministic; see the module doc.
///
/// Errors: [`ReportError::Docx`] when the package cannot be re-read or re-written.
pub(crate) fn normalize_docx(docx: &[u8]) -> Result<Vec<u8>> {
    let zerr = |e: zip::result::ZipError| ReportError::Docx(format!("cannot re-pack: {e}"));
    let mut zin = zip::ZipArchive::new(Cursor::new(docx)).map_err(zerr)?;
    let mut parts: Vec<(String, bool, Vec<u8>)> = Vec::with_capacity(zin.len());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).map_err(zerr)?;
        let mut buf = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0));
        f.read_to_end(&mut buf)
            .map_err(|e| ReportError::Docx(format!("cannot re-read {}: {e}", f.name())))?;
        parts.push((f.name().to_string(), f.is_dir(), buf));
    }
    let mut ids = Ids::default();
    for (name, _, data) in parts.iter_mut() {
        if name == "word/document.xml" || name == "word/styles.xml" {
            let mut nodes = parse(data, name)?;
            if name == "word/styles.xml" {
                dedupe_normal(&mut nodes);
            }
            fix(&mut nodes, &mut ids);
            *data = serialize(&nodes, name)?;
        }
    }
    for (name, _, data) in parts.iter_mut() {
        if name == "word/_rels/document.xml.rels" {
            let mut nodes = parse(data, name)?;
            fix_rels(&mut nodes, &ids.links);
            *data = serialize(&nodes, name)?;
        }
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(docx.len())));
    let dir_opts = SimpleFileOptions::default();
    let file_opts =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, is_dir, data) in &parts {
        if *is_dir {
            out.add_directory(name.as_str(), dir_opts).map_err(zerr)?;
        } else {
            out.start_file(name.as_str(), file_opts).map_err(zerr)?;
            out.write_all(data)
                .map_err(|e| ReportError::Docx(format!("cannot re-pack {name}: {e}")))?;
        }
    }
    Ok(out.finish().map_err(zerr)?.into_inner())
}
