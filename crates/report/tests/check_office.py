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
east_asia = sorted(set(re.findall(r'w:eastAsia="([^"]+)"', styles)))

wb = openpyxl.load_workbook(xlsx_path)
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
    },
    "xlsx": {
        "sheets": wb.sheetnames,
        "rows": rows,
        "autofilter": ws.auto_filter.ref,
        "freeze_panes": ws.freeze_panes,
        "hot_words": hot,
    },
}, ensure_ascii=False))
