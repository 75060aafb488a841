"""A fund's ledger to download, as CSV and as Excel: the public file (notice board, ledger
page) with anonymous donors masked, and the books' file for those who may see the books. The
file is made on the click, in the reader's language."""

import streamlit as st

from models.vocabulary import LedgerKind
from services.exports import COLUMNS, ExportWords, ledger_csv, ledger_xlsx
from services.ledger import DIRECTIONS
from services.permissions import Viewer
from ui.context import label, t, when_downloaded

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_words() -> ExportWords:
    """Services do not translate: the file's headers, kinds and directions in the reader's
    language come from here."""
    return ExportWords(
        headers={column: t(f"export.{column}") for column in COLUMNS},
        kinds={kind.value: label("ledger_kind", kind.value) for kind in LedgerKind},
        directions={direction: label("direction", direction) for direction in DIRECTIONS},
        anonymous=t("notice.anonymous"),
    )


def ledger_downloads(viewer: Viewer, fund_id: int, *, books: bool = False) -> None:
    """Two buttons side by side; ``books``: the full books' file (the service checks who)."""
    words = export_words()
    which = "books" if books else "public"
    name = f"linli-fund-{fund_id}-{which}"
    left, right = st.columns(2)
    left.download_button(
        t(f"export.{which}_csv"),
        when_downloaded(ledger_csv, viewer, fund_id=fund_id, words=words, books=books),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"export_{which}_csv_{fund_id}",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    right.download_button(
        t(f"export.{which}_xlsx"),
        when_downloaded(ledger_xlsx, viewer, fund_id=fund_id, words=words, books=books),
        file_name=f"{name}.xlsx",
        mime=XLSX,
        key=f"export_{which}_xlsx_{fund_id}",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
