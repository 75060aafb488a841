"""The printable sheet of household voting codes: one card per household, cut along the lines.

A self-contained HTML file (no scripts, no external files), so the clerk can print it from any
browser; the codes exist nowhere else, since the store keeps only their hashes.
"""

from html import escape

from services.voting_codes import IssuedCode
from ui.context import t

_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; }
.sheet { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0; }
.card { border: 1px dashed #888; padding: 14px 18px; page-break-inside: avoid; }
.title { font-size: 12pt; font-weight: bold; }
.household { font-size: 14pt; margin: 6px 0; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 20pt; letter-spacing: 2px; }
.how { font-size: 9pt; color: #333; margin-top: 6px; }
@media print { @page { size: A4; margin: 10mm; } }
"""


def code_sheet_html(round_name: str, compound: str, codes: list[IssuedCode], address: str) -> str:
    cards = "\n".join(
        f"""<div class="card">
  <div class="title">{escape(t("codes.sheet_title", round=round_name))}</div>
  <div class="household">{escape(compound)} · {escape(code.household)}</div>
  <div class="code">{escape(code.code)}</div>
  <div class="how">{escape(t("codes.sheet_how", address=address))}</div>
</div>"""
        for code in codes
    )
    title = escape(t("codes.sheet_title", round=round_name))
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<style>{_STYLE}</style></head><body><div class="sheet">{cards}</div></body></html>'
    )
