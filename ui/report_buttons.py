"""Reports on the pages: the PDF to download (and the Excel file where the report has one), made
on the click in the reader's language, and a print view drawn from the same layout. The service
each report reads checks the viewer, so a button shows only what the page already may."""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import streamlit as st

from services.permissions import Viewer
from ui import i18n
from ui.context import attempt, locale, t, when_downloaded
from ui.reports.layout import Report, fragment
from ui.reports.pdf import read_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_buttons(
    viewer: Viewer,
    read_report: Callable[..., Report],
    *,
    key: str,
    file_name: str,
    read_workbook: Callable[..., bytes] | None = None,
    **ids: Any,
) -> None:
    """``read_report`` and ``read_workbook``: a layout module's readers; ``ids``: what they
    read (``session_id=3``)."""
    reader = locale()
    today = datetime.now(i18n.DEFAULT_TIMEZONE).date()
    columns = st.columns(3 if read_workbook else 2, vertical_alignment="center")
    columns[0].download_button(
        t("reports.pdf"),
        when_downloaded(
            partial(read_pdf, read_report), viewer, locale=reader, printed_on=today, **ids
        ),
        file_name=f"{file_name}.pdf",
        mime="application/pdf",
        key=f"report_pdf_{key}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        width="stretch",
    )
    if read_workbook is not None:
        columns[1].download_button(
            t("reports.xlsx"),
            when_downloaded(read_workbook, viewer, locale=reader, **ids),
            file_name=f"{file_name}.xlsx",
            mime=XLSX,
            key=f"report_xlsx_{key}",
            on_click="ignore",
            icon=":material/table_view:",
            width="stretch",
        )
    if columns[-1].toggle(t("reports.print_view"), key=f"report_view_{key}"):
        report = attempt(read_report, viewer, locale=reader, printed_on=today, **ids)
        if report is not None:
            with st.container(border=True):
                st.html(fragment(report))
