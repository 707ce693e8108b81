"""The report as PDF, drawn with fpdf2 (pure Python: nothing to install beside pip).

The same sections, figures and tables as the HTML page; each chart is the same
SVG. The core fonts cover Swedish letters (Latin-1); the few typographic marks
outside it (quotation marks, dashes, arrows) are written as their plain forms.
"""

from __future__ import annotations

import io
import logging

from fpdf import FPDF
from fpdf.fonts import FontFace

from .data import Report, api_path
from .html import cell_text, chart_of, title_of
from .texts import text

# fpdf2 says it draws no <title> and <desc> of an SVG: they are for screen readers of the HTML page.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)
_PLAIN = str.maketrans({"”": '"', "“": '"', "’": "'", "‘": "'", "–": "-", "—": "-", "→": "->", "…": "...", "\u00a0": " ", "\u202f": " "})


def plain(value: str) -> str:
    """``value`` in the core fonts' Latin-1, typographic marks made plain."""
    return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, title: str, lang: str) -> None:
        super().__init__(format="A4")
        self.report_title = title
        self.lang = lang
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        self.set_title(plain(title))
        self.set_lang("sv-SE" if lang == "sv" else "en-GB")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, plain(f"{self.report_title} - {self.page_no()}"), align="C")


def render_pdf(report: Report, lang: str = "sv", base_url: str = "") -> bytes:
    """The report in ``lang`` as a PDF; query links are under ``base_url``."""
    title = title_of(report, lang)
    pdf = _Document(title, lang)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    pdf.multi_cell(0, 9, plain(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, plain(report.body_label[lang] if report.body else text("whole", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if report.illustrative:
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(0, 5, plain(f"{text('illustrative', lang)}. {report.notice[lang]}"), border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, plain(text("intro", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, plain(text("generated", lang, date=report.generated, as_of=report.as_of or "-")), new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(4)
        pdf.start_section(plain(text(f"s.{section.key}", lang)))
        pdf.set_font("helvetica", "B", 14)
        pdf.multi_cell(0, 8, plain(text(f"s.{section.key}", lang)), new_x="LMARGIN", new_y="NEXT")
        for figure in section.figures:
            _figure(pdf, figure, lang, base_url)
    return bytes(pdf.output())


def _figure(pdf: _Document, figure, lang: str, base_url: str) -> None:
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 11)
    pdf.multi_cell(0, 6, plain(text(f"f.{figure.key}", lang)), new_x="LMARGIN", new_y="NEXT")
    svg = chart_of(figure, lang, f"pdf-{figure.key}")
    if svg is not None:
        pdf.image(io.BytesIO(plain(str(svg)).encode("utf-8")), w=min(pdf.epw, 170))
    pdf.set_font("helvetica", size=8)
    if not figure.rows:
        pdf.multi_cell(0, 5, plain(text("none", lang)), new_x="LMARGIN", new_y="NEXT")
    else:
        widths = [3 if c.kind == "label" else 1 for c in figure.columns]
        with pdf.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD"), line_height=4,
                       text_align=["RIGHT" if c.kind == "number" else "LEFT" for c in figure.columns]) as table:
            table.row([plain(text(c.title, lang)) for c in figure.columns])
            for row in figure.rows:
                table.row([plain(cell_text(row, c, lang)) for c in figure.columns])
        if figure.total:
            pdf.multi_cell(0, 5, plain(text("shown", lang, shown=len(figure.rows), total=figure.total)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "I", 8)
    sources = ", ".join(name for name, _ in figure.sources)
    line = f"{text('query', lang)}: {figure.query}" + (f"; {text('rows_behind', lang)}: {sources}" if sources else "")
    pdf.multi_cell(0, 4, plain(line), link=base_url + figure.query_path() if base_url else "", new_x="LMARGIN", new_y="NEXT")
