#!/usr/bin/env python3
"""Opens a DOCX and an XLSX written by yuqing-report with independent readers
(python-docx, openpyxl) and prints what they see as one JSON object.

Usage: check_office.py REPORT.docx REPORT.xlsx
Exit 3 (and a message on stderr) when python-docx or openpyxl is not importable."""
import json
import re
import sys
import zipfile

try:
    import docx
    import openpyxl
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from lxml import etree  # a python-docx dependency
except ImportError as e:  # the Rust test prints SKIPPED on exit 3
    print(f"missing module: {e}", file=sys.stderr)
    sys.exit(3)

docx_path, xlsx_path = sys.argv[1], sys.argv[2]

d = docx.Document(docx_path)
headings = [p.text for p in d.paragraphs if p.style is not None and p.style.name.lower().startswith("heading")]
paragraphs = [p.text for p in d.paragraphs]
tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
with zipfile.ZipFile(docx_path) as z:
    styles = z.read("word/styles.xml").decode("utf-8")
    media = sorted(n for n in z.namelist() if n.startswith("word/media/") and not n.endswith("/"))
    pngs = [z.read(n)[:8].hex() for n in media]
    # PNG IHDR width and height (big-endian u32 at bytes 16..24).
    png_sizes = [[int.from_bytes(z.read(n)[16:20], "big"), int.from_bytes(z.read(n)[20:24], "big")]
                 for n in media]
    document = z.read("word/document.xml").decode("utf-8")
    rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
east_asia = sorted(set(re.findall(r'w:eastAsia="([^"]+)"', styles)))

# Word refuses duplicate drawing ids (wp:docPr/@id) that LibreOffice accepts.
doc_pr_ids = [int(i) for i in re.findall(r'<wp:docPr [^>]*\bid="(\d+)"', document)]

# The default paragraph style (w:default="1"); python-docx gives p.style None without one.
default = d.styles.default(WD_STYLE_TYPE.PARAGRAPH)
default_style = None
if default is not None:
    rpr = default.element.rPr
    fonts = rpr.rFonts if rpr is not None else None
    default_style = {
        "name": default.name,
        "east_asia": fonts.get(qn("w:eastAsia")) if fonts is not None else None,
    }
unstyled = sum(1 for p in d.paragraphs if p.style is None)
# Every paragraph style marked default, and every style with styleId Normal: one each.
styles_root = etree.fromstring(styles.encode("utf-8"))
default_paragraph_styles = [
    s.get(qn("w:styleId")) for s in styles_root.iter(qn("w:style"))
    if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true", "on")
]
normal_styles = sum(1 for s in styles_root.iter(qn("w:style")) if s.get(qn("w:styleId")) == "Normal")

# Picture widths (wp:extent cx, EMU) against the body section's text width:
# (pgSz w:w - pgMar left - right) twips x 635 EMU per twip.
doc_root = etree.fromstring(document.encode("utf-8"))
sect = doc_root.find(qn("w:body")).find(qn("w:sectPr"))
if sect is None:  # docx-rs may put the last section in the last paragraph's pPr
    sects = list(doc_root.iter(qn("w:sectPr")))
    sect = sects[-1] if sects else None
text_width_emu = None
if sect is not None:
    pg_w = int(sect.find(qn("w:pgSz")).get(qn("w:w")))
    mar = sect.find(qn("w:pgMar"))
    text_width_emu = (pg_w - int(mar.get(qn("w:left"))) - int(mar.get(qn("w:right")))) * 635
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
picture_extents = [[int(e.get("cx")), int(e.get("cy"))] for e in doc_root.iter(f"{{{WP}}}extent")]

# Child order against ECMA-376 Part 1 wml.xsd sequences (the elements docx-rs writes).
SEQ = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr",
            "pBdr", "shd", "tabs", "spacing", "ind", "jc", "outlineLvl", "rPr", "sectPr",
            "pPrChange"],
    "rPr": ["ins", "del", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "strike",
            "vanish", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
            "u", "vertAlign", "lang", "rPrChange"],
    "style": ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "uiPriority",
              "semiHidden", "unhideWhenUsed", "qFormat", "locked", "rsid", "pPr", "rPr",
              "tblPr", "trPr", "tcPr", "tblStylePr"],
}
order_errors = []
for part_name, xml in (("document", document), ("styles", styles)):
    root = etree.fromstring(xml.encode("utf-8"))
    for parent, seq in SEQ.items():
        for el in root.iter(qn("w:" + parent)):
            names = [c.tag.split("}")[1] for c in el if isinstance(c.tag, str)]
            ranks = [seq.index(n) for n in names if n in seq]
            if ranks != sorted(ranks):
                order_errors.append(f"{part_name} w:{parent}: {names}")
# Hyperlink relationships: ids in document order and relationships listed in that order.
link_ids_in_text = re.findall(r'<w:hyperlink [^>]*r:id="([^"]+)"', document)
link_rels = re.findall(r'<Relationship Id="([^"]+)" Type="[^"]*/hyperlink"', rels)

wb = openpyxl.load_workbook(xlsx_path)
# The overview and plan-coverage sheets lead the workbook; a missing one fails here.
for name in ("概览", "计划覆盖"):
    if name not in wb.sheetnames:
        print(f"{xlsx_path}: no sheet {name} (sheets: {wb.sheetnames})", file=sys.stderr)
        sys.exit(1)
ov = wb["概览"]
overview = [[("" if v is None else v) for v in r] for r in ov.iter_rows(values_only=True)]
cv = wb["计划覆盖"]
coverage = [[("" if v is None else v) for v in r] for r in cv.iter_rows(values_only=True)]
# Per coverage row: (bold, number format of 负面占比 (column H)).
coverage_styles = [[r[0].font.bold, r[7].number_format] for r in cv.iter_rows(min_row=2)]
ws = wb["报道清单"]
rows = [[("" if v is None else v) for v in r] for r in ws.iter_rows(values_only=True)]
hw = wb["热词"]
hot = [[("" if v is None else v) for v in r] for r in hw.iter_rows(values_only=True)]

print(json.dumps({
    "docx": {
        "headings": headings,
        "paragraphs": paragraphs,
        "tables": tables,
        "inline_shapes": len(d.inline_shapes),
        "png_magic": pngs,
        "east_asia_fonts": east_asia,
        "doc_pr_ids": doc_pr_ids,
        "default_style": default_style,
        "unstyled_paragraphs": unstyled,
        "default_paragraph_styles": default_paragraph_styles,
        "normal_styles": normal_styles,
        "text_width_emu": text_width_emu,
        "picture_extents": picture_extents,
        "png_sizes": png_sizes,
        "order_errors": order_errors[:20],
        "hyperlink_ids": link_ids_in_text,
        "hyperlink_rels": link_rels,
    },
    "xlsx": {
        "sheets": wb.sheetnames,
        "rows": rows,
        "autofilter": ws.auto_filter.ref,
        "freeze_panes": ws.freeze_panes,
        "hot_words": hot,
        "overview": overview,
        "coverage": coverage,
        "coverage_styles": coverage_styles,
        "coverage_autofilter": cv.auto_filter.ref,
        "coverage_freeze_panes": cv.freeze_panes,
    },
}, ensure_ascii=False))
