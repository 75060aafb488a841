"""HTML to PDF, by WeasyPrint, with the system's fonts (``fonts-noto-cjk`` for the Chinese).

WeasyPrint takes about a second to import, so it is imported on the first PDF, not with the
page. It fetches nothing: a report is self-contained, and a fetcher that may open no URL at all
keeps a stray ``src`` (were escaping ever to fail) from reaching the network or the disk.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from services.permissions import Viewer
from ui.reports.layout import Report, document


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]


def report_pdf(report: Report) -> bytes:
    return html_to_pdf(document(report))


def read_pdf(
    read_report: Callable[..., Report], session: Session, viewer: Viewer, **kwargs: Any
) -> bytes:
    """A layout module's ``read_report`` (the service read, then the layout) as a PDF."""
    return report_pdf(read_report(session, viewer, **kwargs))
