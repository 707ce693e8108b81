"""Every format of the report, by name: each takes the report, a language and the server's root URL."""

from __future__ import annotations

from .html import render_html
from .pdf import render_pdf
from .tables import render_csv, render_json, render_xlsx

RENDERERS = {"html": render_html, "pdf": render_pdf, "xlsx": render_xlsx, "json": render_json, "csv": render_csv}
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
