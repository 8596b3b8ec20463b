"""Dump an annex workbook and its CSV twins as JSON, read by tools nobody
here wrote: openpyxl for the workbook, Python's csv module for the twins.

usage: dump.py WORKBOOK.xlsx CSVDIR
"""
import csv
import datetime
import json
import os
import sys

import openpyxl


def cell(c):
    v = c.value
    out = {"t": c.data_type, "fmt": c.number_format}
    if isinstance(v, datetime.datetime):
        out["v"] = v.isoformat()
        out["py"] = "datetime"
    elif isinstance(v, bool):
        out["v"] = v
        out["py"] = "bool"
    elif isinstance(v, int):
        out["v"] = v
        out["py"] = "int"
    elif v is None:
        out["v"] = None
        out["py"] = "none"
    else:
        out["v"] = str(v)
        out["py"] = type(v).__name__
    out["bold"] = bool(c.font and c.font.b)
    out["font"] = c.font.name if c.font else None
    out["link"] = c.hyperlink.location if c.hyperlink is not None else None
    return out


def main(path, csvdir):
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    p = wb.properties
    doc = {
        "sheets": [],
        "props": {
            "title": p.title,
            "subject": p.subject,
            "creator": p.creator,
            "language": p.language,
            "identifier": p.identifier,
            "created": p.created.isoformat() if p.created else None,
            "modified": p.modified.isoformat() if p.modified else None,
        },
    }
    for ws in wb.worksheets:
        cws = cached[ws.title]
        rows = []
        for r, crow in zip(ws.iter_rows(), cws.iter_rows()):
            cells = []
            for c, cc in zip(r, crow):
                d = cell(c)
                d["cached"] = cell(cc)["v"]
                cells.append(d)
            rows.append(cells)
        tables = []
        for name in ws.tables:
            t = ws.tables[name]
            tables.append({
                "name": t.name,
                "ref": t.ref,
                "autofilter": t.autoFilter.ref if t.autoFilter is not None else None,
            })
        widths = {k: v.width for k, v in ws.column_dimensions.items()}
        ps = ws.page_setup
        spr = ws.sheet_properties.pageSetUpPr
        printing = {
            "orientation": ps.orientation,
            "paper": ps.paperSize,
            "fit_width": ps.fitToWidth,
            "fit_height": ps.fitToHeight,
            "fit_to_page": bool(spr is not None and spr.fitToPage),
            "title_rows": ws.print_title_rows,
            "title_cols": ws.print_title_cols,
            "footer": (ws.oddFooter.left.text or "") + "|" + (ws.oddFooter.center.text or "") + "|" + (ws.oddFooter.right.text or ""),
        }
        doc["sheets"].append({
            "name": ws.title,
            "freeze": ws.freeze_panes,
            "tables": tables,
            "widths": widths,
            "header_height": ws.row_dimensions[1].height or 0,
            "print": printing,
            "rows": rows,
        })
    twins = {}
    for name in sorted(os.listdir(csvdir)):
        with open(os.path.join(csvdir, name), newline="", encoding="utf-8") as fh:
            twins[name] = list(csv.reader(fh, strict=True))
    doc["csv"] = twins
    json.dump(doc, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
