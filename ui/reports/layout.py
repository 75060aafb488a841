"""The page furniture every report shares: the title block with the place and the date, the
footer with page numbers, tables, lists of facts, and the escaping of everything shown.

Every helper here takes plain text and escapes it (``html.escape``), translated words included:
a layout module builds its body only from these helpers, so no typed text can become markup.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from ui import i18n

STYLESHEET = Path(__file__).with_name("report.css")
Markup = str  # HTML made by these helpers, already escaped


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def escape(text: object) -> Markup:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Words:
    """The reader's language, for a layout: words, money and dates as the app shows them."""

    locale: str

    def __call__(self, key: str, **params: Any) -> str:
        return i18n.translate(self.locale, key, **params)

    def label(self, vocabulary: str, value: str) -> str:
        return i18n.label(self.locale, vocabulary, value)

    def money(self, fen: int) -> str:
        return i18n.format_money(fen, self.locale)

    def day(self, value: date) -> str:
        return i18n.format_date(value, self.locale)

    def moment(self, value: Any) -> str:
        return i18n.format_datetime(value, self.locale)


@dataclass(frozen=True)
class Report:
    """A report's words and body, ready for the screen (``fragment``) or the PDF
    (``document``)."""

    locale: str
    title: str
    place: str
    on: date  # the date the report is about: the session, the meeting, the notice
    printed_on: date
    body: Markup


def local_date(value: datetime) -> date:
    """The day a stored moment fell on where the app is used, as the screens show it."""
    return (value.astimezone(i18n.DEFAULT_TIMEZONE) if value.tzinfo else value).date()


def heading(level: int, text: str) -> Markup:
    return f"<h{level}>{escape(text)}</h{level}>"


def paragraph(text: str, css: str = "") -> Markup:
    attribute = f' class="{escape(css)}"' if css else ""
    return f"<p{attribute}>{escape(text)}</p>"


def facts(pairs: Sequence[tuple[str, str]]) -> Markup:
    items = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in pairs)
    return f'<dl class="facts">{items}</dl>'


def bullets(items: Sequence[str]) -> Markup:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
    total: Sequence[str] | None = None,
) -> Markup:
    """``numeric``: the columns of figures, set right; ``nowrap``: columns kept on one line
    (dates); ``total``: a last row in bold."""

    def css(index: int) -> str:
        if index in numeric:
            return ' class="num"'
        return ' class="nowrap"' if index in nowrap else ""

    def cells(tag: str, values: Sequence[str]) -> str:
        return "".join(f"<{tag}{css(i)}>{escape(v)}</{tag}>" for i, v in enumerate(values))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    if total is not None:
        body += f'<tr class="total">{cells("td", total)}</tr>'
    return f"<table><thead><tr>{cells('th', headers)}</tr></thead><tbody>{body}</tbody></table>"


def block(*parts: Markup) -> Markup:
    """Parts kept together on one page where they fit."""
    return '<div class="block">' + "".join(parts) + "</div>"


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_numbers(words: Words) -> str:
    """The footer's "Page 1 of 3" in the reader's language, as CSS counters."""
    template = words("reports.page_of", page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for index, piece in enumerate(template.split("\x00")):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return (
        "@page { @bottom-right { content: " + " ".join(parts) + "; font-size: 8pt; color: #555; } }"
    )


def fragment(report: Report) -> Markup:
    """The report for the app's print view: its own styles, scoped to the report."""
    words = Words(report.locale)
    meta = " · ".join(part for part in (report.place, words.day(report.on)) if part)
    printed = words("reports.printed_on", date=words.day(report.printed_on))
    return (
        f"<style>{stylesheet()}</style>"
        f'<div class="linli-report" lang="{escape(report.locale)}">'
        f"{heading(1, report.title)}"
        f"{paragraph(meta, 'report-meta')}"
        f"{paragraph(printed, 'report-printed')}"
        f"{report.body}</div>"
    )


def document(report: Report) -> str:
    """The whole HTML page the PDF is made from: A4, page numbers, place and date below."""
    words = Words(report.locale)
    return (
        f'<!DOCTYPE html><html lang="{escape(report.locale)}"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>{_page_numbers(words)}</style></head>"
        f"<body>{fragment(report)}</body></html>"
    )
