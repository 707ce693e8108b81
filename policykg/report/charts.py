"""Accessible SVG charts of a figure's data: a title and a description for screen
readers (the table beside the chart has the same numbers), text of at least 4.5:1
contrast, and colours told apart by a legend that names them."""

from __future__ import annotations

from markupsafe import Markup, escape

#: Dark colours (each over 4.5:1 against white), in series order.
COLOURS = ("#1f4e79", "#2e7d32", "#8e24aa", "#a04000", "#00695c", "#5d4037")
WIDTH = 640
LABEL_WIDTH = 230
ROW = 26
LEGEND = 22


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _legend(series: list[tuple[str, str]], top: int, left: int = LABEL_WIDTH) -> tuple[list[str], int]:
    """The legend's parts, in rows that fit the width, and the height it takes."""
    parts, x, y = [], left, top
    for (name, colour) in series:
        width = 24 + 7 * len(name)
        if x > left and x + width > WIDTH:
            x, y = left, y + LEGEND
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" font-size="12" fill="#111">{escape(name)}</text>')
        x += width
    return parts, y - top + LEGEND


def bar_chart(ident: str, title: str, description: str, labels: list[str], series: list[tuple[str, list[float]]]) -> Markup:
    """Horizontal bars, one row per label, the series stacked in a row."""
    totals = [sum(values[i] or 0 for _, values in series) for i in range(len(labels))]
    top = LEGEND + 8 if len(series) > 1 else 8
    height = top + ROW * max(len(labels), 1) + 8
    scale = (WIDTH - LABEL_WIDTH - 70) / max(max(totals, default=0), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ident}-t {ident}-d" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>']
    coloured = [(name, COLOURS[i % len(COLOURS)]) for i, (name, _) in enumerate(series)]
    if len(series) > 1:
        parts += _legend(coloured, 4)[0]
    for row, label in enumerate(labels):
        y = top + row * ROW
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" font-size="12" text-anchor="end" fill="#111">{escape(short)}</text>')
        x = LABEL_WIDTH
        for (name, values), (_, colour) in zip(series, coloured):
            width = (values[row] or 0) * scale
            if width > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" fill="{colour}"/>')
            x += width
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 16}" font-size="12" fill="#111">{_fmt(totals[row])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(ident: str, title: str, description: str, labels: list[str], series: list[tuple[str, list[float | None]]]) -> Markup:
    """One line per series over the labels (years), with a dot and a legend; a missing
    value (None) breaks the line rather than drawing it at zero."""
    coloured = [(name, COLOURS[i % len(COLOURS)]) for i, (name, _) in enumerate(series)]
    legend, legend_height = _legend(coloured, 4, 50)
    height, left, bottom, top = 240 + legend_height, 50, 30, legend_height + 14
    plot_w, plot_h = WIDTH - left - 20, height - bottom - top
    peak = max((v or 0 for _, values in series for v in values), default=0) or 1
    step = plot_w / max(len(labels) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ident}-t {ident}-d" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
             f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end" fill="#111">{_fmt(peak)}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end" fill="#111">0</text>']
    parts += legend
    for i, label in enumerate(labels):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - 10}" font-size="11" text-anchor="middle" fill="#111">{escape(label)}</text>')
    for (name, values), (_, colour) in zip(series, coloured):
        points = [(left + i * step, top + plot_h - v / peak * plot_h) if v is not None else None for i, v in enumerate(values)]
        run: list[str] = []
        for point in points + [None]:
            if point is not None:
                run.append(f"{point[0]:.1f},{point[1]:.1f}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            run = []
        for point in points:
            if point is not None:
                parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
